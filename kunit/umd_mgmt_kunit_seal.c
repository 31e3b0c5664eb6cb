// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of sealed handlers (UMD_MGMT_SEALED), seen from the kernel:
 * a sealed handler's memory is locked and not dumpable, it cannot fork,
 * and the library still stops it by its deadline and on unload. That user space cannot
 * reach it is tested from user space, by the selftest umd_seal_test.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/usermode_driver_mgmt.h>

#include "umd_mgmt_kunit_util.h"

#define TIMEOUT_MS 300
#define REPLY_LEN SZ_128K

struct seal {
	struct umd_mgmt mgmt;
	u8 *reply;
};

/*
 * What the kernel says of a handler's memory, in pages: what is locked and
 * resident, and the mappings mlock() cannot lock (VM_SPECIAL, such as the
 * vDSO or UML's stub pages), which may be resident but never locked.
 */
struct memory {
	unsigned long locked, resident, unlockable;
	/* lockable mappings that are not VM_LOCKED */
	int unlocked_vmas;
	int dumpable;
	unsigned long core, memlock;
};

static void see_mappings(struct mm_struct *mm, struct memory *m)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;

	mmap_read_lock(mm);
	for_each_vma(vmi, vma) {
		if (vma->vm_flags & VM_SPECIAL)
			m->unlockable += vma_pages(vma);
		else if (!(vma->vm_flags & VM_LOCKED))
			m->unlocked_vmas++;
	}
	m->locked = mm->locked_vm;
	mmap_read_unlock(mm);
}

static int load(struct seal *s, const char *name, unsigned int flags,
		bool hostile)
{
	s->mgmt.flags = flags;
	return umd_mgmt_kunit_load(&s->mgmt, name, hostile);
}

/* One sample request, answered only once the handler has run. */
static int ask(struct seal *s, u32 offset)
{
	int err;

	err = umd_mgmt_send_recv(&s->mgmt, &offset, sizeof(offset), s->reply,
				 REPLY_LEN);
	if (!err && (s->reply[offset] != 1 ||
		     memchr_inv(s->reply, 0, offset)))
		err = -EINVAL;
	return err;
}

static int see(struct seal *s, struct memory *m)
{
	struct task_struct *task;
	struct mm_struct *mm;
	int i;

	task = umd_mgmt_kunit_task(&s->mgmt);
	if (!task)
		return -ESRCH;
	m->core = task_rlimit(task, RLIMIT_CORE);
	m->memlock = task_rlimit(task, RLIMIT_MEMLOCK);
	mm = get_task_mm(task);
	put_task_struct(task);
	if (!mm)
		return -ESRCH;
	see_mappings(mm, m);
	/*
	 * get_mm_rss() leaves out what each CPU has not yet folded into the
	 * counters (SMP): sum them.
	 */
	m->resident = 0;
	for (i = 0; i < NR_MM_COUNTERS; i++)
		if (i != MM_SWAPENTS)
			m->resident += percpu_counter_sum_positive(&mm->rss_stat[i]);
	m->dumpable = get_dumpable(mm);
	mmput(mm);
	return 0;
}

/*
 * Whether all of a handler's memory is locked: every mapping that can be,
 * all of it resident, and nothing else resident, the unlockable mappings
 * included.
 */
static void expect_locked(struct kunit *test, struct memory *m)
{
	KUNIT_EXPECT_GT(test, m->locked, 0);
	KUNIT_EXPECT_EQ(test, m->unlocked_vmas, 0);
	KUNIT_EXPECT_EQ(test, m->resident, m->locked);
}

/*
 * Without the LSM, a sealed handler does not start; with it, its memory is
 * all locked, once it has run, and a second request shows it stays so.
 */
static void umd_mgmt_seal_memory(struct kunit *test)
{
	struct seal *s = test->priv;
	int load_err, err1 = -1, err2 = -1, seen = -1, left;
	struct memory m = {};

	load_err = load(s, "umd_seal_memory", UMD_MGMT_SEALED, false);
	if (!load_err) {
		err1 = ask(s, 1);
		err2 = ask(s, REPLY_LEN - 1);
		seen = see(s, &m);
	}
	umd_mgmt_unload(&s->mgmt);
	left = umd_mgmt_kunit_processes("umd_seal_memory");

	kunit_info(test, "sealed: locked %lu pages, resident %lu, unlockable %lu, dumpable %d\n",
		   m.locked, m.resident, m.unlockable, m.dumpable);
	KUNIT_EXPECT_EQ(test, left, 0);
	if (!IS_ENABLED(CONFIG_SECURITY_UMD_SEAL)) {
		KUNIT_EXPECT_EQ(test, load_err, -EOPNOTSUPP);
		return;
	}
	KUNIT_ASSERT_EQ(test, load_err, 0);
	KUNIT_EXPECT_EQ(test, err1, 0);
	KUNIT_EXPECT_EQ(test, err2, 0);
	KUNIT_ASSERT_EQ(test, seen, 0);
	expect_locked(test, &m);
	KUNIT_EXPECT_EQ(test, m.dumpable, SUID_DUMP_DISABLE);
	KUNIT_EXPECT_EQ(test, m.core, 0);
	KUNIT_EXPECT_EQ(test, m.memlock, UMD_CONFINED_AS_MAX);
}

/*
 * A sealed handler running as root, which its blob's mode would not make
 * non-dumpable, is not dumpable either; the same handler unsealed is the
 * control, with nothing locked.
 */
static void umd_mgmt_seal_unconfined(struct kunit *test)
{
	struct seal *s = test->priv;
	struct memory sealed = {}, control = {};
	int err1 = -1, err2 = -1;

	if (!IS_ENABLED(CONFIG_SECURITY_UMD_SEAL))
		kunit_skip(test, "no umd_seal LSM in this kernel");

	if (!load(s, "umd_seal_root", UMD_MGMT_SEALED | UMD_MGMT_UNCONFINED,
		  false) && !ask(s, 2))
		err1 = see(s, &sealed);
	umd_mgmt_unload(&s->mgmt);
	if (!load(s, "umd_unsealed_root", UMD_MGMT_UNCONFINED, false) &&
	    !ask(s, 2))
		err2 = see(s, &control);
	umd_mgmt_unload(&s->mgmt);

	kunit_info(test, "sealed root: locked %lu, resident %lu, unlockable %lu, dumpable %d; unsealed: locked %lu, resident %lu, dumpable %d\n",
		   sealed.locked, sealed.resident, sealed.unlockable,
		   sealed.dumpable, control.locked, control.resident,
		   control.dumpable);
	KUNIT_ASSERT_EQ(test, err1, 0);
	KUNIT_ASSERT_EQ(test, err2, 0);
	expect_locked(test, &sealed);
	KUNIT_EXPECT_EQ(test, sealed.dumpable, SUID_DUMP_DISABLE);
	KUNIT_EXPECT_EQ(test, control.locked, 0);
	KUNIT_EXPECT_GT(test, control.unlocked_vmas, 0);
	KUNIT_EXPECT_EQ(test, control.dumpable, SUID_DUMP_USER);
}

/* The library's deadline and unload stop a sealed handler. */
static void umd_mgmt_seal_stopped(struct kunit *test)
{
	struct seal *s = test->priv;
	int load_err, err = 0, after_timeout, reload_err, after_unload;
	unsigned long start;
	unsigned int took;
	u32 value = 3;
	s64 reply;

	if (!IS_ENABLED(CONFIG_SECURITY_UMD_SEAL))
		kunit_skip(test, "no umd_seal LSM in this kernel");

	start = jiffies;
	load_err = load(s, "umd_seal_hang", UMD_MGMT_SEALED, true);
	if (!load_err)
		err = umd_mgmt_send_recv(&s->mgmt, &value, sizeof(value),
					 &reply, sizeof(reply));
	took = jiffies_to_msecs(jiffies - start);
	after_timeout = umd_mgmt_kunit_wait_gone("umd_seal_hang", 1000);
	umd_mgmt_unload(&s->mgmt);

	reload_err = load(s, "umd_seal_unload", UMD_MGMT_SEALED, false);
	umd_mgmt_unload(&s->mgmt);
	after_unload = umd_mgmt_kunit_wait_gone("umd_seal_unload", 1000);

	kunit_info(test, "sealed hang: %d after %u ms\n", err, took);
	KUNIT_ASSERT_EQ(test, load_err, 0);
	KUNIT_EXPECT_EQ(test, err, -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, took, TIMEOUT_MS + 1000);
	KUNIT_EXPECT_EQ(test, after_timeout, 0);
	KUNIT_EXPECT_EQ(test, reload_err, 0);
	KUNIT_EXPECT_EQ(test, after_unload, 0);
}

/* The hostile handler's escape attempt that forks (see there). */
#define ATTEMPT_FORK 4

/* Its result in a handler named @name, or an error of the request. */
static int attempt_fork(struct seal *s, const char *name, unsigned int flags,
			s64 *result)
{
	u32 id = ATTEMPT_FORK;
	int err;

	err = load(s, name, flags, true);
	if (!err)
		err = umd_mgmt_send_recv(&s->mgmt, &id, sizeof(id), result,
					 sizeof(*result));
	umd_mgmt_unload(&s->mgmt);
	return err;
}

/*
 * A sealed handler cannot fork: its child's copy of its memory would not
 * be locked until the child executed a program. Both handlers run as root
 * (unconfined), where RLIMIT_NPROC does not stop a fork; the unsealed one
 * is the control, which forks.
 */
static void umd_mgmt_seal_no_fork(struct kunit *test)
{
	struct seal *s = test->priv;
	s64 sealed = 0, control = 0;
	int err1, err2;

	if (!IS_ENABLED(CONFIG_SECURITY_UMD_SEAL))
		kunit_skip(test, "no umd_seal LSM in this kernel");

	err1 = attempt_fork(s, "umd_seal_fork_escape",
			    UMD_MGMT_SEALED | UMD_MGMT_UNCONFINED, &sealed);
	err2 = attempt_fork(s, "umd_unsealed_fork_escape", UMD_MGMT_UNCONFINED,
			    &control);

	kunit_info(test, "fork: sealed %lld, unsealed %lld\n", sealed, control);
	KUNIT_EXPECT_EQ(test, err1, 0);
	KUNIT_EXPECT_EQ(test, sealed, -EPERM);
	KUNIT_EXPECT_EQ(test, err2, 0);
	KUNIT_EXPECT_GT(test, control, 0);
}

static int seal_init(struct kunit *test)
{
	struct seal *s;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->reply = kunit_kzalloc(test, REPLY_LEN, GFP_KERNEL);
	if (!s->reply)
		return -ENOMEM;
	mutex_init(&s->mgmt.lock);
	s->mgmt.kmod = "umd_mgmt_kunit_no_such_loader";
	s->mgmt.timeout_ms = TIMEOUT_MS;
	test->priv = s;
	return 0;
}

static void seal_exit(struct kunit *test)
{
	struct seal *s = test->priv;

	umd_mgmt_unload(&s->mgmt);
	mutex_destroy(&s->mgmt.lock);
}

static struct kunit_case umd_mgmt_seal_cases[] = {
	KUNIT_CASE(umd_mgmt_seal_memory),
	KUNIT_CASE(umd_mgmt_seal_unconfined),
	KUNIT_CASE(umd_mgmt_seal_stopped),
	KUNIT_CASE(umd_mgmt_seal_no_fork),
	{}
};

static struct kunit_suite umd_mgmt_seal_suite = {
	.name = "umd_mgmt_seal",
	.init = seal_init,
	.exit = seal_exit,
	.test_cases = umd_mgmt_seal_cases,
};

kunit_test_suite(umd_mgmt_seal_suite);
