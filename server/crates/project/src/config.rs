//! Finding and reading `alchemy-ls.toml` (the configuration model and its parser are
//! `alchemy_ls_core::config`, re-exported here).

use std::path::{Path, PathBuf};

pub use alchemy_ls_core::config::*;

/// The nearest `alchemy-ls.toml` at or above `start` (a directory, or a file's parent).
/// `Ok(Config::default())` if there is none.
pub fn discover(start: &Path) -> Result<Config, ConfigError> {
    match find_config_file(start) {
        Some(path) => load_file(&path),
        None => Ok(Config::default()),
    }
}

/// The path of the nearest `alchemy-ls.toml` at or above `start`.
pub fn find_config_file(start: &Path) -> Option<PathBuf> {
    let start = if start.is_dir() { start } else { start.parent()? };
    let abs;
    let start = if start.is_absolute() {
        start
    } else {
        abs = std::env::current_dir().ok()?.join(start);
        &abs
    };
    start
        .ancestors()
        .map(|dir| dir.join(CONFIG_FILE_NAME))
        .find(|p| p.is_file())
}

pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("cannot read the file: {e}"),
    })?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => parse_str(text, path),
        Err(e) => {
            let at = e.valid_up_to();
            let (line, column) = line_col(&String::from_utf8_lossy(&bytes[..at]), at);
            Err(ConfigError {
                path: path.to_path_buf(),
                line,
                column,
                message: "the file is not valid UTF-8".into(),
            })
        }
    }
}
