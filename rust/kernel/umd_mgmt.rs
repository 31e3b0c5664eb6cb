// SPDX-License-Identifier: GPL-2.0

//! User mode driver management.
//!
//! A user mode driver (UMD) is a program held in the kernel image or in a module, which the kernel
//! runs as a user space process, the UMD Handler, and talks to through a pair of pipes. Work that
//! is risky to do in the kernel, such as parsing untrusted data, can then run in a process that
//! may crash or be killed without harming the kernel.
//!
//! A driver names itself with a type implementing [`Driver`], and each of its messages with a
//! type implementing [`Operation`], which fixes the request and the reply type of that exchange:
//! a reply buffer of another type, or an operation of another driver, does not compile. A
//! [`UmdMgmt`] is the handle on one running driver. It starts the handler from the blob handed
//! to [`UmdMgmt::load`], restarts it on the next request after it exits, kills it when an
//! exchange with it fails, and serialises requests.
//!
//! Each exchange with the handler ends by its deadline ([`UmdMgmt::set_timeout`]) whatever the
//! handler does: then it fails with [`ETIMEDOUT`] and the handler is killed, which waits for it at
//! most a second. A request that starts a handler also takes the start and each exchange of
//! [`Driver::post_start`], which has a deadline of its own. After 5 failed starts or requests in a
//! row, each within 10 seconds of the first, requests fail at once with [`EHOSTDOWN`] for a
//! second; a success resets the count. The kernel confines the handler before its exec: uid and
//! gid 65534, no groups, no capabilities, `no_new_privs`, chrooted to its own read-only tmpfs,
//! no process or file of its own, and seccomp's strict mode (see
//! `Documentation/driver-api/umd_mgmt.rst`).
//!
//! Unlike the C API, this one has no UMD Loader module: a Rust module cannot export the symbol a
//! separate loader would need to reach the driver, so the module that owns the [`UmdMgmt`] loads
//! the blob itself, and a request with no blob loaded fails with [`ENOPROTOOPT`].
//!
//! C header: [`include/linux/usermode_driver_mgmt.h`](srctree/include/linux/usermode_driver_mgmt.h)
//!
//! # Examples
//!
//! A driver with two operations, each with its own reply size:
//!
//! ```
//! use kernel::{c_str, prelude::*, sync::Arc};
//! use kernel::umd_mgmt::{new_umd_mgmt, Driver, Operation, UmdMgmt};
//!
//! struct Parser;
//!
//! impl Driver for Parser {
//!     const NAME: &'static CStr = c_str!("doc_parser");
//! }
//!
//! /// Asks for the version of the parser: no argument worth the name, a `u32` back.
//! struct Version;
//!
//! impl Operation for Version {
//!     type Driver = Parser;
//!     type Request = u32;
//!     type Reply = u32;
//! }
//!
//! /// Parses 64 bytes into 16 words.
//! struct Parse;
//!
//! impl Operation for Parse {
//!     type Driver = Parser;
//!     type Request = [u8; 64];
//!     type Reply = [u32; 16];
//! }
//!
//! fn parse(umd: &UmdMgmt<Parser>, input: &[u8; 64]) -> Result<[u32; 16]> {
//!     let mut words = [0u32; 16];
//!     umd.send_recv::<Parse>(input, &mut words)?;
//!     Ok(words)
//! }
//!
//! let umd: Arc<UmdMgmt<Parser>> = Arc::pin_init(new_umd_mgmt!(Parser), GFP_KERNEL)?;
//!
//! // No blob is loaded: nothing runs, the request fails cleanly.
//! let mut version = 0u32;
//! assert_eq!(umd.send_recv::<Version>(&0, &mut version), Err(ENOPROTOOPT));
//! assert_eq!(parse(&umd, &[0; 64]), Err(ENOPROTOOPT));
//! # Ok::<(), Error>(())
//! ```

use crate::{
    bindings,
    error::{from_result, to_result},
    ffi::{c_int, c_void},
    prelude::*,
    sync::{Arc, LockClassKey},
    types::{AsBytes, FromBytes, Opaque},
};
use core::{cell::Cell, marker::PhantomData, mem::size_of, ptr, time::Duration};

/// A user mode driver: its handler's name and what to do after each start of the handler.
///
/// The implementing type is the driver's own state, owned by its [`UmdMgmt`] and reachable with
/// [`UmdMgmt::driver`]; a driver that needs none is a unit struct.
pub trait Driver: Send + Sync + Sized + 'static {
    /// The name of the handler, of its process and of its binary in the handler's tmpfs.
    const NAME: &'static CStr;

    /// Whether the handler is sealed: out of reach of every user space process, root included
    /// (no ptrace, no access through `/proc`, no signal, no change of priority or limits), with
    /// its memory locked and not dumpable. See `Documentation/admin-guide/LSM/umd_seal.rst`. On a
    /// kernel without the `umd_seal` LSM enabled, starting a sealed handler fails with
    /// `EOPNOTSUPP`. The default is `false`.
    const SEALED: bool = false;

    /// Called after each start of the handler, before any request reaches it, with the driver's
    /// lock held. It may talk to the handler through `handler`, for example to send it a key or
    /// a configuration. An error stops the handler and is returned to the caller whose request
    /// or load started it; so does an error of any exchange through `handler`, whatever this
    /// returns. The default does nothing.
    ///
    /// It must not call the methods of the driver's [`UmdMgmt`] (`send_recv`, `load`, `stats`,
    /// `set_timeout`), or drop the driver's [`Loaded`]: they wait for the lock that this call
    /// holds, forever. Nor should it wait for another driver, whose own `post_start` or requests
    /// could be waiting for this one.
    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        let _ = handler;
        Ok(())
    }
}

/// One kind of exchange with the handler of driver [`Operation::Driver`]: a request of type
/// [`Operation::Request`] answered by a reply of type [`Operation::Reply`].
///
/// The implementing type only names the exchange; it is usually an empty struct.
pub trait Operation {
    /// The driver whose handler understands this operation.
    type Driver: Driver;
    /// What is sent: its bytes, which are all initialised.
    type Request: AsBytes;
    /// What comes back: any bytes the handler writes are a valid value of it.
    type Reply: FromBytes;
}

/// Refuses, at compile time, an operation the C library would refuse at run time.
struct CheckedOperation<O>(PhantomData<O>);

impl<O: Operation> CheckedOperation<O> {
    const REQUEST_NOT_EMPTY: () = assert!(
        size_of::<O::Request>() != 0,
        "the request of a UMD operation cannot be empty"
    );
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
    /// Handlers stopped for using the CPU between requests.
    pub idle_stops: u64,
    /// Framed requests the handler rejected with a status; not failures.
    pub rejections: u64,
    /// The last error a request returned.
    pub last_error: Option<Error>,
    /// The running handler's pid in the initial pid namespace, 0 if none runs.
    pub pid: i32,
}

/// The UMD Handler process that was just started, as [`Driver::post_start`] sees it.
///
/// # Invariants
///
/// `mgmt` is the initialised `struct umd_mgmt` of a `UmdMgmt<D>`, whose lock is held and whose
/// handler process has been started (`info.tgid` is set), for as long as the `Handler` exists.
pub struct Handler<'a, D: Driver> {
    mgmt: &'a Opaque<bindings::umd_mgmt>,
    /// The first error of an exchange through [`Handler::send_recv`], which fails the start.
    failed: Cell<Option<Error>>,
    _driver: PhantomData<&'a D>,
}

impl<D: Driver> Handler<'_, D> {
    /// Returns the process id of the handler in the initial pid namespace, as [`Stats::pid`].
    pub fn pid(&self) -> i32 {
        // SAFETY: By the type invariant the lock is held and `info.tgid` is a valid `struct pid`,
        // which cannot change or be released while the lock is held. `init_pid_ns` is a static
        // that lives forever; only its address is taken.
        unsafe {
            bindings::pid_nr_ns(
                (*self.mgmt.get()).info.tgid,
                ptr::addr_of_mut!(bindings::init_pid_ns),
            )
        }
    }

    /// Sends `request` to the handler and reads its reply into `reply`.
    ///
    /// The exchange is bounded by the driver's timeout, as a request through
    /// [`UmdMgmt::send_recv`] is, but it is not counted in [`Stats`]. Its errors are those of
    /// [`UmdMgmt::send_recv`]'s exchange: [`ETIMEDOUT`], [`EPIPE`], [`EMSGSIZE`], [`EPROTO`],
    /// [`EINTR`] and [`ERESTARTSYS`]. After an error the start fails with it, even if
    /// [`Driver::post_start`] returns `Ok`, and the handler is stopped.
    pub fn send_recv<O: Operation<Driver = D>>(
        &self,
        request: &O::Request,
        reply: &mut O::Reply,
    ) -> Result {
        let () = CheckedOperation::<O>::REQUEST_NOT_EMPTY;
        // SAFETY: By the type invariant the lock is held and the handler runs, so `info` may be
        // used for an exchange, bounded by `info.timeout`, which the library sets before calling
        // `post_start`. `request` is valid for reads of its size, all initialised since
        // `O::Request: AsBytes`; `reply` is valid for writes of its size, and any bytes there are
        // a valid value since `O::Reply: FromBytes`.
        let result = to_result(unsafe {
            bindings::umd_send_recv(
                ptr::addr_of_mut!((*self.mgmt.get()).info),
                ptr::from_ref(request).cast::<c_void>(),
                size_of::<O::Request>(),
                ptr::from_mut(reply).cast::<c_void>(),
                size_of::<O::Reply>(),
            )
        });
        if let Err(e) = result {
            self.failed.set(self.failed.get().or(Some(e)));
        }
        result
    }
}

/// A user mode driver under management: the UMD Manager's handle on one UMD Handler.
///
/// Create it with [`new_umd_mgmt!`] in an [`Arc`], hand it the handler with [`UmdMgmt::load`],
/// and talk to the handler with [`UmdMgmt::send_recv`].
///
/// # Examples
///
/// The round trip of a driver whose handler echoes each `u32` (the module that embeds the
/// handler binary would call this after [`UmdMgmt::load`]):
///
/// ```
/// use kernel::{c_str, prelude::*};
/// use kernel::umd_mgmt::{Driver, Operation, UmdMgmt};
///
/// struct Echo;
///
/// impl Driver for Echo {
///     const NAME: &'static CStr = c_str!("doc_echo");
/// }
///
/// struct Ping;
///
/// impl Operation for Ping {
///     type Driver = Echo;
///     type Request = u32;
///     type Reply = u32;
/// }
///
/// fn ping(umd: &UmdMgmt<Echo>, token: u32) -> Result {
///     let mut reply = 0;
///     umd.send_recv::<Ping>(&token, &mut reply)?;
///     if reply != token {
///         return Err(EPROTO);
///     }
///     Ok(())
/// }
/// ```
///
/// # Invariants
///
/// `mgmt` is an initialised `struct umd_mgmt`: zeroed, with `D::NAME` as its driver name,
/// `UMD_MGMT_SEALED` as its flags if `D::SEALED`, its lock initialised, and
/// `post_start_callback::<D>` as its `post_start`. It is pinned, and C is
/// only ever handed it through `UmdMgmt::as_raw`, as a field of a `UmdMgmt<D>`.
#[pin_data]
pub struct UmdMgmt<D: Driver> {
    #[pin]
    mgmt: Opaque<bindings::umd_mgmt>,
    driver: D,
}

// SAFETY: After initialisation the C structure is only used through the C library, which
// serialises all access with the structure's mutex; what it holds (a `struct pid`, two files and a
// mount) may be used and released from any thread. `D` is `Send` by the `Driver` bound.
unsafe impl<D: Driver> Send for UmdMgmt<D> {}

// SAFETY: As for `Send`, every operation through `&UmdMgmt` takes the structure's mutex in C, and
// `D` is `Sync` by the `Driver` bound, so `post_start` may run on any requesting thread.
unsafe impl<D: Driver> Sync for UmdMgmt<D> {}

/// Creates a [`UmdMgmt`] initialiser for a [`Driver`] value, with a lock class of its own.
#[macro_export]
macro_rules! new_umd_mgmt {
    ($driver:expr $(,)?) => {
        $crate::umd_mgmt::UmdMgmt::new(
            $driver,
            $crate::optional_name!(),
            $crate::static_lock_class!(),
        )
    };
}
pub use new_umd_mgmt;

impl<D: Driver> UmdMgmt<D> {
    /// Creates an initialiser of a [`UmdMgmt`] for `driver`. Use [`new_umd_mgmt!`] rather than
    /// this.
    pub fn new(driver: D, name: &'static CStr, key: &'static LockClassKey) -> impl PinInit<Self> {
        pin_init!(Self {
            // INVARIANT: zeroed, name, flags, callback and lock set as the invariant requires.
            mgmt <- Opaque::ffi_init(move |slot: *mut bindings::umd_mgmt| {
                // SAFETY: `slot` is valid for writes and pinned, so the mutex never moves once
                // initialised. All zeroes is a valid `struct umd_mgmt` (null pointers, `false`, no
                // callback, no loader), which is how C users start too. The names and the lock
                // class live forever, as the C structure needs.
                unsafe {
                    slot.write(core::mem::zeroed());
                    (*slot).info.driver_name = D::NAME.as_char_ptr();
                    (*slot).flags = if D::SEALED {
                        bindings::UMD_MGMT_SEALED
                    } else {
                        0
                    };
                    (*slot).post_start = Some(post_start_callback::<D>);
                    bindings::__mutex_init(
                        ptr::addr_of_mut!((*slot).lock),
                        name.as_char_ptr(),
                        key.as_ptr(),
                    );
                }
            }),
            driver,
        })
    }

    /// Returns the C structure, with the provenance of all of `self`: `post_start_callback`
    /// reaches `driver` from it.
    fn as_raw(&self) -> *mut bindings::umd_mgmt {
        let this = ptr::from_ref(self);
        // SAFETY: `this` comes from a reference, so projecting it to a field stays in bounds.
        Opaque::raw_get(unsafe { ptr::addr_of!((*this).mgmt) })
    }

    /// Returns the driver's own state.
    pub fn driver(&self) -> &D {
        &self.driver
    }

    /// Sets the time a request may take before the handler is killed and the request fails with
    /// [`ETIMEDOUT`]: `timeout` rounded up to a whole millisecond, at least 1 ms and at most
    /// `u32::MAX` ms; `None` restores the default of 5 seconds. Each exchange of
    /// [`Driver::post_start`] has as long. Waits for a request in progress to end.
    pub fn set_timeout(&self, timeout: Option<Duration>) {
        let ms = timeout.map_or(0, |t| {
            let ms = t
                .as_secs()
                .saturating_mul(1000)
                .saturating_add(u64::from(t.subsec_nanos().div_ceil(1_000_000)));
            u32::try_from(ms).unwrap_or(u32::MAX).max(1)
        });
        // SAFETY: `self.mgmt` is initialised (type invariant).
        unsafe { bindings::umd_mgmt_set_timeout(self.as_raw(), ms) };
    }

    /// Returns the counters of this driver. Waits for a request in progress to end.
    pub fn stats(&self) -> Stats {
        let mut raw = bindings::umd_mgmt_stats::default();
        // SAFETY: `self.mgmt` is initialised (type invariant) and `raw` is valid for writes.
        unsafe { bindings::umd_mgmt_get_stats(self.as_raw(), &mut raw) };
        Stats {
            requests: raw.requests,
            failures: raw.failures,
            timeouts: raw.timeouts,
            starts: raw.starts,
            restarts: raw.restarts,
            idle_stops: raw.idle_stops,
            rejections: raw.rejections,
            last_error: (raw.last_error != 0).then(|| Error::from_errno(raw.last_error)),
            pid: raw.pid,
        }
    }

    /// Loads the handler from `blob` and starts it, running [`Driver::post_start`].
    ///
    /// `blob` is the handler executable. It is read during the call only: it is copied to a
    /// private tmpfs, from which the handler is started now and restarted later, so it may be
    /// embedded in the module (`include_bytes!`) or borrowed from a buffer that goes away after
    /// the call, such as a firmware file's data:
    ///
    /// ```
    /// # #[cfg(CONFIG_RUST_FW_LOADER_ABSTRACTIONS)]
    /// # mod example {
    /// use kernel::{c_str, device::Device, firmware::Firmware, prelude::*, sync::Arc};
    /// use kernel::umd_mgmt::{Driver, Loaded, UmdMgmt};
    ///
    /// fn load_from_file<D: Driver>(umd: &Arc<UmdMgmt<D>>, dev: &Device) -> Result<Loaded<D>> {
    ///     let fw = Firmware::request(c_str!("umd/handler"), dev)?;
    ///     // The handler runs from a copy: `fw` is released on return.
    ///     umd.load(fw.data())
    /// }
    /// # }
    /// ```
    ///
    /// A handler read from a file is only as trustworthy as the file, which root can replace;
    /// one embedded in a signed module is not replaceable.
    ///
    /// The returned guard keeps the blob loaded; dropping it stops the handler and releases the
    /// copy. The guard holds a reference on the driver: forgetting it (`core::mem::forget`)
    /// leaks the driver with it. The handler then runs until it exits, and is not restarted; the
    /// leaked structure keeps pointers into the module, which nothing uses again.
    ///
    /// Errors: [`EINVAL`] for an empty blob, [`EBUSY`] while a blob is loaded, or the error of
    /// copying the blob, of starting the handler, or of [`Driver::post_start`]. On error nothing
    /// stays behind.
    pub fn load(self: &Arc<Self>, blob: &[u8]) -> Result<Loaded<D>> {
        let range = blob.as_ptr_range();
        // SAFETY: `self.mgmt` is initialised (type invariant). `blob` is valid for reads between
        // `start` and `end` for the duration of the call, and the C function only reads it.
        to_result(unsafe {
            bindings::umd_mgmt_load(self.as_raw(), range.start.cast(), range.end.cast())
        })?;
        // INVARIANT: the load just succeeded.
        Ok(Loaded { umd: self.clone() })
    }

    /// Sends `request` to the handler and reads its reply into `reply`, starting the handler
    /// first if it is not running.
    ///
    /// On error `reply` holds unspecified bytes. The errors, and what becomes of the handler:
    ///
    /// - [`ENOPROTOOPT`]: no blob is loaded; nothing runs.
    /// - [`EHOSTDOWN`]: backing off after repeated failures; nothing is sent.
    /// - [`ETIMEDOUT`]: the handler took longer than the timeout; it is stopped.
    /// - [`EPIPE`]: it exited or closed its output before it replied in full; it is stopped.
    /// - [`EMSGSIZE`]: it wrote more than the reply; it is stopped.
    /// - [`EPROTO`]: it had written bytes no request asked for; it is stopped.
    /// - [`ERESTARTSYS`]: a signal was pending, or came before any of the request was written;
    ///   the handler is kept and nothing was sent.
    /// - [`EINTR`]: a fatal signal came while waiting for the lock (the handler is kept), or a
    ///   signal came after the request or part of it was written (the handler is kept if it had
    ///   the whole request, and its late reply is dropped by the next request; otherwise it is
    ///   stopped).
    /// - another error of reading or writing the pipes; the handler is stopped.
    /// - the error of a start (counted as a failure), or of [`Driver::post_start`] (the new
    ///   handler is stopped).
    ///
    /// Stopped handlers are restarted by the next request. [`ETIMEDOUT`], [`EPIPE`],
    /// [`EMSGSIZE`], [`EPROTO`] and failed starts count towards the back-off; signals do not.
    pub fn send_recv<O: Operation<Driver = D>>(
        &self,
        request: &O::Request,
        reply: &mut O::Reply,
    ) -> Result {
        let () = CheckedOperation::<O>::REQUEST_NOT_EMPTY;
        // SAFETY: `self.mgmt` is initialised (type invariant). `request` is valid for reads of its
        // size, all initialised since `O::Request: AsBytes`, and is only read by C. `reply` is
        // valid for writes of its size, and C writing any bytes there leaves a valid value since
        // `O::Reply: FromBytes`.
        to_result(unsafe {
            bindings::umd_mgmt_send_recv(
                self.as_raw(),
                ptr::from_ref(request).cast::<c_void>(),
                size_of::<O::Request>(),
                ptr::from_mut(reply).cast::<c_void>(),
                size_of::<O::Reply>(),
            )
        })
    }
}

/// Called by the C library after each start of the handler of a `UmdMgmt<D>`.
///
/// # Safety
///
/// `mgmt` must be the `mgmt` field of a live `UmdMgmt<D>`, with its lock held and its handler
/// just started.
unsafe extern "C" fn post_start_callback<D: Driver>(mgmt: *mut bindings::umd_mgmt) -> c_int {
    // SAFETY: The C library passes the structure it was set on, which by the type invariant of
    // `UmdMgmt<D>` is that field, handed over with the provenance of the whole `UmdMgmt<D>`;
    // `Opaque` is `repr(transparent)`, so the field's address is the structure's. The reference
    // is used only during this call, while the caller keeps the `UmdMgmt<D>` alive.
    let this: &UmdMgmt<D> = unsafe { &*crate::container_of!(mgmt, UmdMgmt<D>, mgmt) };
    // INVARIANT: the library calls `post_start` with the lock held, right after a start.
    let handler = Handler {
        mgmt: &this.mgmt,
        failed: Cell::new(None),
        _driver: PhantomData,
    };
    from_result(|| {
        let result = this.driver.post_start(&handler);
        if let Some(e) = handler.failed.get() {
            return Err(e);
        }
        result.map(|()| 0)
    })
}

/// A loaded UMD Handler blob, from [`UmdMgmt::load`]. Dropping it unloads the blob: the handler is
/// stopped, and later requests fail with [`ENOPROTOOPT`] until the next load.
///
/// # Invariants
///
/// The blob of `umd` is loaded, by the call that created this guard, and no other guard exists
/// for it.
#[must_use = "dropping the guard unloads the blob at once"]
pub struct Loaded<D: Driver> {
    umd: Arc<UmdMgmt<D>>,
}

impl<D: Driver> Loaded<D> {
    /// Returns the driver whose blob this guard keeps loaded.
    pub fn umd(&self) -> &Arc<UmdMgmt<D>> {
        &self.umd
    }
}

impl<D: Driver> Drop for Loaded<D> {
    fn drop(&mut self) {
        // SAFETY: `self.umd.mgmt` is initialised (type invariant of `UmdMgmt`).
        unsafe { bindings::umd_mgmt_unload(self.umd.as_raw()) };
    }
}
