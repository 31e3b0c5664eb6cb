/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The handlers the benchmarks compare, and the fixture whose framed mode
 * serves the framed protocol's cases.
 */
	.section .rodata, "a"
	.global umd_bench_rust_handler_start
umd_bench_rust_handler_start:
	.incbin UMD_BENCH_RUST_HANDLER
	.global umd_bench_rust_handler_end
umd_bench_rust_handler_end:
	.global umd_bench_c_handler_start
umd_bench_c_handler_start:
	.incbin UMD_BENCH_C_HANDLER
	.global umd_bench_c_handler_end
umd_bench_c_handler_end:
	.global umd_bench_framed_handler_start
umd_bench_framed_handler_start:
	.incbin UMD_BENCH_FRAMED_HANDLER
	.global umd_bench_framed_handler_end
umd_bench_framed_handler_end:
