// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the user mode driver management library against handlers
 * that misbehave on purpose: the sample handler picks its behaviour from its
 * name, the UMD's driver name. Each case checks the error the library
 * returns, that it came within the timeout, that nothing of the bad handler
 * is left, and that the same struct umd_mgmt then serves a good handler.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/usermode_driver_mgmt.h>

#include "umd_mgmt_handler_blob.h"
#include "umd_mgmt_kunit_util.h"

#define REPLY_LEN SZ_128K
#define GOOD_NAME "umd_hostile_good"
#define TIMEOUT_MS 300

struct hostile {
	struct umd_mgmt mgmt;
	u8 *reply;
};

static int load(struct hostile *h, const char *name)
{
	h->mgmt.info.driver_name = name;
	return umd_mgmt_load(&h->mgmt, umd_mgmt_kunit_handler_start,
			     umd_mgmt_kunit_handler_end);
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

/* Checks that the handler named @bad fails with @expected, then recovers. */
static void expect_hostile(struct kunit *test, const char *bad, int expected)
{
	struct hostile *h = test->priv;
	struct umd_mgmt_stats stats;
	unsigned long start;
	int err;

	KUNIT_ASSERT_EQ(test, load(h, bad), 0);
	start = jiffies;
	err = checked_request(h, 42);
	KUNIT_EXPECT_EQ(test, err, expected);
	KUNIT_EXPECT_LT_MSG(test, jiffies_to_msecs(jiffies - start),
			    TIMEOUT_MS + 2000, "%s took too long", bad);

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

	/* The same structure serves a good handler next. */
	umd_mgmt_unload(&h->mgmt);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(bad), 0);
	KUNIT_ASSERT_EQ(test, load(h, GOOD_NAME), 0);
	KUNIT_EXPECT_EQ(test, checked_request(h, 42), 0);
	KUNIT_EXPECT_EQ(test, checked_request(h, 7), 0);
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
	/* Half a reply and silence: only the timeout can tell. */
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

	umd_mgmt_unload(&h->mgmt);
	KUNIT_ASSERT_EQ(test, load(h, GOOD_NAME), 0);
	KUNIT_EXPECT_EQ(test, checked_request(h, 42), 0);
}

static void umd_mgmt_hostile_backoff(struct kunit *test)
{
	struct hostile *h = test->priv;
	u64 starts;
	int i;

	/* Failures interrupted by a success do not back off... */
	KUNIT_ASSERT_EQ(test, load(h, GOOD_NAME), 0);
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

	/* A good handler, loaded anew, ends the back-off. */
	umd_mgmt_unload(&h->mgmt);
	KUNIT_ASSERT_EQ(test, load(h, GOOD_NAME), 0);
	KUNIT_EXPECT_EQ(test, checked_request(h, 1), 0);
}

struct signalled_request {
	struct hostile *h;
	struct completion done;
	int err;
	unsigned long took;
};

static int signalled_request_fn(void *data)
{
	struct signalled_request *s = data;
	unsigned long start = jiffies;

	allow_signal(SIGKILL);
	s->err = checked_request(s->h, 3);
	s->took = jiffies - start;
	complete(&s->done);
	return 0;
}

static void umd_mgmt_hostile_fatal_signal(struct kunit *test)
{
	struct hostile *h = test->priv;
	struct signalled_request s = { .h = h };
	struct task_struct *task;

	/* A caller killed while a hung handler keeps it waiting. */
	h->mgmt.timeout_ms = 60000;
	KUNIT_ASSERT_EQ(test, load(h, "umd_signal_hang"), 0);
	init_completion(&s.done);
	task = kthread_run(signalled_request_fn, &s, "umd_kunit_caller");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	get_task_struct(task);
	msleep(200);
	send_sig(SIGKILL, task, 1);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&s.done, 10 * HZ));
	kthread_stop(task);
	put_task_struct(task);

	KUNIT_EXPECT_TRUE(test, s.err == -ERESTARTSYS || s.err == -EINTR);
	KUNIT_EXPECT_LT(test, jiffies_to_msecs(s.took), 5000);
	/* The caller's signal is not the handler's failure. */
	KUNIT_EXPECT_EQ(test, h->mgmt.failures, 0);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes("umd_signal_hang"), 0);
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
	KUNIT_CASE(umd_mgmt_hostile_backoff),
	KUNIT_CASE(umd_mgmt_hostile_fatal_signal),
	{}
};

static struct kunit_suite umd_mgmt_hostile_suite = {
	.name = "umd_mgmt_hostile",
	.init = hostile_init,
	.exit = hostile_exit,
	.test_cases = umd_mgmt_hostile_cases,
};

kunit_test_suite(umd_mgmt_hostile_suite);
