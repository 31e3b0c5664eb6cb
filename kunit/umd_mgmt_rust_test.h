/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _UMD_MGMT_RUST_TEST_H
#define _UMD_MGMT_RUST_TEST_H

struct kunit;

/* Implemented in umd_mgmt_rust_test.rs. */
void umd_mgmt_rust_test_replies(struct kunit *test);
void umd_mgmt_rust_test_typed(struct kunit *test);
void umd_mgmt_rust_test_restart_after_kill(struct kunit *test);
void umd_mgmt_rust_test_wrong_size(struct kunit *test);
void umd_mgmt_rust_test_post_start_error(struct kunit *test);
void umd_mgmt_rust_test_unload(struct kunit *test);
void umd_mgmt_rust_test_timeout_and_stats(struct kunit *test);

#endif /* _UMD_MGMT_RUST_TEST_H */
