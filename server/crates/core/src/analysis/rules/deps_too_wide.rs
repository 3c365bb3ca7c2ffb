//! `deps-too-wide`: Deps is `any`/`unknown`/`{}`/tuple/`typeof`, so `.from` goes unchecked.

use alchemy_grammar::{Span, TypeKind, TypeNode};

use super::{Diag, RuleMeta};
use crate::analysis::shape::shape_of;
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::fixes::name_in_file;
use crate::analysis::model::{Deps, Model};
use crate::analysis::resources::Form;
use crate::workspace::FileId;

pub const ID: &str = "deps-too-wide";

/// The rule's catalog entry (`alchemy-ls rules deps-too-wide`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Warning,
    summary: "Deps is `any`/`unknown`/`{}`/tuple/`typeof`, so `.from` goes unchecked",
    description: "With Deps `any`, `unknown`, `object` or `{}` every `X.from(WorkerA)` type-checks, even \
for classes WorkerA does not host. A tuple `[A, B]`, an array `A[]` or `typeof A` is rejected by TypeScript \
with misleading errors at every `.from`. List the hosted classes as a union (`Counter | Other`), or `never`. \
RPC Durable Object classes in Deps are fine.",
    bad: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, [Counter, Other]>()("WorkerA", {
  main: import.meta.filename,
}) {}"#,
    good: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter | Other>()("WorkerA", {
  main: import.meta.filename,
}) {}"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let mut workers: Vec<usize> = m.deps.keys().copied().collect();
    workers.sort();
    for w in workers {
        let d = &m.deps[&w];
        let Some(node) = &d.node else { continue };
        // `RpcWorker<W, {}, X>`: self-type-mismatch (4) reports the misplaced slot
        let info = m.res(w);
        if info.form == Form::RpcWorkerModular && info.type_args.as_ref().is_some_and(|t| t.args.len() == 3) {
            continue;
        }
        if let Some(diag) = diagnose(m, w, d, node) {
            diag.push(out);
        }
    }
}

fn diagnose(m: &Model, w: usize, d: &Deps, node: &TypeNode) -> Option<Diag> {
    let ctx = &m.ctx;
    let info = m.res(w);
    let file = info.file;
    let wn = &info.name;
    let items: Vec<&TypeNode> = match &node.kind {
        TypeKind::Union(items) => items.iter().collect(),
        _ => vec![node],
    };
    let any_item = items.iter().find(|t| is_any_like(m, file, t));
    let example = example_from(m, w);

    // any / unknown / object / Object / {}
    if d.wide == Some(crate::analysis::model::Wide::Any) || any_item.is_some() {
        let shown = any_item
            .map(|t| ctx.text(file, t.span))
            .unwrap_or_else(|| ctx.text(file, node.span));
        let (names, edits) = hosted_union(m, w, d, node);
        let listed = if names.is_empty() {
            "never".to_string()
        } else {
            names.join(" | ")
        };
        let msg = if names.is_empty() {
            format!(
                "Deps `{shown}` lets every {example} type-check, even for classes {wn} does not host; {wn} hosts no bindable Durable Object, so write never."
            )
        } else {
            format!(
                "Deps `{shown}` lets every {example} type-check, even for classes {wn} does not host; list the hosted classes: {listed}."
            )
        };
        let mut diag = Diag::new(&META, file, node.span, msg);
        // Only rewrite Deps written in place (not through an alias).
        if let Some(mut edits) = edits
            && any_item.is_some()
        {
            edits.insert(
                0,
                TextEdit {
                    file,
                    span: node.span,
                    new_text: listed.clone(),
                },
            );
            let title = if names.is_empty() {
                "Replace Deps with never".to_string()
            } else {
                format!("List {listed} in Deps")
            };
            diag = diag.fix(title, edits);
        }
        return Some(diag);
    }

    // [A, B] / A[] / typeof A
    let mut edits: Vec<TextEdit> = Vec::new();
    let mut kind: Option<&str> = None;
    for t in &items {
        match &t.kind {
            TypeKind::Tuple(elems) => {
                let texts: Vec<&str> = elems
                    .iter()
                    .map(|e| strip_parens(ctx.text(file, e.span)))
                    .collect();
                let new_text = if texts.is_empty() {
                    "never".to_string()
                } else {
                    texts.join(" | ")
                };
                edits.push(TextEdit {
                    file,
                    span: t.span,
                    new_text,
                });
                kind.get_or_insert("a tuple");
            }
            TypeKind::Array(inner) => {
                let new_text = strip_parens(ctx.text(file, inner.span)).to_string();
                edits.push(TextEdit {
                    file,
                    span: t.span,
                    new_text,
                });
                kind.get_or_insert("an array");
            }
            TypeKind::Typeof(name) => {
                edits.push(TextEdit {
                    file,
                    span: t.span,
                    new_text: name.clone(),
                });
                kind.get_or_insert("typeof");
            }
            _ => {}
        }
    }
    if let Some(kind) = kind {
        let fixed = apply(ctx.text(file, node.span), node.span, &edits);
        let msg = if kind == "typeof" {
            format!("Deps must name the class type, not its constructor type (typeof): write {fixed}.")
        } else {
            format!("Deps must be a union, not {kind}: write {fixed}.")
        };
        return Some(
            Diag::new(&META, file, node.span, msg)
                .safe_fix(format!("Write Deps as {fixed}"), edits),
        );
    }
    if d.wide.is_some() {
        // tuple/typeof reached through an alias: report without a fix
        let shown = ctx.text(file, node.span);
        let msg = format!(
            "Deps `{shown}` is not a union of Durable Object classes, so {example} is not checked as intended; write the hosted classes as a union."
        );
        return Some(Diag::new(&META, file, node.span, msg));
    }

    // an inline DO whose per-instance effect returns `{}`: its instance type is `{}`
    for &(x, span) in &d.members {
        let xr = m.res(x);
        if matches!(xr.form, Form::DoInlineClass | Form::DoInlineValue) && shape_of(m, x).is_some_and(|s| s.is_empty()) {
            let xn = &xr.name;
            let msg = format!(
                "{xn}'s implementation returns {{}}, so its instance type is {{}} and Deps lets every {example} type-check, even for classes {wn} does not host; give {xn} methods or remove it from Deps."
            );
            return Some(Diag::new(&META, file, span, msg));
        }
    }
    None
}

/// `any`, `unknown`, `object`, `{}`, or an unresolved `Object`.
fn is_any_like(m: &Model, file: FileId, t: &TypeNode) -> bool {
    match &t.kind {
        TypeKind::Keyword(k) => matches!(k.as_str(), "any" | "unknown" | "object"),
        TypeKind::Object { members, opaque } => members.is_empty() && !opaque,
        TypeKind::Ref { name, args } => {
            name == "Object" && args.is_empty() && m.resolve_dotted(file, name).is_none()
        }
        _ => false,
    }
}

/// `X.from(W)` with X a DO W hosts, for messages.
fn example_from(m: &Model, w: usize) -> String {
    let wn = &m.res(w).name;
    format!("X.from({wn})")
}

/// The union of Deps members written in place (kept as written) and bindable DOs W hosts,
/// with the import edits; `None` edits when some hosted class cannot be named in W's file.
fn hosted_union(m: &Model, w: usize, d: &Deps, node: &TypeNode) -> (Vec<String>, Option<Vec<TextEdit>>) {
    let ctx = &m.ctx;
    let file = m.res(w).file;
    let mut names: Vec<String> = Vec::new();
    let mut edits: Vec<TextEdit> = Vec::new();
    let mut ok = true;
    for &(x, span) in &d.members {
        if span.start >= node.span.start && span.end <= node.span.end {
            let t = ctx.text(file, span).to_string();
            if !names.contains(&t) {
                names.push(t);
            }
        } else if !names.contains(&m.res(x).name) {
            names.push(m.res(x).name.clone());
        }
    }
    let mut hosted: Vec<usize> = m
        .hosts
        .iter()
        .filter(|(x, hs)| m.res(**x).form.is_bindable_do() && hs.iter().any(|h| h.worker == w))
        .map(|(x, _)| *x)
        .filter(|x| !d.members.iter().any(|(r, _)| r == x))
        .collect();
    hosted.sort_by_key(|x| (m.ctx.ws.path_rank(m.res(*x).file), m.res(*x).span.start));
    for x in hosted {
        match name_in_file(ctx, file, x) {
            Some((n, e)) => {
                if !names.contains(&n) {
                    names.push(n);
                }
                for e in e {
                    if !edits.contains(&e) {
                        edits.push(e);
                    }
                }
            }
            None => {
                names.push(m.res(x).name.clone());
                ok = false;
            }
        }
    }
    (names, ok.then_some(edits))
}

fn strip_parens(s: &str) -> &str {
    let t = s.trim();
    if t.starts_with('(') && t.ends_with(')') {
        t[1..t.len() - 1].trim()
    } else {
        t
    }
}

/// `text` (at `base`) with edits inside it applied, whitespace collapsed.
fn apply(text: &str, base: Span, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut s = text.to_string();
    for e in sorted {
        let (a, b) = (
            (e.span.start - base.start) as usize,
            (e.span.end - base.start) as usize,
        );
        if a <= b && b <= s.len() {
            s.replace_range(a..b, &e.new_text);
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
