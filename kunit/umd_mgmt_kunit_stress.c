// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress tests of the user mode driver management library: concurrent
 * callers of one UMD while its handler is killed at random, where every
 * call must return the echo of its own request or an error, none may hang,
 * and nothing of the handlers killed may be left; and a framed handler
 * that answers every request with a random frame, most of them well
 * formed, where every call must return a correct reply or a documented
 * errno.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/usermode_driver_mgmt.h>

#include "umd_mgmt_handler_blob.h"
#include "umd_mgmt_kunit_util.h"

/* The fixture echoes, as its name says. */
#define ECHO_NAME "umd_stress_echo"
#define CALLERS 4
#define CALLS 10000
#define MAX_ERRNO_SEEN 200
/* At most this many kills, so that a slow kernel still ends soon ... */
#define MAX_KILLS 2000
/* ... and the pipe files of every start can be checked for leaks. */
#define MAX_STARTS (2 * MAX_KILLS)

struct stress {
	struct umd_mgmt mgmt;
	atomic_t ok, wrong, errors[MAX_ERRNO_SEEN], done;
	atomic_t kills;
	/* Every pipe file the library opened, with a reference of ours. */
	struct file **files;
	int nr_files;
	bool files_overflow;
};

/* Runs under the library's lock, right after each start. */
static int track_files(struct umd_mgmt *mgmt)
{
	struct stress *s = container_of(mgmt, struct stress, mgmt);

	if (s->nr_files + 3 > 3 * MAX_STARTS) {
		s->files_overflow = true;
		return 0;
	}
	s->files[s->nr_files++] = get_file(mgmt->info.pipe_to_umh);
	s->files[s->nr_files++] = get_file(mgmt->info.pipe_to_umh_reader);
	s->files[s->nr_files++] = get_file(mgmt->info.pipe_from_umh);
	return 0;
}

struct caller {
	struct stress *s;
	u32 id;
};

static int caller_fn(void *data)
{
	struct caller *c = data;
	struct stress *s = c->s;
	u32 req, reply;
	int i, err;

	for (i = 0; i < CALLS; i++) {
		req = c->id << 24 | i;
		reply = ~req;
		err = umd_mgmt_send_recv(&s->mgmt, &req, sizeof(req), &reply,
					 sizeof(reply));
		if (!err && reply == req)
			atomic_inc(&s->ok);
		else if (!err)
			atomic_inc(&s->wrong);
		else
			atomic_inc(&s->errors[min(-err, MAX_ERRNO_SEEN - 1)]);
	}
	atomic_inc(&s->done);
	return 0;
}

/*
 * Kill whatever handler runs, every 1 to 5 ms, until the callers are done.
 * Each handler serves at least one request first: kills in a row would only
 * test the back-off, which has a test of its own.
 */
static int killer_fn(void *data)
{
	struct stress *s = data;
	int served = 0;
	struct pid *pid;

	while (atomic_read(&s->done) < CALLERS &&
	       atomic_read(&s->kills) < MAX_KILLS) {
		usleep_range(1000, 5000);
		if (atomic_read(&s->ok) == served)
			continue;
		served = atomic_read(&s->ok);
		pid = find_get_pid(READ_ONCE(s->mgmt.stats.pid));
		if (pid && !kill_pid(pid, SIGKILL, 1))
			atomic_inc(&s->kills);
		put_pid(pid);
	}
	return 0;
}

static void umd_mgmt_stress_random_kills(struct kunit *test)
{
	struct task_struct *callers[CALLERS], *killer;
	struct caller args[CALLERS];
	struct umd_mgmt_stats stats;
	unsigned long start;
	struct stress *s;
	int i, leaked = 0;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->files = kvcalloc(3 * MAX_STARTS, sizeof(*s->files), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->files);
	mutex_init(&s->mgmt.lock);
	s->mgmt.info.driver_name = ECHO_NAME;
	s->mgmt.post_start = track_files;
	s->mgmt.timeout_ms = 2000;
	KUNIT_ASSERT_EQ(test, umd_mgmt_kunit_processes(ECHO_NAME), 0);
	KUNIT_ASSERT_EQ(test, umd_mgmt_load(&s->mgmt,
					    umd_mgmt_kunit_hostile_start,
					    umd_mgmt_kunit_hostile_end), 0);

	start = jiffies;
	for (i = 0; i < CALLERS; i++) {
		args[i] = (struct caller){ .s = s, .id = i + 1 };
		callers[i] = kthread_run(caller_fn, &args[i], "umd_stress/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(callers[i]));
		get_task_struct(callers[i]);
	}
	killer = kthread_run(killer_fn, s, "umd_stress_kill");
	KUNIT_ASSERT_FALSE(test, IS_ERR(killer));
	get_task_struct(killer);

	/* kthread_stop() would interrupt the calls: wait for their end first. */
	while (atomic_read(&s->done) < CALLERS)
		msleep(20);
	for (i = 0; i < CALLERS; i++) {
		kthread_stop(callers[i]);
		put_task_struct(callers[i]);
	}
	kthread_stop(killer);
	put_task_struct(killer);

	umd_mgmt_get_stats(&s->mgmt, &stats);
	kunit_info(test, "umd_mgmt_stress: %d calls in %u ms: %d ok, %d wrong replies, %llu failed; %d kills, %llu starts (%llu restarts)\n",
		   CALLERS * CALLS, jiffies_to_msecs(jiffies - start),
		   atomic_read(&s->ok), atomic_read(&s->wrong),
		   stats.failures, atomic_read(&s->kills), stats.starts,
		   stats.restarts);
	for (i = 1; i < MAX_ERRNO_SEEN; i++)
		if (atomic_read(&s->errors[i]))
			kunit_info(test, "umd_mgmt_stress: errno %d: %d calls\n",
				   i, atomic_read(&s->errors[i]));

	KUNIT_EXPECT_EQ(test, atomic_read(&s->wrong), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->ok) + (int)stats.failures,
			CALLERS * CALLS);
	KUNIT_EXPECT_GT(test, atomic_read(&s->ok), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&s->kills), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->errors[EHOSTDOWN]), 0);

	/* Nothing left once unloaded: no process, no pipe, no mount. */
	umd_mgmt_unload(&s->mgmt);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(ECHO_NAME), 0);
	KUNIT_EXPECT_NULL(test, s->mgmt.info.wd.mnt);
	KUNIT_EXPECT_FALSE(test, s->files_overflow);
	for (i = 0; i < s->nr_files; i++) {
		if (!umd_mgmt_kunit_wait_released(s->files[i], 1000))
			leaked++;
		fput(s->files[i]);
	}
	kvfree(s->files);
	kunit_info(test, "umd_mgmt_stress: %d pipe files checked, %d leaked\n",
		   s->nr_files, leaked);
	KUNIT_EXPECT_EQ(test, leaked, 0);
	KUNIT_EXPECT_EQ(test, s->nr_files, 3 * (int)stats.starts);
	mutex_destroy(&s->mgmt.lock);
}

#define FUZZ_NAME "umd_fuzz_framed"
/*
 * 100,000 calls in parts, each a case of its own, so that each stays well
 * inside KUnit's 300 s per case on the debug kernel.
 */
#define FUZZ_PARTS 4
#define FUZZ_CALLS (100000 / FUZZ_PARTS)
/* The fixture's op (kunit/hostile/src/framed.rs) and its payload. */
#define OP_FUZZ 14
#define FUZZ_MAX_OUT SZ_64K
#define FUZZ_CANARY 0xa5

static unsigned long long fuzz_seed;
module_param(fuzz_seed, ullong, 0444);
MODULE_PARM_DESC(fuzz_seed, "seed of umd_mgmt_stress_fuzz_framed, 0 for a random one");
/* The seed of this run, the same for all parts. */
static u64 fuzz_run_seed;

static const int fuzz_parts[FUZZ_PARTS] = { 0, 1, 2, 3 };

static void fuzz_part_desc(const int *part, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "calls %d to %d", *part * FUZZ_CALLS,
		 (*part + 1) * FUZZ_CALLS - 1);
}

KUNIT_ARRAY_PARAM(fuzz_part, fuzz_parts, fuzz_part_desc);

struct fuzz_req {
	u64 seed;
	u32 index;
} __packed;

/* The errnos a framed call may return, the handler's statuses included. */
static bool fuzz_errno_documented(ssize_t ret)
{
	switch (ret) {
	case -EINVAL: case -EBADMSG: case -ENOENT: case -EOPNOTSUPP:
	case -E2BIG: case -ERANGE: case -EKEYREJECTED:
	case -EPROTO: case -EMSGSIZE: case -EPIPE: case -ETIMEDOUT:
	case -EHOSTDOWN:
		return true;
	}
	return false;
}

/*
 * 100,000 requests of room 0 to 64 KiB, in FUZZ_PARTS parts of one seed,
 * each part a handler of its own, each request answered with the fixture's
 * random frame for (seed, index): well formed 31 times in 32, else a
 * rejection, a header with a field out of bounds, extra bytes, a cut or an
 * exit at a random byte, sometimes in pieces with pauses. A reply the
 * library accepts must carry the fixture's pattern and leave the canary
 * past it; an error must be one of the documented ones. The seed is
 * printed first; umd_mgmt_kunit.fuzz_seed= replays it.
 */
static void umd_mgmt_stress_fuzz_framed(struct kunit *test)
{
	static const size_t rooms[] = { 0, 1, 32, 4096, FUZZ_MAX_OUT };
	struct umd_mgmt *mgmt;
	struct umd_mgmt_stats stats;
	int bad = 0, ok = 0, errors = 0, first;
	unsigned long start = jiffies;
	struct fuzz_req req;
	size_t room, len, j;
	ssize_t ret;
	u8 *out;
	int i;

	if (!fuzz_run_seed)
		fuzz_run_seed = fuzz_seed ?: get_random_u64();
	req.seed = fuzz_run_seed;
	first = *(const int *)test->param_value * FUZZ_CALLS;
	kunit_info(test, "umd_mgmt_stress: fuzz seed %llu (umd_mgmt_kunit.fuzz_seed=%llu replays it)\n",
		   req.seed, req.seed);
	mgmt = kunit_kzalloc(test, sizeof(*mgmt), GFP_KERNEL);
	out = kunit_kmalloc(test, FUZZ_MAX_OUT + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mgmt);
	KUNIT_ASSERT_NOT_NULL(test, out);
	mutex_init(&mgmt->lock);
	/* Its pauses are nanosleep; cut frames wait for the deadline. */
	mgmt->flags = UMD_MGMT_FRAMED | UMD_MGMT_NO_SYSCALL_FILTER;
	mgmt->timeout_ms = 50;
	mgmt->kmod = "umd_mgmt_kunit_no_such_loader";
	mgmt->info.driver_name = FUZZ_NAME;
	KUNIT_ASSERT_EQ(test, umd_mgmt_load(mgmt, umd_mgmt_kunit_hostile_start,
					    umd_mgmt_kunit_hostile_end), 0);

	for (i = first; i < first + FUZZ_CALLS; i++) {
		req.index = i;
		room = rooms[i % ARRAY_SIZE(rooms)];
		memset(out, FUZZ_CANARY, room + 64);
		ret = umd_mgmt_call(mgmt, OP_FUZZ, &req, sizeof(req), out, room);
		if (ret >= 0) {
			len = ret;
			for (j = 0; j < len; j++)
				if (out[j] != ((u8)j ^ (u8)i ^ 0x3c))
					break;
			if (len > room || j < len ||
			    memchr_inv(out + len, FUZZ_CANARY, 64)) {
				if (!bad++)
					kunit_err(test, "index %d: reply of %zu bytes, room %zu, wrong from byte %zu\n",
						  i, len, room, j);
			} else {
				ok++;
			}
		} else if (!fuzz_errno_documented(ret)) {
			if (!bad++)
				kunit_err(test, "index %d: errno %zd\n", i, ret);
		} else if (ret == -EHOSTDOWN) {
			/* The back-off after 5 failures in a row: wait it out. */
			errors++;
			msleep(UMD_MGMT_BACKOFF_MS);
		} else {
			errors++;
		}
	}
	umd_mgmt_get_stats(mgmt, &stats);
	umd_mgmt_unload(mgmt);
	mutex_destroy(&mgmt->lock);

	kunit_info(test, "umd_mgmt_stress: fuzz seed %llu: calls %d to %d in %u ms: %d correct replies, %d errors (%llu handler statuses), %d wrong; %llu starts\n",
		   req.seed, first, first + FUZZ_CALLS - 1,
		   jiffies_to_msecs(jiffies - start), ok,
		   errors, stats.rejections, bad, stats.starts);
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, ok + errors, FUZZ_CALLS);
	KUNIT_EXPECT_GT(test, ok, FUZZ_CALLS * 3 / 4);
	KUNIT_EXPECT_GT(test, stats.rejections, 0);
	KUNIT_EXPECT_GT(test, stats.failures, 0);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_wait_gone(FUZZ_NAME, 2000), 0);
}

static struct kunit_case umd_mgmt_stress_cases[] = {
	KUNIT_CASE_SLOW(umd_mgmt_stress_random_kills),
	KUNIT_CASE_PARAM_ATTR(umd_mgmt_stress_fuzz_framed, fuzz_part_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite umd_mgmt_stress_suite = {
	.name = "umd_mgmt_stress",
	.test_cases = umd_mgmt_stress_cases,
};

kunit_test_suite(umd_mgmt_stress_suite);
