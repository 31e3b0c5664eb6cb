// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite of the Rust abstraction kernel::umd_mgmt. The cases are
 * written in Rust, in umd_mgmt_rust_test.rs, and report where they failed
 * rather than assert, so that they clean up first; this registers them and
 * turns their result into a KUnit expectation.
 */
#include <kunit/test.h>

#include "umd_mgmt_rust_test.h"

#define UMD_MGMT_RUST_CASE(name)					\
static void name##_case(struct kunit *test)				\
{									\
	const char *what = "";						\
	int line = name(&what);						\
									\
	KUNIT_EXPECT_EQ_MSG(test, line, 0,				\
			    "umd_mgmt_rust_test.rs:%d: %s is false",	\
			    line, what);				\
}

UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_replies)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_restart_after_kill)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_post_start_handshake)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_post_start_unanswered)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_post_start_error)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_unload)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_borrowed_blob)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_timeout)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_backoff)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_concurrent)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_sizes)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_framed)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_framed_errors)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_framed_post_start)
UMD_MGMT_RUST_CASE(umd_mgmt_rust_test_confinement)

static struct kunit_case umd_mgmt_rust_test_cases[] = {
	KUNIT_CASE(umd_mgmt_rust_test_replies_case),
	KUNIT_CASE(umd_mgmt_rust_test_restart_after_kill_case),
	KUNIT_CASE(umd_mgmt_rust_test_post_start_handshake_case),
	KUNIT_CASE(umd_mgmt_rust_test_post_start_unanswered_case),
	KUNIT_CASE(umd_mgmt_rust_test_post_start_error_case),
	KUNIT_CASE(umd_mgmt_rust_test_unload_case),
	KUNIT_CASE(umd_mgmt_rust_test_borrowed_blob_case),
	KUNIT_CASE_SLOW(umd_mgmt_rust_test_timeout_case),
	KUNIT_CASE(umd_mgmt_rust_test_backoff_case),
	KUNIT_CASE(umd_mgmt_rust_test_concurrent_case),
	KUNIT_CASE(umd_mgmt_rust_test_sizes_case),
	KUNIT_CASE(umd_mgmt_rust_test_framed_case),
	KUNIT_CASE(umd_mgmt_rust_test_framed_errors_case),
	KUNIT_CASE(umd_mgmt_rust_test_framed_post_start_case),
	KUNIT_CASE(umd_mgmt_rust_test_confinement_case),
	{}
};

static struct kunit_suite umd_mgmt_rust_test_suite = {
	.name = "umd_mgmt_rust",
	.test_cases = umd_mgmt_rust_test_cases,
};

kunit_test_suite(umd_mgmt_rust_test_suite);
