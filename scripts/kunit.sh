#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# kunit.sh TREE ARCH [debug]: build TREE for ARCH (um or x86_64) with our
# .kunitconfig and run the KUnit suites through kunit.py. With "debug", the
# kernel also has KASAN, lockdep, atomic-sleep checks and kmemleak, and any
# report in its log fails the run. Runs inside the toolchain root. The build
# directory is kept, so reruns are incremental.
. "$(dirname "$0")/lib.sh"

tree=$1
arch=$2
debug=${3:-}
build=$(build_root "$tree")/kunit-$arch${debug:+-debug}
mkdir -p "$build"

args=(--kunitconfig=kernel/umd_mgmt_kunit --build_dir="$build"
      --make_options LLVM=1 --jobs="$JOBS" --arch="$arch")
if [ -n "$debug" ]; then
	for opt in DEBUG_KERNEL KASAN KASAN_GENERIC PROVE_LOCKING \
		   DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK; do
		args+=(--kconfig_add "CONFIG_$opt=y")
	done
	args+=(--timeout 900)
fi

cd "$tree"
say "kunit.py run --arch=$arch${debug:+ (debug kernel)} (build in $build)"
# kunit.py is silent while make runs.
with_progress "kunit.py $arch${debug:+ debug}" "$build" \
	python3 tools/testing/kunit/kunit.py run "${args[@]}"

if [ -n "$debug" ]; then
	reports='BUG:|WARNING:|INFO: possible|circular locking|sleeping function called|suspected memory leak|UBSAN'
	if grep -E "$reports" "$build/test.log"; then
		die "the debug kernel reported the problems above (log: $build/test.log)"
	fi
	say "debug kernel: no KASAN, lockdep, atomic-sleep or kmemleak reports"
fi
