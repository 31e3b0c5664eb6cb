#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# series-repo.sh DIR: make DIR a git repository holding, from the pristine
# source, the kernel files our patches touch, with the series applied as
# commits on top of a "base" commit: edit there, then regenerate patches/ with
#   git -C DIR format-patch --no-signature --zero-commit -N \
#       -o "$PWD/patches" base..HEAD && (cd patches && ls *.patch >series)
# Run on the host, after make test or make run has unpacked the source.
. "$(dirname "$0")/lib.sh"

dir=$1
pristine=$(find "$UMD_MGMT_CACHE" -maxdepth 1 -name 'linux-source-*' ! -name '*.tmp' | sort | tail -1)
[ -n "$pristine" ] || die "no kernel source in $UMD_MGMT_CACHE yet: run make test first"
[ ! -e "$dir" ] || die "$dir exists"

mkdir -p "$dir"
files=$(sed -n 's|^--- a/||p' "$TOP"/patches/*.patch | sort -u)
(cd "$pristine" && cp --parents $files "$dir/")
git -C "$dir" init -q
git -C "$dir" add -A
git -C "$dir" -c user.name=base -c user.email=base@localhost commit -qm base
git -C "$dir" tag base
while read -r p; do
	git -C "$dir" am -q "$TOP/patches/$p"
done <"$TOP/patches/series"
git -C "$dir" log --oneline base..HEAD
