// SPDX-License-Identifier: GPL-2.0-only
/*
 * User mode driver management library.
 *
 * Keeps one UMD Handler process per struct umd_mgmt: started when the UMD
 * Loader hands over the blob, restarted by the next request after it exits,
 * and killed when a request to it fails or the loader goes away.
 */
#include <linux/kmod.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/usermode_driver_mgmt.h>

/*
 * Whether the handler's thread group is gone, decided as pidfd_poll() does:
 * the leader is reaped, or is a zombie with no threads left.
 */
static bool umd_mgmt_exited(struct pid *tgid)
{
	struct task_struct *task;
	bool exited;

	rcu_read_lock();
	task = pid_task(tgid, PIDTYPE_PID);
	exited = !task || (READ_ONCE(task->exit_state) &&
			   !delay_group_leader(task));
	rcu_read_unlock();

	return exited;
}

/* Kill the handler, if any, wait for it to exit and close its pipes. */
static void umd_mgmt_stop(struct umd_mgmt *mgmt)
{
	struct umd_info *info = &mgmt->info;
	struct pid *tgid = info->tgid;

	if (!tgid)
		return;

	kill_pid(tgid, SIGKILL, 1);
	wait_event(tgid->wait_pidfd, umd_mgmt_exited(tgid));
	umd_cleanup_helper(info);
}

static int umd_mgmt_start(struct umd_mgmt *mgmt)
{
	int err;

	err = fork_usermode_driver(&mgmt->info);
	if (err)
		return err;

	pr_info("%s: started, pid %d\n", mgmt->info.driver_name,
		pid_nr(mgmt->info.tgid));

	if (mgmt->post_start) {
		err = mgmt->post_start(mgmt);
		if (err)
			umd_mgmt_stop(mgmt);
	}

	return err;
}

/**
 * umd_mgmt_send_recv - Communicate with the UMD Handler and start it.
 * @mgmt: user mode driver management structure
 * @in: request message
 * @in_len: size of @in
 * @out: reply message
 * @out_len: size of @out
 *
 * Send a message to the UMD Handler through the created pipe and read the
 * reply. If the UMD Handler is not available, invoke the UMD Loader to
 * instantiate it. If the UMD Handler exited, restart it. If the exchange
 * fails, the UMD Handler is killed, and the next call starts a new one.
 *
 * Context: Process context. Takes and releases @mgmt->lock; may sleep.
 * Return: Zero on success, -ENOPROTOOPT if the UMD Loader could not be
 * loaded, the error of the start or of post_start(), or the error of
 * umd_send_recv().
 */
int umd_mgmt_send_recv(struct umd_mgmt *mgmt, void *in, size_t in_len,
		       void *out, size_t out_len)
{
	int err;

	mutex_lock(&mgmt->lock);
	if (!mgmt->kmod_loaded) {
		/* The loader's init calls umd_mgmt_load(), which takes the lock. */
		mutex_unlock(&mgmt->lock);
		if (mgmt->kmod)
			request_module("%s", mgmt->kmod);
		mutex_lock(&mgmt->lock);

		if (!mgmt->kmod_loaded) {
			err = -ENOPROTOOPT;
			goto out;
		}
	}

	if (mgmt->info.tgid && umd_mgmt_exited(mgmt->info.tgid))
		umd_cleanup_helper(&mgmt->info);

	if (!mgmt->info.tgid) {
		err = umd_mgmt_start(mgmt);
		if (err)
			goto out;
	}

	err = umd_send_recv(&mgmt->info, in, in_len, out, out_len);
	if (err)
		umd_mgmt_stop(mgmt);
out:
	mutex_unlock(&mgmt->lock);
	return err;
}
EXPORT_SYMBOL_GPL(umd_mgmt_send_recv);

/**
 * umd_mgmt_load - Load and start the UMD Handler.
 * @mgmt: user mode driver management structure
 * @start: start address of the binary blob of the UMD Handler
 * @end: end address of the binary blob of the UMD Handler
 *
 * Copy the UMD Handler binary from the specified location to a private tmpfs
 * filesystem. Then, start the UMD Handler. On failure nothing stays behind:
 * no process, no pipe, no mount.
 *
 * Context: Process context, typically the UMD Loader's module init. May sleep.
 * Return: Zero on success, -EINVAL for an empty blob, -EBUSY if a blob is
 * already loaded, or the error of copying or starting the UMD Handler.
 */
int umd_mgmt_load(struct umd_mgmt *mgmt, char *start, char *end)
{
	int err;

	if (!start || end <= start)
		return -EINVAL;

	mutex_lock(&mgmt->lock);
	if (mgmt->kmod_loaded) {
		err = -EBUSY;
		goto out;
	}

	err = umd_load_blob(&mgmt->info, start, end - start);
	if (err)
		goto out;

	err = umd_mgmt_start(mgmt);
	if (err) {
		umd_unload_blob(&mgmt->info);
		goto out;
	}
	mgmt->kmod_loaded = true;
out:
	mutex_unlock(&mgmt->lock);
	return err;
}
EXPORT_SYMBOL_GPL(umd_mgmt_load);

/**
 * umd_mgmt_unload - Terminate and unload the UMD Handler.
 * @mgmt: user mode driver management structure
 *
 * Terminate the UMD Handler, and cleanup the private tmpfs filesystem with the
 * UMD Handler binary. Later requests bring the UMD Loader in again. Does
 * nothing if no blob is loaded.
 *
 * Context: Process context, typically the UMD Loader's module exit. May sleep.
 */
void umd_mgmt_unload(struct umd_mgmt *mgmt)
{
	mutex_lock(&mgmt->lock);
	if (mgmt->kmod_loaded) {
		umd_mgmt_stop(mgmt);
		umd_unload_blob(&mgmt->info);
		mgmt->kmod_loaded = false;
	}
	mutex_unlock(&mgmt->lock);
}
EXPORT_SYMBOL_GPL(umd_mgmt_unload);
