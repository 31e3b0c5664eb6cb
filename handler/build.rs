// SPDX-License-Identifier: GPL-2.0-only
//! Link the handler as a static executable with no C runtime and no libc.

fn main() {
    for arg in [
        "-nostartfiles",
        "-nostdlib",
        "-static",
        "-no-pie",
        "-Wl,--build-id=none",
    ] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
}
