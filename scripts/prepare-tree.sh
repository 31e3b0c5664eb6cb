#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# prepare-tree.sh PRISTINE: build the handler, then lay our files and patch
# series over a copy of the pristine kernel source; print the tree's path.
# Runs inside the toolchain root.
#
# The cached tree is rebuilt in a staging copy and synced by content, so a
# file keeps its timestamp unless its content changed and make rebuilds only
# what an edit touches. With KDIR set, the user's tree is updated in place
# instead; applying twice is a no-op.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/layout.sh"

pristine=$1

overlay() {
	local tree=$1 from to bin f

	our_files | while read -r from to; do
		install_file "$TOP/$from" "$tree/$to"
	done
	handler_copies | while read -r bin f; do
		install_file "$bin" "$tree/$f"
	done
}

apply_patches() {
	local tree=$1 p

	while read -r p; do
		patch -d "$tree" -p1 -s -f -N --no-backup-if-mismatch <"$TOP/patches/$p" >&2 ||
			die "patches/$p does not apply to $tree"
	done <"$TOP/patches/series"
}

# KDIR: a copy of the series applied last is kept in the tree, so that a
# rerun skips it when unchanged and otherwise reverts it before applying the
# new one.
update_patches() {
	local tree=$1 applied=$1/.umd-mgmt-series p

	if [ -d "$applied" ]; then
		diff -r -q "$applied" "$TOP/patches" >/dev/null && return
		say "reverting the series applied to $tree before"
		tac "$applied/series" | while read -r p; do
			patch -d "$tree" -p1 -s -f -R --no-backup-if-mismatch <"$applied/$p" >&2 ||
				die "cannot revert $p from $tree: restore it by hand"
		done
		rm -rf "$applied"
	fi
	apply_patches "$tree"
	cp -r "$TOP/patches" "$applied"
}

say "building the handlers (cargo, offline)"
(cd "$TOP" && cargo build --release --offline --quiet) >&2

if [ -n "${KDIR:-}" ]; then
	[ -f "$KDIR/kernel/usermode_driver.c" ] ||
		die "KDIR=$KDIR is not a Linux 6.12 source tree (no kernel/usermode_driver.c)"
	say "applying our files and patches to KDIR=$KDIR"
	overlay "$KDIR"
	update_patches "$KDIR"
	echo "$KDIR"
	exit 0
fi

tree=$(cached_tree "$pristine")
stage=$UMD_MGMT_CACHE/stage
say "applying our files and patches to $tree"
rm -rf "$stage"
cp -al "$pristine" "$stage"
overlay "$stage"
apply_patches "$stage"
rsync -rlc --delete "$stage/" "$tree/"
rm -rf "$stage"
echo "$tree"
