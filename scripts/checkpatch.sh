#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# checkpatch.sh TREE SERIES: checkpatch.pl --strict, from TREE, on every
# source file of ours, every patch in the directory SERIES (made by
# format-series.sh) and the test-environment patches of test-env/. Runs
# inside the toolchain root.
. "$(dirname "$0")/lib.sh"

cd "$1"
series=$2
mapfile -t files < <(cd "$TOP" && find include kernel kunit rust samples security tools -type f \( -name '*.[chS]' -o -name '*.rs' -o -name Makefile \) | sort)
mapfile -t patches < <(find "$series" -name '*.patch' ! -name '0000-*' | sort)
[ ${#patches[@]} -gt 0 ] || die "no patches in $series"
while read -r p; do
	patches+=("$TOP/test-env/$p")
done <"$TOP/test-env/series"
status=0
for f in "${files[@]}"; do
	./scripts/checkpatch.pl --strict --no-tree --quiet --show-types -f "$TOP/$f" || status=1
done
for p in "${patches[@]}"; do
	./scripts/checkpatch.pl --strict --quiet --show-types "$p" || status=1
done
say "checkpatch: ${#files[@]} files, ${#patches[@]} patches checked"
exit $status
