# SPDX-License-Identifier: GPL-2.0-only
# Where our files go in a kernel tree; sourced by the scripts that put them
# there (prepare-tree.sh) or into patches (format-series.sh).

# Repository directory -> kernel tree directory, for the files we own.
overlay_map() {
	echo "Documentation/admin-guide/LSM Documentation/admin-guide/LSM"
	echo "Documentation/driver-api Documentation/driver-api"
	echo "include/linux include/linux"
	echo "include/uapi/linux include/uapi/linux"
	echo "kernel kernel"
	echo "security/umd_seal security/umd_seal"
	echo "rust/kernel rust/kernel"
	echo "kunit kernel/umd_mgmt_kunit"
	echo "samples/rust samples/rust"
	echo "tools/testing/selftests/umd_mgmt tools/testing/selftests/umd_mgmt"
	echo "tools/testing/selftests/umd_mgmt/sample_umd tools/testing/selftests/umd_mgmt/sample_umd"
	echo "tools/testing/selftests/umd_mgmt/bench tools/testing/selftests/umd_mgmt/bench"
}

# our_files: "repository-path tree-path" for each file we own.
our_files() {
	local from to f

	overlay_map | while read -r from to; do
		(cd "$TOP/$from" && find . -maxdepth 1 -type f -printf '%P\n' | sort) |
			while read -r f; do
				echo "$from/$f $to/$f"
			done
	done
}

# patch_targets DIR: the existing kernel files that the patches DIR/series
# lists change.
patch_targets() {
	local p

	while read -r p; do
		sed -n 's|^--- a/||p' "$1/$p"
	done <"$1/series" | sort -u
}

# patched_files: the kernel files the edits in patches/ change.
patched_files() { patch_targets "$TOP/patches"; }

# test_env_files: the kernel files the test-environment patches of
# test-env/ change; they are never part of the series.
test_env_files() { patch_targets "$TOP/test-env"; }

# base_repo DIR PRISTINE: make DIR a git repository holding, as a commit
# tagged "base", the pristine files the patches change: enough to diff
# against without the rest of the tree.
base_repo() {
	local dir=$1 pristine=$2

	mkdir -p "$dir"
	# shellcheck disable=SC2046
	(cd "$pristine" && cp --parents $(patched_files) "$dir/")
	git -C "$dir" init -q
	git -C "$dir" add -A
	git -C "$dir" -c user.name=base -c user.email=base@localhost \
		commit -q -m "Linux $(make -s -C "$pristine" kernelversion)"
	git -C "$dir" tag base
}

# "binary tree-path" for each copy of a handler binary that the tree
# embeds. They are built by cargo, not kbuild, so they are copied in rather
# than carried by the series.
handler_copies() {
	echo "$HANDLER kernel/umd_mgmt_kunit/umd_mgmt_handler"
	echo "$HOSTILE kernel/umd_mgmt_kunit/umd_mgmt_hostile_handler"
	echo "$FRAMED_HANDLER samples/rust/rust_umd_mgmt_handler"
	echo "$HANDLER tools/testing/selftests/umd_mgmt/sample_umd/sample_handler"
	echo "$HOSTILE tools/testing/selftests/umd_mgmt/bench/fixture_handler"
	echo "$HANDLER tools/testing/selftests/umd_mgmt/bench/sample_handler"
}

# install_file SRC DST: copy SRC to DST unless DST already has that content,
# so that make sees a new timestamp only where the content changed.
install_file() {
	cmp -s "$1" "$2" && return
	mkdir -p "$(dirname "$2")"
	# Remove first: DST may be a hard link into the pristine source.
	rm -f "$2"
	cp "$1" "$2"
}
