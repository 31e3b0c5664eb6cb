// SPDX-License-Identifier: GPL-2.0

//! A reply cannot land in a type that not every bit pattern is valid for.
//! expect: E0277 the trait bound `bool: FromBytes` is not satisfied

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

/// Tries to name `bool` as a reply type.
pub struct Ask;

impl Operation for Ask {
    type Protocol = Proto;
    const OP: u32 = 1;
    type Request = u32;
    type Reply = bool;
}
