/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _UMD_BENCH_BLOBS_H
#define _UMD_BENCH_BLOBS_H

/*
 * The test fixture (no_std Rust), whose echo and framed modes serve the
 * round trips, and its echo in C (glibc, static), from the .S file.
 */
extern char umd_bench_fixture_start[];
extern char umd_bench_fixture_end[];
extern char umd_bench_c_handler_start[];
extern char umd_bench_c_handler_end[];
/* The sample handler of the seed protocol, for the 128 KiB replies. */
extern char umd_bench_sample_start[];
extern char umd_bench_sample_end[];

#endif /* _UMD_BENCH_BLOBS_H */
