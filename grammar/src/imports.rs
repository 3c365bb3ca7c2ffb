//! `import` statements (found by `queries/imports.scm`) → [`Import`].

use tree_sitter::Node;

use crate::facts::{Binding, Import, NamedImport};
use crate::kinds::K;
use crate::lower::{Lowerer, span, unquote};

impl Lowerer<'_> {
    /// Reads one `import_statement`; `None` for `import x = require(…)` and broken statements.
    pub fn read_import(&self, stmt: Node) -> Option<Import> {
        // One pass over the statement's children: `import_require_clause`, `type`, clauses.
        let (mut type_only, mut clauses) = (false, Vec::new());
        let mut cursor = stmt.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                match self.syms.kind(child) {
                    K::ImportRequireClause if child.is_named() => return None,
                    K::ImportClause if child.is_named() => clauses.push(child),
                    K::Type if !child.is_named() => type_only = true,
                    _ => {}
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        let source = self.syms.field(stmt, self.syms.f.source)?;
        let mut import = Import {
            specifier: unquote(self.text(source)).to_string(),
            specifier_span: span(source),
            span: span(stmt),
            type_only,
            default: None,
            namespace: None,
            named: Vec::new(),
            named_span: None,
        };
        for clause in clauses {
            for part in self.syms.named_children(clause) {
                match self.syms.kind(part) {
                    K::Identifier => import.default = Some(self.binding(part)),
                    K::NamespaceImport => {
                        import.namespace = self
                            .syms
                            .named_children(part)
                            .find(|n| self.syms.kind(*n) == K::Identifier)
                            .map(|n| self.binding(n));
                    }
                    K::NamedImports => {
                        import.named_span = Some(span(part));
                        for spec in self
                            .syms
                            .named_children(part)
                            .filter(|s| self.syms.kind(*s) == K::ImportSpecifier)
                        {
                            if let Some(named) = self.named_import(spec, type_only) {
                                import.named.push(named);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Some(import)
    }

    fn binding(&self, node: Node) -> Binding {
        Binding {
            name: self.text(node).to_string(),
            span: span(node),
        }
    }

    fn named_import(&self, spec: Node, type_only: bool) -> Option<NamedImport> {
        let name = self.syms.field(spec, self.syms.f.name)?;
        let local = self.syms.field(spec, self.syms.f.alias).unwrap_or(name);
        Some(NamedImport {
            imported: unquote(self.text(name)).to_string(),
            local: self.text(local).to_string(),
            span: span(spec),
            local_span: span(local),
            type_only: type_only || self.syms.has_token(spec, K::Type),
        })
    }
}
