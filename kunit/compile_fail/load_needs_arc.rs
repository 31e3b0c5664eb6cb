// SPDX-License-Identifier: GPL-2.0

//! `load` takes the driver in an `Arc`, which its `Loaded` guard keeps alive: a driver pinned
//! in a box cannot load.
//! expect: E0599 no method named `load` found

use core::pin::Pin;
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

/// Tries to load a blob into a driver that is not in an `Arc`.
pub fn load_boxed(blob: &[u8]) -> Result {
    let umd: Pin<KBox<UmdMgmt<Probe>>> = KBox::pin_init(new_umd_mgmt!(Probe), GFP_KERNEL)?;
    let _loaded = umd.load(blob)?;
    let _ = Arc::pin_init(new_umd_mgmt!(Probe), GFP_KERNEL)?;
    Ok(())
}
