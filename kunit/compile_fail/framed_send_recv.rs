// SPDX-License-Identifier: GPL-2.0

//! A framed protocol's operation cannot go through `send_recv`, the fixed-size protocol's call.
//! expect: E0080 send_recv() is for fixed-size protocols

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Operation, Protocol, UmdMgmt},
};

/// A framed protocol.
pub struct Proto;

impl Protocol for Proto {
    const FRAMED: bool = true;
}

/// A driver of it.
pub struct Probe;

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");
}

/// An operation of fixed sizes.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = u32;
}

/// Tries the fixed-size protocol's call.
pub fn ask_unframed(umd: &UmdMgmt<Probe>) -> Result {
    umd.send_recv::<Ask>(&0, &mut 0)
}
