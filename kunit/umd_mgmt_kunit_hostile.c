// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the user mode driver management library against handlers
 * that misbehave on purpose and do not confine themselves: the hostile
 * handler picks its behaviour from its name, the UMD's driver name. Each
 * case checks the error the library returns, that it came within the
 * request's deadline plus a second, that nothing of the bad handler is
 * left, and that the same struct umd_mgmt then serves a good handler.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/usermode_driver_mgmt.h>

#include "umd_mgmt_handler_blob.h"
#include "umd_mgmt_kunit_util.h"

#define REPLY_LEN SZ_128K
#define GOOD_NAME "umd_hostile_good"
#define TIMEOUT_MS 300
/* What a call may take beyond its deadline. */
#define SLACK_MS 1000

struct hostile {
	struct umd_mgmt mgmt;
	u8 *reply;
};

static int load_blob(struct hostile *h, const char *name, char *start,
		     char *end)
{
	h->mgmt.info.driver_name = name;
	return umd_mgmt_load(&h->mgmt, start, end);
}

/* A handler that does not cooperate, named for what it does. */
static int load(struct hostile *h, const char *name)
{
	return load_blob(h, name, umd_mgmt_kunit_hostile_start,
			 umd_mgmt_kunit_hostile_end);
}

/* The sample handler. */
static int load_good(struct hostile *h)
{
	return load_blob(h, GOOD_NAME, umd_mgmt_kunit_handler_start,
			 umd_mgmt_kunit_handler_end);
}

static unsigned int ms_since(unsigned long start)
{
	return jiffies_to_msecs(jiffies - start);
}

/*
 * A request checked the way a manager must check replies (see sample_mgr):
 * the library vouches for the size, only the manager can vouch for content.
 */
static int checked_request(struct hostile *h, u32 offset)
{
	u8 *r = h->reply;
	int err;

	memset(r, 0xa5, REPLY_LEN);
	err = umd_mgmt_send_recv(&h->mgmt, &offset, sizeof(offset), r,
				 REPLY_LEN);
	if (err)
		return err;
	if (r[offset] != 1 || memchr_inv(r, 0, offset) ||
	    memchr_inv(r + offset + 1, 0, REPLY_LEN - offset - 1))
		return -EINVAL;
	return 0;
}

static int echo_request(struct hostile *h, u32 value)
{
	u32 reply = ~value;
	int err;

	err = umd_mgmt_send_recv(&h->mgmt, &value, sizeof(value), &reply,
				 sizeof(reply));
	if (!err && reply != value)
		err = -EINVAL;
	return err;
}

/* The same structure serves a good handler next. */
static void expect_recovery(struct kunit *test)
{
	struct hostile *h = test->priv;

	umd_mgmt_unload(&h->mgmt);
	KUNIT_ASSERT_EQ(test, load_good(h), 0);
	KUNIT_EXPECT_EQ(test, checked_request(h, 42), 0);
	KUNIT_EXPECT_EQ(test, checked_request(h, 7), 0);
}

/* Checks that the handler named @bad fails with @expected, then recovers. */
static void expect_hostile(struct kunit *test, const char *bad, int expected)
{
	struct hostile *h = test->priv;
	struct umd_mgmt_stats stats;
	unsigned long start;
	unsigned int took;
	int err;

	KUNIT_ASSERT_EQ(test, load(h, bad), 0);
	start = jiffies;
	err = checked_request(h, 42);
	took = ms_since(start);
	kunit_info(test, "%s: %d after %u ms\n", bad, err, took);
	KUNIT_EXPECT_EQ(test, err, expected);
	KUNIT_EXPECT_LT_MSG(test, took, TIMEOUT_MS + SLACK_MS,
			    "%s took too long", bad);

	/* A failed exchange leaves no handler behind; a garbage reply is not a failed exchange. */
	umd_mgmt_get_stats(&h->mgmt, &stats);
	KUNIT_EXPECT_EQ(test, stats.requests, 1);
	if (expected == -EINVAL) {
		KUNIT_EXPECT_EQ(test, stats.failures, 0);
	} else {
		KUNIT_EXPECT_EQ(test, stats.failures, 1);
		KUNIT_EXPECT_EQ(test, stats.last_error, expected);
		KUNIT_EXPECT_EQ(test, stats.pid, 0);
		KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(bad), 0);
	}
	KUNIT_EXPECT_EQ(test, stats.timeouts, expected == -ETIMEDOUT);

	umd_mgmt_unload(&h->mgmt);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(bad), 0);
	expect_recovery(test);
}

static void umd_mgmt_hostile_hang(struct kunit *test)
{
	expect_hostile(test, "umd_hostile_hang", -ETIMEDOUT);
}

static void umd_mgmt_hostile_exit(struct kunit *test)
{
	expect_hostile(test, "umd_hostile_exit", -EPIPE);
}

static void umd_mgmt_hostile_crash(struct kunit *test)
{
	expect_hostile(test, "umd_hostile_crash", -EPIPE);
}

static void umd_mgmt_hostile_short(struct kunit *test)
{
	/* Half a reply and silence: only the deadline can tell. */
	expect_hostile(test, "umd_hostile_short", -ETIMEDOUT);
}

static void umd_mgmt_hostile_long(struct kunit *test)
{
	expect_hostile(test, "umd_hostile_long", -EMSGSIZE);
}

static void umd_mgmt_hostile_garbage(struct kunit *test)
{
	expect_hostile(test, "umd_hostile_garbage", -EINVAL);
}

/* A request the good handler cannot answer: it waits for a longer reply. */
static int overlong_request(struct hostile *h)
{
	u32 offset = 0;

	return umd_mgmt_send_recv(&h->mgmt, &offset, sizeof(offset), h->reply,
				  REPLY_LEN + sizeof(u32));
}

static void umd_mgmt_hostile_split(struct kunit *test)
{
	struct hostile *h = test->priv;
	int i, err, rejected = 0;

	/*
	 * Extra bytes in a second write may come before the reply is checked
	 * (-EMSGSIZE) or after (-EPROTO at the next request): either way no
	 * request may get them, which checked_request() would see.
	 */
	for (i = 0; i < 20; i++) {
		/* Reload before the failures add up to a back-off. */
		if (i % (UMD_MGMT_BACKOFF_FAILURES - 1) == 0) {
			umd_mgmt_unload(&h->mgmt);
			KUNIT_ASSERT_EQ(test, load(h, "umd_hostile_split"), 0);
		}
		err = checked_request(h, i);
		KUNIT_EXPECT_TRUE_MSG(test, !err || err == -EMSGSIZE ||
				      err == -EPROTO, "request %d: %d", i, err);
		rejected += !!err;
	}
	KUNIT_EXPECT_GE(test, rejected, 10);
	expect_recovery(test);
}

static void umd_mgmt_hostile_backoff(struct kunit *test)
{
	struct hostile *h = test->priv;
	u64 starts;
	int i;

	/* Failures interrupted by a success do not back off... */
	KUNIT_ASSERT_EQ(test, load_good(h), 0);
	for (i = 0; i < UMD_MGMT_BACKOFF_FAILURES - 1; i++)
		KUNIT_EXPECT_EQ(test, overlong_request(h), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, checked_request(h, 1), 0);
	for (i = 0; i < UMD_MGMT_BACKOFF_FAILURES - 1; i++)
		KUNIT_EXPECT_EQ(test, overlong_request(h), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, checked_request(h, 1), 0);

	/* ... but enough in a row do: fail fast, start nothing. */
	umd_mgmt_unload(&h->mgmt);
	KUNIT_ASSERT_EQ(test, load(h, "umd_backoff_exit"), 0);
	for (i = 0; i < UMD_MGMT_BACKOFF_FAILURES; i++)
		KUNIT_EXPECT_EQ(test, checked_request(h, 1), -EPIPE);
	starts = h->mgmt.stats.starts;
	KUNIT_EXPECT_EQ(test, checked_request(h, 1), -EHOSTDOWN);
	KUNIT_EXPECT_EQ(test, checked_request(h, 1), -EHOSTDOWN);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes("umd_backoff_exit"), 0);
	KUNIT_EXPECT_EQ(test, h->mgmt.stats.starts, starts);

	/* After the back-off the handler is tried again, once. */
	msleep(UMD_MGMT_BACKOFF_MS + 100);
	KUNIT_EXPECT_EQ(test, checked_request(h, 1), -EPIPE);
	KUNIT_EXPECT_EQ(test, h->mgmt.stats.starts, starts + 1);
	KUNIT_EXPECT_EQ(test, checked_request(h, 1), -EHOSTDOWN);
	expect_recovery(test);
}

/* The caller's own mistakes cost the handler nothing. */
static void umd_mgmt_hostile_caller_errors(struct kunit *test)
{
	struct hostile *h = test->priv;
	u32 value = 1;
	pid_t pid;

	KUNIT_ASSERT_EQ(test, load(h, "umd_caller_echo"), 0);
	pid = h->mgmt.stats.pid;
	KUNIT_EXPECT_EQ(test, umd_mgmt_send_recv(&h->mgmt, NULL, 4, &value, 4),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, umd_mgmt_send_recv(&h->mgmt, &value, 0, &value, 4),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, umd_mgmt_send_recv(&h->mgmt, &value, 4, NULL, 4),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, h->mgmt.failures, 0);
	KUNIT_EXPECT_EQ(test, h->mgmt.stats.pid, pid);
	KUNIT_EXPECT_EQ(test, echo_request(h, 5), 0);
	KUNIT_EXPECT_EQ(test, h->mgmt.stats.pid, pid);
}

struct background_request {
	struct hostile *h;
	struct completion done;
	int err;
	unsigned int took;
};

static int background_request_fn(void *data)
{
	struct background_request *r = data;
	unsigned long start = jiffies;

	allow_signal(SIGKILL);
	r->err = echo_request(r->h, 3);
	r->took = ms_since(start);
	complete(&r->done);
	return 0;
}

/* Starts a request in a kthread; returns the task, with a reference. */
static struct task_struct *start_request(struct kunit *test,
					 struct background_request *r)
{
	struct task_struct *task;

	r->h = test->priv;
	init_completion(&r->done);
	task = kthread_run(background_request_fn, r, "umd_kunit_caller");
	if (IS_ERR(task))
		return NULL;
	get_task_struct(task);
	return task;
}

/* Waits up to 2 s for the background request to hold the lock. */
static bool request_holds_lock(struct hostile *h)
{
	int i;

	for (i = 0; i < 100 && !mutex_is_locked(&h->mgmt.lock); i++)
		msleep(20);
	return mutex_is_locked(&h->mgmt.lock);
}

static void end_request(struct background_request *r,
			struct task_struct *task)
{
	wait_for_completion(&r->done);
	kthread_stop(task);
	put_task_struct(task);
}

/*
 * A caller's signal while it waits for the reply: the caller gets -EINTR
 * at once (not -ERESTARTSYS: a restart would send the request again), and
 * the handler is kept; the next request drops the late reply and gets its
 * own.
 */
static void umd_mgmt_hostile_caller_signal(struct kunit *test)
{
	struct hostile *h = test->priv;
	struct background_request r;
	struct task_struct *task;
	pid_t pid;

	/* It replies after 300 ms; nanosleep needs more than strict mode. */
	h->mgmt.flags = UMD_MGMT_NO_SYSCALL_FILTER;
	h->mgmt.timeout_ms = 2000;
	KUNIT_ASSERT_EQ(test, load(h, "umd_signal_slow"), 0);
	pid = h->mgmt.stats.pid;

	task = start_request(test, &r);
	KUNIT_ASSERT_NOT_NULL(test, task);
	msleep(100);
	send_sig(SIGKILL, task, 1);
	end_request(&r, task);

	KUNIT_EXPECT_EQ(test, r.err, -EINTR);
	KUNIT_EXPECT_EQ(test, h->mgmt.info.reply_owed, sizeof(u32));
	KUNIT_EXPECT_LT(test, r.took, 1000);
	/* The caller's signal is not the handler's failure. */
	KUNIT_EXPECT_EQ(test, h->mgmt.failures, 0);
	KUNIT_EXPECT_EQ(test, h->mgmt.stats.pid, pid);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes("umd_signal_slow"), 1);
	KUNIT_EXPECT_EQ(test, echo_request(h, 9), 0);
	KUNIT_EXPECT_EQ(test, h->mgmt.stats.pid, pid);
}

/*
 * Whoever waits for the lock behind a request to a hung handler waits no
 * longer than the request's deadline and a stop.
 */
static void umd_mgmt_hostile_lock_bounded(struct kunit *test)
{
	struct hostile *h = test->priv;
	struct background_request r;
	struct umd_mgmt_stats stats;
	struct task_struct *task;
	unsigned long start;
	unsigned int took;

	h->mgmt.timeout_ms = 2000;
	KUNIT_ASSERT_EQ(test, load(h, "umd_lock_hang"), 0);
	task = start_request(test, &r);
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_TRUE(test, request_holds_lock(h));

	start = jiffies;
	umd_mgmt_get_stats(&h->mgmt, &stats);
	took = ms_since(start);
	end_request(&r, task);

	kunit_info(test, "get_stats behind a hung request: %u ms\n", took);
	KUNIT_EXPECT_EQ(test, r.err, -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, r.took, 2000 + SLACK_MS);
	KUNIT_EXPECT_LT(test, took, 2000 + SLACK_MS);
	KUNIT_EXPECT_EQ(test, stats.timeouts, 1);

	/* Unload behind a hung request, likewise. */
	task = start_request(test, &r);
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_TRUE(test, request_holds_lock(h));
	start = jiffies;
	umd_mgmt_unload(&h->mgmt);
	took = ms_since(start);
	end_request(&r, task);
	kunit_info(test, "unload behind a hung request: %u ms\n", took);
	KUNIT_EXPECT_LT(test, took, 2000 + UMD_MGMT_STOP_WAIT_MS + SLACK_MS);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes("umd_lock_hang"), 0);
}

/* A confined handler cannot fork: only the deadline ends the request. */
static void umd_mgmt_hostile_fork_hang(struct kunit *test)
{
	struct hostile *h = test->priv;

	/* Without the syscall filter, for the other limits to be tested. */
	h->mgmt.flags = UMD_MGMT_NO_SYSCALL_FILTER;
	expect_hostile(test, "umd_hostile_forkhang", -ETIMEDOUT);
}

/*
 * Sends an @in_len-byte request to the handler @name, which cannot answer
 * it, and checks that the call ended by its deadline.
 */
static void expect_deadline(struct kunit *test, const char *name,
			    void *in, size_t in_len)
{
	struct hostile *h = test->priv;
	unsigned long start = jiffies;
	unsigned int took;
	int err;

	err = umd_mgmt_send_recv(&h->mgmt, in, in_len, h->reply, REPLY_LEN);
	took = ms_since(start);
	kunit_info(test, "%s: %zu-byte request: %d after %u ms\n", name,
		   in_len, err, took);
	KUNIT_EXPECT_EQ(test, err, -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, took, TIMEOUT_MS + SLACK_MS);
}

/*
 * An unconfined handler can fork, and its child keeps the reply pipe open
 * after the handler is killed: the request still ends by its deadline,
 * but the child survives (it is a documented cost of UMD_MGMT_UNCONFINED).
 */
static void umd_mgmt_hostile_fork_hang_unconfined(struct kunit *test)
{
	const char *name = "umd_unconf_forkhang";
	struct hostile *h = test->priv;
	int left;

	h->mgmt.flags = UMD_MGMT_UNCONFINED;
	KUNIT_ASSERT_EQ(test, load(h, name), 0);
	expect_deadline(test, name, h->reply, sizeof(u32));
	umd_mgmt_unload(&h->mgmt);
	left = umd_mgmt_kunit_kill_all(name);
	kunit_info(test, "%s: %d child left after the unload\n", name, left);
	KUNIT_EXPECT_EQ(test, left, 1);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(name), 0);
	h->mgmt.flags = 0;
	expect_recovery(test);
}

/*
 * A handler that shrinks its stdin pipe and stops reading: a request larger
 * than the pipe, even at the size the kernel gave it, cannot be written,
 * and the writer waits no longer than the deadline.
 */
static void umd_mgmt_hostile_shrink(struct kunit *test)
{
	const size_t len = UMD_PIPE_SIZE + SZ_4K;
	const char *name = "umd_hostile_shrink";
	struct hostile *h = test->priv;
	void *request;

	request = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, request);
	h->mgmt.flags = UMD_MGMT_NO_SYSCALL_FILTER;
	KUNIT_ASSERT_EQ(test, load(h, name), 0);
	/* Let it shrink the pipe before the request comes. */
	msleep(100);
	expect_deadline(test, name, request, len);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(name), 0);
	h->mgmt.flags = 0;
	expect_recovery(test);
}

/* A stopped handler: the request ends by its deadline, SIGKILL ends it. */
static void umd_mgmt_hostile_stopped(struct kunit *test)
{
	const char *name = "umd_stopped_hang";
	struct hostile *h = test->priv;

	KUNIT_ASSERT_EQ(test, load(h, name), 0);
	KUNIT_ASSERT_EQ(test, kill_pid(h->mgmt.info.tgid, SIGSTOP, 1), 0);
	expect_deadline(test, name, h->reply, sizeof(u32));
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(name), 0);
	expect_recovery(test);
}

/* Holds the lock of a pipe, as a task stuck inside read or write would. */
struct pipe_holder {
	struct file *file;
	struct completion locked;
	struct completion release;
	struct task_struct *task;
};

/* At most this long, so that a test that fails does not hang. */
#define PIPE_HOLD_MS 4000

static int pipe_holder_fn(void *data)
{
	struct pipe_holder *p = data;
	/* A pipe file's private data is its pipe. */
	struct pipe_inode_info *pipe = p->file->private_data;

	pipe_lock(pipe);
	complete(&p->locked);
	wait_for_completion_timeout(&p->release,
				    msecs_to_jiffies(PIPE_HOLD_MS));
	pipe_unlock(pipe);
	return 0;
}

/* Starts holding the lock of the pipe behind @file; 0 or an error. */
static int hold_pipe(struct pipe_holder *p, struct file *file)
{
	p->file = get_file(file);
	init_completion(&p->locked);
	init_completion(&p->release);
	p->task = kthread_run(pipe_holder_fn, p, "umd_kunit_pipe");
	if (IS_ERR(p->task)) {
		fput(p->file);
		return PTR_ERR(p->task);
	}
	wait_for_completion(&p->locked);
	return 0;
}

static void release_pipe(struct pipe_holder *p)
{
	complete(&p->release);
	fput(p->file);
}

static bool task_in_state(struct task_struct *task, unsigned int state)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (READ_ONCE(task->__state) == state)
			return true;
		msleep(20);
	}
	return false;
}

/*
 * A handler in an uninterruptible sleep, which SIGKILL cannot end: here,
 * blocked on the lock of its stdin pipe, which a kthread holds. Unloading
 * it waits at most UMD_MGMT_STOP_WAIT_MS; it exits once the lock is free.
 */
static void umd_mgmt_hostile_uninterruptible(struct kunit *test)
{
	const char *name = "umd_dstate_hang";
	struct hostile *h = test->priv;
	struct task_struct *task;
	struct pipe_holder p;
	unsigned long start;
	unsigned int took;
	bool in_d;
	int left;

	KUNIT_ASSERT_EQ(test, load(h, name), 0);
	/* Let it block in read(0), without the pipe lock. */
	msleep(100);
	task = umd_mgmt_kunit_task(&h->mgmt);
	KUNIT_ASSERT_NOT_NULL(test, task);
	if (hold_pipe(&p, h->mgmt.info.pipe_to_umh)) {
		put_task_struct(task);
		KUNIT_FAIL(test, "no pipe holder");
		return;
	}

	/* Stopped and continued, its read() restarts on the locked pipe. */
	kill_pid(h->mgmt.info.tgid, SIGSTOP, 1);
	task_in_state(task, TASK_STOPPED);
	kill_pid(h->mgmt.info.tgid, SIGCONT, 1);
	in_d = task_in_state(task, TASK_UNINTERRUPTIBLE);

	start = jiffies;
	umd_mgmt_unload(&h->mgmt);
	took = ms_since(start);

	release_pipe(&p);
	left = umd_mgmt_kunit_wait_gone(name, 2000);
	put_task_struct(task);

	kunit_info(test, "%s: in D state: %d, unload took %u ms, %d left once the lock was free\n",
		   name, in_d, took, left);
	KUNIT_EXPECT_TRUE(test, in_d);
	KUNIT_EXPECT_LT(test, took, UMD_MGMT_STOP_WAIT_MS + SLACK_MS);
	KUNIT_EXPECT_EQ(test, left, 0);
	expect_recovery(test);
}

/*
 * A request while the lock of the reply pipe is held, as by a handler
 * stuck inside its write(): the caller never waits for that lock, only
 * for the deadline, and then for the stop, which cannot end the stuck
 * handler at once either. The lock is held through a file of the test's
 * own, opened on the pipe as root can through /proc/PID/fd/1, so that the
 * library's is the last reference to its end: the library's worker drops
 * it once the lock is free, not delayed_fput, which every kthread's final
 * fput() goes through and which would wait for the lock meanwhile.
 */
static void umd_mgmt_hostile_pipe_locked(struct kunit *test)
{
	const char *name = "umd_lockpipe_echo";
	struct hostile *h = test->priv;
	struct pipe_inode_info *pipe;
	unsigned int took, flushed;
	struct pipe_holder p;
	unsigned long start;
	struct file *writer;
	int err, left, i;
	u32 value = 2;

	KUNIT_ASSERT_EQ(test, load(h, name), 0);
	writer = dentry_open(&h->mgmt.info.pipe_from_umh->f_path,
			     O_WRONLY | O_NONBLOCK, current_cred());
	KUNIT_ASSERT_FALSE(test, IS_ERR(writer));
	pipe = writer->private_data;
	if (hold_pipe(&p, writer)) {
		fput(writer);
		KUNIT_FAIL(test, "no pipe holder");
		return;
	}
	start = jiffies;
	err = umd_mgmt_send_recv(&h->mgmt, &value, sizeof(value), &value,
				 sizeof(value));
	took = ms_since(start);
	start = jiffies;
	flush_delayed_fput();
	flushed = ms_since(start);
	release_pipe(&p);
	/* The library's end was the pipe's one reader. */
	for (i = 0; i < 100 && READ_ONCE(pipe->readers); i++)
		msleep(20);
	fput(writer);
	left = umd_mgmt_kunit_wait_gone(name, 2000);

	kunit_info(test, "%s: %d after %u ms, delayed fput flushed in %u ms, its reader released %s after the lock was free, %d left\n",
		   name, err, took, flushed, i < 100 ? "within 2 s" : "not within 2 s", left);
	KUNIT_EXPECT_EQ(test, err, -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, took,
			TIMEOUT_MS + UMD_MGMT_STOP_WAIT_MS + SLACK_MS);
	/* Had it waited for the lock, it would have until PIPE_HOLD_MS. */
	KUNIT_EXPECT_LT(test, flushed, SLACK_MS);
	KUNIT_EXPECT_LT(test, i, 100);
	KUNIT_EXPECT_EQ(test, left, 0);
	expect_recovery(test);
}

/*
 * A handler that spins on the CPU between requests, where no deadline
 * runs: the library's watch stops it within two of its looks after the
 * last request and the stop's wait, as a failure, and the next request
 * starts a new one. The control, the sample handler idle as long, keeps
 * running.
 */
static void umd_mgmt_hostile_idle_spin(struct kunit *test)
{
	const unsigned int bound = 2 * UMD_MGMT_IDLE_CHECK_MS +
				   UMD_MGMT_STOP_WAIT_MS + SLACK_MS;
	const char *name = "umd_idle_spin";
	struct umd_mgmt_stats quiet, spun, after;
	struct hostile *h = test->priv;
	int quiet_err, err, next_err, left;
	u32 value = 5, next = 6;
	unsigned long start;
	unsigned int took;
	pid_t quiet_pid;

	KUNIT_ASSERT_EQ(test, load_good(h), 0);
	quiet_pid = pid_nr(h->mgmt.info.tgid);
	quiet_err = checked_request(h, 1);
	msleep(bound);
	umd_mgmt_get_stats(&h->mgmt, &quiet);
	umd_mgmt_unload(&h->mgmt);

	KUNIT_ASSERT_EQ(test, load(h, name), 0);
	err = umd_mgmt_send_recv(&h->mgmt, &value, sizeof(value), &value,
				 sizeof(value));
	start = jiffies;
	left = umd_mgmt_kunit_wait_gone(name, bound + SLACK_MS);
	took = ms_since(start);
	umd_mgmt_get_stats(&h->mgmt, &spun);
	next_err = umd_mgmt_send_recv(&h->mgmt, &next, sizeof(next), &next,
				      sizeof(next));
	umd_mgmt_get_stats(&h->mgmt, &after);
	umd_mgmt_unload(&h->mgmt);

	kunit_info(test, "control idle %u ms: pid %d -> %d, %llu idle stops; %s: stopped %u ms after its reply, %llu idle stops, restarted: %d\n",
		   bound, quiet_pid, quiet.pid, quiet.idle_stops, name, took,
		   spun.idle_stops, next_err);
	KUNIT_EXPECT_EQ(test, quiet_err, 0);
	KUNIT_EXPECT_EQ(test, quiet.pid, quiet_pid);
	KUNIT_EXPECT_EQ(test, quiet.idle_stops, 0);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, value, 5);
	KUNIT_EXPECT_EQ(test, left, 0);
	KUNIT_EXPECT_LT(test, took, bound);
	KUNIT_EXPECT_EQ(test, spun.idle_stops, 1);
	KUNIT_EXPECT_EQ(test, spun.pid, 0);
	KUNIT_EXPECT_EQ(test, next_err, 0);
	KUNIT_EXPECT_EQ(test, next, 6);
	KUNIT_EXPECT_EQ(test, after.restarts, 1);
}

/* A post_start that talks to a handler that never answers. */
static int talking_post_start(struct umd_mgmt *mgmt)
{
	u32 hello = 0x55, reply;

	return umd_send_recv(&mgmt->info, &hello, sizeof(hello), &reply,
			     sizeof(reply));
}

static void umd_mgmt_hostile_post_start_hang(struct kunit *test)
{
	const char *name = "umd_handshake_hang";
	struct hostile *h = test->priv;
	unsigned long start;
	unsigned int took;
	int err;

	h->mgmt.post_start = talking_post_start;
	start = jiffies;
	err = load(h, name);
	took = ms_since(start);
	kunit_info(test, "%s: load %d after %u ms\n", name, err, took);
	KUNIT_EXPECT_EQ(test, err, -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, took, TIMEOUT_MS + SLACK_MS);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(name), 0);

	/* The same handshake with a handler that answers. */
	KUNIT_EXPECT_EQ(test, load(h, "umd_handshake_echo"), 0);
	KUNIT_EXPECT_EQ(test, echo_request(h, 6), 0);
}

static int hostile_init(struct kunit *test)
{
	struct hostile *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	/* Room for overlong_request() too. */
	h->reply = kunit_kmalloc(test, REPLY_LEN + sizeof(u32), GFP_KERNEL);
	if (!h->reply)
		return -ENOMEM;
	mutex_init(&h->mgmt.lock);
	h->mgmt.kmod = "umd_mgmt_kunit_no_such_loader";
	h->mgmt.timeout_ms = TIMEOUT_MS;
	test->priv = h;
	return 0;
}

static void hostile_exit(struct kunit *test)
{
	struct hostile *h = test->priv;

	umd_mgmt_unload(&h->mgmt);
	mutex_destroy(&h->mgmt.lock);
}

static struct kunit_case umd_mgmt_hostile_cases[] = {
	KUNIT_CASE(umd_mgmt_hostile_hang),
	KUNIT_CASE(umd_mgmt_hostile_exit),
	KUNIT_CASE(umd_mgmt_hostile_crash),
	KUNIT_CASE(umd_mgmt_hostile_short),
	KUNIT_CASE(umd_mgmt_hostile_long),
	KUNIT_CASE(umd_mgmt_hostile_garbage),
	KUNIT_CASE(umd_mgmt_hostile_split),
	KUNIT_CASE_SLOW(umd_mgmt_hostile_backoff),
	KUNIT_CASE(umd_mgmt_hostile_caller_errors),
	KUNIT_CASE(umd_mgmt_hostile_caller_signal),
	KUNIT_CASE_SLOW(umd_mgmt_hostile_lock_bounded),
	KUNIT_CASE(umd_mgmt_hostile_fork_hang),
	KUNIT_CASE(umd_mgmt_hostile_fork_hang_unconfined),
	KUNIT_CASE(umd_mgmt_hostile_shrink),
	KUNIT_CASE(umd_mgmt_hostile_stopped),
	KUNIT_CASE_SLOW(umd_mgmt_hostile_uninterruptible),
	KUNIT_CASE_SLOW(umd_mgmt_hostile_pipe_locked),
	KUNIT_CASE_SLOW(umd_mgmt_hostile_idle_spin),
	KUNIT_CASE(umd_mgmt_hostile_post_start_hang),
	{}
};

static struct kunit_suite umd_mgmt_hostile_suite = {
	.name = "umd_mgmt_hostile",
	.init = hostile_init,
	.exit = hostile_exit,
	.test_cases = umd_mgmt_hostile_cases,
};

kunit_test_suite(umd_mgmt_hostile_suite);
