//! Statement walking: fills a function [`Body`] (locals, returns, root expressions).

use tree_sitter::Node;

use crate::facts::{Body, Local};
use crate::kinds::{is_declaration_expression, is_expression, is_opaque};
use crate::lower::{Lowerer, named_children, span};

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
        match node.kind() {
            "return_statement" => {
                for child in named_children(node) {
                    if is_expression(child.kind()) {
                        let e = self.lower_expr(child);
                        body.roots.push(e);
                        body.returns.push(e);
                    }
                }
            }
            "lexical_declaration" | "variable_declaration" => {
                for declarator in named_children(node).filter(|c| c.kind() == "variable_declarator") {
                    let init = declarator
                        .child_by_field_name("value")
                        .map(|v| self.lower_expr(v));
                    if let Some(e) = init {
                        body.roots.push(e);
                    }
                    if let Some(name) = declarator.child_by_field_name("name")
                        && name.kind() == "identifier"
                    {
                        body.locals.push(Local {
                            name: self.text(name).to_string(),
                            name_span: span(name),
                            init,
                        });
                    }
                }
            }
            "catch_clause" => {
                if let Some(b) = node.child_by_field_name("body") {
                    self.walk_stmt(b, body);
                }
            }
            "for_in_statement" => {
                if let Some(right) = node.child_by_field_name("right") {
                    self.root_or_walk(right, body);
                }
                if let Some(b) = node.child_by_field_name("body") {
                    self.walk_stmt(b, body);
                }
            }
            _ => {
                for child in named_children(node) {
                    self.root_or_walk(child, body);
                }
            }
        }
    }

    pub fn root_or_walk(&mut self, child: Node, body: &mut Body) {
        let kind = child.kind();
        if is_expression(kind) || is_declaration_expression(kind) {
            let e = self.lower_expr(child);
            body.roots.push(e);
        } else if !is_opaque(kind) {
            self.walk_stmt(child, body);
        }
    }
}
