/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The handlers the benchmarks compare: the test fixture, whose echo and
 * framed modes serve the round trips, its echo in C, and the sample
 * handler of the seed protocol.
 */
	.section .rodata, "a"
	.global umd_bench_fixture_start
umd_bench_fixture_start:
	.incbin UMD_BENCH_FIXTURE
	.global umd_bench_fixture_end
umd_bench_fixture_end:
	.global umd_bench_c_handler_start
umd_bench_c_handler_start:
	.incbin UMD_BENCH_C_HANDLER
	.global umd_bench_c_handler_end
umd_bench_c_handler_end:
	.global umd_bench_sample_start
umd_bench_sample_start:
	.incbin UMD_BENCH_SAMPLE
	.global umd_bench_sample_end
umd_bench_sample_end:
