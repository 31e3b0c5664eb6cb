/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sealed user mode drivers: see Documentation/admin-guide/LSM/umd_seal.rst.
 */
#ifndef __LINUX_UMD_SEAL_H__
#define __LINUX_UMD_SEAL_H__

#include <linux/errno.h>

#ifdef CONFIG_SECURITY_UMD_SEAL
int umd_seal_current(void);
#else
static inline int umd_seal_current(void)
{
	return -EOPNOTSUPP;
}
#endif

#endif /* __LINUX_UMD_SEAL_H__ */
