//! Where things are: the workspace root, the target directory, the `alchemy-ls` binary and
//! the cache of generated workspaces.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The cargo workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `$CARGO_TARGET_DIR`, else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                workspace_root().join(d)
            }
        }
        _ => workspace_root().join("target"),
    }
}

/// Generated workspaces are cached here, one directory per size and generator version.
pub fn workspace_cache(size: &str) -> PathBuf {
    target_dir()
        .join("bench-workspaces")
        .join(format!("{size}-v{}", crate::synth::GENERATOR_VERSION))
}

/// Build `alchemy-ls` in `profile` ("release" or "debug") and return the binary's path.
pub fn build_binary(profile: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root())
        .args(["build", "--quiet", "-p", "alchemy-ls", "--bin", "alchemy-ls"]);
    if profile == "release" {
        cmd.arg("--release");
    }
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build -p alchemy-ls failed ({status})"));
    }
    let bin = target_dir().join(profile).join(binary_name());
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!("{} was not built", bin.display()))
    }
}

pub fn binary_name() -> &'static str {
    if cfg!(windows) {
        "alchemy-ls.exe"
    } else {
        "alchemy-ls"
    }
}
