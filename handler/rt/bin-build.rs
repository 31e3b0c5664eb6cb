// SPDX-License-Identifier: GPL-2.0-only
//! Build script of every binary that runs on `umd_rt` (the sample handlers
//! and the hostile test handler): link it as a static executable with no C
//! runtime and no libc, and make sure its code is for a fixed address.

fn main() {
    // .cargo/config.toml sets the relocation model; cargo applies it only
    // when it runs below the workspace root. Without it the binary would
    // still link, but reach its code and data through a GOT.
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if !flags
        .split('\x1f')
        .any(|f| f.trim_start_matches("-C") == "relocation-model=static")
    {
        panic!(
            "build with -C relocation-model=static: run cargo inside the workspace \
             so that its .cargo/config.toml applies"
        );
    }
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
