/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _UMD_MGMT_RUST_TEST_H
#define _UMD_MGMT_RUST_TEST_H

/*
 * Implemented in umd_mgmt_rust_test.rs. Each returns 0 when the case passed,
 * or the line of the check that failed, with the check in *what, once the
 * case has released all it made.
 */
int umd_mgmt_rust_test_replies(const char **what);
int umd_mgmt_rust_test_restart_after_kill(const char **what);
int umd_mgmt_rust_test_post_start_handshake(const char **what);
int umd_mgmt_rust_test_post_start_unanswered(const char **what);
int umd_mgmt_rust_test_post_start_error(const char **what);
int umd_mgmt_rust_test_unload(const char **what);
int umd_mgmt_rust_test_borrowed_blob(const char **what);
int umd_mgmt_rust_test_timeout(const char **what);
int umd_mgmt_rust_test_backoff(const char **what);
int umd_mgmt_rust_test_concurrent(const char **what);
int umd_mgmt_rust_test_sizes(const char **what);
int umd_mgmt_rust_test_framed(const char **what);
int umd_mgmt_rust_test_framed_errors(const char **what);
int umd_mgmt_rust_test_framed_post_start(const char **what);
int umd_mgmt_rust_test_confinement(const char **what);

#endif /* _UMD_MGMT_RUST_TEST_H */
