/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The framed protocol between the kernel and a user mode driver (a UMD
 * Handler) whose manager sets UMD_MGMT_FRAMED: the reference of the wire
 * format, for handler authors. See Documentation/driver-api/umd_mgmt.rst.
 *
 * The kernel writes requests to the handler's stdin and reads replies from
 * its stdout, one at a time: each request is answered by exactly one
 * reply before the next request is written, so a handler may read all its
 * stdin holds without taking bytes of the next request. A message is a
 * struct umd_mgmt_msg_hdr followed directly by hdr.len bytes of payload;
 * every field is in the handler's native byte order. The kernel writes a
 * request's header and payload with one write when its stdin has room for
 * both; a handler that does the same with a small reply lets the kernel
 * take it with one read.
 */
#ifndef _UAPI_LINUX_USERMODE_DRIVER_MGMT_H
#define _UAPI_LINUX_USERMODE_DRIVER_MGMT_H

#include <linux/types.h>

/**
 * struct umd_mgmt_msg_hdr - the header of a framed request or reply
 * @id: the request's id, chosen by the kernel, never 0 and never the same
 *      twice for one driver; a reply carries the id of its request
 * @op: the operation, chosen by the kernel's caller; a reply carries the
 *      op of its request
 * @len: the bytes of payload that follow the header; at most the driver's
 *       maximum, which its manager sets (1 MiB unless it says otherwise)
 * @status: 0 in a request. In a reply, 0 if the request was carried out,
 *          or the negative errno with which the handler rejects its input:
 *          -EINVAL, -EBADMSG, -ENOENT, -EOPNOTSUPP, -E2BIG, -ERANGE or
 *          -EKEYREJECTED (of the handler's architecture). A reply with a
 *          non-zero @status has no payload.
 * @max_reply: in a request, the most payload the reply may have: a reply
 *             that would need more is better rejected with -E2BIG or
 *             -ERANGE. 0 in a reply.
 * @flags: reserved, 0
 * @reserved: reserved, 0
 *
 * A reply whose fields differ from what is said here (a wrong @id or @op,
 * a @status out of the set, a @len above the request's @max_reply, a
 * reserved field not 0), or whose payload is shorter than @len, or that
 * the handler follows with more bytes, is a protocol error: the kernel
 * stops the handler, and the next request starts a new one.
 */
struct umd_mgmt_msg_hdr {
	__u64 id;
	__u32 op;
	__u32 len;
	__s32 status;
	__u32 max_reply;
	__u32 flags;
	__u32 reserved;
};

#endif /* _UAPI_LINUX_USERMODE_DRIVER_MGMT_H */
