//! Module level: lowers every top-level statement and records [`Decl`]s.

use tree_sitter::Node;

use crate::facts::*;
use crate::kinds::K;
use crate::lower::{Lowerer, span};

impl Lowerer<'_> {
    /// Lowers the whole program and returns its module-level declarations.
    pub fn lower_program(&mut self, program: Node) -> Vec<Decl> {
        let mut decls = Vec::new();
        let mut module_body = Body::default();
        for stmt in self.syms.named_children(program) {
            self.root_or_walk(stmt, &mut module_body);
            let (decl, exported) = if self.syms.kind(stmt) == K::ExportStatement {
                (self.syms.field(stmt, self.syms.f.declaration), true)
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
        match self.syms.kind(decl) {
            K::LexicalDeclaration | K::VariableDeclaration => {
                let is_const = self
                    .syms
                    .field(decl, self.syms.f.kind)
                    .is_some_and(|k| self.syms.kind(k) == K::Const);
                for declarator in self
                    .syms
                    .named_children(decl)
                    .filter(|c| self.syms.kind(*c) == K::VariableDeclarator)
                {
                    let Some(name) = self.syms.field(declarator, self.syms.f.name) else {
                        continue;
                    };
                    if self.syms.kind(name) != K::Identifier {
                        continue;
                    }
                    let init = self
                        .syms
                        .field(declarator, self.syms.f.value)
                        .and_then(|v| self.node_map.get(&v.id()).copied());
                    add(name, self.text(name), DeclKind::Var { init, is_const });
                }
            }
            K::ClassDeclaration | K::AbstractClassDeclaration => {
                let class =
                    self.node_map
                        .get(&decl.id())
                        .and_then(|&id| match self.exprs[id as usize].kind {
                            Expr::Class { class } => Some(class),
                            _ => None,
                        });
                if let Some(class) = class {
                    self.classes[class as usize].top_level = true;
                    if let Some(name) = self.syms.field(decl, self.syms.f.name) {
                        add(name, self.text(name), DeclKind::Class { class });
                    }
                }
            }
            K::FunctionDeclaration | K::GeneratorFunctionDeclaration => {
                let func = self.node_map.get(&decl.id()).copied();
                if let (Some(func), Some(name)) = (func, self.syms.field(decl, self.syms.f.name)) {
                    add(name, self.text(name), DeclKind::Function { func });
                }
            }
            K::TypeAliasDeclaration => {
                if let (Some(name), Some(value)) = (
                    self.syms.field(decl, self.syms.f.name),
                    self.syms.field(decl, self.syms.f.value),
                ) {
                    let ty = self.lower_type(value);
                    add(name, self.text(name), DeclKind::TypeAlias { ty });
                }
            }
            K::InterfaceDeclaration => {
                if let Some(name) = self.syms.field(decl, self.syms.f.name) {
                    let members = match self.syms.field(decl, self.syms.f.body) {
                        Some(body) => self.type_members(body).0,
                        None => Vec::new(),
                    };
                    let extends = self
                        .syms
                        .named_children(decl)
                        .filter(|c| self.syms.kind(*c) == K::ExtendsTypeClause)
                        .flat_map(|n| self.syms.named_children(n))
                        .map(|t| {
                            let named = if self.syms.kind(t) == K::GenericType {
                                self.syms.field(t, self.syms.f.name)
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
