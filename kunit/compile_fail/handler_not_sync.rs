// SPDX-License-Identifier: GPL-2.0

//! A `Handler` stands for the lock its thread holds: it cannot be shared with another thread.
//! expect: E0277 `*mut ()` cannot be shared between threads safely

use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Handler, Protocol},
};

/// The protocol of the probe.
pub struct Proto;

impl Protocol for Proto {}

fn needs_sync<T: Sync>(_: T) {}

/// A driver that tries to hand its `Handler` to another thread.
pub struct Probe;

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");

    fn post_start(&self, handler: &Handler<'_, Self>) -> Result {
        needs_sync(handler);
        Ok(())
    }
}
