// SPDX-License-Identifier: GPL-2.0

//! A request of no bytes, which the C library refuses at run time, does not compile.
//! expect: E0080 the request of a fixed-size UMD operation cannot be empty

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Operation, Protocol, UmdMgmt},
};

/// The protocol of the probe.
pub struct Proto;

impl Protocol for Proto {}

/// A driver.
pub struct Probe;

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");
}

/// An operation with an empty request.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = [u8; 0];
    type Reply = u32;
}

/// Tries to send the empty request.
pub fn ask_nothing(umd: &UmdMgmt<Probe>) -> Result {
    umd.send_recv::<Ask>(&[], &mut 0)
}
