// SPDX-License-Identifier: GPL-2.0

//! KUnit cases of `kernel::umd_mgmt`, registered by `umd_mgmt_rust_kunit.c`.
//!
//! Each case drives a real handler process, started from the sample handler embedded below, and
//! checks what it replied: a `u32` offset in, 128 KiB out with the byte at that offset set to 1.

use core::sync::atomic::{AtomicI32, AtomicU32, Ordering::Relaxed};
use kernel::{
    bindings, c_str,
    prelude::*,
    sync::Arc,
    umd_mgmt::{new_umd_mgmt, Handler, MessageSizes, NoPostStart, PostStart, UmdMgmt},
};

static HANDLER: &[u8] = include_bytes!("umd_mgmt_handler");
/// The hostile handler: with a name ending in `_hang`, it never replies.
static HOSTILE: &[u8] = include_bytes!("umd_mgmt_hostile_handler");
const NAME: &CStr = c_str!("umd_rust_kunit");
const REPLY_LEN: usize = 128 * 1024;
const SIZES: MessageSizes = MessageSizes {
    request: 4,
    reply: REPLY_LEN,
};

type Reply = [u8; REPLY_LEN];

extern "C" {
    fn umd_mgmt_kunit_processes(comm: *const kernel::ffi::c_char) -> kernel::ffi::c_int;
    fn umd_mgmt_kunit_kill_nr(nr: kernel::ffi::c_int) -> kernel::ffi::c_int;
}

/// Fails the running KUnit case, at the caller's line, unless `$cond` holds.
macro_rules! check {
    ($cond:expr) => {
        kernel::kunit_assert!("umd_mgmt_rust", "umd_mgmt_rust_test.rs", 0, $cond)
    };
}

fn handler_processes() -> i32 {
    // SAFETY: `NAME` is a NUL-terminated string; the helper only reads it.
    unsafe { umd_mgmt_kunit_processes(NAME.as_char_ptr()) }
}

/// SIGKILLs process `pid` and waits until it has exited.
fn kill(pid: i32) -> i32 {
    // SAFETY: The helper takes a plain process id.
    unsafe { umd_mgmt_kunit_kill_nr(pid) }
}

/// What `post_start` saw: how many starts, the last handler pid, and the error to return.
#[derive(Default)]
struct Starts {
    count: AtomicU32,
    pid: AtomicI32,
    error: AtomicI32,
}

/// A `UmdMgmt` whose `post_start` records each start in `starts`. No loader module exists.
fn new_umd(starts: &Arc<Starts>) -> Result<Arc<UmdMgmt<impl PostStart>>> {
    let starts = starts.clone();
    let post_start = move |handler: &Handler<'_>| -> Result {
        starts.count.fetch_add(1, Relaxed);
        starts.pid.store(handler.pid(), Relaxed);
        match starts.error.load(Relaxed) {
            0 => Ok(()),
            errno => Err(Error::from_errno(errno)),
        }
    };
    Arc::pin_init(
        new_umd_mgmt!(
            NAME,
            Some(c_str!("umd_rust_kunit_no_loader")),
            SIZES,
            post_start
        ),
        GFP_KERNEL,
    )
}

fn new_reply() -> Result<KBox<Reply>> {
    KBox::init(kernel::init::zeroed(), GFP_KERNEL)
}

/// What most cases start from: a `UmdMgmt` recording its starts, and a reply buffer.
struct Fixture<P: PostStart> {
    starts: Arc<Starts>,
    umd: Arc<UmdMgmt<P>>,
    reply: KBox<Reply>,
}

fn fixture() -> Result<Fixture<impl PostStart>> {
    let starts = Arc::new(Starts::default(), GFP_KERNEL)?;
    Ok(Fixture {
        umd: new_umd(&starts)?,
        starts,
        reply: new_reply()?,
    })
}

/// Whether `reply` is the handler's answer to `offset`.
fn is_reply_to(reply: &[u8], offset: u32) -> bool {
    let offset = offset as usize;
    reply
        .iter()
        .enumerate()
        .all(|(i, &b)| b == u8::from(i == offset))
}

/// Sends `offset` through the byte-slice API and checks the answer.
fn check_request<P: PostStart>(umd: &UmdMgmt<P>, reply: &mut Reply, offset: u32) {
    reply.fill(0xa5);
    check!(umd.send_recv(&offset.to_ne_bytes(), reply).is_ok());
    check!(is_reply_to(reply, offset));
}

#[no_mangle]
extern "C" fn umd_mgmt_rust_test_replies(_test: *mut bindings::kunit) {
    let umd = Arc::pin_init(new_umd_mgmt!(NAME, None, SIZES, NoPostStart), GFP_KERNEL);
    let (Ok(umd), Ok(mut reply)) = (umd, new_reply()) else {
        return check!(false);
    };

    let loaded = umd.load(HANDLER);
    check!(loaded.is_ok());
    for offset in [0, 1, 4096, 131071, 131072, u32::MAX] {
        check_request(&umd, &mut reply, offset);
    }
    check!(handler_processes() == 1);
    drop(loaded);
    check!(handler_processes() == 0);
}

#[no_mangle]
extern "C" fn umd_mgmt_rust_test_typed(_test: *mut bindings::kunit) {
    let Ok(Fixture { umd, mut reply, .. }) = fixture() else {
        return check!(false);
    };
    let loaded = umd.load(HANDLER);
    check!(loaded.is_ok());

    // A `u32` request and an array reply, as typed messages.
    for offset in [7u32, 131071] {
        reply.fill(0xa5);
        check!(umd.send_recv_as(&offset, &mut *reply).is_ok());
        check!(is_reply_to(&*reply, offset));
    }
    // A reply typed as 32768 `u32`s: the handler's byte lands in the right word.
    let Ok(mut words) = KBox::<[u32; REPLY_LEN / 4]>::init(kernel::init::zeroed(), GFP_KERNEL)
    else {
        return check!(false);
    };
    check!(umd.send_recv_as(&4097u32, &mut *words).is_ok());
    check!(words[1024] == u32::from_ne_bytes([0, 1, 0, 0]));
    check!(words.iter().filter(|&&w| w != 0).count() == 1);
}

#[no_mangle]
extern "C" fn umd_mgmt_rust_test_restart_after_kill(_test: *mut bindings::kunit) {
    let Ok(Fixture {
        starts,
        umd,
        mut reply,
    }) = fixture()
    else {
        return check!(false);
    };

    let loaded = umd.load(HANDLER);
    check!(loaded.is_ok());
    check!(starts.count.load(Relaxed) == 1);
    for round in 1..=3 {
        check_request(&umd, &mut reply, round);
        let before = starts.pid.load(Relaxed);
        check!(before > 0);
        check!(kill(before) == 0);
        check!(handler_processes() == 0);

        check_request(&umd, &mut reply, 131071 - round);
        check!(starts.count.load(Relaxed) == round + 1);
        check!(starts.pid.load(Relaxed) != before);
        check!(handler_processes() == 1);
    }
}

#[no_mangle]
extern "C" fn umd_mgmt_rust_test_wrong_size(_test: *mut bindings::kunit) {
    let Ok(Fixture {
        starts,
        umd,
        mut reply,
    }) = fixture()
    else {
        return check!(false);
    };
    let loaded = umd.load(HANDLER);
    check!(loaded.is_ok());
    let pid = starts.pid.load(Relaxed);

    // Too short, too long, and a request of the wrong size: refused, nothing sent.
    check!(umd.send_recv(&5u32.to_ne_bytes(), &mut reply[1..]) == Err(EINVAL));
    check!(umd.send_recv(&[0; 3], &mut reply[..]) == Err(EINVAL));
    check!(umd.send_recv_as(&5u64, &mut *reply) == Err(EINVAL));
    let mut small = [0u8; 16];
    check!(umd.send_recv_as(&5u32, &mut small) == Err(EINVAL));
    let Ok(mut big) = KBox::<[u8; REPLY_LEN + 1]>::init(kernel::init::zeroed(), GFP_KERNEL) else {
        return check!(false);
    };
    check!(umd.send_recv_as(&5u32, &mut *big) == Err(EINVAL));
    check!(big.iter().all(|&b| b == 0));

    // The same handler still answers, in step.
    check_request(&umd, &mut reply, 5);
    check!(starts.count.load(Relaxed) == 1);
    check!(starts.pid.load(Relaxed) == pid);
}

#[no_mangle]
extern "C" fn umd_mgmt_rust_test_post_start_error(_test: *mut bindings::kunit) {
    let Ok(Fixture {
        starts,
        umd,
        mut reply,
    }) = fixture()
    else {
        return check!(false);
    };

    // post_start's error fails the load and leaves nothing running.
    starts.error.store(EPERM.to_errno(), Relaxed);
    check!(umd.load(HANDLER).err() == Some(EPERM));
    check!(starts.count.load(Relaxed) == 1);
    check!(handler_processes() == 0);

    starts.error.store(0, Relaxed);
    let loaded = umd.load(HANDLER);
    check!(loaded.is_ok());
    check!(umd.load(HANDLER).err() == Some(EBUSY));

    // ... and a restart, and is reported to the request that caused it.
    check!(kill(starts.pid.load(Relaxed)) == 0);
    starts.error.store(EACCES.to_errno(), Relaxed);
    check!(umd.send_recv(&0u32.to_ne_bytes(), &mut reply[..]) == Err(EACCES));
    check!(handler_processes() == 0);
    starts.error.store(0, Relaxed);
    check_request(&umd, &mut reply, 3);
    check!(starts.count.load(Relaxed) == 4);
}

#[no_mangle]
extern "C" fn umd_mgmt_rust_test_unload(_test: *mut bindings::kunit) {
    let Ok(Fixture {
        starts,
        umd,
        mut reply,
    }) = fixture()
    else {
        return check!(false);
    };

    let loaded = umd.load(HANDLER);
    check!(loaded.is_ok());
    check_request(&umd, &mut reply, 99);
    drop(loaded);
    check!(handler_processes() == 0);

    // No blob and no loader: a clean error, and nothing is started.
    reply.fill(0xa5);
    check!(umd.send_recv(&99u32.to_ne_bytes(), &mut reply[..]) == Err(ENOPROTOOPT));
    check!(reply.iter().all(|&b| b == 0xa5));
    check!(handler_processes() == 0);
    check!(starts.count.load(Relaxed) == 1);

    // The blob can be loaded again.
    let loaded = umd.load(HANDLER);
    check!(loaded.is_ok());
    check_request(&umd, &mut reply, 100);
    check!(starts.count.load(Relaxed) == 2);
}

#[no_mangle]
extern "C" fn umd_mgmt_rust_test_timeout_and_stats(_test: *mut bindings::kunit) {
    let Ok(Fixture {
        starts,
        umd,
        mut reply,
    }) = fixture()
    else {
        return check!(false);
    };
    let loaded = umd.load(HANDLER);
    check!(loaded.is_ok());
    check_request(&umd, &mut reply, 8);
    let stats = umd.stats();
    check!(stats.requests == 1 && stats.failures == 0 && stats.starts == 1);
    check!(stats.pid == starts.pid.load(Relaxed) && stats.last_error.is_none());
    drop(loaded);

    // A handler that never replies is killed when the timeout expires.
    let hang = Arc::pin_init(
        new_umd_mgmt!(c_str!("umd_rust_hang"), None, SIZES, NoPostStart),
        GFP_KERNEL,
    );
    let Ok(hang) = hang else {
        return check!(false);
    };
    hang.set_timeout_ms(200);
    let loaded = hang.load(HOSTILE);
    check!(loaded.is_ok());
    check!(hang.send_recv(&1u32.to_ne_bytes(), &mut reply[..]) == Err(ETIMEDOUT));
    let stats = hang.stats();
    check!(stats.requests == 1 && stats.failures == 1 && stats.timeouts == 1);
    check!(stats.last_error == Some(ETIMEDOUT) && stats.pid == 0);
}
