/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _SAMPLE_HANDLER_BLOB_H
#define _SAMPLE_HANDLER_BLOB_H

/* The UMD Handler binary, from sample_handler_blob.S; init data only. */
extern char sample_handler_start[];
extern char sample_handler_end[];

#endif /* _SAMPLE_HANDLER_BLOB_H */
