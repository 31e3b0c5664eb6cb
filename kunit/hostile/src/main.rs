// SPDX-License-Identifier: GPL-2.0-only
//! The hostile UMD Handler test fixture (see the library for its modes):
//! reads requests from stdin, writes whatever its mode says to stdout. No
//! std, no libc: entry and system calls come from `umd_rt`. It makes system
//! calls beyond read, write and exit on purpose, to show what the kernel's
//! confinement allows.

#![no_std]
#![no_main]

use core::ffi::CStr;
use umd_handler::frame::HDR_LEN;
use umd_handler::{io_result, read_exact, update, write_all, Channel, Error};
use umd_hostile::framed::{self, End, Host};
use umd_hostile::{
    keyed_reply, sized_byte, Mode, EXTRA, EXTRA_LEN, GARBAGE, REPLY_LEN, REQUEST_LEN, SLOW_NS,
    UNKNOWN_ATTEMPT,
};
use umd_rt::{syscall3, syscall6};

umd_rt::entry!(main);

// System calls and their flags, x86_64 Linux.
const SYS_OPEN: usize = 2;
const SYS_CLOSE: usize = 3;
const SYS_PAUSE: usize = 34;
const SYS_NANOSLEEP: usize = 35;
const SYS_SHMGET: usize = 29;
const SYS_SHMCTL: usize = 31;
const SYS_GETPID: usize = 39;
const SYS_SOCKET: usize = 41;
const SYS_CONNECT: usize = 42;
const SYS_CLONE: usize = 56;
const SYS_WAIT4: usize = 61;
const SYS_KILL: usize = 62;
const SYS_MSGGET: usize = 68;
const SYS_MSGCTL: usize = 71;
const SYS_FCNTL: usize = 72;
const SYS_MKDIR: usize = 83;
const SYS_PTRACE: usize = 101;
const SYS_SETUID: usize = 105;
const SYS_CHROOT: usize = 161;
const SYS_MOUNT: usize = 165;
const SYS_INIT_MODULE: usize = 175;
const SYS_UNSHARE: usize = 272;
const O_RDONLY: usize = 0;
const O_WRONLY: usize = 1;
const O_APPEND: usize = 0o2000;
const F_SETPIPE_SZ: usize = 1031;
const SIGCHLD: usize = 17;
const AF_UNIX: usize = 1;
const AF_INET: usize = 2;
const SOCK_STREAM: usize = 1;
const PTRACE_ATTACH: usize = 16;
const PTRACE_DETACH: usize = 17;
const CLONE_NEWUSER: usize = 0x1000_0000;
const IPC_CREAT: usize = 0o1000;
const IPC_EXCL: usize = 0o2000;
const IPC_RMID: usize = 0;
/// The key of the SysV IPC objects that attempts 15 and 16 make and remove.
const SYSV_KEY: usize = 0x756d_6400;
/// The abstract unix socket address attempt 17 connects to: a
/// `sockaddr_un` of family `AF_UNIX` whose path is a NUL, then the name.
const UNIX_ADDR: &[u8] = b"\x01\x00\x00umd_mgmt_kunit";

/// In an escape attempt id: close stdin first, then exit after the reply.
const FREE_FD: u32 = 0x100;
const BUF_LEN: usize = REPLY_LEN + EXTRA_LEN;
/// Room for a framed payload: the library's default maximum, 1 MiB.
const FRAMED_MAX: usize = 1 << 20;

struct Stdio;

impl Channel for Stdio {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        io_result(umd_rt::read(0, buf))
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        io_result(umd_rt::write(1, buf))
    }
}

impl Host for Stdio {
    fn sleep_ms(&mut self, ms: u32) {
        umd_rt::sleep_ms(ms);
    }
}

/// Runs the mode named by `name`, the handler's `argv[0]`.
fn main(name: &[u8]) -> i32 {
    let mode = Mode::from_name(name);
    if matches!(mode, Mode::Framed | Mode::FramedEarly) {
        return serve_framed(mode == Mode::FramedEarly);
    }
    // The only zeroing of the buffer: `serve` builds sample replies from it.
    let mut buf = [0u8; BUF_LEN];
    match serve(mode, &mut buf) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// Misbehaves in `mode` until the input ends, if the mode lets it end;
/// `buf` is the room for a reply and the `long` mode's extra bytes, and
/// must be all zero.
fn serve(mode: Mode, buf: &mut [u8; BUF_LEN]) -> Result<(), Error> {
    let chan = &mut Stdio;
    let mut request = [0u8; REQUEST_LEN];
    let mut key = None;
    // Where the sample reply in `buf` has its 1 (see `update`): successive
    // replies differ in two bytes, so `buf` is never zeroed again.
    let mut set = None;

    if mode == Mode::Shrink {
        // A smaller pipe than a reply would need; the result does not
        // matter, not reading does.
        // SAFETY: fcntl(F_SETPIPE_SZ) takes plain integers.
        unsafe { syscall3(SYS_FCNTL, 0, F_SETPIPE_SZ, 4096) };
        pause_forever();
    }

    while read_exact(chan, &mut request)? {
        let (reply, extra) = buf.split_at_mut(REPLY_LEN);
        let reply: &mut [u8; REPLY_LEN] = reply.try_into().unwrap();
        match mode {
            Mode::Echo => write_all(chan, &request)?,
            Mode::Hang => {
                // Read on, so the input ending is seen, but never reply.
                while chan.read(reply)? != 0 {}
                return Ok(());
            }
            Mode::Exit => return Ok(()),
            Mode::Crash => {
                // No next reply to update: it crashes after this one.
                update(reply, set, &request);
                write_all(chan, &reply[..REPLY_LEN / 2])?;
                crash();
            }
            Mode::Short => {
                set = update(reply, set, &request);
                write_all(chan, &reply[..REPLY_LEN / 2])?;
            }
            Mode::Long => {
                set = update(reply, set, &request);
                extra.fill(EXTRA);
                // One write of all of it: a pipe takes it whole.
                write_all(chan, &buf[..])?;
            }
            Mode::Garbage => {
                reply.fill(GARBAGE);
                write_all(chan, reply)?;
            }
            Mode::Split => {
                set = update(reply, set, &request);
                write_all(chan, reply)?;
                write_all(chan, &request)?;
            }
            Mode::ForkHang => {
                // Parent and child alike; a failed fork leaves the parent.
                fork();
                pause_forever();
            }
            Mode::Slow => {
                let delay: [i64; 2] = [0, SLOW_NS];
                // SAFETY: `delay` is a struct timespec the call only reads;
                // the remaining time is not asked for (NULL).
                unsafe { syscall3(SYS_NANOSLEEP, delay.as_ptr() as usize, 0, 0) };
                write_all(chan, &request)?;
            }
            Mode::Syscall => {
                // SAFETY: getpid takes no arguments.
                unsafe { syscall3(SYS_GETPID, 0, 0, 0) };
                write_all(chan, &request)?;
            }
            Mode::Escape => {
                let id = u32::from_ne_bytes(request);
                if id & FREE_FD != 0 {
                    // Give up stdin, so that RLIMIT_NOFILE leaves one
                    // descriptor free and the layers behind it are tried;
                    // there is no next request to read then.
                    // SAFETY: close takes a plain integer.
                    unsafe { syscall3(SYS_CLOSE, 0, 0, 0) };
                }
                let result = escape(id & !FREE_FD);
                write_all(chan, &result.to_ne_bytes())?;
                if id & FREE_FD != 0 {
                    return Ok(());
                }
            }
            Mode::Keyed => {
                let request = u32::from_ne_bytes(request);
                let reply = match key {
                    None => *key.insert(request),
                    Some(key) => keyed_reply(key, request),
                };
                write_all(chan, &reply.to_ne_bytes())?;
            }
            Mode::Sized => {
                let len = (u32::from_ne_bytes(request) as usize).min(BUF_LEN);
                for (i, byte) in buf[..len].iter_mut().enumerate() {
                    *byte = sized_byte(i);
                }
                write_all(chan, &buf[..len])?;
            }
            Mode::Spin => {
                write_all(chan, &request)?;
                spin_forever();
            }
            // It never reads: see above; the framed modes are served by
            // serve_framed().
            Mode::Shrink | Mode::Framed | Mode::FramedEarly => {}
        }
    }
    Ok(())
}

/// Room for a framed request's payload and a framed reply: in .bss, so
/// that a start touches only the pages a request uses, not 2 MiB.
static mut FRAMED_BUF: [u8; FRAMED_MAX] = [0; FRAMED_MAX];
static mut FRAMED_FRAME: [u8; HDR_LEN + FRAMED_MAX] = [0; HDR_LEN + FRAMED_MAX];

/// The framed modes: 0 when the input ends, or when an op exits.
fn serve_framed(early: bool) -> i32 {
    // SAFETY: the process is single-threaded and this is the only place
    // that refers to the two statics, once: the references are unique.
    let (buf, frame) = unsafe {
        (
            &mut *core::ptr::addr_of_mut!(FRAMED_BUF),
            &mut *core::ptr::addr_of_mut!(FRAMED_FRAME),
        )
    };
    match framed::serve(&mut Stdio, buf, frame, early) {
        Ok(End::Closed | End::Exit) => 0,
        Err(_) => 1,
    }
}

/// Makes escape attempt `id`; returns the result of its last system call,
/// or -ENOSYS for an unknown id. The paths without a leading `/` are
/// relative to the handler's working directory.
fn escape(id: u32) -> i64 {
    let result = match id {
        // Make the kernel run a program of our choice as root.
        0 => with_file(c"/proc/sys/kernel/modprobe", O_WRONLY, |fd| {
            umd_rt::write(fd, b"/tmp/pwned\n")
        }),
        // Read a file only root may read.
        1 => with_file(c"secret", O_RDONLY, |fd| umd_rt::read(fd, &mut [0u8; 1])),
        // Write a file only root may write.
        2 => with_file(c"owned", O_WRONLY | O_APPEND, |fd| umd_rt::write(fd, b"x")),
        // SAFETY: kill takes plain integers; signal 0 only checks for
        // permission.
        3 => unsafe { syscall3(SYS_KILL, 1, 0, 0) },
        4 => {
            let pid = fork();
            if pid == 0 {
                umd_rt::exit(0);
            }
            if pid > 0 {
                // SAFETY: wait4 on our child, with NULL for the status and
                // the usage it could fill in.
                unsafe { syscall6(SYS_WAIT4, pid as usize, 0, 0, 0, 0, 0) };
            }
            pid
        }
        5 => {
            // SAFETY: socket takes plain integers.
            let fd = unsafe { syscall3(SYS_SOCKET, AF_INET, SOCK_STREAM, 0) };
            close(fd);
            fd
        }
        6 => {
            // SAFETY: PTRACE_ATTACH and PTRACE_DETACH take no pointers
            // (addr and data are 0).
            unsafe {
                let ret = syscall6(SYS_PTRACE, PTRACE_ATTACH, 1, 0, 0, 0, 0);
                if ret == 0 {
                    syscall6(SYS_PTRACE, PTRACE_DETACH, 1, 0, 0, 0, 0);
                }
                ret
            }
        }
        7 => with_file(c"/dev/kmsg", O_WRONLY, |fd| {
            umd_rt::write(fd, b"umd escape\n")
        }),
        8 => with_file(c"/proc/1/environ", O_RDONLY, |fd| {
            umd_rt::read(fd, &mut [0u8; 64])
        }),
        // SAFETY: the source, target and type are NUL-terminated strings
        // that outlive the call; no data (NULL).
        9 => unsafe {
            syscall6(
                SYS_MOUNT,
                c"none".as_ptr() as usize,
                c".".as_ptr() as usize,
                c"tmpfs".as_ptr() as usize,
                0,
                0,
                0,
            )
        },
        // SAFETY: a NULL image of length 0 is never read; the parameters
        // are an empty NUL-terminated string.
        10 => unsafe { syscall3(SYS_INIT_MODULE, 0, 0, c"".as_ptr() as usize) },
        // SAFETY: unshare takes plain flags.
        11 => unsafe { syscall3(SYS_UNSHARE, CLONE_NEWUSER, 0, 0) },
        // SAFETY: the path is a NUL-terminated string that outlives the
        // call.
        12 => unsafe { syscall3(SYS_MKDIR, c"escape".as_ptr() as usize, 0o777, 0) },
        // SAFETY: setuid takes a plain integer.
        13 => unsafe { syscall3(SYS_SETUID, 0, 0, 0) },
        // SAFETY: the path is a NUL-terminated string that outlives the
        // call.
        14 => unsafe { syscall3(SYS_CHROOT, c"..".as_ptr() as usize, 0, 0) },
        // Make a SysV shared memory segment of a page and a message queue,
        // which outlive this process unless its IPC namespace goes with it.
        // They must be new: it fails if another process left them.
        15 => {
            let shm = sysv(SYS_SHMGET, 4096, IPC_CREAT | IPC_EXCL | 0o600);
            let msg = sysv(SYS_MSGGET, IPC_CREAT | IPC_EXCL | 0o600, 0);
            shm.min(msg)
        }
        // Remove them again.
        16 => {
            let shm = sysv_remove(SYS_SHMGET, SYS_SHMCTL);
            let msg = sysv_remove(SYS_MSGGET, SYS_MSGCTL);
            shm.min(msg)
        }
        // Connect to the listener the test has at UNIX_ADDR, in the
        // kernel's network namespace.
        17 => {
            // SAFETY: socket takes plain integers.
            let fd = unsafe { syscall3(SYS_SOCKET, AF_UNIX, SOCK_STREAM, 0) };
            if fd < 0 {
                return fd as i64;
            }
            // SAFETY: the address is UNIX_ADDR.len() bytes that outlive the
            // call.
            let ret = unsafe {
                syscall3(
                    SYS_CONNECT,
                    fd as usize,
                    UNIX_ADDR.as_ptr() as usize,
                    UNIX_ADDR.len(),
                )
            };
            close(fd);
            ret
        }
        _ => return UNKNOWN_ATTEMPT,
    };
    result as i64
}

/// Gets the SysV IPC object of [`SYSV_KEY`] with `get` (shmget or msgget,
/// whose arguments after the key are `a` and `b`): its id or an errno.
fn sysv(get: usize, a: usize, b: usize) -> isize {
    // SAFETY: shmget and msgget take plain integers.
    unsafe { syscall3(get, SYSV_KEY, a, b) }
}

/// Removes the SysV IPC object of [`SYSV_KEY`] that `get` finds, with
/// `ctl` (shmctl or msgctl): 0 or an errno.
fn sysv_remove(get: usize, ctl: usize) -> isize {
    let id = sysv(get, 0, 0);
    if id < 0 {
        return id;
    }
    // SAFETY: IPC_RMID takes no buffer (NULL).
    unsafe { syscall3(ctl, id as usize, IPC_RMID, 0) }
}

/// Opens `path` with `flags` and, if that works, returns what `io` returns
/// for the file descriptor, which is closed then; else the open's error.
fn with_file(path: &CStr, flags: usize, io: impl FnOnce(usize) -> isize) -> isize {
    // SAFETY: `path` is NUL-terminated and outlives the call; no flag
    // creates a file, so the mode is not used.
    let fd = unsafe { syscall3(SYS_OPEN, path.as_ptr() as usize, flags, 0) };
    if fd < 0 {
        return fd;
    }
    let result = io(fd as usize);
    close(fd);
    result
}

/// Closes `fd` if it is one (not a negative errno).
fn close(fd: isize) {
    if fd >= 0 {
        // SAFETY: close takes a plain integer, a descriptor of ours.
        unsafe { syscall3(SYS_CLOSE, fd as usize, 0, 0) };
    }
}

/// Forks: the child's pid in the parent, 0 in the child, or a negative
/// errno.
fn fork() -> isize {
    // SAFETY: clone with only the exit signal and no new stack is fork: the
    // child continues from here with a copy of our memory and registers,
    // which this single-threaded process is ready for.
    unsafe { syscall6(SYS_CLONE, SIGCHLD, 0, 0, 0, 0, 0) }
}

/// Waits for signals forever; one that is not ignored ends the process.
fn pause_forever() -> ! {
    loop {
        // SAFETY: pause takes no arguments.
        unsafe { syscall3(SYS_PAUSE, 0, 0, 0) };
    }
}

/// Uses the CPU for as long as it runs, in user mode only.
fn spin_forever() -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// Crashes the process with an invalid instruction (SIGILL).
fn crash() -> ! {
    // SAFETY: ud2 raises #UD, which kills the process; nothing follows.
    unsafe { core::arch::asm!("ud2", options(noreturn)) }
}
