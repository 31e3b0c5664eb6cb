/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _UMD_BENCH_H
#define _UMD_BENCH_H

#include <linux/types.h>

/* What umd_bench exports to umd_bench_rust. */
int umd_bench_c_framed_echo(u32 i);

#endif /* _UMD_BENCH_H */
