//! Module resolution and Alchemy version detection, data-driven: each
//! `fixtures/resolve/<name>.txt` is a multi-file fixture (see `common/fixture.rs`) plus sections
//! `//- @cases` (`<from> <specifier>` per line; `<root>` expands to the fixture root),
//! `//- @versions` (`<from>` per line), `//- @symlinks` (`<link> -> <target>`) and `//- @roots`
//! (resolver roots, default the fixture root). The snapshot is the resulting table with paths
//! relative to the fixture root, plus the config problems.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::path::Path;

use alchemy_ls_project::resolve::{AlchemyVersion, Resolution, Resolver};
use common::fixture::{Fixture, parse_fixture};

#[derive(Default)]
struct Sections {
    files: Vec<(String, String)>,
    cases: Vec<(String, String)>,
    versions: Vec<String>,
    symlinks: Vec<(String, String)>,
    roots: Vec<String>,
}

fn lines(content: &str) -> impl Iterator<Item = &str> {
    content
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn sections(text: &str) -> Sections {
    let mut s = Sections::default();
    for (path, content) in parse_fixture(text) {
        match path.as_str() {
            "@cases" => {
                for line in lines(&content) {
                    let (from, spec) = line.split_once(' ').expect("`<from> <specifier>`");
                    s.cases.push((from.to_string(), spec.trim().to_string()));
                }
            }
            "@versions" => s.versions.extend(lines(&content).map(String::from)),
            "@symlinks" => {
                for line in lines(&content) {
                    let (link, target) = line.split_once(" -> ").expect("`<link> -> <target>`");
                    s.symlinks.push((link.to_string(), target.to_string()));
                }
            }
            "@roots" => s.roots.extend(lines(&content).map(String::from)),
            _ => s.files.push((path, content)),
        }
    }
    s
}

fn render(fx: &Fixture, r: &Resolution) -> String {
    match r {
        Resolution::File(path) => format!("file {}", fx.rel(path)),
        Resolution::External { package } => format!("external {package}"),
        Resolution::NotFound { reason } => format!("not found ({reason})"),
    }
}

fn setup(text: &str) -> (Fixture, Sections, Resolver) {
    let s = sections(text);
    let fx = Fixture::from_files(&s.files);
    for (link, target) in &s.symlinks {
        let link = fx.path(link);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, &link).expect("create symlink");
    }
    let roots = if s.roots.is_empty() {
        vec![fx.root.clone()]
    } else {
        s.roots.iter().map(|r| fx.path(r)).collect()
    };
    let resolver = Resolver::new(roots);
    (fx, s, resolver)
}

/// Resolve every case and version; the table to snapshot.
fn run(text: &str) -> String {
    let (fx, s, resolver) = setup(text);
    let root = fx.root.to_str().unwrap().to_string();
    let mut out = String::new();
    for (from, spec) in &s.cases {
        let r = resolver.resolve(&fx.path(from), &spec.replace("<root>", &root));
        writeln!(out, "{from}: {spec} -> {}", render(&fx, &r)).unwrap();
    }
    for from in &s.versions {
        let v = resolver.alchemy_version(&fx.path(from));
        writeln!(
            out,
            "{from}: alchemy {}",
            v.map_or("unknown".to_string(), |v| v.to_string())
        )
        .unwrap();
    }
    let problems = resolver.config_problems();
    if !problems.is_empty() {
        writeln!(out, "config problems:").unwrap();
        for (path, message) in problems {
            writeln!(out, "  {}: {message}", fx.rel(&path)).unwrap();
        }
    }
    assert!(!out.is_empty(), "fixture has no cases");
    out
}

macro_rules! fixture_tests {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let text = include_str!(concat!("fixtures/resolve/", stringify!($name), ".txt"));
            let table = run(text);
            insta::with_settings!({
                snapshot_path => "fixtures/resolve/snapshots",
                prepend_module_to_snapshot => false,
                description => text.lines().take_while(|l| !l.starts_with("//- ")).collect::<Vec<_>>().join(" "),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(stringify!($name), table);
            });
        }
    )*};
}

fixture_tests!(
    relative,
    tsconfig_extends_chain,
    tsconfig_extends_array,
    tsconfig_base_url,
    tsconfig_references,
    tsconfig_config_dir,
    workspaces_bun,
    workspaces_object_form,
    workspaces_pnpm,
    package_imports,
    symlinks,
    versions,
);

#[test]
fn resolver_is_send_and_sync_and_agrees_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Resolver>();
    let (fx, s, resolver) = setup(include_str!("fixtures/resolve/workspaces_bun.txt"));
    let expected: Vec<Resolution> = s
        .cases
        .iter()
        .map(|(f, spec)| resolver.resolve(&fx.path(f), spec))
        .collect();
    let fresh = Resolver::new(vec![fx.root.clone()]);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    s.cases
                        .iter()
                        .map(|(f, spec)| fresh.resolve(&fx.path(f), spec))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), expected);
        }
    });
}

#[test]
fn invalidate_rereads_changed_configs() {
    let fx = Fixture::new(
        r#"
        //- tsconfig.json
        { "compilerOptions": { "paths": { "@/*": ["./old/*"] } } }
        //- old/x.ts
        //- new/x.ts
        //- src/main.ts
        "#,
    );
    let resolver = Resolver::new(vec![fx.root.clone()]);
    let from = fx.path("src/main.ts");
    assert_eq!(
        resolver.resolve(&from, "@/x"),
        Resolution::File(fx.path("old/x.ts"))
    );
    std::fs::write(
        fx.path("tsconfig.json"),
        r#"{ "compilerOptions": { "paths": { "@/*": ["./new/*"] } } "#,
    )
    .unwrap();
    // Cached until invalidated.
    assert_eq!(
        resolver.resolve(&from, "@/x"),
        Resolution::File(fx.path("old/x.ts"))
    );
    resolver.invalidate();
    // Now invalid JSON: reported, and resolution goes on without the config.
    assert!(matches!(
        resolver.resolve(&from, "@/x"),
        Resolution::NotFound { .. }
    ));
    let problems = resolver.config_problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, fx.path("tsconfig.json"));
    assert!(problems[0].1.contains("line 1"), "{}", problems[0].1);
    std::fs::write(
        fx.path("tsconfig.json"),
        r#"{ "compilerOptions": { "paths": { "@/*": ["./new/*"] } } }"#,
    )
    .unwrap();
    resolver.invalidate();
    assert_eq!(
        resolver.resolve(&from, "@/x"),
        Resolution::File(fx.path("new/x.ts"))
    );
    assert!(resolver.config_problems().is_empty());
}

#[test]
fn version_ordering_for_deprecated_api() {
    let v = |s: &str| AlchemyVersion::parse(s).unwrap();
    assert!(v("2.0.0-beta.58") < v("2.0.0-beta.59"));
    assert!(v("2.0.0-beta.9") < v("2.0.0-beta.10"));
    assert!(v("2.0.0-beta.79") < v("2.0.0"));
    assert!(v("2.0.0") < v("2.1.0-beta.1"));
    assert_eq!(AlchemyVersion::parse("2.0.0-beta.cli-platform-split"), None);
    assert_eq!(
        v("2.0.0-beta.49"),
        AlchemyVersion {
            major: 2,
            minor: 0,
            patch: 0,
            beta: Some(49)
        }
    );
}

#[test]
fn never_panics_on_odd_specifiers() {
    let fx =
        Fixture::new("//- src/a.ts\n//- package.json\n{ \"imports\": 5, \"exports\": [1, {\"x\": null}] }\n");
    let resolver = Resolver::new(vec![fx.root.clone()]);
    let from = fx.path("src/a.ts");
    for spec in [
        "", "@", "@/", "/", "#", "#/x", "..", "./", "a//b", "@a/", "\0", "é/ü", "./\u{7f}", "node:",
    ] {
        let _ = resolver.resolve(&from, spec);
    }
    let _ = resolver.resolve(Path::new("/"), "./x");
    let _ = resolver.resolve(Path::new(""), "x");
    let _ = resolver.alchemy_version(Path::new(""));
}
