// SPDX-License-Identifier: GPL-2.0-only
//! Sample UMD Handler: reads requests from stdin (the kernel's pipe), writes
//! replies to stdout, and exits when stdin closes. No std, no libc: the few
//! system calls it needs are made directly.

#![no_std]
#![no_main]

mod sys;

use umd_handler::{serve, Channel, REPLY_LEN};

struct Stdio;

impl Channel for Stdio {
    fn read(&mut self, buf: &mut [u8]) -> isize {
        sys::read(0, buf)
    }

    fn write(&mut self, buf: &[u8]) -> isize {
        sys::write(1, buf)
    }
}

/// Called by `_start` (see `sys.rs`) with the stack set up by the kernel.
fn main() -> i32 {
    let mut reply = [0u8; REPLY_LEN];
    match serve(&mut Stdio, &mut reply) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
