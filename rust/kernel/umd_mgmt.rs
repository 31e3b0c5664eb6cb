// SPDX-License-Identifier: GPL-2.0

//! User mode driver management.
//!
//! A user mode driver (UMD) is a program held in the kernel image or in a module, which the kernel
//! runs as a user space process, the UMD Handler, and talks to through a pair of pipes. Work that
//! is risky to do in the kernel, such as parsing untrusted data, can then run in a process that
//! may crash or be killed without harming the kernel.
//!
//! A [`UmdMgmt`] is the UMD Manager's handle on one such driver. It starts the handler from the
//! blob handed over by [`UmdMgmt::load`], restarts it on the next request after it exits, kills
//! it when an exchange with it fails, serialises requests, and, when no blob is loaded, asks for
//! the UMD Loader module with `request_module()`.
//!
//! Every message has the fixed size given by [`MessageSizes`]: a request or reply buffer of any
//! other size is refused with [`EINVAL`] before the handler sees anything.
//!
//! A request ends by its deadline ([`UmdMgmt::set_timeout_ms`]) whatever the handler does: then
//! it fails with [`ETIMEDOUT`] and the handler is killed. After 5 failed starts or requests in a
//! row, each within 10 seconds of the first, requests fail at once with [`EHOSTDOWN`] for a
//! second; a success resets the count. The kernel confines the handler before its exec, as for
//! any manager that does not opt out in C: uid and gid 65534, no groups, no capabilities,
//! `no_new_privs`, chrooted to its own read-only tmpfs, no process or file of its own, and
//! seccomp's strict mode (see `Documentation/driver-api/umd_mgmt.rst`).
//!
//! C header: [`include/linux/usermode_driver_mgmt.h`](srctree/include/linux/usermode_driver_mgmt.h)

use crate::{
    bindings,
    error::{from_result, to_result},
    ffi::{c_int, c_void},
    prelude::*,
    sync::{Arc, LockClassKey},
    types::{AsBytes, FromBytes, Opaque},
};
use core::{mem::size_of_val, ptr};

/// Sizes of the messages a UMD Handler exchanges, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageSizes {
    /// Size of every request.
    pub request: usize,
    /// Size of every reply.
    pub reply: usize,
}

/// What a [`UmdMgmt`] has done, from [`UmdMgmt::stats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Requests made.
    pub requests: u64,
    /// Of those, the ones that failed.
    pub failures: u64,
    /// Of those, the ones that timed out.
    pub timeouts: u64,
    /// Handler processes started.
    pub starts: u64,
    /// Of those, the ones started by a request after a handler exited, was killed or failed.
    pub restarts: u64,
    /// The last error a request returned.
    pub last_error: Option<Error>,
    /// The running handler's pid in the initial pid namespace, 0 if none runs.
    pub pid: i32,
}

/// Work done on each newly started UMD Handler before it serves requests.
///
/// Implemented by closures taking a [`Handler`], and by [`NoPostStart`].
pub trait PostStart: Send + Sync {
    /// Called after each start of the handler. An error stops the handler and is returned to the
    /// caller whose request or load started it.
    ///
    /// The [`UmdMgmt`] is locked during the call: requests to it would wait forever.
    fn post_start(&self, handler: &Handler<'_>) -> Result;
}

/// No work after a start.
pub struct NoPostStart;

impl PostStart for NoPostStart {
    fn post_start(&self, _handler: &Handler<'_>) -> Result {
        Ok(())
    }
}

impl<F: Fn(&Handler<'_>) -> Result + Send + Sync> PostStart for F {
    fn post_start(&self, handler: &Handler<'_>) -> Result {
        self(handler)
    }
}

/// The UMD Handler process that was just started, as [`PostStart::post_start`] sees it.
///
/// # Invariants
///
/// `mgmt` is an initialised `struct umd_mgmt` whose lock is held and whose handler process has
/// been started (`info.tgid` is set), for all of `'a`.
pub struct Handler<'a> {
    mgmt: &'a Opaque<bindings::umd_mgmt>,
}

impl Handler<'_> {
    /// Returns the process id of the handler, as seen from the current pid namespace.
    pub fn pid(&self) -> i32 {
        // SAFETY: By the type invariant the lock is held and `info.tgid` is a valid `struct pid`,
        // which cannot change or be released while the lock is held.
        unsafe { bindings::pid_vnr((*self.mgmt.get()).info.tgid) }
    }
}

/// A user mode driver under management: the UMD Manager's handle on one UMD Handler.
///
/// Create it with [`new_umd_mgmt!`], usually in an [`Arc`], hand it the handler with
/// [`UmdMgmt::load`], and talk to the handler with [`UmdMgmt::send_recv`] or
/// [`UmdMgmt::send_recv_as`].
///
/// # Examples
///
/// ```
/// use kernel::c_str;
/// use kernel::sync::Arc;
/// use kernel::umd_mgmt::{new_umd_mgmt, MessageSizes, NoPostStart, UmdMgmt};
///
/// let sizes = MessageSizes { request: 4, reply: 4 };
/// let umd = Arc::pin_init(
///     new_umd_mgmt!(c_str!("doc_umd"), Some(c_str!("doc_umd_loader")), sizes, NoPostStart),
///     GFP_KERNEL,
/// )?;
///
/// // No blob is loaded and the loader module does not exist: nothing runs.
/// let mut reply = [0u8; 4];
/// assert_eq!(umd.send_recv(&[0; 4], &mut reply), Err(ENOPROTOOPT));
/// // Buffers of the wrong size never reach the handler.
/// assert_eq!(umd.send_recv(&[0; 5], &mut reply), Err(EINVAL));
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `mgmt` is an initialised `struct umd_mgmt`: zeroed, with the driver and loader names set, its
/// lock initialised, and `post_start_callback::<P>` as its `post_start`.
#[pin_data(PinnedDrop)]
pub struct UmdMgmt<P: PostStart = NoPostStart> {
    #[pin]
    mgmt: Opaque<bindings::umd_mgmt>,
    sizes: MessageSizes,
    post_start: P,
}

// SAFETY: After initialisation the C structure is only used through the C library, which
// serialises all access with the structure's mutex; what it holds (a `struct pid`, two files and a
// mount) may be used and released from any thread. `P` is `Send` by the `PostStart` bound.
unsafe impl<P: PostStart> Send for UmdMgmt<P> {}

// SAFETY: As for `Send`, every operation through `&UmdMgmt` takes the structure's mutex in C, and
// `P` is `Sync` by the `PostStart` bound, so `post_start` may run on any requesting thread.
unsafe impl<P: PostStart> Sync for UmdMgmt<P> {}

/// Creates a [`UmdMgmt`] initialiser with a lock class of its own for its mutex.
///
/// Takes the driver name (a `&'static CStr`, also the handler's process name), the loader
/// module's name (`Option<&'static CStr>`), the [`MessageSizes`] and a [`PostStart`].
#[macro_export]
macro_rules! new_umd_mgmt {
    ($driver_name:expr, $kmod:expr, $sizes:expr, $post_start:expr $(,)?) => {
        $crate::umd_mgmt::UmdMgmt::new(
            $driver_name,
            $kmod,
            $sizes,
            $post_start,
            $crate::optional_name!(),
            $crate::static_lock_class!(),
        )
    };
}
pub use new_umd_mgmt;

impl<P: PostStart> UmdMgmt<P> {
    /// Creates an initialiser of a [`UmdMgmt`] for the handler `driver_name`, brought in by the
    /// loader module `kmod` when no blob is loaded. Use [`new_umd_mgmt!`] rather than this.
    pub fn new(
        driver_name: &'static CStr,
        kmod: Option<&'static CStr>,
        sizes: MessageSizes,
        post_start: P,
        name: &'static CStr,
        key: &'static LockClassKey,
    ) -> impl PinInit<Self> {
        pin_init!(Self {
            // INVARIANT: zeroed, names, callback and lock set as the invariant requires.
            mgmt <- Opaque::ffi_init(move |slot: *mut bindings::umd_mgmt| {
                // SAFETY: `slot` is valid for writes. All zeroes is a valid `struct umd_mgmt`
                // (null pointers, `false`, no callback), which is how C users start too. The
                // names and the lock class live forever, as the C structure needs.
                unsafe {
                    slot.write(core::mem::zeroed());
                    (*slot).info.driver_name = driver_name.as_char_ptr();
                    (*slot).kmod = kmod.map_or(ptr::null(), CStr::as_char_ptr);
                    (*slot).post_start = Some(post_start_callback::<P>);
                    bindings::__mutex_init(
                        ptr::addr_of_mut!((*slot).lock),
                        name.as_char_ptr(),
                        key.as_ptr(),
                    );
                }
            }),
            sizes,
            post_start,
        })
    }

    /// Returns the message sizes this driver was created with.
    pub fn sizes(&self) -> MessageSizes {
        self.sizes
    }

    /// Sets the time a request may take, in milliseconds, before the handler is killed and the
    /// request fails with `ETIMEDOUT`; 0 restores the default of 5 seconds. Waits for a request
    /// in progress to end.
    pub fn set_timeout_ms(&self, ms: u32) {
        let mgmt = self.mgmt.get();
        // SAFETY: `mgmt` is initialised (type invariant), so its lock is; the C library reads
        // `timeout_ms` only under that lock.
        unsafe {
            bindings::mutex_lock(ptr::addr_of_mut!((*mgmt).lock));
            (*mgmt).timeout_ms = ms;
            bindings::mutex_unlock(ptr::addr_of_mut!((*mgmt).lock));
        }
    }

    /// Returns the counters of this driver. Waits for a request in progress to end.
    pub fn stats(&self) -> Stats {
        let mut raw = bindings::umd_mgmt_stats::default();
        // SAFETY: `self.mgmt` is initialised (type invariant) and `raw` is valid for writes.
        unsafe { bindings::umd_mgmt_get_stats(self.mgmt.get(), &mut raw) };
        Stats {
            requests: raw.requests,
            failures: raw.failures,
            timeouts: raw.timeouts,
            starts: raw.starts,
            restarts: raw.restarts,
            last_error: (raw.last_error != 0).then(|| Error::from_errno(raw.last_error)),
            pid: raw.pid,
        }
    }

    /// Loads the handler from `blob` and starts it.
    ///
    /// `blob` is the handler executable, typically embedded with `include_bytes!`. It is copied
    /// to a private tmpfs, from which the handler is started now and restarted later. The
    /// returned guard keeps it loaded; dropping the guard stops the handler and releases the
    /// copy. While a blob is loaded, loading again fails with `EBUSY`.
    ///
    /// The blob must be `'static`: a borrowed buffer is refused at compile time (see
    /// `kernel/umd_mgmt_kunit/compile_fail/` in the umd-mgmt tests).
    pub fn load(self: &Arc<Self>, blob: &'static [u8]) -> Result<Loaded<P>> {
        let range = blob.as_ptr_range();
        // SAFETY: `self.mgmt` is initialised (type invariant). `blob` is valid for reads between
        // `start` and `end`; the C function only reads it, despite the non-const parameters.
        to_result(unsafe {
            bindings::umd_mgmt_load(
                self.mgmt.get(),
                range.start.cast_mut().cast(),
                range.end.cast_mut().cast(),
            )
        })?;
        // INVARIANT: the load just succeeded.
        Ok(Loaded { umd: self.clone() })
    }

    /// Sends `request` to the handler and reads its reply into `reply`, starting the handler, or
    /// asking for the loader, first if needed.
    ///
    /// `request` and `reply` must have the sizes given at creation, or `EINVAL` is returned and
    /// nothing is sent. On error `reply` holds unspecified bytes. The errors are those of the C
    /// `umd_mgmt_send_recv()`: `ENOPROTOOPT` when no blob is loaded and the loader cannot be
    /// brought in, `EHOSTDOWN` while backing off, `ETIMEDOUT` when the handler takes too long,
    /// `EPIPE` when it exits before replying in full, `EMSGSIZE` when it writes more, `EPROTO`
    /// when it wrote bytes no request asked for (after each of these four the handler is stopped
    /// and the next request starts a new one), `EINTR` when a fatal signal came while waiting for
    /// the lock, `ERESTARTSYS` when a signal was pending or came while waiting for the reply (the
    /// handler is kept), or the error of a start or of [`PostStart`].
    pub fn send_recv(&self, request: &[u8], reply: &mut [u8]) -> Result {
        self.send_recv_as(request, reply)
    }

    /// Like [`UmdMgmt::send_recv`], for typed messages: the request is sent as its bytes and the
    /// reply lands in `reply`, which for that reason must be [`FromBytes`] (any bytes are a valid
    /// value of it); a reply type without that guarantee, such as `bool`, does not compile.
    pub fn send_recv_as<Req, Rep>(&self, request: &Req, reply: &mut Rep) -> Result
    where
        Req: AsBytes + ?Sized,
        Rep: FromBytes + ?Sized,
    {
        let (in_len, out_len) = (size_of_val(request), size_of_val(reply));
        if in_len != self.sizes.request || out_len != self.sizes.reply {
            return Err(EINVAL);
        }
        // SAFETY: `self.mgmt` is initialised (type invariant). `request` is valid for reads of
        // `in_len` bytes, all initialised since `Req: AsBytes`, and is only read by C. `reply` is
        // valid for writes of `out_len` bytes, and C writing any bytes there leaves a valid value
        // since `Rep: FromBytes`.
        to_result(unsafe {
            bindings::umd_mgmt_send_recv(
                self.mgmt.get(),
                ptr::from_ref(request).cast_mut().cast::<c_void>(),
                in_len,
                ptr::from_mut(reply).cast::<c_void>(),
                out_len,
            )
        })
    }
}

#[pinned_drop]
impl<P: PostStart> PinnedDrop for UmdMgmt<P> {
    fn drop(self: Pin<&mut Self>) {
        // Only reached if a `Loaded` guard was leaked: guards hold a reference to `self`.
        // SAFETY: `self.mgmt` is initialised (type invariant); unloading an unloaded structure
        // does nothing.
        unsafe { bindings::umd_mgmt_unload(self.mgmt.get()) };
    }
}

/// Called by the C library after each start of the handler of a `UmdMgmt<P>`.
///
/// # Safety
///
/// `mgmt` must be the `mgmt` field of a live `UmdMgmt<P>`, with its lock held and its handler
/// just started.
unsafe extern "C" fn post_start_callback<P: PostStart>(mgmt: *mut bindings::umd_mgmt) -> c_int {
    // SAFETY: The C library passes the structure it was set on, which by the type invariant of
    // `UmdMgmt<P>` is that field; `Opaque` is `repr(transparent)`, so the field's address is the
    // structure's.
    let this = unsafe { &*crate::container_of!(mgmt, UmdMgmt<P>, mgmt) };
    // INVARIANT: the library calls `post_start` with the lock held, right after a start.
    let handler = Handler { mgmt: &this.mgmt };
    from_result(|| {
        this.post_start.post_start(&handler)?;
        Ok(0)
    })
}

/// A loaded UMD Handler blob, from [`UmdMgmt::load`]. Dropping it unloads the blob: the handler is
/// stopped and later requests ask for the loader again.
///
/// # Invariants
///
/// The blob of `umd` is loaded, by the call that created this guard, and no other guard exists
/// for it.
pub struct Loaded<P: PostStart = NoPostStart> {
    umd: Arc<UmdMgmt<P>>,
}

impl<P: PostStart> Loaded<P> {
    /// Returns the driver whose blob this guard keeps loaded.
    pub fn umd(&self) -> &Arc<UmdMgmt<P>> {
        &self.umd
    }
}

impl<P: PostStart> Drop for Loaded<P> {
    fn drop(&mut self) {
        // SAFETY: `self.umd.mgmt` is initialised (type invariant of `UmdMgmt`).
        unsafe { bindings::umd_mgmt_unload(self.umd.mgmt.get()) };
    }
}
