//! A compact, source-like rendering of [`FileFacts`] for snapshot tests.
#![allow(dead_code)]

use std::fmt::Write;

use alchemy_grammar::*;

pub struct Render<'a> {
    pub text: &'a str,
    pub facts: &'a FileFacts,
}

/// `line:col` (1-based, columns in bytes) of a byte offset.
pub fn pos(text: &str, offset: u32) -> String {
    let before = &text.as_bytes()[..(offset as usize).min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    format!("{line}:{col}")
}

pub fn range(text: &str, span: Span) -> String {
    format!("{}-{}", pos(text, span.start), pos(text, span.end))
}

/// The source text of a span, whitespace collapsed, shortened to `max` chars.
pub fn snippet(text: &str, span: Span, max: usize) -> String {
    let raw = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("<bad span>");
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > max {
        let cut: String = collapsed.chars().take(max).collect();
        format!("{cut}…")
    } else {
        collapsed
    }
}

impl Render<'_> {
    pub fn render(&self) -> String {
        let f = self.facts;
        let mut out = String::new();
        if f.too_large {
            out.push_str("too large\n");
        }
        if !f.imports.is_empty() {
            writeln!(out, "== imports (quote {:?})", f.quote).unwrap();
            for i in &f.imports {
                writeln!(out, "{}", self.import(i)).unwrap();
            }
        }
        if !f.exports.is_empty() {
            out.push_str("== exports\n");
            for e in &f.exports {
                writeln!(out, "{} {}", pos(self.text, e.span.start), self.export(e)).unwrap();
            }
        }
        if !f.decls.is_empty() {
            out.push_str("== decls\n");
            for d in &f.decls {
                writeln!(out, "{} {}", pos(self.text, d.name_span.start), self.decl(d)).unwrap();
            }
        }
        if !f.classes.is_empty() {
            out.push_str("== classes\n");
            for (i, c) in f.classes.iter().enumerate() {
                let name = c.name.as_deref().unwrap_or("<anonymous>");
                let top = if c.top_level { " top-level" } else { "" };
                let heritage = c
                    .heritage
                    .map(|h| format!(" extends {}", self.expr(h)))
                    .unwrap_or_default();
                writeln!(out, "#{i} {} {name}{top}{heritage}", pos(self.text, c.span.start)).unwrap();
            }
        }
        if !f.constructs.is_empty() {
            out.push_str("== constructs\n");
            for c in &f.constructs {
                let span = f.exprs[c.expr as usize].span;
                writeln!(
                    out,
                    "{:?} {} {}",
                    c.kind,
                    range(self.text, span),
                    snippet(self.text, span, 90)
                )
                .unwrap();
            }
        }
        if !f.suppressions.is_empty() {
            out.push_str("== suppressions\n");
            for s in &f.suppressions {
                let what = if s.next_line { "next-line" } else { "file" };
                writeln!(
                    out,
                    "{} {what} [{}]",
                    pos(self.text, s.span.start),
                    s.rules.join(", ")
                )
                .unwrap();
            }
        }
        if !f.syntax_errors.is_empty() {
            out.push_str("== syntax errors\n");
            for s in &f.syntax_errors {
                writeln!(out, "{} {:?}", range(self.text, *s), snippet(self.text, *s, 40)).unwrap();
            }
        }
        out
    }

    pub fn import(&self, i: &Import) -> String {
        let mut parts = vec![format!("{} import", pos(self.text, i.span.start))];
        if i.type_only {
            parts.push("type".into());
        }
        parts.push(format!("{:?}", i.specifier));
        if let Some(d) = &i.default {
            parts.push(format!("default={}", d.name));
        }
        if let Some(n) = &i.namespace {
            parts.push(format!("ns={}", n.name));
        }
        if i.named_span.is_some() {
            let named: Vec<String> = i
                .named
                .iter()
                .map(|n| {
                    let ty = if n.type_only { "type " } else { "" };
                    if n.imported == n.local {
                        format!("{ty}{}", n.local)
                    } else {
                        format!("{ty}{} as {}", n.imported, n.local)
                    }
                })
                .collect();
            parts.push(format!("{{{}}}", named.join(", ")));
        }
        parts.join(" ")
    }

    pub fn export(&self, e: &Export) -> String {
        let ty = |t: bool| if t { "type " } else { "" };
        match &e.kind {
            ExportKind::Local {
                exported,
                local,
                type_only,
            } => format!("{}{local} as {exported}", ty(*type_only)),
            ExportKind::DefaultExpr { expr } => format!("default = {}", self.expr(*expr)),
            ExportKind::From {
                specifier,
                imported,
                exported,
                type_only,
                ..
            } => {
                format!("{}{imported} as {exported} from {specifier:?}", ty(*type_only))
            }
            ExportKind::Star {
                specifier,
                alias,
                type_only,
                ..
            } => {
                let alias = alias.as_ref().map(|a| format!(" as {a}")).unwrap_or_default();
                format!("{}*{alias} from {specifier:?}", ty(*type_only))
            }
        }
    }

    pub fn decl(&self, d: &Decl) -> String {
        let export = if d.exported { "export " } else { "" };
        let body = match &d.kind {
            DeclKind::Var { init, is_const } => {
                let kw = if *is_const { "const" } else { "let/var" };
                match init {
                    Some(i) => format!("{kw} {} = {}", d.name, self.expr(*i)),
                    None => format!("{kw} {}", d.name),
                }
            }
            DeclKind::Class { class } => format!("class {} #{class}", d.name),
            DeclKind::Function { func } => format!("function {} = {}", d.name, self.expr(*func)),
            DeclKind::TypeAlias { ty } => format!("type {} = {}", d.name, self.ty(ty)),
            DeclKind::Interface { members, extends } => {
                let ext = if extends.is_empty() {
                    String::new()
                } else {
                    format!(" extends {}", extends.join(", "))
                };
                let m: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
                format!("interface {}{ext} {{{}}}", d.name, m.join("; "))
            }
        };
        format!("{export}{body}")
    }

    pub fn expr(&self, id: ExprId) -> String {
        let node = &self.facts.exprs[id as usize];
        match &node.kind {
            Expr::Ident { name } => name.clone(),
            Expr::Member { object, property, .. } => format!("{}.{property}", self.expr(*object)),
            Expr::Call {
                callee,
                type_args,
                args,
                broken,
                ..
            } => {
                let ta = type_args
                    .as_ref()
                    .map(|t| {
                        format!(
                            "<{}>",
                            t.args.iter().map(|a| self.ty(a)).collect::<Vec<_>>().join(", ")
                        )
                    })
                    .unwrap_or_default();
                let args: Vec<String> = args.iter().map(|a| self.expr(*a)).collect();
                let broken = if *broken { "!BROKEN" } else { "" };
                format!("{}{ta}({}){broken}", self.expr(*callee), args.join(", "))
            }
            Expr::Str { value } => format!("{value:?}"),
            Expr::Object { props, has_spread } => {
                let mut parts: Vec<String> = props
                    .iter()
                    .map(|p| {
                        let key = p.key.clone().unwrap_or_else(|| "[computed]".into());
                        if p.shorthand {
                            key
                        } else {
                            format!("{key}: {}", self.expr(p.value))
                        }
                    })
                    .collect();
                if *has_spread {
                    parts.push("...".into());
                }
                format!("{{{}}}", parts.join(", "))
            }
            Expr::Array { elems, has_spread } => {
                let mut parts: Vec<String> = elems.iter().map(|e| self.expr(*e)).collect();
                if *has_spread {
                    parts.push("...".into());
                }
                format!("[{}]", parts.join(", "))
            }
            Expr::Function { kind, body } => {
                let kw = match kind {
                    FnKind::Arrow => "=>",
                    FnKind::Function => "fn",
                    FnKind::Generator => "fn*",
                    FnKind::Method => "method",
                };
                format!("{kw} {{ {} }}", self.body(body))
            }
            Expr::Yield { delegate, arg } => {
                let star = if *delegate { "*" } else { "" };
                match arg {
                    Some(a) => format!("yield{star} {}", self.expr(*a)),
                    None => format!("yield{star}"),
                }
            }
            Expr::Class { class } => {
                let c = &self.facts.classes[*class as usize];
                let name = c.name.as_deref().map(|n| format!(" {n}")).unwrap_or_default();
                let heritage = c
                    .heritage
                    .map(|h| format!(" extends {}", self.expr(h)))
                    .unwrap_or_default();
                format!("class{name}{heritage} {{}}")
            }
            Expr::ImportMeta { property } => format!("import.meta.{property}"),
            Expr::Other { children } => {
                if children.is_empty() {
                    "~".into()
                } else {
                    format!(
                        "~({})",
                        children
                            .iter()
                            .map(|c| self.expr(*c))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            }
        }
    }

    fn body(&self, body: &Body) -> String {
        let mut stmts = Vec::new();
        for l in body.locals.iter().filter(|l| l.init.is_none()) {
            stmts.push(format!("let {}", l.name));
        }
        for root in &body.roots {
            let local = body.locals.iter().find(|l| l.init == Some(*root));
            let text = self.expr(*root);
            if let Some(l) = local {
                stmts.push(format!("{} = {text}", l.name));
            } else if body.returns.contains(root) {
                stmts.push(format!("return {text}"));
            } else {
                stmts.push(text);
            }
        }
        stmts.join("; ")
    }

    pub fn ty(&self, t: &TypeNode) -> String {
        let join = |v: &[TypeNode], sep: &str| v.iter().map(|t| self.ty(t)).collect::<Vec<_>>().join(sep);
        match &t.kind {
            TypeKind::Ref { name, args } if args.is_empty() => name.clone(),
            TypeKind::Ref { name, args } => format!("{name}<{}>", join(args, ", ")),
            TypeKind::Union(v) => format!("({})", join(v, " | ")),
            TypeKind::Intersection(v) => format!("({})", join(v, " & ")),
            TypeKind::Keyword(k) => k.clone(),
            TypeKind::Object { members, opaque } => {
                let mut m: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
                if *opaque {
                    m.push("…".into());
                }
                format!("{{{}}}", m.join("; "))
            }
            TypeKind::Tuple(v) => format!("[{}]", join(v, ", ")),
            TypeKind::Array(e) => format!("{}[]", self.ty(e)),
            TypeKind::Typeof(n) => format!("typeof {n}"),
            TypeKind::Other => "?".into(),
        }
    }
}

pub fn render(text: &str, facts: &FileFacts) -> String {
    Render { text, facts }.render()
}

pub fn extract_and_render(text: &str, dialect: Dialect) -> String {
    render(text, &extract(text, dialect))
}
