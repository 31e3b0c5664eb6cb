#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# checkpatch.sh TREE: checkpatch.pl --strict, from TREE, on every C file of
# ours and every patch of the series. Runs inside the toolchain root.
. "$(dirname "$0")/lib.sh"

cd "$1"
mapfile -t files < <(cd "$TOP" && find include kernel kunit rust samples tools -type f \( -name '*.[chS]' -o -name '*.rs' -o -name Makefile \) | sort)
status=0
for f in "${files[@]}"; do
	./scripts/checkpatch.pl --strict --no-tree --quiet --show-types -f "$TOP/$f" || status=1
done
for p in $(cat "$TOP/patches/series"); do
	./scripts/checkpatch.pl --strict --quiet --show-types "$TOP/patches/$p" || status=1
done
echo "checkpatch: ${#files[@]} files, $(wc -l <"$TOP/patches/series") patches checked" >&2
exit $status
