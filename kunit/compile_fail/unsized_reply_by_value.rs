// SPDX-License-Identifier: GPL-2.0

//! A reply of variable length has no value to return: `call` is for fixed-size replies.
//! expect: E0277 the size for values of type `[u8]` cannot be known at compilation time

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

/// An operation with a reply of variable length.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = [u8];
}

/// Tries to take the reply by value.
pub fn ask_by_value(umd: &UmdMgmt<Probe>) -> Result {
    umd.call::<Ask>(&0)?;
    Ok(())
}
