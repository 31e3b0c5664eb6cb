// SPDX-License-Identifier: GPL-2.0-only
/*
 * umd_seal: keep sealed user mode drivers out of reach of user space.
 *
 * A user mode driver does risky work for the kernel, such as parsing
 * untrusted data, and the kernel trusts its answers. Root could forge them:
 * trace the driver, write its memory or its pipes through /proc, or page it
 * out to a swap device root controls. A driver that asks to be sealed is
 * marked in its own process before its exec (umd_seal_current()); from then
 * on, only its own threads and kernel threads may reach it, and each
 * program it runs has its memory locked and is not dumpable.
 *
 * Root's kernel-level ways into any process (/proc/kcore, tracefs, BPF
 * programs, CPU-wide perf events, hibernation, kexec) pass no hook that
 * names a task: umd_seal.lockdown refuses new ones once it is set.
 */
#define pr_fmt(fmt) "umd_seal: " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel_read_file.h>
#include <linux/kstrtox.h>
#include <linux/lsm_hooks.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/task_work.h>
#include <linux/umd_seal.h>
#include <uapi/linux/lsm.h>

static bool enforce = IS_ENABLED(CONFIG_SECURITY_UMD_SEAL_ENFORCE);
module_param(enforce, bool, 0444);
MODULE_PARM_DESC(enforce, "Seal the user mode drivers that ask for it; 0 lets them be debugged");

static bool lockdown = IS_ENABLED(CONFIG_SECURITY_UMD_SEAL_LOCKDOWN);

/* Whether the LSM is enabled and its hooks are in place. */
static bool umd_seal_ready __ro_after_init;

/*
 * Like the kernel's lockdown, it can be set at run time but not cleared.
 * At run time it needs the LSM's hooks in place; on the command line it
 * is parsed before they are (umd_seal_warn_inactive()).
 */
static int lockdown_set(const char *val, const struct kernel_param *kp)
{
	bool on = true;
	int err;

	/* A bare "umd_seal.lockdown" on the command line means 1. */
	if (val) {
		err = kstrtobool(val, &on);
		if (err)
			return err;
	}
	if (!on)
		return READ_ONCE(lockdown) ? -EPERM : 0;
	if (!umd_seal_ready && system_state != SYSTEM_BOOTING)
		return -EOPNOTSUPP;
	if (umd_seal_ready && !READ_ONCE(lockdown))
		pr_notice("refusing root's kernel-level ways into processes from now on (umd_seal.lockdown=1)\n");
	WRITE_ONCE(lockdown, true);
	return 0;
}

static const struct kernel_param_ops lockdown_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = lockdown_set,
	.get = param_get_bool,
};

module_param_cb(lockdown, &lockdown_ops, &lockdown, 0644);
MODULE_PARM_DESC(lockdown, "Refuse root's kernel-level ways into processes: /proc/kcore, tracefs, BPF programs, CPU-wide perf events, hibernation, kexec; cannot be cleared");

/**
 * struct umd_seal_task - what the LSM keeps for each task
 * @sealed: the task is a sealed driver or a descendant of one
 * @lock_memory: locks the memory of each program a sealed task executes
 */
struct umd_seal_task {
	bool sealed;
	struct callback_head lock_memory;
};

static struct lsm_blob_sizes umd_seal_blob_sizes __ro_after_init = {
	.lbs_task = sizeof(struct umd_seal_task),
	/* Whether an inode is under /proc/<pid>/ of a sealed task. */
	.lbs_inode = sizeof(bool),
};

static struct umd_seal_task *umd_seal_task(const struct task_struct *task)
{
	return task->security + umd_seal_blob_sizes.lbs_task;
}

static bool *umd_seal_inode(const struct inode *inode)
{
	if (unlikely(!inode->i_security))
		return NULL;
	return inode->i_security + umd_seal_blob_sizes.lbs_inode;
}

/*
 * Whether current may not reach @task: only the task's own threads and
 * kernel threads may reach a sealed task. The library's own signals come
 * from the kernel and do not get here (check_kill_permission()).
 */
static bool umd_seal_refuses(struct task_struct *task)
{
	return umd_seal_task(task)->sealed &&
	       !(current->flags & PF_KTHREAD) &&
	       !same_thread_group(current, task);
}

static int umd_seal_ptrace_access_check(struct task_struct *child,
					unsigned int mode)
{
	return umd_seal_refuses(child) ? -EPERM : 0;
}

/* A sealed task cannot offer itself to its parent either. */
static int umd_seal_ptrace_traceme(struct task_struct *parent)
{
	return umd_seal_task(current)->sealed ? -EPERM : 0;
}

/*
 * A sealed task's threads and vfork() children share its locked memory, and
 * are sealed too. A forked child's copy of that memory is not locked
 * (dup_mmap() clears VM_LOCKED) until it executes a program, and could
 * reach swap meanwhile: a sealed task cannot fork.
 */
static int umd_seal_task_alloc(struct task_struct *task,
			       unsigned long clone_flags)
{
	bool sealed = umd_seal_task(current)->sealed;

	if (sealed && !(clone_flags & CLONE_VM))
		return -EPERM;
	umd_seal_task(task)->sealed = sealed;
	return 0;
}

static int umd_seal_task_kill(struct task_struct *p,
			      struct kernel_siginfo *info, int sig,
			      const struct cred *cred)
{
	return umd_seal_refuses(p) ? -EPERM : 0;
}

/* SIGIO and SIGURG are sent from wherever the I/O completes: no exception. */
static int umd_seal_file_send_sigiotask(struct task_struct *tsk,
					struct fown_struct *fown, int sig)
{
	return umd_seal_task(tsk)->sealed ? -EPERM : 0;
}

static int umd_seal_task_setnice(struct task_struct *p, int nice)
{
	return umd_seal_refuses(p) ? -EPERM : 0;
}

static int umd_seal_task_setioprio(struct task_struct *p, int ioprio)
{
	return umd_seal_refuses(p) ? -EPERM : 0;
}

static int umd_seal_task_setrlimit(struct task_struct *p, unsigned int resource,
				   struct rlimit *new_rlim)
{
	return umd_seal_refuses(p) ? -EPERM : 0;
}

/* Policy and affinity (sched_setaffinity() asks this hook too). */
static int umd_seal_task_setscheduler(struct task_struct *p)
{
	return umd_seal_refuses(p) ? -EPERM : 0;
}

static int umd_seal_task_movememory(struct task_struct *p)
{
	return umd_seal_refuses(p) ? -EPERM : 0;
}

/*
 * Mark the inodes of /proc/<pid>/ of a sealed task, to refuse writes to
 * them: oom_score_adj and a few others have no hook of their own.
 */
static void umd_seal_task_to_inode(struct task_struct *p, struct inode *inode)
{
	bool *sealed = umd_seal_inode(inode);

	if (sealed)
		*sealed = umd_seal_task(p)->sealed;
}

static int umd_seal_inode_permission(struct inode *inode, int mask)
{
	bool *sealed;

	if (!(mask & (MAY_WRITE | MAY_APPEND)))
		return 0;
	sealed = umd_seal_inode(inode);
	if (sealed && *sealed && !(current->flags & PF_KTHREAD))
		return -EACCES;
	return 0;
}

/* Whether umd_seal.lockdown is set, and so refuses @what: logged. */
static bool lockdown_refuses(const char *what)
{
	if (!READ_ONCE(lockdown))
		return false;
	pr_notice_ratelimited("%s refused: umd_seal.lockdown=1\n", what);
	return true;
}

/*
 * Under umd_seal.lockdown, what the kernel's lockdown refuses in its
 * confidentiality mode (/proc/kcore, tracefs with its kprobe and uprobe
 * fetch arguments, perf's interrupt registers, BPF reads of kernel memory),
 * and hibernation, whose image holds every process' memory and is trusted
 * again on resume. (BPF writes to user memory need a program load, which
 * is refused below.)
 */
static int umd_seal_locked_down(enum lockdown_reason what)
{
	if (!READ_ONCE(lockdown))
		return 0;
	if (WARN_ON_ONCE(what >= LOCKDOWN_CONFIDENTIALITY_MAX))
		return -EPERM;
	/* Asked on each read of /sys/power/state: not worth a line each. */
	if (what == LOCKDOWN_HIBERNATION)
		return -EPERM;
	if (what <= LOCKDOWN_INTEGRITY_MAX)
		return 0;
	return lockdown_refuses(lockdown_reasons[what]) ? -EPERM : 0;
}

/*
 * And every kexec image, signed or not: the kernel it starts, a crash
 * kernel included, reads all of memory; lockdown=integrity refuses only
 * unsigned ones.
 */
static int umd_seal_kernel_load_data(enum kernel_load_data_id id,
				     bool contents)
{
	return id == LOADING_KEXEC_IMAGE && lockdown_refuses("kexec") ? -EPERM : 0;
}

static int umd_seal_kernel_read_file(struct file *file,
				     enum kernel_read_file_id id,
				     bool contents)
{
	return id == READING_KEXEC_IMAGE && lockdown_refuses("kexec") ? -EPERM : 0;
}

#ifdef CONFIG_BPF_SYSCALL
/*
 * Every BPF program: the tracing ones read any task's memory, signal it or
 * change what a function returns to it, and every type gets
 * bpf_probe_read_user() for a loader with CAP_PERFMON, to run in whatever
 * task it interrupts.
 */
static int umd_seal_bpf_prog_load(struct bpf_prog *prog, union bpf_attr *attr,
				  struct bpf_token *token)
{
	return lockdown_refuses("BPF program load") ? -EPERM : 0;
}
#endif

#ifdef CONFIG_PERF_EVENTS
/*
 * Under umd_seal.lockdown, no event that is not bound to one task, from
 * user space: a CPU-wide or cgroup event samples the registers and stack
 * of whatever runs, sealed tasks included. Per-task events pass the ptrace
 * check.
 */
static int umd_seal_perf_event_open(int type)
{
	/* The kernel's own counters, such as the hard lockup detector's. */
	if (type != PERF_SECURITY_CPU || (current->flags & PF_KTHREAD))
		return 0;
	return lockdown_refuses("CPU-wide perf event") ? -EACCES : 0;
}

static bool umd_seal_refuses_event(struct perf_event *event)
{
	struct task_struct *target = event->hw.target;

	return target && umd_seal_refuses(target);
}

static int umd_seal_perf_event_alloc(struct perf_event *event)
{
	return umd_seal_refuses_event(event) ? -EACCES : 0;
}

/*
 * Also refuse to read, map or control an event that was allocated before
 * its task was sealed and attached to it after.
 */
static int umd_seal_perf_event_read(struct perf_event *event)
{
	return umd_seal_refuses_event(event) ? -EACCES : 0;
}

static int umd_seal_perf_event_write(struct perf_event *event)
{
	return umd_seal_refuses_event(event) ? -EACCES : 0;
}

static bool umd_seal_has_perf_events(void)
{
	return rcu_access_pointer(current->perf_event_ctxp);
}
#else
static bool umd_seal_has_perf_events(void)
{
	return false;
}
#endif

/*
 * Runs on the way back to user space after each exec of a sealed task, once
 * the new program is mapped and before it runs: none of its memory may reach
 * a core dump, or swap, which root controls.
 */
static void umd_seal_lock_memory(struct callback_head *work)
{
	struct rlimit *core = current->signal->rlim + RLIMIT_CORE;

	set_dumpable(current->mm, SUID_DUMP_DISABLE);
	task_lock(current->group_leader);
	core->rlim_cur = 0;
	core->rlim_max = 0;
	task_unlock(current->group_leader);

	if (mlockall_current())
		force_sig(SIGKILL);
}

static void umd_seal_bprm_committed_creds(const struct linux_binprm *bprm)
{
	struct umd_seal_task *seal = umd_seal_task(current);

	if (!seal->sealed)
		return;
	init_task_work(&seal->lock_memory, umd_seal_lock_memory);
	/* Fails only for a task that is exiting, and will not run anyway. */
	if (task_work_add(current, &seal->lock_memory, TWA_RESUME))
		force_sig(SIGKILL);
}

/**
 * umd_seal_current() - seal the current task, a user mode driver
 *
 * From now on, no user space task other than its own threads can ptrace
 * it, access it through /proc or process_vm_readv() and the like, signal
 * it, change its priority, affinity or resource limits, or open perf
 * events on it; each program it executes has all of its memory locked,
 * is not dumpable and has RLIMIT_CORE 0. It cannot fork; its threads and
 * vfork() children are sealed too. User space cannot move it out of the
 * cgroups it started in.
 * Nothing unseals a task.
 *
 * Context: Process context, in the driver's process before its exec
 * (umd_setup()). Takes current's cred_guard_mutex and exec_update_lock.
 * Return: 0 when sealed, or when sealing is turned off for debugging
 * (umd_seal.enforce=0); -EOPNOTSUPP if the umd_seal LSM is not enabled;
 * -EPERM if the task was traced or had perf events attached before the
 * seal.
 */
int umd_seal_current(void)
{
	int err = 0;

	if (!umd_seal_ready)
		return -EOPNOTSUPP;
	if (!enforce) {
		pr_notice_ratelimited("pid %d not sealed: umd_seal.enforce=0\n",
				      task_pid_nr(current));
		return 0;
	}

	/* The locks under which a tracer attaches and a perf event is added. */
	mutex_lock(&current->signal->cred_guard_mutex);
	down_write(&current->signal->exec_update_lock);
	umd_seal_task(current)->sealed = true;
	if (current->ptrace || umd_seal_has_perf_events())
		err = -EPERM;
	up_write(&current->signal->exec_update_lock);
	mutex_unlock(&current->signal->cred_guard_mutex);
#ifdef CONFIG_CGROUPS
	/*
	 * Keep it where the kworker that started it runs, which user space
	 * cannot move: in the root cgroups, where only the whole system can
	 * be frozen, killed, throttled or limited. As for kthreadd.
	 */
	current->no_cgroup_migration = 1;
#endif
	return err;
}

static const struct lsm_id umd_seal_lsmid = {
	.name = "umd_seal",
	.id = LSM_ID_UMD_SEAL,
};

static struct security_hook_list umd_seal_hooks[] __ro_after_init = {
	LSM_HOOK_INIT(ptrace_access_check, umd_seal_ptrace_access_check),
	LSM_HOOK_INIT(ptrace_traceme, umd_seal_ptrace_traceme),
	LSM_HOOK_INIT(bprm_committed_creds, umd_seal_bprm_committed_creds),
	LSM_HOOK_INIT(inode_permission, umd_seal_inode_permission),
	LSM_HOOK_INIT(file_send_sigiotask, umd_seal_file_send_sigiotask),
	LSM_HOOK_INIT(task_alloc, umd_seal_task_alloc),
	LSM_HOOK_INIT(task_setnice, umd_seal_task_setnice),
	LSM_HOOK_INIT(task_setioprio, umd_seal_task_setioprio),
	LSM_HOOK_INIT(task_setrlimit, umd_seal_task_setrlimit),
	LSM_HOOK_INIT(task_setscheduler, umd_seal_task_setscheduler),
	LSM_HOOK_INIT(task_movememory, umd_seal_task_movememory),
	LSM_HOOK_INIT(task_kill, umd_seal_task_kill),
	LSM_HOOK_INIT(task_to_inode, umd_seal_task_to_inode),
	LSM_HOOK_INIT(locked_down, umd_seal_locked_down),
	LSM_HOOK_INIT(kernel_load_data, umd_seal_kernel_load_data),
	LSM_HOOK_INIT(kernel_read_file, umd_seal_kernel_read_file),
#ifdef CONFIG_BPF_SYSCALL
	LSM_HOOK_INIT(bpf_prog_load, umd_seal_bpf_prog_load),
#endif
#ifdef CONFIG_PERF_EVENTS
	LSM_HOOK_INIT(perf_event_open, umd_seal_perf_event_open),
	LSM_HOOK_INIT(perf_event_alloc, umd_seal_perf_event_alloc),
	LSM_HOOK_INIT(perf_event_read, umd_seal_perf_event_read),
	LSM_HOOK_INIT(perf_event_write, umd_seal_perf_event_write),
#endif
};

static int __init umd_seal_init(void)
{
	security_add_hooks(umd_seal_hooks, ARRAY_SIZE(umd_seal_hooks),
			   &umd_seal_lsmid);
	umd_seal_ready = true;
	if (enforce)
		pr_info("sealing the user mode drivers that ask for it\n");
	else
		pr_warn("NOT sealing user mode drivers (umd_seal.enforce=0): they can be traced, signalled and paged out\n");
	if (lockdown)
		pr_info("refusing root's kernel-level ways into processes (umd_seal.lockdown=1)\n");
	return 0;
}

/* The switch was set on the command line of a kernel that runs no umd_seal. */
static int __init umd_seal_warn_inactive(void)
{
	if (lockdown && !umd_seal_ready)
		pr_warn("umd_seal.lockdown=1 has no effect: the umd_seal LSM is not enabled (lsm=)\n");
	return 0;
}
late_initcall(umd_seal_warn_inactive);

DEFINE_LSM(umd_seal) = {
	.name = "umd_seal",
	.init = umd_seal_init,
	.blobs = &umd_seal_blob_sizes,
};
