//! The one path identity: every file is known by its canonical path (symlinks resolved), also
//! a file that does not exist (yet): an unsaved document, a deleted file, a specifier's
//! candidate.

use std::path::{Component, Path, PathBuf};

/// The canonical form of `path`: resolved through the file system when it exists; otherwise
/// its longest existing ancestor resolved, with the rest appended (`.` and `..` in the rest
/// applied lexically). Never fails: a path with no existing ancestor is returned as given.
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let mut tail: Vec<Component> = Vec::new();
    let mut cur = path;
    while let Some(parent) = cur.parent() {
        if let Some(last) = cur.components().next_back() {
            tail.push(last);
        }
        if let Ok(mut p) = std::fs::canonicalize(parent) {
            for c in tail.iter().rev() {
                match c {
                    Component::CurDir => {}
                    Component::ParentDir => {
                        p.pop();
                    }
                    other => p.push(other.as_os_str()),
                }
            }
            return p;
        }
        cur = parent;
    }
    path.to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_paths_keep_their_resolved_ancestor() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().canonicalize().unwrap().join("real");
        std::fs::create_dir_all(real.join("sub")).unwrap();
        std::fs::write(real.join("sub/a.ts"), "").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        // existing: through the link, the real path
        assert_eq!(canonical(&link.join("sub/a.ts")), real.join("sub/a.ts"));
        // missing file, missing directories below an existing one
        assert_eq!(canonical(&link.join("sub/new.ts")), real.join("sub/new.ts"));
        assert_eq!(canonical(&link.join("x/y/z.ts")), real.join("x/y/z.ts"));
        assert_eq!(canonical(&link.join("x/../sub/b.ts")), real.join("sub/b.ts"));
        // nothing exists: as given
        assert_eq!(canonical(Path::new("relative/x.ts")), Path::new("relative/x.ts"));
    }
}
