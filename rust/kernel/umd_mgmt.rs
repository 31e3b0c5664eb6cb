// SPDX-License-Identifier: GPL-2.0

//! User mode driver management.
//!
//! A user mode driver (UMD) is a program held in the kernel image or in a module, which the kernel
//! runs as a user space process, the UMD Handler, and talks to through a pair of pipes. Work that
//! is risky to do in the kernel, such as parsing untrusted data, can then run in a process that
//! may crash or be killed without harming the kernel.
//!
//! A driver names itself with a type implementing [`Driver`], which speaks the language of a
//! [`Protocol`] that several drivers may share, and each message of that protocol with a type
//! implementing [`Operation`], which fixes the op code, the request and the reply type of that
//! exchange: a reply buffer of another type, or an operation of another protocol, does not
//! compile. A [`UmdMgmt`] is the handle on one running driver. It starts the handler from the blob
//! handed to [`UmdMgmt::load`], restarts it on the next request after it exits, kills it when an
//! exchange with it fails, and serialises requests.
//!
//! A protocol is either the seed's fixed-size messages, exchanged with [`UmdMgmt::send_recv`], or
//! framed messages of any length ([`Protocol::FRAMED`]), exchanged with [`UmdMgmt::call`],
//! [`UmdMgmt::call_slice`] and [`UmdMgmt::call_vec`] in the wire format of
//! `include/uapi/linux/usermode_driver_mgmt.h`: each request carries its operation's op code, and
//! the handler may reject it with a status, which comes back as [`CallError::Rejected`], apart from
//! the errors of the exchange. A message struct is declared with [`umd_message!`], without
//! `unsafe`.
//!
//! Each exchange with the handler ends by its deadline ([`UmdMgmt::set_timeout`]) whatever the
//! handler does: then it fails with [`ETIMEDOUT`] and the handler is killed, which waits for it at
//! most a second. A request that starts a handler also takes the start and each exchange of
//! [`Driver::post_start`], which has a deadline of its own. After 5 failed starts or requests in a
//! row, each within 10 seconds of the first, requests fail at once with [`EHOSTDOWN`] for a
//! second; a success resets the count. The kernel confines the handler before its exec: the uid
//! and gid of [`Driver::UID`] and [`Driver::GID`] (65534 unless they say otherwise), no groups, no
//! capabilities, `no_new_privs`, chrooted to its own read-only tmpfs, no process or file of its
//! own, and seccomp's strict mode, as [`Driver::CONFINEMENT`] allows (see
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
//! A protocol of fixed-size messages, and a driver that speaks it, with two operations, each with
//! its own reply size:
//!
//! ```
//! use kernel::{c_str, prelude::*, sync::Arc};
//! use kernel::umd_mgmt::{new_umd_mgmt, Driver, Operation, Protocol, UmdMgmt};
//!
//! struct ParserProtocol;
//!
//! impl Protocol for ParserProtocol {}
//!
//! struct Parser;
//!
//! impl Driver for Parser {
//!     type Protocol = ParserProtocol;
//!     const NAME: &'static CStr = c_str!("doc_parser");
//! }
//!
//! /// Asks for the version of the parser: no argument worth the name, a `u32` back.
//! struct Version;
//!
//! impl Operation for Version {
//!     type Protocol = ParserProtocol;
//!     const OP: u32 = 1;
//!     type Request = u32;
//!     type Reply = u32;
//! }
//!
//! /// Parses 64 bytes into 16 words.
//! struct Parse;
//!
//! impl Operation for Parse {
//!     type Protocol = ParserProtocol;
//!     const OP: u32 = 2;
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
//!
//! A framed protocol: a certificate of any length in, a fixed summary or its subject's name back,
//! and the handler's verdict on input it refuses:
//!
//! ```
//! use kernel::{c_str, prelude::*, umd_message};
//! use kernel::umd_mgmt::{CallError, Driver, Operation, Protocol, UmdMgmt};
//!
//! struct X509;
//!
//! impl Protocol for X509 {
//!     const FRAMED: bool = true;
//! }
//!
//! umd_message! {
//!     /// What the handler found in a certificate.
//!     pub struct Summary {
//!         pub version: u32,
//!         pub key_bits: u32,
//!         pub not_after: u64,
//!     }
//! }
//!
//! struct Summarise;
//!
//! impl Operation for Summarise {
//!     type Protocol = X509;
//!     const OP: u32 = 1;
//!     type Request = [u8];
//!     type Reply = Summary;
//! }
//!
//! struct Subject;
//!
//! impl Operation for Subject {
//!     type Protocol = X509;
//!     const OP: u32 = 2;
//!     type Request = [u8];
//!     type Reply = [u8];
//! }
//!
//! struct Certs;
//!
//! impl Driver for Certs {
//!     type Protocol = X509;
//!     const NAME: &'static CStr = c_str!("doc_x509");
//! }
//!
//! /// The key size of `cert`, or why the handler refused it.
//! fn key_bits(umd: &UmdMgmt<Certs>, cert: &[u8]) -> Result<u32> {
//!     match umd.call::<Summarise>(cert) {
//!         Ok(summary) => Ok(summary.key_bits),
//!         // The handler refused the certificate: its verdict, not a failure of the call.
//!         Err(CallError::Rejected(status)) => Err(status),
//!         Err(CallError::Failed(e)) => Err(e),
//!     }
//! }
//!
//! /// The subject's name of `cert`, as long as it is.
//! fn subject(umd: &UmdMgmt<Certs>, cert: &[u8]) -> Result<KVec<u8>> {
//!     let mut name = KVec::new();
//!     umd.call_vec::<Subject>(cert, &mut name)?;
//!     Ok(name)
//! }
//! ```

use crate::{
    alloc::{AllocError, Allocator, Vec},
    bindings,
    error::{from_result, to_result},
    ffi::{c_int, c_void},
    init,
    prelude::*,
    sync::{Arc, LockClassKey},
    types::{AsBytes, FromBytes, Opaque},
};
use core::{
    cell::Cell,
    convert::Infallible,
    marker::PhantomData,
    mem::{size_of, size_of_val, MaybeUninit},
    num::NonZeroU32,
    ptr,
    time::Duration,
};

/// The language a handler speaks: how its messages are made, and which [`Operation`]s exist.
///
/// Several drivers may speak one protocol, and share its operations. The implementing type only
/// names the protocol; it is usually an empty struct.
pub trait Protocol: 'static {
    /// Whether messages are framed (`UMD_MGMT_FRAMED`): a header with the operation's op code, the
    /// payload's length, a request id and the handler's status, then a payload of any length up to
    /// [`Protocol::MAX_MSG_LEN`], in the format of `include/uapi/linux/usermode_driver_mgmt.h`.
    /// Requests are then made with [`UmdMgmt::call`], [`UmdMgmt::call_slice`] and
    /// [`UmdMgmt::call_vec`]. Otherwise messages are the seed's, a request and a reply of the sizes
    /// of their types and nothing else, made with [`UmdMgmt::send_recv`]. The default is `false`.
    const FRAMED: bool = false;

    /// The most bytes of payload of a framed request or reply; 0, the default, means
    /// `UMD_MGMT_DEFAULT_MAX_MSG_LEN` (1 MiB). At most `u32::MAX`.
    const MAX_MSG_LEN: usize = 0;
}

/// The largest payload of a framed message of protocol `P`.
const fn max_msg_len<P: Protocol>() -> usize {
    if P::MAX_MSG_LEN == 0 {
        bindings::UMD_MGMT_DEFAULT_MAX_MSG_LEN as usize
    } else {
        P::MAX_MSG_LEN
    }
}

/// How much a handler is confined beyond the user and group it runs as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confinement {
    /// An unprivileged process in seccomp's strict mode, which allows `read`, `write`, `_exit`
    /// and `sigreturn` only: what a `no_std` handler needs. The default.
    Strict,
    /// An unprivileged process that may make any system call (`UMD_MGMT_NO_SYSCALL_FILTER`), for
    /// a handler whose runtime, such as a libc's start-up, needs more than strict mode allows.
    NoSyscallFilter,
    /// No confinement at all (`UMD_MGMT_UNCONFINED`): root with every capability. [`Driver::UID`]
    /// and [`Driver::GID`] do not apply.
    Unconfined,
}

/// A user mode driver: its handler's name, the protocol it speaks and what to do after each start
/// of the handler.
///
/// The implementing type is the driver's own state, owned by its [`UmdMgmt`], initialised in
/// place (it may hold a `Mutex`) and reachable with [`UmdMgmt::driver`]; a driver that needs none
/// is a unit struct.
pub trait Driver: Send + Sync + Sized + 'static {
    /// The protocol the handler speaks.
    type Protocol: Protocol;

    /// The name of the handler, of its process and of its binary in the handler's tmpfs.
    const NAME: &'static CStr;

    /// Whether the handler is sealed: out of reach of every user space process, root included
    /// (no ptrace, no access through `/proc`, no signal, no change of priority or limits), with
    /// its memory locked and not dumpable. See `Documentation/admin-guide/LSM/umd_seal.rst`. On a
    /// kernel without the `umd_seal` LSM enabled, starting a sealed handler fails with
    /// `EOPNOTSUPP`. The default is `false`.
    const SEALED: bool = false;

    /// The user the handler runs as, in the initial user namespace. Give each driver a user of
    /// its own: a process of the same user may signal an unsealed handler and read its memory.
    /// `None`, the default, is 65534, the user `nobody`; root cannot be chosen.
    const UID: Option<NonZeroU32> = None;

    /// The group the handler runs as, in the initial user namespace; `None`, the default, is
    /// 65534.
    const GID: Option<NonZeroU32> = None;

    /// How much the handler is confined beyond its user and group. The default is
    /// [`Confinement::Strict`].
    const CONFINEMENT: Confinement = Confinement::Strict;

    /// Called after each start of the handler, before any request reaches it, with the driver's
    /// lock held. It may talk to the handler through `handler`, for example to send it a key or
    /// a configuration. An error stops the handler and is returned to the caller whose request
    /// or load started it; so does an error of any exchange through `handler` other than a
    /// rejection, whatever this returns. The default does nothing.
    ///
    /// It must not call the methods of the driver's [`UmdMgmt`] (`send_recv`, `call*`, `load`,
    /// `stats`, `set_timeout`), or drop the driver's [`Loaded`]: they wait for the lock that this
    /// call holds, forever. Nor should it wait for another driver, whose own `post_start` or
    /// requests could be waiting for this one.
    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        let _ = handler;
        Ok(())
    }
}

/// One kind of exchange of protocol [`Operation::Protocol`]: a request of type
/// [`Operation::Request`] answered by a reply of type [`Operation::Reply`].
///
/// The implementing type only names the exchange; it is usually an empty struct. Types of
/// variable length, such as `[u8]`, are for framed protocols: a request of any length, and a reply
/// read into a buffer with [`UmdMgmt::call_slice`] or [`UmdMgmt::call_vec`].
pub trait Operation {
    /// The protocol this operation belongs to; any driver that speaks it may make it.
    type Protocol: Protocol;
    /// The op code, which tells the handler of a framed protocol which operation it answers, and
    /// which its reply must carry back; a protocol gives each of its operations its own. The
    /// seed's messages have no header, and carry none.
    const OP: u32;
    /// What is sent: its bytes, which are all initialised.
    type Request: AsBytes + ?Sized;
    /// What comes back: any bytes the handler writes are a valid value of it.
    type Reply: FromBytes + ?Sized;
}

/// Refuses, at compile time, an operation used with the other protocol's calls, or that the C
/// library would refuse at run time.
struct CheckedOperation<O>(PhantomData<O>);

impl<O: Operation> CheckedOperation<O> {
    const SEED: () = assert!(
        !<O::Protocol as Protocol>::FRAMED,
        "send_recv() is for fixed-size protocols: a framed protocol's operations use call()"
    );
    const FRAMED: () = assert!(
        <O::Protocol as Protocol>::FRAMED,
        "call() is for framed protocols: a fixed-size protocol's operations use send_recv()"
    );
}

impl<O: Operation> CheckedOperation<O>
where
    O::Request: Sized,
{
    const REQUEST_NOT_EMPTY: () = assert!(
        size_of::<O::Request>() != 0,
        "the request of a fixed-size UMD operation cannot be empty"
    );
}

impl<O: Operation> CheckedOperation<O>
where
    O::Reply: Sized,
{
    const REPLY_FITS: () = assert!(
        size_of::<O::Reply>() <= max_msg_len::<O::Protocol>(),
        "the reply of a framed UMD operation is larger than its protocol's MAX_MSG_LEN"
    );
}

/// How a framed request failed: the handler's verdict on its input, or an error of the call.
///
/// `?` turns either into the [`Error`] it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The handler rejected the request with this status, one of the set the UAPI header lists
    /// ([`EINVAL`], [`EBADMSG`], [`ENOENT`], [`EOPNOTSUPP`], [`E2BIG`], [`ERANGE`],
    /// [`EKEYREJECTED`]). It did its job: it keeps running, and the request counts in
    /// [`Stats::rejections`], not as a failure.
    Rejected(Error),
    /// The request failed, with an error of [`UmdMgmt::call_slice`]'s list; never one the
    /// handler chose.
    Failed(Error),
}

impl From<CallError> for Error {
    fn from(e: CallError) -> Error {
        match e {
            CallError::Rejected(e) | CallError::Failed(e) => e,
        }
    }
}

impl From<Error> for CallError {
    fn from(e: Error) -> CallError {
        CallError::Failed(e)
    }
}

impl From<AllocError> for CallError {
    fn from(_: AllocError) -> CallError {
        CallError::Failed(ENOMEM)
    }
}

/// The result of a framed call in C: the reply's length, or the handler's status, or an error.
fn call_result(ret: isize, status: c_int) -> Result<usize, CallError> {
    if ret < 0 {
        // `ret` is a negative errno, which fits in a `c_int`.
        return Err(CallError::Failed(Error::from_errno(ret as c_int)));
    }
    if status != 0 {
        return Err(CallError::Rejected(Error::from_errno(status)));
    }
    // Not negative, checked above.
    Ok(ret as usize)
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
/// It stands for the driver's lock, which the thread running `post_start` holds: it is neither
/// [`Send`] nor [`Sync`], so that it cannot be used from another thread, and it does not outlive
/// the call.
///
/// # Invariants
///
/// `mgmt` is the initialised `struct umd_mgmt` of a `UmdMgmt<D>`, whose lock is held by the
/// current thread and whose handler process has been started (`info.tgid` is set), with its
/// exchanges bounded (`info.timeout` and `info.max_len` set), for as long as the `Handler`
/// exists.
pub struct Handler<'a, D: Driver> {
    mgmt: &'a Opaque<bindings::umd_mgmt>,
    /// The first error of an exchange through the handler, which fails the start.
    failed: Cell<Option<Error>>,
    /// Not `Send` nor `Sync`, as the lock it stands for belongs to one thread.
    _not_send: PhantomData<*mut ()>,
    _driver: PhantomData<&'a D>,
}

impl<D: Driver> Handler<'_, D> {
    /// Returns the process id of the handler in the initial pid namespace, as [`Stats::pid`].
    pub fn pid(&self) -> i32 {
        // SAFETY: By the type invariant the lock is held and `info.tgid` is a valid `struct pid`,
        // which cannot change or be released while the lock is held. `init_pid_ns` is a static
        // of the kernel image, never freed; only its address is taken.
        unsafe {
            bindings::pid_nr_ns(
                (*self.mgmt.get()).info.tgid,
                ptr::addr_of_mut!(bindings::init_pid_ns),
            )
        }
    }

    fn info(&self) -> *mut bindings::umd_info {
        // SAFETY: `self.mgmt` is a valid `struct umd_mgmt` (type invariant); only the address of
        // its field is taken.
        unsafe { ptr::addr_of_mut!((*self.mgmt.get()).info) }
    }

    /// Records the first failed exchange, which fails the start; a rejection is no failure.
    fn note<T>(&self, result: Result<T, CallError>) -> Result<T, CallError> {
        if let Err(CallError::Failed(e)) = result {
            self.failed.set(self.failed.get().or(Some(e)));
        }
        result
    }

    /// Sends `request` to the handler and reads its reply into `reply`, in the protocol of
    /// fixed-size messages.
    ///
    /// The exchange is bounded by the driver's timeout, as a request through
    /// [`UmdMgmt::send_recv`] is, but it is not counted in [`Stats`]. Its errors are those of
    /// [`UmdMgmt::send_recv`]'s exchange: [`ETIMEDOUT`], [`EPIPE`], [`EMSGSIZE`], [`EPROTO`],
    /// [`EINTR`] and [`ERESTARTSYS`]. After an error the start fails with it, even if
    /// [`Driver::post_start`] returns `Ok`, and the handler is stopped.
    pub fn send_recv<O>(&self, request: &O::Request, reply: &mut O::Reply) -> Result
    where
        O: Operation<Protocol = D::Protocol>,
        O::Request: Sized,
        O::Reply: Sized,
    {
        let () = CheckedOperation::<O>::SEED;
        let () = CheckedOperation::<O>::REQUEST_NOT_EMPTY;
        // SAFETY: By the type invariant the lock is held and the handler runs, so `info` may be
        // used for an exchange, bounded by `info.timeout`. `request` is valid for reads of its
        // size, all initialised since `O::Request: AsBytes`; `reply` is valid for writes of its
        // size, and any bytes there are a valid value since `O::Reply: FromBytes`.
        let result = to_result(unsafe {
            bindings::umd_send_recv(
                self.info(),
                ptr::from_ref(request).cast::<c_void>(),
                size_of::<O::Request>(),
                ptr::from_mut(reply).cast::<c_void>(),
                size_of::<O::Reply>(),
            )
        });
        self.note(result.map_err(CallError::Failed))
            .map_err(Error::from)
    }

    /// Makes the framed request `request` of operation `O` and reads the reply's payload into
    /// `reply`, returning its length, as [`UmdMgmt::call_slice`] does.
    ///
    /// Bounded and counted as [`Handler::send_recv`] is. A rejection is returned and does not
    /// fail the start; after any other error the start fails with it, and the handler is stopped.
    pub fn call_slice<O>(&self, request: &O::Request, reply: &mut [u8]) -> Result<usize, CallError>
    where
        O: Operation<Protocol = D::Protocol, Reply = [u8]>,
    {
        let () = CheckedOperation::<O>::FRAMED;
        // SAFETY: The buffer is `reply`, valid for writes of its length.
        let result = unsafe { self.call_raw::<O>(request, reply.as_mut_ptr().cast(), reply.len()) };
        self.note(result)
    }

    /// Makes the framed request `request` of operation `O`, whose reply has a fixed size, and
    /// returns the reply, as [`UmdMgmt::call`] does; bounded and counted as
    /// [`Handler::call_slice`] is.
    pub fn call<O>(&self, request: &O::Request) -> Result<O::Reply, CallError>
    where
        O: Operation<Protocol = D::Protocol>,
        O::Reply: Sized,
    {
        let () = CheckedOperation::<O>::FRAMED;
        let () = CheckedOperation::<O>::REPLY_FITS;
        let mut reply = MaybeUninit::<O::Reply>::uninit();
        // SAFETY: The buffer is `reply`, valid for writes of its size.
        let result = unsafe {
            self.call_raw::<O>(request, reply.as_mut_ptr().cast(), size_of::<O::Reply>())
        };
        // SAFETY: On success the library wrote the reply's `len` bytes at the start of `reply`.
        self.note(result.and_then(|len| unsafe { assume_whole::<O::Reply>(reply, len) }))
    }

    /// The framed exchange of operation `O`, into the `out_size` bytes at `out`.
    ///
    /// # Safety
    ///
    /// `out` must be valid for writes of `out_size` bytes.
    unsafe fn call_raw<O: Operation>(
        &self,
        request: &O::Request,
        out: *mut c_void,
        out_size: usize,
    ) -> Result<usize, CallError> {
        let mut status = 0;
        // SAFETY: By the type invariant the lock is held and the handler runs, with its exchanges
        // bounded in time and length. `request` is valid for reads of its size, all initialised
        // since `O::Request: AsBytes`; the caller guarantees `out`; `status` is valid for writes.
        let ret = unsafe {
            bindings::umd_call(
                self.info(),
                O::OP,
                ptr::from_ref(request).cast::<c_void>(),
                size_of_val(request),
                out,
                out_size,
                &mut status,
            )
        };
        call_result(ret, status)
    }
}

/// Takes `reply` as initialised if the handler's reply filled it, `len` bytes of it.
///
/// # Safety
///
/// The first `len` bytes of `reply` must be initialised.
unsafe fn assume_whole<T: FromBytes>(reply: MaybeUninit<T>, len: usize) -> Result<T, CallError> {
    if len != size_of::<T>() {
        // A short reply of a fixed-size operation: the protocol says it cannot happen.
        return Err(CallError::Failed(EPROTO));
    }
    // SAFETY: All `size_of::<T>()` bytes are initialised (the caller's guarantee), and any bytes
    // are a valid `T` since `T: FromBytes`.
    Ok(unsafe { reply.assume_init() })
}

/// A user mode driver under management: the UMD Manager's handle on one UMD Handler.
///
/// Create it with [`new_umd_mgmt!`] in an [`Arc`], hand it the handler with [`UmdMgmt::load`],
/// and talk to the handler with [`UmdMgmt::send_recv`], or [`UmdMgmt::call`] and its siblings
/// if its protocol is framed.
///
/// # Examples
///
/// The round trip of a driver whose handler echoes each `u32` (the module that embeds the
/// handler binary would call this after [`UmdMgmt::load`]):
///
/// ```
/// use kernel::{c_str, prelude::*};
/// use kernel::umd_mgmt::{Driver, Operation, Protocol, UmdMgmt};
///
/// struct Echo;
///
/// impl Protocol for Echo {}
///
/// impl Driver for Echo {
///     type Protocol = Self;
///     const NAME: &'static CStr = c_str!("doc_echo");
/// }
///
/// struct Ping;
///
/// impl Operation for Ping {
///     type Protocol = Echo;
///     const OP: u32 = 0;
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
/// Driver state initialised in place, such as a lock:
///
/// ```
/// use kernel::{c_str, new_mutex, prelude::*, sync::{Arc, Mutex}};
/// use kernel::umd_mgmt::{new_umd_mgmt, Driver, Protocol, UmdMgmt};
///
/// struct Quiet;
///
/// impl Protocol for Quiet {}
///
/// #[pin_data]
/// struct Counted {
///     #[pin]
///     seen: Mutex<u64>,
/// }
///
/// impl Driver for Counted {
///     type Protocol = Quiet;
///     const NAME: &'static CStr = c_str!("doc_counted");
/// }
///
/// let umd: Arc<UmdMgmt<Counted>> = Arc::pin_init(
///     new_umd_mgmt!(try_pin_init!(Counted { seen <- new_mutex!(0) }? Error)),
///     GFP_KERNEL,
/// )?;
/// *umd.driver().seen.lock() += 1;
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `mgmt` is an initialised `struct umd_mgmt`: zeroed, with `D::NAME` as its driver name,
/// `UMD_MGMT_SEALED` in its flags if `D::SEALED`, the flag of `D::CONFINEMENT`, the ids of
/// `D::UID` and `D::GID` where they are `Some`, `UMD_MGMT_FRAMED` and
/// `D::Protocol::MAX_MSG_LEN` if the protocol is framed, its lock initialised, and
/// `post_start_callback::<D>` as its `post_start`. It is pinned, and C is only ever handed it
/// through `UmdMgmt::as_raw`, with the provenance of the whole `UmdMgmt<D>`.
#[pin_data]
pub struct UmdMgmt<D: Driver> {
    #[pin]
    mgmt: Opaque<bindings::umd_mgmt>,
    #[pin]
    driver: D,
}

// SAFETY: After initialisation the C structure is only used through the C library, which
// serialises all access with the structure's mutex; what it holds (a `struct pid`, two files and a
// mount) may be used and released from any thread. `D` is `Send` by the `Driver` bound.
unsafe impl<D: Driver> Send for UmdMgmt<D> {}

// SAFETY: As for `Send`, every operation through `&UmdMgmt` takes the structure's mutex in C, and
// `D` is `Sync` by the `Driver` bound, so `post_start` may run on any requesting thread.
unsafe impl<D: Driver> Sync for UmdMgmt<D> {}

/// Creates a [`UmdMgmt`] initialiser for a [`Driver`] initialiser (or value), with a lock class of
/// its own.
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

/// Declares a `#[repr(C)]` message struct of `AsBytes + FromBytes` fields and implements both
/// traits for it, so that it can be a [`Operation::Request`] and a [`Operation::Reply`] without
/// `unsafe`. A struct with padding, whose padding bytes would be uninitialised, does not compile;
/// nor does a field of another type.
///
/// ```
/// kernel::umd_message! {
///     /// A key's id and its 32 bytes.
///     pub struct Key {
///         pub id: u32,
///         pub len: u32,
///         pub bytes: [u8; 32],
///     }
/// }
/// ```
#[macro_export]
macro_rules! umd_message {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_attr:meta])* $field_vis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[repr(C)]
        $vis struct $name {
            $($(#[$field_attr])* $field_vis $field: $ty),*
        }

        const _: () = {
            const fn is_message_field<T: $crate::types::AsBytes + $crate::types::FromBytes>() {}
            $(is_message_field::<$ty>();)*
            ::core::assert!(
                ::core::mem::size_of::<$name>() == 0 $(+ ::core::mem::size_of::<$ty>())*,
                ::core::concat!(
                    "UMD message `", ::core::stringify!($name),
                    "` has padding: make it an explicit field"
                )
            );
        };

        // SAFETY: `$name` is `#[repr(C)]` and its size is the sum of its fields' sizes (checked at
        // compile time above), so it has no padding; each field is `AsBytes` (checked above), so
        // has no uninitialised byte nor interior mutability.
        unsafe impl $crate::types::AsBytes for $name {}

        // SAFETY: Each field is `FromBytes` (checked above): any bytes are a valid value of each,
        // and there is no padding, so any bytes are a valid `$name`; no field has interior
        // mutability.
        unsafe impl $crate::types::FromBytes for $name {}
    };
}

impl<D: Driver> UmdMgmt<D> {
    /// Creates an initialiser of a [`UmdMgmt`] whose driver state is initialised by `driver`: a
    /// value, or an initialiser made with `try_pin_init!(...? Error)` for state that must be
    /// pinned, such as a `Mutex`. Use [`new_umd_mgmt!`] rather than this.
    pub fn new(
        driver: impl PinInit<D, Error>,
        name: &'static CStr,
        key: &'static LockClassKey,
    ) -> impl PinInit<Self, Error> {
        let framed = <D::Protocol as Protocol>::FRAMED;
        let sealed = D::SEALED;
        let confinement = match D::CONFINEMENT {
            Confinement::Strict => 0,
            Confinement::NoSyscallFilter => bindings::UMD_MGMT_NO_SYSCALL_FILTER,
            Confinement::Unconfined => bindings::UMD_MGMT_UNCONFINED,
        };
        let (uid, gid) = (D::UID, D::GID);
        let init_mgmt = move |slot: *mut Opaque<bindings::umd_mgmt>| {
            let slot = Opaque::raw_get(slot);
            // SAFETY: `slot` is valid for writes. All zeroes is a valid `struct umd_mgmt` (null
            // pointers, `false`, no callback, no loader), which is how C users start too.
            // `D::NAME`, `name` and `key` are `'static`, as the C structure needs.
            unsafe {
                slot.write(core::mem::zeroed());
                (*slot).info.driver_name = D::NAME.as_char_ptr();
                if sealed {
                    (*slot).flags |= bindings::UMD_MGMT_SEALED;
                }
                (*slot).flags |= confinement;
                if let Some(uid) = uid {
                    (*slot).uid = bindings::kuid_t { val: uid.get() };
                }
                if let Some(gid) = gid {
                    (*slot).gid = bindings::kgid_t { val: gid.get() };
                }
                if framed {
                    (*slot).flags |= bindings::UMD_MGMT_FRAMED;
                    (*slot).max_msg_len = <D::Protocol as Protocol>::MAX_MSG_LEN;
                }
                (*slot).post_start = Some(post_start_callback::<D>);
                bindings::__mutex_init(
                    ptr::addr_of_mut!((*slot).lock),
                    name.as_char_ptr(),
                    key.as_ptr(),
                );
            }
            Ok::<(), Infallible>(())
        };
        // SAFETY: The closure initialises all of the `Opaque` at `slot` (which would allow less)
        // and never fails; `slot` is pinned, so the mutex it initialises never moves.
        let mgmt = unsafe { init::pin_init_from_closure(init_mgmt) };
        // INVARIANT: zeroed, name, flags, ids, maximum, callback and lock set as the invariant
        // requires.
        try_pin_init!(Self {
            mgmt <- mgmt,
            driver <- driver,
        }? Error)
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
    /// first if it is not running: the seed's protocol of fixed-size messages. A framed
    /// protocol's operation does not compile here.
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
    pub fn send_recv<O>(&self, request: &O::Request, reply: &mut O::Reply) -> Result
    where
        O: Operation<Protocol = D::Protocol>,
        O::Request: Sized,
        O::Reply: Sized,
    {
        let () = CheckedOperation::<O>::SEED;
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

    /// Makes the framed request `request` of operation `O`, whose reply has a fixed size, and
    /// returns the reply; nothing needs zeroing first. A fixed-size protocol's operation, or one
    /// whose types are larger than [`Protocol::MAX_MSG_LEN`], does not compile here.
    ///
    /// The errors are [`UmdMgmt::call_slice`]'s, and [`EPROTO`] for a reply shorter than
    /// `O::Reply`, which keeps the handler.
    pub fn call<O>(&self, request: &O::Request) -> Result<O::Reply, CallError>
    where
        O: Operation<Protocol = D::Protocol>,
        O::Reply: Sized,
    {
        let () = CheckedOperation::<O>::FRAMED;
        let () = CheckedOperation::<O>::REPLY_FITS;
        let mut reply = MaybeUninit::<O::Reply>::uninit();
        // SAFETY: The buffer is `reply`, valid for writes of its size.
        let len = unsafe {
            self.call_raw::<O>(request, reply.as_mut_ptr().cast(), size_of::<O::Reply>())
        }?;
        // SAFETY: The library wrote the reply's `len` bytes at the start of `reply`.
        unsafe { assume_whole::<O::Reply>(reply, len) }
    }

    /// Makes the framed request `request` of operation `O`, starting the handler first if it is
    /// not running, and reads the reply's payload into `reply`, returning its length: 0 to
    /// `reply.len()`. Nothing past that length is written. A fixed-size protocol's operation
    /// does not compile here.
    ///
    /// The handler's verdict, a status with which it rejects the request, is
    /// [`CallError::Rejected`]; it keeps running. Otherwise the errors are [`CallError::Failed`]:
    ///
    /// - [`E2BIG`]: `request` is larger than [`Protocol::MAX_MSG_LEN`]; nothing is sent.
    /// - [`EPROTO`]: the reply's header is wrong (its id, op, status, or a reserved field), or
    ///   the handler wrote more than one frame; it is stopped.
    /// - [`EMSGSIZE`]: the reply's payload is longer than `reply` or the maximum; it is stopped.
    /// - [`EPIPE`]: the handler exited before its whole reply came; it is stopped.
    /// - the other errors of [`UmdMgmt::send_recv`], with the same consequences.
    pub fn call_slice<O>(&self, request: &O::Request, reply: &mut [u8]) -> Result<usize, CallError>
    where
        O: Operation<Protocol = D::Protocol, Reply = [u8]>,
    {
        let () = CheckedOperation::<O>::FRAMED;
        // SAFETY: The buffer is `reply`, valid for writes of its length.
        unsafe { self.call_raw::<O>(request, reply.as_mut_ptr().cast(), reply.len()) }
    }

    /// As [`UmdMgmt::call_slice`], but the reply's payload replaces the contents of `reply`, a
    /// [`KVec`](crate::alloc::KVec) or (for large maximums) a [`KVVec`](crate::alloc::KVVec),
    /// which grows to hold the largest reply the protocol allows (uninitialised, so nothing is
    /// zeroed), and keeps its capacity for the next call. The errors are those of
    /// [`UmdMgmt::call_slice`], and [`ENOMEM`] if `reply` cannot grow; on error `reply` is empty.
    pub fn call_vec<O>(
        &self,
        request: &O::Request,
        reply: &mut Vec<u8, impl Allocator>,
    ) -> Result<(), CallError>
    where
        O: Operation<Protocol = D::Protocol, Reply = [u8]>,
    {
        let () = CheckedOperation::<O>::FRAMED;
        // SAFETY: A length of 0 is at most the capacity, and `u8` needs no drop.
        unsafe { reply.set_len(0) };
        reply.reserve(max_msg_len::<D::Protocol>(), GFP_KERNEL)?;
        let spare = reply.spare_capacity_mut();
        // SAFETY: `spare` is valid for writes of its length.
        let len = unsafe { self.call_raw::<O>(request, spare.as_mut_ptr().cast(), spare.len()) }?;
        // SAFETY: The library returned a length of at most `spare.len()`, the capacity, and wrote
        // those first `len` bytes.
        unsafe { reply.set_len(len) };
        Ok(())
    }

    /// The framed request of operation `O`, its reply into the `out_size` bytes at `out`.
    ///
    /// # Safety
    ///
    /// `out` must be valid for writes of `out_size` bytes.
    unsafe fn call_raw<O: Operation>(
        &self,
        request: &O::Request,
        out: *mut c_void,
        out_size: usize,
    ) -> Result<usize, CallError> {
        let mut status = 0;
        // SAFETY: `self.mgmt` is initialised (type invariant). `request` is valid for reads of its
        // size, all initialised since `O::Request: AsBytes`, and is only read by C; the caller
        // guarantees `out`; `status` is valid for writes.
        let ret = unsafe {
            bindings::umd_mgmt_call_status(
                self.as_raw(),
                O::OP,
                ptr::from_ref(request).cast::<c_void>(),
                size_of_val(request),
                out,
                out_size,
                &mut status,
            )
        };
        call_result(ret, status)
    }
}

/// Called by the C library after each start of the handler of a `UmdMgmt<D>`.
///
/// # Safety
///
/// `mgmt` must be the `mgmt` field of a live `UmdMgmt<D>`, with the provenance of the whole
/// `UmdMgmt<D>`, its lock held by the current thread until this returns, and its handler just
/// started, with its exchanges bounded.
unsafe extern "C" fn post_start_callback<D: Driver>(mgmt: *mut bindings::umd_mgmt) -> c_int {
    // SAFETY: The C library calls `post_start` only from `umd_mgmt_load` and the requests, which
    // Rust calls with `UmdMgmt::as_raw`, so `mgmt` is that field with the provenance of the whole
    // `UmdMgmt<D>` (type invariant); `Opaque` is `repr(transparent)`, so the field's address is
    // the structure's. The caller of that function holds a reference to the `UmdMgmt<D>` for the
    // whole call, so it is alive, and the reference made here is used only during this call.
    let this: &UmdMgmt<D> = unsafe { &*crate::container_of!(mgmt, UmdMgmt<D>, mgmt) };
    // INVARIANT: the library calls `post_start` with the lock held by this thread, right after a
    // start and after bounding its exchanges; `handler` is dropped before this returns.
    let handler = Handler {
        mgmt: &this.mgmt,
        failed: Cell::new(None),
        _not_send: PhantomData,
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
