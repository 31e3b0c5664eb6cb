// SPDX-License-Identifier: GPL-2.0

//! The `Handler` given to `post_start` cannot be kept beyond the call, when the driver's lock
//! that makes it usable is released.
//! expect: E0521 borrowed data escapes outside of method

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Handler, Protocol},
};

/// The protocol of the probe.
pub struct Proto;

impl Protocol for Proto {}

/// A driver that tries to keep its handler.
pub struct Probe;

fn keep(_handler: &'static Handler<'static, Probe>) {}

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        keep(handler);
        Ok(())
    }
}
