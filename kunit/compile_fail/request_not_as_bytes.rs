// SPDX-License-Identifier: GPL-2.0

//! A request must be bytes that are all initialised: a type with padding is not.
//! expect: E0277 the trait bound `(u8, u32): AsBytes` is not satisfied

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Operation, Protocol},
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

/// Tries to name a tuple with padding bytes as a request type.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = (u8, u32);
    type Reply = u32;
}
