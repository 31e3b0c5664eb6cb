// SPDX-License-Identifier: GPL-2.0

//! The control case: correct use of the same API compiles, which shows the failures above come
//! from the checks they target and not from the harness.
//! expect: ok

use kernel::{prelude::*, sync::Arc, umd_mgmt::UmdMgmt};

static BLOB: [u8; 4] = [0x7f, b'E', b'L', b'F'];

/// Loads a `'static` blob and reads a reply into a `FromBytes` type.
pub fn load_and_ask(umd: &Arc<UmdMgmt>) -> Result {
    let _loaded = umd.load(&BLOB)?;
    let mut reply = [0u32; 2];
    umd.send_recv_as(&0u32, &mut reply)
}
