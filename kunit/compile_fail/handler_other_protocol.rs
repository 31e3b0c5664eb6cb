// SPDX-License-Identifier: GPL-2.0

//! The `Handler` of `post_start` checks the protocol of an operation as `UmdMgmt` does.
//! expect: E0271 type mismatch resolving `<Ask as Operation>::Protocol == Proto`

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Handler, Operation, Protocol},
};

/// The protocol of the probe.
pub struct Proto;

impl Protocol for Proto {}

/// Another protocol.
pub struct OtherProto;

impl Protocol for OtherProto {}

/// An operation of `OtherProto`.
pub struct Ask;

impl Operation for Ask {
    type Protocol = OtherProto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = u32;
}

/// A driver whose handshake uses another protocol's operation.
pub struct Probe;

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        handler.send_recv::<Ask>(&0, &mut 0)
    }
}
