//! `alchemy-ls.toml` parsing and validation (fixtures in
//! `tests/fixtures/workspace/config/*.toml`, one snapshot line each), discovery, and editor
//! settings.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::fmt::Write;
use std::path::{Path, PathBuf};

use alchemy_ls_project::config::{self, Config, RuleLevel, apply_settings, rule_ids};
use common::fixture::Fixture;
use serde_json::json;

fn show(result: Result<Config, config::ConfigError>, dir: &Path, name: &str) -> String {
    match result {
        Ok(c) => {
            let rules: Vec<String> = c
                .rules
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str()))
                .collect();
            let baseline = c
                .baseline
                .as_ref()
                .map(|b| format!(" baseline={b:?}"))
                .unwrap_or_default();
            format!(
                "{name}: ok packages={:?} ignore={:?} rules=[{}]{baseline}",
                c.packages,
                c.ignore,
                rules.join(", ")
            )
        }
        Err(e) => {
            let s = e.to_string();
            s.strip_prefix(&format!("{}/", dir.display()))
                .unwrap_or(&s)
                .to_string()
        }
    }
}

#[test]
fn config_fixtures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/workspace/config");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut out = String::new();
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy();
        writeln!(out, "{}", show(config::load_file(path), &dir, &name)).unwrap();
    }
    insta::assert_snapshot!(out);
}

#[test]
fn error_positions_are_one_based_line_and_column() {
    let e = config::parse_str(
        "packages = []\n[rules]\n  bogus = 'off'\n",
        Path::new("/x/alchemy-ls.toml"),
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (3, 3));
    assert_eq!(e.path, Path::new("/x/alchemy-ls.toml"));
    assert_eq!(
        e.to_string(),
        "/x/alchemy-ls.toml:3:3: unknown rule `bogus` (run `alchemy-ls rules` for the list)"
    );
}

#[test]
fn every_rule_id_is_accepted() {
    let text: String = rule_ids().map(|r| format!("{r} = \"info\"\n")).collect();
    let c = config::parse_str(&format!("[rules]\n{text}"), Path::new("a.toml")).unwrap();
    assert_eq!(c.rules.len(), rule_ids().count());
    assert!(c.rules.values().all(|l| *l == RuleLevel::Info));
}

#[test]
fn discover_finds_the_nearest_config_upwards() {
    let fx = Fixture::new(
        "//- alchemy-ls.toml\npackages = ['top']\n//- a/b/c.ts\nexport {};\n//- pkg/alchemy-ls.toml\npackages = ['inner']\n//- pkg/src/x.ts\n",
    );
    let top = config::discover(&fx.path("a/b")).unwrap();
    assert_eq!(
        top.packages,
        [
            "alchemy",
            "@oddlynew/alchemy",
            "alchemy-effect",
            "@alchemy.run/cloudflare",
            "top"
        ]
    );
    assert_eq!(top.source.as_deref(), Some(fx.path("alchemy-ls.toml").as_path()));
    assert_eq!(config::discover(&fx.path("a/b/c.ts")).unwrap().packages[4], "top");
    let inner = config::discover(&fx.path("pkg/src")).unwrap();
    assert_eq!(
        inner.packages,
        [
            "alchemy",
            "@oddlynew/alchemy",
            "alchemy-effect",
            "@alchemy.run/cloudflare",
            "inner"
        ]
    );
    assert_eq!(inner.base_dir(), Some(fx.path("pkg").as_path()));
}

#[test]
fn discover_without_config_gives_defaults_and_reports_invalid_files() {
    let fx = Fixture::new("//- a/x.ts\nexport {};\n");
    // (There is no alchemy-ls.toml above a fresh temporary directory.)
    assert_eq!(config::discover(&fx.path("a")).unwrap(), Config::default());
    std::fs::write(fx.path("alchemy-ls.toml"), "[rules]\nx = 'off'\n").unwrap();
    let e = config::discover(&fx.path("a")).unwrap_err();
    assert_eq!(
        (e.path.clone(), e.line, e.column),
        (fx.path("alchemy-ls.toml"), 2, 1)
    );
}

#[test]
fn alchemy_specifiers() {
    let mut c = Config::default();
    c.packages.push("@acme/alchemy".into());
    for yes in [
        "alchemy",
        "alchemy/Cloudflare",
        "@oddlynew/alchemy/Cloudflare/Workers",
        "@acme/alchemy",
    ] {
        assert!(c.is_alchemy_specifier(yes), "{yes}");
    }
    for no in [
        "alchemy-utils",
        "@oddlynew/alchemyx",
        "./alchemy",
        "effect",
        "@acme/alchemy2",
        "",
    ] {
        assert!(!c.is_alchemy_specifier(no), "{no}");
    }
}

#[test]
fn settings_merge_over_the_file() {
    let base = config::parse_str(
        "packages = ['file']\nignore = ['a/**']\n[rules]\ndeps-too-wide = 'off'\nduplicate-host = 'info'\n",
        Path::new("/w/alchemy-ls.toml"),
    )
    .unwrap();
    let merged = apply_settings(
        &base,
        &json!({
            "rules": { "deps-too-wide": "warning", "unresolved-import": "off" },
            "packages": ["editor", "file"],
            "ignore": ["b/**", "a/**"],
            "trace": { "server": "verbose" }
        }),
    )
    .unwrap();
    assert_eq!(
        merged.packages,
        [
            "alchemy",
            "@oddlynew/alchemy",
            "alchemy-effect",
            "@alchemy.run/cloudflare",
            "file",
            "editor"
        ]
    );
    assert_eq!(merged.ignore, ["a/**", "b/**"]);
    assert_eq!(merged.rule_level("deps-too-wide"), Some(RuleLevel::Warning));
    assert_eq!(merged.rule_level("duplicate-host"), Some(RuleLevel::Info));
    assert_eq!(merged.rule_level("unresolved-import"), Some(RuleLevel::Off));
    assert_eq!(merged.source, base.source);
    assert_eq!(merged.baseline, None);
    let with_base = apply_settings(&base, &json!({ "baseline": " origin/main " })).unwrap();
    assert_eq!(with_base.baseline.as_deref(), Some("origin/main"));
    assert_eq!(apply_settings(&base, &json!(null)).unwrap(), base);
    assert_eq!(
        apply_settings(&base, &json!({ "rules": null, "packages": null })).unwrap(),
        base
    );
}

#[test]
fn invalid_settings() {
    let base = Config::default();
    let cases = [
        json!(["x"]),
        json!({ "rules": ["deps-too-wide"] }),
        json!({ "rules": { "deps-to-wide": "off" } }),
        json!({ "rules": { "deps-too-wide": "loud" } }),
        json!({ "rules": { "deps-too-wide": 2 } }),
        json!({ "packages": "alchemy" }),
        json!({ "packages": [1] }),
        json!({ "packages": [""] }),
        json!({ "ignore": ["src/[z-a]"] }),
        json!({ "ignore": [null] }),
        json!({ "baseline": 1 }),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|c| format!("{c} => {}", apply_settings(&base, c).unwrap_err()))
        .collect();
    insta::assert_snapshot!(out.join("\n"));
}
