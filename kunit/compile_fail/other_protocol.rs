// SPDX-License-Identifier: GPL-2.0

//! An operation of one driver cannot be sent to the handler of another.
//! expect: E0271 type mismatch resolving `<Ask as Operation>::Driver == Probe`

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Operation, UmdMgmt},
};

/// The driver the request is sent to.
pub struct Probe;

impl Driver for Probe {
    const NAME: &'static CStr = c_str!("probe");
}

/// Another driver.
pub struct Other;

impl Driver for Other {
    const NAME: &'static CStr = c_str!("other");
}

/// An operation of `Other`.
pub struct Ask;

impl Operation for Ask {
    type Driver = Other;
    type Request = u32;
    type Reply = u32;
}

/// Tries to send `Other`'s operation to `Probe`'s handler.
pub fn ask_the_wrong_handler(umd: &UmdMgmt<Probe>) -> Result {
    umd.send_recv::<Ask>(&0, &mut 0)
}
