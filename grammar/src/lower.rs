//! Lowering of expressions into the [`FileFacts::exprs`] arena.
//!
//! Recursion is bounded by [`MAX_DEPTH`]: deeper nodes become `Other { children: [] }`, so
//! pathological nesting cannot overflow the stack.

use rustc_hash::FxHashMap;
use tree_sitter::Node;

use crate::Dialect;
use crate::constructs::Found;
use crate::facts::*;
use crate::kinds::{K, Syms, syms};

/// Nesting depth (expressions + statements + types) beyond which nothing more is lowered.
pub const MAX_DEPTH: u32 = 1500;

/// Stack the lowering may use below its entry point, whatever [`MAX_DEPTH`] allows (debug
/// builds use several KiB per nesting level; threads are commonly given 2 MiB).
pub const STACK_BUDGET: usize = 1 << 20;

/// An address on the current stack frame.
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

pub struct Lowerer<'t> {
    pub text: &'t str,
    /// Kind and field ids of the tree's dialect.
    pub syms: &'static Syms,
    pub exprs: Vec<ExprNode>,
    pub classes: Vec<ClassInfo>,
    /// tree-sitter node id → the expression lowered from it (wrappers map to their inner one).
    pub node_map: FxHashMap<usize, ExprId>,
    pub depth: u32,
    /// Construct candidates seen while lowering (see `constructs.rs`).
    pub found: Found,
    /// Stack address when the lowering started (see [`STACK_BUDGET`]).
    stack_base: usize,
}

pub fn span(node: Node) -> Span {
    Span::new(node.start_byte(), node.end_byte())
}

/// The content of a string literal without its quotes (raw, escapes kept).
pub fn unquote(raw: &str) -> &str {
    let mut chars = raw.chars();
    match (chars.next(), raw.chars().next_back()) {
        (Some(q @ ('"' | '\'' | '`')), Some(last)) if raw.len() >= 2 && last == q => &raw[1..raw.len() - 1],
        (Some('"' | '\'' | '`'), _) => &raw[1..],
        _ => raw,
    }
}

/// Whether the argument list holds an ERROR or MISSING node outside nested function and class
/// bodies (a half-typed statement inside an `Effect.gen(function* () { … })` does not break
/// the `Effect.gen` call, only the calls whose own argument expressions it cuts).
pub fn args_broken(syms: &Syms, arguments: Node) -> bool {
    if !arguments.has_error() {
        return false;
    }
    let mut cursor = arguments.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return true;
        }
        let skip = depth > 0 && matches!(syms.kind(node), K::StatementBlock | K::ClassBody);
        if !skip && node.has_error() && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if depth == 0 {
                return false;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            depth -= 1;
        }
    }
}

impl<'t> Lowerer<'t> {
    pub fn new(text: &'t str, dialect: Dialect) -> Self {
        Lowerer {
            text,
            syms: syms(dialect),
            exprs: Vec::new(),
            classes: Vec::new(),
            // Reserved for one lowered node per 12 bytes of source (Alchemy stacks and the
            // bench workspaces have one per 13-40): no rehash, and the map is dropped after the
            // extraction.
            node_map: FxHashMap::with_capacity_and_hasher(text.len() / 12, Default::default()),
            depth: 0,
            found: Found::default(),
            stack_base: stack_address(),
        }
    }

    /// Enters one nesting level; `false` (and nothing to lower) when too deep.
    pub fn enter(&mut self) -> bool {
        self.depth += 1;
        self.depth <= MAX_DEPTH && stack_address().abs_diff(self.stack_base) < STACK_BUDGET
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    pub fn text(&self, node: Node) -> &'t str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    pub fn push(&mut self, node: Node, kind: Expr) -> ExprId {
        let id = self.exprs.len() as ExprId;
        self.exprs.push(ExprNode {
            span: span(node),
            kind,
        });
        self.node_map.insert(node.id(), id);
        id
    }

    pub fn lower_expr(&mut self, node: Node) -> ExprId {
        let id = if self.enter() {
            self.lower_inner(node)
        } else {
            // Too deep: still a construct candidate (the node is lowered, as `Other`); calls
            // and yields lowered normally are matched by `lower_call` and `lower_inner`.
            if matches!(self.syms.kind(node), K::CallExpression | K::YieldExpression) {
                self.visit(node);
            }
            self.push(node, Expr::Other { children: Vec::new() })
        };
        self.leave();
        id
    }

    fn lower_inner(&mut self, node: Node) -> ExprId {
        match self.syms.kind(node) {
            K::Identifier => {
                let name = self.text(node).to_string();
                self.push(node, Expr::Ident { name })
            }
            K::MemberExpression => self.lower_member(node),
            K::CallExpression => self.lower_call(node),
            K::String => {
                let value = unquote(self.text(node)).to_string();
                self.push(node, Expr::Str { value })
            }
            K::TemplateString => {
                if self
                    .syms
                    .named_children(node)
                    .any(|c| self.syms.kind(c) == K::TemplateSubstitution)
                {
                    self.lower_other(node)
                } else {
                    let value = unquote(self.text(node)).to_string();
                    self.push(node, Expr::Str { value })
                }
            }
            K::Object => self.lower_object(node),
            K::Array => self.lower_array(node),
            K::ArrowFunction
            | K::FunctionExpression
            | K::Function
            | K::GeneratorFunction
            | K::FunctionDeclaration
            | K::GeneratorFunctionDeclaration
            | K::MethodDefinition => self.lower_function(node),
            K::YieldExpression => {
                let (first, delegate) = self.syms.first_named_and_token(node, K::Star);
                if delegate {
                    self.yield_star_candidate(node);
                }
                let arg = first.map(|a| self.lower_expr(a));
                self.push(node, Expr::Yield { delegate, arg })
            }
            K::Class | K::ClassDeclaration | K::AbstractClassDeclaration => self.lower_class(node),
            K::ParenthesizedExpression | K::AsExpression | K::SatisfiesExpression | K::NonNullExpression => {
                let inner = self.syms.named_children(node).next();
                self.unwrap_to(node, inner)
            }
            K::TypeAssertion => {
                let inner = self
                    .syms
                    .named_children(node)
                    .filter(|c| self.syms.kind(*c) != K::TypeArguments)
                    .last();
                self.unwrap_to(node, inner)
            }
            _ => self.lower_other(node),
        }
    }

    fn unwrap_to(&mut self, node: Node, inner: Option<Node>) -> ExprId {
        match inner {
            Some(inner) if self.syms.is_expression(inner) => {
                let id = self.lower_expr(inner);
                self.node_map.insert(node.id(), id);
                id
            }
            _ => self.lower_other(node),
        }
    }

    /// `Other` with every nested expression of `node` as a child.
    fn lower_other(&mut self, node: Node) -> ExprId {
        let mut children = Vec::new();
        self.collect_exprs(node, &mut children);
        self.push(node, Expr::Other { children })
    }

    /// Lowers the outermost expressions below `node` (not `node` itself) into `out`.
    pub fn collect_exprs(&mut self, node: Node, out: &mut Vec<ExprId>) {
        if self.syms.kind(node) == K::ExtendsClause {
            self.visit(node);
        }
        if self.enter() {
            for child in self.syms.named_children(node) {
                if self.syms.is_lowered(child) {
                    out.push(self.lower_expr(child));
                } else if !self.syms.is_opaque(child) {
                    self.collect_exprs(child, out);
                }
            }
        }
        self.leave();
    }

    fn lower_member(&mut self, node: Node) -> ExprId {
        let object = self.syms.field(node, self.syms.f.object);
        let property = self.syms.field(node, self.syms.f.property);
        match (object, property) {
            (Some(object), Some(property)) if self.syms.kind(object) == K::MetaProperty => {
                let property = self.text(property).to_string();
                self.push(node, Expr::ImportMeta { property })
            }
            (Some(object), Some(property)) => {
                let object = self.lower_expr(object);
                let name = self.text(property).to_string();
                self.push(
                    node,
                    Expr::Member {
                        object,
                        property: name,
                        property_span: span(property),
                    },
                )
            }
            _ => self.lower_other(node),
        }
    }

    fn lower_call(&mut self, node: Node) -> ExprId {
        let function = self.syms.field(node, self.syms.f.function);
        let arguments = self.syms.field(node, self.syms.f.arguments);
        let (Some(function), Some(arguments)) = (function, arguments) else {
            return self.lower_other(node);
        };
        if self.syms.kind(arguments) != K::Arguments {
            // Tagged template: tag`…`.
            return self.lower_other(node);
        }
        self.call_candidate(node, function);
        let callee = self.lower_expr(function);
        let type_args = self
            .syms
            .field(node, self.syms.f.type_arguments)
            .map(|ta| self.lower_type_args(ta));
        let args = self
            .syms
            .named_children(arguments)
            .map(|a| self.lower_expr(a))
            .collect();
        let broken = args_broken(self.syms, arguments) || !self.text(arguments).ends_with(')');
        self.push(
            node,
            Expr::Call {
                callee,
                type_args: type_args.map(Box::new),
                args,
                args_span: span(arguments),
                broken,
            },
        )
    }

    pub fn lower_type_args(&mut self, node: Node) -> TypeArgs {
        TypeArgs {
            span: span(node),
            args: self
                .syms
                .named_children(node)
                .map(|t| self.lower_type(t))
                .collect(),
        }
    }

    fn lower_object(&mut self, node: Node) -> ExprId {
        let mut props = Vec::new();
        let mut has_spread = false;
        for child in self.syms.named_children(node) {
            match self.syms.kind(child) {
                K::Pair => {
                    let key = self.syms.field(child, self.syms.f.key);
                    let value = self.syms.field(child, self.syms.f.value);
                    let (Some(key), Some(value)) = (key, value) else {
                        let mut sink = Vec::new();
                        self.collect_exprs(child, &mut sink);
                        continue;
                    };
                    let key_name = self.key_name(key);
                    let value = self.lower_expr(value);
                    props.push(Prop {
                        key: key_name,
                        key_span: span(key),
                        value,
                        shorthand: false,
                        span: span(child),
                    });
                }
                K::ShorthandPropertyIdentifier => {
                    let name = self.text(child).to_string();
                    let value = self.push(child, Expr::Ident { name: name.clone() });
                    props.push(Prop {
                        key: Some(name),
                        key_span: span(child),
                        value,
                        shorthand: true,
                        span: span(child),
                    });
                }
                K::MethodDefinition => {
                    let key = self.syms.field(child, self.syms.f.name);
                    let key_name = key.and_then(|k| self.key_name(k));
                    let value = self.lower_expr(child);
                    props.push(Prop {
                        key: key_name,
                        key_span: key.map(span).unwrap_or_else(|| span(child)),
                        value,
                        shorthand: false,
                        span: span(child),
                    });
                }
                K::SpreadElement => {
                    has_spread = true;
                    let mut sink = Vec::new();
                    self.collect_exprs(child, &mut sink);
                }
                _ => {
                    let mut sink = Vec::new();
                    self.collect_exprs(child, &mut sink);
                }
            }
        }
        self.push(node, Expr::Object { props, has_spread })
    }

    /// The text of a property key; `None` for computed keys (whose expression is still lowered).
    fn key_name(&mut self, key: Node) -> Option<String> {
        match self.syms.kind(key) {
            K::String => Some(unquote(self.text(key)).to_string()),
            K::ComputedPropertyName => {
                let mut sink = Vec::new();
                self.collect_exprs(key, &mut sink);
                None
            }
            _ => Some(self.text(key).to_string()),
        }
    }

    fn lower_array(&mut self, node: Node) -> ExprId {
        let mut elems = Vec::new();
        let mut has_spread = false;
        for child in self.syms.named_children(node) {
            if self.syms.kind(child) == K::SpreadElement {
                has_spread = true;
                let mut sink = Vec::new();
                self.collect_exprs(child, &mut sink);
            } else {
                elems.push(self.lower_expr(child));
            }
        }
        self.push(node, Expr::Array { elems, has_spread })
    }

    fn lower_function(&mut self, node: Node) -> ExprId {
        let kind = match self.syms.kind(node) {
            K::ArrowFunction => FnKind::Arrow,
            K::GeneratorFunction | K::GeneratorFunctionDeclaration => FnKind::Generator,
            K::MethodDefinition if self.syms.has_token(node, K::Star) => FnKind::Generator,
            K::MethodDefinition => FnKind::Method,
            _ => FnKind::Function,
        };
        let mut body = Body {
            params: self.params(node),
            ..Body::default()
        };
        if let Some(b) = self.syms.field(node, self.syms.f.body) {
            if self.syms.kind(b) == K::StatementBlock {
                self.walk_stmt(b, &mut body);
            } else if self.syms.is_expression(b) {
                let e = self.lower_expr(b);
                body.roots.push(e);
                body.returns.push(e);
            }
        }
        self.push(
            node,
            Expr::Function {
                kind,
                body: Box::new(body),
            },
        )
    }

    /// A function's parameters: plain identifiers and object patterns (others are kept
    /// nameless, so positions still line up with the call's arguments).
    fn params(&self, node: Node) -> Vec<Param> {
        if let Some(p) = self.syms.field(node, self.syms.f.parameter) {
            return vec![Param {
                name: (self.syms.kind(p) == K::Identifier).then(|| self.text(p).to_string()),
                fields: Vec::new(),
                span: span(p),
            }];
        }
        let Some(list) = self.syms.field(node, self.syms.f.parameters) else {
            return Vec::new();
        };
        self.syms
            .named_children(list)
            .filter(|p| matches!(self.syms.kind(*p), K::RequiredParameter | K::OptionalParameter))
            .map(|p| {
                let pattern = self.syms.field(p, self.syms.f.pattern);
                let mut param = Param {
                    span: span(p),
                    ..Param::default()
                };
                match pattern.map(|n| (self.syms.kind(n), n)) {
                    Some((K::Identifier, n)) => param.name = Some(self.text(n).to_string()),
                    Some((K::ObjectPattern, n)) => {
                        for f in self.syms.named_children(n) {
                            let (key, local) = match self.syms.kind(f) {
                                K::ShorthandPropertyIdentifierPattern => (f, f),
                                K::ObjectAssignmentPattern => match self.syms.field(f, self.syms.f.left) {
                                    Some(l) => (l, l),
                                    None => continue,
                                },
                                K::PairPattern => {
                                    match (
                                        self.syms.field(f, self.syms.f.key),
                                        self.syms.field(f, self.syms.f.value),
                                    ) {
                                        (Some(k), Some(v)) if self.syms.kind(v) == K::Identifier => (k, v),
                                        _ => continue,
                                    }
                                }
                                _ => continue,
                            };
                            param
                                .fields
                                .push((unquote(self.text(key)).to_string(), self.text(local).to_string()));
                        }
                    }
                    _ => {}
                }
                param
            })
            .collect()
    }

    fn lower_class(&mut self, node: Node) -> ExprId {
        let class = self.classes.len() as ClassId;
        let name = self.syms.field(node, self.syms.f.name);
        self.classes.push(ClassInfo {
            name: name.map(|n| self.text(n).to_string()),
            name_span: name.map(span),
            span: span(node),
            heritage: None,
            top_level: false,
        });
        let extends = self
            .syms
            .named_children(node)
            .find(|c| self.syms.kind(*c) == K::ClassHeritage)
            .and_then(|h| {
                self.syms
                    .named_children(h)
                    .find(|c| self.syms.kind(*c) == K::ExtendsClause)
            });
        if let Some(extends) = extends {
            self.visit(extends);
        }
        let heritage = extends.and_then(|e| self.syms.field(e, self.syms.f.value));
        if let Some(value) = heritage {
            let id = self.lower_expr(value);
            self.classes[class as usize].heritage = Some(id);
        }
        if let Some(body) = self.syms.field(node, self.syms.f.body) {
            self.lower_class_body(body);
        }
        self.push(node, Expr::Class { class })
    }

    /// Members are lowered into the arena (methods, field initialisers, static blocks) but not
    /// referenced from the class.
    fn lower_class_body(&mut self, body: Node) {
        for member in self.syms.named_children(body) {
            match self.syms.kind(member) {
                K::MethodDefinition => {
                    self.lower_expr(member);
                }
                K::ClassStaticBlock => {
                    let mut sink = Body::default();
                    if let Some(b) = self.syms.field(member, self.syms.f.body) {
                        self.walk_stmt(b, &mut sink);
                    }
                }
                _ => {
                    if let Some(value) = self.syms.field(member, self.syms.f.value) {
                        self.lower_expr(value);
                    }
                }
            }
        }
    }
}
