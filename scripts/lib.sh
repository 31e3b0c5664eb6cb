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

# The throwaway git repository format-series.sh commits the series in.
SERIES_REPO=$UMD_MGMT_CACHE/series-git
# Cargo's output, and the handler binaries prepare-tree.sh builds there:
# the sample handlers of the seed and the framed protocol, and the hostile
# one the KUnit tests and benchmarks use.
export CARGO_TARGET_DIR=$UMD_MGMT_CACHE/cargo-target
HANDLER=$CARGO_TARGET_DIR/release/umd_mgmt_handler
FRAMED_HANDLER=$CARGO_TARGET_DIR/release/umd_mgmt_framed_handler
HOSTILE=$CARGO_TARGET_DIR/release/umd_mgmt_hostile

# cached_tree PRISTINE: the patched copy of PRISTINE that prepare-tree.sh
# keeps.
cached_tree() { echo "$UMD_MGMT_CACHE/tree-$(basename "$1")"; }

# unset_options FRAGMENT CONFIG [OPTIONS]: print the CONFIG_ lines of the
# fragment that the .config file CONFIG does not have, leaving out those
# for options not named in the list OPTIONS, if given.
unset_options() {
	local line

	grep '^CONFIG_' "$1" | while read -r line; do
		[ $# -lt 3 ] || grep -qx "${line%%=*}" <<<"$3" || continue
		grep -qx "$line" "$2" || echo "$line"
	done
}

# kdir_test_tree PRISTINE: the copy of PRISTINE that kdir-test.sh applies
# our files and series to as KDIR=.
kdir_test_tree() { echo "$UMD_MGMT_CACHE/kdir-test-$(basename "$1")"; }

# logged LOG CMD...: run CMD with its output appended to LOG.
logged() {
	local log=$1
	shift
	"$@" >>"$log" 2>&1
}

# build_root TREE: where the out-of-tree builds of TREE live.
build_root() {
	if [ -n "${KDIR:-}" ]; then
		echo "$UMD_MGMT_CACHE/build/kdir-$(printf %s "$KDIR" | sha256sum | cut -c1-12)"
	else
		echo "$UMD_MGMT_CACHE/build/$(basename "$1")"
	fi
}

# kunit_build TREE ARCH [debug]: the build directory of a test kernel.
kunit_build() { echo "$(build_root "$1")/kunit-$2${3:+-debug}"; }

# kunit_setup TREE ARCH [debug]: set kunit_args to what kunit.py run and
# kunit.py build take for that test kernel, from the top of TREE. The
# x86_64 kernel without debug options is also the one make run and make
# bench boot (boot.sh), so boot/demo.config is part of its configuration:
# one kernel serves the suites and the demo.
kunit_setup() {
	local opt

	kunit_args=(--kunitconfig=kernel/umd_mgmt_kunit --build_dir="$(kunit_build "$@")"
		    --make_options LLVM=1 --arch="$2")
	if [ "$2" = x86_64 ] && [ -z "${3:-}" ]; then
		kunit_args+=(--kunitconfig="$TOP/boot/demo.config")
	fi
	if [ -n "${3:-}" ]; then
		for opt in DEBUG_KERNEL KASAN KASAN_GENERIC PROVE_LOCKING \
			   DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK; do
			kunit_args+=(--kconfig_add "CONFIG_$opt=y")
		done
		# No test needs ACPI or HID, and KASAN makes each object dear:
		# they were a fifth of this kernel's objects.
		kunit_args+=(--kconfig_add "# CONFIG_ACPI is not set"
			     --kconfig_add "# CONFIG_HID_SUPPORT is not set")
	fi
}

# with_progress LABEL DIR CMD...: run CMD, saying every 30 s how long it has
# run and how many objects DIR holds, so a long build is never silent.
with_progress() {
	local label=$1 dir=$2 ticker status=0
	shift 2
	(
		start=$SECONDS
		while sleep 30; do
			say "$label: $((SECONDS - start)) s, $(find "$dir" -name '*.o' | wc -l) objects built"
		done
	) &
	ticker=$!
	"$@" || status=$?
	kill "$ticker" 2>/dev/null
	wait "$ticker" 2>/dev/null || true
	return $status
}
