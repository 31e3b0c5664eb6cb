/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The UMD Handler binary. umd_mgmt_load() copies it out during module init,
 * so it lives in init data and is freed afterwards.
 */
	.section .init.rodata, "a"
	.global sample_handler_start
sample_handler_start:
	.incbin SAMPLE_HANDLER
	.global sample_handler_end
sample_handler_end:
