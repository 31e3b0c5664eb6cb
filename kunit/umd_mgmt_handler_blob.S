/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The handlers the tests load: the sample UMD Handler, and a hostile one
 * that does not confine itself and misbehaves as its name says.
 */
	.section .rodata, "a"
	.global umd_mgmt_kunit_handler_start
umd_mgmt_kunit_handler_start:
	.incbin UMD_MGMT_HANDLER
	.global umd_mgmt_kunit_handler_end
umd_mgmt_kunit_handler_end:

	.global umd_mgmt_kunit_hostile_start
umd_mgmt_kunit_hostile_start:
	.incbin UMD_MGMT_HOSTILE
	.global umd_mgmt_kunit_hostile_end
umd_mgmt_kunit_hostile_end:
