/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _UMD_MGMT_KUNIT_UTIL_H
#define _UMD_MGMT_KUNIT_UTIL_H

#include <linux/types.h>

struct pid;

int umd_mgmt_kunit_processes(const char *comm);
bool umd_mgmt_kunit_exited(struct pid *pid);
int umd_mgmt_kunit_kill(struct pid *pid);
int umd_mgmt_kunit_kill_nr(pid_t nr);

#endif /* _UMD_MGMT_KUNIT_UTIL_H */
