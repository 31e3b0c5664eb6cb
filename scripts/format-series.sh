#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# format-series.sh PRISTINE OUT [REPO]: make the series a reviewer gets.
# Each patch of patches/ is committed, together with the files of ours that
# patches/new-files assigns to it, on top of the pristine files in a
# throwaway git repository (REPO, by default $SERIES_REPO); git
# format-patch then writes the series and a cover letter
# (patches/cover-letter) to OUT.
# UMD_MGMT_AUTHOR="Name <email>" sets the author and Signed-off-by; without
# it, the series keeps the author recorded in patches/. Runs inside the
# toolchain root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/layout.sh"

pristine=$1
out=$2
repo=${3:-$SERIES_REPO}

# assign: "patch-number repository-path tree-path" for each file of ours,
# with the number patches/new-files gives it ("-" for none); a file it does
# not mention is an error, so that none is left out silently.
assign() {
	local from to num path

	our_files | while read -r from to; do
		while read -r num path; do
			case $num in '#'*|'') continue ;; esac
			if [ "$path" = "$to" ] || [ "$path" = "$(dirname "$to")/" ]; then
				echo "$num $from $to"
				continue 2
			fi
		done <"$TOP/patches/new-files"
		die "patches/new-files does not say which patch adds $to"
	done
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

assigned=$(assign)
msg=$(mktemp)
while read -r p; do
	git -C "$repo" apply --index "$TOP/patches/$p" || die "patches/$p does not apply"
	while read -r num from to; do
		[ "$num" = "${p%%-*}" ] || continue
		install_file "$TOP/$from" "$repo/$to"
		git -C "$repo" add "$to"
	done <<<"$assigned"
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

sed -n 's|^- ||p' "$TOP/patches/new-files" | while read -r path; do
	say "kept out of the series: $path (patches/new-files)"
done

rm -rf "$out"
mkdir -p "$out"
git -C "$repo" format-patch -q --cover-letter --no-signature --thread=shallow \
	-o "$out" base..series
# patches/cover-letter: the subject, a blank line, the text; then the base,
# which is the base commit's subject.
python3 - "$out"/0000-*.patch "$TOP/patches/cover-letter" \
	"$(git -C "$repo" log -1 --format=%s base)" "${pristine##*/linux-source-}" <<'PY'
import sys
cover, letter, linux, package = sys.argv[1:]
subject, _, text = open(letter).read().partition("\n\n")
text += (f"\nThe series applies to {linux} (the source of Debian's\n"
         f"linux-source-6.12 package, {package}).")
s = open(cover).read()
s = s.replace("*** SUBJECT HERE ***", subject).replace("*** BLURB HERE ***", text)
open(cover, "w").write(s)
PY
say "wrote $(ls "$out" | wc -l) files to $out"
