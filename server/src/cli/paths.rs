//! Paths as the reports show them: relative to the base directory, with forward slashes.

use std::path::{Path, PathBuf};

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

pub use crate::display_path::relative;

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
