#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# in-root.sh ROOT CMD...: run CMD inside the trixie root, in the current
# directory. The mounts are made in a private mount namespace, so they
# disappear with the command however it ends (failure, Ctrl-C, kill).
set -euo pipefail

root=$1
shift

if [ -z "${UMD_MGMT_IN_NS:-}" ]; then
	UMD_MGMT_IN_NS=1 exec unshare --mount --propagation private -- "$0" "$root" "$@"
fi

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${UMD_MGMT_CACHE:-/var/cache/umd-mgmt}

mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
# UML maps its memory from /dev/shm, which must allow exec.
mount -t tmpfs -o exec,mode=1777 tmpfs "$root/dev/shm"
for dir in "$top" "$cache" ${KDIR:-}; do
	mkdir -p "$root$dir"
	mount --bind "$dir" "$root$dir"
done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

exec chroot "$root" /usr/bin/env -i \
	HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	UMD_MGMT_CACHE="$cache" ${KDIR:+KDIR="$KDIR"} ${JOBS:+JOBS="$JOBS"} \
	${UMD_MGMT_AUTHOR:+UMD_MGMT_AUTHOR="$UMD_MGMT_AUTHOR"} \
	sh -c 'cd "$1" && shift && exec "$@"' sh "$PWD" "$@"
