// SPDX-License-Identifier: GPL-2.0

//! A framed operation whose fixed-size reply is larger than its protocol allows does not compile.
//! expect: E0080 the reply of a framed UMD operation is larger than its protocol's MAX_MSG_LEN

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Operation, Protocol, UmdMgmt},
};

/// A framed protocol of small messages.
pub struct Proto;

impl Protocol for Proto {
    const FRAMED: bool = true;
    const MAX_MSG_LEN: usize = 16;
}

/// A driver of it.
pub struct Probe;

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");
}

/// An operation with a 32-byte reply.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = [u64; 4];
}

/// Tries the call.
pub fn ask_too_much(umd: &UmdMgmt<Probe>) -> Result {
    umd.call::<Ask>(&0)?;
    Ok(())
}
