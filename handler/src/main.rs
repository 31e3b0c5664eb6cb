// SPDX-License-Identifier: GPL-2.0-only
//! Sample UMD Handler: reads requests from stdin (the kernel's pipe), writes
//! replies to stdout, and exits when stdin closes. No std, no libc: the few
//! system calls it needs are made directly, and before reading its first
//! request it confines itself to them with seccomp's strict mode.

#![no_std]
#![no_main]

mod sys;

use umd_handler::{serve, Channel, End, Mode, EXTRA_LEN, REPLY_LEN};

struct Stdio;

impl Channel for Stdio {
    fn read(&mut self, buf: &mut [u8]) -> isize {
        sys::read(0, buf)
    }

    fn write(&mut self, buf: &[u8]) -> isize {
        sys::write(1, buf)
    }
}

/// Called by `_start` (see `sys.rs`) with the handler's name, `argv[0]`.
fn main(name: &[u8]) -> i32 {
    let mode = Mode::from_name(name);
    // Only read, write and exit are allowed from here on; a handler that
    // cannot confine itself does not serve.
    if sys::seccomp_strict() != 0 {
        return 2;
    }
    let mut buf = [0u8; REPLY_LEN + EXTRA_LEN];
    match serve(mode, &mut Stdio, &mut buf) {
        Ok(End::Exit) => 0,
        Ok(End::Crash) => sys::crash(),
        Err(_) => 1,
    }
}
