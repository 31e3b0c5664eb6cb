// SPDX-License-Identifier: GPL-2.0-only
//! Sample UMD Handler of the seed's protocol: reads 4-byte requests from
//! stdin (the kernel's pipe), writes 128 KiB replies to stdout, and exits
//! when stdin closes. No std, no libc: entry and system calls come from
//! `umd_rt`. The kernel confines it to seccomp's strict mode before it
//! starts; it needs only read, write and exit.

#![no_std]
#![no_main]

use umd_handler::{serve, Stdio, REPLY_LEN};

umd_rt::entry!(main);

/// Serves until stdin closes; 1 on an I/O error or a truncated request.
fn main(_name: &[u8]) -> i32 {
    // The only zeroing of the reply buffer: `serve` needs it zero.
    let mut reply = [0u8; REPLY_LEN];
    match serve(&mut Stdio::new(umd_rt::read, umd_rt::write), &mut reply) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
