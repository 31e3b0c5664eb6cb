#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# check.sh TREE PRISTINE: every quality gate on our code, one line each;
# exits non-zero if any gate has a finding in our files. The kernel gates
# build in a directory of their own (the KUnit config for um), so that W=1,
# C=2 and CLIPPY=1 never force rebuilds of the test kernels. The series is
# made from PRISTINE for checkpatch. Runs inside the toolchain root.
. "$(dirname "$0")/lib.sh"

tree=$1
pristine=$2
build=$(build_root "$tree")/checks
docs=$(build_root "$tree")/docs
page=$docs/Documentation/output/driver-api/umd_mgmt.html
ours='usermode_driver_mgmt|umd_seal|mlockall_current|umd_send_recv|umd_call|umd_recv_frame|umd_pipe_|rust/kernel/umd_mgmt\.rs|kernel/umd_mgmt_kunit/|umd_mgmt\.rst'
mk=(make -C "$tree" O="$build" ARCH=um LLVM=1 -j"$JOBS" -s)
c_files=(include/linux/usermode_driver_mgmt.h kernel/usermode_driver_mgmt.c
	 include/uapi/linux/usermode_driver_mgmt.h
	 include/linux/umd_seal.h security/umd_seal/umd_seal.c)
failed=()

# gate NAME CMD...: run CMD; a non-zero exit or a line naming our code fails.
gate() {
	local name=$1 log start=$SECONDS
	shift
	log=$(mktemp)
	if "$@" >"$log" 2>&1 && ! grep -E "$ours" "$log" | grep -qiE 'warning|error|diff in'; then
		say "check: $name: ok ($((SECONDS - start)) s)"
	else
		say "check: $name: FAILED ($((SECONDS - start)) s)"
		grep -E "$ours" "$log" || tail -20 "$log"
		failed+=("$name")
	fi
	rm -f "$log"
}

mkdir -p "$build" "$docs"
(cd "$tree" && python3 tools/testing/kunit/kunit.py config --arch=um \
	--kunitconfig=kernel/umd_mgmt_kunit --build_dir="$build" \
	--make_options LLVM=1 >/dev/null)

# htmldocs: the page must render with the kernel-doc of every exported
# function. Our page is touched so that its warnings show on every run.
htmldocs() {
	local f

	touch "$tree/Documentation/driver-api/umd_mgmt.rst"
	make -C "$tree" O="$docs" SPHINXDIRS=driver-api htmldocs || return
	for f in $(sed -n 's/^EXPORT_SYMBOL_GPL(\(.*\));/\1/p' "$tree/kernel/usermode_driver_mgmt.c") \
		 umd_send_recv umd_call umd_mgmt_msg_hdr; do
		grep -q "id=\"c\.$f\"" "$page" || { echo "error: $page lacks $f()"; return 1; }
	done
}

gate "series: git format-patch" "$TOP/scripts/format-series.sh" "$pristine" "$build/series"
gate "checkpatch --strict (files and series)" "$TOP/scripts/checkpatch.sh" "$tree" "$build/series"
gate "kernel-doc -none -Wall" sh -c "cd '$tree' && ./scripts/kernel-doc -none -Wall ${c_files[*]} &&
	./scripts/kernel-doc -none -Wall -function umd_send_recv kernel/usermode_driver.c &&
	./scripts/kernel-doc -none -Wall -function umd_call kernel/usermode_driver.c &&
	./scripts/kernel-doc -none -Wall -function mlockall_current mm/mlock.c"
# Drop our objects here (not in the test builds) so that W=1, sparse and
# clippy really look at them.
rm -f "$build"/kernel/usermode_driver*.o "$build"/kernel/umd_mgmt_kunit/*.o \
	"$build"/security/umd_seal/*.o \
	"$build/rust/kernel.o"
gate "W=1 build and sparse (C=2)" "${mk[@]}" W=1 C=2 \
	kernel/usermode_driver.o kernel/usermode_driver_mgmt.o kernel/umd_mgmt_kunit/ \
	security/umd_seal/
gate "rustfmtcheck" "${mk[@]}" rustfmtcheck
gate "clippy (CLIPPY=1)" "${mk[@]}" CLIPPY=1 rust/ kernel/umd_mgmt_kunit/
gate "rustdoc" "${mk[@]}" rustdoc
gate "htmldocs (SPHINXDIRS=driver-api)" htmldocs
say "check: documentation page: $page"
gate "handler: cargo fmt --check" sh -c "cd '$TOP' && cargo fmt --check"
gate "handler: cargo clippy -D warnings" sh -c "cd '$TOP' && cargo clippy --offline --all-targets -- -D warnings"

[ ${#failed[@]} = 0 ] || die "failed gates: ${failed[*]}"
say "check: all gates clean"
