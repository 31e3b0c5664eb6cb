#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# kunit.sh TREE ARCH [debug]: build TREE for ARCH (um or x86_64) with our
# .kunitconfig and run the KUnit suites through kunit.py run. The x86_64
# kernel is the demo's too, so it also has boot/demo.config. With "debug",
# the kernel also has KASAN, lockdep, atomic-sleep checks and kmemleak, and
# any report in its log fails the run. Under UML, the first run builds the
# kernel and runs one case that starts a handler: if UML itself cannot run
# a process on this host, that is said in one line and the suites are not
# run (exit status 2). Runs inside the toolchain root. The build directory
# is kept, so reruns are incremental.
. "$(dirname "$0")/lib.sh"

tree=$1
arch=$2
debug=${3:-}
build=$(kunit_build "$tree" "$arch" "$debug")
mkdir -p "$build"
kunit_setup "$tree" "$arch" "$debug"
kunit=(python3 tools/testing/kunit/kunit.py)

# uml_runs_processes: build, and run one case that starts a handler. It
# fails only if the case fails and UML's own code for running processes
# (arch/um/os-Linux/skas/process.c) complained: then no case that starts a
# handler can pass on this host, whatever our code does.
uml_runs_processes() {
	local complaint

	rm -f "$build/uml-check.log"
	with_progress "kunit.py um" "$build" logged "$build/uml-check.log" \
		"${kunit[@]}" run "${kunit_args[@]}" --jobs="$JOBS" --timeout 120 \
		umd_mgmt.umd_mgmt_test_replies && return
	grep -q 'Testing complete' "$build/uml-check.log" ||
		die "the UML kernel did not build or run (log: $build/uml-check.log)"
	complaint=$(grep -m1 -oE '(userspace|start_userspace|wait_stub_done) [-:] .*|(save|put)_fp_registers returned.*|Failed to (get registers from|continue) stub.*' \
		"$build/test.log") || return 0
	say "KUnit $arch: not run: UML cannot start a user process on this host" \
	    "($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), its" \
	    "kernel says \"$complaint\"; test-env/ fixes 6.12's UML for hosts" \
	    "with AMX, so this is another cause: run the UML suites on another" \
	    "host (log: $build/test.log)"
	return 1
}

cd "$tree"
say "kunit.py run --arch=$arch${debug:+ (debug kernel)} (build in $build)"
if [ "$arch" = um ] && ! uml_runs_processes; then
	exit 2
fi
# kunit.py is silent while make runs. Its default timeout, 300 s for the
# whole run, is less than the suites take on UML and the debug kernel.
with_progress "kunit.py $arch${debug:+ debug}" "$build" \
	"${kunit[@]}" run "${kunit_args[@]}" --jobs="$JOBS" --timeout 900

if [ -n "$debug" ]; then
	reports='BUG:|WARNING:|INFO: possible|circular locking|sleeping function called|suspected memory leak|UBSAN'
	if grep -E "$reports" "$build/test.log"; then
		die "the debug kernel reported the problems above (log: $build/test.log)"
	fi
	say "debug kernel: no KASAN, lockdep, atomic-sleep or kmemleak reports"
fi
