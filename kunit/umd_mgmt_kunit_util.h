/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _UMD_MGMT_KUNIT_UTIL_H
#define _UMD_MGMT_KUNIT_UTIL_H

#include <linux/types.h>

struct file;
struct pid;
struct task_struct;
struct umd_mgmt;

int umd_mgmt_kunit_processes(const char *comm);
int umd_mgmt_kunit_wait_gone(const char *comm, unsigned int ms);
bool umd_mgmt_kunit_wait_released(struct file *file, unsigned int ms);
bool umd_mgmt_kunit_exited(struct pid *pid);
int umd_mgmt_kunit_kill(struct pid *pid);
int umd_mgmt_kunit_kill_nr(pid_t nr);
int umd_mgmt_kunit_ids(pid_t nr, u32 *uid, u32 *gid);
int umd_mgmt_kunit_kill_all(const char *comm);
int umd_mgmt_kunit_load(struct umd_mgmt *mgmt, const char *name, bool hostile);
struct task_struct *umd_mgmt_kunit_task(struct umd_mgmt *mgmt);

#define UMD_MGMT_KUNIT_MAX_THREADS	8
int umd_mgmt_kunit_parallel(int (*fn)(void *ctx, int thread), void *ctx,
			    int threads);

#endif /* _UMD_MGMT_KUNIT_UTIL_H */
