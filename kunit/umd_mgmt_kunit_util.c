// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the tests of both the C and the Rust API need to see and do to
 * handler processes from outside the library.
 */
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "umd_mgmt_kunit_util.h"

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
		if (!p->exit_state && !strcmp(p->comm, comm))
			n++;
	rcu_read_unlock();
	return n;
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
