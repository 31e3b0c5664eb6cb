// SPDX-License-Identifier: GPL-2.0

//! KUnit cases of `kernel::umd_mgmt`, registered by `umd_mgmt_rust_kunit.c`.
//!
//! Each case drives a real handler process, started from the sample handler or the hostile test
//! fixture embedded below, and checks what it replied. A case returns where it failed instead of
//! asserting, so that everything it made (drivers, loaded blobs, handler processes) is released
//! before KUnit hears of the failure; the runner then checks that no handler is left.

use core::{
    num::NonZeroU32,
    sync::atomic::{AtomicI32, AtomicU32, Ordering::Relaxed},
    time::Duration,
};
use kernel::{
    bindings, c_str,
    ffi::{c_char, c_int, c_void},
    prelude::*,
    sync::Arc,
    time::Ktime,
    umd_mgmt::{
        new_umd_mgmt, CallError, Confinement, Driver, Handler, Operation, Protocol, UmdMgmt,
    },
};

static HANDLER: &[u8] = include_bytes!("umd_mgmt_handler");
/// The hostile fixture: its mode is the part of the driver's name after the last `_`.
static HOSTILE: &[u8] = include_bytes!("umd_mgmt_hostile_handler");
const REPLY_LEN: usize = 128 * 1024;
/// What `pr_info!` puts before each line: this object is not a module, which would define it.
const __LOG_PREFIX: &[u8] = b"umd_mgmt_rust_test\0";

extern "C" {
    fn umd_mgmt_kunit_kill_nr(nr: c_int) -> c_int;
    fn umd_mgmt_kunit_ids(nr: c_int, uid: *mut u32, gid: *mut u32) -> c_int;
    fn umd_mgmt_kunit_kill_all(comm: *const c_char) -> c_int;
    fn umd_mgmt_kunit_processes(comm: *const c_char) -> c_int;
    fn umd_mgmt_kunit_parallel(
        func: extern "C" fn(ctx: *mut c_void, thread: c_int) -> c_int,
        ctx: *mut c_void,
        threads: c_int,
    ) -> c_int;
}

/// Where a case failed: the line of the check and the check itself.
struct Failure {
    line: u32,
    what: &'static CStr,
}

type CaseResult = core::result::Result<(), Failure>;

/// Fails the case, at this line, unless `$cond` holds.
macro_rules! ensure {
    ($cond:expr) => {
        if !$cond {
            return Err(Failure {
                line: line!(),
                what: c_str!(stringify!($cond)),
            });
        }
    };
}

/// The value of a `Result` that must be `Ok`, or the case fails at this line.
macro_rules! ok {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(_) => {
                return Err(Failure {
                    line: line!(),
                    what: c_str!(stringify!($result)),
                })
            }
        }
    };
}

/// The names of every handler the cases start, to find what a failed case left.
const NAMES: [&CStr; 12] = [
    Sample::NAME,
    EchoDriver::NAME,
    Keyed::NAME,
    HangDriver::NAME,
    ExitDriver::NAME,
    SizedDriver::NAME,
    FramedDriver::NAME,
    FramedHandshake::NAME,
    OwnIds::NAME,
    Syscalls::<true>::NAME,
    Syscalls::<false>::NAME,
    Root::NAME,
];

fn processes(name: &CStr) -> i32 {
    // SAFETY: `name` is NUL-terminated; the helper only reads it.
    unsafe { umd_mgmt_kunit_processes(name.as_char_ptr()) }
}

/// The real uid and gid of process `pid`, in the initial user namespace.
fn ids(pid: i32) -> Option<(u32, u32)> {
    let (mut uid, mut gid) = (0, 0);
    // SAFETY: The helper takes a plain process id and writes to the two `u32`s only.
    match unsafe { umd_mgmt_kunit_ids(pid, &mut uid, &mut gid) } {
        0 => Some((uid, gid)),
        _ => None,
    }
}

/// SIGKILLs process `pid`, as user space would, and waits until it has exited.
fn kill(pid: i32) -> i32 {
    // SAFETY: The helper takes a plain process id.
    unsafe { umd_mgmt_kunit_kill_nr(pid) }
}

fn msleep(ms: u32) {
    // SAFETY: Sleeping has no requirement in process context.
    unsafe { bindings::msleep(ms) }
}

fn elapsed_ms(since: Ktime) -> i64 {
    (Ktime::ktime_get() - since).to_ms()
}

/// Runs `case` for a C `KUNIT_CASE`: returns 0 on success, otherwise the line it failed at,
/// with the check in `*what`. Kills and counts any handler the case left, after the case has
/// dropped all it made.
fn run(case: fn() -> CaseResult, what: *mut *const c_char) -> c_int {
    let result = case();
    let mut left = 0;
    for name in NAMES {
        // SAFETY: `name` is NUL-terminated; the helper only reads it.
        left += unsafe { umd_mgmt_kunit_kill_all(name.as_char_ptr()) };
    }
    let result = result.and_then(|()| {
        ensure!(left == 0);
        Ok(())
    });
    match result {
        Ok(()) => 0,
        Err(failure) => {
            // SAFETY: The C caller passes a valid pointer to write the check's address to; the
            // check is a `&'static CStr`.
            unsafe { *what = failure.what.as_char_ptr() };
            failure.line as c_int
        }
    }
}

/// Declares the `extern "C"` entry of a case for `umd_mgmt_rust_kunit.c`.
macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[no_mangle]
            extern "C" fn $name(what: *mut *const c_char) -> c_int {
                run(cases::$name, what)
            }
        )*
    };
}

cases!(
    umd_mgmt_rust_test_replies,
    umd_mgmt_rust_test_restart_after_kill,
    umd_mgmt_rust_test_post_start_handshake,
    umd_mgmt_rust_test_post_start_unanswered,
    umd_mgmt_rust_test_post_start_error,
    umd_mgmt_rust_test_unload,
    umd_mgmt_rust_test_borrowed_blob,
    umd_mgmt_rust_test_timeout,
    umd_mgmt_rust_test_backoff,
    umd_mgmt_rust_test_concurrent,
    umd_mgmt_rust_test_sizes,
    umd_mgmt_rust_test_framed,
    umd_mgmt_rust_test_framed_errors,
    umd_mgmt_rust_test_framed_post_start,
    umd_mgmt_rust_test_confinement,
);

/// The sample handler's protocol: a `u32` offset in, 128 KiB out with that byte set to 1.
struct Marks;

impl Protocol for Marks {}

/// A driver of the sample handler. `post_start` records each start, and fails with `error` if
/// that is set.
#[derive(Default)]
struct Sample {
    starts: AtomicU32,
    pid: AtomicI32,
    error: AtomicI32,
}

impl Driver for Sample {
    type Protocol = Marks;
    const NAME: &'static CStr = c_str!("umd_rust_kunit");
    // The library's kills, restarts and unloads must work on a sealed handler.
    const SEALED: bool = true;

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        self.starts.fetch_add(1, Relaxed);
        self.pid.store(handler.pid(), Relaxed);
        match self.error.load(Relaxed) {
            0 => Ok(()),
            errno => Err(Error::from_errno(errno)),
        }
    }
}

struct Mark;

impl Operation for Mark {
    type Protocol = Marks;
    const OP: u32 = 0;
    type Request = u32;
    type Reply = [u8; REPLY_LEN];
}

/// The same replies, read as words.
struct MarkWords;

impl Operation for MarkWords {
    type Protocol = Marks;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = [u32; REPLY_LEN / 4];
}

/// A word in, a word back: the protocol of four drivers below, each of another handler or mode,
/// which share its one operation.
struct Words;

impl Protocol for Words {}

struct Word;

impl Operation for Word {
    type Protocol = Words;
    const OP: u32 = 0;
    type Request = u32;
    type Reply = u32;
}

/// The fixture in echo mode.
struct EchoDriver;

impl Driver for EchoDriver {
    type Protocol = Words;
    const NAME: &'static CStr = c_str!("umd_rust_echo");
}

/// The fixture echoing as a user and group of its own.
struct OwnIds;

impl Driver for OwnIds {
    type Protocol = Words;
    const NAME: &'static CStr = c_str!("umd_rust_ids");
    const UID: Option<NonZeroU32> = NonZeroU32::new(4242);
    const GID: Option<NonZeroU32> = NonZeroU32::new(4243);
}

/// The fixture in `syscall` mode, which calls `getpid` before each echo; strict mode kills it
/// for that unless `FILTERED` is false.
struct Syscalls<const FILTERED: bool>;

impl<const FILTERED: bool> Driver for Syscalls<FILTERED> {
    type Protocol = Words;
    const NAME: &'static CStr = if FILTERED {
        c_str!("umd_rust_syscall")
    } else {
        c_str!("umd_rust_any_syscall")
    };
    const CONFINEMENT: Confinement = if FILTERED {
        Confinement::Strict
    } else {
        Confinement::NoSyscallFilter
    };
}

/// The fixture echoing unconfined: its ids do not apply.
struct Root;

impl Driver for Root {
    type Protocol = Words;
    const NAME: &'static CStr = c_str!("umd_rust_root");
    const UID: Option<NonZeroU32> = NonZeroU32::new(4242);
    const CONFINEMENT: Confinement = Confinement::Unconfined;
}

/// The fixture in `keyed` mode; `post_start` sends `key` and counts the handshakes.
struct Keyed {
    key: u32,
    handshakes: AtomicU32,
}

impl Driver for Keyed {
    type Protocol = Words;
    const NAME: &'static CStr = c_str!("umd_rust_keyed");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        let mut ack = 0;
        handler.send_recv::<Word>(&self.key, &mut ack)?;
        if ack != self.key {
            return Err(EPROTO);
        }
        self.handshakes.fetch_add(1, Relaxed);
        Ok(())
    }
}

/// The fixture in `hang` mode: it reads requests and never replies. With `handshake`, its
/// `post_start` tries a handshake, and ignores the error if `ignore_error` is set.
#[derive(Default)]
struct HangDriver {
    handshake: bool,
    ignore_error: bool,
}

impl Driver for HangDriver {
    type Protocol = Words;
    const NAME: &'static CStr = c_str!("umd_rust_hang");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        if !self.handshake {
            return Ok(());
        }
        let result = handler.send_recv::<Word>(&1, &mut 0);
        if self.ignore_error {
            return Ok(());
        }
        result
    }
}

/// The fixture in `exit` mode: it exits on each request without replying.
struct ExitDriver;

impl Driver for ExitDriver {
    type Protocol = Words;
    const NAME: &'static CStr = c_str!("umd_rust_exit");
}

/// The fixture's `sized` mode: a request `n` is answered with `n` bytes.
struct Sizes;

impl Protocol for Sizes {}

struct SizedDriver;

impl Driver for SizedDriver {
    type Protocol = Sizes;
    const NAME: &'static CStr = c_str!("umd_rust_sized");
}

struct Byte;

impl Operation for Byte {
    type Protocol = Sizes;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = u8;
}

struct Quad;

impl Operation for Quad {
    type Protocol = Sizes;
    const OP: u32 = 8;
    type Request = u32;
    type Reply = u64;
}

struct Page;

impl Operation for Page {
    type Protocol = Sizes;
    const OP: u32 = 4096;
    type Request = u32;
    type Reply = [u8; 4096];
}

struct Big;

impl Operation for Big {
    type Protocol = Sizes;
    const OP: u32 = 80000;
    type Request = u32;
    type Reply = [u16; 40000];
}

/// The fixture's `sized` reply byte at offset `i`, as `umd_hostile::sized_byte` makes it.
fn sized_byte(i: usize) -> u8 {
    (i as u8) ^ 0x5a
}

/// Whether `bytes` are the start of a `sized` reply.
fn is_sized(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().all(|(i, &b)| b == sized_byte(i))
}

/// The fixture's `framed` mode, which answers each request as its op says
/// (`kunit/hostile/src/framed.rs`): well, or in one of the ways the protocol forbids.
struct Fixture;

impl Protocol for Fixture {
    const FRAMED: bool = true;
}

/// The request's payload, back.
struct FEcho;

impl Operation for FEcho {
    type Protocol = Fixture;
    const OP: u32 = 0;
    type Request = [u8];
    type Reply = [u8];
}

/// A rejection with the status the request names.
struct FStatus;

impl Operation for FStatus {
    type Protocol = Fixture;
    const OP: u32 = 1;
    type Request = i32;
    type Reply = [u8];
}

/// `n` bytes of [`sized_byte`] for a request `n`.
struct FSized;

impl Operation for FSized {
    type Protocol = Fixture;
    const OP: u32 = 2;
    type Request = u32;
    type Reply = [u8];
}

/// The same op, read as a fixed-size reply.
struct FQuad;

impl Operation for FQuad {
    type Protocol = Fixture;
    const OP: u32 = 2;
    type Request = u32;
    type Reply = u64;
}

kernel::umd_message! {
    /// A message struct, for the echo: made without `unsafe`.
    struct Pair {
        tag: u32,
        len: u32,
        value: u64,
    }
}

/// An echo of a [`Pair`], typed both ways.
struct FPair;

impl Operation for FPair {
    type Protocol = Fixture;
    const OP: u32 = 0;
    type Request = Pair;
    type Reply = Pair;
}

struct FramedDriver;

impl Driver for FramedDriver {
    type Protocol = Fixture;
    const NAME: &'static CStr = c_str!("umd_rust_framed");
}

/// Talks to each new handler in frames: a fixed-size call, a call into a slice, and a
/// rejection, which must not fail the start. Counts the handshakes that went as expected.
#[derive(Default)]
struct FramedHandshake {
    handshakes: AtomicU32,
}

impl Driver for FramedHandshake {
    type Protocol = Fixture;
    const NAME: &'static CStr = c_str!("umd_rust_hs_framed");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        let quad = handler.call::<FQuad>(&8)?;
        let mut bytes = [0u8; 16];
        let len = handler.call_slice::<FEcho>(b"hello", &mut bytes)?;
        let status = handler.call_slice::<FStatus>(&EBADMSG.to_errno(), &mut bytes);
        if is_sized(&quad.to_ne_bytes())
            && bytes[..len] == *b"hello"
            && status == Err(CallError::Rejected(EBADMSG))
        {
            self.handshakes.fetch_add(1, Relaxed);
        }
        Ok(())
    }
}

/// Bytes of a request that no two sizes share.
fn pattern(i: usize, len: usize) -> u8 {
    (i.wrapping_mul(7) ^ len) as u8
}

fn new<D: Driver>(driver: D) -> core::result::Result<Arc<UmdMgmt<D>>, Failure> {
    Ok(ok!(Arc::pin_init(new_umd_mgmt!(driver), GFP_KERNEL)))
}

fn new_reply() -> core::result::Result<KBox<[u8; REPLY_LEN]>, Failure> {
    Ok(ok!(KBox::init(kernel::init::zeroed(), GFP_KERNEL)))
}

/// Whether `reply` is the sample handler's answer to `offset`.
fn is_reply_to(reply: &[u8], offset: u32) -> bool {
    let offset = offset as usize;
    reply
        .iter()
        .enumerate()
        .all(|(i, &b)| b == u8::from(i == offset))
}

/// Sends `offset` and checks the answer.
fn ask(umd: &UmdMgmt<Sample>, reply: &mut [u8; REPLY_LEN], offset: u32) -> CaseResult {
    reply.fill(0xa5);
    ok!(umd.send_recv::<Mark>(&offset, reply));
    ensure!(is_reply_to(reply, offset));
    Ok(())
}

mod cases {
    use super::*;

    pub(super) fn umd_mgmt_rust_test_replies() -> CaseResult {
        let umd = new(Sample::default())?;
        let mut reply = new_reply()?;
        let loaded = ok!(umd.load(HANDLER));
        for offset in [0, 1, 4096, 131071, 131072, u32::MAX] {
            ask(&umd, &mut reply, offset)?;
        }
        // The same reply, typed as 32768 words: the byte lands in the right one.
        let mut words = ok!(KBox::<[u32; REPLY_LEN / 4]>::init(
            kernel::init::zeroed(),
            GFP_KERNEL
        ));
        ok!(umd.send_recv::<MarkWords>(&4097, &mut words));
        ensure!(words[1024] == u32::from_ne_bytes([0, 1, 0, 0]));
        ensure!(words.iter().filter(|&&w| w != 0).count() == 1);

        ensure!(processes(Sample::NAME) == 1);
        ensure!(umd.driver().starts.load(Relaxed) == 1);
        drop(loaded);
        ensure!(processes(Sample::NAME) == 0);
        Ok(())
    }

    pub(super) fn umd_mgmt_rust_test_restart_after_kill() -> CaseResult {
        let umd = new(Sample::default())?;
        let mut reply = new_reply()?;
        let _loaded = ok!(umd.load(HANDLER));
        let driver = umd.driver();
        for round in 1..=3 {
            ask(&umd, &mut reply, round)?;
            let before = driver.pid.load(Relaxed);
            ensure!(before > 0 && before == umd.stats().pid);
            ensure!(kill(before) == 0);
            ensure!(processes(Sample::NAME) == 0);

            ask(&umd, &mut reply, 131071 - round)?;
            ensure!(driver.starts.load(Relaxed) == round + 1);
            ensure!(driver.pid.load(Relaxed) != before);
            ensure!(processes(Sample::NAME) == 1);
        }
        let stats = umd.stats();
        ensure!(stats.starts == 4 && stats.restarts == 3 && stats.failures == 0);
        Ok(())
    }

    pub(super) fn umd_mgmt_rust_test_post_start_handshake() -> CaseResult {
        const KEY: u32 = 0x5eed_1234;
        let umd = new(Keyed {
            key: KEY,
            handshakes: AtomicU32::new(0),
        })?;
        let _loaded = ok!(umd.load(HOSTILE));
        // Without the handshake the fixture would take the first request for its key and
        // answer it with itself.
        for request in [1u32, 2, 0xffff_0000] {
            let mut reply = 0;
            ok!(umd.send_recv::<Word>(&request, &mut reply));
            ensure!(reply == request ^ KEY);
        }
        // A restarted handler gets the handshake again, before any request.
        ensure!(kill(umd.stats().pid) == 0);
        let mut reply = 0;
        ok!(umd.send_recv::<Word>(&7, &mut reply));
        ensure!(reply == 7 ^ KEY);
        ensure!(umd.driver().handshakes.load(Relaxed) == 2);
        let stats = umd.stats();
        // The handshakes are not requests.
        ensure!(stats.starts == 2 && stats.requests == 4 && stats.failures == 0);
        Ok(())
    }

    pub(super) fn umd_mgmt_rust_test_post_start_unanswered() -> CaseResult {
        // A handler that never answers the handshake fails the start within the deadline and
        // the stop, also when post_start ignores the failed exchange.
        for ignore_error in [false, true] {
            let umd = new(HangDriver {
                handshake: true,
                ignore_error,
            })?;
            umd.set_timeout(Some(Duration::from_millis(300)));
            let start = Ktime::ktime_get();
            let result = umd.load(HOSTILE).err();
            let ms = elapsed_ms(start);
            pr_info!(
                "unanswered handshake (error ignored: {}): {:?} in {} ms\n",
                ignore_error,
                result,
                ms
            );
            ensure!(result == Some(ETIMEDOUT));
            ensure!((300..300 + 1000 + 500).contains(&ms));
            ensure!(processes(HangDriver::NAME) == 0);
        }
        Ok(())
    }

    pub(super) fn umd_mgmt_rust_test_post_start_error() -> CaseResult {
        let umd = new(Sample::default())?;
        let mut reply = new_reply()?;
        let driver = umd.driver();

        // post_start's error fails the load and leaves nothing running.
        driver.error.store(EPERM.to_errno(), Relaxed);
        ensure!(umd.load(HANDLER).err() == Some(EPERM));
        ensure!(driver.starts.load(Relaxed) == 1);
        ensure!(processes(Sample::NAME) == 0);

        driver.error.store(0, Relaxed);
        let _loaded = ok!(umd.load(HANDLER));
        ensure!(umd.load(HANDLER).err() == Some(EBUSY));

        // ... and a restart, and is returned to the request that caused it.
        ensure!(kill(driver.pid.load(Relaxed)) == 0);
        driver.error.store(EACCES.to_errno(), Relaxed);
        ensure!(umd.send_recv::<Mark>(&0, &mut reply) == Err(EACCES));
        ensure!(processes(Sample::NAME) == 0);
        driver.error.store(0, Relaxed);
        ask(&umd, &mut reply, 3)?;
        ensure!(driver.starts.load(Relaxed) == 4);
        Ok(())
    }

    pub(super) fn umd_mgmt_rust_test_unload() -> CaseResult {
        let umd = new(Sample::default())?;
        let mut reply = new_reply()?;
        let loaded = ok!(umd.load(HANDLER));
        ask(&umd, &mut reply, 99)?;
        drop(loaded);
        ensure!(processes(Sample::NAME) == 0);

        // No blob: a clean error, the reply untouched, nothing started.
        reply.fill(0xa5);
        ensure!(umd.send_recv::<Mark>(&99, &mut reply) == Err(ENOPROTOOPT));
        ensure!(reply.iter().all(|&b| b == 0xa5));
        ensure!(processes(Sample::NAME) == 0);
        ensure!(umd.driver().starts.load(Relaxed) == 1);

        // An empty blob is refused; the blob can be loaded again.
        ensure!(umd.load(&[]).err() == Some(EINVAL));
        let _loaded = ok!(umd.load(HANDLER));
        ask(&umd, &mut reply, 100)?;
        ensure!(umd.driver().starts.load(Relaxed) == 2);
        Ok(())
    }

    pub(super) fn umd_mgmt_rust_test_borrowed_blob() -> CaseResult {
        let umd = new(Sample::default())?;
        let mut reply = new_reply()?;

        // A blob in a heap buffer freed, and overwritten first, right after the load.
        let mut blob = ok!(KVec::with_capacity(HANDLER.len(), GFP_KERNEL));
        ok!(blob.extend_from_slice(HANDLER, GFP_KERNEL));
        let _loaded = ok!(umd.load(&blob));
        blob.fill(0);
        drop(blob);

        ask(&umd, &mut reply, 5)?;
        // The restart runs from the library's copy too.
        ensure!(kill(umd.stats().pid) == 0);
        ask(&umd, &mut reply, 6)?;
        ensure!(umd.stats().starts == 2);
        Ok(())
    }

    pub(super) fn umd_mgmt_rust_test_timeout() -> CaseResult {
        let umd = new(HangDriver::default())?;
        let _loaded = ok!(umd.load(HOSTILE));

        // (timeout, at least, less than) in ms; the stop may add up to a second.
        for (timeout, min, max) in [
            (Some(Duration::from_millis(200)), 200, 1500),
            // Zero is not "no deadline": it rounds up to 1 ms, well below the 200 ms before.
            (Some(Duration::ZERO), 0, 190),
            // The default, 5 s.
            (None, 5000, 6500),
        ] {
            umd.set_timeout(timeout);
            let start = Ktime::ktime_get();
            let result = umd.send_recv::<Word>(&1, &mut 0);
            let ms = elapsed_ms(start);
            pr_info!("timeout {:?}: {:?} in {} ms\n", timeout, result, ms);
            ensure!(result == Err(ETIMEDOUT));
            ensure!((min..max).contains(&ms));
        }
        let stats = umd.stats();
        ensure!(stats.requests == 3 && stats.failures == 3 && stats.timeouts == 3);
        ensure!(stats.last_error == Some(ETIMEDOUT) && stats.pid == 0);
        Ok(())
    }

    pub(super) fn umd_mgmt_rust_test_backoff() -> CaseResult {
        let umd = new(ExitDriver)?;
        let _loaded = ok!(umd.load(HOSTILE));

        // Five failures in a row: the fixture exits on each request.
        for _ in 0..5 {
            ensure!(umd.send_recv::<Word>(&1, &mut 0) == Err(EPIPE));
        }
        // Then requests fail at once, and start nothing.
        let start = Ktime::ktime_get();
        ensure!(umd.send_recv::<Word>(&1, &mut 0) == Err(EHOSTDOWN));
        ensure!(elapsed_ms(start) < 100);
        let stats = umd.stats();
        ensure!(stats.starts == 5 && stats.failures == 6);
        ensure!(stats.last_error == Some(EHOSTDOWN));

        // A second later the handler is tried again.
        msleep(1100);
        ensure!(umd.send_recv::<Word>(&1, &mut 0) == Err(EPIPE));
        ensure!(umd.stats().starts == 6);
        Ok(())
    }

    /// What the threads of the concurrent case share.
    struct Concurrent<'a> {
        umd: &'a UmdMgmt<EchoDriver>,
    }

    const THREADS: i32 = 4;
    const ROUNDS: u32 = 250;

    /// One thread: `ROUNDS` echoes of values no other thread sends.
    extern "C" fn echo_thread(ctx: *mut c_void, thread: c_int) -> c_int {
        // SAFETY: `ctx` is the `Concurrent` of the case, which outlives its threads.
        let ctx = unsafe { &*ctx.cast::<Concurrent<'_>>() };
        for i in 0..ROUNDS {
            let request = ((thread as u32) << 16) | i;
            let mut reply = 0;
            match ctx.umd.send_recv::<Word>(&request, &mut reply) {
                Ok(()) if reply == request => {}
                Ok(()) => return EPROTO.to_errno(),
                Err(e) => return e.to_errno(),
            }
        }
        0
    }

    pub(super) fn umd_mgmt_rust_test_concurrent() -> CaseResult {
        let umd = new(EchoDriver)?;
        let _loaded = ok!(umd.load(HOSTILE));
        let mut ctx = Concurrent { umd: &umd };
        // SAFETY: `echo_thread` takes `ctx` as a `Concurrent`, and the helper returns only once
        // every thread has.
        let err = unsafe { umd_mgmt_kunit_parallel(echo_thread, ptr_of(&mut ctx), THREADS) };
        ensure!(err == 0);
        let stats = umd.stats();
        ensure!(stats.requests == (THREADS as u32 * ROUNDS).into());
        ensure!(stats.failures == 0 && stats.starts == 1);
        Ok(())
    }

    fn ptr_of<T>(value: &mut T) -> *mut c_void {
        core::ptr::from_mut(value).cast()
    }

    pub(super) fn umd_mgmt_rust_test_sizes() -> CaseResult {
        let umd = new(SizedDriver)?;
        let _loaded = ok!(umd.load(HOSTILE));

        // Four operations, each with its own reply size, on one driver.
        let mut byte = 0u8;
        ok!(umd.send_recv::<Byte>(&1, &mut byte));
        ensure!(byte == sized_byte(0));

        let mut quad = 0u64;
        ok!(umd.send_recv::<Quad>(&8, &mut quad));
        ensure!(is_sized(&quad.to_ne_bytes()));

        let mut page = [0u8; 4096];
        ok!(umd.send_recv::<Page>(&4096, &mut page));
        ensure!(is_sized(&page));

        let mut big = ok!(KBox::<[u16; 40000]>::init(
            kernel::init::zeroed(),
            GFP_KERNEL
        ));
        ok!(umd.send_recv::<Big>(&80000, &mut big));
        ensure!(big.iter().enumerate().all(|(i, &w)| {
            w == u16::from_ne_bytes([sized_byte(2 * i), sized_byte(2 * i + 1)])
        }));
        ensure!(umd.stats().starts == 1);

        // A handler that disagrees with the types: more than the reply, or less.
        ensure!(umd.send_recv::<Quad>(&9, &mut quad) == Err(EMSGSIZE));
        umd.set_timeout(Some(Duration::from_millis(200)));
        ensure!(umd.send_recv::<Quad>(&7, &mut quad) == Err(ETIMEDOUT));
        // The next request gets a new handler, in step.
        ok!(umd.send_recv::<Quad>(&8, &mut quad));
        ensure!(quad.to_ne_bytes()[7] == sized_byte(7));
        ensure!(umd.stats().starts == 3);
        Ok(())
    }

    /// Echoes of every size, into a vector and into a slice, contents checked; the fixed-size
    /// and message-struct calls; two operations with the same request bytes told apart.
    pub(super) fn umd_mgmt_rust_test_framed() -> CaseResult {
        const MAX: usize = bindings::UMD_MGMT_DEFAULT_MAX_MSG_LEN as usize;
        let umd = new(FramedDriver)?;
        let _loaded = ok!(umd.load(HOSTILE));
        let mut reply = KVec::new();
        let mut slice = ok!(KVec::from_elem(0u8, MAX + 64, GFP_KERNEL));
        for len in [0, 1, 4095, 4096, 4097, 65536, 262145, MAX] {
            let mut request = ok!(KVec::with_capacity(len, GFP_KERNEL));
            for i in 0..len {
                ok!(request.push(pattern(i, len), GFP_KERNEL));
            }
            ok!(umd.call_vec::<FEcho>(&request, &mut reply));
            ensure!(reply[..] == request[..]);
            // Into a slice, with room to spare: nothing past the reply is written.
            slice.fill(0xa5);
            let got = ok!(umd.call_slice::<FEcho>(&request, &mut slice));
            ensure!(got == len && slice[..len] == request[..]);
            ensure!(slice[len..].iter().all(|&b| b == 0xa5));
        }
        ensure!(reply.capacity() >= MAX);

        // The same request bytes, two op codes: the handler tells them apart.
        ok!(umd.call_vec::<FSized>(&8, &mut reply));
        ensure!(reply.len() == 8 && is_sized(&reply));
        ok!(umd.call_vec::<FEcho>(&8u32.to_ne_bytes(), &mut reply));
        ensure!(reply[..] == 8u32.to_ne_bytes());
        let quad = ok!(umd.call::<FQuad>(&8));
        ensure!(is_sized(&quad.to_ne_bytes()));

        let pair = Pair {
            tag: 0x7a,
            len: 8,
            value: 0x0123_4567_89ab_cdef,
        };
        let back = ok!(umd.call::<FPair>(&pair));
        ensure!(back.tag == pair.tag && back.len == pair.len && back.value == pair.value);

        let stats = umd.stats();
        ensure!(stats.starts == 1 && stats.failures == 0 && stats.rejections == 0);
        Ok(())
    }

    /// The handler's verdict and the call's errors are told apart, even with one errno; what
    /// the library stops the handler for, it stops, and a rejection keeps it.
    pub(super) fn umd_mgmt_rust_test_framed_errors() -> CaseResult {
        const MAX: usize = bindings::UMD_MGMT_DEFAULT_MAX_MSG_LEN as usize;
        let umd = new(FramedDriver)?;
        let _loaded = ok!(umd.load(HOSTILE));
        let mut buf = [0u8; 64];
        ok!(umd.call_slice::<FEcho>(b"up", &mut buf));
        let pid = umd.stats().pid;

        for status in [
            EINVAL,
            EBADMSG,
            ENOENT,
            EOPNOTSUPP,
            E2BIG,
            ERANGE,
            EKEYREJECTED,
        ] {
            let got = umd.call_slice::<FStatus>(&status.to_errno(), &mut buf);
            ensure!(got == Err(CallError::Rejected(status)));
        }
        let stats = umd.stats();
        ensure!(stats.pid == pid && stats.rejections == 7 && stats.failures == 0);

        // E2BIG from the library, for a request above the maximum: nothing is sent.
        let big = ok!(KVec::from_elem(0u8, MAX + 1, GFP_KERNEL));
        let mut reply = KVec::new();
        ensure!(umd.call_vec::<FEcho>(&big, &mut reply) == Err(CallError::Failed(E2BIG)));
        ensure!(reply.is_empty() && umd.stats().pid == pid);

        // A reply shorter than a fixed-size operation's: the call fails, the handler stays.
        ensure!(umd.call::<FQuad>(&7) == Err(CallError::Failed(EPROTO)));
        ensure!(umd.stats().pid == pid);

        // A reply longer than the buffer: the handler is stopped, the next call restarts it.
        ensure!(umd.call_slice::<FSized>(&65, &mut buf) == Err(CallError::Failed(EMSGSIZE)));
        ensure!(umd.stats().pid == 0);
        let got = ok!(umd.call_slice::<FSized>(&64, &mut buf));
        ensure!(got == 64 && is_sized(&buf));

        // `?` makes either an `Error`.
        let as_error = |r: core::result::Result<usize, CallError>| -> Result<usize> { Ok(r?) };
        ensure!(as_error(umd.call_slice::<FStatus>(&ENOENT.to_errno(), &mut buf)) == Err(ENOENT));

        let stats = umd.stats();
        // Only EMSGSIZE was a failure: E2BIG was refused before the request, and the short
        // reply is the Rust type's complaint, not the library's.
        ensure!(stats.starts == 2 && stats.failures == 1 && stats.rejections == 8);
        Ok(())
    }

    /// `post_start` exchanges frames, and a rejection there does not fail the start.
    pub(super) fn umd_mgmt_rust_test_framed_post_start() -> CaseResult {
        let umd = new(FramedHandshake::default())?;
        let _loaded = ok!(umd.load(HOSTILE));
        let mut buf = [0u8; 8];
        ensure!(ok!(umd.call_slice::<FEcho>(b"next", &mut buf)) == 4 && buf[..4] == *b"next");
        ensure!(kill(umd.stats().pid) == 0);
        ensure!(ok!(umd.call::<FQuad>(&8)).to_ne_bytes()[7] == sized_byte(7));
        ensure!(umd.driver().handshakes.load(Relaxed) == 2);
        let stats = umd.stats();
        // The handshakes are not requests, and their rejection is no failure.
        ensure!(stats.starts == 2 && stats.requests == 2);
        ensure!(stats.failures == 0 && stats.rejections == 0);
        Ok(())
    }

    /// Starts `driver` from the fixture, echoes once, and returns the echo's result and the ids
    /// the handler ran as.
    fn echo_as<D: Driver<Protocol = Words>>(
        driver: D,
    ) -> core::result::Result<(Result, Option<(u32, u32)>, u64), Failure> {
        let umd = new(driver)?;
        let _loaded = ok!(umd.load(HOSTILE));
        let pid = umd.stats().pid;
        let ids = ids(pid);
        let mut reply = 0;
        let result = umd.send_recv::<Word>(&7, &mut reply).and_then(|()| {
            if reply == 7 {
                Ok(())
            } else {
                Err(EIO)
            }
        });
        Ok((result, ids, umd.stats().failures))
    }

    /// `Driver::UID`, `Driver::GID` and `Driver::CONFINEMENT` reach the handler.
    pub(super) fn umd_mgmt_rust_test_confinement() -> CaseResult {
        let default = echo_as(EchoDriver)?;
        let own = echo_as(OwnIds)?;
        let root = echo_as(Root)?;
        let strict = echo_as(Syscalls::<true>)?;
        let any = echo_as(Syscalls::<false>)?;
        pr_info!(
            "ids: default {:?}, own {:?}, unconfined {:?}; getpid: strict {:?}, unfiltered {:?}\n",
            default.1,
            own.1,
            root.1,
            strict.0,
            any.0
        );
        ensure!(default.0.is_ok() && default.1 == Some((65534, 65534)));
        ensure!(own.0.is_ok() && own.1 == Some((4242, 4243)));
        ensure!(root.0.is_ok() && root.1 == Some((0, 0)));
        // Strict mode kills the handler at its first other system call: a failure.
        ensure!(strict.0.is_err() && strict.2 == 1);
        ensure!(any.0.is_ok() && any.2 == 0);
        Ok(())
    }
}
