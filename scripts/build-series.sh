#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build-series.sh PRISTINE: check that the series of make patches is
# bisectable: it is committed anew (format-series.sh) in a repository of
# this script's own, so that it can run beside make check; each patch in
# turn is applied to a copy of the pristine tree and built for ARCH=um with
# scripts/series-build.config, the C sample and selftest too once they
# exist, and each C, assembly or Rust file the patch touches must have been
# compiled. Only what a patch changes is rebuilt. A series whose changes
# built before (messages aside) is not built again.
# Runs inside the toolchain root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/layout.sh"

pristine=$1
repo=$UMD_MGMT_CACHE/series-git-build
src=$UMD_MGMT_CACHE/series-tree-$(basename "$pristine")
build=$UMD_MGMT_CACHE/build/series-$(basename "$pristine")
fragment=$TOP/scripts/series-build.config
selftest=$src/tools/testing/selftests/umd_mgmt
mk=(make -C "$src" O="$build" ARCH=um LLVM=1 -j"$JOBS" -s)

formatted=$(mktemp -d)
"$TOP/scripts/format-series.sh" "$pristine" "$formatted" "$repo"
rm -rf "$formatted"
key=$( (git -C "$repo" log -p --format= base..series; cat "$HANDLER" "$FRAMED_HANDLER" "$HOSTILE" "$fragment" "$0") |
	sha256sum | cut -c1-12)
mapfile -t commits < <(git -C "$repo" rev-list --reverse base..series)
n=${#commits[@]}
if [ -e "$build/built-$key" ]; then
	say "series: all $n patches were built before (series $key), not building again"
	exit 0
fi

if [ ! -e "$src/.complete" ]; then
	say "making $src from the pristine source"
	rm -rf "$src"
	cp -al "$pristine" "$src.tmp"
	touch "$src.tmp/.complete"
	mv "$src.tmp" "$src"
fi
mkdir -p "$build"
rm -f "$build"/built-*
# The C sample is built in its source directory: start it clean.
rm -rf "$selftest" "$build/selftest"
mapfile -t touched < <(git -C "$repo" diff --name-only base series)

# fail WHAT: say which patch failed how, with the end of its log.
fail() {
	tail -30 "$log" >&2
	die "patch $k/$n ($subject): $1; log: $log"
}

# object_of FILE: the object a C, assembly or Rust source compiles into.
object_of() {
	case $1 in
	rust/kernel/*.rs) echo "$build/rust/kernel.o" ;;
	tools/*/sample_umd/*.[cS]) echo "$src/${1%.*}.o" ;;
	tools/*.c) echo "$build/selftest/$(basename "${1%.c}")" ;;
	*.[cS] | *.rs) echo "$build/${1%.*}.o" ;;
	esac
}

k=0
configured=
for commit in "${commits[@]}"; do
	k=$((k + 1))
	subject=$(git -C "$repo" log -1 --format=%s "$commit")
	start=$SECONDS
	log=$build/patch-$k.log
	rm -f "$log"
	git -C "$repo" checkout -q "$commit"
	# Bring the tree to this patch, touching only the files that differ.
	# Objects left from other steps could pass for compiled: drop those of
	# files this patch changes or that do not exist yet.
	mapfile -t changed < <(git -C "$repo" diff --name-only "$commit~" "$commit")
	for f in "${touched[@]}"; do
		if [ -e "$repo/$f" ]; then
			install_file "$repo/$f" "$src/$f"
		else
			rm -f "$src/$f"
			obj=$(object_of "$f")
			[ -z "$obj" ] || rm -f "$obj"
		fi
	done
	for f in "${changed[@]}"; do
		obj=$(object_of "$f")
		[ -z "$obj" ] || rm -f "$obj"
	done
	handler_copies | while read -r bin f; do
		[ ! -d "$(dirname "$src/$f")" ] || install_file "$bin" "$src/$f"
	done

	# Nothing but the documentation: there is nothing to build.
	if ! grep -qvE '^(Documentation/|MAINTAINERS$)' <<<"$(printf '%s\n' "${changed[@]}")"; then
		say "series: patch $k/$n changes only the documentation: $subject"
		continue
	fi

	# Configure again only where the options can have changed: kconfig
	# takes a good part of a small patch's time.
	if [ -z "$configured" ] || grep -qE '(^|/)Kconfig[^/]*$' <<<"$(printf '%s\n' "${changed[@]}")"; then
		configured=y
		"${mk[@]}" KCONFIG_ALLCONFIG="$fragment" allnoconfig 2>/dev/null
		# An option the tree has must be set as asked, or the patch's
		# code may not be built at all.
		known=$(cd "$src" && find . -name 'Kconfig*' -exec sed -nE 's/^\s*(menu)?config (\w+).*/CONFIG_\2/p' {} +)
		missing=$(unset_options "$fragment" "$build/.config" "$known")
		[ -z "$missing" ] || die "patch $k/$n: did not stick:" $missing
	fi

	with_progress "patch $k/$n" "$build" logged "$log" "${mk[@]}" ||
		fail "does not build"
	if [ -f "$selftest/Makefile" ]; then
		logged "$log" "${mk[@]}" M="$selftest/sample_umd" modules ||
			fail "the C sample's modules do not build"
		mkdir -p "$build/selftest"
		logged "$log" make -s -C "$selftest" LLVM=1 OUTPUT="$build/selftest" TEST_GEN_MODS_DIR= ||
			fail "the selftest does not build"
	fi
	checked=0
	for f in "${changed[@]}"; do
		obj=$(object_of "$f")
		[ -n "$obj" ] || continue
		[ -e "$obj" ] || die "patch $k/$n ($subject): $f was not compiled (no $obj)"
		checked=$((checked + 1))
	done
	say "series: patch $k/$n builds ($((SECONDS - start)) s, $checked source files compiled): $subject"
done
touch "$build/built-$key"
say "series: all $n patches build on their own"
