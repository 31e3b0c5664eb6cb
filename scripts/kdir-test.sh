#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# kdir-test.sh: use KDIR= as a developer would. A separate copy of the
# pristine source (hard links, made once) gets our files, series and
# test-environment patches from prepare-tree.sh in KDIR mode; every file
# we add or patch must then match the cached tree's, and the KUnit suites
# are built and run against it for um (make test's UML run: the two trees
# are the same source, so one run covers both). The copy is kept, so later
# runs apply a changed series over an older one, as a developer's tree
# sees it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/layout.sh"

root=$("$TOP/scripts/toolchain.sh")
pristine=$("$TOP/scripts/kernel-source.sh" "$root")
kdir=$(kdir_test_tree "$pristine")
if [ ! -d "$kdir" ]; then
	say "making $kdir, a separate copy of the pristine source"
	rm -rf "$kdir.tmp"
	cp -al "$pristine" "$kdir.tmp"
	mv "$kdir.tmp" "$kdir"
fi

export KDIR=$kdir
"$TOP/scripts/in-root.sh" "$root" "$TOP/scripts/prepare-tree.sh" "$pristine" >/dev/null
# The pristine source must not have been touched through the hard links.
! grep -q umd_send_recv "$pristine/kernel/usermode_driver.c" ||
	die "$pristine was modified through $kdir"
! grep -q host_fp_padded "$pristine/arch/x86/um/os-Linux/registers.c" ||
	die "$pristine was modified through $kdir"
tree=$(cached_tree "$pristine")
for f in $(patched_files) $(test_env_files) $(our_files | cut -d' ' -f2) \
	 $(handler_copies | cut -d' ' -f2); do
	cmp -s "$tree/$f" "$kdir/$f" || die "KDIR: $f differs from $tree/$f"
done
say "KDIR: every file we add or patch matches the cached tree"
"$TOP/scripts/in-root.sh" "$root" "$TOP/scripts/kunit.sh" "$KDIR" um
