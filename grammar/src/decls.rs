//! Module level: lowers every top-level statement and records [`Decl`]s.

use tree_sitter::Node;

use crate::facts::*;
use crate::lower::{Lowerer, named_children, span};

impl Lowerer<'_> {
    /// Lowers the whole program and returns its module-level declarations.
    pub fn lower_program(&mut self, program: Node) -> Vec<Decl> {
        let mut decls = Vec::new();
        let mut module_body = Body::default();
        for stmt in named_children(program) {
            self.root_or_walk(stmt, &mut module_body);
            let (decl, exported) = if stmt.kind() == "export_statement" {
                (stmt.child_by_field_name("declaration"), true)
            } else {
                (Some(stmt), false)
            };
            if let Some(decl) = decl {
                self.record_decl(decl, stmt, exported, &mut decls);
            }
        }
        decls
    }

    fn record_decl(&mut self, decl: Node, stmt: Node, exported: bool, out: &mut Vec<Decl>) {
        let mut add = |name: Node, text: &str, kind: DeclKind| {
            out.push(Decl {
                name: text.to_string(),
                name_span: span(name),
                span: span(stmt),
                exported,
                kind,
            });
        };
        match decl.kind() {
            "lexical_declaration" | "variable_declaration" => {
                let is_const = decl
                    .child_by_field_name("kind")
                    .is_some_and(|k| k.kind() == "const");
                for declarator in named_children(decl).filter(|c| c.kind() == "variable_declarator") {
                    let Some(name) = declarator.child_by_field_name("name") else {
                        continue;
                    };
                    if name.kind() != "identifier" {
                        continue;
                    }
                    let init = declarator
                        .child_by_field_name("value")
                        .and_then(|v| self.node_map.get(&v.id()).copied());
                    add(name, self.text(name), DeclKind::Var { init, is_const });
                }
            }
            "class_declaration" | "abstract_class_declaration" => {
                let class =
                    self.node_map
                        .get(&decl.id())
                        .and_then(|&id| match self.exprs[id as usize].kind {
                            Expr::Class { class } => Some(class),
                            _ => None,
                        });
                if let Some(class) = class {
                    self.classes[class as usize].top_level = true;
                    if let Some(name) = decl.child_by_field_name("name") {
                        add(name, self.text(name), DeclKind::Class { class });
                    }
                }
            }
            "function_declaration" | "generator_function_declaration" => {
                let func = self.node_map.get(&decl.id()).copied();
                if let (Some(func), Some(name)) = (func, decl.child_by_field_name("name")) {
                    add(name, self.text(name), DeclKind::Function { func });
                }
            }
            "type_alias_declaration" => {
                if let (Some(name), Some(value)) = (
                    decl.child_by_field_name("name"),
                    decl.child_by_field_name("value"),
                ) {
                    let ty = self.lower_type(value);
                    add(name, self.text(name), DeclKind::TypeAlias { ty });
                }
            }
            "interface_declaration" => {
                if let Some(name) = decl.child_by_field_name("name") {
                    let members = match decl.child_by_field_name("body") {
                        Some(body) => self.type_members(body).0,
                        None => Vec::new(),
                    };
                    let extends = named_children(decl)
                        .filter(|c| c.kind() == "extends_type_clause")
                        .flat_map(named_children)
                        .map(|t| {
                            let named = if t.kind() == "generic_type" {
                                t.child_by_field_name("name")
                            } else {
                                None
                            };
                            self.text(named.unwrap_or(t))
                                .chars()
                                .filter(|c| !c.is_whitespace())
                                .collect()
                        })
                        .collect();
                    add(name, self.text(name), DeclKind::Interface { members, extends });
                }
            }
            _ => {}
        }
    }
}
