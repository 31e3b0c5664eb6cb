// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmarks of the user mode driver management library, run when the
 * module loads. Each case prints one line, read by scripts/bench-report.py:
 *
 *   umd_bench: case=NAME n=N p50=NS p99=NS rps=R q=Q0,Q5,...,Q100
 *
 * with the round-trip latency quantiles in nanoseconds.
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/usermode_driver_mgmt.h>

#include "umd_bench.h"
#include "umd_bench_blobs.h"

#define WARMUP 200
#define N_ECHO 5000
#define N_BIG 500
#define N_SPAWN 200
#define N_START 20
#define REPLY_LEN SZ_128K
/* Batches of each of two interleaved cases, and their size. */
#define ROUNDS 10
#define BATCH 500
/* The framed fixture's ops (kunit/hostile/src/framed.rs). */
#define OP_ECHO 0
#define OP_SIZED 2

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, u64 *ns, int n, u64 total_ns)
{
	char q[21 * 21];
	int i, len = 0;

	sort(ns, n, sizeof(*ns), cmp_u64, NULL);
	for (i = 0; i <= 20; i++)
		len += scnprintf(q + len, sizeof(q) - len, "%s%llu", i ? "," : "",
				 ns[min(n - 1, i * (n - 1) / 20)]);
	pr_info("umd_bench: case=%s n=%d p50=%llu p99=%llu rps=%llu q=%s\n",
		name, n, ns[n / 2], ns[min(n - 1, n * 99 / 100)],
		div64_u64((u64)n * NSEC_PER_SEC, max_t(u64, total_ns, 1)), q);
}

typedef int (*bench_fn)(void *ctx, u32 i);

/* Times @n calls of @fn after @warmup untimed ones. */
static int bench(const char *name, int warmup, int n, bench_fn fn, void *ctx)
{
	u64 start, t0, *ns;
	int i, err = 0;

	ns = kvmalloc_array(n, sizeof(*ns), GFP_KERNEL);
	if (!ns)
		return -ENOMEM;
	for (i = 0; i < warmup && !err; i++)
		err = fn(ctx, i);
	start = ktime_get_ns();
	for (i = 0; i < n && !err; i++) {
		t0 = ktime_get_ns();
		err = fn(ctx, i);
		ns[i] = ktime_get_ns() - t0;
	}
	if (!err)
		report(name, ns, n, ktime_get_ns() - start);
	else
		pr_err("umd_bench: case=%s failed: %d\n", name, err);
	kvfree(ns);
	return err;
}

static bool exited(struct pid *pid)
{
	struct task_struct *task;
	bool ret;

	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_PID);
	ret = !task || READ_ONCE(task->exit_state);
	rcu_read_unlock();
	return ret;
}

/* Kill a handler started with fork_usermode_driver() and wait for it. */
static void stop(struct umd_info *info)
{
	struct pid *pid = info->tgid;

	kill_pid(pid, SIGKILL, 1);
	wait_event(pid->wait_pidfd, exited(pid));
	umd_cleanup_helper(info);
}

static int echo_raw(void *ctx, u32 i)
{
	u32 reply = ~i;
	int err;

	err = umd_send_recv(ctx, &i, sizeof(i), &reply, sizeof(reply));
	return err ?: (reply == i ? 0 : -EBADMSG);
}

static int echo_mgmt(void *ctx, u32 i)
{
	u32 reply = ~i;
	int err;

	err = umd_mgmt_send_recv(ctx, &i, sizeof(i), &reply, sizeof(reply));
	return err ?: (reply == i ? 0 : -EBADMSG);
}

/* Echo with a handler started for this request only, as a helper would be. */
static int echo_spawn(void *ctx, u32 i)
{
	int err;

	err = fork_usermode_driver(ctx);
	if (err)
		return err;
	err = echo_raw(ctx, i);
	stop(ctx);
	return err;
}

struct big {
	struct umd_mgmt *mgmt;
	u8 *reply;
};

static int sample_mgmt(void *ctx, u32 i)
{
	struct big *b = ctx;
	u32 offset = i % REPLY_LEN;
	int err;

	err = umd_mgmt_send_recv(b->mgmt, &offset, sizeof(offset), b->reply,
				 REPLY_LEN);
	return err ?: (b->reply[offset] == 1 ? 0 : -EBADMSG);
}

static int echo_framed(void *ctx, u32 i)
{
	u32 reply = ~i;
	ssize_t ret;

	ret = umd_mgmt_call(ctx, OP_ECHO, &i, sizeof(i), &reply, sizeof(reply));
	if (ret < 0)
		return ret;
	return ret == sizeof(reply) && reply == i ? 0 : -EBADMSG;
}

struct sized {
	struct umd_mgmt *mgmt;
	u32 len;
	u8 *reply;
};

static int sized_framed(void *ctx, u32 i)
{
	struct sized *s = ctx;
	u32 k = i % s->len;
	ssize_t ret;

	ret = umd_mgmt_call(s->mgmt, OP_SIZED, &s->len, sizeof(s->len),
			    s->reply, s->len);
	if (ret < 0)
		return ret;
	/* The fixture's byte k is k ^ 0x5a. */
	return ret == s->len && s->reply[k] == ((u8)k ^ 0x5a) ? 0 : -EBADMSG;
}

/*
 * Times @fn_a and @fn_b in ROUNDS alternating batches of BATCH calls each,
 * the first batch of a round @fn_a's in even rounds and @fn_b's in odd
 * ones, so that neither drift in the guest nor going first favours either,
 * and reports both.
 */
static int bench_interleaved(const char *name_a, bench_fn fn_a, void *ctx_a,
			     const char *name_b, bench_fn fn_b, void *ctx_b)
{
	const int n = ROUNDS * BATCH;
	u64 *ns_a, *ns_b, total_a = 0, total_b = 0, t0;
	int r, i, k, err = 0;

	ns_a = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	ns_b = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	if (!ns_a || !ns_b) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < WARMUP && !err; i++)
		err = fn_a(ctx_a, i) ?: fn_b(ctx_b, i);
	for (r = 0; r < 2 * ROUNDS && !err; r++) {
		bool a = (r & 1) == ((r / 2) & 1);

		for (i = 0; i < BATCH && !err; i++) {
			k = r / 2 * BATCH + i;
			t0 = ktime_get_ns();
			err = a ? fn_a(ctx_a, k) : fn_b(ctx_b, k);
			if (a) {
				ns_a[k] = ktime_get_ns() - t0;
				total_a += ns_a[k];
			} else {
				ns_b[k] = ktime_get_ns() - t0;
				total_b += ns_b[k];
			}
		}
	}
	if (!err) {
		report(name_a, ns_a, n, total_a);
		report(name_b, ns_b, n, total_b);
	} else {
		pr_err("umd_bench: case=%s/%s failed: %d\n", name_a, name_b, err);
	}
out:
	kvfree(ns_a);
	kvfree(ns_b);
	return err;
}

static struct umd_mgmt *new_mgmt_flags(const char *name, char *start,
				       char *end, unsigned int flags)
{
	struct umd_mgmt *mgmt = kzalloc(sizeof(*mgmt), GFP_KERNEL);

	if (!mgmt)
		return ERR_PTR(-ENOMEM);
	mutex_init(&mgmt->lock);
	mgmt->flags = flags;
	mgmt->info.driver_name = name;
	if (umd_mgmt_load(mgmt, start, end)) {
		kfree(mgmt);
		return ERR_PTR(-EIO);
	}
	return mgmt;
}

static struct umd_mgmt *new_mgmt(const char *name, char *start, char *end)
{
	return new_mgmt_flags(name, start, end, 0);
}

static void free_mgmt(struct umd_mgmt *mgmt)
{
	umd_mgmt_unload(mgmt);
	kfree(mgmt);
}

/* The round trips: raw pipes, the library, the seed protocol, a helper each. */
static int bench_round_trips(void)
{
	struct umd_info raw = { .driver_name = "umd_bench_echo" };
	struct umd_mgmt *mgmt;
	struct big b;
	int err;

	err = umd_load_blob(&raw, umd_bench_fixture_start,
			    umd_bench_fixture_end - umd_bench_fixture_start);
	if (err)
		return err;
	err = fork_usermode_driver(&raw);
	if (!err) {
		err = bench("raw_echo", WARMUP, N_ECHO, echo_raw, &raw);
		stop(&raw);
	}
	if (!err)
		err = bench("spawn_echo", 10, N_SPAWN, echo_spawn, &raw);
	umd_unload_blob(&raw);
	if (err)
		return err;

	mgmt = new_mgmt("umd_bench_echo", umd_bench_fixture_start,
			umd_bench_fixture_end);
	if (IS_ERR(mgmt))
		return PTR_ERR(mgmt);
	err = bench("c_echo", WARMUP, N_ECHO, echo_mgmt, mgmt);
	free_mgmt(mgmt);
	if (err)
		return err;

	b.reply = kvmalloc(REPLY_LEN, GFP_KERNEL);
	if (!b.reply)
		return -ENOMEM;
	b.mgmt = new_mgmt("umd_bench_sample", umd_bench_sample_start,
			  umd_bench_sample_end);
	if (!IS_ERR(b.mgmt)) {
		err = bench("c_sample_128k", 20, N_BIG, sample_mgmt, &b);
		free_mgmt(b.mgmt);
	} else {
		err = PTR_ERR(b.mgmt);
	}
	kvfree(b.reply);
	return err;
}

/*
 * The framed protocol against the seed's, both no_std Rust handlers
 * confined alike, interleaved; then framed replies of 4 KiB and 128 KiB.
 */
static int bench_framed(void)
{
	struct umd_mgmt *seed, *framed;
	struct sized s;
	int err;

	seed = new_mgmt("umd_bench_echo", umd_bench_fixture_start,
			umd_bench_fixture_end);
	if (IS_ERR(seed))
		return PTR_ERR(seed);
	framed = new_mgmt_flags("umd_bench_framed",
				umd_bench_fixture_start,
				umd_bench_fixture_end, UMD_MGMT_FRAMED);
	if (IS_ERR(framed)) {
		free_mgmt(seed);
		return PTR_ERR(framed);
	}
	err = bench_interleaved("seed_echo_interleaved", echo_mgmt, seed,
				"framed_echo", echo_framed, framed);
	free_mgmt(seed);

	s.mgmt = framed;
	s.reply = kvmalloc(REPLY_LEN, GFP_KERNEL);
	if (!s.reply)
		err = err ?: -ENOMEM;
	s.len = SZ_4K;
	if (!err)
		err = bench("framed_reply_4k", WARMUP, N_BIG, sized_framed, &s);
	s.len = REPLY_LEN;
	if (!err)
		err = bench("framed_reply_128k", 20, N_BIG, sized_framed, &s);
	kvfree(s.reply);
	free_mgmt(framed);
	return err;
}

/* Load to first reply, and restart after a kill to first reply. */
static int bench_start(const char *handler, char *start, char *end)
{
	u64 load[N_START], restart[N_START], t0, t_load = 0, t_restart = 0;
	/* Both confined alike; glibc's start-up needs more than strict mode. */
	struct umd_mgmt mgmt = {
		.info.driver_name = "umd_bench_echo",
		.flags = UMD_MGMT_NO_SYSCALL_FILTER,
	};
	char name[64];
	int i, err = 0;

	mutex_init(&mgmt.lock);
	for (i = 0; i < N_START && !err; i++) {
		t0 = ktime_get_ns();
		err = umd_mgmt_load(&mgmt, start, end) ?:
		      echo_mgmt(&mgmt, i);
		load[i] = ktime_get_ns() - t0;
		t_load += load[i];
		if (err)
			break;

		kill_pid(mgmt.info.tgid, SIGKILL, 1);
		wait_event(mgmt.info.tgid->wait_pidfd, exited(mgmt.info.tgid));
		t0 = ktime_get_ns();
		err = echo_mgmt(&mgmt, i);
		restart[i] = ktime_get_ns() - t0;
		t_restart += restart[i];
		umd_mgmt_unload(&mgmt);
	}
	if (err) {
		pr_err("umd_bench: %s start failed: %d\n", handler, err);
		umd_mgmt_unload(&mgmt);
		return err;
	}
	snprintf(name, sizeof(name), "%s_cold_start", handler);
	report(name, load, N_START, t_load);
	snprintf(name, sizeof(name), "%s_restart", handler);
	report(name, restart, N_START, t_restart);
	pr_info("umd_bench: blob=%s bytes=%zu\n", handler, (size_t)(end - start));
	return 0;
}

/* The framed driver of umd_bench_c_framed_echo(), kept while loaded. */
static struct umd_mgmt *c_framed;

/**
 * umd_bench_c_framed_echo - a framed 4-byte echo through the C API
 * @i: the value to echo
 *
 * For umd_bench_rust, which times batches of these between batches of the
 * same echo through kernel::umd_mgmt, so that the two APIs are compared in
 * one module, on handlers started alike.
 *
 * Return: 0 if the handler echoed @i, or a negative errno.
 */
int umd_bench_c_framed_echo(u32 i)
{
	return echo_framed(c_framed, i);
}
EXPORT_SYMBOL_GPL(umd_bench_c_framed_echo);

static int __init umd_bench_init(void)
{
	int err;

	err = bench_round_trips() ?:
	      bench_framed() ?:
	      bench_start("rust_fixture", umd_bench_fixture_start,
			  umd_bench_fixture_end) ?:
	      bench_start("c_handler", umd_bench_c_handler_start,
			  umd_bench_c_handler_end);
	if (!err) {
		c_framed = new_mgmt_flags("umd_bench_c_framed",
					  umd_bench_fixture_start,
					  umd_bench_fixture_end,
					  UMD_MGMT_FRAMED);
		err = PTR_ERR_OR_ZERO(c_framed);
	}
	pr_info("umd_bench: %s\n", err ? "failed" : "done");
	return err;
}

static void __exit umd_bench_exit(void)
{
	free_mgmt(c_framed);
}

module_init(umd_bench_init);
module_exit(umd_bench_exit);
MODULE_DESCRIPTION("Benchmarks of the user mode driver management library");
MODULE_LICENSE("GPL");
