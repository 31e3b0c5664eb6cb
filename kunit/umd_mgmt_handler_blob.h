/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _UMD_MGMT_HANDLER_BLOB_H
#define _UMD_MGMT_HANDLER_BLOB_H

/* The sample UMD Handler binary, from umd_mgmt_handler_blob.S. */
extern char umd_mgmt_kunit_handler_start[];
extern char umd_mgmt_kunit_handler_end[];

/* The hostile handler binary: see kunit/hostile/ in umd-mgmt. */
extern char umd_mgmt_kunit_hostile_start[];
extern char umd_mgmt_kunit_hostile_end[];

#endif /* _UMD_MGMT_HANDLER_BLOB_H */
