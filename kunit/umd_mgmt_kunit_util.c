// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the tests of both the C and the Rust API need to see and do to
 * handler processes from outside the library.
 */
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/usermode_driver_mgmt.h>
#include <linux/wait.h>

#include "umd_mgmt_handler_blob.h"
#include "umd_mgmt_kunit_util.h"

/* Whether @p is named @comm: a task's comm holds the first 15 bytes only. */
static bool umd_mgmt_kunit_named(struct task_struct *p, const char *comm)
{
	return !strncmp(p->comm, comm, sizeof(p->comm) - 1);
}

/**
 * umd_mgmt_kunit_processes - count live processes with a given name
 * @comm: process name (task comm)
 *
 * Return: the number of processes named @comm that are not exiting.
 */
int umd_mgmt_kunit_processes(const char *comm)
{
	struct task_struct *p;
	int n = 0;

	rcu_read_lock();
	for_each_process(p)
		if (!p->exit_state && umd_mgmt_kunit_named(p, comm))
			n++;
	rcu_read_unlock();
	return n;
}

/**
 * umd_mgmt_kunit_wait_gone - wait for the processes with a given name to go
 * @comm: process name (task comm)
 * @ms: how long to wait at most, in milliseconds
 *
 * Return: the number of them still there at the end.
 */
int umd_mgmt_kunit_wait_gone(const char *comm, unsigned int ms)
{
	int n;

	while ((n = umd_mgmt_kunit_processes(comm)) && ms >= 20) {
		msleep(20);
		ms -= 20;
	}
	return n;
}

/**
 * umd_mgmt_kunit_wait_released - wait for a file to have one reference left
 * @file: a file the caller holds a reference to
 * @ms: how long to wait at most, in milliseconds
 *
 * The library hands a stopped handler's pipes to a worker, which drops its
 * references to them a little after the stop, or, if the pipe's lock is
 * held, once it is free.
 *
 * Return: whether the caller's reference is the only one left.
 */
bool umd_mgmt_kunit_wait_released(struct file *file, unsigned int ms)
{
	while (file_count(file) > 1 && ms >= 20) {
		msleep(20);
		ms -= 20;
	}
	return file_count(file) == 1;
}

/**
 * umd_mgmt_kunit_exited - whether a process has exited
 * @pid: the process
 *
 * Return: true once the process is a zombie or gone.
 */
bool umd_mgmt_kunit_exited(struct pid *pid)
{
	struct task_struct *task;
	bool exited;

	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_PID);
	exited = !task || READ_ONCE(task->exit_state);
	rcu_read_unlock();
	return exited;
}

/**
 * umd_mgmt_kunit_kill - SIGKILL a process, as user space would, and wait
 * @pid: the process
 *
 * Return: 0 once it has exited, -ETIMEDOUT if it has not within 10 s, or the
 * error of kill_pid().
 */
int umd_mgmt_kunit_kill(struct pid *pid)
{
	int err;

	err = kill_pid(pid, SIGKILL, 1);
	if (err)
		return err;
	if (!wait_event_timeout(pid->wait_pidfd, umd_mgmt_kunit_exited(pid),
				10 * HZ))
		return -ETIMEDOUT;
	return 0;
}

/**
 * umd_mgmt_kunit_kill_nr - umd_mgmt_kunit_kill() by process id
 * @nr: process id in the current pid namespace
 *
 * Return: as umd_mgmt_kunit_kill(), or -ESRCH if there is no such process.
 */
int umd_mgmt_kunit_kill_nr(pid_t nr)
{
	struct pid *pid = find_get_pid(nr);
	int err;

	if (!pid)
		return -ESRCH;
	err = umd_mgmt_kunit_kill(pid);
	put_pid(pid);
	return err;
}

/**
 * umd_mgmt_kunit_ids - the user and group a process runs as
 * @nr: process id in the current pid namespace
 * @uid: set to its real uid, in the initial user namespace
 * @gid: set to its real gid, in the initial user namespace
 *
 * Return: 0, or -ESRCH if there is no such process.
 */
int umd_mgmt_kunit_ids(pid_t nr, u32 *uid, u32 *gid)
{
	struct pid *pid = find_get_pid(nr);
	struct task_struct *task;
	const struct cred *cred;

	task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	put_pid(pid);
	if (!task)
		return -ESRCH;
	cred = get_task_cred(task);
	put_task_struct(task);
	*uid = from_kuid(&init_user_ns, cred->uid);
	*gid = from_kgid(&init_user_ns, cred->gid);
	put_cred(cred);
	return 0;
}

/**
 * umd_mgmt_kunit_kill_all - SIGKILL every process with a given name, and wait
 * @comm: process name (task comm)
 *
 * For processes a test cannot reach through the library, such as the
 * children of an unconfined handler.
 *
 * Return: the number of processes killed.
 */
int umd_mgmt_kunit_kill_all(const char *comm)
{
	struct task_struct *p;
	struct pid *pids[16];
	int i, n = 0;

	rcu_read_lock();
	for_each_process(p)
		if (!p->exit_state && umd_mgmt_kunit_named(p, comm) &&
		    n < ARRAY_SIZE(pids))
			pids[n++] = get_pid(task_tgid(p));
	rcu_read_unlock();

	for (i = 0; i < n; i++) {
		umd_mgmt_kunit_kill(pids[i]);
		put_pid(pids[i]);
	}
	return n;
}

/**
 * umd_mgmt_kunit_load - name a handler and load it
 * @mgmt: the handler's manager
 * @name: the handler's name, which picks the hostile fixture's mode
 * @hostile: load the hostile fixture rather than the sample handler
 *
 * Return: what umd_mgmt_load() returned.
 */
int umd_mgmt_kunit_load(struct umd_mgmt *mgmt, const char *name, bool hostile)
{
	mgmt->info.driver_name = name;
	if (hostile)
		return umd_mgmt_load(mgmt, umd_mgmt_kunit_hostile_start,
				     umd_mgmt_kunit_hostile_end);
	return umd_mgmt_load(mgmt, umd_mgmt_kunit_handler_start,
			     umd_mgmt_kunit_handler_end);
}

/**
 * umd_mgmt_kunit_task - the task of a handler
 * @mgmt: the handler's manager
 *
 * Return: the handler's task, with a reference the caller puts with
 * put_task_struct(), or NULL if no handler runs.
 */
struct task_struct *umd_mgmt_kunit_task(struct umd_mgmt *mgmt)
{
	return mgmt->info.tgid ? get_pid_task(mgmt->info.tgid, PIDTYPE_PID) :
				 NULL;
}

struct umd_mgmt_kunit_thread {
	int (*fn)(void *ctx, int thread);
	void *ctx;
	int index;
	int ret;
	struct completion done;
};

static int umd_mgmt_kunit_thread_fn(void *data)
{
	struct umd_mgmt_kunit_thread *t = data;

	t->ret = t->fn(t->ctx, t->index);
	kthread_complete_and_exit(&t->done, 0);
}

/**
 * umd_mgmt_kunit_parallel - run a function in several kthreads at once
 * @fn: the function, called with @ctx and the thread's index
 * @ctx: its context
 * @threads: how many threads, 1 to %UMD_MGMT_KUNIT_MAX_THREADS
 *
 * Return: 0 once every call returned 0; otherwise the first non-zero result
 * by thread index, -EINVAL for a bad @threads, or the error of starting a
 * thread. Returns only when every started thread has finished.
 */
int umd_mgmt_kunit_parallel(int (*fn)(void *ctx, int thread), void *ctx,
			    int threads)
{
	struct umd_mgmt_kunit_thread t[UMD_MGMT_KUNIT_MAX_THREADS];
	struct task_struct *task;
	int i, started, err = 0;

	if (threads < 1 || threads > ARRAY_SIZE(t))
		return -EINVAL;

	for (started = 0; started < threads; started++) {
		t[started] = (struct umd_mgmt_kunit_thread){
			.fn = fn, .ctx = ctx, .index = started,
		};
		init_completion(&t[started].done);
		task = kthread_run(umd_mgmt_kunit_thread_fn, &t[started],
				   "umd_kunit_thread");
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
	}
	for (i = 0; i < started; i++) {
		wait_for_completion(&t[i].done);
		if (!err)
			err = t[i].ret;
	}
	return err;
}
