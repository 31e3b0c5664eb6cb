// SPDX-License-Identifier: GPL-2.0

//! A reply of variable length goes into a slice or a vector; a fixed-size reply type does not.
//! expect: E0271 type mismatch resolving `<Ask as Operation>::Reply == [u8]`

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

/// An operation with a fixed-size reply.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = [u8];
    type Reply = u64;
}

/// Tries to read the fixed-size reply into a slice.
pub fn ask_into_slice(umd: &UmdMgmt<Probe>) -> Result<usize> {
    let mut bytes = [0u8; 8];
    Ok(umd.call_slice::<Ask>(b"in", &mut bytes)?)
}
