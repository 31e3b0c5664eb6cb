#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make run`: build an x86_64 kernel with our series and the samples, boot it
# in QEMU, and show the C and Rust samples working (see boot/init).
. "$(dirname "$0")/lib.sh"

root=$("$TOP/scripts/toolchain.sh")
pristine=$("$TOP/scripts/kernel-source.sh" "$root")
tree=$("$TOP/scripts/in-root.sh" "$root" "$TOP/scripts/prepare-tree.sh" "$pristine")
"$TOP/scripts/in-root.sh" "$root" "$TOP/scripts/boot.sh" "$tree"
