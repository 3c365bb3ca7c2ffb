//! Statement walking: fills a function [`Body`] (locals, returns, root expressions).

use tree_sitter::Node;

use crate::facts::{Body, Local};
use crate::kinds::K;
use crate::lower::{Lowerer, span};

impl Lowerer<'_> {
    /// Walks a statement (or any node holding statements), lowering every statement-level
    /// expression as a root of `body`. Nested functions are lowered as expressions only.
    pub fn walk_stmt(&mut self, node: Node, body: &mut Body) {
        if self.enter() {
            self.walk_stmt_inner(node, body);
        }
        self.leave();
    }

    fn walk_stmt_inner(&mut self, node: Node, body: &mut Body) {
        match self.syms.kind(node) {
            K::ReturnStatement => {
                for child in self.syms.named_children(node) {
                    if self.syms.is_expression(child) {
                        let e = self.lower_expr(child);
                        body.roots.push(e);
                        body.returns.push(e);
                    }
                }
            }
            K::LexicalDeclaration | K::VariableDeclaration => {
                for declarator in self
                    .syms
                    .named_children(node)
                    .filter(|c| self.syms.kind(*c) == K::VariableDeclarator)
                {
                    let init = self
                        .syms
                        .field(declarator, self.syms.f.value)
                        .map(|v| self.lower_expr(v));
                    if let Some(e) = init {
                        body.roots.push(e);
                    }
                    if let Some(name) = self.syms.field(declarator, self.syms.f.name)
                        && self.syms.kind(name) == K::Identifier
                    {
                        body.locals.push(Local {
                            name: self.text(name).to_string(),
                            name_span: span(name),
                            init,
                        });
                    }
                }
            }
            K::CatchClause => {
                if let Some(b) = self.syms.field(node, self.syms.f.body) {
                    self.walk_stmt(b, body);
                }
            }
            K::ForInStatement => {
                if let Some(right) = self.syms.field(node, self.syms.f.right) {
                    self.root_or_walk(right, body);
                }
                if let Some(b) = self.syms.field(node, self.syms.f.body) {
                    self.walk_stmt(b, body);
                }
            }
            kind => {
                if kind == K::ExtendsClause {
                    self.visit(node);
                }
                for child in self.syms.named_children(node) {
                    self.root_or_walk(child, body);
                }
            }
        }
    }

    pub fn root_or_walk(&mut self, child: Node, body: &mut Body) {
        if self.syms.is_lowered(child) {
            let e = self.lower_expr(child);
            body.roots.push(e);
        } else if !self.syms.is_opaque(child) {
            self.walk_stmt(child, body);
        }
    }
}
