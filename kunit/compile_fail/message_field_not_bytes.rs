// SPDX-License-Identifier: GPL-2.0

//! A message struct field must be `AsBytes` and `FromBytes`: a `bool` is not valid for every byte.
//! expect: E0277 the trait bound `bool: FromBytes` is not satisfied

kernel::umd_message! {
    /// A flag that not every byte is a value of.
    pub struct Flagged {
        pub set: bool,
        pub pad: [u8; 3],
        pub len: u32,
    }
}
