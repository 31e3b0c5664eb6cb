#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make test`: every test and gate of the project, from a bare machine.
# Ends with "N passed, N failed" over every test that ran.
. "$(dirname "$0")/lib.sh"

logs=$UMD_MGMT_CACHE/logs
mkdir -p "$logs"
passed=0
failed=0
gates_failed=()

root=$("$TOP/scripts/toolchain.sh")
in_root() { "$TOP/scripts/in-root.sh" "$root" "$@"; }
pristine=$("$TOP/scripts/kernel-source.sh" "$root")
tree=$(in_root "$TOP/scripts/prepare-tree.sh" "$pristine")

# count WHAT LOG LINE_REGEX PASS_REGEX FAIL_REGEX: add up the numbers a
# runner printed on its summary lines.
count() {
	local p f
	p=$(grep -P "$3" "$2" | grep -oP "$4" | awk '{ s += $1 } END { print s + 0 }') || true
	f=$(grep -P "$3" "$2" | grep -oP "$5" | awk '{ s += $1 } END { print s + 0 }') || true
	[ "$p$f" != 00 ] || { say "$1: no test ran"; f=1; }
	passed=$((passed + p))
	failed=$((failed + f))
	say "$1: $p passed, $f failed"
}

# count_lines WHAT LOG PASS_REGEX FAIL_REGEX: one test per matching line.
count_lines() {
	local p f
	p=$(grep -cP "$3" "$2") || true
	f=$(grep -cP "$4" "$2") || true
	[ "$p$f" != 00 ] || { say "$1: no test ran"; f=1; }
	passed=$((passed + p))
	failed=$((failed + f))
	say "$1: $p passed, $f failed"
}

say "handler: cargo test"
if in_root sh -c "cd '$TOP' && CARGO_TARGET_DIR='$CARGO_TARGET_DIR' cargo test --offline" \
	2>&1 | tee "$logs/cargo-test.log"; then
	count handler "$logs/cargo-test.log" '^test result:' '\d+(?= passed;)' '\d+(?= failed;)'
else
	say "handler: cargo test failed"
	count handler "$logs/cargo-test.log" '^test result:' '\d+(?= passed;)' '\d+(?= failed;)'
	failed=$((failed + 1))
fi

say "quality gates (make check)"
in_root "$TOP/scripts/check.sh" "$tree" "$pristine" >"$logs/check.log" 2>&1 || gates_failed+=(check)
grep -F 'check: ' "$logs/check.log" >&2 || true
grep -qF 'check: all gates clean' "$logs/check.log" || say "findings: see $logs/check.log"

say "series: each patch of make patches builds on its own"
in_root "$TOP/scripts/build-series.sh" "$pristine" >"$logs/series.log" 2>&1 || gates_failed+=(series)
grep -F 'series: ' "$logs/series.log" >&2 || tail -20 "$logs/series.log" >&2

# kunit WHAT LOG CMD...: run CMD, a KUnit script, and count its results.
kunit() {
	local what=$1 log=$2
	shift 2
	if ! "$@" 2>&1 | tee "$log" || ! grep -q 'Testing complete' "$log"; then
		say "$what: failed, see $log"
		failed=$((failed + 1))
	fi
	count "$what" "$log" 'Testing complete' 'passed: \K\d+' '(failed|crashed): \K\d+'
}

# UML, QEMU x86_64, and QEMU x86_64 with KASAN, lockdep and kmemleak.
for kernel in um x86_64 x86_64-debug; do
	kunit "KUnit $kernel" "$logs/kunit-$kernel.log" in_root "$TOP/scripts/kunit.sh" "$tree" ${kernel/-/ }
done
# KDIR=: our files and series applied to a separate pristine tree, unless
# the runs above were already made against the user's KDIR.
if [ -z "${KDIR:-}" ]; then
	kunit "KUnit um, KDIR" "$logs/kunit-kdir.log" "$TOP/scripts/kdir-test.sh"
fi

# The stress test's figures, from the kernel logs.
for kernel in um x86_64 x86_64-debug; do
	grep -ho 'umd_mgmt_stress: .*' "$(build_root "$tree")/kunit-$kernel/test.log" 2>/dev/null |
		sed "s/^/KUnit $kernel: /" >&2 || true
done

say "booted demo: C sample selftests and Rust sample in QEMU x86_64, twice"
log=$logs/demo.log
in_root "$TOP/scripts/boot.sh" "$tree" 2>&1 | tee "$log" || true
# The selftests' TAP results of both boots, and the demo's steps other than
# the selftests (the debug boot's report lines are tagged).
count_lines "selftest (TAP)" "$log" '^ok \d+ ' '^not ok \d+ '
count_lines "demo steps" "$log" \
	'^(umd-demo-debug: )?PASS  (?!C sample selftest|sealing selftest)' \
	'^(umd-demo-debug: )?FAIL  (?!C sample selftest|sealing selftest)'
grep -q 'umd-demo: RESULT: PASS' "$log" || { say "demo: no PASS result"; failed=$((failed + 1)); }
grep -q 'umd-demo-debug: RESULT: PASS' "$log" ||
	{ say "demo with umd_seal.enforce=0: no PASS result"; failed=$((failed + 1)); }

build=$(build_root "$tree")
log=$logs/compile-fail.log
if in_root "$TOP/scripts/compile-fail.sh" "$build/kunit-um" 2>&1 | tee "$log"; then :; fi
count compile-fail "$log" '^compile-fail: \d+ passed' '\d+(?= passed)' '\d+(?= failed)'

[ ${#gates_failed[@]} = 0 ] || say "failed gates: ${gates_failed[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#gates_failed[@]} = 0 ]
