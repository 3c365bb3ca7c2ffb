//! `import` statements (found by `queries/imports.scm`) → [`Import`].

use tree_sitter::Node;

use crate::facts::{Binding, Import, NamedImport};
use crate::lower::{Lowerer, has_token, named_children, span, unquote};

impl Lowerer<'_> {
    /// Reads one `import_statement`; `None` for `import x = require(…)` and broken statements.
    pub fn read_import(&self, stmt: Node) -> Option<Import> {
        if named_children(stmt).any(|c| c.kind() == "import_require_clause") {
            return None;
        }
        let source = stmt.child_by_field_name("source")?;
        let type_only = has_token(stmt, "type");
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
        for clause in named_children(stmt).filter(|c| c.kind() == "import_clause") {
            for part in named_children(clause) {
                match part.kind() {
                    "identifier" => import.default = Some(self.binding(part)),
                    "namespace_import" => {
                        import.namespace = named_children(part)
                            .find(|n| n.kind() == "identifier")
                            .map(|n| self.binding(n));
                    }
                    "named_imports" => {
                        import.named_span = Some(span(part));
                        for spec in named_children(part).filter(|s| s.kind() == "import_specifier") {
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
        let name = spec.child_by_field_name("name")?;
        let local = spec.child_by_field_name("alias").unwrap_or(name);
        Some(NamedImport {
            imported: unquote(self.text(name)).to_string(),
            local: self.text(local).to_string(),
            span: span(spec),
            local_span: span(local),
            type_only: type_only || has_token(spec, "type"),
        })
    }
}
