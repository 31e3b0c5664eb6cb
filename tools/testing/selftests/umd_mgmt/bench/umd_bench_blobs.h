/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _UMD_BENCH_BLOBS_H
#define _UMD_BENCH_BLOBS_H

/* The Rust (no_std) and the C (glibc, static) handlers, from the .S file. */
extern char umd_bench_rust_handler_start[];
extern char umd_bench_rust_handler_end[];
extern char umd_bench_c_handler_start[];
extern char umd_bench_c_handler_end[];
/* The hostile test fixture, whose framed mode serves the framed cases. */
extern char umd_bench_framed_handler_start[];
extern char umd_bench_framed_handler_end[];

#endif /* _UMD_BENCH_BLOBS_H */
