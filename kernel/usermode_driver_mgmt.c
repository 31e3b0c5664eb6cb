// SPDX-License-Identifier: GPL-2.0-only
/*
 * User mode driver management library.
 *
 * Keeps one UMD Handler process per struct umd_mgmt: started, confined,
 * when the UMD Loader hands over the blob, restarted by the next request
 * after it exits, and killed when a request to it fails or takes too long,
 * or when the loader goes away. A handler that keeps failing is left alone
 * for a while. Every wait, for the handler's reply or for its exit, has a
 * time limit, so that no handler can keep the lock; a handler that uses the
 * CPU between requests, where no deadline runs, is stopped.
 */
#include <linux/jiffies.h>
#include <linux/kmod.h>
#include <linux/pid.h>
#include <linux/sched/cputime.h>
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

/*
 * Kill the handler, if any, and close its pipes. Waits for it to exit, but
 * not for long: a handler in an uninterruptible sleep exits when it wakes,
 * and must not keep the caller, or the lock, meanwhile.
 */
static void umd_mgmt_stop(struct umd_mgmt *mgmt)
{
	struct umd_info *info = &mgmt->info;
	struct pid *tgid = info->tgid;

	if (!tgid)
		return;

	kill_pid(tgid, SIGKILL, 1);
	if (!wait_event_timeout(tgid->wait_pidfd, umd_mgmt_exited(tgid),
				msecs_to_jiffies(UMD_MGMT_STOP_WAIT_MS)))
		pr_warn("%s: handler %d killed, not yet exited\n",
			info->driver_name, pid_nr(tgid));
	umd_cleanup_helper(info);
	WRITE_ONCE(mgmt->stats.pid, 0);
}

/*
 * Confine the handler as the manager asked: by default, in every way; seal
 * it if asked to.
 */
static void umd_mgmt_confine(struct umd_mgmt *mgmt)
{
	struct umd_info *info = &mgmt->info;

	info->flags = mgmt->flags & UMD_MGMT_SEALED ? UMD_SEALED : 0;
	if (mgmt->flags & UMD_MGMT_UNCONFINED)
		return;

	info->flags |= UMD_CONFINED;
	if (!(mgmt->flags & UMD_MGMT_NO_SYSCALL_FILTER))
		info->flags |= UMD_SYSCALL_FILTER;
	info->uid = mgmt->uid;
	if (uid_eq(info->uid, GLOBAL_ROOT_UID))
		info->uid = KUIDT_INIT(UMD_MGMT_DEFAULT_UID);
	info->gid = mgmt->gid;
	if (gid_eq(info->gid, GLOBAL_ROOT_GID))
		info->gid = KGIDT_INIT(UMD_MGMT_DEFAULT_GID);
}

static unsigned long umd_mgmt_timeout(struct umd_mgmt *mgmt)
{
	return msecs_to_jiffies(mgmt->timeout_ms ?: UMD_MGMT_DEFAULT_TIMEOUT_MS);
}

/*
 * A request of either protocol: framed if @framed, then with @op, its reply
 * up to @out_len bytes, and the handler's status left in @status.
 */
struct umd_mgmt_req {
	bool framed;
	u32 op;
	const void *in;
	size_t in_len;
	void *out;
	size_t out_len;
	int status;
};

static size_t umd_mgmt_max_len(struct umd_mgmt *mgmt)
{
	return mgmt->max_msg_len ?: UMD_MGMT_DEFAULT_MAX_MSG_LEN;
}

/* Bound the exchanges with the handler, those of post_start included. */
static void umd_mgmt_set_bounds(struct umd_mgmt *mgmt)
{
	mgmt->info.timeout = umd_mgmt_timeout(mgmt);
	mgmt->info.max_len = umd_mgmt_max_len(mgmt);
}

static int umd_mgmt_start(struct umd_mgmt *mgmt)
{
	int err;

	umd_mgmt_confine(mgmt);
	err = fork_usermode_driver(&mgmt->info);
	if (err)
		return err;

	mgmt->stats.starts++;
	WRITE_ONCE(mgmt->stats.pid, pid_nr(mgmt->info.tgid));
	pr_info("%s: started, pid %d\n", mgmt->info.driver_name,
		mgmt->stats.pid);

	if (mgmt->post_start) {
		/* Bounds each exchange that post_start makes. */
		umd_mgmt_set_bounds(mgmt);
		err = mgmt->post_start(mgmt);
		if (err)
			umd_mgmt_stop(mgmt);
	}

	return err;
}

/*
 * One exchange with a running handler, bounded in time: the reply's
 * length (0 for the fixed-size protocol) or a negative errno.
 */
static ssize_t umd_mgmt_exchange(struct umd_mgmt *mgmt,
				 struct umd_mgmt_req *req)
{
	ssize_t ret;

	umd_mgmt_set_bounds(mgmt);
	if (req->framed)
		ret = umd_call(&mgmt->info, req->op, req->in, req->in_len,
			       req->out, req->out_len, &req->status);
	else
		ret = umd_send_recv(&mgmt->info, req->in, req->in_len,
				    req->out, req->out_len);
	if (ret == -ETIMEDOUT)
		mgmt->stats.timeouts++;
	return ret;
}

/*
 * Count a failed start or exchange; enough of them in a row back off. In
 * jiffies_64, which do not wrap back into a back-off that ended long ago.
 */
static void umd_mgmt_failed(struct umd_mgmt *mgmt)
{
	u64 now = get_jiffies_64();

	if (!mgmt->failures ||
	    time_after64(now, mgmt->first_failure +
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
	       time_before64(get_jiffies_64(), mgmt->backoff_until);
}

/* The CPU time the handler's threads have used, in nanoseconds. */
static u64 umd_mgmt_cpu_ns(struct pid *tgid)
{
	struct task_cputime times = {};
	struct task_struct *task;

	task = get_pid_task(tgid, PIDTYPE_TGID);
	if (task) {
		thread_group_cputime(task, &times);
		put_task_struct(task);
	}
	return times.sum_exec_runtime;
}

static void umd_mgmt_watch_idle(struct umd_mgmt *mgmt)
{
	queue_delayed_work(system_unbound_wq, &mgmt->idle_watch,
			   msecs_to_jiffies(UMD_MGMT_IDLE_CHECK_MS));
}

/*
 * Between requests a handler has nothing to do, and no deadline bounds it;
 * a sealed one cannot even be killed or reniced from user space. Looks at
 * it every UMD_MGMT_IDLE_CHECK_MS while a blob is loaded, and stops it if
 * it used more than its idle CPU time since the last look, with no request
 * or start in between. A look that finds the lock taken leaves the handler
 * to the request's deadline.
 */
static void umd_mgmt_idle_watch(struct work_struct *work)
{
	struct umd_mgmt *mgmt = container_of(to_delayed_work(work),
					     struct umd_mgmt, idle_watch);
	u64 cpu = 0, used, limit;
	struct pid *tgid;

	if (!mutex_trylock(&mgmt->lock))
		goto again;
	if (!mgmt->kmod_loaded) {
		mutex_unlock(&mgmt->lock);
		return;
	}

	tgid = mgmt->info.tgid;
	if (tgid)
		cpu = umd_mgmt_cpu_ns(tgid);
	used = cpu - mgmt->idle_cpu_ns;
	limit = (u64)(mgmt->idle_cpu_ms ?: UMD_MGMT_DEFAULT_IDLE_CPU_MS) *
		NSEC_PER_MSEC;
	if (tgid && mgmt->idle_requests == mgmt->stats.requests &&
	    mgmt->idle_starts == mgmt->stats.starts && used > limit) {
		pr_warn("%s: handler %d used %llu ms of CPU between requests, stopping it\n",
			mgmt->info.driver_name, pid_nr(tgid),
			div_u64(used, NSEC_PER_MSEC));
		umd_mgmt_stop(mgmt);
		umd_mgmt_failed(mgmt);
		mgmt->stats.idle_stops++;
	}
	mgmt->idle_requests = mgmt->stats.requests;
	mgmt->idle_starts = mgmt->stats.starts;
	mgmt->idle_cpu_ns = cpu;
	mutex_unlock(&mgmt->lock);
again:
	umd_mgmt_watch_idle(mgmt);
}

/* Whether @err is the caller's signal, which says nothing of the handler. */
static bool umd_mgmt_interrupted(int err)
{
	return err == -ERESTARTSYS || err == -EINTR;
}

/*
 * What umd_mgmt_send_recv() and umd_mgmt_call() share, once their
 * arguments are checked: bring the loader in, back off, (re)start the
 * handler, exchange, and stop it if the exchange failed.
 */
static ssize_t umd_mgmt_request(struct umd_mgmt *mgmt,
				struct umd_mgmt_req *req)
{
	bool restart = true;
	ssize_t ret;

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
			ret = -ENOPROTOOPT;
			goto out;
		}
		/* The loader just started a handler: not a restart. */
		restart = false;
	}

	if (umd_mgmt_backing_off(mgmt)) {
		ret = -EHOSTDOWN;
		goto out;
	}

	if (mgmt->info.tgid && umd_mgmt_exited(mgmt->info.tgid)) {
		umd_cleanup_helper(&mgmt->info);
		WRITE_ONCE(mgmt->stats.pid, 0);
	}

	/* A caller already interrupted need not cost the handler its life. */
	if (signal_pending(current)) {
		ret = -ERESTARTSYS;
		goto out;
	}

	if (!mgmt->info.tgid) {
		ret = umd_mgmt_start(mgmt);
		if (ret) {
			if (!umd_mgmt_interrupted(ret))
				umd_mgmt_failed(mgmt);
			goto out;
		}
		if (restart)
			mgmt->stats.restarts++;
	}

	ret = umd_mgmt_exchange(mgmt, req);
	if (ret >= 0) {
		/* A handler that rejects its input works as it should. */
		mgmt->failures = 0;
		if (req->status)
			mgmt->stats.rejections++;
		goto unlock;
	}
	switch (ret) {
	case -ERESTARTSYS:
		/* The caller's signal came before the request went out. */
		break;
	case -EINTR:
		/*
		 * The caller's signal. Unless the handler owes a reply, it
		 * waits for the rest of a request that will not come.
		 */
		if (!umd_reply_owed(&mgmt->info))
			umd_mgmt_stop(mgmt);
		break;
	default:
		umd_mgmt_stop(mgmt);
		umd_mgmt_failed(mgmt);
	}
out:
	mgmt->stats.failures++;
	mgmt->stats.last_error = ret;
unlock:
	mutex_unlock(&mgmt->lock);
	return ret;
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
 * Errors of the caller's own making neither stop the handler nor count
 * towards the back-off: bad arguments, and a signal, unless it came while
 * part of the request was written (then the handler is stopped, but the
 * stop does not count either).
 *
 * Context: Process context. Takes and releases @mgmt->lock; may sleep. A
 * fatal signal ends the wait for the lock; any signal ends the wait for
 * the reply.
 * Return: Zero on success; -EINVAL if @in or @in_len is 0, or @out is NULL
 * with a non-zero @out_len, or @mgmt is %UMD_MGMT_FRAMED (the handler is
 * not involved); -ENOPROTOOPT if
 * the UMD Loader could not be loaded; -EHOSTDOWN while backing off;
 * -ETIMEDOUT if the request took too long; -EPIPE if the handler exited or
 * closed its stdout before it replied; -EMSGSIZE if it replied too much;
 * -EPROTO if it had written bytes no request asked for; -ERESTARTSYS if a
 * signal was pending or came before any of the request was written (the
 * call can be restarted); -EINTR if a fatal signal came while waiting for
 * the lock, or a signal after the request or part of it was written (the
 * handler is kept, and its late reply dropped by the next request, if it
 * had the whole request; otherwise it is stopped); or the error of the
 * start or of post_start(). On -ETIMEDOUT, -EPIPE, -EMSGSIZE, -EPROTO and
 * errors of the exchange, the handler is stopped and the failure counts
 * towards the back-off.
 */
int umd_mgmt_send_recv(struct umd_mgmt *mgmt, const void *in, size_t in_len,
		       void *out, size_t out_len)
{
	struct umd_mgmt_req req = {
		.in = in, .in_len = in_len, .out = out, .out_len = out_len,
	};

	if (!in || !in_len || (out_len && !out) ||
	    (mgmt->flags & UMD_MGMT_FRAMED))
		return -EINVAL;

	return umd_mgmt_request(mgmt, &req);
}
EXPORT_SYMBOL_GPL(umd_mgmt_send_recv);

/**
 * umd_mgmt_call_status - Make a framed request, the handler's status apart.
 * @mgmt: user mode driver management structure, with %UMD_MGMT_FRAMED
 * @op: the operation, which the handler sees and its reply must carry
 * @in: the request's payload; may be NULL if @in_len is 0
 * @in_len: size of @in, 0 to @mgmt->max_msg_len
 * @out: buffer for the reply's payload; may be NULL if @out_size is 0
 * @out_size: size of @out
 * @status: set to the reply's status when the call returns 0 or more
 *
 * As umd_mgmt_call(), but a status the handler rejected the request with
 * is not returned in place of the reply's length: it goes to *@status,
 * and the call returns 0. A negative return is then always an error of
 * the caller or of the exchange, never the handler's verdict, which
 * umd_mgmt_call() cannot tell apart (-EINVAL, -E2BIG and -ENOENT are in
 * both sets).
 *
 * Context: As umd_mgmt_send_recv().
 * Return: The length of the reply's payload, 0 to @out_size, with *@status
 * 0; or 0, with the handler's status in *@status. Otherwise the errors of
 * umd_mgmt_call() other than a status, with the same consequences, and
 * *@status untouched.
 */
ssize_t umd_mgmt_call_status(struct umd_mgmt *mgmt, u32 op, const void *in,
			     size_t in_len, void *out, size_t out_size,
			     int *status)
{
	struct umd_mgmt_req req = {
		.framed = true, .op = op,
		.in = in, .in_len = in_len, .out = out, .out_len = out_size,
	};
	ssize_t ret;

	if (!(mgmt->flags & UMD_MGMT_FRAMED) || (in_len && !in) ||
	    (out_size && !out))
		return -EINVAL;
	if (in_len > umd_mgmt_max_len(mgmt))
		return -E2BIG;

	ret = umd_mgmt_request(mgmt, &req);
	if (ret >= 0)
		*status = req.status;
	return ret;
}
EXPORT_SYMBOL_GPL(umd_mgmt_call_status);

/**
 * umd_mgmt_call - Make a framed request of the UMD Handler, and start it.
 * @mgmt: user mode driver management structure, with %UMD_MGMT_FRAMED
 * @op: the operation, which the handler sees and its reply must carry
 * @in: the request's payload; may be NULL if @in_len is 0
 * @in_len: size of @in, 0 to @mgmt->max_msg_len
 * @out: buffer for the reply's payload; may be NULL if @out_size is 0
 * @out_size: size of @out
 *
 * As umd_mgmt_send_recv(), but in the framed protocol of
 * include/uapi/linux/usermode_driver_mgmt.h: the request is a header and
 * @in_len bytes of payload, and the reply the handler's status and up to
 * @out_size bytes (and no more than @mgmt->max_msg_len) of payload, which
 * go into @out; nothing is written past them. The handler's header is
 * read once and checked before anything looks at it.
 *
 * A handler that rejects its input with a status of the set the UAPI
 * header lists has done its job: its status is returned as is, the
 * handler keeps running, and the call counts in @stats.rejections, not as
 * a failure. Any other reply the protocol does not allow stops the
 * handler and counts as a failure, as a failed exchange of
 * umd_mgmt_send_recv() does. A caller that must tell the handler's
 * -EINVAL from its own uses umd_mgmt_call_status().
 *
 * Context: As umd_mgmt_send_recv().
 * Return: The length of the reply's payload, 0 to @out_size. Or the
 * handler's status: -EINVAL, -EBADMSG, -ENOENT, -EOPNOTSUPP, -E2BIG,
 * -ERANGE or -EKEYREJECTED. Before anything is sent, -EINVAL if @mgmt is
 * not %UMD_MGMT_FRAMED, @in is NULL with a non-zero @in_len, or @out with
 * a non-zero @out_size, and -E2BIG if @in_len is above the maximum (the
 * handler is not involved). -EPROTO if the reply's header is wrong (its
 * id, op, status or a reserved field) or more than one frame came back;
 * -EMSGSIZE if its payload is longer than @out_size or the maximum;
 * -EPIPE if the handler exited before its whole reply came; otherwise the
 * errors of umd_mgmt_send_recv(), with the same consequences.
 */
ssize_t umd_mgmt_call(struct umd_mgmt *mgmt, u32 op, const void *in,
		      size_t in_len, void *out, size_t out_size)
{
	int status = 0;
	ssize_t ret;

	ret = umd_mgmt_call_status(mgmt, op, in, in_len, out, out_size,
				   &status);
	return status ?: ret;
}
EXPORT_SYMBOL_GPL(umd_mgmt_call);

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
int umd_mgmt_load(struct umd_mgmt *mgmt, const char *start, const char *end)
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
	if (!mgmt->idle_watch_ready) {
		INIT_DELAYED_WORK(&mgmt->idle_watch, umd_mgmt_idle_watch);
		mgmt->idle_watch_ready = true;
	}
	umd_mgmt_watch_idle(mgmt);
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
 * nothing if no blob is loaded. Waits for a request in progress, which is
 * bounded in time, and for the handler to exit, at most
 * %UMD_MGMT_STOP_WAIT_MS, and for a look at an idle handler in progress,
 * which may stop it.
 *
 * Context: Process context, typically the UMD Loader's module exit. May sleep.
 */
void umd_mgmt_unload(struct umd_mgmt *mgmt)
{
	bool watched;

	mutex_lock(&mgmt->lock);
	if (mgmt->kmod_loaded) {
		umd_mgmt_stop(mgmt);
		umd_unload_blob(&mgmt->info);
		mgmt->kmod_loaded = false;
	}
	watched = mgmt->idle_watch_ready;
	mutex_unlock(&mgmt->lock);

	/* Not loaded, the watch does not queue itself again. */
	if (watched)
		cancel_delayed_work_sync(&mgmt->idle_watch);
}
EXPORT_SYMBOL_GPL(umd_mgmt_unload);

/**
 * umd_mgmt_get_stats - Read the counters of a user mode driver.
 * @mgmt: user mode driver management structure
 * @stats: filled with a consistent copy of the counters
 *
 * Context: Process context. Takes @mgmt->lock, so it waits for a request in
 * progress to end: at most @mgmt->timeout_ms and %UMD_MGMT_STOP_WAIT_MS,
 * plus a restart if the request starts a handler.
 */
void umd_mgmt_get_stats(struct umd_mgmt *mgmt, struct umd_mgmt_stats *stats)
{
	mutex_lock(&mgmt->lock);
	*stats = mgmt->stats;
	mutex_unlock(&mgmt->lock);
}
EXPORT_SYMBOL_GPL(umd_mgmt_get_stats);

/**
 * umd_mgmt_set_timeout - Set the time a request may take.
 * @mgmt: user mode driver management structure
 * @timeout_ms: time in milliseconds before the handler is killed and the
 *              request fails with -ETIMEDOUT; 0 restores
 *              %UMD_MGMT_DEFAULT_TIMEOUT_MS
 *
 * Applies from the next request, and to the exchanges of post_start from
 * the next start.
 *
 * Context: Process context. Takes @mgmt->lock, so it waits for a request in
 * progress to end, as umd_mgmt_get_stats() does. Not from post_start.
 */
void umd_mgmt_set_timeout(struct umd_mgmt *mgmt, unsigned int timeout_ms)
{
	mutex_lock(&mgmt->lock);
	mgmt->timeout_ms = timeout_ms;
	mutex_unlock(&mgmt->lock);
}
EXPORT_SYMBOL_GPL(umd_mgmt_set_timeout);
