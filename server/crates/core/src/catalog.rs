//! The rule catalog: every rule's id, default severity, summary, explanation and a bad and a
//! good example. `alchemy-ls rules`, the SARIF rule metadata and `docs/rules.md` all come from
//! here (a test keeps `docs/rules.md` in sync with [`rules_markdown`]).

pub use crate::analysis::rules::RuleMeta;

/// The project's repository: `repository` in the workspace's `Cargo.toml`, the one place to
/// configure it (the npm packages read it from there too).
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Where the rules are documented (`<repository>/blob/main/docs/rules.md`; a rule's anchor is
/// its id), or `None` while [`REPOSITORY`] is not a real address (empty, not `https://`, or a
/// reserved placeholder host such as `example.invalid`). Without it, no link is emitted
/// (SARIF `helpUri`, LSP `codeDescription`): `alchemy-ls rules ID` carries the text itself.
pub fn docs_url() -> Option<String> {
    docs_url_for(REPOSITORY)
}

/// [`docs_url`] for a given repository address.
pub fn docs_url_for(repository: &str) -> Option<String> {
    let rest = repository.strip_prefix("https://")?;
    let host = rest.split('/').next().unwrap_or("").to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or("");
    let placeholder = host.is_empty()
        || !host.contains('.')
        || host == "localhost"
        || ["example", "invalid", "test", "localhost"]
            .iter()
            .any(|tld| host.ends_with(&format!(".{tld}")))
        || ["example.com", "example.org", "example.net"]
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    if placeholder {
        return None;
    }
    Some(format!(
        "{}/blob/main/docs/rules.md",
        repository.trim_end_matches('/')
    ))
}

/// The documentation URL of one rule, when [`docs_url`] is configured.
pub fn help_uri(id: &str) -> Option<String> {
    docs_url().map(|u| format!("{u}#{id}"))
}

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id).copied()
}

/// Every rule, in catalog order (the registry in `analysis::rules`).
pub const RULES: &[&RuleMeta] = crate::analysis::rules::METAS;

/// The `alchemy-ls.rules` setting of the VS Code extension (`editors/vscode/package.json`),
/// generated from [`RULES`]: one property per rule with a severity dropdown, its summary and
/// its default.
pub fn vscode_rules_setting() -> serde_json::Value {
    let levels = ["error", "warning", "info", "off"];
    let mut properties = serde_json::Map::new();
    for r in RULES {
        properties.insert(
            r.id.to_string(),
            serde_json::json!({
                "type": "string",
                "enum": levels,
                "markdownDescription": format!("{} (default: `{}`)", upper_first(r.summary), r.default_severity.as_str()),
            }),
        );
    }
    serde_json::json!({
        "type": "object",
        "default": {},
        "scope": "resource",
        "markdownDescription": "Rule severities, e.g. `{ \"duplicate-host\": \"off\" }`. Merged over `alchemy-ls.toml`; `alchemy-ls rules` lists them.",
        "properties": properties,
        "additionalProperties": false,
    })
}

/// `docs/rules.md`, generated from [`RULES`].
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Rules\n\n\
<!-- Generated from the rule registry (server/crates/core/src/analysis/rules) by `UPDATE_DOCS=1 cargo test -p alchemy-ls --test cli_docs`; \
do not edit by hand. -->\n\n\
Every rule `alchemy-ls` reports, with its default severity. Change a severity or turn a rule off in \
`alchemy-ls.toml` (`[rules]`, e.g. `deps-too-wide = \"error\"` or `\"off\"`); `alchemy-ls rules <id>` \
prints the same explanation in the terminal.\n\n\
| Rule | Default | Summary |\n|---|---|---|\n",
    );
    for r in RULES {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} |\n",
            r.id,
            r.id,
            r.default_severity.as_str(),
            r.summary.replace('|', "\\|")
        ));
    }
    for r in RULES {
        out.push_str(&format!(
            "\n## {}\n\n**Default severity:** {}. {}\n\n{}\n\n**Bad**\n\n```ts\n{}\n```\n\n**Good**\n\n```ts\n{}\n```\n",
            r.id,
            r.default_severity.as_str(),
            upper_first(r.summary),
            r.description,
            r.bad,
            r.good
        ));
    }
    out
}

/// `Text` → `Text`, `a DO` → `A DO`; leaves a leading backtick alone.
fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Severity;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                r.id
            );
            assert!(!r.summary.is_empty() && !r.description.is_empty());
            assert!(
                !r.bad.is_empty() && !r.good.is_empty() && r.bad != r.good,
                "{}",
                r.id
            );
            // descriptions are for users: no internal labels or source paths
            assert!(!r.description.contains("packages/alchemy/src"), "{}", r.id);
            assert!(
                !r.description.contains(" M1") && !r.description.contains("§"),
                "{}",
                r.id
            );
        }
        // the registry and the catalog are one list
        assert_eq!(RULES.len(), crate::analysis::rules::RULES.len());
        for (meta, rule) in RULES.iter().zip(crate::analysis::rules::RULES) {
            assert_eq!(meta.id, rule.meta.id);
        }
    }

    #[test]
    fn lookup() {
        assert_eq!(rule("from-non-host").unwrap().default_severity, Severity::Error);
        assert_eq!(
            rule("unresolved-import").unwrap().default_severity,
            Severity::Info
        );
        assert!(rule("nope").is_none());
        assert_eq!(
            help_uri("deps-too-wide"),
            docs_url().map(|u| format!("{u}#deps-too-wide"))
        );
    }

    #[test]
    fn docs_url_only_for_a_real_repository() {
        assert_eq!(
            docs_url_for("https://github.com/acme/alchemy-ls/").as_deref(),
            Some("https://github.com/acme/alchemy-ls/blob/main/docs/rules.md")
        );
        for placeholder in [
            "",
            "https://example.invalid/alchemy-ls",
            "https://example.com/x",
            "https://docs.example.org/x",
            "http://github.com/acme/alchemy-ls",
            "https://localhost/x",
            "https://intranet/x",
            "not a url",
        ] {
            assert_eq!(docs_url_for(placeholder), None, "{placeholder}");
        }
    }
}
