//! Paths as people read them: relative to a base directory, with forward slashes (the CLI's
//! reports, the graph's resource ids).

use std::path::{Component, Path};

/// `path` relative to `base`, with forward slashes; `..` segments when it lies outside.
/// Falls back to the path itself when the two share no root (e.g. different drives).
pub fn relative(base: &Path, path: &Path) -> String {
    let base: Vec<Component> = base.components().collect();
    let target: Vec<Component> = path.components().collect();
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    if common == 0 && !base.is_empty() {
        return slashes(path);
    }
    let mut parts: Vec<String> = Vec::new();
    for _ in common..base.len() {
        parts.push("..".to_string());
    }
    for c in &target[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

fn slashes(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
