//! `export` statements (found by `queries/exports.scm`) → [`Export`].

use tree_sitter::Node;

use crate::facts::{Export, ExportKind, Expr};
use crate::lower::{Lowerer, has_token, named_children, span, unquote};

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
        let is_default = has_token(stmt, "default");
        if let Some(decl) = stmt.child_by_field_name("declaration") {
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
        if let Some(value) = stmt.child_by_field_name("value") {
            if let Some(&expr) = self.node_map.get(&value.id()) {
                match &self.exprs[expr as usize].kind {
                    Expr::Ident { name } => push(local("default", name, false)),
                    _ => push(ExportKind::DefaultExpr { expr }),
                }
            }
            return;
        }
        let source = stmt.child_by_field_name("source");
        let specifier = source.map(|s| (unquote(self.text(s)).to_string(), span(s)));
        // `export type * from` parses as `ERROR(type)`, `*`, source.
        let type_only = has_token(stmt, "type")
            || named_children(stmt).any(|c| c.kind() == "ERROR" && self.text(c).trim() == "type");
        if let Some(clause) = named_children(stmt).find(|c| c.kind() == "export_clause") {
            for spec in named_children(clause).filter(|s| s.kind() == "export_specifier") {
                let Some(name) = spec.child_by_field_name("name") else {
                    continue;
                };
                let name = unquote(self.text(name));
                let exported = spec
                    .child_by_field_name("alias")
                    .map_or(name, |a| unquote(self.text(a)));
                let type_only = type_only || has_token(spec, "type");
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
        let namespace = named_children(stmt).find(|c| c.kind() == "namespace_export");
        if namespace.is_none() && !has_token(stmt, "*") {
            return;
        }
        let alias = namespace
            .and_then(|ns| named_children(ns).next())
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
        match decl.kind() {
            "lexical_declaration" | "variable_declaration" => named_children(decl)
                .filter(|c| c.kind() == "variable_declarator")
                .filter_map(|d| d.child_by_field_name("name"))
                .filter(|n| n.kind() == "identifier")
                .map(|n| self.text(n))
                .collect(),
            _ => decl
                .child_by_field_name("name")
                .map(|n| self.text(n))
                .into_iter()
                .collect(),
        }
    }
}
