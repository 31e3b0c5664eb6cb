#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make check`: bootstrap what is needed, then run every quality gate.
. "$(dirname "$0")/lib.sh"

root=$("$TOP/scripts/toolchain.sh")
pristine=$("$TOP/scripts/kernel-source.sh" "$root")
tree=$("$TOP/scripts/in-root.sh" "$root" "$TOP/scripts/prepare-tree.sh" "$pristine")
"$TOP/scripts/in-root.sh" "$root" "$TOP/scripts/check.sh" "$tree" "$pristine"
