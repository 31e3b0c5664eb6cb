// SPDX-License-Identifier: GPL-2.0

//! The `Handler` of `post_start` refuses the framed call on a fixed-size protocol, as `UmdMgmt`
//! does.
//! expect: E0080 call() is for framed protocols

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Handler, Operation, Protocol},
};

/// A fixed-size protocol.
pub struct Proto;

impl Protocol for Proto {}

/// An operation of it.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = u32;
}

/// A driver whose handshake makes a framed call.
pub struct Probe;

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        handler.call::<Ask>(&0)?;
        Ok(())
    }
}
