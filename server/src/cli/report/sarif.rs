//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers.

use std::path::Path;

use serde_json::{Value, json};

use super::{Located, Report};
use crate::analysis::Severity;
use crate::catalog::{self, RULES};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const BASE_ID: &str = "%SRCROOT%";

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            let help_uri = catalog::help_uri(r.id);
            let see = help_uri
                .as_ref()
                .map(|u| format!("\n\nSee {u}"))
                .unwrap_or_default();
            let link = help_uri
                .as_ref()
                .map(|u| format!("\n\n[Documentation]({u})"))
                .unwrap_or_default();
            let mut rule = json!({
                "id": r.id,
                "name": pascal(r.id),
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.description },
                "help": {
                    "text": format!("{}{see}", r.description),
                    "markdown": format!(
                        "{}\n\n**Bad**\n\n```ts\n{}\n```\n\n**Good**\n\n```ts\n{}\n```{link}",
                        r.description, r.bad, r.good
                    ),
                },
                "defaultConfiguration": { "level": level(r.default_severity) },
            });
            if let Some(u) = help_uri {
                rule["helpUri"] = json!(u);
            }
            rule
        })
        .collect();
    let results: Vec<Value> = report
        .items
        .iter()
        .map(|i| {
            let mut result = json!({
                "ruleId": i.rule,
                "level": level(i.severity),
                "message": { "text": i.message },
                "locations": [ { "physicalLocation": physical(&i.at) } ],
            });
            if let Some(index) = RULES.iter().position(|r| r.id == i.rule) {
                result["ruleIndex"] = json!(index);
            }
            if !i.related.is_empty() {
                result["relatedLocations"] = i
                    .related
                    .iter()
                    .enumerate()
                    .map(|(n, r)| {
                        json!({
                            "id": n,
                            "physicalLocation": physical(&r.at),
                            "message": { "text": r.message },
                        })
                    })
                    .collect();
            }
            if !i.fixes.is_empty() {
                result["fixes"] = i
                    .fixes
                    .iter()
                    .map(|f| {
                        // One artifactChange per file, in first-seen order.
                        let mut changes: Vec<(&str, Vec<Value>)> = Vec::new();
                        for e in &f.edits {
                            let replacement = json!({
                                "deletedRegion": region(&e.at),
                                "insertedContent": { "text": e.new_text },
                            });
                            match changes.iter_mut().find(|(p, _)| *p == e.at.path) {
                                Some((_, reps)) => reps.push(replacement),
                                None => changes.push((&e.at.path, vec![replacement])),
                            }
                        }
                        json!({
                            "description": { "text": f.title },
                            "artifactChanges": changes
                                .into_iter()
                                .map(|(path, replacements)| json!({
                                    "artifactLocation": artifact(path),
                                    "replacements": replacements,
                                }))
                                .collect::<Vec<_>>(),
                        })
                    })
                    .collect();
            }
            result
        })
        .collect();
    let mut driver = json!({
        "name": "alchemy-ls",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let Some(u) = catalog::docs_url() {
        driver["informationUri"] = json!(u);
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [ {
            "tool": { "driver": driver },
            "originalUriBaseIds": { BASE_ID: { "uri": dir_uri(report.base) } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        } ],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn physical(at: &Located) -> Value {
    json!({ "artifactLocation": artifact(&at.path), "region": region(at) })
}

fn artifact(path: &str) -> Value {
    json!({ "uri": encode_uri_path(path), "uriBaseId": BASE_ID })
}

/// An empty range is an insertion point (`endColumn == startColumn`), as SARIF defines it.
fn region(at: &Located) -> Value {
    json!({
        "startLine": at.start.line,
        "startColumn": at.start.column,
        "endLine": at.end.line,
        "endColumn": at.end.column,
    })
}

/// `from-non-host` → `FromNonHost` (SARIF's `reportingDescriptor.name`).
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `file:` URI of a directory, with a trailing slash (required for a base URI).
fn dir_uri(dir: &Path) -> String {
    let mut p = dir.to_string_lossy().replace('\\', "/");
    if !p.starts_with('/') {
        p.insert(0, '/'); // Windows: C:/x → /C:/x
    }
    if !p.ends_with('/') {
        p.push('/');
    }
    format!("file://{}", encode_uri_path(&p).replace("%3A", ":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(pascal("from-non-host"), "FromNonHost");
        assert_eq!(encode_uri_path("src/a b#.ts"), "src/a%20b%23.ts");
        assert_eq!(dir_uri(Path::new("/ws/my app")), "file:///ws/my%20app/");
    }
}
