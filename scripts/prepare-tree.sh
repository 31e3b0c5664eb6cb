#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# prepare-tree.sh PRISTINE: build the handler, then lay our files, our patch
# series and the test-environment patches of test-env/ over a copy of the
# pristine kernel source; print the tree's path. Runs inside the toolchain
# root.
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

# apply_patches TREE DIR: apply the patches DIR/series lists, in order.
apply_patches() {
	local tree=$1 dir=$2 p

	while read -r p; do
		patch -d "$tree" -p1 -s -f -N --no-backup-if-mismatch <"$dir/$p" >&2 ||
			die "${dir#"$TOP"/}/$p does not apply to $tree"
	done <"$dir/series"
}

# update_patches TREE DIR NAME: KDIR: apply the patches of DIR. A copy of
# those applied last is kept in TREE/.umd-mgmt-NAME, so that a rerun skips
# them when unchanged and otherwise reverts them before applying the new
# ones. A file that comes out as it was keeps its time stamp, so that
# make rebuilds only what the change touched.
update_patches() {
	local tree=$1 dir=$2 applied=$1/.umd-mgmt-$3 kept="" p f

	if [ -d "$applied" ]; then
		diff -r -q "$applied" "$dir" >/dev/null && return
		say "reverting the $3 applied to $tree before"
		kept=$(mktemp -d)
		patch_targets "$applied" | while read -r f; do
			[ ! -e "$tree/$f" ] || (cd "$tree" && cp -p --parents "$f" "$kept/")
		done
		tac "$applied/series" | while read -r p; do
			patch -d "$tree" -p1 -s -f -R --no-backup-if-mismatch <"$applied/$p" >&2 ||
				die "cannot revert $p from $tree: restore it by hand"
		done
		rm -rf "$applied"
	fi
	apply_patches "$tree" "$dir"
	if [ -n "$kept" ]; then
		(cd "$kept" && find . -type f -printf '%P\n') | while read -r f; do
			! cmp -s "$kept/$f" "$tree/$f" || touch -r "$kept/$f" "$tree/$f"
		done
		rm -rf "$kept"
	fi
	cp -r "$dir" "$applied"
}

say "building the handlers (cargo, offline)"
(cd "$TOP" && cargo build --release --offline --quiet) >&2

if [ -n "${KDIR:-}" ]; then
	[ -f "$KDIR/kernel/usermode_driver.c" ] ||
		die "KDIR=$KDIR is not a Linux 6.12 source tree (no kernel/usermode_driver.c)"
	say "applying our files and patches to KDIR=$KDIR"
	overlay "$KDIR"
	update_patches "$KDIR" "$TOP/patches" series
	update_patches "$KDIR" "$TOP/test-env" test-env
	echo "$KDIR"
	exit 0
fi

tree=$(cached_tree "$pristine")
stage=$UMD_MGMT_CACHE/stage
say "applying our files and patches to $tree"
rm -rf "$stage"
cp -al "$pristine" "$stage"
overlay "$stage"
apply_patches "$stage" "$TOP/patches"
apply_patches "$stage" "$TOP/test-env"
rsync -rlc --delete "$stage/" "$tree/"
rm -rf "$stage"
echo "$tree"
