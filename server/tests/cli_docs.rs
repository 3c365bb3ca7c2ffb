//! `docs/rules.md` and the VS Code extension's `alchemy-ls.rules` setting are generated from
//! the rule catalog; these tests fail when they drift. Regenerate with
//! `UPDATE_DOCS=1 cargo test -p alchemy-ls --test cli_docs`. The section of docs/rules.md between
//! the typings-table markers belongs to the typings kit (`node tests/typings/run.mjs
//! --write-docs`, checked by its `--check-docs`): it is kept as is and left out of the comparison.

use std::path::Path;

use alchemy_ls::catalog::{RULES, rules_markdown, vscode_rules_setting};

const TYPINGS_START: &str = "<!-- typings-table:start -->";
const TYPINGS_END: &str = "<!-- typings-table:end -->";

/// `doc` without the typings kit's section, and that section (with its trailing newline).
fn split_typings(doc: &str) -> (String, Option<&str>) {
    match (doc.find(TYPINGS_START), doc.find(TYPINGS_END)) {
        (Some(start), Some(end)) if end > start => {
            let mut end = end + TYPINGS_END.len();
            if doc[end..].starts_with('\n') {
                end += 1;
            }
            let rest = format!("{}\n{}", doc[..start].trim_end_matches('\n'), &doc[end..]);
            (rest, Some(&doc[start..end]))
        }
        _ => (doc.to_string(), None),
    }
}

#[test]
fn rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let expected = rules_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let existing = std::fs::read_to_string(&path).unwrap_or_default();
        let section = split_typings(&existing).1.map(|s| format!("\n{s}"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{expected}{}", section.unwrap_or_default())).unwrap();
    }
    let full = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let (actual, _) = split_typings(&full);
    // Every rule has its own `## <id>` section (the anchor the SARIF helpUri points at) with
    // the catalog's severity and summary.
    for r in RULES {
        let section = actual
            .split("\n## ")
            .find(|s| s.starts_with(&format!("{}\n", r.id)))
            .unwrap_or_else(|| panic!("docs/rules.md has no `## {}` section", r.id));
        assert!(
            section.contains(&format!("**Default severity:** {}.", r.default_severity.as_str())),
            "{}: severity",
            r.id
        );
        assert!(
            section.to_lowercase().contains(&r.summary.to_lowercase()),
            "{}: summary",
            r.id
        );
    }
    assert!(
        actual == expected,
        "docs/rules.md is out of date; run `UPDATE_DOCS=1 cargo test -p alchemy-ls --test cli_docs`"
    );
}

/// The `"alchemy-ls.rules": { … }` property of `package.json`: (start, end) byte offsets of
/// its value, found by its 8-space indentation (the file is `JSON.stringify(…, null, 2)`).
fn rules_setting_range(text: &str) -> (usize, usize) {
    let key = "        \"alchemy-ls.rules\": ";
    let start = text
        .find(key)
        .expect("package.json has an alchemy-ls.rules setting")
        + key.len();
    let close = text[start..]
        .find("\n        }")
        .expect("the setting's closing brace")
        + start
        + "\n        }".len();
    (start, close)
}

#[test]
fn vscode_rules_setting_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/vscode/package.json");
    let text = std::fs::read_to_string(&path).unwrap().replace("\r\n", "\n");
    let (start, end) = rules_setting_range(&text);
    let pretty = serde_json::to_string_pretty(&vscode_rules_setting()).unwrap();
    let expected = pretty.replace('\n', "\n        ");
    if std::env::var_os("UPDATE_DOCS").is_some() && text[start..end] != expected {
        let updated = format!("{}{}{}", &text[..start], expected, &text[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    let actual: serde_json::Value = serde_json::from_str(&text[start..end]).expect("the setting is JSON");
    let ids: Vec<&str> = actual["properties"]
        .as_object()
        .expect("one property per rule")
        .keys()
        .map(String::as_str)
        .collect();
    let mut want: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    want.sort();
    assert_eq!(ids, want, "package.json lists other rules than the catalog");
    assert!(
        text[start..end] == expected,
        "editors/vscode/package.json's alchemy-ls.rules is out of date; run `UPDATE_DOCS=1 cargo test -p alchemy-ls --test cli_docs`"
    );
}
