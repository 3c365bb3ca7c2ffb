//! `docs/rules.md` is generated from the rule catalog; this test fails when they drift.
//! Regenerate with `UPDATE_DOCS=1 cargo test -p alchemy-ls --test cli_docs`.

use std::path::Path;

use alchemy_ls::catalog::{RULES, rules_markdown};

#[test]
fn rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let expected = rules_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
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
