// SPDX-License-Identifier: GPL-2.0

//! A request of no bytes, which the C library refuses at run time, does not compile.
//! expect: E0080 the request of a UMD operation cannot be empty

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Operation, UmdMgmt},
};

/// A driver.
pub struct Probe;

impl Driver for Probe {
    const NAME: &'static CStr = c_str!("probe");
}

/// An operation with an empty request.
pub struct Ask;

impl Operation for Ask {
    type Driver = Probe;
    type Request = [u8; 0];
    type Reply = u32;
}

/// Tries to send the empty request.
pub fn ask_nothing(umd: &UmdMgmt<Probe>) -> Result {
    umd.send_recv::<Ask>(&[], &mut 0)
}
