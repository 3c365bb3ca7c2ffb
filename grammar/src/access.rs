//! Read helpers over [`FileFacts`] (additive; the data types live in `facts.rs`).

use crate::facts::*;

impl FileFacts {
    /// The expression node `id` (`None` for an out-of-range id).
    pub fn expr(&self, id: ExprId) -> Option<&ExprNode> {
        self.exprs.get(id as usize)
    }

    /// The kind of expression `id`.
    pub fn expr_kind(&self, id: ExprId) -> Option<&Expr> {
        self.expr(id).map(|e| &e.kind)
    }

    /// The class `id`.
    pub fn class(&self, id: ClassId) -> Option<&ClassInfo> {
        self.classes.get(id as usize)
    }

    /// The module-level declaration named `name` (the first one, if repeated).
    pub fn decl(&self, name: &str) -> Option<&Decl> {
        self.decls.iter().find(|d| d.name == name)
    }

    /// `A`, `A.B`, `A.B.C` as its names (`None` for anything that is not an identifier with
    /// property accesses).
    pub fn dotted_path(&self, id: ExprId) -> Option<Vec<&str>> {
        let mut names = Vec::new();
        let mut current = id;
        // Bounded: member chains are acyclic, but a corrupted arena must not loop forever.
        for _ in 0..self.exprs.len() + 1 {
            match self.expr_kind(current)? {
                Expr::Ident { name } => {
                    names.push(name.as_str());
                    names.reverse();
                    return Some(names);
                }
                Expr::Member { object, property, .. } => {
                    names.push(property.as_str());
                    current = *object;
                }
                _ => return None,
            }
        }
        None
    }

    /// The value of a string literal (or substitution-free template).
    pub fn str_value(&self, id: ExprId) -> Option<&str> {
        match self.expr_kind(id)? {
            Expr::Str { value } => Some(value),
            _ => None,
        }
    }

    /// The property `key` of an object literal (the last one wins, as in JavaScript).
    pub fn object_prop(&self, object: ExprId, key: &str) -> Option<&Prop> {
        match self.expr_kind(object)? {
            Expr::Object { props, .. } => props.iter().rev().find(|p| p.key.as_deref() == Some(key)),
            _ => None,
        }
    }

    /// For a curried call `F<T>(inner_args)(args)`: the inner call's id and the outer call's
    /// id is `id` itself. Returns `(inner call, F's callee)`.
    pub fn curried_inner(&self, id: ExprId) -> Option<(ExprId, ExprId)> {
        let Expr::Call { callee, .. } = self.expr_kind(id)? else {
            return None;
        };
        match self.expr_kind(*callee)? {
            Expr::Call {
                callee: inner_callee, ..
            } => Some((*callee, *inner_callee)),
            _ => None,
        }
    }

    /// The direct sub-expressions of `id` in source order: a member's object, a call's callee
    /// and arguments, property values, array elements, a function's body roots, a yield's
    /// argument, a class's heritage, `Other` children.
    pub fn children(&self, id: ExprId) -> Vec<ExprId> {
        let Some(kind) = self.expr_kind(id) else {
            return Vec::new();
        };
        match kind {
            Expr::Ident { .. } | Expr::Str { .. } | Expr::ImportMeta { .. } => Vec::new(),
            Expr::Member { object, .. } => vec![*object],
            Expr::Call { callee, args, .. } => std::iter::once(*callee).chain(args.iter().copied()).collect(),
            Expr::Object { props, .. } => props.iter().map(|p| p.value).collect(),
            Expr::Array { elems, .. } => elems.clone(),
            Expr::Function { body, .. } => body.roots.clone(),
            Expr::Yield { arg, .. } => arg.iter().copied().collect(),
            Expr::Class { class } => self.class(*class).and_then(|c| c.heritage).into_iter().collect(),
            Expr::Other { children } => children.clone(),
        }
    }

    /// The source text of a span (empty if the span does not fit `text`).
    pub fn span_text(text: &str, span: Span) -> &str {
        text.get(span.start as usize..span.end as usize).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use crate::{Dialect, Expr, extract};

    #[test]
    fn helpers() {
        let src = "export class W extends Cloudflare.Website.Vite<W>()(\"W\", { main: 'x', main: \"y\" }) {}";
        let facts = extract(src, Dialect::TypeScript);
        let decl = facts.decl("W").unwrap();
        let crate::DeclKind::Class { class } = decl.kind else {
            panic!()
        };
        let heritage = facts.class(class).unwrap().heritage.unwrap();
        let (inner, factory) = facts.curried_inner(heritage).unwrap();
        assert_eq!(
            facts.dotted_path(factory).unwrap(),
            ["Cloudflare", "Website", "Vite"]
        );
        assert!(matches!(facts.expr_kind(inner), Some(Expr::Call { .. })));
        let children = facts.children(heritage);
        assert_eq!(children.len(), 3);
        assert_eq!(facts.str_value(children[1]), Some("W"));
        let main = facts.object_prop(children[2], "main").unwrap();
        assert_eq!(facts.str_value(main.value), Some("y"));
        assert_eq!(crate::FileFacts::span_text(src, main.span), "main: \"y\"");
        assert_eq!(facts.dotted_path(children[1]), None);
        assert!(facts.expr(u32::MAX).is_none());
        assert!(facts.children(u32::MAX).is_empty());
    }
}
