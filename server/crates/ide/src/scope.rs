//! Lexical scopes of one TypeScript file, for renaming a module-level name: which occurrences
//! of a name refer to the module-level binding (and not to a parameter or local of the same
//! name in an inner scope), the file's import and export clauses, and `ns.Name` accesses.
//!
//! A tree-sitter walk over the whole file (the facts keep no type positions). Declarations
//! are put in the scope JavaScript puts them in (`var` and parameters in the function, `let`,
//! `const`, classes and functions in the block), with their meaning (value, type, or both:
//! a `const` does not shadow a type of the same name); an occurrence resolves to the nearest
//! scope declaring its name with its meaning. What this walk cannot follow (`with`,
//! declaration merging, ambient modules, syntax errors) is reported as `unsure`.

use std::collections::HashMap;

use alchemy_grammar::tree_sitter::{Node, Tree};
use alchemy_grammar::{Dialect, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meaning {
    Value,
    Type,
    Both,
}

impl Meaning {
    fn covers(self, other: Meaning) -> bool {
        self == Meaning::Both || other == Meaning::Both || self == other
    }
}

/// What a module-level name is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleBinding {
    /// A declaration in this file; `class` for a class declaration (its name's span).
    Local { class: Option<Span>, kind: &'static str },
    /// `import { imported as local }`, `import local from` (`imported` = "default").
    Import { specifier: String, imported: String },
    /// `import * as local from`.
    Namespace { specifier: String },
}

/// An import specifier `{ imported as local }` (or a default import).
#[derive(Clone, Debug)]
pub struct ImportName {
    pub specifier: String,
    pub imported: String,
    /// The imported name's span (`None` for a default import, which names no export).
    pub imported_span: Option<Span>,
    /// The local name's span (the imported name's, when not aliased).
    pub local_span: Span,
}

#[derive(Clone, Debug)]
pub enum ExportClause {
    /// `export { local as exported }`, `export class local`, `export default local`.
    Local {
        local: String,
        exported: String,
        /// `export { local as exported }`: the exported name's span.
        exported_span: Option<Span>,
    },
    /// `export { imported as exported } from "specifier"`.
    From {
        specifier: String,
        imported: String,
        imported_span: Span,
        exported: String,
        /// `export { imported as exported } from`: the exported name's span.
        exported_span: Option<Span>,
    },
    /// `export * from "specifier"` (`alias`: `export * as alias from`).
    Star {
        specifier: String,
        alias: Option<String>,
    },
}

/// An occurrence of a name bound at module level.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub span: Span,
    /// `{ name }` in an object literal: renaming it must keep the property (`name: new`).
    pub shorthand: bool,
}

/// `head.a.b.prop` (value or type position), where `head` is bound at module level.
#[derive(Clone, Debug)]
pub struct MemberAccess {
    pub head: String,
    /// `import("spec").a.prop` (`typeof import("spec").X` in a type): the head is a module.
    pub module: Option<String>,
    pub path: Vec<String>,
    pub prop: String,
    pub prop_span: Span,
}

/// One file's scopes, as far as a rename of `names` needs them.
#[derive(Debug, Default)]
pub struct FileScopes {
    pub module: HashMap<String, Vec<ModuleBinding>>,
    pub imports: Vec<ImportName>,
    pub exports: Vec<ExportClause>,
    /// Occurrences (declarations included) of each watched name that refer to the
    /// module-level binding, in source order.
    pub uses: HashMap<String, Vec<Occurrence>>,
    /// Watched names that occur unbound (globals) or bound at module level: a new
    /// module-level binding of that name would capture them.
    pub free_or_module: Vec<String>,
    /// Watched names declared in some inner scope, with the spans of the module-level uses
    /// of other watched names inside that scope (a rename to that name would be captured).
    pub inner_decls: Vec<(String, Span)>,
    /// `ns.prop` accesses whose prop is a watched name.
    pub members: Vec<MemberAccess>,
    /// Module-level namespace-import names used other than as `ns.x` or in an export.
    pub escaping_namespaces: Vec<(String, Span)>,
    /// `import("…")` specifiers.
    pub dynamic_imports: Vec<String>,
    /// Why this walk cannot be trusted for a watched name, with where.
    pub unsure: Option<(String, Span)>,
}

struct Scope {
    parent: Option<usize>,
    /// Function-like (where `var` goes) or a block.
    function: bool,
    span: Span,
    decls: HashMap<String, Vec<Meaning>>,
}

struct Occ {
    name: String,
    span: Span,
    scope: usize,
    meaning: Meaning,
    shorthand: bool,
    /// The binding itself (a declaration's name).
    decl: bool,
}

struct Walker<'a> {
    text: &'a str,
    watch: &'a [String],
    scopes: Vec<Scope>,
    occs: Vec<Occ>,
    members: Vec<(usize, MemberAccess)>,
    /// (name, span, scope) of namespace-candidate identifiers used outside member heads.
    bare: Vec<(String, Span, usize)>,
    out: FileScopes,
}

fn span(n: Node) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}

fn named_children<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut c = n.walk();
    n.named_children(&mut c).collect()
}

fn unquote(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'"' | b'\'') && b[b.len() - 1] == b[0] {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

const FUNCTIONS: &[&str] = &[
    "function_declaration",
    "generator_function_declaration",
    "function_expression",
    "function",
    "generator_function",
    "arrow_function",
    "method_definition",
    "function_signature",
    "method_signature",
    "abstract_method_signature",
    "construct_signature",
    "call_signature",
    "function_type",
    "constructor_type",
];

const BLOCKS: &[&str] = &[
    "statement_block",
    "for_statement",
    "for_in_statement",
    "catch_clause",
    "switch_body",
    "class_body",
];

/// Parses `text` and collects its scopes for the `watch`ed names.
pub fn scan(text: &str, dialect: Dialect, watch: &[String]) -> FileScopes {
    let tree: Tree = alchemy_grammar::parse(text, dialect, None);
    let mut w = Walker {
        text,
        watch,
        scopes: vec![Scope {
            parent: None,
            function: true,
            span: Span::new(0, text.len()),
            decls: HashMap::new(),
        }],
        occs: Vec::new(),
        members: Vec::new(),
        bare: Vec::new(),
        out: FileScopes::default(),
    };
    w.walk(tree.root_node(), 0);
    // a syntax error may hide a declaration (a broken parameter list): not followed
    if w.out.unsure.is_none()
        && tree.root_node().has_error()
        && let Some(at) = first_error(tree.root_node())
    {
        w.out.unsure = Some(("a syntax error".into(), at));
    }
    w.finish()
}

/// The first ERROR or MISSING node of a tree that has one.
fn first_error(n: Node) -> Option<Span> {
    if n.is_error() || n.is_missing() {
        return Some(span(n));
    }
    let mut c = n.walk();
    n.children(&mut c).filter(|c| c.has_error()).find_map(first_error)
}

impl<'a> Walker<'a> {
    fn t(&self, n: Node) -> &'a str {
        self.text.get(n.byte_range()).unwrap_or("")
    }

    fn watched(&self, name: &str) -> bool {
        self.watch.iter().any(|w| w == name)
    }

    fn new_scope(&mut self, parent: usize, function: bool, n: Node) -> usize {
        self.scopes.push(Scope {
            parent: Some(parent),
            function,
            span: span(n),
            decls: HashMap::new(),
        });
        self.scopes.len() - 1
    }

    fn function_scope(&self, mut s: usize) -> usize {
        while !self.scopes[s].function {
            s = self.scopes[s].parent.unwrap_or(0);
        }
        s
    }

    fn declare(&mut self, scope: usize, n: Node, meaning: Meaning, module_kind: &'static str) {
        let name = self.t(n).to_string();
        if scope == 0 {
            let class = (module_kind == "class").then(|| span(n));
            self.out
                .module
                .entry(name.clone())
                .or_default()
                .push(ModuleBinding::Local {
                    class,
                    kind: module_kind,
                });
        }
        self.scopes[scope]
            .decls
            .entry(name.clone())
            .or_default()
            .push(meaning);
        self.occs.push(Occ {
            name,
            span: span(n),
            scope,
            meaning,
            shorthand: false,
            decl: true,
        });
    }

    fn reference(&mut self, n: Node, scope: usize, meaning: Meaning, shorthand: bool) {
        let name = self.t(n).to_string();
        self.bare.push((name.clone(), span(n), scope));
        self.occs.push(Occ {
            name,
            span: span(n),
            scope,
            meaning,
            shorthand,
            decl: false,
        });
    }

    fn walk_children(&mut self, n: Node, scope: usize) {
        for c in named_children(n) {
            self.walk(c, scope);
        }
    }

    /// A binding pattern: declares its names in `scope`; default values and types are walked
    /// in `walk_scope`.
    fn pattern(&mut self, n: Node, scope: usize, walk_scope: usize) {
        match n.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                self.declare(scope, n, Meaning::Value, "variable");
            }
            "object_pattern" | "array_pattern" => {
                for c in named_children(n) {
                    self.pattern(c, scope, walk_scope);
                }
            }
            "pair_pattern" => {
                if let Some(k) = n.child_by_field_name("key")
                    && k.kind() == "computed_property_name"
                {
                    self.walk(k, walk_scope);
                }
                if let Some(v) = n.child_by_field_name("value") {
                    self.pattern(v, scope, walk_scope);
                }
            }
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(l) = n.child_by_field_name("left") {
                    self.pattern(l, scope, walk_scope);
                }
                if let Some(r) = n.child_by_field_name("right") {
                    self.walk(r, walk_scope);
                }
            }
            "rest_pattern" => {
                for c in named_children(n) {
                    self.pattern(c, scope, walk_scope);
                }
            }
            "required_parameter" | "optional_parameter" => {
                let pat = n.child_by_field_name("pattern");
                for c in named_children(n) {
                    if Some(c) == pat && c.kind() != "this" {
                        self.pattern(c, scope, walk_scope);
                    } else {
                        self.walk(c, walk_scope);
                    }
                }
            }
            // member expressions as assignment targets (`for (a.b of …)`), etc.
            _ => self.walk(n, walk_scope),
        }
    }

    fn type_parameters(&mut self, n: Node, scope: usize) {
        if let Some(tp) = n.child_by_field_name("type_parameters") {
            for p in named_children(tp) {
                if p.kind() == "type_parameter" {
                    for c in named_children(p) {
                        if c.kind() == "type_identifier" && Some(c) == p.child_by_field_name("name") {
                            self.declare(scope, c, Meaning::Type, "type parameter");
                        } else {
                            self.walk(c, scope);
                        }
                    }
                }
            }
        }
    }

    fn walk(&mut self, n: Node, scope: usize) {
        let kind = n.kind();
        match kind {
            "with_statement" => {
                if self.out.unsure.is_none() {
                    self.out.unsure = Some(("a `with` statement".into(), span(n)));
                }
                self.walk_children(n, scope);
            }
            "ambient_declaration" => {
                // `declare module "x" { … }`, `declare global { … }`: merged into other modules
                let t = self.t(n);
                if (t.contains("declare global") || t.contains("module \"") || t.contains("module '"))
                    && self.watch.iter().any(|w| t.contains(w.as_str()))
                    && self.out.unsure.is_none()
                {
                    self.out.unsure = Some(("a `declare module`/`declare global` block".into(), span(n)));
                }
                self.walk_children(n, scope);
            }
            "import_statement" => self.import(n),
            "export_statement" => self.export(n, scope),
            "class_declaration" | "abstract_class_declaration" | "class" => {
                let name = n.child_by_field_name("name");
                let inner = self.new_scope(scope, false, n);
                if let Some(name) = name {
                    if kind == "class" {
                        self.declare(inner, name, Meaning::Both, "class");
                    } else {
                        self.declare(scope, name, Meaning::Both, "class");
                    }
                }
                self.type_parameters(n, inner);
                for c in named_children(n) {
                    if Some(c) != name && c.kind() != "type_parameters" {
                        self.walk(c, inner);
                    }
                }
            }
            k if FUNCTIONS.contains(&k) => {
                let name = n.child_by_field_name("name");
                let inner = self.new_scope(scope, true, n);
                if let Some(name) = name
                    && name.kind() == "identifier"
                {
                    if matches!(k, "function_declaration" | "generator_function_declaration") {
                        self.declare(scope, name, Meaning::Value, "function");
                    } else if matches!(k, "function_expression" | "function" | "generator_function") {
                        self.declare(inner, name, Meaning::Value, "function");
                    }
                } else if let Some(name) = name {
                    // method names (property identifiers), computed names
                    if name.kind() == "computed_property_name" {
                        self.walk(name, scope);
                    }
                }
                self.type_parameters(n, inner);
                if let Some(p) = n.child_by_field_name("parameter") {
                    self.pattern(p, inner, inner);
                }
                if let Some(ps) = n.child_by_field_name("parameters") {
                    for p in named_children(ps) {
                        self.pattern(p, inner, inner);
                    }
                }
                for c in named_children(n) {
                    if Some(c) == name
                        || matches!(c.kind(), "type_parameters" | "formal_parameters")
                        || Some(c) == n.child_by_field_name("parameter")
                    {
                        continue;
                    }
                    self.walk(c, inner);
                }
            }
            "internal_module" | "module" => {
                if let Some(name) = n.child_by_field_name("name") {
                    if name.kind() == "identifier" {
                        self.declare(scope, name, Meaning::Both, "namespace");
                    } else if name.kind() == "string"
                        && self.watch.iter().any(|w| self.t(n).contains(w.as_str()))
                        && self.out.unsure.is_none()
                    {
                        self.out.unsure = Some(("a `declare module` block".into(), span(n)));
                    }
                }
                let inner = self.new_scope(scope, true, n);
                if let Some(body) = n.child_by_field_name("body") {
                    self.walk_children(body, inner);
                }
            }
            k if BLOCKS.contains(&k) => {
                let inner = self.new_scope(scope, false, n);
                match k {
                    "catch_clause" => {
                        if let Some(p) = n.child_by_field_name("parameter") {
                            self.pattern(p, inner, inner);
                        }
                        for c in named_children(n) {
                            if Some(c) != n.child_by_field_name("parameter") {
                                self.walk(c, inner);
                            }
                        }
                    }
                    "for_in_statement" => {
                        let left = n.child_by_field_name("left");
                        let declared = n.child_by_field_name("kind").map(|k| self.t(k).to_string());
                        for c in named_children(n) {
                            if Some(c) == left {
                                match declared.as_deref() {
                                    Some("var") => {
                                        let f = self.function_scope(scope);
                                        self.pattern(c, f, inner);
                                    }
                                    Some(_) => self.pattern(c, inner, inner),
                                    None => self.walk(c, inner),
                                }
                            } else {
                                self.walk(c, inner);
                            }
                        }
                    }
                    _ => self.walk_children(n, inner),
                }
            }
            "lexical_declaration" | "variable_declaration" => {
                let target = if kind == "variable_declaration" {
                    self.function_scope(scope)
                } else {
                    scope
                };
                for d in named_children(n) {
                    if d.kind() != "variable_declarator" {
                        self.walk(d, scope);
                        continue;
                    }
                    let name = d.child_by_field_name("name");
                    for c in named_children(d) {
                        if Some(c) == name {
                            self.pattern(c, target, scope);
                        } else {
                            self.walk(c, scope);
                        }
                    }
                }
            }
            "type_alias_declaration" | "interface_declaration" => {
                let name = n.child_by_field_name("name");
                if let Some(name) = name {
                    self.declare(scope, name, Meaning::Type, "type");
                }
                let inner = self.new_scope(scope, false, n);
                self.type_parameters(n, inner);
                for c in named_children(n) {
                    if Some(c) != name && c.kind() != "type_parameters" {
                        self.walk(c, inner);
                    }
                }
            }
            "enum_declaration" => {
                if let Some(name) = n.child_by_field_name("name") {
                    self.declare(scope, name, Meaning::Both, "enum");
                }
                if let Some(b) = n.child_by_field_name("body") {
                    for c in named_children(b) {
                        if c.kind() == "enum_assignment"
                            && let Some(v) = c.child_by_field_name("value")
                        {
                            self.walk(v, scope);
                        }
                    }
                }
            }
            "identifier" => self.reference(n, scope, Meaning::Value, false),
            "type_identifier" => self.reference(n, scope, Meaning::Type, false),
            "shorthand_property_identifier" => self.reference(n, scope, Meaning::Value, true),
            "member_expression" | "nested_type_identifier" | "nested_identifier" => self.member(n, scope),
            "call_expression" => {
                if let Some(f) = n.child_by_field_name("function")
                    && f.kind() == "import"
                    && let Some(args) = n.child_by_field_name("arguments")
                    && let Some(s) = named_children(args).first()
                    && s.kind() == "string"
                {
                    self.out.dynamic_imports.push(unquote(self.t(*s)).to_string());
                }
                self.walk_children(n, scope);
            }
            "property_identifier"
            | "private_property_identifier"
            | "statement_identifier"
            | "string"
            | "comment"
            | "regex" => {}
            "pair" => {
                // the key is a property name unless computed
                for c in named_children(n) {
                    if Some(c) == n.child_by_field_name("key") && c.kind() != "computed_property_name" {
                        continue;
                    }
                    self.walk(c, scope);
                }
            }
            "public_field_definition" | "property_signature" | "enum_assignment" => {
                let name = n.child_by_field_name("name");
                for c in named_children(n) {
                    if Some(c) == name && c.kind() != "computed_property_name" {
                        continue;
                    }
                    self.walk(c, scope);
                }
            }
            "labeled_statement" | "break_statement" | "continue_statement" => {
                for c in named_children(n) {
                    if c.kind() != "statement_identifier" {
                        self.walk(c, scope);
                    }
                }
            }
            _ => self.walk_children(n, scope),
        }
    }

    /// `a.b.c` (value) or `A.B.C` (type): the head is an ordinary occurrence; a watched
    /// property is recorded with its path.
    fn member(&mut self, n: Node, scope: usize) {
        fn parts(n: Node) -> Option<(Node, Node)> {
            let obj = n
                .child_by_field_name("object")
                .or_else(|| n.child_by_field_name("module"))?;
            let prop = n
                .child_by_field_name("property")
                .or_else(|| n.child_by_field_name("name"))?;
            matches!(
                prop.kind(),
                "property_identifier" | "type_identifier" | "identifier"
            )
            .then_some((obj, prop))
        }
        let Some((obj, prop)) = parts(n) else {
            self.walk_children(n, scope);
            return;
        };
        // the properties, outermost first
        let mut props = vec![(self.t(prop).to_string(), span(prop))];
        let mut cur = obj;
        loop {
            match cur.kind() {
                "identifier" => {
                    let head = self.t(cur).to_string();
                    // the head is an occurrence, not a bare use of a namespace
                    self.occs.push(Occ {
                        name: head.clone(),
                        span: span(cur),
                        scope,
                        meaning: Meaning::Value,
                        shorthand: false,
                        decl: false,
                    });
                    self.record_members(scope, head, None, props);
                    return;
                }
                "member_expression" | "nested_identifier" | "nested_type_identifier" => match parts(cur) {
                    Some((o, p)) => {
                        props.push((self.t(p).to_string(), span(p)));
                        cur = o;
                    }
                    None => {
                        self.walk(cur, scope);
                        return;
                    }
                },
                "call_expression"
                    if cur
                        .child_by_field_name("function")
                        .is_some_and(|f| f.kind() == "import")
                        && let Some(spec) = cur
                            .child_by_field_name("arguments")
                            .and_then(|a| named_children(a).first().copied())
                            .filter(|s| s.kind() == "string") =>
                {
                    let module = unquote(self.t(spec)).to_string();
                    self.record_members(scope, String::new(), Some(module), props);
                    return;
                }
                _ => {
                    // `f().x`, `this.x`, `(a as B).x`
                    self.walk(cur, scope);
                    return;
                }
            }
        }
    }

    /// `head.p1.p2…` (props outermost first): every watched property, with the path before it.
    fn record_members(
        &mut self,
        scope: usize,
        head: String,
        module: Option<String>,
        mut props: Vec<(String, Span)>,
    ) {
        props.reverse();
        for (i, (prop, prop_span)) in props.iter().enumerate() {
            if self.watched(prop) {
                self.members.push((
                    scope,
                    MemberAccess {
                        head: head.clone(),
                        module: module.clone(),
                        path: props[..i].iter().map(|(p, _)| p.clone()).collect(),
                        prop: prop.clone(),
                        prop_span: *prop_span,
                    },
                ));
            }
        }
    }

    fn import(&mut self, n: Node) {
        let Some(source) = n.child_by_field_name("source") else {
            // `import x = require("…")`, `import x = N.y`: a module binding we do not follow
            for c in named_children(n) {
                if c.kind() == "import_require_clause"
                    && let Some(id) = named_children(c).into_iter().find(|x| x.kind() == "identifier")
                {
                    self.declare(0, id, Meaning::Both, "import");
                }
            }
            return;
        };
        let specifier = unquote(self.t(source)).to_string();
        for clause in named_children(n)
            .into_iter()
            .filter(|c| c.kind() == "import_clause")
        {
            for part in named_children(clause) {
                match part.kind() {
                    "identifier" => {
                        self.import_binding(part, &specifier, "default", None);
                    }
                    "namespace_import" => {
                        if let Some(id) = named_children(part)
                            .into_iter()
                            .find(|x| x.kind() == "identifier")
                        {
                            let name = self.t(id).to_string();
                            self.occs.push(Occ {
                                name: name.clone(),
                                span: span(id),
                                scope: 0,
                                meaning: Meaning::Both,
                                shorthand: false,
                                decl: true,
                            });
                            self.scopes[0]
                                .decls
                                .entry(name.clone())
                                .or_default()
                                .push(Meaning::Both);
                            self.out
                                .module
                                .entry(name)
                                .or_default()
                                .push(ModuleBinding::Namespace {
                                    specifier: specifier.clone(),
                                });
                        }
                    }
                    "named_imports" => {
                        for spec in named_children(part)
                            .into_iter()
                            .filter(|s| s.kind() == "import_specifier")
                        {
                            let Some(name) = spec.child_by_field_name("name") else {
                                continue;
                            };
                            let alias = spec.child_by_field_name("alias");
                            let imported = unquote(self.t(name)).to_string();
                            self.import_binding(
                                alias.unwrap_or(name),
                                &specifier,
                                &imported,
                                Some(span(name)),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn import_binding(&mut self, local: Node, specifier: &str, imported: &str, imported_span: Option<Span>) {
        let name = self.t(local).to_string();
        self.out.imports.push(ImportName {
            specifier: specifier.to_string(),
            imported: imported.to_string(),
            imported_span,
            local_span: span(local),
        });
        self.out
            .module
            .entry(name.clone())
            .or_default()
            .push(ModuleBinding::Import {
                specifier: specifier.to_string(),
                imported: imported.to_string(),
            });
        self.scopes[0]
            .decls
            .entry(name.clone())
            .or_default()
            .push(Meaning::Both);
        self.occs.push(Occ {
            name,
            span: span(local),
            scope: 0,
            meaning: Meaning::Both,
            shorthand: false,
            decl: true,
        });
    }

    fn export(&mut self, n: Node, scope: usize) {
        let is_default = {
            let mut c = n.walk();
            n.children(&mut c).any(|c| c.kind() == "default")
        };
        if let Some(decl) = n.child_by_field_name("declaration") {
            let before = self.occs.len();
            self.walk(decl, scope);
            let names: Vec<String> = self.occs[before..]
                .iter()
                .filter(|o| o.decl && o.scope == 0)
                .map(|o| o.name.clone())
                .collect();
            for name in names {
                self.out.exports.push(ExportClause::Local {
                    exported: if is_default {
                        "default".into()
                    } else {
                        name.clone()
                    },
                    local: name,
                    exported_span: None,
                });
            }
            return;
        }
        if let Some(value) = n.child_by_field_name("value") {
            if value.kind() == "identifier" {
                self.out.exports.push(ExportClause::Local {
                    local: self.t(value).to_string(),
                    exported: "default".into(),
                    exported_span: None,
                });
            }
            self.walk(value, scope);
            return;
        }
        let source = n
            .child_by_field_name("source")
            .map(|s| unquote(self.t(s)).to_string());
        if let Some(clause) = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "export_clause")
        {
            for spec in named_children(clause)
                .into_iter()
                .filter(|s| s.kind() == "export_specifier")
            {
                let Some(name) = spec.child_by_field_name("name") else {
                    continue;
                };
                let alias = spec.child_by_field_name("alias");
                let local = unquote(self.t(name)).to_string();
                let exported = alias.map_or(local.clone(), |a| unquote(self.t(a)).to_string());
                match &source {
                    Some(specifier) => self.out.exports.push(ExportClause::From {
                        specifier: specifier.clone(),
                        imported: local,
                        imported_span: span(name),
                        exported,
                        exported_span: alias.map(span),
                    }),
                    None => {
                        // `export { x }` refers to the module-level x (any meaning)
                        self.occs.push(Occ {
                            name: local.clone(),
                            span: span(name),
                            scope: 0,
                            meaning: Meaning::Both,
                            shorthand: false,
                            decl: false,
                        });
                        self.out.exports.push(ExportClause::Local {
                            local,
                            exported,
                            exported_span: alias.map(span),
                        });
                    }
                }
            }
            return;
        }
        if let Some(specifier) = source {
            let alias = named_children(n)
                .into_iter()
                .find(|c| c.kind() == "namespace_export")
                .and_then(|ns| {
                    named_children(ns)
                        .first()
                        .map(|a| unquote(self.t(*a)).to_string())
                });
            self.out.exports.push(ExportClause::Star { specifier, alias });
            return;
        }
        self.walk_children(n, scope);
    }

    /// The scope declaring `name` with `meaning`, seen from `scope`.
    fn resolve(&self, name: &str, mut scope: usize, meaning: Meaning) -> Option<usize> {
        loop {
            if let Some(ms) = self.scopes[scope].decls.get(name)
                && ms.iter().any(|m| m.covers(meaning))
            {
                return Some(scope);
            }
            scope = self.scopes[scope].parent?;
        }
    }

    fn finish(mut self) -> FileScopes {
        let occs = std::mem::take(&mut self.occs);
        for o in &occs {
            if !self.watched(&o.name) {
                continue;
            }
            let at = if o.decl {
                Some(o.scope)
            } else {
                self.resolve(&o.name, o.scope, o.meaning)
            };
            match at {
                Some(0) => {
                    self.out.uses.entry(o.name.clone()).or_default().push(Occurrence {
                        span: o.span,
                        shorthand: o.shorthand,
                    });
                    if !self.out.free_or_module.contains(&o.name) {
                        self.out.free_or_module.push(o.name.clone());
                    }
                }
                None => {
                    if !self.out.free_or_module.contains(&o.name) {
                        self.out.free_or_module.push(o.name.clone());
                    }
                }
                Some(s) => {
                    if o.decl {
                        self.out.inner_decls.push((o.name.clone(), self.scopes[s].span));
                    }
                }
            }
        }
        // declaration merging of a watched module-level name (class + interface/namespace)
        for w in self.watch {
            if let Some(bs) = self.out.module.get(w)
                && bs.len() > 1
                && self.out.unsure.is_none()
            {
                let at = occs
                    .iter()
                    .find(|o| o.decl && o.scope == 0 && &o.name == w)
                    .map(|o| o.span)
                    .unwrap_or_default();
                self.out.unsure = Some((format!("{w} is declared more than once at the top level"), at));
            }
        }
        // member accesses whose head is bound at module level
        let members = std::mem::take(&mut self.members);
        for (scope, m) in members {
            if m.module.is_some() || self.resolve(&m.head, scope, Meaning::Value) == Some(0) {
                self.out.members.push(m);
            }
        }
        // namespace imports used as values (`const x = ns`, `f(ns)`)
        let bare = std::mem::take(&mut self.bare);
        for (name, sp, scope) in bare {
            if let Some(bs) = self.out.module.get(&name)
                && bs.iter().any(|b| matches!(b, ModuleBinding::Namespace { .. }))
                && self.resolve(&name, scope, Meaning::Value) == Some(0)
            {
                self.out.escaping_namespaces.push((name, sp));
            }
        }
        self.out
    }
}
