#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make test`: every test and gate of the project, from a bare machine.
# Ends with how long each step took and "N passed, N failed" over every
# test that ran.
. "$(dirname "$0")/lib.sh"

logs=$UMD_MGMT_CACHE/logs
mkdir -p "$logs"
passed=0
failed=0
failures=()
gates_failed=()
times=()

# timed NAME CMD...: run CMD, noting how long it took for the summary.
timed() {
	local name=$1 start=$SECONDS status=0
	shift
	"$@" || status=$?
	times+=("$(printf '%6d s  %s' $((SECONDS - start)) "$name")")
	return $status
}

start=$SECONDS
timed "toolchain root" eval 'root=$("$TOP/scripts/toolchain.sh")'
in_root() { "$TOP/scripts/in-root.sh" "$root" "$@"; }
timed "kernel source" eval 'pristine=$("$TOP/scripts/kernel-source.sh" "$root")'
timed "handlers and patched tree" eval 'tree=$(in_root "$TOP/scripts/prepare-tree.sh" "$pristine")'
build=$(build_root "$tree")

# The series is built patch by patch in a tree of its own, beside the rest:
# much of what follows keeps one core busy, not two, and the series' build
# takes what is left (at a lower priority, so the tests keep their share).
# It runs in a session of its own, which is stopped with make test however
# that ends, so that no build of it outlives the run into the next one.
say "series: each patch of make patches builds on its own (in the background, log: $logs/series.log)"
rm -f "$logs/series.status"
setsid bash -c 'start=$SECONDS status=0
	# A session is a scheduler autogroup of its own, whose share nice
	# does not lower against the rest: lower the group as well.
	echo 10 >/proc/self/autogroup 2>/dev/null || true
	nice -n 10 "${@:3}" >"$1" 2>&1 || status=$?
	echo "$status $((SECONDS - start))" >"$2"' series "$logs/series.log" "$logs/series.status" \
	"$TOP/scripts/in-root.sh" "$root" "$TOP/scripts/build-series.sh" "$pristine" &
series_pid=$!
trap 'kill -- -"$series_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

# note_failures WHAT LOG REGEX: remember the lines of LOG that name a
# failed test, for the summary at the end, where a short tail shows them.
note_failures() {
	local line
	while IFS= read -r line; do
		failures+=("$1: $line")
	done < <(sed 's/\x1b\[[0-9;]*m//g' "$2" | grep -aP "$3" | head -20)
}

# count WHAT LOG LINE_REGEX PASS_REGEX FAIL_REGEX NAME_REGEX: add up the
# numbers a runner printed on its summary lines; NAME_REGEX matches the
# lines that name a failed test.
count() {
	local p f
	p=$(grep -P "$3" "$2" | grep -oP "$4" | awk '{ s += $1 } END { print s + 0 }') || true
	f=$(grep -P "$3" "$2" | grep -oP "$5" | awk '{ s += $1 } END { print s + 0 }') || true
	[ "$p$f" != 00 ] || { say "$1: no test ran"; f=1; failures+=("$1: no test ran"); }
	[ "$f" = 0 ] || note_failures "$1" "$2" "$6"
	passed=$((passed + p))
	failed=$((failed + f))
	say "$1: $p passed, $f failed"
}

# count_lines WHAT LOG PASS_REGEX FAIL_REGEX: one test per matching line.
count_lines() {
	local p f
	p=$(grep -cP "$3" "$2") || true
	f=$(grep -cP "$4" "$2") || true
	[ "$p$f" != 00 ] || { say "$1: no test ran"; f=1; failures+=("$1: no test ran"); }
	[ "$f" = 0 ] || note_failures "$1" "$2" "$4"
	passed=$((passed + p))
	failed=$((failed + f))
	say "$1: $p passed, $f failed"
}

cargo_test() {
	local log=$logs/cargo-test.log

	say "handler: cargo test"
	if ! in_root sh -c "cd '$TOP' && CARGO_TARGET_DIR='$CARGO_TARGET_DIR' cargo test --offline" \
		2>&1 | tee "$log"; then
		say "handler: cargo test failed"
		failed=$((failed + 1))
		failures+=("handler: cargo test failed")
	fi
	count handler "$log" '^test result:' '\d+(?= passed;)' '\d+(?= failed;)' \
		' \.\.\. FAILED$'
}

check() {
	say "quality gates (make check)"
	in_root "$TOP/scripts/check.sh" "$tree" "$pristine" >"$logs/check.log" 2>&1 ||
		gates_failed+=(check)
	grep -F 'check: ' "$logs/check.log" >&2 || true
	grep -qF 'check: all gates clean' "$logs/check.log" || say "findings: see $logs/check.log"
}

# kunit WHAT LOG CMD...: run CMD, a KUnit script, and count its results. A
# UML that cannot run processes on this host is one failure, said once.
kunit() {
	local what=$1 log=$2 status=0
	shift 2
	"$@" 2>&1 | tee "$log" || status=$?
	if [ "$status" = 2 ] && grep -q 'not run: UML cannot start a user process' "$log"; then
		failed=$((failed + 1))
		failures+=("$what: UML cannot start a user process")
		return
	fi
	if [ "$status" != 0 ] || ! grep -q 'Testing complete' "$log"; then
		say "$what: failed, see $log"
		failed=$((failed + 1))
		failures+=("$what: exit status $status, see $log")
	fi
	count "$what" "$log" 'Testing complete' 'passed: \K\d+' '(failed|crashed): \K\d+' \
		'\[(FAILED|CRASHED)\] '
}

# UML runs the suites on the tree that KDIR= makes of a pristine copy of the
# source (kdir-test.sh), which must match the cached tree in every file we
# add or patch;
# that tree is then the one UML checks, and the compile-fail checks use its
# build. With KDIR set, every run is on the user's tree already.
kunit_um() {
	if [ -n "${KDIR:-}" ]; then
		um_build=$build/kunit-um
		kunit "KUnit um" "$logs/kunit-um.log" in_root "$TOP/scripts/kunit.sh" "$tree" um
	else
		um_build=$(KDIR=$(kdir_test_tree "$pristine") build_root "")/kunit-um
		kunit "KUnit um, KDIR= tree" "$logs/kunit-um.log" "$TOP/scripts/kdir-test.sh"
	fi
}

demo() {
	local log=$logs/demo.log

	say "booted demo: C sample selftests and Rust sample in QEMU x86_64, twice"
	in_root "$TOP/scripts/boot.sh" "$tree" 2>&1 | tee "$log" || true
	# The selftests' TAP results of both boots, and the demo's steps other
	# than the selftests (the debug boot's report lines are tagged).
	count_lines "selftest (TAP)" "$log" '^ok \d+ ' '^not ok \d+ '
	count_lines "demo steps" "$log" \
		'^(umd-demo-debug: )?PASS  (?!C sample selftest|sealing selftest)' \
		'^(umd-demo-debug: )?FAIL  (?!C sample selftest|sealing selftest)'
	grep -q 'umd-demo: RESULT: PASS' "$log" || {
		say "demo: no PASS result"
		failed=$((failed + 1))
		failures+=("demo: no PASS result")
	}
	grep -q 'umd-demo-debug: RESULT: PASS' "$log" || {
		say "demo with umd_seal.enforce=0: no PASS result"
		failed=$((failed + 1))
		failures+=("demo with umd_seal.enforce=0: no PASS result")
	}
}

compile_fail() {
	local log=$logs/compile-fail.log

	in_root "$TOP/scripts/compile-fail.sh" "$um_build" 2>&1 | tee "$log" || true
	count compile-fail "$log" '^compile-fail: \d+ passed' '\d+(?= passed)' '\d+(?= failed)' \
		': FAILED '
}

series() {
	local status seconds

	wait "$series_pid" || true
	read -r status seconds <"$logs/series.status" || status=1 seconds=0
	grep -F 'series: ' "$logs/series.log" >&2 || tail -20 "$logs/series.log" >&2
	[ "$status" = 0 ] || gates_failed+=(series)
	times+=("$(printf '%6d s  %s' "$seconds" "series, each patch built (in the background)")")
}

timed "handler: cargo test" cargo_test
timed "make check" check
# UML, QEMU x86_64, and QEMU x86_64 with KASAN, lockdep and kmemleak.
timed "KUnit um" kunit_um
timed "KUnit x86_64" kunit "KUnit x86_64" "$logs/kunit-x86_64.log" \
	in_root "$TOP/scripts/kunit.sh" "$tree" x86_64
timed "KUnit x86_64, debug" kunit "KUnit x86_64-debug" "$logs/kunit-x86_64-debug.log" \
	in_root "$TOP/scripts/kunit.sh" "$tree" x86_64 debug

# The stress test's figures, from the kernel logs.
for log in "$um_build" "$build/kunit-x86_64" "$build/kunit-x86_64-debug"; do
	kernel=${log##*/kunit-}
	grep -ho 'umd_mgmt_stress: .*' "$log/test.log" 2>/dev/null |
		sed "s/^/KUnit $kernel: /" >&2 || true
done

timed "booted demo, two boots" demo
timed "compile-fail checks" compile_fail
timed "waiting for the series" series
times+=("$(printf '%6d s  %s' $((SECONDS - start)) "make test in all")")

say "time taken:"
printf '%s\n' "${times[@]}" >&2
[ ${#gates_failed[@]} = 0 ] || say "failed gates: ${gates_failed[*]}"
[ ${#failures[@]} = 0 ] || { say "failed:"; printf '  %s\n' "${failures[@]}" >&2; }
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#gates_failed[@]} = 0 ]
