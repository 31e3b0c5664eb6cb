// SPDX-License-Identifier: GPL-2.0

//! A `UmdMgmt` holds a mutex, which must not move: it cannot be built unpinned.
//! expect: E0277 the trait `Init<UmdMgmt<Probe>, _>` is not implemented

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

/// Tries to build the driver in a box it could be moved out of.
pub fn unpinned() -> Result<KBox<UmdMgmt<Probe>>> {
    Ok(KBox::<UmdMgmt<Probe>>::init(
        new_umd_mgmt!(Probe),
        GFP_KERNEL,
    )?)
}

/// Keeps `Arc` in use for the control of the other probes.
pub fn pinned() -> Result<Arc<UmdMgmt<Probe>>> {
    Arc::pin_init(new_umd_mgmt!(Probe), GFP_KERNEL)
}
