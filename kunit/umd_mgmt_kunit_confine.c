// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the confinement the library gives a handler before its
 * exec: what the kernel sees of the handler process, and what a hostile
 * handler that does not confine itself gets when it tries to get out.
 *
 * The escape attempts run without the syscall filter, so that the other
 * layers (identity, capabilities, chroot, resource limits) are tested on
 * their own; the filter is tested on its own too. An unconfined handler
 * making the same attempts is the control: they succeed there.
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/ipc_namespace.h>
#include <linux/net.h>
#include <linux/nsproxy.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seccomp.h>
#include <linux/un.h>
#include <linux/usermode_driver_mgmt.h>
#include <net/net_namespace.h>

#include "umd_mgmt_kunit_util.h"

#define TIMEOUT_MS 1000

/*
 * In an attempt id: the handler closes its stdin first, so that
 * RLIMIT_NOFILE leaves it a descriptor and the layers behind that limit
 * are tried too; it exits after its reply.
 */
#define ESCAPE_FREE_FD 0x100

/*
 * Attempts that make a SysV shared memory segment of a page and a message
 * queue, both new, of a fixed key, and that remove those of that key.
 */
#define ESCAPE_SYSV_MAKE 15
#define ESCAPE_SYSV_REMOVE 16
/* An attempt that connects to UNIX_NAME, an abstract unix socket address. */
#define ESCAPE_UNIX_CONNECT 17
#define UNIX_NAME "umd_mgmt_kunit"

/* Attempt ids of the hostile handler's "escape" mode, and what they try. */
static const struct escape {
	u32 id;
	const char *what;
	/* safe for an unconfined handler in a KUnit kernel: the control */
	bool control;
	/* needs a new file descriptor: try again with one free */
	bool opens;
} escapes[] = {
	{ 0, "write /proc/sys/kernel/modprobe", false, true },
	{ 1, "read a root-only file (0600)", true, true },
	{ 2, "write a root-owned file (0644)", true, true },
	{ 3, "signal init: kill(1, 0)", true },
	{ 4, "fork", true },
	{ 5, "open a network socket", false, true },
	{ 6, "ptrace init" },
	{ 7, "write /dev/kmsg", false, true },
	{ 8, "read /proc/1/environ", false, true },
	{ 9, "mount a tmpfs" },
	{ 10, "load a module" },
	{ 11, "create a user namespace" },
	{ 12, "create a directory", true },
	{ 13, "setuid(0)" },
	{ 14, "chroot(\"..\")" },
};

struct confine {
	struct umd_mgmt mgmt;
};

static int load(struct confine *c, const char *name, bool hostile)
{
	return umd_mgmt_kunit_load(&c->mgmt, name, hostile);
}

/* What the kernel says of a handler process, read from its task. */
struct seen {
	uid_t uid, euid, suid, fsuid;
	gid_t gid;
	int ngroups;
	bool caps_clear;
	bool full_caps;
	bool no_new_privs;
	int seccomp;
	unsigned long nproc, nofile, fsize, core, as;
	bool root_is_own;
	int dumpable;
	/* its namespaces are not the kernel's (this kthread's) */
	bool own_ipc_ns, own_net_ns, own_uts_ns;
};

static int see(struct confine *c, struct seen *s)
{
	const struct cred *cred;
	struct task_struct *task;
	struct mm_struct *mm;
	struct path root;

	task = umd_mgmt_kunit_task(&c->mgmt);
	if (!task)
		return -ESRCH;

	cred = get_task_cred(task);
	s->uid = from_kuid(&init_user_ns, cred->uid);
	s->euid = from_kuid(&init_user_ns, cred->euid);
	s->suid = from_kuid(&init_user_ns, cred->suid);
	s->fsuid = from_kuid(&init_user_ns, cred->fsuid);
	s->gid = from_kgid(&init_user_ns, cred->gid);
	s->ngroups = cred->group_info->ngroups;
	s->caps_clear = cap_isclear(cred->cap_effective) &&
			cap_isclear(cred->cap_permitted) &&
			cap_isclear(cred->cap_inheritable) &&
			cap_isclear(cred->cap_bset) &&
			cap_isclear(cred->cap_ambient);
	s->full_caps = cap_isidentical(cred->cap_effective, CAP_FULL_SET);
	put_cred(cred);

	s->no_new_privs = task_no_new_privs(task);
#ifdef CONFIG_SECCOMP
	s->seccomp = READ_ONCE(task->seccomp.mode);
#else
	s->seccomp = -1;
#endif
	s->nproc = task_rlimit(task, RLIMIT_NPROC);
	s->nofile = task_rlimit(task, RLIMIT_NOFILE);
	s->fsize = task_rlimit(task, RLIMIT_FSIZE);
	s->core = task_rlimit(task, RLIMIT_CORE);
	s->as = task_rlimit(task, RLIMIT_AS);

	task_lock(task);
	get_fs_root(task->fs, &root);
	task_unlock(task);
	s->root_is_own = path_equal(&root, &c->mgmt.info.wd);
	path_put(&root);

	task_lock(task);
	if (task->nsproxy) {
		s->own_ipc_ns = task->nsproxy->ipc_ns != current->nsproxy->ipc_ns;
		s->own_net_ns = task->nsproxy->net_ns != current->nsproxy->net_ns;
		s->own_uts_ns = task->nsproxy->uts_ns != current->nsproxy->uts_ns;
	}
	task_unlock(task);

	mm = get_task_mm(task);
	s->dumpable = mm ? get_dumpable(mm) : -1;
	if (mm)
		mmput(mm);
	put_task_struct(task);
	return 0;
}

static void expect_confined(struct kunit *test, struct seen *s, uid_t uid,
			    gid_t gid)
{
	KUNIT_EXPECT_EQ(test, s->uid, uid);
	KUNIT_EXPECT_EQ(test, s->euid, uid);
	KUNIT_EXPECT_EQ(test, s->suid, uid);
	KUNIT_EXPECT_EQ(test, s->fsuid, uid);
	KUNIT_EXPECT_EQ(test, s->gid, gid);
	KUNIT_EXPECT_EQ(test, s->ngroups, 0);
	KUNIT_EXPECT_TRUE(test, s->caps_clear);
	KUNIT_EXPECT_TRUE(test, s->no_new_privs);
	KUNIT_EXPECT_EQ(test, s->nproc, 0);
	KUNIT_EXPECT_EQ(test, s->nofile, 2);
	KUNIT_EXPECT_EQ(test, s->fsize, 0);
	KUNIT_EXPECT_EQ(test, s->core, 0);
	KUNIT_EXPECT_EQ(test, s->as, UMD_CONFINED_AS_MAX);
	KUNIT_EXPECT_TRUE(test, s->root_is_own);
	KUNIT_EXPECT_EQ(test, s->dumpable, SUID_DUMP_DISABLE);
	KUNIT_EXPECT_EQ(test, s->own_ipc_ns, IS_ENABLED(CONFIG_IPC_NS));
	KUNIT_EXPECT_EQ(test, s->own_net_ns, IS_ENABLED(CONFIG_NET_NS));
	KUNIT_EXPECT_EQ(test, s->own_uts_ns, IS_ENABLED(CONFIG_UTS_NS));
}

/* A seed-era manager, which sets none of the new fields, gets it all. */
static void umd_mgmt_confine_default(struct kunit *test)
{
	struct confine *c = test->priv;
	struct seen s;
	int err;

	KUNIT_ASSERT_EQ(test, load(c, "umd_confine_default", false), 0);
	err = see(c, &s);
	KUNIT_ASSERT_EQ(test, err, 0);
	expect_confined(test, &s, UMD_MGMT_DEFAULT_UID, UMD_MGMT_DEFAULT_GID);
	if (IS_ENABLED(CONFIG_SECCOMP))
		KUNIT_EXPECT_EQ(test, s.seccomp, SECCOMP_MODE_STRICT);
}

static void umd_mgmt_confine_own_ids(struct kunit *test)
{
	struct confine *c = test->priv;
	struct seen s;

	c->mgmt.uid = KUIDT_INIT(1234);
	c->mgmt.gid = KGIDT_INIT(4321);
	KUNIT_ASSERT_EQ(test, load(c, "umd_confine_ids", false), 0);
	KUNIT_ASSERT_EQ(test, see(c, &s), 0);
	expect_confined(test, &s, 1234, 4321);
}

/* The opt-outs are explicit, and visible in the handler's credentials. */
static void umd_mgmt_confine_opt_outs(struct kunit *test)
{
	struct confine *c = test->priv;
	struct seen s;

	c->mgmt.flags = UMD_MGMT_NO_SYSCALL_FILTER;
	KUNIT_ASSERT_EQ(test, load(c, "umd_confine_nofilter", false), 0);
	KUNIT_ASSERT_EQ(test, see(c, &s), 0);
	expect_confined(test, &s, UMD_MGMT_DEFAULT_UID, UMD_MGMT_DEFAULT_GID);
	if (IS_ENABLED(CONFIG_SECCOMP))
		KUNIT_EXPECT_EQ(test, s.seccomp, SECCOMP_MODE_DISABLED);
	umd_mgmt_unload(&c->mgmt);

	c->mgmt.flags = UMD_MGMT_UNCONFINED;
	KUNIT_ASSERT_EQ(test, load(c, "umd_confine_unconf", false), 0);
	KUNIT_ASSERT_EQ(test, see(c, &s), 0);
	KUNIT_EXPECT_EQ(test, s.uid, 0);
	KUNIT_EXPECT_TRUE(test, s.full_caps);
	KUNIT_EXPECT_FALSE(test, s.no_new_privs);
	KUNIT_EXPECT_FALSE(test, s.root_is_own);
	KUNIT_EXPECT_FALSE(test, s.own_ipc_ns);
	KUNIT_EXPECT_FALSE(test, s.own_net_ns);
	KUNIT_EXPECT_FALSE(test, s.own_uts_ns);
}

/* Any system call but read, write and exit kills a filtered handler. */
static void umd_mgmt_confine_syscall_filter(struct kunit *test)
{
	struct confine *c = test->priv;
	u32 value = 8, reply = 0;
	int err;

	if (!IS_ENABLED(CONFIG_SECCOMP))
		kunit_skip(test, "no seccomp in this kernel");

	KUNIT_ASSERT_EQ(test, load(c, "umd_filter_syscall", true), 0);
	err = umd_mgmt_send_recv(&c->mgmt, &value, 4, &reply, 4);
	KUNIT_EXPECT_EQ(test, err, -EPIPE);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes("umd_filter_syscall"), 0);
	umd_mgmt_unload(&c->mgmt);

	/* The control: without the filter, the same handler answers. */
	c->mgmt.flags = UMD_MGMT_NO_SYSCALL_FILTER;
	KUNIT_ASSERT_EQ(test, load(c, "umd_filter_syscall", true), 0);
	err = umd_mgmt_send_recv(&c->mgmt, &value, 4, &reply, 4);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, reply, value);
}

/* A root-owned file in the handler's own tmpfs. */
static int plant_file(struct confine *c, const char *name, umode_t mode)
{
	struct file *file;
	loff_t pos = 0;
	ssize_t n;

	file = file_open_root_mnt(c->mgmt.info.wd.mnt, name,
				  O_CREAT | O_WRONLY, mode);
	if (IS_ERR(file))
		return PTR_ERR(file);
	n = kernel_write(file, "root's\n", 7, &pos);
	fput(file);
	return n == 7 ? 0 : -EIO;
}

/* Makes attempt @id; returns whether it turned out as @control expects. */
static bool try_escape(struct kunit *test, struct confine *c,
		       const struct escape *e, u32 id, bool control)
{
	const char *how = id & ESCAPE_FREE_FD ? " (a descriptor free)" : "";
	unsigned long start = jiffies;
	unsigned int took;
	s64 result = 0;
	int err;

	err = umd_mgmt_send_recv(&c->mgmt, &id, sizeof(id), &result,
				 sizeof(result));
	took = jiffies_to_msecs(jiffies - start);
	kunit_info(test, "%s: %s%s: %lld (%u ms)\n",
		   control ? "unconfined" : "confined", e->what, how, result,
		   took);
	/* The handler exits after such an attempt: let it go. */
	if (id & ESCAPE_FREE_FD)
		umd_mgmt_kunit_wait_gone(c->mgmt.info.driver_name, 1000);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "%s", e->what);
	KUNIT_EXPECT_LT(test, took, TIMEOUT_MS + 1000);
	if (!err && (control ? result >= 0 : result < 0))
		return true;
	KUNIT_FAIL(test, "%s%s: %lld", e->what, how, result);
	return false;
}

/*
 * Makes each attempt, or with @control those an unconfined handler may
 * make in a KUnit kernel; returns how many did not turn out as expected:
 * fail when confined, succeed in the control.
 */
static int try_escapes(struct kunit *test, struct confine *c, bool control)
{
	int i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(escapes); i++) {
		const struct escape *e = &escapes[i];

		if (control && !e->control)
			continue;
		failed += !try_escape(test, c, e, e->id, control);
		if (!control && e->opens)
			failed += !try_escape(test, c, e,
					      e->id | ESCAPE_FREE_FD, false);
	}
	return failed;
}

/* Loads the escaping handler @name with @flags, and has it try. */
static void run_escapes(struct kunit *test, const char *name,
			unsigned int flags)
{
	bool control = flags & UMD_MGMT_UNCONFINED;
	struct confine *c = test->priv;

	c->mgmt.flags = flags;
	KUNIT_ASSERT_EQ(test, load(c, name, true), 0);
	KUNIT_ASSERT_EQ(test, plant_file(c, "secret", 0600), 0);
	KUNIT_ASSERT_EQ(test, plant_file(c, "owned", 0644), 0);

	KUNIT_EXPECT_EQ(test, try_escapes(test, c, control), 0);
	umd_mgmt_unload(&c->mgmt);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(name), 0);
	KUNIT_EXPECT_NULL(test, c->mgmt.info.wd.mnt);
}

static void umd_mgmt_confine_escapes(struct kunit *test)
{
	/* Without the filter, which would kill it at its first attempt. */
	run_escapes(test, "umd_confine_escape", UMD_MGMT_NO_SYSCALL_FILTER);
}

static void umd_mgmt_confine_escapes_control(struct kunit *test)
{
	run_escapes(test, "umd_unconf_escape", UMD_MGMT_UNCONFINED);
}

/* Makes attempt @id: its result, or the errno of the exchange. */
static s64 attempt(struct confine *c, u32 id)
{
	s64 result = 0;
	int err;

	err = umd_mgmt_send_recv(&c->mgmt, &id, sizeof(id), &result,
				 sizeof(result));
	return err ?: result;
}

/* Pages of SysV shared memory in the kernel's (this kthread's) namespace. */
static long shm_pages(void)
{
	return READ_ONCE(current->nsproxy->ipc_ns->shm_tot);
}

/* Kills the handler of @c, for the next request to start another. */
static int restart(struct confine *c)
{
	return umd_mgmt_kunit_kill_nr(pid_nr(c->mgmt.info.tgid));
}

/*
 * Without the syscall filter, a confined handler can make SysV IPC
 * objects, but in an IPC namespace of its own, which goes with it: 10
 * handlers in turn each make new ones of the same key, and none is left
 * in the kernel's namespace. The unconfined control's are left there,
 * until it removes them.
 */
static void umd_mgmt_confine_sysv(struct kunit *test)
{
	struct confine *c = test->priv;
	int made = 0, restarted = 0, i;
	s64 absent, ctl_made, removed, removed_again;
	long before, confined_left, ctl_left;

	if (!IS_ENABLED(CONFIG_SYSVIPC) || !IS_ENABLED(CONFIG_IPC_NS))
		kunit_skip(test, "no SysV IPC namespaces in this kernel");

	before = shm_pages();
	c->mgmt.flags = UMD_MGMT_NO_SYSCALL_FILTER;
	KUNIT_ASSERT_EQ(test, load(c, "umd_ipc_escape", true), 0);
	for (i = 0; i < 10; i++) {
		made += attempt(c, ESCAPE_SYSV_MAKE) >= 0;
		restarted += !restart(c);
	}
	confined_left = shm_pages() - before;
	umd_mgmt_unload(&c->mgmt);

	c->mgmt.flags = UMD_MGMT_UNCONFINED;
	KUNIT_ASSERT_EQ(test, load(c, "umd_ipcc_escape", true), 0);
	absent = attempt(c, ESCAPE_SYSV_REMOVE);
	ctl_made = attempt(c, ESCAPE_SYSV_MAKE);
	restarted += !restart(c);
	ctl_left = shm_pages() - before;
	removed = attempt(c, ESCAPE_SYSV_REMOVE);
	removed_again = attempt(c, ESCAPE_SYSV_REMOVE);
	umd_mgmt_unload(&c->mgmt);

	kunit_info(test, "confined: %d of 10 made new objects, %ld pages left; unconfined: %ld left, removed %lld\n",
		   made, confined_left, ctl_left, removed);
	KUNIT_EXPECT_EQ(test, made, 10);
	KUNIT_EXPECT_EQ(test, restarted, 11);
	KUNIT_EXPECT_EQ(test, confined_left, 0);
	KUNIT_EXPECT_EQ(test, absent, -ENOENT);
	KUNIT_EXPECT_GE(test, ctl_made, 0);
	KUNIT_EXPECT_EQ(test, ctl_left, 1);
	KUNIT_EXPECT_EQ(test, removed, 0);
	KUNIT_EXPECT_EQ(test, removed_again, -ENOENT);
	KUNIT_EXPECT_EQ(test, shm_pages(), before);
}

/* Listens at UNIX_NAME in the kernel's network namespace. */
static int listen_unix(struct socket **sock)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int err;

	err = sock_create_kern(&init_net, AF_UNIX, SOCK_STREAM, 0, sock);
	if (err)
		return err;
	/* sun_path[0] is 0: an abstract address, of its network namespace. */
	memcpy(addr.sun_path + 1, UNIX_NAME, strlen(UNIX_NAME));
	err = kernel_bind(*sock, (struct sockaddr *)&addr,
			  offsetof(struct sockaddr_un, sun_path) + 1 +
			  strlen(UNIX_NAME));
	if (!err)
		err = kernel_listen(*sock, 4);
	if (err)
		sock_release(*sock);
	return err;
}

/*
 * Without the syscall filter, a confined handler with a descriptor free
 * can open a socket, but in a network namespace of its own: it cannot
 * connect to a unix socket the kernel's namespace listens at. The
 * unconfined control can.
 */
static void umd_mgmt_confine_socket(struct kunit *test)
{
	struct confine *c = test->priv;
	s64 confined, control;
	struct socket *sock;

	if (!IS_ENABLED(CONFIG_UNIX) || !IS_ENABLED(CONFIG_NET_NS))
		kunit_skip(test, "no unix sockets or network namespaces in this kernel");

	KUNIT_ASSERT_EQ(test, listen_unix(&sock), 0);
	c->mgmt.flags = UMD_MGMT_NO_SYSCALL_FILTER;
	confined = load(c, "umd_net_escape", true) ?:
		   attempt(c, ESCAPE_UNIX_CONNECT | ESCAPE_FREE_FD);
	umd_mgmt_unload(&c->mgmt);
	c->mgmt.flags = UMD_MGMT_UNCONFINED;
	control = load(c, "umd_netc_escape", true) ?:
		  attempt(c, ESCAPE_UNIX_CONNECT);
	umd_mgmt_unload(&c->mgmt);
	sock_release(sock);
	kunit_info(test, "connect to @" UNIX_NAME ": confined %lld, unconfined %lld\n",
		   confined, control);
	KUNIT_EXPECT_EQ(test, confined, -ECONNREFUSED);
	KUNIT_EXPECT_EQ(test, control, 0);
}

static int confine_init(struct kunit *test)
{
	struct confine *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	mutex_init(&c->mgmt.lock);
	c->mgmt.kmod = "umd_mgmt_kunit_no_such_loader";
	c->mgmt.timeout_ms = TIMEOUT_MS;
	test->priv = c;
	return 0;
}

static void confine_exit(struct kunit *test)
{
	struct confine *c = test->priv;

	umd_mgmt_unload(&c->mgmt);
	mutex_destroy(&c->mgmt.lock);
}

static struct kunit_case umd_mgmt_confine_cases[] = {
	KUNIT_CASE(umd_mgmt_confine_default),
	KUNIT_CASE(umd_mgmt_confine_own_ids),
	KUNIT_CASE(umd_mgmt_confine_opt_outs),
	KUNIT_CASE(umd_mgmt_confine_syscall_filter),
	KUNIT_CASE(umd_mgmt_confine_escapes),
	KUNIT_CASE(umd_mgmt_confine_escapes_control),
	KUNIT_CASE(umd_mgmt_confine_sysv),
	KUNIT_CASE(umd_mgmt_confine_socket),
	{}
};

static struct kunit_suite umd_mgmt_confine_suite = {
	.name = "umd_mgmt_confine",
	.init = confine_init,
	.exit = confine_exit,
	.test_cases = umd_mgmt_confine_cases,
};

kunit_test_suite(umd_mgmt_confine_suite);
