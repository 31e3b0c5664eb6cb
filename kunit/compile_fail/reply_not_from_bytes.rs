// SPDX-License-Identifier: GPL-2.0

//! A reply cannot land in a type that not every bit pattern is valid for.
//! expect: E0277

use kernel::{prelude::*, umd_mgmt::UmdMgmt};

/// Tries to read a reply into a `bool`.
pub fn reply_into_bool(umd: &UmdMgmt) -> Result {
    let mut reply = false;
    umd.send_recv_as(&0u32, &mut reply)
}
