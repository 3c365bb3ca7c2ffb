//! Workspace loading: discovery, prefilter, on-demand loading and the resolution table,
//! driven by the fixtures in `tests/fixtures/workspace/*.txt` (one snapshot each).
//! A fixture named `*.no-ignore.txt` is loaded with `--no-ignore`.

#[path = "../../../tests/common/mod.rs"]
mod common;
#[path = "workspace_summary.rs"]
mod workspace_summary;

use std::path::PathBuf;
use std::sync::Arc;

use alchemy_ls_project::config;
use alchemy_ls_project::workspace::{LoadOptions, load};
use common::fixture::Fixture;
use workspace_summary::{file_list, summary};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/workspace")
}

#[test]
fn fixtures() {
    let mut names: Vec<_> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "fixtures missing: {names:?}");
    for path in names {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let fx = Fixture::new(&text);
        let cfg = config::discover(&fx.root).unwrap_or_else(|e| panic!("{name}: {e}"));
        let opts = LoadOptions {
            no_ignore: name.ends_with(".no-ignore"),
        };
        let ws = load(std::slice::from_ref(&fx.root), Arc::new(cfg), &opts).unwrap();
        assert_eq!(ws.roots, vec![fx.root.clone()]);
        insta::assert_snapshot!(name.clone(), summary(&ws, &fx.root));
    }
}

#[test]
fn missing_path_is_an_error() {
    let fx = Fixture::new("//- a.ts\nimport 'alchemy';\n");
    let err = load(&[fx.path("nope")], Arc::default(), &LoadOptions::default()).unwrap_err();
    assert!(
        err.message.ends_with("nope: no such file or directory"),
        "{}",
        err.message
    );
}

#[test]
fn single_file_path_is_always_a_root() {
    let fx = Fixture::new(
        "//- src/main.ts\nimport { x } from './util.ts';\n//- src/util.ts\nexport const x = 1;\n//- src/other.ts\nimport 'alchemy';\n",
    );
    let ws = load(&[fx.path("src/main.ts")], Arc::default(), &LoadOptions::default()).unwrap();
    assert_eq!(file_list(&ws, &fx.root), ["*src/main.ts", "src/util.ts"]);
    assert_eq!(ws.roots, vec![fx.path("src")]);
}

#[test]
fn several_paths_and_overlapping_roots() {
    let fx = Fixture::new(
        "//- a/x.ts\nimport 'alchemy';\n//- b/y.ts\nimport 'alchemy';\n//- c/z.ts\nimport 'alchemy';\n",
    );
    let ws = load(
        &[fx.path("a"), fx.path("b"), fx.root.clone()],
        Arc::default(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(file_list(&ws, &fx.root), ["*a/x.ts", "*b/y.ts", "*c/z.ts"]);
}

#[test]
fn configured_packages_extend_the_prefilter() {
    let fx = Fixture::new(
        "//- a.ts\nimport * as C from '@acme/alchemy/Cloudflare';\n//- b.ts\nimport 'alchemy';\n",
    );
    let ws = load(
        std::slice::from_ref(&fx.root),
        Arc::default(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(file_list(&ws, &fx.root), ["*b.ts"]);
    let cfg = config::parse_str("packages = ['@acme/alchemy']", &fx.path("alchemy-ls.toml")).unwrap();
    let ws = load(
        std::slice::from_ref(&fx.root),
        Arc::new(cfg),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(file_list(&ws, &fx.root), ["*a.ts", "*b.ts"]);
    let a = ws.file(ws.file_id(&fx.path("a.ts")).unwrap());
    assert_eq!(
        a.imports,
        [alchemy_ls_project::workspace::Resolved::External {
            specifier: "@acme/alchemy/Cloudflare".into()
        }]
    );
}

#[test]
fn invalid_utf8_is_decoded_lossily_and_reported() {
    let fx = Fixture::new("//- ok.ts\nimport 'alchemy';\n");
    std::fs::write(fx.path("bad.ts"), b"import 'alchemy';\nconst s = \"\xff\xfe\";\n").unwrap();
    let ws = load(
        std::slice::from_ref(&fx.root),
        Arc::default(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(file_list(&ws, &fx.root), ["*bad.ts", "*ok.ts"]);
    let bad = ws.file(ws.file_id(&fx.path("bad.ts")).unwrap());
    assert!(bad.text.contains('\u{FFFD}'));
    assert_eq!(bad.facts.imports.len(), 1);
    assert_eq!(
        ws.problems,
        [(
            fx.path("bad.ts"),
            "the file is not valid UTF-8; invalid bytes were replaced".to_string()
        )]
    );
}

#[test]
fn too_large_files_are_not_parsed() {
    let fx = Fixture::new("//- ok.ts\nimport 'alchemy';\nimport { big } from './big.ts';\n");
    // big.ts mentions Alchemy, but over the size limit it is not even read: never a root, and
    // imports of it resolve to an opaque module (docs/reliability.md, round 2 finding 6).
    let mut big = String::from("import 'alchemy';\nexport const big = 1;\n");
    while big.len() <= alchemy_grammar::MAX_PARSE_BYTES {
        big.push_str("// padding padding padding padding padding padding padding padding\n");
    }
    std::fs::write(fx.path("big.ts"), big).unwrap();
    let ws = load(
        std::slice::from_ref(&fx.root),
        Arc::default(),
        &LoadOptions::default(),
    )
    .unwrap();
    insta::assert_snapshot!(summary(&ws, &fx.root), @r#"
    root ok.ts
      import "alchemy" -> external alchemy
      import "./big.ts" -> opaque big.ts
    problem big.ts: file too large to analyse (2.0 MB, the limit is 2 MB); its resources are not checked
    "#);
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_problems_not_errors() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new("//- ok.ts\nimport 'alchemy';\n//- locked.ts\nimport 'alchemy';\n");
    let locked = fx.path("locked.ts");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        return; // running as root: permissions are not enforced
    }
    let ws = load(
        std::slice::from_ref(&fx.root),
        Arc::default(),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(file_list(&ws, &fx.root), ["*ok.ts"]);
    assert_eq!(
        ws.problems,
        [(locked, "cannot read the file: permission denied".to_string())]
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = Fixture::new("//- secret.ts\nimport 'alchemy';\n");
    let fx = Fixture::new("//- src/a.ts\nimport 'alchemy';\n");
    // A loop, a link to an ancestor, a link outside the workspace, a file link.
    symlink(fx.path("src"), fx.path("src/loop")).unwrap();
    symlink(&fx.root, fx.path("src/up")).unwrap();
    symlink(&outside.root, fx.path("outside")).unwrap();
    symlink(fx.path("src/a.ts"), fx.path("link.ts")).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let root = fx.root.clone();
    std::thread::spawn(move || {
        let ws = load(&[root], Arc::default(), &LoadOptions::default()).unwrap();
        tx.send(ws).unwrap();
    });
    let ws = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("loading hangs on a symlink loop");
    assert_eq!(file_list(&ws, &fx.root), ["*src/a.ts"]);
}
