// SPDX-License-Identifier: GPL-2.0-only
//! A UMD Handler that misbehaves on purpose, for the kernel's tests of the
//! library against hostile handlers and of the confinement the kernel puts
//! handlers in. Unlike the sample handler it assumes nothing about that
//! confinement and never enters it itself.
//!
//! Its name (`argv[0]`, the UMD's driver name) picks the behaviour: the part
//! after the last `_`, see [`Mode`]; `umd_hostile_hang` hangs. Requests are
//! 4 bytes, a native-endian `u32`; the "sample reply" to one is the sample
//! handler's: [`REPLY_LEN`] zero bytes with the byte at the request's offset
//! set to 1. Every mode exits (system call 60) with 0 when its input ends
//! between requests, and with 1 on a failed read or write or on input that
//! ends inside a request.
//!
//! This crate holds what needs no system call; the binary the rest.

#![cfg_attr(not(test), no_std)]

pub mod framed;

pub use umd_handler::{REPLY_LEN, REQUEST_LEN};

/// Bytes the `long` mode writes beyond a full reply.
pub const EXTRA_LEN: usize = 4096;
/// The byte the `long` mode writes beyond a full reply.
pub const EXTRA: u8 = 1;
/// The byte the `garbage` mode fills its replies with.
pub const GARBAGE: u8 = 0xff;
/// How long the `slow` mode sleeps before each reply, in nanoseconds.
pub const SLOW_NS: u64 = 300_000_000;
/// Size of an `escape` reply: a native-endian `i64`.
pub const ESCAPE_REPLY_LEN: usize = 8;
/// The `escape` reply to an attempt id it does not know: -ENOSYS.
pub const UNKNOWN_ATTEMPT: i64 = -38;

/// What the handler does, by the name suffix that selects it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `echo`, and any name not listed here: replies to each request with
    /// the request itself.
    Echo,
    /// `hang`: reads a request, then reads and discards its input until it
    /// ends, never replying.
    Hang,
    /// `exit`: reads a request and exits with 0 without replying.
    Exit,
    /// `crash`: reads a request, writes the first half of its sample reply,
    /// then crashes with an invalid instruction (SIGILL).
    Crash,
    /// `short`: writes the first half of each request's sample reply, then
    /// waits for the next request.
    Short,
    /// `long`: writes each request's sample reply and [`EXTRA_LEN`] bytes of
    /// [`EXTRA`] more, all in one write.
    Long,
    /// `garbage`: writes [`REPLY_LEN`] bytes of [`GARBAGE`] per request.
    Garbage,
    /// `split`: writes each request's sample reply, then the request again
    /// in a second write.
    Split,
    /// `forkhang`: reads a request, forks (clone with SIGCHLD only), and
    /// both processes (or the one, if the fork failed) pause forever.
    ForkHang,
    /// `shrink`: before reading anything, shrinks its stdin pipe to 4096
    /// bytes (F_SETPIPE_SZ), then pauses forever without reading.
    Shrink,
    /// `slow`: sleeps [`SLOW_NS`] before echoing each request.
    Slow,
    /// `syscall`: calls getpid before echoing each request; strict seccomp
    /// kills it for that.
    Syscall,
    /// `escape`: each request is the id of an attempt to get out of its
    /// confinement; the reply is an [`ESCAPE_REPLY_LEN`]-byte `i64`, the
    /// result of the attempt's last system call: not negative on success,
    /// or a negative errno. See the binary for the attempts. With bit 0x100
    /// set in the id, it closes stdin first, to have a descriptor free, and
    /// exits after the reply.
    Escape,
    /// `keyed`: a cooperative mode, for post-start handshakes. The first
    /// request is a key, answered with itself; every later one is answered
    /// with [`keyed_reply`].
    Keyed,
    /// `sized`: answers a request `n` with `n` bytes of [`sized_byte`], in
    /// one write, or with as many as it has room for.
    Sized,
    /// `spin`: echoes its first request, then spins on the CPU forever,
    /// with no system call that a filter could refuse, between requests,
    /// where no deadline runs.
    Spin,
    /// `framed`: speaks the framed protocol, each request answered as its
    /// op says: see [`framed`]. Sleeps with nanosleep.
    Framed,
    /// `fearly`: as `framed`, after a frame written before any request.
    FramedEarly,
}

/// Byte `i` of a `sized` reply.
pub fn sized_byte(i: usize) -> u8 {
    (i as u8) ^ 0x5a
}

/// The `keyed` mode's answer to `request` once `key` was set.
pub fn keyed_reply(key: u32, request: u32) -> u32 {
    request ^ key
}

/// The part of `name` after its last `_`, or all of it: what names a mode.
pub fn name_suffix(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'_') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

impl Mode {
    /// The mode of a handler named `name`.
    pub fn from_name(name: &[u8]) -> Mode {
        match name_suffix(name) {
            b"hang" => Mode::Hang,
            b"exit" => Mode::Exit,
            b"crash" => Mode::Crash,
            b"short" => Mode::Short,
            b"long" => Mode::Long,
            b"garbage" => Mode::Garbage,
            b"split" => Mode::Split,
            b"forkhang" => Mode::ForkHang,
            b"shrink" => Mode::Shrink,
            b"slow" => Mode::Slow,
            b"syscall" => Mode::Syscall,
            b"escape" => Mode::Escape,
            b"keyed" => Mode::Keyed,
            b"sized" => Mode::Sized,
            b"spin" => Mode::Spin,
            b"framed" => Mode::Framed,
            b"fearly" => Mode::FramedEarly,
            _ => Mode::Echo,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_is_named_by_the_last_part_of_the_name() {
        for (suffix, mode) in [
            ("echo", Mode::Echo),
            ("hang", Mode::Hang),
            ("exit", Mode::Exit),
            ("crash", Mode::Crash),
            ("short", Mode::Short),
            ("long", Mode::Long),
            ("garbage", Mode::Garbage),
            ("split", Mode::Split),
            ("forkhang", Mode::ForkHang),
            ("shrink", Mode::Shrink),
            ("slow", Mode::Slow),
            ("syscall", Mode::Syscall),
            ("escape", Mode::Escape),
            ("keyed", Mode::Keyed),
            ("sized", Mode::Sized),
            ("spin", Mode::Spin),
            ("framed", Mode::Framed),
            ("fearly", Mode::FramedEarly),
        ] {
            let name = format!("umd_hostile_{suffix}");
            assert_eq!(Mode::from_name(name.as_bytes()), mode, "{name}");
            assert_eq!(Mode::from_name(suffix.as_bytes()), mode, "{suffix}");
        }
    }

    #[test]
    fn other_names_echo() {
        for name in [
            &b"umd_hostile_good"[..],
            b"umd_hostile_hang_not",
            b"umd_hostile_",
            b"umd_hostile_HANG",
            b"umd_hostile_fork",
            b"",
        ] {
            assert_eq!(Mode::from_name(name), Mode::Echo, "{name:?}");
        }
    }

    #[test]
    fn the_suffix_is_what_follows_the_last_underscore() {
        assert_eq!(name_suffix(b"umd_hostile_slow"), b"slow");
        assert_eq!(name_suffix(b"slow"), b"slow");
        assert_eq!(name_suffix(b"slow_"), b"");
        assert_eq!(name_suffix(b""), b"");
    }
}
