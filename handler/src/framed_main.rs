// SPDX-License-Identifier: GPL-2.0-only
//! Sample UMD Handler of the framed protocol: answers the operations of
//! `umd_handler::ops` until stdin closes. Like the seed's handler it has no
//! std and no libc, and needs only read, write and exit.

#![no_std]
#![no_main]

use umd_handler::{frame, ops, Stdio};

umd_rt::entry!(main);

/// Serves until stdin closes; 1 on an I/O error or a truncated request.
fn main(_name: &[u8]) -> i32 {
    let mut request = [0u8; frame::HDR_LEN + ops::MAX_MSG_LEN];
    let mut reply = [0u8; frame::HDR_LEN + ops::MAX_MSG_LEN];
    let mut io = Stdio::new(umd_rt::read, umd_rt::write);
    match frame::serve(&mut io, &mut request, &mut reply, ops::answer) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
