#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# kunit.sh TREE ARCH: build TREE for ARCH (um or x86_64) with our
# .kunitconfig and run the KUnit suites through kunit.py. Runs inside the
# toolchain root. The build directory is kept, so reruns are incremental.
. "$(dirname "$0")/lib.sh"

tree=$1
arch=$2
build=$(build_root "$tree")/kunit-$arch
mkdir -p "$build"

args=(--kunitconfig=kernel/umd_mgmt_kunit --build_dir="$build"
      --make_options LLVM=1 --jobs="$JOBS" --arch="$arch")

cd "$tree"
say "kunit.py run --arch=$arch (build in $build)"
# kunit.py is silent while make runs.
with_progress "kunit.py $arch" "$build" python3 tools/testing/kunit/kunit.py run "${args[@]}"
