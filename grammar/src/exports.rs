//! `export` statements (found by `queries/exports.scm`) → [`Export`].

use tree_sitter::Node;

use crate::facts::{Export, ExportKind, Expr};
use crate::kinds::K;
use crate::lower::{Lowerer, span, unquote};

impl Lowerer<'_> {
    /// Reads one `export_statement` (already lowered) into `out`. `export =` and
    /// `export as namespace` are ignored.
    pub fn read_export(&self, stmt: Node, out: &mut Vec<Export>) {
        let mut push = |kind: ExportKind| {
            out.push(Export {
                span: span(stmt),
                kind,
            });
        };
        let local = |exported: &str, local: &str, type_only: bool| ExportKind::Local {
            exported: exported.to_string(),
            local: local.to_string(),
            type_only,
        };
        let is_default = self.syms.has_token(stmt, K::Default);
        if let Some(decl) = self.syms.field(stmt, self.syms.f.declaration) {
            let names = self.declared_names(decl);
            if is_default {
                match names.first() {
                    Some(name) => push(local("default", name, false)),
                    None => {
                        if let Some(&expr) = self.node_map.get(&decl.id()) {
                            push(ExportKind::DefaultExpr { expr });
                        }
                    }
                }
            } else {
                for name in names {
                    push(local(name, name, false));
                }
            }
            return;
        }
        if let Some(value) = self.syms.field(stmt, self.syms.f.value) {
            if let Some(&expr) = self.node_map.get(&value.id()) {
                match &self.exprs[expr as usize].kind {
                    Expr::Ident { name } => push(local("default", name, false)),
                    _ => push(ExportKind::DefaultExpr { expr }),
                }
            }
            return;
        }
        let source = self.syms.field(stmt, self.syms.f.source);
        let specifier = source.map(|s| (unquote(self.text(s)).to_string(), span(s)));
        // `export type * from` parses as `ERROR(type)`, `*`, source.
        let type_only = self.syms.has_token(stmt, K::Type)
            || self
                .syms
                .named_children(stmt)
                .any(|c| self.syms.kind(c) == K::Error && self.text(c).trim() == "type");
        if let Some(clause) = self
            .syms
            .named_children(stmt)
            .find(|c| self.syms.kind(*c) == K::ExportClause)
        {
            for spec in self
                .syms
                .named_children(clause)
                .filter(|s| self.syms.kind(*s) == K::ExportSpecifier)
            {
                let Some(name) = self.syms.field(spec, self.syms.f.name) else {
                    continue;
                };
                let name = unquote(self.text(name));
                let exported = self
                    .syms
                    .field(spec, self.syms.f.alias)
                    .map_or(name, |a| unquote(self.text(a)));
                let type_only = type_only || self.syms.has_token(spec, K::Type);
                match &specifier {
                    Some((specifier, specifier_span)) => push(ExportKind::From {
                        specifier: specifier.clone(),
                        specifier_span: *specifier_span,
                        imported: name.to_string(),
                        exported: exported.to_string(),
                        type_only,
                    }),
                    None => push(local(exported, name, type_only)),
                }
            }
            return;
        }
        let Some((specifier, specifier_span)) = specifier else {
            return;
        };
        let namespace = self
            .syms
            .named_children(stmt)
            .find(|c| self.syms.kind(*c) == K::NamespaceExport);
        if namespace.is_none() && !self.syms.has_token(stmt, K::Star) {
            return;
        }
        let alias = namespace
            .and_then(|ns| self.syms.named_children(ns).next())
            .map(|a| unquote(self.text(a)).to_string());
        push(ExportKind::Star {
            specifier,
            specifier_span,
            alias,
            type_only,
        });
    }

    /// Names declared by a declaration node (plain identifiers only).
    fn declared_names(&self, decl: Node) -> Vec<&str> {
        match self.syms.kind(decl) {
            K::LexicalDeclaration | K::VariableDeclaration => self
                .syms
                .named_children(decl)
                .filter(|c| self.syms.kind(*c) == K::VariableDeclarator)
                .filter_map(|d| self.syms.field(d, self.syms.f.name))
                .filter(|n| self.syms.kind(*n) == K::Identifier)
                .map(|n| self.text(n))
                .collect(),
            _ => self
                .syms
                .field(decl, self.syms.f.name)
                .map(|n| self.text(n))
                .into_iter()
                .collect(),
        }
    }
}
