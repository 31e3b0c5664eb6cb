// SPDX-License-Identifier: GPL-2.0

//! A fixed-size protocol's operation cannot go through `call`, the framed protocol's.
//! expect: E0080 call() is for framed protocols

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Operation, Protocol, UmdMgmt},
};

/// A fixed-size protocol.
pub struct Proto;

impl Protocol for Proto {}

/// A driver of it.
pub struct Probe;

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");
}

/// An operation.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = u32;
}

/// Tries the framed protocol's call.
pub fn ask_framed(umd: &UmdMgmt<Probe>) -> Result<u32> {
    Ok(umd.call::<Ask>(&0)?)
}
