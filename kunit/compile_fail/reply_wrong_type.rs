// SPDX-License-Identifier: GPL-2.0

//! A reply buffer must have the type, hence the size, its operation names.
//! expect: E0308 expected `&mut [u32; 2]`, found `&mut [u8; 16]`

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

/// A `u32` out, two words back.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = [u32; 2];
}

/// Tries to read the reply into a buffer of another size.
pub fn ask_into_bytes(umd: &UmdMgmt<Probe>) -> Result {
    let mut reply = [0u8; 16];
    umd.send_recv::<Ask>(&0, &mut reply)
}
