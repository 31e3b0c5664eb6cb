# SPDX-License-Identifier: GPL-2.0-only
# Front door of umd-mgmt; see README.md. Every target bootstraps what it needs.

.PHONY: run test check patches bench help

help:
	@echo "make run      build the kernel with our series and show the library working"
	@echo "make test     run every test and gate; ends with 'N passed, N failed'"
	@echo "make check    every quality gate on our code, a line each (make test runs it too)"
	@echo "make patches  the series for review in out/patches, each patch built on its own"
	@echo "make bench    measure the library in a booted kernel; prints a table"
	@echo "Variables: KDIR=/path/to/linux-6.12 (use your tree), UMD_MGMT_AUTHOR, UMD_MGMT_CACHE, JOBS"

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

check:
	@bash scripts/check-all.sh

patches:
	@bash scripts/patches.sh

bench:
	@bash scripts/bench.sh
