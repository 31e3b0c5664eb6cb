// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite of the Rust abstraction kernel::umd_mgmt. The cases are
 * written in Rust, in umd_mgmt_rust_test.rs; this registers them.
 */
#include <kunit/test.h>

#include "umd_mgmt_rust_test.h"

static struct kunit_case umd_mgmt_rust_test_cases[] = {
	KUNIT_CASE(umd_mgmt_rust_test_replies),
	KUNIT_CASE(umd_mgmt_rust_test_typed),
	KUNIT_CASE(umd_mgmt_rust_test_restart_after_kill),
	KUNIT_CASE(umd_mgmt_rust_test_wrong_size),
	KUNIT_CASE(umd_mgmt_rust_test_post_start_error),
	KUNIT_CASE(umd_mgmt_rust_test_unload),
	KUNIT_CASE(umd_mgmt_rust_test_timeout_and_stats),
	{}
};

static struct kunit_suite umd_mgmt_rust_test_suite = {
	.name = "umd_mgmt_rust",
	.test_cases = umd_mgmt_rust_test_cases,
};

kunit_test_suite(umd_mgmt_rust_test_suite);
