// SPDX-License-Identifier: GPL-2.0-only
/*
 * Selftest of sealed user mode drivers (the umd_seal LSM), as root: each
 * way user space has to reach a process is tried against the sample's
 * sealed handler (sample_umd) and against its unsealed control
 * (sample_unsealed), the same handler binary. With umd_seal.enforce=Y the
 * sealed one must refuse every attempt and the control allow it; with N,
 * both must allow it. A sealed handler cannot be moved out of the root
 * cgroup, so what a cgroup does to a handler (freeze, cgroup.kill) is
 * shown on the handler that can be moved: the sealed one with enforce=N,
 * else the control. New handlers must start in the root cgroup, with every
 * kernel thread root can move moved out of it. Under memory pressure on
 * a zram swap device, the control's pages must reach swap and, sealed,
 * the handler's must not. Either way the library must still stop a
 * sealed handler on unload.
 *
 * Needs the sample_mgr module loaded; sample_loader must be loadable by
 * modprobe. Each attempt leaves the control usable: it writes back what it
 * read, sends signal 0, detaches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/ioprio.h>
#include <linux/kcmp.h>
#include <linux/mempolicy.h>
#include <linux/perf_event.h>
#include <linux/sched/types.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "sample_umd_test.h"

#define ENFORCE "/sys/module/umd_seal/parameters/enforce"
#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP CGROUP_ROOT "/umd_seal_test"
/* Its path in the hierarchy, as /proc/PID/cgroup shows it. */
#define CGROUP_NAME (&CGROUP[sizeof(CGROUP_ROOT) - 1])
#define ZRAM "/sys/block/zram0"
#define ZRAM_DEV "/dev/zram0"
#define SWAP_MB 64

static bool enforce;
static pid_t sealed, control;

static void proc_path(char *buf, size_t size, pid_t pid, const char *name)
{
	snprintf(buf, size, "/proc/%d/%s", pid, name);
}

/* Each try_*() returns 0 if the access worked, else the errno. */

static int try_ptrace_attach(pid_t pid)
{
	int status;

	if (ptrace(PTRACE_ATTACH, pid, 0, 0))
		return errno;
	waitpid(pid, &status, __WALL);
	/* Signal 0: the SIGSTOP of the attach is not delivered. */
	return ptrace(PTRACE_DETACH, pid, 0, 0) ? SETUP_FAILED : 0;
}

static int try_ptrace_seize(pid_t pid)
{
	int status;

	if (ptrace(PTRACE_SEIZE, pid, 0, 0))
		return errno;
	/* Only a stopped tracee can be detached. */
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0))
		return SETUP_FAILED;
	waitpid(pid, &status, __WALL);
	return ptrace(PTRACE_DETACH, pid, 0, 0) ? SETUP_FAILED : 0;
}

static int try_open(pid_t pid, const char *name, int flags)
{
	char path[64];
	int fd;

	proc_path(path, sizeof(path), pid, name);
	fd = open(path, flags);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* A refusal may come at open or at read. */
static int try_read(pid_t pid, const char *name)
{
	char path[64], buf[256];
	int fd, err = 0;

	proc_path(path, sizeof(path), pid, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	if (read(fd, buf, sizeof(buf)) < 0)
		err = errno;
	close(fd);
	return err;
}

static int try_readlink(pid_t pid, const char *name)
{
	char path[64], target[256];

	proc_path(path, sizeof(path), pid, name);
	return readlink(path, target, sizeof(target)) < 0 ? errno : 0;
}

static int try_mem(pid_t pid)
{
	return try_open(pid, "mem", O_RDWR);
}

static int try_environ(pid_t pid)
{
	return try_read(pid, "environ");
}

static int try_maps(pid_t pid)
{
	return try_read(pid, "maps");
}

/* The handler's stdout, a pipe to the kernel: opened, never written. */
static int try_fd_write(pid_t pid)
{
	return try_open(pid, "fd/1", O_WRONLY | O_NONBLOCK);
}

static int try_fd_link(pid_t pid)
{
	return try_readlink(pid, "fd/0");
}

static int try_cwd(pid_t pid)
{
	return try_readlink(pid, "cwd");
}

static int try_root(pid_t pid)
{
	return try_readlink(pid, "root");
}

static int try_exe(pid_t pid)
{
	return try_readlink(pid, "exe");
}

/*
 * The start of @pid's first mapping, or of its first writable one: 0 if its
 * maps cannot be read.
 */
static unsigned long mapping(pid_t pid, bool writable)
{
	char path[64], line[512], perms[8];
	unsigned long start = 0, addr;
	FILE *f;

	proc_path(path, sizeof(path), pid, "maps");
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!start && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%*x %7s", &addr, perms) == 2 &&
		    (!writable || perms[1] == 'w'))
			start = addr;
	fclose(f);
	return start;
}

/*
 * Reads 16 bytes of the control's at its first (writable) mapping and, if
 * @write, writes them back into @pid's, at the same address: a sealed
 * handler's maps are refused, and the same binary maps there. The idle
 * control does not change those bytes meanwhile.
 */
static int try_vm_rw(pid_t pid, bool write)
{
	unsigned long addr = mapping(control, write);
	struct iovec local, remote;
	char buf[16];
	ssize_t n;

	if (!addr)
		return SETUP_FAILED;
	local.iov_base = buf;
	local.iov_len = sizeof(buf);
	remote.iov_base = (void *)addr;
	remote.iov_len = sizeof(buf);
	if (write && process_vm_readv(control, &local, 1, &remote, 1, 0) < 0)
		return SETUP_FAILED;
	if (write)
		n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	else
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n < 0 ? errno : 0;
}

static int try_vm_readv(pid_t pid)
{
	return try_vm_rw(pid, false);
}

static int try_vm_writev(pid_t pid)
{
	return try_vm_rw(pid, true);
}

/* Pages a page of the handler out: harmless to the control. */
static int try_madvise_pageout(pid_t pid)
{
	unsigned long addr = mapping(control, true);
	struct iovec range = { .iov_base = (void *)addr, .iov_len = 4096 };
	int pidfd, err = 0;

	if (!addr)
		return SETUP_FAILED;
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return SETUP_FAILED;
	if (syscall(SYS_process_madvise, pidfd, &range, 1, MADV_PAGEOUT, 0) < 0)
		err = errno;
	close(pidfd);
	return err;
}

/* Moves all of the handler's pages to node 0 (numa=fake=2): harmless. */
static int try_migrate_pages(pid_t pid)
{
	unsigned long from = 3, to = 1;

	return syscall(SYS_migrate_pages, pid, 8 * sizeof(from), &from, &to) < 0 ?
	       errno : 0;
}

/* Moves a page of the handler to node 1. */
static int try_move_pages(pid_t pid)
{
	void *page = (void *)mapping(control, true);
	int node = 1, status;

	if (!page)
		return SETUP_FAILED;
	return syscall(SYS_move_pages, pid, 1, &page, &node, &status,
		       MPOL_MF_MOVE) < 0 ? errno : 0;
}

static int try_task_mem(pid_t pid)
{
	char name[64];

	snprintf(name, sizeof(name), "task/%d/mem", pid);
	return try_open(pid, name, O_RDWR);
}

static int try_pagemap(pid_t pid)
{
	return try_read(pid, "pagemap");
}

/* Clears the referenced bits of the control's pages: harmless. */
static int try_clear_refs(pid_t pid)
{
	char path[64];
	int fd, err = 0;

	proc_path(path, sizeof(path), pid, "clear_refs");
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, "1", 1) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Joins the handler's UTS namespace, in a child that then exits. */
static int try_setns(pid_t pid)
{
	char path[64];
	int fd, status;
	pid_t child;

	proc_path(path, sizeof(path), pid, "ns/uts");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	child = fork();
	if (!child)
		_exit(setns(fd, CLONE_NEWUTS) ? errno : 0);
	close(fd);
	if (child < 0 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status))
		return SETUP_FAILED;
	return WEXITSTATUS(status);
}

/* Sets the attributes it reads, which may be read. */
static int try_sched_setattr(pid_t pid)
{
	struct sched_attr attr;

	if (syscall(SYS_sched_getattr, pid, &attr, sizeof(attr), 0))
		return SETUP_FAILED;
	return syscall(SYS_sched_setattr, pid, &attr, 0) ? errno : 0;
}

/* Only the fd is refused: pidfd_open() must work on a sealed handler. */
static int try_pidfd_getfd(pid_t pid)
{
	int pidfd, fd, err = 0;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return SETUP_FAILED;
	fd = syscall(SYS_pidfd_getfd, pidfd, 0, 0);
	if (fd < 0)
		err = errno;
	else
		close(fd);
	close(pidfd);
	return err;
}

static int try_kcmp(pid_t pid)
{
	return syscall(SYS_kcmp, getpid(), pid, KCMP_VM, 0, 0) < 0 ? errno : 0;
}

static int try_perf_event(pid_t pid)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_TASK_CLOCK,
		.disabled = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int fd;

	fd = syscall(SYS_perf_event_open, &attr, pid, -1, -1,
		     PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_kill(pid_t pid)
{
	return kill(pid, 0) ? errno : 0;
}

static int try_tgkill(pid_t pid)
{
	return syscall(SYS_tgkill, pid, pid, 0) ? errno : 0;
}

static int try_sigqueueinfo(pid_t pid)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = 0;
	return syscall(SYS_rt_sigqueueinfo, pid, 0, &info) ? errno : 0;
}

static int try_pidfd_signal(pid_t pid)
{
	int pidfd, err = 0;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return SETUP_FAILED;
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0))
		err = errno;
	close(pidfd);
	return err;
}

static int try_setpriority(pid_t pid)
{
	int prio;

	errno = 0;
	prio = getpriority(PRIO_PROCESS, pid);
	if (prio == -1 && errno)
		return SETUP_FAILED;
	return setpriority(PRIO_PROCESS, pid, prio) ? errno : 0;
}

static int try_setscheduler(pid_t pid)
{
	struct sched_param param = { 0 };
	int policy = sched_getscheduler(pid);

	if (policy < 0 || sched_getparam(pid, &param)) {
		policy = SCHED_OTHER;
		param.sched_priority = 0;
	}
	return sched_setscheduler(pid, policy, &param) ? errno : 0;
}

static int try_setaffinity(pid_t pid)
{
	cpu_set_t set;

	if (sched_getaffinity(pid, sizeof(set), &set)) {
		CPU_ZERO(&set);
		CPU_SET(0, &set);
	}
	return sched_setaffinity(pid, sizeof(set), &set) ? errno : 0;
}

static int try_ioprio(pid_t pid)
{
	return syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, pid,
		       IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)) ? errno : 0;
}

static int try_prlimit(pid_t pid)
{
	struct rlimit lim;

	/* Reading a limit is allowed. */
	if (prlimit(pid, RLIMIT_NOFILE, NULL, &lim))
		return SETUP_FAILED;
	return prlimit(pid, RLIMIT_NOFILE, &lim, NULL) ? errno : 0;
}

static int try_oom_score_adj(pid_t pid)
{
	char path[64], val[32];
	int fd, err = 0;
	ssize_t n;

	proc_path(path, sizeof(path), pid, "oom_score_adj");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return SETUP_FAILED;
	n = read(fd, val, sizeof(val) - 1);
	close(fd);
	if (n <= 0)
		return SETUP_FAILED;
	val[n] = '\0';
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, val, n) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Move @pid into the cgroup @dir: 0 or the errno. */
static int move_to(const char *dir, pid_t pid)
{
	char path[300], val[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(val, sizeof(val), "%d", pid);
	return write_file(path, val);
}

/* Move @pid into the test cgroup, and back to the root if that worked. */
static int try_cgroup_move(pid_t pid)
{
	int err = move_to(CGROUP, pid);

	if (!err && move_to(CGROUP_ROOT, pid))
		return SETUP_FAILED;
	return err;
}

/* Refused with EPERM or EACCES, unless @refusal names another errno. */
static const struct access {
	const char *name;
	int (*try)(pid_t pid);
	int refusal;
} accesses[] = {
	{ "ptrace(PTRACE_ATTACH)", try_ptrace_attach },
	{ "ptrace(PTRACE_SEIZE)", try_ptrace_seize },
	{ "open /proc/PID/mem O_RDWR", try_mem },
	{ "open /proc/PID/task/TID/mem", try_task_mem },
	{ "read /proc/PID/pagemap", try_pagemap },
	{ "write /proc/PID/clear_refs", try_clear_refs },
	{ "read /proc/PID/environ", try_environ },
	{ "read /proc/PID/maps", try_maps },
	{ "open /proc/PID/fd/1 O_WRONLY", try_fd_write },
	{ "readlink /proc/PID/fd/0", try_fd_link },
	{ "readlink /proc/PID/cwd", try_cwd },
	{ "readlink /proc/PID/root", try_root },
	{ "readlink /proc/PID/exe", try_exe },
	{ "process_vm_readv()", try_vm_readv },
	{ "process_vm_writev()", try_vm_writev },
	{ "process_madvise(MADV_PAGEOUT)", try_madvise_pageout },
	{ "migrate_pages()", try_migrate_pages },
	{ "move_pages(MPOL_MF_MOVE)", try_move_pages },
	{ "setns() to /proc/PID/ns/uts", try_setns },
	{ "pidfd_getfd()", try_pidfd_getfd },
	{ "kcmp(KCMP_VM)", try_kcmp },
	{ "perf_event_open(TASK_CLOCK)", try_perf_event },
	{ "kill(PID, 0)", try_kill },
	{ "tgkill(PID, PID, 0)", try_tgkill },
	{ "rt_sigqueueinfo(PID, 0)", try_sigqueueinfo },
	{ "pidfd_send_signal(0)", try_pidfd_signal },
	{ "setpriority()", try_setpriority },
	{ "sched_setscheduler()", try_setscheduler },
	{ "sched_setattr()", try_sched_setattr },
	{ "sched_setaffinity()", try_setaffinity },
	{ "ioprio_set()", try_ioprio },
	{ "prlimit(RLIMIT_NOFILE) set", try_prlimit },
	{ "write /proc/PID/oom_score_adj", try_oom_score_adj },
	/* The cgroup core's answer for a task user space may not move. */
	{ "write PID to cgroup.procs", try_cgroup_move, EINVAL },
};

static void test_access(const struct access *a)
{
	int on_sealed = a->try(sealed);
	int on_control = a->try(control);
	bool ok;

	ksft_print_msg("seal: %-30s sealed: %-7s unsealed: %s\n", a->name,
		       err_name(on_sealed), err_name(on_control));
	if (enforce && a->refusal)
		ok = on_sealed == a->refusal && !on_control;
	else if (enforce)
		ok = (on_sealed == EPERM || on_sealed == EACCES) && !on_control;
	else
		ok = !on_sealed && !on_control;
	ksft_test_result(ok, "%s: %s\n", a->name,
			 enforce ? "refused to the sealed handler only" :
				   "allowed to both (enforce=N)");
}

/* Have the kernel send SIGKILL to @pid as the SIGIO of a pipe. */
static int sigio_kill(pid_t pid)
{
	int p[2], err = 0;

	if (pipe(p))
		return errno;
	if (fcntl(p[0], F_SETOWN, pid) || fcntl(p[0], F_SETSIG, SIGKILL) ||
	    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_ASYNC) ||
	    write(p[1], "x", 1) != 1)
		err = errno;
	close(p[0]);
	close(p[1]);
	return err;
}

/* Start the handler behind @path again if @pid is gone; its new pid. */
static pid_t restart(pid_t pid, const char *path, const char *comm)
{
	if (alive(pid))
		return pid;
	write_value(path, "0");
	return handler_pid(comm);
}

/*
 * kill(-1, SIGSTOP) stops every process but init and the caller that the
 * caller may signal: the control, not the sealed handler. SIGCONT to all
 * before anything prints, since the shell and tee behind our output stop
 * too.
 */
static void continue_all(int sig)
{
	kill(-1, SIGCONT);
	_exit(KSFT_FAIL);
}

static void test_kill_all(void)
{
	struct sigaction sa = { .sa_handler = continue_all }, old_term, old_int;
	char on_sealed, on_control;
	int err = 0, i;

	/* A runner's timeout must not leave the whole system stopped. */
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGINT, &sa, &old_int);
	if (kill(-1, SIGSTOP))
		err = errno;
	/* Sealed, the handler never stops: wait out the whole second. */
	for (i = 0; !err && i < 100 && (proc_state(control) != 'T' ||
					proc_state(sealed) != 'T'); i++)
		usleep(10000);
	on_sealed = proc_state(sealed);
	on_control = proc_state(control);
	kill(-1, SIGCONT);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGINT, &old_int, NULL);
	ksft_print_msg("seal: %-30s sealed: %-7s unsealed: %s\n",
		       "kill(-1, SIGSTOP)", on_sealed == 'T' ? "stopped" : "running",
		       on_control == 'T' ? "stopped" : "running");
	ksft_test_result(!err && on_control == 'T' &&
			 (on_sealed == 'T') == !enforce,
			 "kill(-1, SIGSTOP): %s\n",
			 enforce ? "stops the control only" :
				   "stops both (enforce=N)");
}

/* Last of the attempts: it kills the control. */
static void test_sigio(void)
{
	int err_sealed = sigio_kill(sealed);
	int err_control = sigio_kill(control);
	bool control_killed, sealed_killed, ok;

	control_killed = !err_control && wait_gone(control, 5000);
	usleep(200000);
	sealed_killed = !err_sealed && (enforce ? !alive(sealed) :
					wait_gone(sealed, 5000));
	ksft_print_msg("seal: %-30s sealed: %-7s unsealed: %s\n",
		       "SIGIO as SIGKILL (F_SETOWN)",
		       err_sealed ? err_name(err_sealed) :
		       sealed_killed ? "killed" : "alive",
		       err_control ? err_name(err_control) :
		       control_killed ? "killed" : "alive");
	if (enforce)
		ok = !err_sealed && !sealed_killed && control_killed;
	else
		ok = sealed_killed && control_killed;
	ksft_test_result(ok, "SIGIO as SIGKILL: %s\n",
			 enforce ? "not delivered to the sealed handler only" :
				   "kills both (enforce=N)");

	control = restart(control, UNSEALED_FILE, UNSEALED_COMM);
	sealed = restart(sealed, SAMPLE_FILE, SAMPLE_COMM);
	ksft_print_msg("handler pids now: sealed %d, unsealed %d\n", sealed,
		       control);
}

/* Field @name of /proc/@pid/status in kB, -1 if missing. */
static long status_kb(pid_t pid, const char *name)
{
	size_t len = strlen(name);
	char path[64], line[256];
	long val = -1;
	FILE *f;

	proc_path(path, sizeof(path), pid, "status");
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			val = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return val;
}

/* Whether @pid's core limit is 0, soft and hard; logs what it reads. */
static bool no_core(pid_t pid)
{
	static const char key[] = "Max core file size";
	char path[64], line[256], soft[32] = "", hard[32] = "";
	FILE *f;

	proc_path(path, sizeof(path), pid, "limits");
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			sscanf(line + strlen(key), "%31s %31s", soft, hard);
	fclose(f);
	ksft_print_msg("seal: sealed handler's core file size: soft %s, hard %s\n",
		       soft, hard);
	return !strcmp(soft, "0") && !strcmp(hard, "0");
}

static void test_memory(void)
{
	long lck = status_kb(sealed, "VmLck"), rss = status_kb(sealed, "VmRSS");
	long control_lck = status_kb(control, "VmLck");
	bool ok;

	ksft_print_msg("seal: sealed handler VmLck %ld kB, VmRSS %ld kB; unsealed VmLck %ld kB\n",
		       lck, rss, control_lck);
	if (enforce)
		ok = lck > 0 && lck == rss && !control_lck && no_core(sealed);
	else
		ok = !lck && !control_lck;
	ksft_test_result(ok, "%s\n",
			 enforce ? "sealed handler's memory locked, no core dump" :
				   "no handler's memory locked (enforce=N)");
}

/*
 * A swap device of SWAP_MB MiB in zram, with a swap header of our own: its
 * first page, with the version and last page at 1024 bytes in, and the
 * magic at its end.
 */
static int swap_on(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned int *info;
	char size[16], *header;
	int fd, err = 0;

	snprintf(size, sizeof(size), "%dM", SWAP_MB);
	if (write_file(ZRAM "/disksize", size))
		return SETUP_FAILED;
	header = calloc(1, page);
	if (!header)
		return SETUP_FAILED;
	info = (unsigned int *)(header + 1024);
	info[0] = 1;
	info[1] = SWAP_MB * (1024 * 1024 / page) - 1;
	memcpy(header + page - 10, "SWAPSPACE2", 10);
	fd = open(ZRAM_DEV, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, header, page) != page)
		err = SETUP_FAILED;
	if (fd >= 0)
		close(fd);
	free(header);
	if (!err && swapon(ZRAM_DEV, 0))
		err = errno;
	return err;
}

/*
 * Reclaim anonymous memory of the whole system (the root cgroup's
 * memory.reclaim, anonymous pages only) until the control's pages reach
 * swap: the sealed handler's locked pages must not.
 */
static void test_swap(void)
{
	long swap = -1, control_swap = -1;
	int err, i;

	err = swap_on();
	for (i = 0; !err && i < 5 && control_swap <= 0; i++) {
		write_file(CGROUP_ROOT "/memory.reclaim", "256M swappiness=200");
		control_swap = status_kb(control, "VmSwap");
	}
	swap = status_kb(sealed, "VmSwap");
	if (!err && swapoff(ZRAM_DEV))
		err = errno;
	if (write_file(ZRAM "/reset", "1"))
		ksft_print_msg("seal: %s stays set up\n", ZRAM_DEV);
	ksft_print_msg("seal: swap: %s, %d reclaims; VmSwap: sealed %ld kB, unsealed %ld kB\n",
		       err_name(err), i, swap, control_swap);
	ksft_test_result(!err && control_swap > 0 && (!enforce || !swap),
			 "%s\n", enforce ? "sealed handler's memory stays out of swap" :
					   "the control's memory reaches swap (enforce=N)");
}

static void test_still_answers(void)
{
	int err = write_value(SAMPLE_FILE, "5");

	ksft_test_result(!err && handler_pid(SAMPLE_COMM) == sealed,
			 "sealed handler pid %d still answers\n", sealed);
}

/* Whether the test cgroup's events show it frozen, within 2 s. */
static bool wait_frozen(void)
{
	char line[64];
	bool frozen = false;
	FILE *f;
	int i;

	for (i = 0; i < 200 && !frozen; i++) {
		f = fopen(CGROUP "/cgroup.events", "r");
		if (!f)
			return false;
		while (fgets(line, sizeof(line), f))
			if (!strcmp(line, "frozen 1\n"))
				frozen = true;
		fclose(f);
		if (!frozen)
			usleep(10000);
	}
	return frozen;
}

static bool cgroup2_mounted(void)
{
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen("/proc/mounts", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " " CGROUP_ROOT " cgroup2 "))
			found = true;
	fclose(f);
	return found;
}

/* The test cgroup, made once: the access table moves handlers into it. */
static void setup_cgroup(void)
{
	if (!cgroup2_mounted()) {
		mkdir(CGROUP_ROOT, 0755);
		if (mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL))
			ksft_print_msg("mount cgroup2: %s\n", strerror(errno));
	}
	if (mkdir(CGROUP, 0755) && errno != EEXIST)
		ksft_print_msg("mkdir %s: %s\n", CGROUP, strerror(errno));
}

/* A killed handler may take a moment to leave the cgroup. */
static void remove_cgroup(void)
{
	int i;

	for (i = 0; i < 100 && rmdir(CGROUP) && errno == EBUSY; i++)
		usleep(10000);
}

/*
 * What a cgroup does to a handler in it is done without the LSM's hooks,
 * so a sealed handler cannot be moved into one (see the access table).
 * The handler these tests can reach: the sealed one with enforce=N, else
 * the control.
 */
struct victim {
	pid_t *pid;
	const char *file, *comm, *name;
};

static struct victim victim(void)
{
	if (enforce)
		return (struct victim){ &control, UNSEALED_FILE, UNSEALED_COMM,
					"unsealed" };
	return (struct victim){ &sealed, SAMPLE_FILE, SAMPLE_COMM, "sealed" };
}

/*
 * A frozen handler cannot answer, and the library must kill it at its
 * timeout and start another with the next request.
 */
static void test_timeout(void)
{
	struct victim v = victim();
	pid_t old = *v.pid;
	bool moved, frozen, gone;
	long long start, took;
	int err, err_moved;

	err_moved = move_to(CGROUP, old);
	moved = !err_moved;
	ksft_print_msg("seal: move %s handler pid %d into a cgroup: %s\n",
		       v.name, old, err_name(err_moved));
	frozen = moved && !write_file(CGROUP "/cgroup.freeze", "1") &&
		 wait_frozen();
	ksft_print_msg("seal: cgroup frozen: %s\n", frozen ? "yes" : "no");

	start = now_us();
	err = frozen ? write_value(v.file, "1") : SETUP_FAILED;
	took = (now_us() - start) / 1000;
	gone = wait_gone(old, 5000);
	ksft_print_msg("seal: request to the frozen %s handler: %s after %lld ms, pid %d %s\n",
		       v.name, err_name(err), took, old,
		       gone ? "gone" : "still there");

	write_file(CGROUP "/cgroup.freeze", "0");
	*v.pid = 0;
	if (!write_value(v.file, "1"))
		*v.pid = handler_pid(v.comm);
	ksft_print_msg("seal: %s handler restarted as pid %d\n", v.name,
		       *v.pid);
	ksft_test_result(frozen && err == ETIMEDOUT && gone && *v.pid > 0 &&
			 *v.pid != old,
			 "the library's timeout stops a frozen %s handler\n",
			 v.name);
}

/*
 * cgroup.kill is a SIGKILL the kernel sends, which no LSM hook sees: it
 * reaches only a handler that could be moved out of the root cgroup, which
 * has no cgroup.kill. The library restarts the handler.
 */
static void test_cgroup_kill(void)
{
	struct victim v = victim();
	pid_t old = *v.pid;
	int err_moved, err = SETUP_FAILED;
	bool gone = false;

	err_moved = move_to(CGROUP, old);
	if (!err_moved)
		err = write_file(CGROUP "/cgroup.kill", "1");
	gone = !err && wait_gone(old, 5000);
	ksft_print_msg("seal: cgroup.kill of the %s handler pid %d: move %s, kill %s, %s\n",
		       v.name, old, err_name(err_moved), err_name(err),
		       gone ? "gone" : "still there");
	*v.pid = restart(old, v.file, v.comm);
	ksft_test_result(gone && *v.pid > 0 && *v.pid != old,
			 "cgroup.kill kills the %s handler, which is restarted\n",
			 v.name);
}

/* The cgroup path of @pid in the unified hierarchy, "" if unknown. */
static void cgroup_of(pid_t pid, char *buf, size_t size)
{
	char path[64], line[512];
	FILE *f;

	buf[0] = '\0';
	proc_path(path, sizeof(path), pid, "cgroup");
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			snprintf(buf, size, "%.*s", (int)strcspn(line + 3, "\n"),
				 line + 3);
	fclose(f);
}

/* Whether @pid is a kernel thread: PF_KTHREAD in field 9 of its stat. */
static bool is_kthread(pid_t pid)
{
	char path[64], stat[512], *state;
	unsigned int flags = 0;
	FILE *f;

	proc_path(path, sizeof(path), pid, "stat");
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(stat, sizeof(stat), f))
		stat[0] = '\0';
	fclose(f);
	state = strrchr(stat, ')');
	return state && sscanf(state + 2, "%*c %*d %*d %*d %*d %*d %u",
			       &flags) == 1 && (flags & 0x00200000);
}

/*
 * Move every kernel thread user space may move (unbound kworkers among
 * them) into @dst, by the pids in @from's cgroup.procs that are kernel
 * threads; returns how many moved.
 */
static int move_kthreads(const char *from, const char *dst)
{
	char path[300], line[32];
	int moved = 0;
	FILE *procs;

	snprintf(path, sizeof(path), "%s/cgroup.procs", from);
	procs = fopen(path, "r");
	if (!procs)
		return 0;
	while (fgets(line, sizeof(line), procs)) {
		pid_t pid = atoi(line);

		if (is_kthread(pid) && !move_to(dst, pid))
			moved++;
	}
	fclose(procs);
	return moved;
}

/*
 * A handler is born in the cgroup of the kworker that starts it, which
 * user space cannot move (workqueue workers are bound): in the root
 * cgroup, also with every kernel thread that root can move moved out.
 */
static void test_born_in_root(void)
{
	char where_sealed[256], where_control[256];
	int moved, back;
	bool ok;

	moved = move_kthreads(CGROUP_ROOT, CGROUP);
	ok = !syscall(SYS_delete_module, LOADER, O_NONBLOCK) &&
	     wait_gone(sealed, 5000) && wait_gone(control, 5000) &&
	     !write_value(SAMPLE_FILE, "0") &&
	     !write_value(UNSEALED_FILE, "0");
	sealed = handler_pid(SAMPLE_COMM);
	control = handler_pid(UNSEALED_COMM);
	cgroup_of(sealed, where_sealed, sizeof(where_sealed));
	cgroup_of(control, where_control, sizeof(where_control));
	back = move_kthreads(CGROUP, CGROUP_ROOT);
	ksft_print_msg("seal: %d kernel threads moved to %s (%d back); new handlers in: %s, %s\n",
		       moved, CGROUP_NAME, back, where_sealed, where_control);
	ok = ok && moved > 0 && sealed > 0 && control > 0 &&
	     !strcmp(where_sealed, "/") && !strcmp(where_control, "/");
	ksft_test_result(ok, "new handlers start in the root cgroup\n");
}

/*
 * Set the oom_score_adj of every process but @keep to @val; with "-1000"
 * the OOM killer never chooses them. Returns how many were set.
 */
static int set_oom_score_adj_but(pid_t keep, const char *val)
{
	char path[300];
	struct dirent *d;
	DIR *proc;
	int n = 0;

	proc = opendir("/proc");
	if (!proc)
		return 0;
	while ((d = readdir(proc))) {
		if (!isdigit(d->d_name[0]) || atoi(d->d_name) == keep)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/oom_score_adj", d->d_name);
		if (!write_file(path, val))
			n++;
	}
	closedir(proc);
	return n;
}

/*
 * The OOM killer's SIGKILL comes from the kernel, and reaches a sealed
 * handler as it reaches any process. With every other process spared,
 * SysRq f has the OOM killer choose the sealed handler; the library starts
 * another with the next request.
 */
static bool oom_kill(pid_t pid)
{
	int spared, err;
	bool gone;

	spared = set_oom_score_adj_but(pid, "-1000");
	err = write_file("/proc/sysrq-trigger", "f");
	gone = !err && wait_gone(pid, 5000);
	set_oom_score_adj_but(pid, "0");
	ksft_print_msg("seal: SysRq f, %d spared: %s, pid %d %s\n", spared,
		       err_name(err), pid, gone ? "killed" : "alive");
	return gone;
}

static void test_oom_kill(void)
{
	pid_t old = sealed;
	bool gone = oom_kill(old);

	sealed = restart(old, SAMPLE_FILE, SAMPLE_COMM);
	ksft_print_msg("seal: sealed handler restarted as pid %d\n", sealed);
	ksft_test_result(gone && sealed > 0 && sealed != old,
			 "the OOM killer kills the sealed handler, which is restarted\n");
}

static void test_unload(void)
{
	bool ok;

	ok = !syscall(SYS_delete_module, LOADER, O_NONBLOCK);
	ok = ok && wait_gone(sealed, 5000) && wait_gone(control, 5000);
	ksft_print_msg("seal: removing %s: handler pids %d and %d %s\n",
		       LOADER, sealed, control, ok ? "gone" : "NOT gone");
	ok = ok && !handler_pid(SAMPLE_COMM) && !handler_pid(UNSEALED_COMM);
	ok = ok && !write_value(SAMPLE_FILE, "0") && loader_loaded();
	ksft_test_result(ok, "unloading %s stops the sealed handler\n",
			 LOADER);
}

/*
 * A per-task perf event that children inherit, on every kernel thread:
 * the kworker that starts the next handler passes a copy of it on (and
 * kthreadd to a new kworker). A task that has perf events when it seals
 * fails to start; the control, not sealed, starts with its copy. With the
 * events closed, the sealed handler starts again. The OOM killer stops
 * the sealed handler, which user space cannot.
 */
static void test_inherited_perf(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_TASK_CLOCK,
		.inherit = 1,
		.exclude_kernel = 1,
	};
	int fds[512], on_sealed, on_control, after;
	unsigned int n = 0;
	struct dirent *d;
	bool ok;
	DIR *proc;

	proc = opendir("/proc");
	while (proc && (d = readdir(proc)) && n < ARRAY_SIZE(fds)) {
		pid_t pid = atoi(d->d_name);

		if (pid <= 0 || !is_kthread(pid))
			continue;
		fds[n] = syscall(SYS_perf_event_open, &attr, pid, -1, -1,
				 PERF_FLAG_FD_CLOEXEC);
		if (fds[n] >= 0)
			n++;
	}
	if (proc)
		closedir(proc);
	/* A kernel thread left without an event would let the start pass. */
	ok = n && n < ARRAY_SIZE(fds) && oom_kill(sealed) &&
	     !kill(control, SIGKILL) && wait_gone(control, 5000);
	on_sealed = write_file(SAMPLE_FILE, "0");
	on_control = write_file(UNSEALED_FILE, "0");
	ksft_print_msg("seal: inherit perf events on %u kthreads: sealed start %s, unsealed %s\n",
		       n, err_name(on_sealed), err_name(on_control));
	while (n)
		close(fds[--n]);
	after = write_file(SAMPLE_FILE, "0");
	sealed = handler_pid(SAMPLE_COMM);
	control = handler_pid(UNSEALED_COMM);
	ksft_print_msg("seal: without them, sealed start %s\n", err_name(after));
	ok = ok && !on_control && !after && sealed > 0 && control > 0 &&
	     on_sealed == (enforce ? EPERM : 0);
	ksft_test_result(ok, "%s\n",
			 enforce ? "a handler with perf events at its seal does not start" :
				   "a handler with perf events starts (enforce=N)");
}

int main(void)
{
	size_t i;

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (access(SAMPLE_FILE, W_OK) || access(UNSEALED_FILE, W_OK))
		ksft_exit_skip("sample files missing: load sample_mgr\n");
	enforce = read_seal_param(ENFORCE);
	ksft_print_msg("seal: enforce=%c\n", enforce ? 'Y' : 'N');
	ksft_set_plan(ARRAY_SIZE(accesses) + 11);
	setup_cgroup();

	if (write_value(SAMPLE_FILE, "0") || write_value(UNSEALED_FILE, "0"))
		ksft_exit_fail_msg("the sample's handlers do not start\n");
	sealed = handler_pid(SAMPLE_COMM);
	control = handler_pid(UNSEALED_COMM);
	ksft_print_msg("seal: sealed handler pid %d, unsealed handler pid %d\n",
		       sealed, control);
	if (sealed <= 0 || control <= 0)
		ksft_exit_fail_msg("want one handler of each\n");

	for (i = 0; i < ARRAY_SIZE(accesses); i++)
		test_access(&accesses[i]);
	test_kill_all();
	test_sigio();
	test_memory();
	test_swap();
	test_still_answers();
	test_timeout();
	test_cgroup_kill();
	test_born_in_root();
	remove_cgroup();
	test_oom_kill();
	test_inherited_perf();
	test_unload();

	ksft_finished();
}
