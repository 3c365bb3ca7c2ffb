//! Cross-file name resolution: what a module-level name, an import binding or a member
//! chain (`NS.Counter`, `Cloudflare.Worker`) refers to, following re-export chains.

use std::sync::OnceLock;

use alchemy_grammar::{DeclKind, ExportKind, Expr, ExprId, FileFacts};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::workspace::{FileId, Resolved, Workspace};

/// Maximum depth of re-export chains and alias hops.
const MAX_DEPTH: usize = 16;

/// The (module, export name) pairs one resolution has visited (on the stack: most
/// resolutions visit one or two).
type Visited<'n> = SmallVec<[(FileId, &'n str); 4]>;

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
    /// Each file's module-level names (by file id), indexed when first asked: a stack that
    /// imports a thousand Workers resolves thousands of names, each a scan of its imports
    /// otherwise.
    /// Only for files with more than [`INDEXED_NAMES`] declarations and imports; the others
    /// are scanned.
    names: Vec<OnceLock<Names>>,
    /// What each import binding of each file names (by file id), as a module-level name asks
    /// for it: computed on first ask. A Worker's imports are resolved by the resources, the
    /// scopes and several rules, each a walk into the imported module's exports otherwise.
    /// (Boxed: every component's analysis holds one entry per file of the workspace.)
    bindings: Vec<OnceLock<Box<Bindings>>>,
}

/// One file's import-binding resolutions: `slots[offsets[i] + k]` for the `k`-th binding of
/// `imports[i]` (default, namespace, then named, in that order).
struct Bindings {
    offsets: Box<[u32]>,
    slots: Box<[OnceLock<Sym>]>,
}

impl Bindings {
    fn of(facts: &FileFacts) -> Bindings {
        let mut offsets = Vec::with_capacity(facts.imports.len());
        let mut n = 0u32;
        for imp in &facts.imports {
            offsets.push(n);
            n += u32::from(imp.default.is_some())
                + u32::from(imp.namespace.is_some())
                + imp.named.len() as u32;
        }
        Bindings {
            offsets: offsets.into(),
            slots: (0..n).map(|_| OnceLock::new()).collect(),
        }
    }

    fn slot(&self, facts: &FileFacts, import: usize, binding: ImportBinding) -> Option<&OnceLock<Sym>> {
        let imp = facts.imports.get(import)?;
        let has_default = u32::from(imp.default.is_some());
        let k = match binding {
            ImportBinding::Default => 0,
            ImportBinding::Namespace => has_default,
            ImportBinding::Named(k) => has_default + u32::from(imp.namespace.is_some()) + k as u32,
        };
        self.slots.get((*self.offsets.get(import)? + k) as usize)
    }
}

/// A file's module-level names: what [`Symbols::resolve_name`] finds for each.
type Names = FxHashMap<Box<str>, NameEntry>;

/// Files with more declarations and imports than this get a name index.
const INDEXED_NAMES: usize = 24;

/// The first value declaration, the first type declaration and the first import binding
/// of a name (in source order; within an import: default, namespace, then named).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct NameEntry {
    value: Option<usize>,
    type_decl: Option<usize>,
    import: Option<(usize, ImportBinding)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ImportBinding {
    Default,
    Namespace,
    /// `named[i]`.
    Named(usize),
}

fn index_names(facts: &FileFacts) -> Names {
    fn entry<'n>(names: &'n mut Names, name: &str) -> &'n mut NameEntry {
        if !names.contains_key(name) {
            names.insert(name.into(), NameEntry::default());
        }
        names.get_mut(name).expect("just inserted")
    }
    let mut names: Names = FxHashMap::default();
    for (i, d) in facts.decls.iter().enumerate() {
        let e = entry(&mut names, &d.name);
        match d.kind {
            DeclKind::TypeAlias { .. } | DeclKind::Interface { .. } => {
                e.type_decl.get_or_insert(i);
            }
            _ => {
                e.value.get_or_insert(i);
            }
        }
    }
    for (i, imp) in facts.imports.iter().enumerate() {
        if let Some(b) = &imp.default {
            entry(&mut names, &b.name)
                .import
                .get_or_insert((i, ImportBinding::Default));
        }
        if let Some(b) = &imp.namespace {
            entry(&mut names, &b.name)
                .import
                .get_or_insert((i, ImportBinding::Namespace));
        }
        for (k, n) in imp.named.iter().enumerate() {
            entry(&mut names, &n.local)
                .import
                .get_or_insert((i, ImportBinding::Named(k)));
        }
    }
    names
}

/// [`index_names`]'s entry of `name`, by a scan (for files with few names).
fn scan_names(facts: &FileFacts, name: &str) -> Option<NameEntry> {
    let mut e = NameEntry::default();
    for (i, d) in facts.decls.iter().enumerate() {
        if d.name == name {
            match d.kind {
                DeclKind::TypeAlias { .. } | DeclKind::Interface { .. } => {
                    e.type_decl.get_or_insert(i);
                }
                _ => {
                    e.value = Some(i);
                    return Some(e);
                }
            }
        }
    }
    for (i, imp) in facts.imports.iter().enumerate() {
        let binding = if imp.default.as_ref().is_some_and(|b| b.name == name) {
            ImportBinding::Default
        } else if imp.namespace.as_ref().is_some_and(|b| b.name == name) {
            ImportBinding::Namespace
        } else if let Some(k) = imp.named.iter().position(|n| n.local == name) {
            ImportBinding::Named(k)
        } else {
            continue;
        };
        e.import = Some((i, binding));
        return Some(e);
    }
    e.type_decl.is_some().then_some(e)
}

impl<'a> Symbols<'a> {
    pub fn new(ws: &'a Workspace) -> Self {
        let mut names = Vec::new();
        names.resize_with(ws.files.len(), OnceLock::new);
        let mut bindings = Vec::new();
        bindings.resize_with(ws.files.len(), OnceLock::new);
        Symbols { ws, names, bindings }
    }

    fn name_entry(&self, file: FileId, facts: &FileFacts, name: &str) -> Option<NameEntry> {
        match self.names.get(file.0 as usize) {
            Some(cell) if facts.decls.len() + facts.imports.len() > INDEXED_NAMES => {
                cell.get_or_init(|| index_names(facts)).get(name).copied()
            }
            _ => scan_names(facts, name),
        }
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
        // Prefer a value declaration, then an import binding; a type alias/interface with the
        // same name is only used when nothing else matches (class declarations are both).
        let entry = self.name_entry(file, facts, name)?;
        if let Some(i) = entry.value {
            return Some(Sym::Decl { file, decl: i });
        }
        if let Some((i, binding)) = entry.import {
            // A binding's answer is a function of the binding alone when the walk starts
            // here (deeper, the depth bound could cut it short): kept for the next ask.
            if depth == 0
                && let Some(slot) = self.bindings.get(file.0 as usize).and_then(|b| {
                    b.get_or_init(|| Box::new(Bindings::of(facts)))
                        .slot(facts, i, binding)
                })
            {
                return Some(
                    slot.get_or_init(|| self.resolve_binding(file, facts, i, binding, 0))
                        .clone(),
                );
            }
            return Some(self.resolve_binding(file, facts, i, binding, depth));
        }
        entry.type_decl.map(|i| Sym::Decl { file, decl: i })
    }

    /// What import binding `binding` of `imports[i]` names.
    fn resolve_binding(
        &self,
        file: FileId,
        facts: &FileFacts,
        i: usize,
        binding: ImportBinding,
        depth: usize,
    ) -> Sym {
        let target = self.ws.file(file).imports.get(i);
        match binding {
            ImportBinding::Default => self.import_member(file, i, target, "default", depth),
            ImportBinding::Namespace => match target {
                Some(Resolved::File(f)) => Sym::Namespace { file: *f },
                Some(Resolved::External { specifier } | Resolved::Opaque { specifier, .. }) => {
                    Sym::ExternalNamespace {
                        module: specifier.clone(),
                    }
                }
                _ => Sym::Unresolved { file, import: i },
            },
            ImportBinding::Named(k) => {
                self.import_member(file, i, target, &facts.imports[i].named[k].imported, depth)
            }
        }
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
                .resolve_export_depth(*f, name, depth + 1, &mut Visited::new())
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
        self.resolve_export_depth(file, name, 0, &mut Visited::new())
    }

    fn resolve_export_depth<'n>(
        &self,
        file: FileId,
        name: &'n str,
        depth: usize,
        visiting: &mut Visited<'n>,
    ) -> Option<Sym>
    where
        'a: 'n,
    {
        if depth > MAX_DEPTH || visiting.contains(&(file, name)) {
            return None;
        }
        visiting.push((file, name));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The index finds what the scan finds, for every name of files where names repeat
    /// across declarations (value and type), default, namespace and named imports.
    #[test]
    fn the_name_index_agrees_with_the_scan() {
        let texts = [
            r#"
import A, * as NS from "./a";
import { B, C as D, type E } from "./b";
import { A as A2, B as B2 } from "./c";
import B3, { NS as NS2 } from "./d";
import * as D from "./e";
type T = string;
interface I { x: number }
type B = number;
export class T {}
interface E { y: string }
const A = 1;
function F() {}
type NS2 = string;
let F = 2;
"#,
            r#"
import X from "./x";
import { X as Y, Y as X2 } from "./y";
import * as Z from "./z";
type Z = 1;
interface Y {}
"#,
        ];
        for text in texts {
            let facts = alchemy_grammar::extract(text, alchemy_grammar::Dialect::TypeScript);
            let mut names: Vec<&str> = facts.decls.iter().map(|d| d.name.as_str()).collect();
            for imp in &facts.imports {
                names.extend(imp.default.iter().chain(&imp.namespace).map(|b| b.name.as_str()));
                names.extend(imp.named.iter().map(|n| n.local.as_str()));
            }
            names.push("Missing");
            assert!(names.len() > 5, "{names:?}");
            let index = index_names(&facts);
            // what resolve_name uses: the value declaration, else the import, else the type
            let used = |e: Option<NameEntry>| {
                e.map(|e| match (e.value, e.import) {
                    (Some(_), _) => (e.value, None, None),
                    (None, Some(_)) => (None, e.import, None),
                    (None, None) => (None, None, e.type_decl),
                })
            };
            for name in names {
                assert_eq!(
                    used(index.get(name).copied()),
                    used(scan_names(&facts, name)),
                    "{name}"
                );
            }
            // a value declaration wins over an import and a type of the same name
            let a = scan_names(&facts, "A");
            assert!(a.is_none() || a.is_some_and(|e| e.value.is_some() || e.import.is_some()));
        }
    }

    /// A binding's memoised answer is its own, whatever order the names are asked in (a wrong
    /// slot would hand one binding another's answer), and equals a resolution that bypasses
    /// the memo.
    #[test]
    fn memoised_import_bindings_answer_for_their_own_binding() {
        let text = r#"
import A, * as NS from "./a";
import { B, C as D, type E } from "./b";
import F, { G as H } from "./c";
import * as I from "./d";
import { B as Shadowed } from "./e";
const Shadowed = 1;
"#;
        let ws = crate::analysis::testing::snapshot(&[("main.ts", text)]);
        let file = FileId(0);
        let names = ["A", "NS", "B", "D", "E", "F", "H", "I", "Shadowed", "Missing"];
        let external = |module: &str, name: &str| {
            Some(Sym::External {
                module: module.into(),
                name: name.into(),
            })
        };
        for order in [names.to_vec(), names.iter().rev().copied().collect()] {
            let syms = Symbols::new(&ws);
            for name in order {
                let first = syms.resolve_name(file, name);
                assert_eq!(first, syms.resolve_name(file, name), "{name}: asked twice");
                // depth 1 bypasses the memo
                assert_eq!(first, syms.resolve_name_depth(file, name, 1), "{name}");
            }
            assert_eq!(syms.resolve_name(file, "A"), external("./a", "default"));
            assert_eq!(
                syms.resolve_name(file, "NS"),
                Some(Sym::ExternalNamespace { module: "./a".into() })
            );
            assert_eq!(syms.resolve_name(file, "D"), external("./b", "C"));
            assert_eq!(syms.resolve_name(file, "E"), external("./b", "E"));
            assert_eq!(syms.resolve_name(file, "F"), external("./c", "default"));
            assert_eq!(syms.resolve_name(file, "H"), external("./c", "G"));
            assert_eq!(
                syms.resolve_name(file, "I"),
                Some(Sym::ExternalNamespace { module: "./d".into() })
            );
            assert_eq!(
                syms.resolve_name(file, "Shadowed"),
                Some(Sym::Decl { file, decl: 0 })
            );
            assert_eq!(syms.resolve_name(file, "Missing"), None);
        }
    }
}
