//! Paths as the reports show them: relative to the base directory, with forward slashes.

use std::path::{Component, Path, PathBuf};

/// The directory report paths are relative to: the first PATH argument if it is a directory,
/// else its parent. Canonicalised when possible (workspace file paths are canonical).
pub fn base_dir(first: &Path) -> PathBuf {
    let canonical = first.canonicalize().unwrap_or_else(|_| first.to_path_buf());
    if canonical.is_dir() {
        canonical
    } else {
        canonical.parent().map(Path::to_path_buf).unwrap_or(canonical)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let base = Path::new("/ws/app");
        assert_eq!(relative(base, Path::new("/ws/app/src/a.ts")), "src/a.ts");
        assert_eq!(relative(base, Path::new("/ws/lib/b.ts")), "../lib/b.ts");
        assert_eq!(relative(base, Path::new("/ws/app")), ".");
    }
}
