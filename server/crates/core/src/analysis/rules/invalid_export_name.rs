//! `invalid-export-name`: a DO/Workflow name is not a valid exported class name.
//!
//! The name string of D1–D3, R1/R2/R4 and Workflows becomes `export class <name>` in the
//! generated Worker entry, so it must be an identifier, not a reserved word, and not one of
//! the names the entry itself declares.

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::model::Model;
use crate::analysis::resources::Form;

pub const ID: &str = "invalid-export-name";

/// The rule's catalog entry (`alchemy-ls rules invalid-export-name`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a DO/Workflow name is not a valid exported class name",
    description: "The name of a Durable Object or Workflow becomes the name of a class exported by the \
generated Worker entry (`export class <name> ...`). A name that is not a JavaScript identifier, is a \
reserved word, or clashes with a name the entry declares (such as `Effect` or `env`) makes bundling fail. \
Worker ids and non-literal names are not checked.",
    bad: r#"export class Counter extends Cloudflare.DurableObjectNamespace<Counter, {
  increment: () => Effect.Effect<number>;
}>()("my-counter") {}"#,
    good: r#"export class Counter extends Cloudflare.DurableObjectNamespace<Counter, {
  increment: () => Effect.Effect<number>;
}>()("MyCounter") {}"#,
};

/// ECMAScript reserved words (incl. strict-mode ones) and the strict-mode-invalid class
/// binding names `eval`/`arguments`.
const RESERVED: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "let",
    "static",
    "implements",
    "interface",
    "package",
    "private",
    "protected",
    "public",
    "await",
    "eval",
    "arguments",
];

/// Names the generated entry declares itself.
const ENTRY_NAMES: &[&str] = &[
    "Effect",
    "env",
    "DurableObject",
    "WorkerEntrypoint",
    "WorkflowEntrypoint",
    "makeDurableObjectBridge",
    "makeWorkerBridge",
    "makeWorkflowBridge",
    "makeEntrypointLayer",
    "entrypoint",
    "meta",
    "DurableObjectBridge",
    "WorkflowBridgeFn",
];

/// Why a name cannot be an exported class name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    NotIdentifier,
    Reserved,
    EntryName,
}

/// `^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$`
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '$' || c == '_' || unicode_ident::is_xid_start(c) => {}
        _ => return false,
    }
    chars.all(|c| c == '$' || c == '\u{200C}' || c == '\u{200D}' || unicode_ident::is_xid_continue(c))
}

/// The problem with `name` as an exported class name, if any.
pub fn problem(name: &str) -> Option<Problem> {
    if !is_identifier(name) {
        Some(Problem::NotIdentifier)
    } else if RESERVED.contains(&name) {
        Some(Problem::Reserved)
    } else if ENTRY_NAMES.contains(&name) {
        Some(Problem::EntryName)
    } else {
        None
    }
}

/// PascalCase suggestion: split on non-alphanumerics, capitalise each part; `_` before a
/// leading digit; still invalid → append `suffix` (`Object`/`Workflow`).
pub fn pascal_case(name: &str, suffix: &str) -> String {
    let mut out = String::new();
    for part in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || (!c.is_alphabetic() && c.is_numeric()))
    {
        out.insert(0, '_');
    }
    if problem(&out).is_some() {
        out.push_str(suffix);
    }
    if problem(&out).is_some() {
        // e.g. a part made only of characters that cannot start an identifier
        out = format!("_{out}");
    }
    out
}

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for info in &ctx.res.list {
        let (what, suffix) = match info.form {
            Form::DoModular | Form::DoInlineClass | Form::DoInlineValue | Form::RpcDoModular | Form::RpcDoInlineClass | Form::RpcDoInlineValue => ("Durable Object", "Object"),
            Form::WorkflowClass | Form::WorkflowValue => ("Workflow", "Workflow"),
            _ => continue,
        };
        let (Some(name), Some(span)) = (&info.logical_id, info.logical_id_span) else {
            continue;
        };
        let Some(problem) = problem(name) else { continue };
        let suggestion = pascal_case(name, suffix);
        let why = match problem {
            Problem::NotIdentifier => "which is not valid JavaScript".to_string(),
            Problem::Reserved => format!("but {name} is a reserved word"),
            Problem::EntryName => format!("which clashes with the entry's own {name}"),
        };
        let msg = format!(
            "{what} name \"{name}\" becomes the exported class name in the Worker bundle (export class {name} …), {why}; use an identifier such as \"{suggestion}\"."
        );
        let literal = ctx.text(info.file, span);
        let quote = literal
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))
            .unwrap_or('"');
        Diag::new(&META, info.file, span, msg)
            .fix(
                format!("Rename to \"{suggestion}\""),
                vec![TextEdit {
                    file: info.file,
                    span,
                    new_text: format!("{quote}{suggestion}{quote}"),
                }],
            )
            .push(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_identifier("Counter"));
        assert!(is_identifier("$counter_1"));
        assert!(is_identifier("Zähler"));
        assert!(is_identifier("a\u{200C}b"));
        assert!(!is_identifier("my-counter"));
        assert!(!is_identifier("1st"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("my counter"));
    }

    #[test]
    fn problems() {
        assert_eq!(problem("Counter"), None);
        assert_eq!(problem("my-counter"), Some(Problem::NotIdentifier));
        assert_eq!(problem("let"), Some(Problem::Reserved));
        assert_eq!(problem("class"), Some(Problem::Reserved));
        assert_eq!(problem("Effect"), Some(Problem::EntryName));
        assert_eq!(problem("meta"), Some(Problem::EntryName));
    }

    #[test]
    fn pascal() {
        assert_eq!(pascal_case("my-counter", "Object"), "MyCounter");
        assert_eq!(pascal_case("user sessions.v2", "Object"), "UserSessionsV2");
        assert_eq!(pascal_case("1st-room", "Object"), "_1stRoom");
        assert_eq!(pascal_case("let", "Object"), "Let");
        assert_eq!(pascal_case("Effect", "Object"), "EffectObject");
        assert_eq!(pascal_case("notify-flow", "Workflow"), "NotifyFlow");
        assert_eq!(pascal_case("---", "Workflow"), "Workflow");
        assert_eq!(pascal_case("", "Object"), "Object");
        assert_eq!(pascal_case("DurableObject", "Object"), "DurableObjectObject");
        for n in [
            "my-counter",
            "1st-room",
            "let",
            "Effect",
            "",
            "---",
            "a b c",
            "é-x",
        ] {
            assert_eq!(problem(&pascal_case(n, "Object")), None, "{n}");
        }
    }
}
