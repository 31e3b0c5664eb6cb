// SPDX-License-Identifier: GPL-2.0-only
/*
 * User mode driver management library.
 *
 * Keeps one UMD Handler process per struct umd_mgmt: started when the UMD
 * Loader hands over the blob, restarted by the next request after it exits,
 * and killed when a request to it fails or takes too long, or when the
 * loader goes away. A handler that keeps failing is left alone for a while.
 */
#include <linux/jiffies.h>
#include <linux/kmod.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/timer.h>
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
	WRITE_ONCE(mgmt->stats.pid, 0);
}

static int umd_mgmt_start(struct umd_mgmt *mgmt)
{
	int err;

	err = fork_usermode_driver(&mgmt->info);
	if (err)
		return err;

	mgmt->stats.starts++;
	WRITE_ONCE(mgmt->stats.pid, pid_nr(mgmt->info.tgid));
	pr_info("%s: started, pid %d\n", mgmt->info.driver_name,
		mgmt->stats.pid);

	if (mgmt->post_start) {
		err = mgmt->post_start(mgmt);
		if (err)
			umd_mgmt_stop(mgmt);
	}

	return err;
}

/* Kills the handler of a request that ran out of time. */
struct umd_mgmt_watchdog {
	struct timer_list timer;
	struct pid *tgid;
	bool fired;
};

static void umd_mgmt_watchdog_fire(struct timer_list *t)
{
	struct umd_mgmt_watchdog *wd = from_timer(wd, t, timer);

	WRITE_ONCE(wd->fired, true);
	kill_pid(wd->tgid, SIGKILL, 1);
}

/* One exchange with a running handler, killing it if it takes too long. */
static int umd_mgmt_exchange(struct umd_mgmt *mgmt, void *in, size_t in_len,
			     void *out, size_t out_len)
{
	unsigned int ms = mgmt->timeout_ms ?: UMD_MGMT_DEFAULT_TIMEOUT_MS;
	struct umd_mgmt_watchdog wd = { .tgid = mgmt->info.tgid };
	int err;

	timer_setup_on_stack(&wd.timer, umd_mgmt_watchdog_fire, 0);
	mod_timer(&wd.timer, jiffies + msecs_to_jiffies(ms));
	err = umd_send_recv(&mgmt->info, in, in_len, out, out_len);
	timer_delete_sync(&wd.timer);
	destroy_timer_on_stack(&wd.timer);

	if (READ_ONCE(wd.fired)) {
		mgmt->stats.timeouts++;
		return -ETIMEDOUT;
	}
	return err;
}

/* Count a failed start or exchange; enough of them in a row back off. */
static void umd_mgmt_failed(struct umd_mgmt *mgmt)
{
	unsigned long now = jiffies;

	if (!mgmt->failures ||
	    time_after(now, mgmt->first_failure +
			    msecs_to_jiffies(UMD_MGMT_BACKOFF_WINDOW_MS))) {
		mgmt->failures = 0;
		mgmt->first_failure = now;
	}
	if (++mgmt->failures >= UMD_MGMT_BACKOFF_FAILURES)
		mgmt->backoff_until = now + msecs_to_jiffies(UMD_MGMT_BACKOFF_MS);
}

static bool umd_mgmt_backing_off(struct umd_mgmt *mgmt)
{
	return mgmt->failures >= UMD_MGMT_BACKOFF_FAILURES &&
	       time_before(jiffies, mgmt->backoff_until);
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
 * fails or takes longer than @mgmt->timeout_ms, the UMD Handler is killed,
 * and the next call starts a new one. After %UMD_MGMT_BACKOFF_FAILURES
 * failed starts or exchanges in a row, calls fail at once with -EHOSTDOWN
 * for %UMD_MGMT_BACKOFF_MS; the next success resets the count.
 *
 * Context: Process context. Takes and releases @mgmt->lock; may sleep. A
 * fatal signal ends the wait for the lock or for the reply.
 * Return: Zero on success, -ENOPROTOOPT if the UMD Loader could not be
 * loaded, -ETIMEDOUT if the request took too long, -EHOSTDOWN while backing
 * off, -EINTR if a fatal signal came while waiting for the lock,
 * -ERESTARTSYS if a signal is pending or came while waiting for the reply,
 * the error of the start or of post_start(), or the error of umd_send_recv().
 */
int umd_mgmt_send_recv(struct umd_mgmt *mgmt, void *in, size_t in_len,
		       void *out, size_t out_len)
{
	bool restart = true;
	int err;

	if (mutex_lock_killable(&mgmt->lock))
		return -EINTR;
	mgmt->stats.requests++;

	if (!mgmt->kmod_loaded) {
		/* The loader's init calls umd_mgmt_load(), which takes the lock. */
		mutex_unlock(&mgmt->lock);
		if (mgmt->kmod)
			request_module("%s", mgmt->kmod);
		if (mutex_lock_killable(&mgmt->lock))
			return -EINTR;

		if (!mgmt->kmod_loaded) {
			err = -ENOPROTOOPT;
			goto out;
		}
		/* The loader just started a handler: not a restart. */
		restart = false;
	}

	if (umd_mgmt_backing_off(mgmt)) {
		err = -EHOSTDOWN;
		goto out;
	}

	if (mgmt->info.tgid && umd_mgmt_exited(mgmt->info.tgid)) {
		umd_cleanup_helper(&mgmt->info);
		WRITE_ONCE(mgmt->stats.pid, 0);
	}

	/* A caller already interrupted need not cost the handler its life. */
	if (signal_pending(current)) {
		err = -ERESTARTSYS;
		goto out;
	}

	if (!mgmt->info.tgid) {
		err = umd_mgmt_start(mgmt);
		if (err) {
			umd_mgmt_failed(mgmt);
			goto out;
		}
		if (restart)
			mgmt->stats.restarts++;
	}

	err = umd_mgmt_exchange(mgmt, in, in_len, out, out_len);
	if (err) {
		umd_mgmt_stop(mgmt);
		/* A caller's own signal says nothing of the handler. */
		if (err != -ERESTARTSYS && err != -EINTR)
			umd_mgmt_failed(mgmt);
	} else {
		mgmt->failures = 0;
	}
out:
	if (err) {
		mgmt->stats.failures++;
		mgmt->stats.last_error = err;
	}
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
 * no process, no pipe, no mount. A successful load also ends any back-off.
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
	mgmt->failures = 0;
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

/**
 * umd_mgmt_get_stats - Read the counters of a user mode driver.
 * @mgmt: user mode driver management structure
 * @stats: filled with a consistent copy of the counters
 *
 * Context: Process context. Takes @mgmt->lock, so it waits for a request in
 * progress to end.
 */
void umd_mgmt_get_stats(struct umd_mgmt *mgmt, struct umd_mgmt_stats *stats)
{
	mutex_lock(&mgmt->lock);
	*stats = mgmt->stats;
	mutex_unlock(&mgmt->lock);
}
EXPORT_SYMBOL_GPL(umd_mgmt_get_stats);
