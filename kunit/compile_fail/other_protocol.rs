// SPDX-License-Identifier: GPL-2.0

//! An operation of one protocol cannot be sent to the handler of a driver that speaks another.
//! expect: E0271 type mismatch resolving `<Ask as Operation>::Protocol == Proto`

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Operation, Protocol, UmdMgmt},
};

/// The protocol of the probe.
pub struct Proto;

impl Protocol for Proto {}

/// Another protocol, with the same types.
pub struct OtherProto;

impl Protocol for OtherProto {}

/// The driver the request is sent to.
pub struct Probe;

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");
}

/// An operation of `OtherProto`.
pub struct Ask;

impl Operation for Ask {
    type Protocol = OtherProto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = u32;
}

/// Tries to send `OtherProto`'s operation to `Probe`'s handler.
pub fn ask_the_wrong_handler(umd: &UmdMgmt<Probe>) -> Result {
    umd.send_recv::<Ask>(&0, &mut 0)
}
