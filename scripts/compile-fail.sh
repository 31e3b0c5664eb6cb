#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# compile-fail.sh BUILD: compile each kunit/compile_fail/*.rs with exactly the
# rustc command kbuild used for the Rust KUnit object in BUILD, and check the
# outcome each file names on its "//! expect:" line: "ok", or the code of the
# first error the compiler must report followed by text its report must
# contain. Runs inside the toolchain root; prints one
# "compile-fail: N passed, N failed" line.
. "$(dirname "$0")/lib.sh"

build=$1
cmdfile=$build/kernel/umd_mgmt_kunit/.umd_mgmt_rust_test.o.cmd
[ -f "$cmdfile" ] || die "$cmdfile missing: build the KUnit kernel with CONFIG_RUST first"
template=$(sed -n 's/^savedcmd_[^ ]* := //p' "$cmdfile")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

passed=0
failed=0
for src in "$TOP"/kunit/compile_fail/*.rs; do
	name=$(basename "$src" .rs)
	expect=$(sed -n 's|^//! expect: ||p' "$src")
	code=${expect%% *}
	text=${expect#"$code"}
	text=${text# }
	cmd=$(printf '%s' "$template" | sed \
		-e "s|--crate-name [^ ]*|--crate-name compile_fail_$name|" \
		-e "s|--out-dir [^ ]*|--out-dir $out/|" \
		-e "s|--emit=dep-info=[^ ]*|--emit=dep-info=$out/$name.d|" \
		-e "s|--emit=obj=[^ ]*|--emit=obj=$out/$name.o|" \
		-e "s|[^ ]*/umd_mgmt_rust_test\.rs|$src|")
	# kbuild runs rustc with RUSTC_BOOTSTRAP=1 for the kernel's unstable flags.
	if (cd "$build" && RUSTC_BOOTSTRAP=1 sh -c "$cmd") >"$out/$name.log" 2>&1; then
		got=ok
	else
		got=$(grep -oE '^error\[E[0-9]+\]' "$out/$name.log" | grep -oE 'E[0-9]+' | head -1) || true
		got=${got:-failed}
	fi
	# An error probe must name the text: the code alone says too little.
	if [ "$got" = "$code" ] && { [ "$code" = ok ] ||
		{ [ -n "$text" ] && grep -qF -- "$text" "$out/$name.log"; }; }; then
		echo "compile-fail: $name: ok (expected $expect)"
		passed=$((passed + 1))
	else
		echo "compile-fail: $name: FAILED (expected $expect, got $got)"
		sed 's/^/    /' "$out/$name.log"
		failed=$((failed + 1))
	fi
done
echo "compile-fail: $passed passed, $failed failed"
[ "$failed" = 0 ]
