// SPDX-License-Identifier: GPL-2.0

//! The control case: correct use of the same API compiles, which shows the failures of the other
//! probes come from the checks they target and not from the harness. A blob borrowed from the
//! stack may be loaded: it is only read during the call.
//! expect: ok

use kernel::{
    c_str,
    prelude::*,
    sync::Arc,
    umd_mgmt::{Driver, Handler, Operation, UmdMgmt},
};

/// A driver with a handshake after each start.
pub struct Probe;

impl Driver for Probe {
    const NAME: &'static CStr = c_str!("probe");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        let mut ack = [0u32; 2];
        handler.send_recv::<Ask>(&1, &mut ack)
    }
}

/// A `u32` out, two words back.
pub struct Ask;

impl Operation for Ask {
    type Driver = Probe;
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
