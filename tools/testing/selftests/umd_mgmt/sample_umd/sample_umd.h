/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared between the UMD Manager (sample_mgr) and the UMD Loader
 * (sample_loader) of the sample UMD.
 */
#ifndef _SAMPLE_UMD_H
#define _SAMPLE_UMD_H

#include <linux/sizes.h>
#include <linux/usermode_driver_mgmt.h>

/* The handler answers a u32 offset with this many bytes. */
#define SAMPLE_UMD_REPLY_LEN SZ_128K

/* Sealed; and a control that is the same but not sealed. */
extern struct umd_mgmt sample_mgmt;
extern struct umd_mgmt sample_unsealed_mgmt;

#endif /* _SAMPLE_UMD_H */
