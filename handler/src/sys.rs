// SPDX-License-Identifier: GPL-2.0-only
//! Process entry, raw x86_64 Linux system calls, and the memory routines the
//! compiler expects from a C library.

use core::arch::{asm, global_asm};

const SYS_READ: usize = 0;
const SYS_WRITE: usize = 1;
// Not exit_group: seccomp's strict mode allows only exit.
const SYS_EXIT: usize = 60;
const SYS_PRCTL: usize = 157;
const PR_SET_SECCOMP: usize = 22;
const SECCOMP_MODE_STRICT: usize = 1;

// The kernel enters at `_start` with the stack pointer on argc, followed by
// the argv pointers; pass it on, align the stack as the ABI requires for a
// call, and never return.
global_asm!(
    ".globl _start",
    "_start:",
    "xor ebp, ebp",
    "mov rdi, rsp",
    "and rsp, -16",
    "call {entry}",
    "ud2",
    entry = sym entry,
);

extern "C" fn entry(sp: *const usize) -> ! {
    // SAFETY: At entry `sp` points to argc, then argc argv pointers to
    // NUL-terminated strings and a NULL; they stay valid for the process's
    // life.
    let name = unsafe {
        let argv0 = *sp.add(1) as *const u8;
        if *sp == 0 || argv0.is_null() {
            &[]
        } else {
            let mut len = 0;
            while *argv0.add(len) != 0 {
                len += 1;
            }
            core::slice::from_raw_parts(argv0, len)
        }
    };
    exit(super::main(name))
}

/// # Safety
///
/// The arguments must be valid for system call `nr`.
unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller guarantees the arguments are valid for `nr`; the
    // kernel clobbers only rcx and r11 besides the return register.
    unsafe {
        asm!("syscall", inlateout("rax") nr as isize => ret, in("rdi") a0, in("rsi") a1,
             in("rdx") a2, lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    ret
}

pub fn read(fd: usize, buf: &mut [u8]) -> isize {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
    unsafe { syscall3(SYS_READ, fd, buf.as_mut_ptr() as usize, buf.len()) }
}

pub fn write(fd: usize, buf: &[u8]) -> isize {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes.
    unsafe { syscall3(SYS_WRITE, fd, buf.as_ptr() as usize, buf.len()) }
}

pub fn exit(code: i32) -> ! {
    // SAFETY: exit takes a plain integer and does not return. The handler is
    // single-threaded, so it ends the process.
    unsafe {
        asm!("syscall", in("rax") SYS_EXIT, in("rdi") code as usize,
             options(noreturn, nostack));
    }
}

/// Allows only read, write and exit from now on; returns 0 or a negative errno.
pub fn seccomp_strict() -> isize {
    // SAFETY: prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) takes no pointers.
    unsafe { syscall3(SYS_PRCTL, PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0) }
}

/// Crashes the process with an invalid instruction (SIGILL).
pub fn crash() -> ! {
    // SAFETY: ud2 raises #UD, which kills the process; nothing follows.
    unsafe { asm!("ud2", options(noreturn)) }
}

// The compiler lowers array initialisation and copies to these C library
// routines. `rep stos`/`rep movs` keep them from being lowered to themselves.

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

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    exit(127)
}
