//! Development mode stays on the developer's machine: the real binary refuses to serve it
//! on an address other machines can reach.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn dev_mode_refuses_to_listen_on_every_interface() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tessera-server"))
        .arg("serve")
        .env("TESSERA_DATA_DIR", dir.path())
        .env("TESSERA_STATIC_DIR", dir.path())
        .env("TESSERA_ADDR", "0.0.0.0:0")
        .env("TESSERA_DEV", "1")
        .env_remove("TESSERA_DEMO")
        .env_remove("TESSERA_PUBLIC_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("TESSERA_DEV=1") && stderr.contains("loopback"), "{stderr}");
    // Refused before anything was written.
    assert!(!dir.path().join("tessera.db").exists());
}
