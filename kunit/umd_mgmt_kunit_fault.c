// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit test of the error paths of loading and starting a handler: fault
 * injection (CONFIG_FAIL_USERMODE_DRIVER) fails each step in turn, the
 * first, then the second, and so on until a load goes through with nothing
 * failed. Each injected failure must surface as a clean error from
 * umd_mgmt_load(), leave no process, pipe or mount behind, and leave the
 * structure able to load and serve a handler at once. KASAN, lockdep and
 * kmemleak watch the same paths on the debug kernel.
 */
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/usermode_driver_mgmt.h>

#include "umd_mgmt_handler_blob.h"
#include "umd_mgmt_kunit_util.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* The fixture echoes, as its name says. */
#define NAME "umd_fault_echo"
/* More steps than loading and starting take. */
#define MAX_STEPS 64

struct fault {
	struct umd_mgmt mgmt;
};

static int load(struct fault *f)
{
	return umd_mgmt_load(&f->mgmt, umd_mgmt_kunit_hostile_start,
			     umd_mgmt_kunit_hostile_end);
}

static int echo(struct fault *f, u32 value)
{
	u32 reply = ~value;
	int err;

	err = umd_mgmt_send_recv(&f->mgmt, &value, sizeof(value), &reply,
				 sizeof(reply));
	return err ?: (reply == value ? 0 : -EINVAL);
}

#ifdef CONFIG_FAIL_USERMODE_DRIVER
/* Fail the (@step + 1)th step from now on, once, without a stack dump. */
static void arm(int step)
{
	struct fault_attr *attr = &fail_usermode_driver;

	attr->verbose = 0;
	attr->interval = 1;
	atomic_set(&attr->space, step + 1);
	atomic_set(&attr->times, 1);
	WRITE_ONCE(attr->probability, 100);
}

/* Disarm; returns whether the failure was injected. */
static bool disarm(void)
{
	WRITE_ONCE(fail_usermode_driver.probability, 0);
	return atomic_read(&fail_usermode_driver.times) == 0;
}

static void umd_mgmt_fault_every_step(struct kunit *test)
{
	int step, err, errs[MAX_STEPS], injected = 0, clean = 0, recovered = 0;
	struct fault *f = test->priv;
	bool failed;

	for (step = 0; step < MAX_STEPS; step++) {
		arm(step);
		err = load(f);
		failed = disarm();
		if (!failed) {
			/* Every step passed: the load must have worked. */
			KUNIT_EXPECT_EQ(test, err, 0);
			KUNIT_EXPECT_EQ(test, echo(f, step), 0);
			umd_mgmt_unload(&f->mgmt);
			break;
		}
		errs[injected++] = err;

		/* Nothing is left of the failed load... */
		if (err < 0 && !f->mgmt.info.tgid && !f->mgmt.info.wd.mnt &&
		    !f->mgmt.info.pipe_to_umh && !f->mgmt.info.pipe_from_umh &&
		    !f->mgmt.info.pipe_to_umh_reader && !f->mgmt.kmod_loaded &&
		    !umd_mgmt_kunit_wait_gone(NAME, 1000))
			clean++;
		else
			KUNIT_FAIL(test, "step %d: load returned %d, left %d processes",
				   step, err, umd_mgmt_kunit_processes(NAME));

		/* ... and the next load and request work. */
		if (!load(f) && !echo(f, step))
			recovered++;
		umd_mgmt_unload(&f->mgmt);
	}

	for (step = 0; step < injected; step++)
		kunit_info(test, "step %d failed: umd_mgmt_load() returned %d\n",
			   step, errs[step]);
	kunit_info(test, "%d failures injected, %d clean, %d recovered\n",
		   injected, clean, recovered);
	KUNIT_EXPECT_LT(test, injected, MAX_STEPS);
	KUNIT_EXPECT_GE(test, injected, 10);
	KUNIT_EXPECT_EQ(test, clean, injected);
	KUNIT_EXPECT_EQ(test, recovered, injected);
	KUNIT_EXPECT_EQ(test, umd_mgmt_kunit_processes(NAME), 0);
}
#else
static void umd_mgmt_fault_every_step(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAIL_USERMODE_DRIVER");
}
#endif

static int fault_init(struct kunit *test)
{
	struct fault *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->mgmt.lock);
	f->mgmt.info.driver_name = NAME;
	f->mgmt.kmod = "umd_mgmt_kunit_no_such_loader";
	test->priv = f;
	return 0;
}

static void fault_exit(struct kunit *test)
{
	struct fault *f = test->priv;

#ifdef CONFIG_FAIL_USERMODE_DRIVER
	disarm();
#endif
	umd_mgmt_unload(&f->mgmt);
	mutex_destroy(&f->mgmt.lock);
}

static struct kunit_case umd_mgmt_fault_cases[] = {
	KUNIT_CASE(umd_mgmt_fault_every_step),
	{}
};

static struct kunit_suite umd_mgmt_fault_suite = {
	.name = "umd_mgmt_fault",
	.init = fault_init,
	.exit = fault_exit,
	.test_cases = umd_mgmt_fault_cases,
};

kunit_test_suite(umd_mgmt_fault_suite);
