//! A git revision seen through the work tree (`revision::read`): only what differs from the
//! disk is read from git, in real repositories.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};

use alchemy_ls_project::revision::{Lookup, RevisionFiles, read, resolve_id, upstream_of_head};
use common::git::git;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A repository with one commit ("base") of `files` under `sub`.
fn repo(sub: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    let root = top.join(sub);
    std::fs::create_dir_all(&root).unwrap();
    git(&top, &["init", "-q"]);
    for (p, t) in files {
        write(&root, p, t);
    }
    write(&top, "outside.ts", "export const outside = 1;\n");
    git(&top, &["add", "-A"]);
    git(&top, &["commit", "-q", "-m", "base"]);
    (dir, root)
}

fn content(rev: &RevisionFiles, path: &Path) -> Option<String> {
    match rev.lookup(path) {
        Lookup::Content(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

#[test]
fn only_the_files_that_differ_from_the_work_tree_are_read() {
    let files = [
        ("same.ts", "export const same = 1;\n"),
        ("edited.ts", "export const v = 'base';\n"),
        ("staged.ts", "export const s = 'base';\n"),
        ("deleted.ts", "export const d = 1;\n"),
        ("logo.png", "not read"),
    ];
    let (_keep, root) = repo("", &files);
    write(&root, "edited.ts", "export const v = 'edited, not staged';\n");
    write(&root, "staged.ts", "export const s = 'staged';\n");
    git(&root, &["add", "staged.ts"]);
    std::fs::remove_file(root.join("deleted.ts")).unwrap();
    write(&root, "untracked.ts", "export const u = 1;\n");
    write(&root, "logo.png", "changed");

    let rev = read(&root, "HEAD").unwrap();
    assert!(!rev.empty);
    assert_eq!(rev.lookup(&root.join("same.ts")), Lookup::Disk);
    assert!(rev.has_discovered(&root.join("same.ts")));
    assert_eq!(
        content(&rev, &root.join("edited.ts")).as_deref(),
        Some(files[1].1)
    );
    assert_eq!(
        content(&rev, &root.join("staged.ts")).as_deref(),
        Some(files[2].1)
    );
    assert_eq!(
        content(&rev, &root.join("deleted.ts")).as_deref(),
        Some(files[3].1)
    );
    // not a file the analysis reads: recorded as present, not read
    assert_eq!(content(&rev, &root.join("logo.png")).as_deref(), Some(""));
    // untracked: on disk, not in the revision
    assert!(!rev.has_discovered(&root.join("untracked.ts")));
    assert_eq!(rev.changed_count(), 4);
}

#[test]
fn files_added_after_the_revision_are_absent_from_it() {
    let (_keep, root) = repo("", &[("a.ts", "export const a = 1;\n")]);
    write(&root, "b.ts", "export const b = 1;\n");
    git(&root, &["add", "b.ts"]);
    git(&root, &["commit", "-q", "-m", "add b"]);
    let rev = read(&root, "HEAD~1").unwrap();
    assert_eq!(rev.lookup(&root.join("b.ts")), Lookup::Absent);
    assert!(!rev.has_discovered(&root.join("b.ts")));
    assert_eq!(rev.lookup(&root.join("a.ts")), Lookup::Disk);
    let head = read(&root, "HEAD").unwrap();
    assert_eq!(head.changed_count(), 0);
    assert_eq!(resolve_id(&root, "HEAD"), Some(head.id.clone()));
    assert_ne!(rev.id, head.id);
}

#[test]
fn a_root_in_a_subdirectory_sees_only_its_files() {
    let (_keep, root) = repo("apps/web", &[("src/w.ts", "export const w = 1;\n")]);
    write(&root, "src/w.ts", "export const w = 2;\n");
    let rev = read(&root, "HEAD").unwrap();
    assert_eq!(
        content(&rev, &root.join("src/w.ts")).as_deref(),
        Some("export const w = 1;\n")
    );
    assert!(rev.changed_files().all(|(p, _)| p.starts_with(&root)));
    // files outside the root are not the revision's business
    assert!(rev.has_discovered(&root.parent().unwrap().join("outside.ts")));
}

#[test]
fn a_revision_before_the_project_existed_is_empty() {
    let (_keep, top) = repo("", &[("README.md", "hello\n")]);
    write(&top, "proj/a.ts", "export const a = 1;\n");
    git(&top, &["add", "-A"]);
    git(&top, &["commit", "-q", "-m", "project"]);
    let rev = read(&top.join("proj"), "HEAD~1").unwrap();
    assert!(rev.empty);
    assert!(!rev.has_discovered(&top.join("proj/a.ts")));
}

#[test]
fn errors_name_the_problem() {
    let (_keep, root) = repo("", &[("a.ts", "export const a = 1;\n")]);
    let e = read(&root, "no-such-branch").unwrap_err();
    assert!(e.contains("\"no-such-branch\" not found"), "{e}");
    let plain = tempfile::tempdir().unwrap();
    let e = read(plain.path(), "HEAD").unwrap_err();
    assert!(e.contains("not inside a git repository"), "{e}");
    assert_eq!(upstream_of_head(&root), None);
}
