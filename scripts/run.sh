#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make run`: build the kernel with our series and run the C API's KUnit
# suite under UML, where a real handler process answers every request.
. "$(dirname "$0")/lib.sh"

root=$("$TOP/scripts/toolchain.sh")
pristine=$("$TOP/scripts/kernel-source.sh" "$root")
tree=$("$TOP/scripts/in-root.sh" "$root" "$TOP/scripts/prepare-tree.sh" "$pristine")
"$TOP/scripts/in-root.sh" "$root" "$TOP/scripts/kunit.sh" "$tree" um
