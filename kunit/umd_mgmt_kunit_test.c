// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the user mode driver management library.
 *
 * Each test drives a real UMD Handler process, started from the sample
 * handler embedded in this module, and checks what that process replied.
 * The handler answers a u32 offset with 128 KiB of zeroes in which the byte
 * at that offset, if inside the reply, is 1.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/usermode_driver_mgmt.h>
#include <linux/workqueue.h>

#include "umd_mgmt_handler_blob.h"
#include "umd_mgmt_kunit_util.h"

#define REPLY_LEN SZ_128K
#define HANDLER_NAME "umd_mgmt_kunit"
/* A UMD Loader that does not exist: request_module() cannot bring it in. */
#define NO_LOADER "umd_mgmt_kunit_no_such_loader"

struct umd_test {
	struct umd_mgmt mgmt;
	u8 *reply;
	/* post_start() bookkeeping */
	int starts;
	int start_error;
	pid_t started_pid;
};

static struct umd_test *to_umd_test(struct umd_mgmt *mgmt)
{
	return container_of(mgmt, struct umd_test, mgmt);
}

static int handler_processes(void)
{
	return umd_mgmt_kunit_processes(HANDLER_NAME);
}

static pid_t handler_pid(struct umd_test *t)
{
	return t->mgmt.info.tgid ? pid_nr(t->mgmt.info.tgid) : 0;
}

/* SIGKILL the handler as user space would, and wait until it is gone. */
static void kill_handler(struct kunit *test, struct umd_test *t)
{
	struct pid *pid = get_pid(t->mgmt.info.tgid);

	KUNIT_ASSERT_NOT_NULL(test, pid);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_kill(pid), 0);
	put_pid(pid);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);
}

static int load(struct umd_test *t)
{
	return umd_mgmt_load(&t->mgmt, umd_mgmt_kunit_handler_start,
			     umd_mgmt_kunit_handler_end);
}

/* Ask the handler to mark @offset; poison the buffer so a stale reply shows. */
static int request(struct umd_test *t, u32 offset)
{
	memset(t->reply, 0xa5, REPLY_LEN);
	return umd_mgmt_send_recv(&t->mgmt, &offset, sizeof(offset),
				  t->reply, REPLY_LEN);
}

static void expect_reply(struct kunit *test, struct umd_test *t, u32 offset)
{
	u8 *r = t->reply;

	if (offset < REPLY_LEN) {
		KUNIT_EXPECT_EQ_MSG(test, r[offset], 1, "offset %u", offset);
		KUNIT_EXPECT_NULL(test, memchr_inv(r, 0, offset));
		KUNIT_EXPECT_NULL(test, memchr_inv(r + offset + 1, 0,
						   REPLY_LEN - offset - 1));
	} else {
		KUNIT_EXPECT_NULL(test, memchr_inv(r, 0, REPLY_LEN));
	}
}

static void expect_request_ok(struct kunit *test, struct umd_test *t,
			      u32 offset)
{
	KUNIT_ASSERT_EQ_MSG(test, request(t, offset), 0, "offset %u", offset);
	expect_reply(test, t, offset);
}

static int count_starts(struct umd_mgmt *mgmt)
{
	struct umd_test *t = to_umd_test(mgmt);

	t->starts++;
	t->started_pid = pid_nr(mgmt->info.tgid);
	return t->start_error;
}

static void umd_mgmt_test_replies(struct kunit *test)
{
	struct umd_test *t = test->priv;
	static const u32 offsets[] = { 0, 1, 4096, REPLY_LEN - 1, REPLY_LEN,
				       U32_MAX };
	int i;

	KUNIT_ASSERT_EQ(test, load(t), 0);
	KUNIT_EXPECT_TRUE(test, t->mgmt.kmod_loaded);
	for (i = 0; i < ARRAY_SIZE(offsets); i++)
		expect_request_ok(test, t, offsets[i]);
	KUNIT_EXPECT_EQ(test, handler_processes(), 1);
}

static void umd_mgmt_test_lazy_start(struct kunit *test)
{
	struct umd_test *t = test->priv;
	pid_t first;

	/* A manager alone starts nothing, even when asked without a loader. */
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);
	KUNIT_EXPECT_EQ(test, request(t, 0), -ENOPROTOOPT);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);
	KUNIT_EXPECT_NULL(test, t->mgmt.info.tgid);

	/* Once the loader hands over the blob, the handler runs. */
	KUNIT_ASSERT_EQ(test, load(t), 0);
	first = handler_pid(t);
	KUNIT_EXPECT_GT(test, first, 0);
	KUNIT_EXPECT_EQ(test, handler_processes(), 1);

	/* A handler that went away is started again by a request, not before. */
	kill_handler(test, t);
	msleep(100);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);
	expect_request_ok(test, t, 7);
	KUNIT_EXPECT_EQ(test, handler_processes(), 1);
	KUNIT_EXPECT_NE(test, handler_pid(t), first);
}

static void umd_mgmt_test_restart_after_kill(struct kunit *test)
{
	struct umd_test *t = test->priv;
	pid_t before;
	int i;

	KUNIT_ASSERT_EQ(test, load(t), 0);
	for (i = 0; i < 3; i++) {
		expect_request_ok(test, t, 1);
		before = handler_pid(t);
		kill_handler(test, t);
		expect_request_ok(test, t, REPLY_LEN - 1);
		KUNIT_EXPECT_NE(test, handler_pid(t), before);
		KUNIT_EXPECT_EQ(test, handler_processes(), 1);
	}
}

struct delayed_kill {
	struct delayed_work work;
	struct pid *pid;
};

static void delayed_kill_fn(struct work_struct *work)
{
	struct delayed_kill *k = container_of(to_delayed_work(work),
					      struct delayed_kill, work);

	kill_pid(k->pid, SIGKILL, 1);
}

static void umd_mgmt_test_dies_during_request(struct kunit *test)
{
	struct umd_test *t = test->priv;
	struct delayed_kill k;
	u16 half = 0;
	int err;

	KUNIT_ASSERT_EQ(test, load(t), 0);
	expect_request_ok(test, t, 0);

	/*
	 * Half a request leaves the handler waiting for the rest while this
	 * call waits for the reply: the handler is killed in between.
	 */
	k.pid = get_pid(t->mgmt.info.tgid);
	INIT_DELAYED_WORK(&k.work, delayed_kill_fn);
	schedule_delayed_work(&k.work, msecs_to_jiffies(200));
	err = umd_mgmt_send_recv(&t->mgmt, &half, sizeof(half), t->reply,
				 REPLY_LEN);
	flush_delayed_work(&k.work);
	put_pid(k.pid);

	KUNIT_EXPECT_EQ(test, err, -EPIPE);
	KUNIT_EXPECT_NULL(test, t->mgmt.info.tgid);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);
	expect_request_ok(test, t, 131);
}

static void umd_mgmt_test_post_start(struct kunit *test)
{
	struct umd_test *t = test->priv;

	t->mgmt.post_start = count_starts;
	KUNIT_ASSERT_EQ(test, load(t), 0);
	KUNIT_EXPECT_EQ(test, t->starts, 1);
	/* post_start() saw the running handler. */
	KUNIT_EXPECT_EQ(test, t->started_pid, handler_pid(t));

	expect_request_ok(test, t, 2);
	expect_request_ok(test, t, 3);
	KUNIT_EXPECT_EQ(test, t->starts, 1);

	kill_handler(test, t);
	expect_request_ok(test, t, 4);
	KUNIT_EXPECT_EQ(test, t->starts, 2);
	KUNIT_EXPECT_EQ(test, t->started_pid, handler_pid(t));

	/* A failing post_start() is reported and tears the handler down. */
	kill_handler(test, t);
	t->start_error = -EPERM;
	KUNIT_EXPECT_EQ(test, request(t, 5), -EPERM);
	KUNIT_EXPECT_EQ(test, t->starts, 3);
	KUNIT_EXPECT_NULL(test, t->mgmt.info.tgid);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);

	/* Once it succeeds again, so do requests. */
	t->start_error = 0;
	expect_request_ok(test, t, 6);
	KUNIT_EXPECT_EQ(test, t->starts, 4);
}

static void umd_mgmt_test_post_start_fails_load(struct kunit *test)
{
	struct umd_test *t = test->priv;

	t->mgmt.post_start = count_starts;
	t->start_error = -EACCES;
	KUNIT_EXPECT_EQ(test, load(t), -EACCES);
	KUNIT_EXPECT_EQ(test, t->starts, 1);
	KUNIT_EXPECT_FALSE(test, t->mgmt.kmod_loaded);
	KUNIT_EXPECT_NULL(test, t->mgmt.info.tgid);
	KUNIT_EXPECT_NULL(test, t->mgmt.info.wd.mnt);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);
}

static void umd_mgmt_test_no_loader(struct kunit *test)
{
	struct umd_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, request(t, 0), -ENOPROTOOPT);
	KUNIT_EXPECT_FALSE(test, t->mgmt.kmod_loaded);
	t->mgmt.kmod = NULL;
	KUNIT_EXPECT_EQ(test, request(t, 0), -ENOPROTOOPT);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);
}

static void umd_mgmt_test_unload(struct kunit *test)
{
	struct umd_test *t = test->priv;
	struct pid *pid;

	KUNIT_ASSERT_EQ(test, load(t), 0);
	expect_request_ok(test, t, 9);
	pid = get_pid(t->mgmt.info.tgid);

	umd_mgmt_unload(&t->mgmt);
	KUNIT_EXPECT_TRUE(test, umd_mgmt_kunit_exited(pid));
	put_pid(pid);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);
	KUNIT_EXPECT_NULL(test, t->mgmt.info.tgid);
	KUNIT_EXPECT_NULL(test, t->mgmt.info.wd.mnt);
	KUNIT_EXPECT_FALSE(test, t->mgmt.kmod_loaded);

	/* The loader is gone and cannot be brought back: a clean error. */
	KUNIT_EXPECT_EQ(test, request(t, 9), -ENOPROTOOPT);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);
	/* A second unload is harmless, and the blob can be loaded again. */
	umd_mgmt_unload(&t->mgmt);
	KUNIT_ASSERT_EQ(test, load(t), 0);
	expect_request_ok(test, t, 10);
}

static void umd_mgmt_test_bad_blob(struct kunit *test)
{
	struct umd_test *t = test->priv;
	char text[] = "this is not an executable\n";
	char *end = text + sizeof(text) - 1;

	KUNIT_EXPECT_EQ(test, umd_mgmt_load(&t->mgmt, text, end), -ENOEXEC);
	KUNIT_EXPECT_EQ(test, umd_mgmt_load(&t->mgmt, text, text), -EINVAL);
	KUNIT_EXPECT_EQ(test, umd_mgmt_load(&t->mgmt, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_FALSE(test, t->mgmt.kmod_loaded);
	KUNIT_EXPECT_NULL(test, t->mgmt.info.tgid);
	KUNIT_EXPECT_NULL(test, t->mgmt.info.wd.mnt);
	KUNIT_EXPECT_EQ(test, handler_processes(), 0);

	/* Nothing was left behind that stops a good blob from loading. */
	KUNIT_ASSERT_EQ(test, load(t), 0);
	expect_request_ok(test, t, 11);
	KUNIT_EXPECT_EQ(test, load(t), -EBUSY);
	expect_request_ok(test, t, 12);
}

static int umd_mgmt_test_init(struct kunit *test)
{
	struct umd_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->reply = kunit_kmalloc(test, REPLY_LEN, GFP_KERNEL);
	if (!t->reply)
		return -ENOMEM;

	mutex_init(&t->mgmt.lock);
	t->mgmt.info.driver_name = HANDLER_NAME;
	t->mgmt.kmod = NO_LOADER;
	test->priv = t;
	return 0;
}

static void umd_mgmt_test_exit(struct kunit *test)
{
	struct umd_test *t = test->priv;

	umd_mgmt_unload(&t->mgmt);
	mutex_destroy(&t->mgmt.lock);
}

static struct kunit_case umd_mgmt_test_cases[] = {
	KUNIT_CASE(umd_mgmt_test_replies),
	KUNIT_CASE(umd_mgmt_test_lazy_start),
	KUNIT_CASE(umd_mgmt_test_restart_after_kill),
	KUNIT_CASE(umd_mgmt_test_dies_during_request),
	KUNIT_CASE(umd_mgmt_test_post_start),
	KUNIT_CASE(umd_mgmt_test_post_start_fails_load),
	KUNIT_CASE(umd_mgmt_test_no_loader),
	KUNIT_CASE(umd_mgmt_test_unload),
	KUNIT_CASE(umd_mgmt_test_bad_blob),
	{}
};

static struct kunit_suite umd_mgmt_test_suite = {
	.name = "umd_mgmt",
	.init = umd_mgmt_test_init,
	.exit = umd_mgmt_test_exit,
	.test_cases = umd_mgmt_test_cases,
};

kunit_test_suite(umd_mgmt_test_suite);

MODULE_DESCRIPTION("KUnit tests for the user mode driver management library");
MODULE_LICENSE("GPL");
