#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make patches`: write the series a reviewer gets, with its cover letter, to
# out/patches; run checkpatch on it; build each patch on its own. The author
# and Signed-off-by are UMD_MGMT_AUTHOR="Name <email>" if set, else git's
# user.name and user.email, else the author recorded in patches/.
. "$(dirname "$0")/lib.sh"

out=$TOP/out/patches
if [ -z "${UMD_MGMT_AUTHOR:-}" ] && name=$(git -C "$TOP" config user.name) &&
	email=$(git -C "$TOP" config user.email); then
	export UMD_MGMT_AUTHOR="$name <$email>"
fi

root=$("$TOP/scripts/toolchain.sh")
in_root() { "$TOP/scripts/in-root.sh" "$root" "$@"; }
pristine=$("$TOP/scripts/kernel-source.sh" "$root")
tree=$(in_root "$TOP/scripts/prepare-tree.sh" "$pristine")
in_root "$TOP/scripts/format-series.sh" "$pristine" "$out"
in_root "$TOP/scripts/checkpatch.sh" "$tree" "$out"
in_root "$TOP/scripts/build-series.sh" "$pristine"
say "the series is in $out"
