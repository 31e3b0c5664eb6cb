// SPDX-License-Identifier: GPL-2.0

//! A handler blob borrowed from the stack cannot be loaded: it is not `'static`.
//! expect: E0597

use kernel::{prelude::*, sync::Arc, umd_mgmt::UmdMgmt};

/// Tries to load a blob that lives on the stack.
pub fn load_from_stack(umd: &Arc<UmdMgmt>) -> Result {
    let blob = [0x7fu8, b'E', b'L', b'F'];
    let _loaded = umd.load(&blob)?;
    Ok(())
}
