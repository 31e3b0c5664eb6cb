// SPDX-License-Identifier: GPL-2.0

//! Rust user mode driver management sample.
//!
//! The module is both the UMD Manager and the UMD Loader of the sample UMD Handler, which it
//! embeds: on load it starts the handler, asks it to mark a few offsets of its 128 KiB reply and
//! checks every reply; on removal the handler is stopped and its blob released. The handler is
//! sealed: out of reach of user space, root included.

use kernel::{
    c_str,
    prelude::*,
    sync::Arc,
    umd_mgmt::{new_umd_mgmt, Driver, Handler, Loaded, Operation, Protocol},
};

module! {
    type: RustUmdMgmt,
    name: "rust_umd_mgmt",
    author: "umd-mgmt developers",
    description: "Rust user mode driver management sample",
    license: "GPL",
}

/// The sample handler, built by cargo and embedded in the module.
static HANDLER: &[u8] = include_bytes!("rust_umd_mgmt_handler");

const REPLY_LEN: usize = 128 * 1024;

/// The sample handler's protocol: a `u32` offset in, a 128 KiB reply out.
struct Marks;

impl Protocol for Marks {}

/// The sample driver: its handler is named `umd_rust_sample`.
struct Sample;

impl Driver for Sample {
    type Protocol = Marks;
    const NAME: &'static CStr = c_str!("umd_rust_sample");
    // No user space process, root included, can trace, signal or read it.
    const SEALED: bool = true;

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        pr_info!("handler started, pid {}\n", handler.pid());
        Ok(())
    }
}

/// Asks the handler to mark one byte of a 128 KiB reply: the byte at the offset requested.
struct Mark;

impl Operation for Mark {
    type Protocol = Marks;
    const OP: u32 = 0;
    type Request = u32;
    type Reply = [u8; REPLY_LEN];
}

/// Whether `reply` is the correct answer to `offset`: only that byte, if in range, is set.
fn is_reply_to(reply: &[u8], offset: u32) -> bool {
    let offset = offset as usize;
    reply
        .iter()
        .enumerate()
        .all(|(i, &b)| b == u8::from(i == offset))
}

struct RustUmdMgmt {
    _loaded: Loaded<Sample>,
}

impl kernel::Module for RustUmdMgmt {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let umd = Arc::pin_init(new_umd_mgmt!(Sample), GFP_KERNEL)?;
        let loaded = umd.load(HANDLER)?;
        pr_info!("handler blob loaded ({} bytes)\n", HANDLER.len());

        let mut reply = KBox::<[u8; REPLY_LEN]>::init(kernel::init::zeroed(), GFP_KERNEL)?;
        for offset in [0u32, 1, 131071, 131072] {
            reply.fill(0xa5);
            umd.send_recv::<Mark>(&offset, &mut reply)?;
            if !is_reply_to(&*reply, offset) {
                pr_err!("offset {}: wrong reply\n", offset);
                return Err(EIO);
            }
            let what = if (offset as usize) < REPLY_LEN {
                "byte set"
            } else {
                "all zero"
            };
            pr_info!("offset {}: reply correct ({})\n", offset, what);
        }

        let stats = umd.stats();
        pr_info!(
            "{} requests, {} failed, {} handler starts, handler pid {}\n",
            stats.requests,
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
