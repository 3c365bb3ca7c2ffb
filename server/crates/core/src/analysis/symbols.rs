//! Cross-file name resolution: what a module-level name, an import binding or a member
//! chain (`NS.Counter`, `Cloudflare.Worker`) refers to, following re-export chains.

use std::collections::HashSet;

use alchemy_grammar::{DeclKind, ExportKind, Expr, ExprId, FileFacts};

use crate::workspace::{FileId, Resolved, Workspace};

/// Maximum depth of re-export chains and alias hops.
const MAX_DEPTH: usize = 16;

/// What a name refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Sym {
    /// A module-level declaration (`decls[decl]`).
    Decl { file: FileId, decl: usize },
    /// `export default <expr>` (not a plain identifier).
    DefaultExpr { file: FileId, expr: ExprId },
    /// The namespace object of a workspace module (`import * as NS from "./x"`).
    Namespace { file: FileId },
    /// A member of an external module (`alchemy/Cloudflare`'s `Worker`; `effect`'s `Effect`).
    /// `name` may be dotted for nested members (`Website.Vite`).
    External { module: String, name: String },
    /// The namespace object of an external module.
    ExternalNamespace { module: String },
    /// An import that does not resolve (module not found, or name not exported).
    Unresolved { file: FileId, import: usize },
}

/// Resolves names across the workspace.
pub struct Symbols<'a> {
    pub ws: &'a Workspace,
}

impl<'a> Symbols<'a> {
    pub fn new(ws: &'a Workspace) -> Self {
        Symbols { ws }
    }

    pub fn facts(&self, file: FileId) -> &'a FileFacts {
        &self.ws.file(file).facts
    }

    /// A module-level name in `file`: a declaration or an import binding.
    pub fn resolve_name(&self, file: FileId, name: &str) -> Option<Sym> {
        self.resolve_name_depth(file, name, 0)
    }

    fn resolve_name_depth(&self, file: FileId, name: &str, depth: usize) -> Option<Sym> {
        if depth > MAX_DEPTH {
            return None;
        }
        let facts = self.facts(file);
        // Prefer a value declaration; a type alias/interface with the same name is only used
        // when nothing else matches (class declarations are both).
        let mut type_decl = None;
        for (i, d) in facts.decls.iter().enumerate() {
            if d.name == name {
                match d.kind {
                    DeclKind::TypeAlias { .. } | DeclKind::Interface { .. } => {
                        type_decl.get_or_insert(Sym::Decl { file, decl: i });
                    }
                    _ => return Some(Sym::Decl { file, decl: i }),
                }
            }
        }
        let src = self.ws.file(file);
        for (i, imp) in facts.imports.iter().enumerate() {
            let target = src.imports.get(i);
            if imp.default.as_ref().is_some_and(|b| b.name == name) {
                return Some(self.import_member(file, i, target, "default", depth));
            }
            if imp.namespace.as_ref().is_some_and(|b| b.name == name) {
                return Some(match target {
                    Some(Resolved::File(f)) => Sym::Namespace { file: *f },
                    Some(Resolved::External { specifier } | Resolved::Opaque { specifier, .. }) => {
                        Sym::ExternalNamespace {
                            module: specifier.clone(),
                        }
                    }
                    _ => Sym::Unresolved { file, import: i },
                });
            }
            if let Some(n) = imp.named.iter().find(|n| n.local == name) {
                return Some(self.import_member(file, i, target, &n.imported, depth));
            }
        }
        type_decl
    }

    fn import_member(
        &self,
        file: FileId,
        import: usize,
        target: Option<&Resolved>,
        name: &str,
        depth: usize,
    ) -> Sym {
        match target {
            Some(Resolved::File(f)) => self
                .resolve_export_depth(*f, name, depth + 1, &mut HashSet::new())
                .unwrap_or(Sym::Unresolved { file, import }),
            Some(Resolved::External { specifier } | Resolved::Opaque { specifier, .. }) => Sym::External {
                module: specifier.clone(),
                name: name.to_string(),
            },
            _ => Sym::Unresolved { file, import },
        }
    }

    /// The export `name` of module `file`.
    pub fn resolve_export(&self, file: FileId, name: &str) -> Option<Sym> {
        self.resolve_export_depth(file, name, 0, &mut HashSet::new())
    }

    fn resolve_export_depth(
        &self,
        file: FileId,
        name: &str,
        depth: usize,
        visiting: &mut HashSet<(FileId, String)>,
    ) -> Option<Sym> {
        if depth > MAX_DEPTH || !visiting.insert((file, name.to_string())) {
            return None;
        }
        let src = self.ws.file(file);
        let facts = &src.facts;
        // Local and explicit exports first.
        for (i, e) in facts.exports.iter().enumerate() {
            match &e.kind {
                ExportKind::Local { exported, local, .. } if exported == name => {
                    return self.resolve_name_depth(file, local, depth + 1);
                }
                ExportKind::DefaultExpr { expr } if name == "default" => {
                    return Some(Sym::DefaultExpr { file, expr: *expr });
                }
                ExportKind::From {
                    imported, exported, ..
                } if exported == name => {
                    return match src.reexports.get(i).and_then(|r| r.as_ref()) {
                        Some(Resolved::File(f)) => {
                            self.resolve_export_depth(*f, imported, depth + 1, visiting)
                        }
                        Some(Resolved::External { specifier } | Resolved::Opaque { specifier, .. }) => {
                            Some(Sym::External {
                                module: specifier.clone(),
                                name: imported.clone(),
                            })
                        }
                        _ => None,
                    };
                }
                ExportKind::Star {
                    alias: Some(alias), ..
                } if alias == name => {
                    return match src.reexports.get(i).and_then(|r| r.as_ref()) {
                        Some(Resolved::File(f)) => Some(Sym::Namespace { file: *f }),
                        Some(Resolved::External { specifier } | Resolved::Opaque { specifier, .. }) => {
                            Some(Sym::ExternalNamespace {
                                module: specifier.clone(),
                            })
                        }
                        _ => None,
                    };
                }
                _ => {}
            }
        }
        for (i, d) in facts.decls.iter().enumerate() {
            if d.exported && d.name == name {
                return Some(Sym::Decl { file, decl: i });
            }
        }
        if name == "default" {
            return None;
        }
        // `export *`: one declaration reached by several stars is fine; different ones are
        // ambiguous (unresolved).
        let mut found: Vec<Sym> = Vec::new();
        let mut external: Option<Sym> = None;
        for (i, e) in facts.exports.iter().enumerate() {
            if let ExportKind::Star { alias: None, .. } = &e.kind {
                match src.reexports.get(i).and_then(|r| r.as_ref()) {
                    Some(Resolved::File(f)) => {
                        if let Some(s) = self.resolve_export_depth(*f, name, depth + 1, visiting)
                            && !found.contains(&s)
                        {
                            found.push(s);
                        }
                    }
                    Some(Resolved::External { specifier } | Resolved::Opaque { specifier, .. }) => {
                        external.get_or_insert(Sym::External {
                            module: specifier.clone(),
                            name: name.to_string(),
                        });
                    }
                    _ => {}
                }
            }
        }
        match found.len() {
            1 => found.pop(),
            0 => external,
            _ => None,
        }
    }

    /// What an expression names: identifiers (module scope) and member chains on namespaces.
    /// Local variables of function bodies are not considered here.
    pub fn resolve_expr(&self, file: FileId, expr: ExprId) -> Option<Sym> {
        let facts = self.facts(file);
        let node = facts.exprs.get(expr as usize)?;
        match &node.kind {
            Expr::Ident { name } => self.resolve_name(file, name),
            Expr::Member { object, property, .. } => {
                let base = self.resolve_expr(file, *object)?;
                self.member(&base, property)
            }
            _ => None,
        }
    }

    /// `base.property` where base is a namespace.
    pub fn member(&self, base: &Sym, property: &str) -> Option<Sym> {
        match base {
            Sym::Namespace { file } => self.resolve_export(*file, property),
            Sym::ExternalNamespace { module } => Some(Sym::External {
                module: module.clone(),
                name: property.to_string(),
            }),
            Sym::External { module, name } => Some(Sym::External {
                module: module.clone(),
                name: format!("{name}.{property}"),
            }),
            _ => None,
        }
    }

    /// Follow `const X = Y` aliases and default-export identifiers to the final symbol.
    pub fn unalias(&self, sym: Sym) -> Sym {
        let mut cur = sym;
        for _ in 0..MAX_DEPTH {
            let next = match &cur {
                Sym::Decl { file, decl } => {
                    let d = &self.facts(*file).decls[*decl];
                    match &d.kind {
                        DeclKind::Var { init: Some(init), .. } => {
                            match &self.facts(*file).exprs[*init as usize].kind {
                                Expr::Ident { .. } | Expr::Member { .. } => self.resolve_expr(*file, *init),
                                _ => None,
                            }
                        }
                        _ => None,
                    }
                }
                Sym::DefaultExpr { file, expr } => match &self.facts(*file).exprs[*expr as usize].kind {
                    Expr::Ident { .. } | Expr::Member { .. } => self.resolve_expr(*file, *expr),
                    _ => None,
                },
                _ => None,
            };
            match next {
                Some(n) if n != cur => cur = n,
                _ => break,
            }
        }
        cur
    }
}
