/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User mode driver management API.
 *
 * A UMD Manager sends requests to a UMD Handler, a user space process started
 * from a blob that a UMD Loader module holds. The library brings in the
 * loader on demand, confines the handler, restarts it when it exits, bounds
 * each request in time, backs off from a handler that keeps failing, and
 * serialises requests. Requests and replies are either of sizes fixed per
 * call, or framed (UMD_MGMT_FRAMED): of any length up to the driver's
 * maximum, with an operation code, a request id and the handler's status,
 * in the wire format of include/uapi/linux/usermode_driver_mgmt.h.
 */
#ifndef __LINUX_USERMODE_DRIVER_MGMT_H__
#define __LINUX_USERMODE_DRIVER_MGMT_H__

#include <linux/bits.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/usermode_driver.h>
#include <linux/workqueue.h>
#include <uapi/linux/usermode_driver_mgmt.h>

/* Time a request may take when umd_mgmt.timeout_ms is 0. */
#define UMD_MGMT_DEFAULT_TIMEOUT_MS	5000
/* Time a stop waits for the killed handler to exit before going on. */
#define UMD_MGMT_STOP_WAIT_MS		1000
/* How often the library looks at a loaded driver's handler between requests. */
#define UMD_MGMT_IDLE_CHECK_MS		1000
/*
 * CPU time a handler may use from one look to the next with no request in
 * between, when umd_mgmt.idle_cpu_ms is 0: a tenth of the time between
 * looks, room for the work a handler does after its start.
 */
#define UMD_MGMT_DEFAULT_IDLE_CPU_MS	100
/* User and group a handler runs as when umd_mgmt.uid and .gid are 0. */
#define UMD_MGMT_DEFAULT_UID		65534
#define UMD_MGMT_DEFAULT_GID		65534

/*
 * Flags of umd_mgmt.flags. By default a handler is an unprivileged process
 * (see UMD_CONFINED in usermode_driver.h) in seccomp's strict mode; these
 * two flags give it more.
 */
/* No seccomp strict mode: the handler may make any system call. */
#define UMD_MGMT_NO_SYSCALL_FILTER	BIT(0)
/* No confinement at all: the handler runs as root with every capability. */
#define UMD_MGMT_UNCONFINED		BIT(1)
/*
 * Sealed: out of reach of user space, root included, and its memory locked
 * (UMD_SEALED, Documentation/admin-guide/LSM/umd_seal.rst). Starts fail with
 * -EOPNOTSUPP on a kernel without the umd_seal LSM enabled.
 */
#define UMD_MGMT_SEALED			BIT(2)
/*
 * Framed: requests are made with umd_mgmt_call(), in the wire format of
 * include/uapi/linux/usermode_driver_mgmt.h, and umd_mgmt_send_recv() fails
 * with -EINVAL. Without it, the other way round.
 */
#define UMD_MGMT_FRAMED			BIT(3)
/* The most payload of a framed message when umd_mgmt.max_msg_len is 0. */
#define UMD_MGMT_DEFAULT_MAX_MSG_LEN	(1024 * 1024)
/* Consecutive failures, each within this window of the first, ... */
#define UMD_MGMT_BACKOFF_FAILURES	5
#define UMD_MGMT_BACKOFF_WINDOW_MS	10000
/* ... make requests fail with -EHOSTDOWN for this long. */
#define UMD_MGMT_BACKOFF_MS		1000

/**
 * struct umd_mgmt_stats - what a user mode driver has done
 * @requests: calls of umd_mgmt_send_recv() and umd_mgmt_call()
 * @failures: of those, the calls that failed; not those the handler
 *            rejected
 * @timeouts: of those, the requests that timed out
 * @starts: handler processes started
 * @restarts: of those, the ones started by a request, after a handler that
 *            exited, was killed or failed
 * @idle_stops: handlers stopped for using the CPU between requests
 * @rejections: framed requests the handler rejected with a status
 * @last_error: the error of the last call that failed, 0 if none
 * @pid: the running handler's pid in the initial pid namespace, 0 if none
 */
struct umd_mgmt_stats {
	u64 requests;
	u64 failures;
	u64 timeouts;
	u64 starts;
	u64 restarts;
	u64 idle_stops;
	u64 rejections;
	int last_error;
	pid_t pid;
};

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
 * @timeout_ms: time a request may take, in milliseconds, before the handler
 *              is killed and the request fails with -ETIMEDOUT; 0 means
 *              %UMD_MGMT_DEFAULT_TIMEOUT_MS. Each exchange of post_start
 *              has as long.
 * @flags: %UMD_MGMT_NO_SYSCALL_FILTER, %UMD_MGMT_UNCONFINED,
 *         %UMD_MGMT_SEALED and %UMD_MGMT_FRAMED, or 0 for a handler of
 *         fixed-size messages confined in every way and not sealed
 * @uid: the user the handler runs as; 0 means %UMD_MGMT_DEFAULT_UID
 * @gid: the group the handler runs as; 0 means %UMD_MGMT_DEFAULT_GID
 * @idle_cpu_ms: CPU time, in milliseconds, the handler may use between
 *               two of the library's looks at it (every
 *               %UMD_MGMT_IDLE_CHECK_MS) with no request in between; more
 *               stops it, as a failure. 0 means
 *               %UMD_MGMT_DEFAULT_IDLE_CPU_MS.
 * @max_msg_len: the most payload, in bytes, of a framed request or reply;
 *               0 means %UMD_MGMT_DEFAULT_MAX_MSG_LEN. At most %U32_MAX.
 * @stats: counters, read them with umd_mgmt_get_stats()
 * @failures: consecutive failures, for the back-off
 * @first_failure: when the first of them happened, in jiffies_64
 * @backoff_until: end of the back-off, in jiffies_64, if @failures is at
 *                 least %UMD_MGMT_BACKOFF_FAILURES
 * @idle_watch: the looks at the handler between requests, while loaded
 * @idle_watch_ready: whether @idle_watch is initialised
 * @idle_requests: @stats.requests at the last look
 * @idle_starts: @stats.starts at the last look
 * @idle_cpu_ns: the handler's CPU time at the last look
 *
 * Information necessary to manage the UMD during its lifecycle. The manager
 * zero-initialises it, sets @info.driver_name, @kmod and optionally
 * @post_start, @timeout_ms, @flags, @uid, @gid, @idle_cpu_ms and
 * @max_msg_len, and initialises @lock.
 * The fields from @stats on are the library's.
 *
 * @post_start runs with @lock held, after each start. It may exchange
 * messages with the new handler through umd_send_recv(&mgmt->info, ...),
 * or umd_call(&mgmt->info, ...) if %UMD_MGMT_FRAMED, each bounded by
 * @timeout_ms (and @max_msg_len), and must not call the umd_mgmt_*()
 * functions on @mgmt, which take @lock and would wait for it forever.
 *
 * Set @timeout_ms with umd_mgmt_set_timeout() once requests may be under
 * way; before, a plain store will do.
 */
struct umd_mgmt {
	struct umd_info info;
	struct mutex lock; /* held across each request and (re)start */
	int (*post_start)(struct umd_mgmt *mgmt);
	const char *kmod;
	bool kmod_loaded;
	unsigned int timeout_ms;
	unsigned int flags;
	kuid_t uid;
	kgid_t gid;
	unsigned int idle_cpu_ms;
	size_t max_msg_len;
	struct umd_mgmt_stats stats;
	unsigned int failures;
	u64 first_failure;
	u64 backoff_until;
	struct delayed_work idle_watch;
	bool idle_watch_ready;
	u64 idle_requests;
	u64 idle_starts;
	u64 idle_cpu_ns;
};

int umd_mgmt_send_recv(struct umd_mgmt *mgmt, const void *in, size_t in_len,
		       void *out, size_t out_len);
ssize_t umd_mgmt_call(struct umd_mgmt *mgmt, u32 op, const void *in,
		      size_t in_len, void *out, size_t out_size);
ssize_t umd_mgmt_call_status(struct umd_mgmt *mgmt, u32 op, const void *in,
			     size_t in_len, void *out, size_t out_size,
			     int *status);
int umd_mgmt_load(struct umd_mgmt *mgmt, const char *start, const char *end);
void umd_mgmt_unload(struct umd_mgmt *mgmt);
void umd_mgmt_get_stats(struct umd_mgmt *mgmt, struct umd_mgmt_stats *stats);
void umd_mgmt_set_timeout(struct umd_mgmt *mgmt, unsigned int timeout_ms);

#endif /* __LINUX_USERMODE_DRIVER_MGMT_H__ */
