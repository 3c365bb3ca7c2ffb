//! Per-file facts: plain serde data extracted from one TypeScript file.
//!
//! The facts are a small, lossy lowering of the syntax tree that keeps exactly what the
//! cross-file analysis needs: imports, exports, module-level declarations, every class with
//! an `extends` clause, and an expression arena (`exprs`) in which calls, member accesses,
//! identifiers, string literals, object and array literals, functions (with their bodies),
//! `yield` expressions and classes are kept and everything else is `Other` (with its
//! children, so nested constructs are never lost).
//!
//! `constructs` lists the syntactic candidates for Alchemy constructs, found by the queries in
//! `queries/constructs.scm`; whether a candidate really is Alchemy is decided later, by the
//! analysis, through import resolution.
//!
//! All offsets are byte offsets into the source text (after NUL bytes were replaced by spaces,
//! which keeps every offset unchanged).

use serde::{Deserialize, Serialize};

/// Index into [`FileFacts::exprs`].
pub type ExprId = u32;
/// Index into [`FileFacts::classes`].
pub type ClassId = u32;

/// A half-open byte range `[start, end)`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn contains(&self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
    pub fn len(&self) -> u32 {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct FileFacts {
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    /// Module-level declarations (`const`/`let`/`var` with a plain identifier, classes,
    /// functions, type aliases, interfaces), in source order.
    pub decls: Vec<Decl>,
    /// Every class (declaration or expression, at any depth) in source order.
    pub classes: Vec<ClassInfo>,
    /// The expression arena. Children always have smaller ids than... nothing: ids are
    /// arbitrary; use the tree structure.
    pub exprs: Vec<ExprNode>,
    /// Every function expression (`Expr::Function`), outermost first: ordered by start, and
    /// of two functions starting together the longer first.
    pub functions: Vec<ExprId>,
    /// Alchemy construct candidates found by `queries/constructs.scm`.
    pub constructs: Vec<Construct>,
    /// Comments that contain `alchemy-ls-disable` (suppressions).
    pub suppressions: Vec<Suppression>,
    /// Ranges of ERROR and MISSING nodes.
    pub syntax_errors: Vec<Span>,
    /// The file was larger than the parse limit and was not parsed.
    pub too_large: bool,
    /// The source preferred quote character for string literals in imports (`'"'` or `'\''`).
    pub quote: char,
}

impl FileFacts {
    /// Gives back the spare capacity of the growing vectors: facts are kept for every
    /// Alchemy file of the workspace, and a vector grown by doubling holds up to twice what
    /// it needs (the expression arena is most of a file's facts).
    pub fn shrink_to_fit(&mut self) {
        self.imports.shrink_to_fit();
        self.exports.shrink_to_fit();
        self.decls.shrink_to_fit();
        self.classes.shrink_to_fit();
        self.exprs.shrink_to_fit();
        self.functions.shrink_to_fit();
        self.constructs.shrink_to_fit();
        self.suppressions.shrink_to_fit();
        self.syntax_errors.shrink_to_fit();
        for e in &mut self.exprs {
            if let Expr::Function { body, .. } = &mut e.kind {
                body.params.shrink_to_fit();
                body.locals.shrink_to_fit();
                body.returns.shrink_to_fit();
                body.roots.shrink_to_fit();
            }
        }
    }
}

/// The function expressions of an arena, outermost first (see [`FileFacts::functions`]).
pub fn functions_in(exprs: &[ExprNode]) -> Vec<ExprId> {
    let mut v: Vec<ExprId> = (0..exprs.len())
        .filter(|&i| matches!(exprs[i].kind, Expr::Function { .. }))
        .map(|i| i as ExprId)
        .collect();
    v.sort_by_key(|&i| {
        let s = exprs[i as usize].span;
        (s.start, std::cmp::Reverse(s.end))
    });
    v
}

// ---------------------------------------------------------------- imports / exports

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Import {
    /// Module specifier, unquoted.
    pub specifier: String,
    /// Span of the specifier string *including* its quotes.
    pub specifier_span: Span,
    /// Span of the whole import statement.
    pub span: Span,
    /// `import type ...`
    pub type_only: bool,
    /// `import D from` / `import D, {...} from`
    pub default: Option<Binding>,
    /// `import * as NS from`
    pub namespace: Option<Binding>,
    /// `import { A, B as C, type D }`
    pub named: Vec<NamedImport>,
    /// Span of the `{ ... }` of named imports, braces included, if present.
    pub named_span: Option<Span>,
}

/// A local name introduced by an import or declaration.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Binding {
    pub name: String,
    pub span: Span,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NamedImport {
    /// The exported name in the target module (`default` for `{ default as X }`).
    pub imported: String,
    pub local: String,
    /// Span of the whole specifier (`B as C`).
    pub span: Span,
    /// Span of the local name.
    pub local_span: Span,
    /// `{ type D }` or inside `import type {}`.
    pub type_only: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Export {
    pub span: Span,
    pub kind: ExportKind,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum ExportKind {
    /// `export const X = …`, `export class X`, `export function X`, `export { A, B as C }`,
    /// `export { X as default }`, `export default class X …` (exported `default`, local `X`),
    /// `export default X` where X is an identifier (exported `default`, local `X`).
    Local {
        exported: String,
        local: String,
        type_only: bool,
    },
    /// `export default <expression>` other than a plain identifier (incl. anonymous
    /// `export default class extends …`, which is an `Expr::Class`).
    DefaultExpr { expr: ExprId },
    /// `export { A as B } from "m"`, `export { default as X } from "m"`, `export { X } from`.
    From {
        specifier: String,
        specifier_span: Span,
        imported: String,
        exported: String,
        type_only: bool,
    },
    /// `export * from "m"`, `export * as ns from "m"`, `export type * [as ns] from "m"`.
    Star {
        specifier: String,
        specifier_span: Span,
        alias: Option<String>,
        type_only: bool,
    },
}

// ---------------------------------------------------------------- declarations

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Decl {
    pub name: String,
    pub name_span: Span,
    /// Span of the whole declaration statement.
    pub span: Span,
    pub exported: bool,
    pub kind: DeclKind,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum DeclKind {
    /// `const|let|var name = init` (plain identifier pattern only).
    Var {
        init: Option<ExprId>,
        is_const: bool,
    },
    Class {
        class: ClassId,
    },
    /// `function f() {}` / `function* f() {}`; `func` is an `Expr::Function`.
    Function {
        func: ExprId,
    },
    TypeAlias {
        ty: TypeNode,
    },
    /// `interface I { a(): …; b: … }`; `extends` lists the names of extended interfaces.
    Interface {
        members: Vec<TypeMember>,
        extends: Vec<String>,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ClassInfo {
    pub name: Option<String>,
    pub name_span: Option<Span>,
    pub span: Span,
    /// The value of the `extends` clause.
    pub heritage: Option<ExprId>,
    /// True for a `class_declaration` statement at module level (incl. `export [default]`).
    pub top_level: bool,
}

// ---------------------------------------------------------------- expressions

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ExprNode {
    pub span: Span,
    pub kind: Expr,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum Expr {
    Ident {
        name: String,
    },
    /// `object.property` / `object?.property`.
    Member {
        object: ExprId,
        property: String,
        property_span: Span,
    },
    /// `callee<type_args>(args)`. `args_span` covers the parentheses. `broken` is true when the
    /// arguments contain an ERROR or MISSING node (or the closing parenthesis is missing).
    Call {
        callee: ExprId,
        type_args: Option<Box<TypeArgs>>,
        args: Vec<ExprId>,
        args_span: Span,
        broken: bool,
    },
    /// A string literal or a template literal without substitutions. `value` unquoted.
    Str {
        value: String,
    },
    Object {
        props: Vec<Prop>,
        has_spread: bool,
    },
    Array {
        elems: Vec<ExprId>,
        has_spread: bool,
    },
    /// (`body` boxed: it is the largest variant, and the arena holds every expression.)
    Function {
        kind: FnKind,
        body: Box<Body>,
    },
    /// `yield e` / `yield* e`.
    Yield {
        delegate: bool,
        arg: Option<ExprId>,
    },
    Class {
        class: ClassId,
    },
    /// `import.meta.<property>`.
    ImportMeta {
        property: String,
    },
    /// Anything else; `children` are its direct sub-expressions (binary operands, `new`
    /// arguments, template substitutions, JSX expressions, `await` operand, …) in source
    /// order. Parentheses, `as`, `satisfies` and `!` are unwrapped, not `Other`.
    Other {
        children: Vec<ExprId>,
    },
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FnKind {
    Arrow,
    Function,
    Generator,
    Method,
}

/// A function body reduced to what the analysis walks.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Body {
    /// The parameters, in order (`(opts)`, `({ name, env: e })`, `x => …`), for binding them
    /// to a call's arguments.
    #[serde(default)]
    pub params: Vec<Param>,
    /// `const|let|var name = init` anywhere in the body (not in nested functions), in order.
    pub locals: Vec<Local>,
    /// Returned expressions (`return e`; for an arrow with an expression body, that expression).
    pub returns: Vec<ExprId>,
    /// Every statement-level root expression of the body in source order (expression
    /// statements, initialisers, returned values, conditions, …), not descending into nested
    /// functions; nested function-like nodes appear only as sub-expressions of these roots.
    pub roots: Vec<ExprId>,
}

/// One function parameter.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Param {
    /// `opts` in `(opts: Opts)` / `(opts?)` / `opts => …`; `None` for a pattern.
    pub name: Option<String>,
    /// An object pattern's bindings: (property key, local name); `{ name, env: e }` →
    /// `[("name", "name"), ("env", "e")]` (defaults `{ id = "x" }` are kept as `("id", "id")`).
    pub fields: Vec<(String, String)>,
    pub span: Span,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Local {
    pub name: String,
    pub name_span: Span,
    pub init: Option<ExprId>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Prop {
    /// Identifier, string or number key text; `None` for a computed key.
    pub key: Option<String>,
    pub key_span: Span,
    /// For a shorthand property this is an `Ident` with the key's name.
    pub value: ExprId,
    pub shorthand: bool,
    /// Span of the whole property (`key: value`).
    pub span: Span,
}

// ---------------------------------------------------------------- types

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TypeArgs {
    /// Span of `<…>` including the angle brackets.
    pub span: Span,
    pub args: Vec<TypeNode>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TypeNode {
    pub span: Span,
    pub kind: TypeKind,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `A`, `NS.A`, `A<T>` (name is the dotted text without type arguments).
    Ref {
        name: String,
        args: Vec<TypeNode>,
    },
    /// Flattened union (`A | B | C`).
    Union(Vec<TypeNode>),
    /// `any`, `unknown`, `never`, `object`, `string`, …
    Keyword(String),
    /// An object type literal (`{}` has no members).
    Object {
        members: Vec<TypeMember>,
        opaque: bool,
    },
    Tuple(Vec<TypeNode>),
    Array(Box<TypeNode>),
    /// `typeof A` (name is the dotted text).
    Typeof(String),
    Intersection(Vec<TypeNode>),
    Other,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TypeMember {
    pub name: String,
    pub span: Span,
}

// ---------------------------------------------------------------- constructs

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Construct {
    pub kind: ConstructKind,
    /// The expression the construct is rooted at (see each kind).
    pub expr: ExprId,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstructKind {
    /// `class X extends F<T>()(args)`: `expr` is the outer call (the heritage value).
    ClassFactory,
    /// `F(args)` or `NS.F(args)` whose last name starts with an upper-case letter, not the
    /// inner call of a curried class factory: `expr` is the call.
    ValueFactory,
    /// `X.from(args)`: the call.
    From,
    /// `X.make(args)`: the call.
    Make,
    /// `yield* e`: the yield.
    YieldStar,
    /// `Effect.provide(…)`/`Layer.provide*(…)`/`Layer.mergeAll(…)`/`Layer.merge(…)`: the call.
    Provide,
    /// `X.bind(…)`, `bindWorker(…)`, `bindContainer(…)`, `layerContainer(…)`, `*.layer(…)`.
    Binder,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Suppression {
    pub span: Span,
    /// `true` for `alchemy-ls-disable-next-line`, `false` for file-wide `alchemy-ls-disable`.
    pub next_line: bool,
    /// Rule ids listed; empty means all rules.
    pub rules: Vec<String>,
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// Every expression of every Alchemy file is kept in an arena of these: a new variant
    /// with a large inline payload would grow all of them (box it instead).
    #[test]
    fn an_expression_node_stays_small() {
        assert!(
            std::mem::size_of::<ExprNode>() <= 64,
            "{}",
            std::mem::size_of::<ExprNode>()
        );
    }
}
