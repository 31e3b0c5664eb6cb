// SPDX-License-Identifier: GPL-2.0-only
//! Runtime of the UMD Handler binaries, which have no std and no libc: the
//! process entry ([`entry!`]), raw x86_64 Linux system calls and typed
//! wrappers of those the binaries make ([`sys`]), the memory routines the
//! compiler expects from a C library, and the panic handler.
//!
//! A binary that depends on this crate must link with the arguments of
//! `bin-build.rs` (no start files, no C library, static, not PIE).

#![no_std]

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
compile_error!("umd-rt supports only x86_64 Linux: its entry and system calls are x86_64 assembly");

use core::arch::asm;

/// System call numbers of x86_64 Linux.
pub mod nr {
    pub const READ: usize = 0;
    pub const WRITE: usize = 1;
    pub const OPEN: usize = 2;
    pub const CLOSE: usize = 3;
    pub const SHMGET: usize = 29;
    pub const SHMCTL: usize = 31;
    pub const PAUSE: usize = 34;
    pub const NANOSLEEP: usize = 35;
    pub const GETPID: usize = 39;
    pub const SOCKET: usize = 41;
    pub const CONNECT: usize = 42;
    pub const CLONE: usize = 56;
    /// Not exit_group: seccomp's strict mode allows only exit. The binaries
    /// are single-threaded, so it ends the process.
    pub const EXIT: usize = 60;
    pub const WAIT4: usize = 61;
    pub const KILL: usize = 62;
    pub const MSGGET: usize = 68;
    pub const MSGCTL: usize = 71;
    pub const FCNTL: usize = 72;
    pub const MKDIR: usize = 83;
    pub const PTRACE: usize = 101;
    pub const SETUID: usize = 105;
    pub const CHROOT: usize = 161;
    pub const MOUNT: usize = 165;
    pub const INIT_MODULE: usize = 175;
    pub const UNSHARE: usize = 272;
}

pub mod sys;

/// Defines the process entry point `_start`, which calls `$main`, a
/// `fn(name: &[u8]) -> i32` given the process's `argv[0]` (empty if there is
/// none), and ends the process with exit (60) and the code `$main` returns.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        /// Called by `_start` with the stack pointer the process started with.
        ///
        /// # Safety
        ///
        /// `sp` must be that initial stack pointer.
        unsafe extern "C" fn __umd_rt_start(sp: *const usize) -> ! {
            // SAFETY: `_start` passes the stack pointer the kernel entered
            // with, untouched.
            unsafe { $crate::start(sp, $main) }
        }

        // The kernel enters at `_start` with the stack pointer on argc; pass
        // it on, align the stack as the ABI requires for a call, and never
        // return.
        ::core::arch::global_asm!(
            ".globl _start",
            "_start:",
            "xor ebp, ebp",
            "mov rdi, rsp",
            "and rsp, -16",
            "call {start}",
            "ud2",
            start = sym __umd_rt_start,
        );
    };
}

/// Runs `main` with the process's name and exits with its result; called
/// through [`entry!`].
///
/// # Safety
///
/// `sp` must be the stack pointer the process started with: it points to
/// argc, followed by argc pointers to NUL-terminated strings and a NULL.
#[doc(hidden)]
pub unsafe fn start(sp: *const usize, main: fn(&[u8]) -> i32) -> ! {
    // SAFETY: the caller guarantees the layout of the initial stack; the
    // strings stay in place for the process's life.
    let name = unsafe {
        let argv0 = *sp.add(1) as *const u8;
        if *sp == 0 || argv0.is_null() {
            &[]
        } else {
            let mut len = 0;
            // Volatile, so that the loop cannot become a call to a strlen
            // that does not exist here.
            while argv0.add(len).read_volatile() != 0 {
                len += 1;
            }
            core::slice::from_raw_parts(argv0, len)
        }
    };
    exit(main(name))
}

/// Makes system call `nr` with up to three arguments; returns its result,
/// which is a negative errno on failure.
///
/// # Safety
///
/// The arguments must be valid for system call `nr`: any memory they point
/// to must be valid for what the call does with it.
#[inline]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller guarantees the arguments are valid for `nr`; the
    // kernel clobbers only rcx and r11 besides the return register.
    unsafe {
        asm!("syscall", inlateout("rax") nr as isize => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    ret
}

/// Makes system call `nr` with up to six arguments; returns its result,
/// which is a negative errno on failure.
///
/// # Safety
///
/// As for [`syscall3`]. A call that creates a process returns in both with
/// the same memory, as fork does: the caller must be ready for that.
#[inline]
pub unsafe fn syscall6(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> isize {
    let ret: isize;
    // SAFETY: as in `syscall3`; r10, r8 and r9 carry the last three
    // arguments.
    unsafe {
        asm!("syscall", inlateout("rax") nr as isize => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, in("r10") a3, in("r8") a4, in("r9") a5,
             lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    ret
}

/// Reads into `buf` from `fd`; returns the byte count, 0 at end of input, or
/// a negative errno.
pub fn read(fd: usize, buf: &mut [u8]) -> isize {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
    unsafe { syscall3(nr::READ, fd, buf.as_mut_ptr() as usize, buf.len()) }
}

/// Writes `buf` to `fd`; returns the byte count or a negative errno.
pub fn write(fd: usize, buf: &[u8]) -> isize {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes.
    unsafe { syscall3(nr::WRITE, fd, buf.as_ptr() as usize, buf.len()) }
}

/// Sleeps for `ms` milliseconds, or until a signal; returns 0 or a
/// negative errno. Not a system call seccomp's strict mode allows.
pub fn sleep_ms(ms: u32) -> isize {
    sys::nanosleep(&sys::Timespec::from_ms(ms))
}

/// Ends the process with `code`.
pub fn exit(code: i32) -> ! {
    // SAFETY: exit takes a plain integer and does not return.
    unsafe {
        asm!("syscall", in("rax") nr::EXIT, in("rdi") code as usize,
             options(noreturn, nostack));
    }
}

// The compiler lowers initialisation, copies and comparisons to these C
// library routines. They are written so that it cannot lower them to calls
// to themselves: string instructions, and volatile reads for the compares.

/// Fills `n` bytes at `dst` with the byte `c`.
///
/// # Safety
///
/// `dst` must be valid for writes of `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: the caller guarantees `dst..dst + n` is writable.
    unsafe {
        asm!("rep stosb", inout("rdi") dst => _, inout("rcx") n => _, in("al") c as u8,
             options(nostack, preserves_flags));
    }
    dst
}

/// Copies `n` bytes from `src` to `dst`.
///
/// # Safety
///
/// `dst` and `src` must be valid for `n` bytes and must not overlap.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller guarantees both ranges are valid and disjoint.
    unsafe {
        asm!("rep movsb", inout("rdi") dst => _, inout("rsi") src => _, inout("rcx") n => _,
             options(nostack, preserves_flags));
    }
    dst
}

/// Copies `n` bytes from `src` to `dst`; the ranges may overlap.
///
/// # Safety
///
/// `dst` and `src` must be valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // A forward copy is right unless `dst` starts inside the source.
    if (dst as usize).wrapping_sub(src as usize) >= n {
        // SAFETY: the caller guarantees both ranges are valid; copying
        // forward never overwrites a source byte before it is read.
        return unsafe { memcpy(dst, src, n) };
    }
    // SAFETY: the caller guarantees both ranges are valid, and `n > 0`
    // here. With the direction flag set, the copy runs from the last byte
    // down, so a source byte is read before the copy overwrites it; the
    // flag is cleared again, as the ABI requires.
    unsafe {
        asm!("std", "rep movsb", "cld",
             inout("rdi") dst.add(n - 1) => _, inout("rsi") src.add(n - 1) => _,
             inout("rcx") n => _, options(nostack));
    }
    dst
}

/// Compares `n` bytes at `a` and `b`; returns the difference of the first
/// pair of bytes that differ, or 0.
///
/// # Safety
///
/// `a` and `b` must be valid for reads of `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: the caller guarantees both ranges are readable, and
        // `i < n`.
        let (x, y) = unsafe { (a.add(i).read_volatile(), b.add(i).read_volatile()) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
    }
    0
}

/// Like [`memcmp`], but only zero or not tells.
///
/// # Safety
///
/// `a` and `b` must be valid for reads of `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller's guarantee is the one memcmp needs.
    unsafe { memcmp(a, b, n) }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    exit(127)
}

/// The unwinder's personality routine, which the prebuilt `core` (built to
/// unwind) refers to from the unwind tables of code a debug build links.
/// With `panic = "abort"` and no unwinder nothing ever calls it.
#[no_mangle]
extern "C" fn rust_eh_personality() -> ! {
    exit(127)
}
