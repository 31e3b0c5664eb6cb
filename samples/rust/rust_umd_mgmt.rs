// SPDX-License-Identifier: GPL-2.0

//! Rust user mode driver management sample.
//!
//! The module is both the UMD Manager and the UMD Loader of the framed sample UMD Handler, which
//! it embeds: on load it starts the handler, asks it for replies of lengths no fixed-size
//! message has, checks every reply, and shows the handler rejecting a request it cannot answer,
//! a verdict that reaches the caller apart from the errors of the exchange. On removal the
//! handler is stopped and its blob released. The handler is sealed: out of reach of user space,
//! root included.

use kernel::{
    c_str,
    prelude::*,
    sync::Arc,
    umd_message,
    umd_mgmt::{new_umd_mgmt, CallError, Driver, Handler, Loaded, Operation, Protocol, UmdMgmt},
};

module! {
    type: RustUmdMgmt,
    name: "rust_umd_mgmt",
    author: "umd-mgmt developers",
    description: "Rust user mode driver management sample",
    license: "GPL",
}

/// The framed sample handler, built by cargo and embedded in the module.
static HANDLER: &[u8] = include_bytes!("rust_umd_mgmt_handler");

/// The framed sample handler's protocol (its side is the handler crate's `ops` module).
struct SampleOps;

impl Protocol for SampleOps {
    const FRAMED: bool = true;
    // The handler's room for a message.
    const MAX_MSG_LEN: usize = 64 * 1024;
}

umd_message! {
    /// What to mark: a reply of `len` bytes, all zero but the one at `offset`.
    struct MarkRequest {
        offset: u32,
        len: u32,
    }
}

/// The seed's operation with a reply of any length; the handler rejects an `offset` not below
/// `len` with `ERANGE`.
struct Mark;

impl Operation for Mark {
    type Protocol = SampleOps;
    const OP: u32 = 1;
    type Request = MarkRequest;
    type Reply = [u8];
}

/// Replies with the request's bytes in reverse order.
struct Reverse;

impl Operation for Reverse {
    type Protocol = SampleOps;
    const OP: u32 = 2;
    type Request = [u8];
    type Reply = [u8];
}

/// The sample driver: its handler is named `umd_rust_sample`.
struct Sample;

impl Driver for Sample {
    type Protocol = SampleOps;
    const NAME: &'static CStr = c_str!("umd_rust_sample");
    // No user space process, root included, can trace, signal or read it.
    const SEALED: bool = true;

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        pr_info!("handler started, pid {}\n", handler.pid());
        Ok(())
    }
}

/// Whether `reply` is the correct answer to `request`: `len` bytes, only the one at `offset` set.
fn is_reply_to(reply: &[u8], request: &MarkRequest) -> bool {
    reply.len() == request.len as usize
        && reply
            .iter()
            .enumerate()
            .all(|(i, &b)| b == u8::from(i == request.offset as usize))
}

/// Asks for and checks the marks, a reversal, and a request the handler rejects.
fn exercise(umd: &UmdMgmt<Sample>) -> Result {
    // Grows once to the protocol's maximum, uninitialised, and is reused.
    let mut reply = KVec::new();

    for (offset, len) in [(0, 1), (999, 1000), (65535, 65536)] {
        let request = MarkRequest { offset, len };
        umd.call_vec::<Mark>(&request, &mut reply)?;
        if !is_reply_to(&reply, &request) {
            pr_err!("mark {} of {}: wrong reply\n", offset, len);
            return Err(EIO);
        }
        pr_info!(
            "mark {} of {}: reply correct ({} bytes)\n",
            offset,
            len,
            reply.len()
        );
    }

    let text = b"parsed in user space";
    umd.call_vec::<Reverse>(&text[..], &mut reply)?;
    if reply.len() != text.len() || !reply.iter().eq(text.iter().rev()) {
        pr_err!("reverse: wrong reply\n");
        return Err(EIO);
    }
    pr_info!("reverse of {} bytes: reply correct\n", text.len());

    // The handler's verdict on a request it cannot answer: not a failure of the exchange.
    let request = MarkRequest {
        offset: 10,
        len: 10,
    };
    match umd.call_vec::<Mark>(&request, &mut reply) {
        Err(CallError::Rejected(status)) if status == ERANGE => {
            pr_info!(
                "mark 10 of 10: handler status {} (ERANGE)\n",
                status.to_errno()
            );
        }
        Err(e) => return Err(e.into()),
        Ok(()) => {
            pr_err!("mark 10 of 10: not rejected\n");
            return Err(EIO);
        }
    }
    Ok(())
}

struct RustUmdMgmt {
    _loaded: Loaded<Sample>,
}

impl kernel::Module for RustUmdMgmt {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let umd = Arc::pin_init(new_umd_mgmt!(Sample), GFP_KERNEL)?;
        let loaded = umd.load(HANDLER)?;
        pr_info!("handler blob loaded ({} bytes)\n", HANDLER.len());

        exercise(&umd)?;

        let stats = umd.stats();
        pr_info!(
            "{} requests, {} rejected, {} failed, {} handler starts, handler pid {}\n",
            stats.requests,
            stats.rejections,
            stats.failures,
            stats.starts,
            stats.pid
        );

        Ok(RustUmdMgmt { _loaded: loaded })
    }
}

impl Drop for RustUmdMgmt {
    fn drop(&mut self) {
        // `_loaded` is dropped after this: the handler stops, the blob is released.
        pr_info!("stopping the handler, releasing the blob\n");
    }
}
