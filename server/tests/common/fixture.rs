//! Multi-file text fixtures materialised into a temporary directory.
//!
//! ```text
//! //- /package.json
//! { "name": "x" }
//! //- src/a.ts
//! export const a = 1;
//! //- src/empty-dir/
//! ```
//! A line starting with `//- ` (after the header's own indentation) opens a file; the path may
//! start with `/`; a path ending in `/` creates an empty directory. Content lines lose the
//! header's indentation. Text before the first header is ignored.

use std::path::{Path, PathBuf};

/// `(path, content)` pairs of a fixture text, in order.
pub fn parse_fixture(text: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut indent = 0;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(path) = trimmed.strip_prefix("//- ") {
            indent = line.len() - trimmed.len();
            files.push((path.trim().trim_start_matches('/').to_string(), String::new()));
        } else if let Some((_, content)) = files.last_mut() {
            let cut = line.len() - line.trim_start().len();
            content.push_str(&line[cut.min(indent)..]);
            content.push('\n');
        }
    }
    files
}

/// A fixture written to a fresh temporary directory (removed on drop).
pub struct Fixture {
    _dir: tempfile::TempDir,
    /// Canonical root directory.
    pub root: PathBuf,
}

impl Fixture {
    /// Parse and write `text` (see the module docs).
    pub fn new(text: &str) -> Fixture {
        Fixture::from_files(&parse_fixture(text))
    }

    pub fn from_files(files: &[(String, String)]) -> Fixture {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let root = std::fs::canonicalize(dir.path()).expect("canonical temporary directory");
        for (path, content) in files {
            let full = root.join(path);
            if path.ends_with('/') {
                std::fs::create_dir_all(&full).expect("create fixture directory");
                continue;
            }
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).expect("create fixture directory");
            }
            std::fs::write(&full, content).expect("write fixture file");
        }
        Fixture { _dir: dir, root }
    }

    /// The absolute path of a fixture-relative path.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel.trim_start_matches('/'))
    }

    /// `path` relative to the root (`/`-separated), or the path itself if outside.
    pub fn rel(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root) {
            Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
            Err(_) => path.display().to_string(),
        }
    }
}

/// The byte offset of 1-based `line`:`column` (columns in Unicode scalar values) in `text`.
#[allow(dead_code)]
pub fn offset_of(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            return offset
                + l.char_indices()
                    .nth(column as usize - 1)
                    .map(|(b, _)| b)
                    .unwrap_or(l.len());
        }
        offset += l.len();
    }
    text.len()
}

/// A rule's fixture directory needs a triggering and a clean (`clean*`) case.
pub fn needs_both(rule_dir: &Path) {
    let stems: Vec<String> = std::fs::read_dir(rule_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        stems.iter().any(|s| s.starts_with("clean")) && stems.iter().any(|s| !s.starts_with("clean")),
        "{}: needs a triggering and a clean case",
        rule_dir.display()
    );
}

/// Files of one revision: (path, content).
pub type Files = Vec<(String, String)>;

/// The two revisions of a deploy-impact fixture (`server/tests/fixtures/impact/<rule>/<case>.txt`;
/// for the `alchemy-ls` crate's tests):
/// (shared + `base/` files, shared + `head/` files), prefixes removed.
pub fn impact_revisions(case: &str) -> (Files, Files) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/impact")
        .join(case);
    let (mut base, mut head) = (Vec::new(), Vec::new());
    for (p, c) in parse_fixture(&std::fs::read_to_string(path).unwrap()) {
        match (p.strip_prefix("base/"), p.strip_prefix("head/")) {
            (Some(rest), _) => base.push((rest.to_string(), c)),
            (_, Some(rest)) => head.push((rest.to_string(), c)),
            _ => {
                base.push((p.clone(), c.clone()));
                head.push((p, c));
            }
        }
    }
    (base, head)
}

/// Write `files` (relative paths) under `root`, creating directories.
pub fn write_files(root: &Path, files: &[(String, String)]) {
    for (p, c) in files {
        let full = root.join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, c).unwrap();
    }
}

/// Every fixture text under `server/tests/fixtures`, sorted.
pub fn fixture_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read fixtures").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txt") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The bundled example workspaces (`examples/*`), sorted.
pub fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read examples")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}
