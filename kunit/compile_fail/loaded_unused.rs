// SPDX-License-Identifier: GPL-2.0

//! A `Loaded` guard dropped at once unloads the blob at once: the compiler says so (made an
//! error here).
//! expect: failed unused `Loaded` that must be used

#![deny(unused_must_use)]

use kernel::{
    c_str,
    prelude::*,
    sync::Arc,
    umd_mgmt::{new_umd_mgmt, Driver, Protocol, UmdMgmt},
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

/// Loads a blob and drops the guard in the same statement.
pub fn load_and_drop(umd: &Arc<UmdMgmt<Probe>>, blob: &[u8]) -> Result {
    umd.load(blob)?;
    Ok(())
}
