//! The workspaces sessions start from: the examples, the multi-file rule fixtures of the
//! server's tests, and a generated bench workspace.

use std::path::{Path, PathBuf};

/// A workspace as files (relative path, content).
#[derive(Clone, Debug)]
pub struct Workspace {
    pub name: String,
    pub files: Vec<(String, String)>,
}

impl Workspace {
    /// Write the files under `dir`.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        for (rel, text) in &self.files {
            let p = dir.join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(p, text)?;
        }
        Ok(())
    }

    /// The TypeScript sources (what sessions open and edit).
    pub fn sources(&self) -> Vec<&str> {
        self.files
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| is_source(p))
            .collect()
    }

    pub fn text(&self, rel: &str) -> Option<&str> {
        self.files.iter().find(|(p, _)| p == rel).map(|(_, t)| t.as_str())
    }
}

pub fn is_source(rel: &str) -> bool {
    (rel.ends_with(".ts") || rel.ends_with(".tsx")) && !rel.ends_with(".d.ts")
}

/// The repository root (this crate is `tests/oracle`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_tree(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "node_modules") {
                continue;
            }
            read_tree(base, &p, out);
        } else if let Ok(text) = std::fs::read_to_string(&p)
            && let Ok(rel) = p.strip_prefix(base)
        {
            out.push((rel.to_string_lossy().replace('\\', "/"), text));
        }
    }
}

/// Every directory of `examples/`.
pub fn examples() -> Vec<Workspace> {
    let dir = repo_root().join("examples");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    names.sort();
    names
        .into_iter()
        .map(|d| {
            let mut files = Vec::new();
            read_tree(&d, &d, &mut files);
            Workspace {
                name: format!("examples/{}", d.file_name().unwrap_or_default().to_string_lossy()),
                files,
            }
        })
        .collect()
}

/// `(path, content)` pairs of a multi-file fixture text (`//- path` headers, as the server's
/// tests write them).
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
    files.retain(|(p, _)| !p.ends_with('/'));
    files
}

/// The rule fixtures (`server/tests/fixtures/{rules,rules_core}/<rule>/*.txt`), those with
/// at least one source.
pub fn rule_fixtures() -> Vec<Workspace> {
    let mut out = Vec::new();
    for group in ["rules", "rules_core"] {
        let dir = repo_root().join("server/tests/fixtures").join(group);
        let mut files = Vec::new();
        read_tree(&dir, &dir, &mut files);
        for (rel, text) in files {
            if !rel.ends_with(".txt") {
                continue;
            }
            let files = parse_fixture(&text);
            if files.iter().any(|(p, _)| is_source(p)) {
                out.push(Workspace {
                    name: format!("{group}/{rel}"),
                    files,
                });
            }
        }
    }
    out
}

/// The `mini` bench workspace (about 300 files), generated.
pub fn bench_mini() -> Result<Workspace, String> {
    let spec = alchemy_ls_bench::synth::spec("mini").ok_or("no mini spec")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    alchemy_ls_bench::synth::generate(&spec, dir.path()).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    read_tree(dir.path(), dir.path(), &mut files);
    Ok(Workspace {
        name: "bench/mini".to_string(),
        files,
    })
}
