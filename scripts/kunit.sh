#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# kunit.sh TREE ARCH: build TREE for ARCH (um or x86_64) with our
# .kunitconfig and run the KUnit suites through kunit.py. Runs inside the
# toolchain root. The build directory is kept, so reruns are incremental.
. "$(dirname "$0")/lib.sh"

tree=$1
arch=$2
build=${KUNIT_BUILD_DIR:-$UMD_MGMT_CACHE/build/$(basename "$tree")/kunit-$arch}
mkdir -p "$build"

args=(--kunitconfig=kernel/umd_mgmt_kunit --build_dir="$build"
      --make_options LLVM=1 --jobs="$JOBS" --arch="$arch")

cd "$tree"
say "kunit.py run --arch=$arch (build in $build)"
# kunit.py is silent while make runs; show that the build is moving.
(
	start=$SECONDS
	while sleep 30; do
		say "kunit.py $arch: $((SECONDS - start)) s, $(find "$build" -name '*.o' | wc -l) objects built"
	done
) &
ticker=$!
trap 'kill $ticker 2>/dev/null' EXIT
python3 tools/testing/kunit/kunit.py run "${args[@]}"
