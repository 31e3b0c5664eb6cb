// SPDX-License-Identifier: GPL-2.0

//! A message struct with padding, whose padding bytes would be sent uninitialised, does not
//! compile.
//! expect: E0080 UMD message `Padded` has padding

kernel::umd_message! {
    /// Three bytes of padding after `kind`.
    pub struct Padded {
        pub kind: u8,
        pub len: u32,
    }
}
