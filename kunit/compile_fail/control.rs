// SPDX-License-Identifier: GPL-2.0

//! The control case: correct use of the same API compiles, which shows the failures of the other
//! probes come from the checks they target and not from the harness. A blob borrowed from the
//! stack may be loaded: it is only read during the call.
//! expect: ok

use kernel::{
    c_str,
    prelude::*,
    sync::Arc,
    umd_mgmt::{CallError, Driver, Handler, Operation, Protocol, UmdMgmt},
};

/// The protocol of the probe.
pub struct Proto;

impl Protocol for Proto {}

/// A driver with a handshake after each start.
pub struct Probe;

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        let mut ack = [0u32; 2];
        handler.send_recv::<Ask>(&1, &mut ack)
    }
}

/// A `u32` out, two words back.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = [u32; 2];
}

/// Loads a blob from the stack and reads a reply of the operation's type.
pub fn load_and_ask(umd: &Arc<UmdMgmt<Probe>>) -> Result {
    let blob = [0x7fu8, b'E', b'L', b'F'];
    let _loaded = umd.load(&blob)?;
    let mut reply = [0u32; 2];
    umd.send_recv::<Ask>(&0, &mut reply)
}

/// A framed protocol, shared by two drivers.
pub struct Frames;

impl Protocol for Frames {
    const FRAMED: bool = true;
}

kernel::umd_message! {
    /// A message struct with no padding, made without `unsafe`.
    pub struct Header {
        pub kind: u16,
        pub flags: u16,
        pub len: u32,
        pub offset: u64,
    }
}

/// Bytes of any length in, a `Header` back.
pub struct Inspect;

impl Operation for Inspect {
    type Protocol = Frames;
    const OP: u32 = 1;
    type Request = [u8];
    type Reply = Header;
}

/// A `Header` in, bytes of any length back.
pub struct Fetch;

impl Operation for Fetch {
    type Protocol = Frames;
    const OP: u32 = 2;
    type Request = Header;
    type Reply = [u8];
}

/// One driver of `Frames`, which talks in frames to each new handler.
pub struct Framed;

impl Driver for Framed {
    type Protocol = Frames;
    const NAME: &'static CStr = c_str!("framed");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        let header = handler.call::<Inspect>(b"hello")?;
        let mut bytes = [0u8; 8];
        handler.call_slice::<Fetch>(&header, &mut bytes)?;
        Ok(())
    }
}

/// Another driver of `Frames`: the operations need not be written twice.
pub struct AlsoFramed;

impl Driver for AlsoFramed {
    type Protocol = Frames;
    const NAME: &'static CStr = c_str!("also_framed");
}

/// Every framed call, on both drivers; the handler's status apart from the call's errors.
pub fn framed_calls(a: &UmdMgmt<Framed>, b: &UmdMgmt<AlsoFramed>) -> Result {
    let header = a.call::<Inspect>(&[1, 2, 3])?;
    let mut bytes = [0u8; 64];
    let len = b.call_slice::<Fetch>(&header, &mut bytes)?;
    let mut vec = KVec::new();
    match a.call_vec::<Fetch>(&header, &mut vec) {
        Err(CallError::Rejected(status)) => return Err(status),
        Err(CallError::Failed(e)) => return Err(e),
        Ok(()) => {}
    }
    if vec.len() != len {
        return Err(EPROTO);
    }
    Ok(())
}

const fn is_send_sync<T: Send + Sync>() {}

/// The handle on a driver may be shared with, and sent to, any thread.
pub const UMD_MGMT_IS_SEND_SYNC: () = is_send_sync::<UmdMgmt<Probe>>();
