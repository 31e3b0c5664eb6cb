#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: boot the demo kernel with the benchmark modules, then print
# the table and write results.csv, results.json and latency.svg.
. "$(dirname "$0")/lib.sh"

root=$("$TOP/scripts/toolchain.sh")
in_root() { "$TOP/scripts/in-root.sh" "$root" "$@"; }
pristine=$("$TOP/scripts/kernel-source.sh" "$root")
tree=$(in_root "$TOP/scripts/prepare-tree.sh" "$pristine")
out=$(build_root "$tree")/demo-x86_64/bench
in_root "$TOP/scripts/boot.sh" "$tree" bench
in_root python3 "$TOP/scripts/bench-report.py" "$out/console.log" "$out"
