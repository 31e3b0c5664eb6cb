/* SPDX-License-Identifier: GPL-2.0-only */
/* The sample UMD Handler, embedded for the tests to load. */
	.section .rodata, "a"
	.global umd_mgmt_kunit_handler_start
umd_mgmt_kunit_handler_start:
	.incbin UMD_MGMT_HANDLER
	.global umd_mgmt_kunit_handler_end
umd_mgmt_kunit_handler_end:
