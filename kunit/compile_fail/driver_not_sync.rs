// SPDX-License-Identifier: GPL-2.0

//! A driver's state is shared by every thread that makes a request, so it must be `Sync`.
//! expect: E0277 `Cell<u32>` cannot be shared between threads safely

use core::cell::Cell;
use kernel::{
    c_str,
    prelude::*,
    umd_mgmt::{Driver, Protocol},
};

/// The protocol of the probe.
pub struct Proto;

impl Protocol for Proto {}

/// A driver counting its starts in a `Cell`.
pub struct Probe {
    starts: Cell<u32>,
}

impl Driver for Probe {
    type Protocol = Proto;
    const NAME: &'static CStr = c_str!("probe");
}
