#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# kernel-source.sh ROOT: unpack (once) the pristine Linux 6.12 source shipped
# in the toolchain root's linux-source-6.12 package and print its path. The
# copy is keyed by the package version and never modified.
. "$(dirname "$0")/lib.sh"

root=$1
version=$(chroot "$root" dpkg-query -W -f '${Version}' linux-source-6.12)
src=$UMD_MGMT_CACHE/linux-source-$version

if [ ! -e "$src/.complete" ]; then
	say "unpacking linux-source-6.12 $version (about a minute)"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$root/usr/src/linux-source-6.12.tar.xz" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.complete"
	mv "$src.tmp" "$src"
fi
echo "$src"
