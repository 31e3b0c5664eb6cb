#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# rust-checks.sh TREE CONFIG: the Rust gates on our Rust code, in a build
# directory of their own (configured from CONFIG, a .config with RUST=y) so
# that CLIPPY=1 does not force rebuilds of the test kernels: rustfmtcheck,
# clippy and rustdoc, each failing on any finding in our files. Runs inside
# the toolchain root.
. "$(dirname "$0")/lib.sh"

tree=$1
config=$2
build=$(build_root "$tree")/rust-checks
ours='rust/kernel/umd_mgmt\.rs|kernel/umd_mgmt_kunit/'
mk=(make -C "$tree" O="$build" ARCH=um LLVM=1 -j"$JOBS" -s)

mkdir -p "$build"
cmp -s "$config" "$build/.config" || cp "$config" "$build/.config"
"${mk[@]}" olddefconfig

status=0
# gate NAME CMD...: run CMD; fail on a non-zero exit or a finding in our files.
gate() {
	local name=$1 log
	shift
	log=$(mktemp)
	if "$@" >"$log" 2>&1 && ! grep -qE "$ours" "$log"; then
		say "$name: clean"
	else
		say "$name: FAILED"
		cat "$log"
		status=1
	fi
	rm -f "$log"
}

gate rustfmtcheck "${mk[@]}" rustfmtcheck
# Touch our crates so that clippy really looks at them.
touch "$tree/rust/kernel/umd_mgmt.rs" "$tree/kernel/umd_mgmt_kunit/umd_mgmt_rust_test.rs"
gate "clippy (CLIPPY=1)" "${mk[@]}" CLIPPY=1 prepare rust/ kernel/umd_mgmt_kunit/
gate rustdoc "${mk[@]}" rustdoc
exit $status
