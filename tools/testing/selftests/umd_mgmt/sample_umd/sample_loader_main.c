// SPDX-License-Identifier: GPL-2.0-only
/*
 * UMD Loader of the sample UMD: holds the UMD Handler binary and hands it to
 * the library for both of sample_mgr's drivers, the sealed one and its
 * unsealed control, while it is loaded.
 */
#include <linux/module.h>

#include "sample_umd.h"
#include "sample_handler_blob.h"

static int __init sample_loader_init(void)
{
	int err;

	err = umd_mgmt_load(&sample_mgmt, sample_handler_start,
			    sample_handler_end);
	if (err)
		return err;

	err = umd_mgmt_load(&sample_unsealed_mgmt, sample_handler_start,
			    sample_handler_end);
	if (err)
		umd_mgmt_unload(&sample_mgmt);
	return err;
}

static void __exit sample_loader_exit(void)
{
	umd_mgmt_unload(&sample_unsealed_mgmt);
	umd_mgmt_unload(&sample_mgmt);
}

module_init(sample_loader_init);
module_exit(sample_loader_exit);
MODULE_DESCRIPTION("UMD Loader of the sample UMD");
MODULE_LICENSE("GPL");
