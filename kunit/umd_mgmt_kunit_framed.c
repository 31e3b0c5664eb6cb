// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the framed protocol (UMD_MGMT_FRAMED, umd_mgmt_call())
 * against the hostile fixture's "framed" mode, which answers each request
 * as its op says: well, or in one of the ways the protocol forbids. Each
 * case checks the errno, whether the handler was stopped or kept, what the
 * counters say, and that the next request gets a correct reply.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/limits.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/usermode_driver_mgmt.h>

#include "umd_mgmt_handler_blob.h"
#include "umd_mgmt_kunit_util.h"

/* The fixture's ops: see kunit/hostile/src/framed.rs. */
#define OP_ECHO				0
#define OP_STATUS			1
#define OP_SIZED			2
#define OP_LEN				3
#define OP_WRONG_ID			4
#define OP_WRONG_OP			5
#define OP_RESERVED			6
#define OP_SPLIT			7
#define OP_HEADER_THEN_SILENCE		8
#define OP_SHORT_THEN_EXIT		9
#define OP_TWO_FRAMES			10
#define OP_HALF_HEADER			11
#define OP_HALF_HEADER_THEN_EXIT	12
#define OP_LATE_FRAME			13

#define NAME "umd_hostile_framed"
#define TIMEOUT_MS 1000
/* What a call may take beyond its deadline. */
#define SLACK_MS 1000
#define MAX_LEN UMD_MGMT_DEFAULT_MAX_MSG_LEN
/* Bytes past the reply's payload that must stay as they were. */
#define CANARY 0xa5
#define CANARY_LEN 64

struct framed {
	struct umd_mgmt mgmt;
	u8 *in;
	u8 *out;
};

static int load(struct framed *f, const char *name)
{
	f->mgmt.info.driver_name = name;
	return umd_mgmt_load(&f->mgmt, umd_mgmt_kunit_hostile_start,
			     umd_mgmt_kunit_hostile_end);
}

static unsigned int ms_since(unsigned long start)
{
	return jiffies_to_msecs(jiffies - start);
}

static ssize_t call_u32(struct framed *f, u32 op, u32 arg)
{
	return umd_mgmt_call(&f->mgmt, op, &arg, sizeof(arg), f->out, SZ_4K);
}

/* An echo of @len bytes, checked, with nothing past the reply touched. */
static int echo(struct framed *f, size_t len, u8 seed)
{
	ssize_t ret;
	size_t i;

	for (i = 0; i < len; i++)
		f->in[i] = seed + i * 7;
	memset(f->out, CANARY, len + CANARY_LEN);
	ret = umd_mgmt_call(&f->mgmt, OP_ECHO, f->in, len, f->out, len);
	if (ret < 0)
		return ret;
	if (ret != len || memcmp(f->in, f->out, len) ||
	    memchr_inv(f->out + len, CANARY, CANARY_LEN))
		return -EBADE;
	return 0;
}

/*
 * Makes the call @op with @arg, expects @expected, and that the handler
 * was kept (@kept) or stopped as a failure; then that the next request is
 * answered correctly.
 */
static void expect_call(struct kunit *test, u32 op, u32 arg, int expected,
			bool kept)
{
	struct framed *f = test->priv;
	struct umd_mgmt_stats before, after;
	unsigned long start;
	unsigned int took;
	int next, left = 0;
	ssize_t ret;

	umd_mgmt_get_stats(&f->mgmt, &before);
	start = jiffies;
	ret = call_u32(f, op, arg);
	took = ms_since(start);
	umd_mgmt_get_stats(&f->mgmt, &after);
	if (!kept)
		left = umd_mgmt_kunit_wait_gone(NAME, 2000);
	next = echo(f, 100, op);

	kunit_info(test, "op %u arg %#x: %zd after %u ms\n", op, arg, ret,
		   took);
	KUNIT_EXPECT_EQ(test, ret, expected);
	KUNIT_EXPECT_LT(test, took, TIMEOUT_MS + SLACK_MS);
	KUNIT_EXPECT_EQ(test, after.requests, before.requests + 1);
	if (kept) {
		KUNIT_EXPECT_EQ(test, after.pid, before.pid);
		KUNIT_EXPECT_EQ(test, after.failures, before.failures);
	} else {
		KUNIT_EXPECT_EQ(test, after.pid, 0);
		KUNIT_EXPECT_EQ(test, after.failures, before.failures + 1);
		KUNIT_EXPECT_EQ(test, after.last_error, expected);
		KUNIT_EXPECT_EQ(test, left, 0);
	}
	KUNIT_EXPECT_EQ(test, next, 0);
}

/* Runs each call in a fresh load, so that failures never add up to a back-off. */
static void reload(struct kunit *test)
{
	struct framed *f = test->priv;

	umd_mgmt_unload(&f->mgmt);
	KUNIT_ASSERT_EQ(test, load(f, NAME), 0);
}

static void umd_mgmt_framed_request_sizes(struct kunit *test)
{
	static const size_t sizes[] = {
		0, 1, SZ_4K - 1, SZ_4K, SZ_4K + 1, SZ_64K, SZ_256K + 1, MAX_LEN,
	};
	struct framed *f = test->priv;
	struct umd_mgmt_stats stats;
	int i, err;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		err = echo(f, sizes[i], i);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "request of %zu bytes",
				    sizes[i]);
	}
	umd_mgmt_get_stats(&f->mgmt, &stats);
	KUNIT_EXPECT_EQ(test, stats.failures, 0);
	KUNIT_EXPECT_EQ(test, stats.starts, 1);
}

static void umd_mgmt_framed_reply_sizes(struct kunit *test)
{
	static const u32 sizes[] = {
		0, 1, SZ_4K - 1, SZ_4K, SZ_4K + 1, SZ_64K, SZ_256K + 1, MAX_LEN,
	};
	struct framed *f = test->priv;
	ssize_t ret;
	u32 i, j;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(f->out, CANARY, sizes[i] + CANARY_LEN);
		ret = umd_mgmt_call(&f->mgmt, OP_SIZED, &sizes[i],
				    sizeof(sizes[i]), f->out, MAX_LEN);
		ok = ret == sizes[i] &&
		     !memchr_inv(f->out + sizes[i], CANARY, CANARY_LEN);
		for (j = 0; ok && j < sizes[i]; j++)
			ok = f->out[j] == ((u8)j ^ 0x5a);
		KUNIT_EXPECT_TRUE_MSG(test, ok, "reply of %u bytes: %zd",
				      sizes[i], ret);
	}
}

/* Every status of the set comes back as is, and the handler is kept. */
static void umd_mgmt_framed_status(struct kunit *test)
{
	static const int statuses[] = {
		-EINVAL, -EBADMSG, -ENOENT, -EOPNOTSUPP, -E2BIG, -ERANGE,
		-EKEYREJECTED,
	};
	struct framed *f = test->priv;
	struct umd_mgmt_stats stats;
	int i, status, apart[ARRAY_SIZE(statuses)];
	ssize_t ret[ARRAY_SIZE(statuses)], big;
	u32 arg;

	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		expect_call(test, OP_STATUS, statuses[i], statuses[i], true);

	/* umd_mgmt_call_status() keeps the verdict apart from the errors. */
	for (i = 0; i < ARRAY_SIZE(statuses); i++) {
		arg = statuses[i];
		apart[i] = 1;
		ret[i] = umd_mgmt_call_status(&f->mgmt, OP_STATUS, &arg,
					      sizeof(arg), f->out, SZ_4K,
					      &apart[i]);
	}
	status = 1;
	big = umd_mgmt_call_status(&f->mgmt, OP_ECHO, f->in, MAX_LEN + 1,
				   f->out, SZ_4K, &status);
	umd_mgmt_get_stats(&f->mgmt, &stats);

	for (i = 0; i < ARRAY_SIZE(statuses); i++) {
		KUNIT_EXPECT_EQ(test, ret[i], 0);
		KUNIT_EXPECT_EQ(test, apart[i], statuses[i]);
	}
	/* The caller's own -E2BIG, with the status left as it was. */
	KUNIT_EXPECT_EQ(test, big, -E2BIG);
	KUNIT_EXPECT_EQ(test, status, 1);
	KUNIT_EXPECT_EQ(test, stats.rejections, 2 * ARRAY_SIZE(statuses));
	KUNIT_EXPECT_EQ(test, stats.failures, 0);
	KUNIT_EXPECT_EQ(test, stats.starts, 1);
}

/*
 * A status out of the set is the handler misbehaving: the kernel's own
 * restart codes, which must never reach a caller, and any other value.
 */
static void umd_mgmt_framed_status_out_of_set(struct kunit *test)
{
	static const int statuses[] = {
		-ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND, -ENOIOCTLCMD,
		-ERESTART_RESTARTBLOCK, -EPROBE_DEFER, -EOPENSTALE, -ENOPARAM,
		-EIOCBQUEUED, -EIO, -EPERM, 1, INT_MAX, INT_MIN,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(statuses); i++) {
		reload(test);
		expect_call(test, OP_STATUS, statuses[i], -EPROTO, false);
	}
}

static void umd_mgmt_framed_bad_len(struct kunit *test)
{
	/* call_u32() gives room for 4 KiB; the maximum is checked too. */
	static const u32 lens[] = { SZ_4K + 1, MAX_LEN + 1, U32_MAX };
	struct framed *f = test->priv;
	ssize_t ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		reload(test);
		expect_call(test, OP_LEN, lens[i], -EMSGSIZE, false);
	}

	/* Room above the maximum does not raise it. */
	reload(test);
	i = MAX_LEN + 1;
	ret = umd_mgmt_call(&f->mgmt, OP_LEN, &i, sizeof(i), f->out,
			    MAX_LEN + SZ_4K);
	KUNIT_EXPECT_EQ(test, ret, -EMSGSIZE);
}

static void umd_mgmt_framed_bad_header(struct kunit *test)
{
	u32 field;

	reload(test);
	expect_call(test, OP_WRONG_ID, 0, -EPROTO, false);
	reload(test);
	expect_call(test, OP_WRONG_OP, 0, -EPROTO, false);
	/* max_reply, flags and reserved, which a reply must leave 0. */
	for (field = 0; field < 3; field++) {
		reload(test);
		expect_call(test, OP_RESERVED, field, -EPROTO, false);
	}
}

/* A frame written in pieces, with pauses shorter than the deadline. */
static void umd_mgmt_framed_split_header(struct kunit *test)
{
	struct framed *f = test->priv;
	u8 req[4 + 5] = { 0 };
	u32 pause = 100;
	ssize_t ret;

	memcpy(req, &pause, sizeof(pause));
	memcpy(req + 4, "split", 5);
	ret = umd_mgmt_call(&f->mgmt, OP_SPLIT, req, sizeof(req), f->out,
			    SZ_4K);
	KUNIT_EXPECT_EQ(test, ret, 5);
	KUNIT_EXPECT_EQ(test, memcmp(f->out, "split", 5), 0);
	KUNIT_EXPECT_EQ(test, echo(f, 10, 1), 0);
	KUNIT_EXPECT_EQ(test, f->mgmt.stats.failures, 0);
}

static void umd_mgmt_framed_cut_short(struct kunit *test)
{
	struct umd_mgmt_stats stats;
	struct framed *f = test->priv;

	/* Only the deadline can tell a frame that is late from one that is cut. */
	reload(test);
	expect_call(test, OP_HEADER_THEN_SILENCE, 0, -ETIMEDOUT, false);
	reload(test);
	expect_call(test, OP_HALF_HEADER, 0, -ETIMEDOUT, false);
	umd_mgmt_get_stats(&f->mgmt, &stats);
	KUNIT_EXPECT_EQ(test, stats.timeouts, 2);
	reload(test);
	expect_call(test, OP_SHORT_THEN_EXIT, 0, -EPIPE, false);
	reload(test);
	expect_call(test, OP_HALF_HEADER_THEN_EXIT, 0, -EPIPE, false);
}

static void umd_mgmt_framed_extra_frames(struct kunit *test)
{
	struct framed *f = test->priv;
	u32 req[2] = { 200, 0x1234 };
	int next, left;
	ssize_t ret;

	reload(test);
	expect_call(test, OP_TWO_FRAMES, 0, -EPROTO, false);

	/*
	 * The same with a first frame longer than the payload that comes in
	 * one read with its header: the second is found after the first.
	 */
	reload(test);
	memset(f->in, 7, 100);
	ret = umd_mgmt_call(&f->mgmt, OP_TWO_FRAMES, f->in, 100, f->out, SZ_4K);
	left = umd_mgmt_kunit_wait_gone(NAME, 2000);
	next = echo(f, 100, 2);
	KUNIT_EXPECT_EQ(test, ret, -EPROTO);
	KUNIT_EXPECT_EQ(test, left, 0);
	KUNIT_EXPECT_EQ(test, next, 0);

	/*
	 * A frame after the reply, before the next request: what a second
	 * frame written apart from the first may also be.
	 */
	reload(test);
	ret = umd_mgmt_call(&f->mgmt, OP_LATE_FRAME, req, sizeof(req), f->out,
			    SZ_4K);
	KUNIT_EXPECT_EQ(test, ret, sizeof(u32));
	msleep(400);
	expect_call(test, OP_ECHO, 0, -EPROTO, false);

	/* A frame before the first request. */
	umd_mgmt_unload(&f->mgmt);
	KUNIT_ASSERT_EQ(test, load(f, "umd_hostile_fearly"), 0);
	msleep(100);
	ret = call_u32(f, OP_ECHO, 7);
	next = echo(f, 3, 3);
	KUNIT_EXPECT_EQ(test, ret, -EPROTO);
	/* A new one writes its early frame again. */
	KUNIT_EXPECT_EQ(test, next, -EPROTO);
}

/* Mismatched protocols and oversize requests fail before anything is sent. */
static void umd_mgmt_framed_caller_errors(struct kunit *test)
{
	struct framed *f = test->priv;
	struct umd_mgmt seed = {};
	u32 value = 1;
	int err;

	KUNIT_EXPECT_EQ(test, umd_mgmt_send_recv(&f->mgmt, &value,
						 sizeof(value), &value,
						 sizeof(value)), -EINVAL);
	KUNIT_EXPECT_EQ(test, umd_mgmt_call(&f->mgmt, OP_ECHO, NULL, 4, NULL,
					    0), -EINVAL);
	KUNIT_EXPECT_EQ(test, umd_mgmt_call(&f->mgmt, OP_ECHO, f->in, 4, NULL,
					    4), -EINVAL);
	KUNIT_EXPECT_EQ(test, umd_mgmt_call(&f->mgmt, OP_ECHO, f->in,
					    MAX_LEN + 1, f->out, 4), -E2BIG);
	f->mgmt.max_msg_len = 100;
	KUNIT_EXPECT_EQ(test, umd_mgmt_call(&f->mgmt, OP_ECHO, f->in, 101,
					    f->out, 4), -E2BIG);
	err = echo(f, 100, 9);
	KUNIT_EXPECT_EQ(test, err, 0);
	f->mgmt.max_msg_len = 0;
	KUNIT_EXPECT_EQ(test, f->mgmt.stats.requests, 1);
	KUNIT_EXPECT_EQ(test, f->mgmt.stats.failures, 0);

	mutex_init(&seed.lock);
	KUNIT_EXPECT_EQ(test, umd_mgmt_call(&seed, OP_ECHO, &value,
					    sizeof(value), &value,
					    sizeof(value)), -EINVAL);
	KUNIT_EXPECT_EQ(test, seed.stats.requests, 0);
	mutex_destroy(&seed.lock);
}

struct background_call {
	struct framed *f;
	struct completion done;
	ssize_t ret;
};

/* OP_SPLIT's pause between its five pieces, in the background call. */
#define SPLIT_PAUSE_MS 400

static int background_call_fn(void *data)
{
	struct background_call *c = data;
	u8 req[4 + 4] = { 0 };
	u32 pause = SPLIT_PAUSE_MS;

	allow_signal(SIGKILL);
	memcpy(req, &pause, sizeof(pause));
	c->ret = umd_mgmt_call(&c->f->mgmt, OP_SPLIT, req, sizeof(req),
			       c->f->out, SZ_4K);
	complete(&c->done);
	return 0;
}

/*
 * A caller's signal @after_ms into a reply that comes in pieces: -EINTR at
 * once, the handler is kept, and the next call drops the late frame, after
 * checking it, and gets its own reply. Returns how much of the reply's
 * header had come when the signal did.
 */
static size_t signal_caller(struct kunit *test, unsigned int after_ms)
{
	struct framed *f = test->priv;
	struct background_call c = { .f = f };
	struct task_struct *task;
	size_t hdr_got;
	bool owed;
	pid_t pid;
	int next;

	/* The five pieces take longer than the suite's deadline. */
	umd_mgmt_set_timeout(&f->mgmt, 3000);
	pid = f->mgmt.stats.pid;
	init_completion(&c.done);
	task = kthread_run(background_call_fn, &c, "umd_kunit_caller");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	get_task_struct(task);
	msleep(after_ms);
	send_sig(SIGKILL, task, 1);
	wait_for_completion(&c.done);
	kthread_stop(task);
	put_task_struct(task);
	owed = umd_reply_owed(&f->mgmt.info);
	hdr_got = f->mgmt.info.reply_hdr_got;
	next = echo(f, 50, 5);

	KUNIT_EXPECT_EQ(test, c.ret, -EINTR);
	KUNIT_EXPECT_TRUE(test, owed);
	KUNIT_EXPECT_EQ(test, next, 0);
	KUNIT_EXPECT_EQ(test, f->mgmt.stats.pid, pid);
	KUNIT_EXPECT_EQ(test, f->mgmt.failures, 0);
	return hdr_got;
}

/* The signal between the second and third pieces, inside the header. */
static void umd_mgmt_framed_caller_signal(struct kunit *test)
{
	size_t hdr_got = signal_caller(test, SPLIT_PAUSE_MS * 3 / 2);

	KUNIT_EXPECT_GT(test, hdr_got, 0);
	KUNIT_EXPECT_LT(test, hdr_got, sizeof(struct umd_mgmt_msg_hdr));
}

/*
 * The signal between the fourth and fifth pieces: the header and part of
 * the payload came in one read, and the rest is dropped by the next call.
 */
static void umd_mgmt_framed_caller_signal_payload(struct kunit *test)
{
	size_t hdr_got = signal_caller(test, SPLIT_PAUSE_MS * 7 / 2);

	KUNIT_EXPECT_EQ(test, hdr_got, sizeof(struct umd_mgmt_msg_hdr));
}

/* A post_start that shakes hands in frames: "hello" must come back. */
static int framed_post_start(struct umd_mgmt *mgmt)
{
	char reply[8];
	ssize_t ret;
	int status;

	ret = umd_call(&mgmt->info, OP_ECHO, "hello", 5, reply, sizeof(reply),
		       &status);
	if (ret < 0)
		return ret;
	return ret == 5 && !status && !memcmp(reply, "hello", 5) ? 0 :
								      -EBADE;
}

static int framed_post_start_hang(struct umd_mgmt *mgmt)
{
	u32 arg = 0;
	int status;
	ssize_t ret;

	ret = umd_call(&mgmt->info, OP_HALF_HEADER, &arg, sizeof(arg), NULL, 0,
		       &status);
	return ret < 0 ? ret : -EBADE;
}

static void umd_mgmt_framed_post_start(struct kunit *test)
{
	struct framed *f = test->priv;
	unsigned long start;
	unsigned int took;
	int err;

	umd_mgmt_unload(&f->mgmt);
	f->mgmt.post_start = framed_post_start;
	err = load(f, NAME);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, echo(f, 8, 2), 0);
	umd_mgmt_unload(&f->mgmt);

	f->mgmt.post_start = framed_post_start_hang;
	start = jiffies;
	err = load(f, NAME);
	took = ms_since(start);
	KUNIT_EXPECT_EQ(test, err, -ETIMEDOUT);
	KUNIT_EXPECT_LT(test, took, TIMEOUT_MS + SLACK_MS);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_wait_gone(NAME, 2000), 0);
	f->mgmt.post_start = NULL;
}

static void free_buf(void *buf)
{
	kvfree(buf);
}

/* A buffer of @size bytes, freed when the test ends. */
static void *alloc_buf(struct kunit *test, size_t size)
{
	void *buf = kvzalloc(size, GFP_KERNEL);

	if (buf && kunit_add_action_or_reset(test, free_buf, buf))
		return NULL;
	return buf;
}

static int framed_init(struct kunit *test)
{
	struct framed *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->in = alloc_buf(test, MAX_LEN + SZ_4K);
	f->out = alloc_buf(test, MAX_LEN + SZ_4K + CANARY_LEN);
	if (!f->in || !f->out)
		return -ENOMEM;
	mutex_init(&f->mgmt.lock);
	f->mgmt.kmod = "umd_mgmt_kunit_no_such_loader";
	f->mgmt.timeout_ms = TIMEOUT_MS;
	/* Its pauses are nanosleep, which strict mode does not allow. */
	f->mgmt.flags = UMD_MGMT_FRAMED | UMD_MGMT_NO_SYSCALL_FILTER;
	test->priv = f;
	return load(f, NAME);
}

static void framed_exit(struct kunit *test)
{
	struct framed *f = test->priv;

	umd_mgmt_unload(&f->mgmt);
	mutex_destroy(&f->mgmt.lock);
	umd_mgmt_kunit_wait_gone(NAME, 2000);
}

static struct kunit_case umd_mgmt_framed_cases[] = {
	KUNIT_CASE(umd_mgmt_framed_request_sizes),
	KUNIT_CASE(umd_mgmt_framed_reply_sizes),
	KUNIT_CASE(umd_mgmt_framed_status),
	KUNIT_CASE(umd_mgmt_framed_status_out_of_set),
	KUNIT_CASE(umd_mgmt_framed_bad_len),
	KUNIT_CASE(umd_mgmt_framed_bad_header),
	KUNIT_CASE(umd_mgmt_framed_split_header),
	KUNIT_CASE_SLOW(umd_mgmt_framed_cut_short),
	KUNIT_CASE_SLOW(umd_mgmt_framed_extra_frames),
	KUNIT_CASE(umd_mgmt_framed_caller_errors),
	KUNIT_CASE(umd_mgmt_framed_caller_signal),
	KUNIT_CASE(umd_mgmt_framed_caller_signal_payload),
	KUNIT_CASE(umd_mgmt_framed_post_start),
	{}
};

static struct kunit_suite umd_mgmt_framed_suite = {
	.name = "umd_mgmt_framed",
	.init = framed_init,
	.exit = framed_exit,
	.test_cases = umd_mgmt_framed_cases,
};

kunit_test_suite(umd_mgmt_framed_suite);
