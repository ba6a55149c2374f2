//! The build script of every demos/* crate of user programs: links each
//! binary with capos-rt's linker script (static image at
//! USER_IMAGE_BASE, separate R X / R / R W segments).

use std::env;
use std::path::Path;

fn main() {
    // Only the bare-metal build links user images; a host `cargo check` of
    // the workspace must not get the script.
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return;
    }
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let script = Path::new(&manifest_dir).join("../../capos-rt/user.ld");
    println!("cargo:rerun-if-changed={}", script.display());
    println!("cargo:rustc-link-arg-bins=-T{}", script.display());
}
