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
use umd_handler::{read_exact, update, write_all, Channel, Error, Stdio};
use umd_hostile::framed::{self, End, Host};
use umd_hostile::{
    keyed_reply, sized_byte, Mode, EXTRA, EXTRA_LEN, GARBAGE, REPLY_LEN, REQUEST_LEN, SLOW_NS,
    UNKNOWN_ATTEMPT,
};
use umd_rt::sys::{
    self, Timespec, AF_INET, AF_UNIX, CLONE_NEWUSER, IPC_CREAT, IPC_EXCL, O_APPEND, O_RDONLY,
    O_WRONLY, PTRACE_ATTACH, PTRACE_DETACH, SOCK_STREAM,
};

umd_rt::entry!(main);

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

/// The channel, and the process's sleeps for the framed modes.
struct Process(Stdio);

impl Channel for Process {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.0.read(buf)
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.0.write(buf)
    }
}

impl Host for Process {
    fn sleep_ms(&mut self, ms: u32) {
        umd_rt::sleep_ms(ms);
    }
}

fn stdio() -> Stdio {
    Stdio::new(umd_rt::read, umd_rt::write)
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
    let chan = &mut stdio();
    let mut request = [0u8; REQUEST_LEN];
    let mut key = None;
    // Where the sample reply in `buf` has its 1 (see `update`): successive
    // replies differ in two bytes, so `buf` is never zeroed again.
    let mut set = None;

    if mode == Mode::Shrink {
        // A smaller pipe than a reply would need; the result does not
        // matter, not reading does.
        sys::set_pipe_size(0, 4096);
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
                sys::fork();
                pause_forever();
            }
            Mode::Slow => {
                sys::nanosleep(&Timespec::from_ns(SLOW_NS));
                write_all(chan, &request)?;
            }
            Mode::Syscall => {
                sys::getpid();
                write_all(chan, &request)?;
            }
            Mode::Escape => {
                let id = u32::from_ne_bytes(request);
                if id & FREE_FD != 0 {
                    // Give up stdin, so that RLIMIT_NOFILE leaves one
                    // descriptor free and the layers behind it are tried;
                    // there is no next request to read then.
                    sys::close(0);
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

/// Room for a framed request and a framed reply: in .bss, so
/// that a start touches only the pages a request uses, not 2 MiB.
static mut FRAMED_BUF: [u8; HDR_LEN + FRAMED_MAX] = [0; HDR_LEN + FRAMED_MAX];
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
    match framed::serve(&mut Process(stdio()), buf, frame, early) {
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
        // Signal 0 only checks for permission.
        3 => sys::kill(1, 0),
        4 => {
            let pid = sys::fork();
            if pid == 0 {
                umd_rt::exit(0);
            }
            if pid > 0 {
                sys::wait4(pid);
            }
            pid
        }
        5 => {
            let fd = sys::socket(AF_INET, SOCK_STREAM, 0);
            close(fd);
            fd
        }
        6 => {
            let ret = sys::ptrace(PTRACE_ATTACH, 1);
            if ret == 0 {
                sys::ptrace(PTRACE_DETACH, 1);
            }
            ret
        }
        7 => with_file(c"/dev/kmsg", O_WRONLY, |fd| {
            umd_rt::write(fd, b"umd escape\n")
        }),
        8 => with_file(c"/proc/1/environ", O_RDONLY, |fd| {
            umd_rt::read(fd, &mut [0u8; 64])
        }),
        9 => sys::mount(c"none", c".", c"tmpfs"),
        // An empty image: the permission check comes first.
        10 => sys::init_module(&[], c""),
        11 => sys::unshare(CLONE_NEWUSER),
        12 => sys::mkdir(c"escape", 0o777),
        13 => sys::setuid(0),
        14 => sys::chroot(c".."),
        // Make a SysV shared memory segment of a page and a message queue,
        // which outlive this process unless its IPC namespace goes with it.
        // They must be new: it fails if another process left them.
        15 => {
            let shm = sys::shmget(SYSV_KEY, 4096, IPC_CREAT | IPC_EXCL | 0o600);
            let msg = sys::msgget(SYSV_KEY, IPC_CREAT | IPC_EXCL | 0o600);
            shm.min(msg)
        }
        // Remove them again.
        16 => {
            let shm = removed(sys::shmget(SYSV_KEY, 0, 0), sys::shm_remove);
            let msg = removed(sys::msgget(SYSV_KEY, 0), sys::msg_remove);
            shm.min(msg)
        }
        // Connect to the listener the test has at UNIX_ADDR, in the
        // kernel's network namespace.
        17 => {
            let fd = sys::socket(AF_UNIX, SOCK_STREAM, 0);
            if fd < 0 {
                return fd as i64;
            }
            let ret = sys::connect(fd as usize, UNIX_ADDR);
            close(fd);
            ret
        }
        _ => return UNKNOWN_ATTEMPT,
    };
    result as i64
}

/// Removes the SysV IPC object `id` (or passes on the errno of finding
/// it) with `remove`: 0 or an errno.
fn removed(id: isize, remove: fn(usize) -> isize) -> isize {
    if id < 0 {
        return id;
    }
    remove(id as usize)
}

/// Opens `path` with `flags` and, if that works, returns what `io` returns
/// for the file descriptor, which is closed then; else the open's error.
fn with_file(path: &CStr, flags: usize, io: impl FnOnce(usize) -> isize) -> isize {
    let fd = sys::open(path, flags);
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
        sys::close(fd as usize);
    }
}

/// Waits for signals forever; one that is not ignored ends the process.
fn pause_forever() -> ! {
    loop {
        sys::pause();
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
