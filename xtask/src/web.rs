//! Builds the browser app into dist/ with Trunk, fully offline.

use crate::proc::{cmd, run};

pub fn build() -> Result<(), String> {
    run(cmd("cargo", &["fetch"]))?;
    // `--offline` after `build`: `trunk --offline build` is a different flag and still
    // reaches for the network.
    let mut c = cmd("trunk", &["build", "--release", "--offline"]);
    c.env("TRUNK_SKIP_VERSION_CHECK", "true");
    run(c)?;
    // Pre-compressed copies at maximum quality; the server prefers them.
    run(cmd("node", &["tools/precompress.mjs", "dist"]))
}
