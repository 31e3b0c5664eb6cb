// SPDX-License-Identifier: GPL-2.0

//! A reply cannot land in a type that not every bit pattern is valid for.
//! expect: E0277 the trait bound `bool: FromBytes` is not satisfied

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Operation},
};

/// A driver.
pub struct Probe;

impl Driver for Probe {
    const NAME: &'static CStr = c_str!("probe");
}

/// Tries to name `bool` as a reply type.
pub struct Ask;

impl Operation for Ask {
    type Driver = Probe;
    type Request = u32;
    type Reply = bool;
}
