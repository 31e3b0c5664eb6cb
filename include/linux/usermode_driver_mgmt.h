/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User mode driver management API.
 *
 * A UMD Manager sends requests to a UMD Handler, a user space process started
 * from a blob that a UMD Loader module holds. The library brings in the
 * loader on demand, restarts the handler when it exits, and serialises
 * requests.
 */
#ifndef __LINUX_USERMODE_DRIVER_MGMT_H__
#define __LINUX_USERMODE_DRIVER_MGMT_H__

#include <linux/mutex.h>
#include <linux/usermode_driver.h>

/**
 * struct umd_mgmt - user mode driver management structure
 * @info: user mode driver information; the manager sets @info.driver_name,
 *        the name of the handler binary and of its process
 * @lock: lock to serialize requests to the UMD Handler
 * @post_start: function with additional operations after UMD Handler is
 *              started, or NULL; an error from it stops the handler and is
 *              returned to the caller that started it
 * @kmod: kernel module acting as UMD Loader, to start the UMD Handler
 * @kmod_loaded: whether @kmod is loaded or not
 *
 * Information necessary to manage the UMD during its lifecycle. The manager
 * zero-initialises it, sets @info.driver_name, @kmod and optionally
 * @post_start, and initialises @lock with mutex_init().
 */
struct umd_mgmt {
	struct umd_info info;
	struct mutex lock; /* held across each request and (re)start */
	int (*post_start)(struct umd_mgmt *mgmt);
	const char *kmod;
	bool kmod_loaded;
};

int umd_mgmt_send_recv(struct umd_mgmt *mgmt, void *in, size_t in_len,
		       void *out, size_t out_len);
int umd_mgmt_load(struct umd_mgmt *mgmt, char *start, char *end);
void umd_mgmt_unload(struct umd_mgmt *mgmt);

#endif /* __LINUX_USERMODE_DRIVER_MGMT_H__ */
