#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Make (once) the Debian trixie root that holds the whole toolchain and print
# its path. The root is keyed by this script and the package list, so a change
# to either builds a new one; a finished root is never modified in place.
. "$(dirname "$0")/lib.sh"

key=$(key_of "$TOP/scripts/toolchain.sh" "$TOP/scripts/trixie-packages.txt")
root=$UMD_MGMT_CACHE/trixie-$key

if [ ! -e "$root/.complete" ]; then
	command -v debootstrap >/dev/null || {
		say "installing debootstrap on the host"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
	}
	tmp=$root.tmp
	rm -rf "$tmp"
	say "debootstrap trixie into $tmp (about a minute)"
	# No mirror argument: debootstrap's default mirror is the right one.
	debootstrap --variant=minbase trixie "$tmp" >"$UMD_MGMT_CACHE/debootstrap.log" 2>&1 ||
		die "debootstrap failed, see $UMD_MGMT_CACHE/debootstrap.log"
	say "installing the toolchain into the root (about a minute)"
	# shellcheck disable=SC2046
	"$TOP/scripts/in-root.sh" "$tmp" sh -c \
		"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(tr '\n' ' ' <"$TOP/scripts/trixie-packages.txt") >/var/log/umd-mgmt-install.log 2>&1 && apt-get clean" ||
		die "package install failed, see $tmp/var/log/umd-mgmt-install.log"
	touch "$tmp/.complete"
	mv "$tmp" "$root"
	# Older roots are unreachable now; drop them.
	find "$UMD_MGMT_CACHE" -maxdepth 1 -name 'trixie-*' ! -name "trixie-$key" -exec rm -rf {} +
fi
echo "$root"
