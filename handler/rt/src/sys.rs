// SPDX-License-Identifier: GPL-2.0-only
//! Typed wrappers of the system calls the handler binaries make besides
//! read, write and exit: each takes Rust types, keeps its unsafe system call
//! and the reason it is sound in one place, and returns what the kernel
//! returned (a value, or a negative errno). Most of them are what a hostile
//! handler tries, and seccomp's strict mode refuses.

use core::ffi::CStr;

use crate::{nr, syscall3, syscall6};

pub const O_RDONLY: usize = 0;
pub const O_WRONLY: usize = 1;
pub const O_APPEND: usize = 0o2000;
pub const F_SETPIPE_SZ: usize = 1031;
pub const SIGCHLD: usize = 17;
pub const AF_UNIX: usize = 1;
pub const AF_INET: usize = 2;
pub const SOCK_STREAM: usize = 1;
pub const PTRACE_ATTACH: usize = 16;
pub const PTRACE_DETACH: usize = 17;
pub const CLONE_NEWUSER: usize = 0x1000_0000;
pub const IPC_CREAT: usize = 0o1000;
pub const IPC_EXCL: usize = 0o2000;
pub const IPC_RMID: usize = 0;

/// `struct timespec` of x86_64 Linux.
#[repr(C)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}

impl Timespec {
    pub const fn from_ms(ms: u32) -> Timespec {
        Timespec {
            tv_sec: (ms / 1000) as i64,
            tv_nsec: (ms % 1000) as i64 * 1_000_000,
        }
    }

    pub const fn from_ns(ns: u64) -> Timespec {
        Timespec {
            tv_sec: (ns / 1_000_000_000) as i64,
            tv_nsec: (ns % 1_000_000_000) as i64,
        }
    }
}

/// Opens `path` with `flags`, none of which creates a file.
pub fn open(path: &CStr, flags: usize) -> isize {
    // SAFETY: `path` is NUL-terminated and outlives the call; no flag
    // creates a file, so the mode is not read.
    unsafe { syscall3(nr::OPEN, path.as_ptr() as usize, flags, 0) }
}

pub fn close(fd: usize) -> isize {
    // SAFETY: close takes a plain integer.
    unsafe { syscall3(nr::CLOSE, fd, 0, 0) }
}

/// Sleeps for `ts`, or until a signal.
pub fn nanosleep(ts: &Timespec) -> isize {
    // SAFETY: `ts` is a struct timespec that outlives the call, which only
    // reads it; the remaining time is not asked for (NULL).
    unsafe { syscall3(nr::NANOSLEEP, ts as *const Timespec as usize, 0, 0) }
}

/// Waits for a signal; returns only if one is caught.
pub fn pause() -> isize {
    // SAFETY: pause takes no arguments.
    unsafe { syscall3(nr::PAUSE, 0, 0, 0) }
}

pub fn getpid() -> isize {
    // SAFETY: getpid takes no arguments.
    unsafe { syscall3(nr::GETPID, 0, 0, 0) }
}

/// Sends signal `sig` (0: only check for permission) to process `pid`.
pub fn kill(pid: i32, sig: i32) -> isize {
    // SAFETY: kill takes plain integers.
    unsafe { syscall3(nr::KILL, pid as usize, sig as usize, 0) }
}

/// Forks: the child's pid in the parent, 0 in the child, or a negative
/// errno.
pub fn fork() -> isize {
    // SAFETY: clone with only the exit signal and no new stack is fork: the
    // child continues from here with a copy of the memory and registers.
    // The binaries are single-threaded and hold no locks, so the copy is
    // consistent.
    unsafe { syscall6(nr::CLONE, SIGCHLD, 0, 0, 0, 0, 0) }
}

/// Waits for child `pid` to exit, without its status or usage.
pub fn wait4(pid: isize) -> isize {
    // SAFETY: NULL for the status and the usage, which are then not
    // written.
    unsafe { syscall6(nr::WAIT4, pid as usize, 0, 0, 0, 0, 0) }
}

pub fn socket(domain: usize, kind: usize, protocol: usize) -> isize {
    // SAFETY: socket takes plain integers.
    unsafe { syscall3(nr::SOCKET, domain, kind, protocol) }
}

/// Connects socket `fd` to the `struct sockaddr` in `addr`.
pub fn connect(fd: usize, addr: &[u8]) -> isize {
    // SAFETY: `addr` is valid for reads of its length, which the call is
    // given, and outlives it.
    unsafe { syscall3(nr::CONNECT, fd, addr.as_ptr() as usize, addr.len()) }
}

/// A ptrace request that takes no address and no data: attach, detach.
pub fn ptrace(request: usize, pid: i32) -> isize {
    // SAFETY: addr and data are 0, which the requests allowed here do not
    // dereference.
    unsafe { syscall6(nr::PTRACE, request, pid as usize, 0, 0, 0, 0) }
}

/// Mounts `source` on `target` as `fstype`, with no flags and no data.
pub fn mount(source: &CStr, target: &CStr, fstype: &CStr) -> isize {
    // SAFETY: the three strings are NUL-terminated and outlive the call; no
    // data (NULL).
    unsafe {
        syscall6(
            nr::MOUNT,
            source.as_ptr() as usize,
            target.as_ptr() as usize,
            fstype.as_ptr() as usize,
            0,
            0,
            0,
        )
    }
}

/// Loads a module from `image` with `params`.
pub fn init_module(image: &[u8], params: &CStr) -> isize {
    // SAFETY: `image` is valid for reads of its length, `params` is
    // NUL-terminated; both outlive the call.
    unsafe {
        syscall3(
            nr::INIT_MODULE,
            image.as_ptr() as usize,
            image.len(),
            params.as_ptr() as usize,
        )
    }
}

pub fn unshare(flags: usize) -> isize {
    // SAFETY: unshare takes plain flags.
    unsafe { syscall3(nr::UNSHARE, flags, 0, 0) }
}

pub fn mkdir(path: &CStr, mode: usize) -> isize {
    // SAFETY: `path` is NUL-terminated and outlives the call.
    unsafe { syscall3(nr::MKDIR, path.as_ptr() as usize, mode, 0) }
}

pub fn setuid(uid: u32) -> isize {
    // SAFETY: setuid takes a plain integer.
    unsafe { syscall3(nr::SETUID, uid as usize, 0, 0) }
}

pub fn chroot(path: &CStr) -> isize {
    // SAFETY: `path` is NUL-terminated and outlives the call.
    unsafe { syscall3(nr::CHROOT, path.as_ptr() as usize, 0, 0) }
}

/// Sets the size of the pipe `fd` to `size` bytes.
pub fn set_pipe_size(fd: usize, size: usize) -> isize {
    // SAFETY: fcntl(F_SETPIPE_SZ) takes plain integers.
    unsafe { syscall3(nr::FCNTL, fd, F_SETPIPE_SZ, size) }
}

/// Gets (with `IPC_CREAT`, makes) the SysV shared memory segment of `key`.
pub fn shmget(key: usize, size: usize, flags: usize) -> isize {
    // SAFETY: shmget takes plain integers.
    unsafe { syscall3(nr::SHMGET, key, size, flags) }
}

/// Removes the SysV shared memory segment `id`.
pub fn shm_remove(id: usize) -> isize {
    // SAFETY: IPC_RMID takes no buffer (NULL).
    unsafe { syscall3(nr::SHMCTL, id, IPC_RMID, 0) }
}

/// Gets (with `IPC_CREAT`, makes) the SysV message queue of `key`.
pub fn msgget(key: usize, flags: usize) -> isize {
    // SAFETY: msgget takes plain integers.
    unsafe { syscall3(nr::MSGGET, key, flags, 0) }
}

/// Removes the SysV message queue `id`.
pub fn msg_remove(id: usize) -> isize {
    // SAFETY: IPC_RMID takes no buffer (NULL).
    unsafe { syscall3(nr::MSGCTL, id, IPC_RMID, 0) }
}
