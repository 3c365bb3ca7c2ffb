//! A deployed revision for `check --baseline-dir`: a copy of a generated workspace (hard links
//! where the file system allows, so that ws50k's copy costs no space) in which the editor
//! target's Durable Object still had its former name string. Against it, the workspace
//! renames that DO: `check` must report exactly one `do-renamed` on top of the planted
//! findings, on sizes whose stacks deploy only their own hosts.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::synth::{Manifest, Spec};

/// The rule the planted rename triggers.
pub const RULE: &str = "do-renamed";

/// Whether `spec`'s workspace gets a planted baseline (with stacks that deploy other stacks'
/// hosts, one rename is reported once per deploying stack).
pub fn applies(spec: &Spec) -> bool {
    !spec.cross_stack
}

/// The editor target's Durable Object file, relative to the root.
fn do_file(m: &Manifest) -> Option<String> {
    let (app, _) = m.lsp.host_file.rsplit_once("/src/")?;
    Some(format!("{app}/src/objects/{}.ts", m.lsp.do_class))
}

/// Writes the baseline of the workspace at `root` beside it (`<root>.baseline`, replaced) and
/// returns its directory and the counts `check ROOT --baseline-dir DIR` must report.
pub fn plant(root: &Path, m: &Manifest) -> io::Result<(PathBuf, BTreeMap<String, usize>)> {
    let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    // made absolute first: a relative `.` has no name to extend
    let root = &root.canonicalize()?;
    let name = root
        .file_name()
        .ok_or_else(|| bad(format!("{}: no name", root.display())))?;
    let out = &root.with_file_name(format!("{}.baseline", name.to_string_lossy()));
    let rel = do_file(m).ok_or_else(|| bad(format!("no app directory in {}", m.lsp.host_file)))?;
    let text = std::fs::read_to_string(root.join(&rel))?;
    let id = format!("(\"{}\")", m.lsp.do_class);
    if text.matches(&id).count() != 1 {
        return Err(bad(format!(
            "{rel}: the name string {id} is not there exactly once"
        )));
    }
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    link_tree(root, out)?;
    let target = out.join(&rel);
    std::fs::remove_file(&target)?; // a hard link: never write through it
    std::fs::write(&target, text.replace(&id, &format!("(\"{}V1\")", m.lsp.do_class)))?;
    let mut expected = m.expected.clone();
    *expected.entry(RULE.to_string()).or_default() += 1;
    Ok((out.clone(), expected))
}

/// `from`'s tree recreated at `to`: directories made, files hard-linked (copied where links
/// are refused).
fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            link_tree(&src, &dst)?;
        } else if kind.is_file() && std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}
