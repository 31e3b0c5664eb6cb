# SPDX-License-Identifier: GPL-2.0-only
# Shared settings for the umd-mgmt build scripts; sourced, not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything heavy lives here, outside the repository.
UMD_MGMT_CACHE=${UMD_MGMT_CACHE:-/var/cache/umd-mgmt}
JOBS=${JOBS:-$(nproc)}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Short content hash of files and strings, used to key cached artefacts.
key_of() { cat "$@" | sha256sum | cut -c1-12; }

[ "$(id -u)" = 0 ] || die "run as root: the toolchain root is made with debootstrap and entered with chroot"
mkdir -p "$UMD_MGMT_CACHE"
