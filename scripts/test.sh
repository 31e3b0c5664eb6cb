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

say "handler: cargo test"
if in_root sh -c "cd '$TOP' && CARGO_TARGET_DIR='$UMD_MGMT_CACHE/cargo-target' cargo test --offline" \
	2>&1 | tee "$logs/cargo-test.log"; then
	count handler "$logs/cargo-test.log" '^test result:' '\d+(?= passed;)' '\d+(?= failed;)'
else
	say "handler: cargo test failed"
	count handler "$logs/cargo-test.log" '^test result:' '\d+(?= passed;)' '\d+(?= failed;)'
	failed=$((failed + 1))
fi

say "checkpatch --strict on our C files and patches"
if in_root "$TOP/scripts/checkpatch.sh" "$tree"; then
	say "checkpatch: clean"
else
	gates_failed+=(checkpatch)
fi

for arch in um x86_64; do
	log=$logs/kunit-$arch.log
	if in_root "$TOP/scripts/kunit.sh" "$tree" "$arch" 2>&1 | tee "$log" &&
		grep -q 'Testing complete' "$log"; then
		count "KUnit $arch" "$log" 'Testing complete' 'passed: \K\d+' '(failed|crashed): \K\d+'
	else
		say "KUnit $arch: kunit.py failed, see $log"
		count "KUnit $arch" "$log" 'Testing complete' 'passed: \K\d+' '(failed|crashed): \K\d+'
		failed=$((failed + 1))
	fi
done

[ ${#gates_failed[@]} = 0 ] || say "failed gates: ${gates_failed[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#gates_failed[@]} = 0 ]
