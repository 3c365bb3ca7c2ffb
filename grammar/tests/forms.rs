//! Table-driven checks of every import and export form, declaration forms and the facts'
//! details that snapshots show less directly (spans, flags).

mod common;

use alchemy_grammar::*;
use common::Render;

/// Imports, exports and declarations of `src`, one per line, without positions.
fn summary(src: &str) -> String {
    let facts = extract(src, Dialect::TypeScript);
    let r = Render {
        text: src,
        facts: &facts,
    };
    let mut lines = Vec::new();
    for i in &facts.imports {
        let line = r.import(i);
        lines.push(
            line.split_once(' ')
                .map(|(_, rest)| rest.to_string())
                .unwrap_or(line),
        );
    }
    for e in &facts.exports {
        lines.push(format!("export {}", r.export(e)));
    }
    for d in &facts.decls {
        lines.push(format!("decl {}", r.decl(d)));
    }
    lines.join("\n")
}

#[test]
fn import_forms() {
    let cases = [
        (r#"import D from "m";"#, r#"import "m" default=D"#),
        (r#"import * as NS from "m";"#, r#"import "m" ns=NS"#),
        (
            r#"import D, { A, B as C } from "m";"#,
            r#"import "m" default=D {A, B as C}"#,
        ),
        (r#"import D, * as NS from "m";"#, r#"import "m" default=D ns=NS"#),
        (r#"import type { X } from "m";"#, r#"import type "m" {type X}"#),
        (r#"import { type A, B } from "m";"#, r#"import "m" {type A, B}"#),
        (r#"import type * as CF from "m";"#, r#"import type "m" ns=CF"#),
        (r#"import "m";"#, r#"import "m""#),
        (r#"import defer * as x from "m";"#, r#"import "m" ns=x"#),
        (
            r#"import j from "./a.json" with { type: "json" };"#,
            r#"import "./a.json" default=j"#,
        ),
        (
            r#"import { default as X } from "m";"#,
            r#"import "m" {default as X}"#,
        ),
        (r#"import { "a-b" as ab } from "m";"#, r#"import "m" {a-b as ab}"#),
        (r#"import {} from "m";"#, r#"import "m" {}"#),
        ("import x = require(\"m\");", ""),
        ("import('m');", ""),
    ];
    for (src, expected) in cases {
        assert_eq!(summary(src), expected, "source: {src}");
    }
}

#[test]
fn export_forms() {
    let cases = [
        ("export const X = 1;", "export X as X\ndecl export const X = ~"),
        (
            "export let X = 1, Y;",
            "export X as X\nexport Y as Y\ndecl export let/var X = ~\ndecl export let/var Y",
        ),
        ("export var V = a;", "export V as V\ndecl export let/var V = a"),
        ("export class C {}", "export C as C\ndecl export class C #0"),
        (
            "export function f() {}",
            "export f as f\ndecl export function f = fn {  }",
        ),
        (
            "export function* g() {}",
            "export g as g\ndecl export function g = fn* {  }",
        ),
        ("export type T = A;", "export T as T\ndecl export type T = A"),
        (
            "export interface I { a: 1 }",
            "export I as I\ndecl export interface I {a}",
        ),
        ("export { A, B as C };", "export A as A\nexport B as C"),
        ("export type { A };", "export type A as A"),
        ("export { type A, B };", "export type A as A\nexport B as B"),
        ("export { X as default };", "export X as default"),
        ("export default X;", "export X as default"),
        ("export default (X);", "export X as default"),
        (
            "export default class X extends Y {}",
            "export X as default\ndecl export class X #0",
        ),
        (
            "export default function f() {}",
            "export f as default\ndecl export function f = fn {  }",
        ),
        ("export default function () {}", "export default = fn {  }"),
        (
            "export default class extends Y {}",
            "export default = class extends Y {}",
        ),
        ("export default X.make(impl);", "export default = X.make(impl)"),
        (r#"export { A as B } from "m";"#, r#"export A as B from "m""#),
        (
            r#"export { default as X } from "m";"#,
            r#"export default as X from "m""#,
        ),
        (
            r#"export { default } from "m";"#,
            r#"export default as default from "m""#,
        ),
        (r#"export { X } from "m";"#, r#"export X as X from "m""#),
        (r#"export type { X } from "m";"#, r#"export type X as X from "m""#),
        (r#"export * from "m";"#, r#"export * from "m""#),
        (r#"export * as ns from "m";"#, r#"export * as ns from "m""#),
        (r#"export type * from "m";"#, r#"export type * from "m""#),
        (
            r#"export type * as ns from "m";"#,
            r#"export type * as ns from "m""#,
        ),
        ("export = X;", ""),
        ("export as namespace Lib;", ""),
        ("declare module \"m\" { export const x: number; }", ""),
    ];
    for (src, expected) in cases {
        assert_eq!(summary(src), expected, "source: {src}");
    }
}

#[test]
fn import_spans_and_quote() {
    let src = "import D, { A, B as C } from './m.ts';\nimport \"x\";";
    let facts = extract(src, Dialect::TypeScript);
    assert_eq!(facts.quote, '\'');
    let i = &facts.imports[0];
    let at = |s: Span| &src[s.start as usize..s.end as usize];
    assert_eq!(at(i.specifier_span), "'./m.ts'");
    assert_eq!(i.specifier, "./m.ts");
    assert_eq!(at(i.span), "import D, { A, B as C } from './m.ts';");
    assert_eq!(at(i.named_span.unwrap()), "{ A, B as C }");
    assert_eq!(at(i.default.as_ref().unwrap().span), "D");
    assert_eq!(at(i.named[1].span), "B as C");
    assert_eq!(at(i.named[1].local_span), "C");
    assert_eq!(extract("const a = 1;", Dialect::TypeScript).quote, '"');
}

#[test]
fn call_spans_and_flags() {
    let src = "const x = Cloudflare.Worker<A, /* c */ {}>()(\"x\");\nconst y = f(\nconst z = 1;";
    let facts = extract(src, Dialect::TypeScript);
    let at = |s: Span| &src[s.start as usize..s.end as usize];
    let calls: Vec<_> = facts
        .exprs
        .iter()
        .filter_map(|e| match &e.kind {
            Expr::Call {
                type_args,
                args_span,
                broken,
                ..
            } => Some((
                at(e.span),
                type_args.as_ref().map(|t| at(t.span)),
                at(*args_span),
                *broken,
            )),
            _ => None,
        })
        .collect();
    assert!(calls.contains(&(
        "Cloudflare.Worker<A, /* c */ {}>()",
        Some("<A, /* c */ {}>"),
        "()",
        false
    )));
    assert!(calls.contains(&(
        "Cloudflare.Worker<A, /* c */ {}>()(\"x\")",
        None,
        "(\"x\")",
        false
    )));
    assert!(
        calls.iter().any(|c| c.0.starts_with("f(") && c.3),
        "unterminated call is broken: {calls:?}"
    );
    let member = facts.exprs.iter().find_map(|e| match &e.kind {
        Expr::Member {
            property,
            property_span,
            ..
        } => Some((property.clone(), at(*property_span))),
        _ => None,
    });
    assert_eq!(member, Some(("Worker".to_string(), "Worker")));
}

#[test]
fn broken_only_for_own_arguments() {
    // A half-typed statement inside a generator body breaks the inner call, not Effect.gen.
    let src = "const impl = Effect.gen(function* () {\n  const c = yield* Counter.from(\n  return 1;\n});";
    let facts = extract(src, Dialect::TypeScript);
    let broken: Vec<&str> = facts
        .exprs
        .iter()
        .filter(|e| matches!(e.kind, Expr::Call { broken: true, .. }))
        .map(|e| &src[e.span.start as usize..e.span.end as usize])
        .collect();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(broken[0].starts_with("Counter.from("), "{broken:?}");
}

#[test]
fn body_locals_returns_roots() {
    let src = "const f = function* () {\n  const a = yield* A;\n  let b;\n  if (a) { const c = g(a); }\n  const inner = () => { const hidden = 1; return hidden; };\n  return { a };\n};";
    let facts = extract(src, Dialect::TypeScript);
    let Some(DeclKind::Var {
        init: Some(init),
        is_const: true,
    }) = facts.decls.first().map(|d| &d.kind)
    else {
        panic!("no decl");
    };
    let Expr::Function { kind, body } = &facts.exprs[*init as usize].kind else {
        panic!("not a function")
    };
    assert_eq!(*kind, FnKind::Generator);
    let names: Vec<_> = body
        .locals
        .iter()
        .map(|l| (l.name.as_str(), l.init.is_some()))
        .collect();
    assert_eq!(names, [("a", true), ("b", false), ("c", true), ("inner", true)]);
    assert_eq!(body.returns.len(), 1);
    let r = Render {
        text: src,
        facts: &facts,
    };
    let roots: Vec<String> = body.roots.iter().map(|&e| r.expr(e)).collect();
    assert_eq!(
        roots,
        ["yield* A", "a", "g(a)", "=> { hidden = ~; return hidden }", "{a}"]
    );
}

#[test]
fn every_expression_span_is_in_bounds() {
    for src in [
        "const a = f(g(h(1)), [x, ...y], { z, ...w });",
        "x.y?.z(`t${u}`)",
        "const c = yield* Counter.from(",
    ] {
        let facts = extract(src, Dialect::TypeScript);
        for e in &facts.exprs {
            assert!(
                e.span.start <= e.span.end && e.span.end as usize <= src.len(),
                "{e:?}"
            );
        }
    }
}

#[test]
fn functions_are_listed_outermost_first() {
    let src = "export default class A { m() { return () => function* () {}; } }\nconst f = (x) => (y) => x + y;\nfunction g() {}";
    let facts = extract(src, Dialect::TypeScript);
    let r = Render {
        text: src,
        facts: &facts,
    };
    let listed: Vec<String> = facts.functions.iter().map(|&f| r.expr(f)).collect();
    assert_eq!(listed.len(), 6, "{listed:?}");
    // every function expression of the arena, once, each enclosing the ones after it that
    // start inside it
    let mut every: Vec<ExprId> = (0..facts.exprs.len() as ExprId)
        .filter(|&i| matches!(facts.exprs[i as usize].kind, Expr::Function { .. }))
        .collect();
    let mut sorted = facts.functions.clone();
    sorted.sort_unstable();
    every.sort_unstable();
    assert_eq!(sorted, every);
    let spans: Vec<Span> = facts
        .functions
        .iter()
        .map(|&f| facts.exprs[f as usize].span)
        .collect();
    for w in spans.windows(2) {
        assert!(
            w[0].start < w[1].start || (w[0].start == w[1].start && w[0].end >= w[1].end),
            "{spans:?}"
        );
    }
    // the method encloses the arrow, which encloses the generator
    assert!(spans[0].start <= spans[1].start && spans[1].end <= spans[0].end);
    assert!(spans[1].start <= spans[2].start && spans[2].end <= spans[1].end);
}
