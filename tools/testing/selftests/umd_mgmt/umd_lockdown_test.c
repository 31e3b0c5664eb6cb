// SPDX-License-Identifier: GPL-2.0-only
/*
 * Selftest of umd_seal.lockdown, as root. Root's kernel-level ways into a
 * process pass no hook that names the task, so the seal's per-task checks
 * do not see them. Each is tried on the sample's sealed handler with the
 * switch off, where it must work, then with it on, where it must be
 * refused:
 *  - /proc/kcore, the kernel's memory and so every page, opens;
 *  - a kprobe event reads the handler's last request out of its memory;
 *  - a BPF kprobe program kills the handler with bpf_send_signal(); a
 *    socket filter, a program of another type, loads;
 *  - a CPU-wide perf event samples the handler's user stack, and its
 *    last request there;
 *  - /dev/snapshot, the hibernation image, opens; /sys/power/state
 *    offers "disk";
 *  - kexec_file_load() loads the kernel at /boot/bzImage (then unloads
 *    it): a kernel of root's choice, which reads all of memory.
 * Then the handler must still answer. Nothing clears the switch, so the
 * test runs only if UMD_SEAL_LOCKDOWN_TEST=1 says that this boot may lose
 * BPF, tracefs and CPU-wide perf events: last, in a test guest. Needs the
 * sample_mgr module loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/kexec.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kselftest.h"
#include "sample_umd_test.h"

#define LOCKDOWN "/sys/module/umd_seal/parameters/lockdown"
#define TRACEFS "/sys/kernel/tracing"
#define KPROBE_EVENT "umd_lockdown_read"
#define KPROBE_DIR TRACEFS "/events/kprobes/" KPROBE_EVENT
/* What the handler keeps in its request buffer until the next request. */
#define REQUEST "12345"
#define MAX_CPUS 64
/* Per CPU: room for the samples of every context switch of a request. */
#define RING_PAGES 512
#define STACK_BYTES 8192
#define STACK_REQUEST "4951"
#define KERNEL_IMAGE "/boot/bzImage"

static pid_t handler;
static bool was_on;

/* Open /proc/kcore and read its ELF magic. */
static int try_kcore(void)
{
	char magic[4];
	int fd, err = 0;

	fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (read(fd, magic, sizeof(magic)) != sizeof(magic) ||
	    memcmp(magic, "\177ELF", sizeof(magic)))
		err = SETUP_FAILED;
	close(fd);
	return err;
}

/* Whether @path holds a line with @want. */
static bool file_has(const char *path, const char *want)
{
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want);
	fclose(f);
	return found;
}

/*
 * A kprobe event on vfs_read() with a fetch argument that reads 4 bytes of
 * user memory at the buffer argument, filtered to the handler: at the read
 * of its next request, the buffer still holds the last one.
 */
static int try_kprobe_fetch(void)
{
	char filter[32];
	bool seen;
	int err, fd;

	err = write_file(TRACEFS "/kprobe_events",
			 "p:" KPROBE_EVENT " vfs_read req=+u0($arg2):u32");
	if (err)
		return err;
	snprintf(filter, sizeof(filter), "common_pid == %d", handler);
	fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	seen = fd >= 0 && !write_file(KPROBE_DIR "/filter", filter) &&
	       !write_file(KPROBE_DIR "/enable", "1") &&
	       /* The second request shows that the read after the first began. */
	       !write_value(SAMPLE_FILE, REQUEST) &&
	       !write_value(SAMPLE_FILE, "0");
	write_file(KPROBE_DIR "/enable", "0");
	seen = seen && file_has(TRACEFS "/trace", "req=" REQUEST);
	write_file(TRACEFS "/kprobe_events", "-:" KPROBE_EVENT);
	ksft_print_msg("lockdown: kprobe event: the handler's last request %s in the trace\n",
		       seen ? REQUEST : "not");
	return seen ? 0 : SETUP_FAILED;
}

static int perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

/* Load a BPF program: its fd, or -errno. */
static int bpf_load(__u32 type, const struct bpf_insn *insns, __u32 count)
{
	union bpf_attr attr = {
		.prog_type = type,
		.insns = (uintptr_t)insns,
		.insn_cnt = count,
		.license = (uintptr_t)"GPL",
	};
	int fd;

	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* A kprobe program that kills process @pid: its fd, or -errno. */
static int load_killer(pid_t pid)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL,
		  .imm = BPF_FUNC_get_current_pid_tgid },
		{ .code = BPF_ALU64 | BPF_RSH | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = 32 },
		{ .code = BPF_JMP | BPF_JNE | BPF_K, .dst_reg = BPF_REG_0,
		  .off = 2, .imm = pid },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1,
		  .imm = SIGKILL },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_send_signal },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_load(BPF_PROG_TYPE_KPROBE, insns, ARRAY_SIZE(insns));
}

/* The simplest program of another type: a socket filter that drops all. */
static int try_bpf_filter(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, ARRAY_SIZE(insns));

	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

/* The kprobe PMU's type, from sysfs; -1 if there is none. */
static int kprobe_pmu(void)
{
	int type = -1;
	FILE *f;

	f = fopen("/sys/bus/event_source/devices/kprobe/type", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	return type;
}

/*
 * Load the program and attach it to vfs_read(): the handler dies in the
 * read after its next answer. The library starts another. The event is
 * opened on CPU 0, as libbpf does: the program runs on every CPU the
 * probe hits.
 */
static int try_bpf_kill(void)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = kprobe_pmu(),
		.config1 = (uintptr_t)"vfs_read",
	};
	int prog, event, err = 0;
	bool gone;

	prog = load_killer(handler);
	if (prog < 0)
		return -prog;
	event = perf_event_open(&attr, -1, 0);
	if (event < 0 || ioctl(event, PERF_EVENT_IOC_SET_BPF, prog) ||
	    ioctl(event, PERF_EVENT_IOC_ENABLE, 0))
		err = SETUP_FAILED;
	gone = !err && !write_value(SAMPLE_FILE, "1") && wait_gone(handler, 2000);
	if (event >= 0)
		close(event);
	close(prog);
	if (!gone)
		err = SETUP_FAILED;
	write_value(SAMPLE_FILE, "0");
	ksft_print_msg("lockdown: BPF: handler pid %d %s, now pid %d\n", handler,
		       gone ? "killed by bpf_send_signal()" : "not killed",
		       handler_pid(SAMPLE_COMM));
	handler = handler_pid(SAMPLE_COMM);
	return err;
}

/* Copy @len bytes at @off of the ring @data of @size bytes into @dst. */
static void ring_copy(const char *data, size_t size, __u64 off, void *dst,
		      size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		((char *)dst)[i] = data[(off + i) % size];
}

/*
 * The handler's samples in the ring at @base, and how many of their user
 * stacks hold @request, its last request: a 4-byte buffer on its stack.
 */
static int handler_samples(void *base, size_t page, __u32 request,
			   int *holding)
{
	struct perf_event_mmap_page *meta = base;
	const char *data = (char *)base + page;
	size_t size = RING_PAGES * page;
	struct perf_event_header hdr;
	__u64 off, head, stack_size, i;
	__u32 pid_tid[2], word;
	int found = 0;

	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	for (off = meta->data_tail; off < head; off += hdr.size) {
		ring_copy(data, size, off, &hdr, sizeof(hdr));
		if (hdr.size < sizeof(hdr))
			break;
		if (hdr.type != PERF_RECORD_SAMPLE)
			continue;
		/* PERF_SAMPLE_TID, then PERF_SAMPLE_STACK_USER's size and bytes. */
		ring_copy(data, size, off + sizeof(hdr), pid_tid,
			  sizeof(pid_tid));
		ring_copy(data, size, off + sizeof(hdr) + 8, &stack_size, 8);
		if (pid_tid[0] != (__u32)handler)
			continue;
		found++;
		for (i = 0; i + sizeof(word) <= stack_size; i += sizeof(word)) {
			ring_copy(data, size, off + sizeof(hdr) + 16 + i, &word,
				  sizeof(word));
			if (word == request) {
				(*holding)++;
				break;
			}
		}
	}
	return found;
}

/*
 * A context-switch event on each CPU, not bound to a task, that samples
 * the user stack of whatever switches out: the handler does, each time it
 * waits for a request, with its last request on its stack.
 */
static int try_perf_cpu(void)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CONTEXT_SWITCHES,
		.sample_period = 1,
		.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_STACK_USER,
		.sample_stack_user = STACK_BYTES,
		.disabled = 1,
	};
	size_t page = sysconf(_SC_PAGESIZE), len = (RING_PAGES + 1) * page;
	int cpus = sysconf(_SC_NPROCESSORS_CONF), fd[MAX_CPUS], cpu, i, err = 0;
	int found = 0, holding = 0, n = 0;
	void *ring[MAX_CPUS];

	if (cpus > MAX_CPUS)
		return SETUP_FAILED;
	for (cpu = 0; cpu < cpus && !err; cpu++) {
		fd[n] = perf_event_open(&attr, -1, cpu);
		/* An offline CPU. */
		if (fd[n] < 0 && errno == ENODEV)
			continue;
		if (fd[n] < 0) {
			err = errno;
			break;
		}
		ring[n] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd[n], 0);
		if (ring[n] == MAP_FAILED) {
			err = SETUP_FAILED;
			close(fd[n]);
			break;
		}
		n++;
	}
	for (i = 0; i < n && !err; i++)
		if (ioctl(fd[i], PERF_EVENT_IOC_ENABLE, 0))
			err = SETUP_FAILED;
	if (!err && write_value(SAMPLE_FILE, STACK_REQUEST))
		err = SETUP_FAILED;
	for (i = 0; i < n; i++) {
		ioctl(fd[i], PERF_EVENT_IOC_DISABLE, 0);
		if (!err)
			found += handler_samples(ring[i], page,
						 atoi(STACK_REQUEST), &holding);
		munmap(ring[i], len);
		close(fd[i]);
	}
	if (!err) {
		ksft_print_msg("lockdown: CPU-wide perf: request %s in %d of %d user stacks\n",
			       STACK_REQUEST, holding, found);
		if (!holding)
			err = SETUP_FAILED;
	}
	return err;
}

/* Open the hibernation image device; "disk" must be on offer with it. */
static int try_snapshot(void)
{
	bool disk = file_has("/sys/power/state", "disk");
	int fd, err;

	fd = open("/dev/snapshot", O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	ksft_print_msg("lockdown: /sys/power/state %s \"disk\"\n",
		       disk ? "offers" : "does not offer");
	/* Both or neither: hibernation_available() decides both. */
	return disk == !err ? err : SETUP_FAILED;
}

/* Load the kernel image for a kexec reboot, and unload it. */
static int try_kexec(void)
{
	int fd, err = 0;

	fd = open(KERNEL_IMAGE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return SETUP_FAILED;
	if (syscall(SYS_kexec_file_load, fd, -1, 1, "", KEXEC_FILE_NO_INITRAMFS))
		err = errno;
	close(fd);
	if (!err && syscall(SYS_kexec_file_load, -1, -1, 0, NULL,
			    KEXEC_FILE_UNLOAD))
		err = SETUP_FAILED;
	return err;
}

struct path_try {
	const char *name;
	int (*try)(void);
	/* What lockdown answers. */
	int refusal;
	/* What it answers when it was set before this path was set up. */
	int boot_refusal;
};

static const struct path_try paths[] = {
	{ "open /proc/kcore", try_kcore, EPERM },
	/* Set on the command line, tracefs makes no files. */
	{ "kprobe event fetching user memory", try_kprobe_fetch, EPERM, ENOENT },
	{ "BPF program calling bpf_send_signal()", try_bpf_kill, EPERM },
	{ "BPF socket filter load", try_bpf_filter, EPERM },
	{ "CPU-wide perf sampling of user stacks", try_perf_cpu, EACCES },
	{ "open /dev/snapshot (hibernation)", try_snapshot, EPERM },
	{ "kexec_file_load() of " KERNEL_IMAGE, try_kexec, EPERM },
};

static void test_path(const struct path_try *p, bool on)
{
	int err = p->try(), want = on ? p->refusal : 0;

	if (on && was_on && p->boot_refusal)
		want = p->boot_refusal;

	ksft_test_result(err == want, "lockdown=%c: %s: %s (want %s)\n",
			 on ? 'Y' : 'N', p->name, err_name(err),
			 err_name(want));
}

/* Set the switch, then try to clear it. */
static void test_set(void)
{
	int set = write_file(LOCKDOWN, "1");
	int clear = write_file(LOCKDOWN, "0");
	bool now = read_seal_param(LOCKDOWN);

	ksft_print_msg("lockdown: set %s, clear %s, reads %c\n", err_name(set),
		       err_name(clear), now ? 'Y' : 'N');
	ksft_test_result(!set && clear == EPERM && now,
			 "lockdown set, and cannot be cleared\n");
}

int main(void)
{
	const char *ok = getenv("UMD_SEAL_LOCKDOWN_TEST");
	size_t i;

	ksft_print_header();
	if (!ok || strcmp(ok, "1"))
		ksft_exit_skip("irreversible: set UMD_SEAL_LOCKDOWN_TEST=1 to run\n");
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (access(SAMPLE_FILE, W_OK))
		ksft_exit_skip("sample files missing: load sample_mgr\n");
	ksft_set_plan(2 * ARRAY_SIZE(paths) + 2);
	if (!file_has("/proc/mounts", " " TRACEFS " tracefs ") &&
	    mount("nodev", TRACEFS, "tracefs", 0, NULL))
		ksft_exit_fail_msg("mount tracefs: %s\n", strerror(errno));
	if (write_value(SAMPLE_FILE, "0"))
		ksft_exit_fail_msg("the sealed handler does not start\n");
	handler = handler_pid(SAMPLE_COMM);
	if (handler <= 0)
		ksft_exit_fail_msg("want one sealed handler\n");

	was_on = read_seal_param(LOCKDOWN);
	ksft_print_msg("lockdown: starts %s, sealed handler pid %d\n",
		       was_on ? "on" : "off", handler);
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		if (was_on)
			ksft_test_result_skip("lockdown=N: %s: on from boot\n",
					      paths[i].name);
		else
			test_path(&paths[i], false);
	}
	test_set();
	for (i = 0; i < ARRAY_SIZE(paths); i++)
		test_path(&paths[i], true);
	ksft_test_result(!write_value(SAMPLE_FILE, "5") &&
			 handler_pid(SAMPLE_COMM) == handler,
			 "sealed handler pid %d still answers\n", handler);
	ksft_finished();
}
