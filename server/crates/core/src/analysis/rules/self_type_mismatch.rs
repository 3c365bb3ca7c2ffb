//! `self-type-mismatch`: the factory's type arguments do not fit the class.
//!
//! (1) the Self type argument is not the class (not for inline and external Worker classes,
//! whose Self is only their RPC stub type); (2) D1 with one type argument; (3) an inline
//! Worker class with three; (4) `RpcWorker<W, {}, X>`; (5) `Worker<W, X>` with a DO class in
//! the Shape slot and no Deps slot.

use alchemy_grammar::{Span, TypeKind, TypeNode};

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity, TextEdit};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::resources::{Form, ResInfo};
use crate::analysis::symbols::Sym;

pub const ID: &str = "self-type-mismatch";

/// The rule's catalog entry (`alchemy-ls rules self-type-mismatch`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "the factory's type arguments do not fit the class",
    description: "The first type argument of a class factory must be the class itself. Also reported: a \
modular Durable Object with only one type argument (it needs `<Self, Shape>`), an inline Worker class with \
three type arguments, `RpcWorker<W, {}, X>` (an RpcWorker's Deps are its second slot), and a Durable Object \
class in the Shape slot of `Worker<Self, Shape, Deps>`. TypeScript either says nothing or reports the \
mistake far away, at `.from` or `.make`.",
    bad: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}"#,
    good: r#"export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()("WorkerA", {
  main: import.meta.filename,
}) {}"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for info in &ctx.res.list {
        let Some(cid) = info.class else { continue };
        let Some(ta) = &info.type_args else { continue };
        let Some(first) = ta.args.first() else { continue };
        let file = info.file;
        let class = &ctx.facts(file).classes[cid as usize];
        // `const X = class extends …` → the class expression's own name, else X.
        let cls: Option<&str> = class
            .name
            .as_deref()
            .or_else(|| matches!(info.sym, Some(Sym::Decl { .. })).then_some(info.name.as_str()));
        let factory = factory_name(ctx.text(file, ctx.span(file, info.callee)));

        // (1) Self is not the class. An inline or external Worker class uses Self only as the
        // type of the stub other Workers get (`Rpc<Self>`): its RPC shape type is valid there.
        let self_is_rpc_type = matches!(info.form, Form::WorkerInline | Form::WorkerExternal);
        if let Some(cls) = cls.filter(|_| !self_is_rpc_type) {
            let is_self = matches!(&first.kind, TypeKind::Ref { name, .. } if name == cls);
            if !is_self {
                let given = ctx.text(file, first.span);
                let msg = format!("{cls} passes {given} as its Self type argument; it must be {cls} itself.");
                Diag::new(&META, file, first.span, msg)
                    .safe_fix(
                        format!("Use {cls} as the Self type argument"),
                        vec![TextEdit {
                            file,
                            span: first.span,
                            new_text: cls.to_string(),
                        }],
                    )
                    .push(out);
            }
        }
        let cls = cls.unwrap_or(info.name.as_str());
        let n = ta.args.len();
        match info.form {
            // (2) D1 needs Self and Shape
            Form::DoModular if n == 1 => {
                let msg = format!(
                    "{cls} has no Shape type argument, but a modular Durable Object needs both: {factory}<{cls}, Shape>. Add its methods as the second type argument, e.g. {factory}<{cls}, {{ increment: () => Effect.Effect<number> }}>."
                );
                Diag::new(&META, file, ta.span, msg).push(out);
            }
            // (3) inline Worker with a Deps slot
            Form::WorkerInline if n >= 3 => {
                let third = &ta.args[2];
                let deps = ctx.text(file, third.span);
                let msg = format!(
                    "{cls} is an inline Worker (its implementation is the third argument), which takes only {factory}<{cls}, Shape>, so the type argument {deps} is rejected. Remove it, or make {cls} modular with export default {cls}.make(…) to publish Deps."
                );
                Diag::new(&META, file, third.span, msg).push(out);
            }
            // (4) RpcWorker<W, {}, X>
            Form::RpcWorkerModular | Form::RpcWorkerInline if n == 3 => {
                let (second, third) = (&ta.args[1], &ta.args[2]);
                let deps = ctx.text(file, third.span);
                let msg = format!(
                    "RpcWorker takes Deps as its second type argument ({factory}<Self, Deps>), so {deps} in the third slot is rejected; write {factory}<{cls}, {deps}>."
                );
                let mut d = Diag::new(&META, file, third.span, msg);
                if is_empty_object(second) {
                    d = d.safe_fix(
                        "Remove the {} type argument",
                        vec![TextEdit {
                            file,
                            span: Span {
                                start: second.span.start,
                                end: third.span.start,
                            },
                            new_text: String::new(),
                        }],
                    );
                }
                d.push(out);
            }
            // (5) Worker<W, Counter>
            Form::WorkerModular if n == 2 => {
                let second = &ta.args[1];
                if is_do_union(m, info, second) {
                    let x = ctx.text(file, second.span);
                    let msg = format!(
                        "{x} is in the Shape slot of Worker<Self, Shape, Deps>; move it to Deps: {factory}<{cls}, {{}}, {x}>."
                    );
                    Diag::new(&META, file, second.span, msg)
                        .safe_fix(
                            format!("Move {x} to Deps"),
                            vec![TextEdit {
                                file,
                                span: Span {
                                    start: second.span.start,
                                    end: second.span.start,
                                },
                                new_text: "{}, ".to_string(),
                            }],
                        )
                        .push(out);
                }
            }
            _ => {}
        }
    }
}

/// `Cloudflare.Worker` → `Worker`.
fn factory_name(callee: &str) -> &str {
    callee.rsplit('.').next().unwrap_or(callee).trim()
}

fn is_empty_object(t: &TypeNode) -> bool {
    matches!(&t.kind, TypeKind::Object { members, opaque: false } if members.is_empty())
}

/// The type names one or more DO classes (a reference or a union of references).
fn is_do_union(m: &Model, info: &ResInfo, t: &TypeNode) -> bool {
    let items: Vec<&TypeNode> = match &t.kind {
        TypeKind::Union(items) => items.iter().collect(),
        _ => vec![t],
    };
    !items.is_empty()
        && items.iter().all(|t| {
            let TypeKind::Ref { name, args } = &t.kind else {
                return false;
            };
            if !args.is_empty() {
                return false;
            }
            let Some(sym) = m.resolve_dotted(info.file, name) else {
                return false;
            };
            m.ctx.res.of_sym(&m.ctx.syms, &sym).is_some_and(|r| {
                matches!(
                    m.res(r).kind,
                    ResourceKind::DurableObject | ResourceKind::RpcDurableObject
                ) && m.res(r).class.is_some()
            })
        })
}
