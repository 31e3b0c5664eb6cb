#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# series-repo.sh DIR: make DIR a git repository holding, from the pristine
# source, the kernel files our patches touch, with the series applied as
# commits on top of a "base" commit: edit there, then regenerate patches/ with
#   git -C DIR format-patch --no-signature --zero-commit -N \
#       -o "$PWD/patches" base..HEAD && (cd patches && ls *.patch >series)
# Run on the host, after make test or make run has unpacked the source.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/layout.sh"

dir=$1
pristine=$(find "$UMD_MGMT_CACHE" -maxdepth 1 -name 'linux-source-*' ! -name '*.tmp' | sort | tail -1)
[ -n "$pristine" ] || die "no kernel source in $UMD_MGMT_CACHE yet: run make test first"
[ ! -e "$dir" ] || die "$dir exists"

base_repo "$dir" "$pristine"
while read -r p; do
	git -C "$dir" am -q "$TOP/patches/$p"
done <"$TOP/patches/series"
git -C "$dir" log --oneline base..HEAD
