#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# format-series.sh PRISTINE OUT: make the series a reviewer gets. Each patch
# of patches/ is committed, together with the files of ours that
# patches/new-files assigns to it, on top of the pristine files in a
# throwaway git repository; git format-patch then writes the series and a
# cover letter (patches/cover-letter) to OUT.
# UMD_MGMT_AUTHOR="Name <email>" sets the author and Signed-off-by; without
# it, the series keeps the author recorded in patches/. Runs inside the
# toolchain root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/layout.sh"

pristine=$1
out=$2
repo=$SERIES_REPO

# patch_of TREE_PATH: the patch number patches/new-files gives the file.
patch_of() {
	local num path

	while read -r num path; do
		case $num in '#'*|'') continue ;; esac
		if [ "$path" = "$1" ] || [ "$path" = "$(dirname "$1")/" ]; then
			echo "$num"
			return
		fi
	done <"$TOP/patches/new-files"
	die "patches/new-files does not say which patch adds $1"
}

recorded=$(git mailinfo /dev/null /dev/null <"$TOP/patches/$(head -1 "$TOP/patches/series")" |
	sed -n 's/^Author: //p; s/^Email: \(.*\)/<\1>/p' | paste -sd ' ')
author=${UMD_MGMT_AUTHOR:-$recorded}
[[ $author =~ ^[^\<]+\ \<[^\>]+@[^\>]+\>$ ]] || die "author '$author' is not 'Name <email>'"
export GIT_AUTHOR_NAME=${author% <*} GIT_AUTHOR_EMAIL=${author##*<}
GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL%>}
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL

say "committing the series in $repo (author: $author)"
rm -rf "$repo"
base_repo "$repo" "$pristine"

mapfile -t files < <(our_files)
msg=$(mktemp)
while read -r p; do
	git -C "$repo" apply --index "$TOP/patches/$p" || die "patches/$p does not apply"
	for f in "${files[@]}"; do
		set -- $f
		[ "$(patch_of "$2")" = "${p%%-*}" ] || continue
		install_file "$TOP/$1" "$repo/$2"
		git -C "$repo" add "$2"
	done
	# The patch's own message, signed off by the author of this series.
	git mailinfo "$msg.body" /dev/null <"$TOP/patches/$p" >"$msg.info"
	{
		sed -n 's/^Subject: //p' "$msg.info"
		echo
		grep -v '^Signed-off-by: ' "$msg.body" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
		echo
		echo "Signed-off-by: $author"
	} >"$msg"
	git -C "$repo" commit -q -F "$msg"
done <"$TOP/patches/series"
rm -f "$msg" "$msg.body" "$msg.info"
git -C "$repo" tag series

# A file of ours in no patch and not kept out on purpose has made patch_of
# die above.
sed -n 's|^- ||p' "$TOP/patches/new-files" | while read -r path; do
	say "kept out of the series: $path (patches/new-files)"
done

rm -rf "$out"
mkdir -p "$out"
git -C "$repo" format-patch -q --cover-letter --no-signature --thread=shallow \
	-o "$out" base..HEAD
cover=$(ls "$out"/0000-*.patch)
{
	sed -n '1p' "$TOP/patches/cover-letter"
	echo
	sed -n '3,$p' "$TOP/patches/cover-letter"
	echo
	echo "The series applies to Linux $(make -s -C "$pristine" kernelversion) (the source of Debian's"
	echo "linux-source-6.12 package, $(basename "$pristine" | sed 's/^linux-source-//'))."
} >"$msg"
python3 - "$cover" "$msg" <<'PY'
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read().split("\n", 2)
s = open(cover).read()
s = s.replace("*** SUBJECT HERE ***", text[0]).replace("*** BLURB HERE ***", text[2].rstrip("\n"))
open(cover, "w").write(s)
PY
rm -f "$msg"
say "wrote $(ls "$out" | wc -l) files to $out"
