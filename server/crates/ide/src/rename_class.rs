//! Rename of a Worker's or Durable Object's TypeScript class name across the workspace.
//!
//! The language server gathers the files that may refer to the class ([`RenameFile`]: every
//! TypeScript file of the workspace that mentions the name or re-exports, open buffers
//! included, with what each module specifier resolves to); this module follows imports and
//! exports from the declaration (named, aliased, default, `export … from`, `export *`,
//! `import * as ns` + `ns.X`) and renames every occurrence bound to the class, skipping
//! same-named locals of inner scopes ([`super::scope`]). It refuses rather than guess: a new
//! name that is not an identifier or that an affected file already binds, a declaration
//! outside the workspace, a file whose scopes it cannot follow.
//!
//! Nothing deployed depends on the class name: a Worker's and a Durable Object's Cloudflare
//! names come from the logical id / name string (`"Counter"` is the binding name, the
//! exported class in the bundle and the namespace's class), so the rename keeps every id.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use alchemy_grammar::{Dialect, Span};

use super::info::with_model;
use super::scope::{ExportClause, FileScopes, MemberAccess, ModuleBinding, scan};
use super::{PrepareRename, RenameError};
use alchemy_ls_core::analysis::Analysis;
use alchemy_ls_core::analysis::graph::ResourceKind;
use alchemy_ls_core::workspace::{FileId, Workspace};

/// A TypeScript file a class rename reads (gathered by the language server).
#[derive(Clone, Debug)]
pub struct RenameFile {
    /// Canonical path.
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Module specifiers (static and dynamic) → the file they resolve to (an index into the
    /// same list); specifiers that lead elsewhere are absent.
    pub resolved: HashMap<String, usize>,
}

/// An edit of a file known by path (some renamed files are not in the analysed workspace).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEdit {
    pub path: PathBuf,
    pub span: Span,
    pub new_text: String,
}

/// The class name under the cursor when it names a Worker or Durable Object class of the
/// analysis (the cheap test before the language server gathers files).
pub fn class_name_at(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Option<String> {
    let text = &ws.file(file).text;
    let word = word_at(text, offset)?;
    with_model(ws, an, Some(file), |m| {
        m.ctx
            .res
            .list
            .iter()
            .any(|r| renamable_kind(r.kind) && r.class.is_some() && r.name == word)
            .then(|| word.to_string())
    })
}

fn renamable_kind(k: ResourceKind) -> bool {
    matches!(
        k,
        ResourceKind::Worker | ResourceKind::DurableObject | ResourceKind::RpcDurableObject
    )
}

fn word_at(text: &str, offset: u32) -> Option<&str> {
    let b = text.as_bytes();
    let o = (offset as usize).min(b.len());
    let is = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
    let mut s = o;
    while s > 0 && is(b[s - 1]) {
        s -= 1;
    }
    let mut e = o;
    while e < b.len() && is(b[e]) {
        e += 1;
    }
    (s < e).then(|| text.get(s..e)).flatten()
}

/// What a module-level name or an export leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Entity {
    /// A declaration `name` at the top level of file `file`.
    Local { file: usize, name: String },
    /// A module object (`import * as ns`, `export * as ns`).
    Namespace(usize),
}

struct Universe<'a> {
    files: &'a [RenameFile],
    scans: Vec<FileScopes>,
    roots: Vec<PathBuf>,
}

impl Universe<'_> {
    fn new<'a>(ws: &Workspace, files: &'a [RenameFile], watch: &[String]) -> Universe<'a> {
        let scans = files
            .iter()
            .map(|f| {
                let dialect = alchemy_grammar::Dialect::from_path(&f.path.to_string_lossy())
                    .unwrap_or(Dialect::TypeScript);
                scan(&f.text, dialect, watch)
            })
            .collect();
        Universe {
            files,
            scans,
            roots: ws.roots.clone(),
        }
    }

    fn target(&self, from: usize, specifier: &str) -> Option<usize> {
        self.files[from].resolved.get(specifier).copied()
    }

    fn binding(&self, f: usize, name: &str, depth: u32) -> Option<Entity> {
        if depth > 64 {
            return None;
        }
        let bs = self.scans[f].module.get(name)?;
        match bs.first()? {
            ModuleBinding::Local { .. } => Some(Entity::Local {
                file: f,
                name: name.to_string(),
            }),
            ModuleBinding::Import { specifier, imported } => {
                self.export(self.target(f, specifier)?, imported, depth + 1)
            }
            ModuleBinding::Namespace { specifier } => Some(Entity::Namespace(self.target(f, specifier)?)),
        }
    }

    fn export(&self, f: usize, name: &str, depth: u32) -> Option<Entity> {
        if depth > 64 {
            return None;
        }
        for e in &self.scans[f].exports {
            match e {
                ExportClause::Local { local, exported, .. } if exported == name => {
                    return self.binding(f, local, depth + 1);
                }
                ExportClause::From {
                    specifier,
                    imported,
                    exported,
                    ..
                } if exported == name => {
                    return self.export(self.target(f, specifier)?, imported, depth + 1);
                }
                ExportClause::Star {
                    specifier,
                    alias: Some(a),
                } if a == name => return Some(Entity::Namespace(self.target(f, specifier)?)),
                _ => {}
            }
        }
        if name == "default" {
            return None;
        }
        self.scans[f].exports.iter().find_map(|e| match e {
            ExportClause::Star {
                specifier,
                alias: None,
            } => self.export(self.target(f, specifier)?, name, depth + 1),
            _ => None,
        })
    }

    /// `head.path…` in file `f` → the module object it names, if any.
    fn namespace_of(&self, f: usize, m: &MemberAccess) -> Option<usize> {
        let (head, path) = (&m.head, &m.path);
        let mut e = match &m.module {
            Some(spec) => Entity::Namespace(self.target(f, spec)?),
            None => self.binding(f, head, 0)?,
        };
        for p in path {
            let Entity::Namespace(t) = e else { return None };
            e = self.export(t, p, 0)?;
        }
        match e {
            Entity::Namespace(t) => Some(t),
            Entity::Local { .. } => None,
        }
    }

    fn line(&self, f: usize, at: Span) -> String {
        let text = &self.files[f].text;
        let line = text
            .get(..at.start as usize)
            .map_or(0, |t| t.bytes().filter(|&b| b == b'\n').count())
            + 1;
        format!("{}:{line}", self.rel(f))
    }

    /// A file's path relative to the workspace root that holds it.
    fn rel(&self, f: usize) -> String {
        let p = &self.files[f].path;
        self.roots
            .iter()
            .find_map(|r| p.strip_prefix(r).ok())
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    }
}

/// A place in a file that spells the name being renamed, and what it names there.
struct Site {
    span: Span,
    entity: Option<Entity>,
    /// An occurrence of the module-level binding of the name (renaming it renames that
    /// binding: the file's collisions matter).
    binding: bool,
    /// `{ name }` in an object literal.
    shorthand: bool,
}

/// Every place in file `f` that spells `name`: the occurrences bound to its module-level
/// binding, imported names (`import { name as y }`), names in `export … from` and export
/// aliases, and `ns.name` members.
fn sites(u: &Universe, f: usize, name: &str) -> Vec<Site> {
    let s = &u.scans[f];
    let mut out = Vec::new();
    let site = |span, entity, binding, shorthand| Site {
        span,
        entity,
        binding,
        shorthand,
    };
    let uses = s.uses.get(name).map(Vec::as_slice).unwrap_or_default();
    if !uses.is_empty() {
        let entity = u.binding(f, name, 0);
        for o in uses {
            out.push(site(o.span, entity.clone(), true, o.shorthand));
        }
    }
    let exported = |spec: &str, imported: &str| u.export(u.target(f, spec)?, imported, 0);
    for i in &s.imports {
        // an unaliased import's name is the local binding's occurrence (above)
        if let Some(sp) = i.imported_span
            && i.imported == name
            && sp != i.local_span
        {
            out.push(site(sp, exported(&i.specifier, name), false, false));
        }
    }
    for e in &s.exports {
        match e {
            ExportClause::From {
                specifier,
                imported,
                imported_span,
                exported: as_name,
                exported_span,
            } => {
                if imported == name {
                    out.push(site(*imported_span, exported(specifier, imported), false, false));
                }
                if let Some(sp) = exported_span
                    && as_name == name
                {
                    out.push(site(*sp, exported(specifier, imported), false, false));
                }
            }
            ExportClause::Local {
                local,
                exported: as_name,
                exported_span: Some(sp),
            } if as_name == name => out.push(site(*sp, u.binding(f, local, 0), false, false)),
            _ => {}
        }
    }
    for m in s.members.iter().filter(|m| m.prop == name) {
        let entity = u.namespace_of(f, m).and_then(|ns| u.export(ns, name, 0));
        out.push(site(m.prop_span, entity, false, false));
    }
    out
}

/// The class the cursor names: its entity, or `None` when the cursor is not on a use of it.
fn entity_at(u: &Universe, c: usize, offset: u32, name: &str) -> Option<Entity> {
    sites(u, c, name)
        .into_iter()
        .find(|s| s.span.start <= offset && offset <= s.span.end)?
        .entity
}

/// The class a rename at the cursor renames: a Worker or Durable Object class declared in the
/// workspace, or why not.
fn target_at(
    ws: &Workspace,
    an: &Analysis,
    u: &Universe,
    cursor: usize,
    offset: u32,
    name: &str,
) -> Result<Option<Entity>, RenameError> {
    let Some(entity) = entity_at(u, cursor, offset, name) else {
        return outside_workspace(ws, an, u, cursor, offset, name).map_or(Ok(None), Err);
    };
    let Entity::Local { file, name: local } = &entity else {
        return Ok(None);
    };
    if local != name {
        return Ok(None);
    }
    let class = u.scans[*file].module.get(name).and_then(|bs| match bs.first() {
        Some(ModuleBinding::Local { class, .. }) => *class,
        _ => None,
    });
    let Some(class_span) = class else {
        return Ok(None);
    };
    // a Worker or Durable Object class of the analysis
    let path = &u.files[*file].path;
    let Some(fid) = ws.file_id(path) else {
        return Ok(None);
    };
    let kind = with_model(ws, an, Some(fid), |m| {
        m.ctx
            .res
            .list
            .iter()
            .find(|r| r.file == fid && r.class.is_some() && r.span == class_span && r.name == name)
            .map(|r| r.kind)
    });
    if !kind.is_some_and(renamable_kind) {
        return Ok(None);
    }
    if !in_workspace(ws, path) {
        return Err(refuse_outside(name, path));
    }
    Ok(Some(entity))
}

/// Under a workspace root, and not in `node_modules`.
fn in_workspace(ws: &Workspace, path: &std::path::Path) -> bool {
    ws.roots.iter().any(|r| path.starts_with(r))
        && !path.components().any(|c| c.as_os_str() == "node_modules")
}

fn refuse_outside(name: &str, path: &std::path::Path) -> RenameError {
    RenameError::Refused(format!(
        "{name} is declared outside the workspace ({}): rename it where it is declared.",
        path.display()
    ))
}

/// On an imported use of `name` whose declaration the gathered files do not hold: the refusal
/// when the analysis knows a Worker or Durable Object class of that name outside the workspace.
fn outside_workspace(
    ws: &Workspace,
    an: &Analysis,
    u: &Universe,
    cursor: usize,
    offset: u32,
    name: &str,
) -> Option<RenameError> {
    let s = &u.scans[cursor];
    let imported = matches!(s.module.get(name)?.first()?, ModuleBinding::Import { .. });
    let on_use = s
        .uses
        .get(name)?
        .iter()
        .any(|o| o.span.start <= offset && offset <= o.span.end);
    if !imported || !on_use {
        return None;
    }
    let fid = ws.file_id(&u.files[cursor].path)?;
    let path = with_model(ws, an, Some(fid), |m| {
        m.ctx
            .res
            .list
            .iter()
            .filter(|r| renamable_kind(r.kind) && r.class.is_some() && r.name == name)
            .map(|r| ws.file(r.file).path.clone())
            .find(|p| !in_workspace(ws, p))
    })?;
    Some(refuse_outside(name, &path))
}

/// Refusals that hold whatever the new name: a file the scope walk cannot follow, a module
/// object used as a value, a dynamic import of a module that exports the class.
fn check_followable(u: &Universe, target: &Entity, name: &str) -> Result<(), RenameError> {
    let exports_target = |f: usize| u.export(f, name, 0).as_ref() == Some(target);
    for (f, s) in u.scans.iter().enumerate() {
        let mentions = s.uses.get(name).is_some_and(|v| !v.is_empty())
            || s.members.iter().any(|m| m.prop == name)
            || s.imports.iter().any(|i| i.imported == name);
        if !mentions {
            continue;
        }
        if let Some((why, at)) = &s.unsure {
            return Err(RenameError::Refused(format!(
                "{} has {why}, whose scopes alchemy-ls does not follow: rename {name} with TypeScript's rename.",
                u.line(f, *at)
            )));
        }
        for (ns, at) in &s.escaping_namespaces {
            if let Some(Entity::Namespace(t)) = u.binding(f, ns, 0)
                && exports_target(t)
            {
                return Err(RenameError::Refused(format!(
                    "{} uses the module object {ns} as a value, so its {name} property cannot be followed: rename {name} with TypeScript's rename.",
                    u.line(f, *at)
                )));
            }
        }
        for d in &s.dynamic_imports {
            if let Some(t) = u.target(f, d)
                && exports_target(t)
            {
                return Err(RenameError::Refused(format!(
                    "{} imports \"{d}\" dynamically (import(…)), whose {name} alchemy-ls does not follow: rename {name} with TypeScript's rename.",
                    u.rel(f)
                )));
            }
        }
    }
    Ok(())
}

/// `prepareRename` on a class name: the identifier and its text, or why not (`Ok(None)`:
/// not a Worker or Durable Object class alchemy-ls renames).
pub fn prepare_class_rename(
    ws: &Workspace,
    an: &Analysis,
    files: &[RenameFile],
    cursor: usize,
    offset: u32,
    name: &str,
) -> Result<Option<PrepareRename>, RenameError> {
    let u = Universe::new(ws, files, &[name.to_string()]);
    let Some(target) = target_at(ws, an, &u, cursor, offset, name)? else {
        return Ok(None);
    };
    check_followable(&u, &target, name)?;
    let text = &files[cursor].text;
    let b = text.as_bytes();
    let mut s = (offset as usize).min(b.len());
    let is = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
    while s > 0 && is(b[s - 1]) {
        s -= 1;
    }
    Ok(Some(PrepareRename {
        span: Span::new(s, s + name.len()),
        placeholder: name.to_string(),
    }))
}

/// TypeScript's predefined type names, which no class may take.
const PREDEFINED_TYPES: &[&str] = &[
    "any",
    "unknown",
    "never",
    "number",
    "string",
    "boolean",
    "symbol",
    "object",
    "bigint",
    "undefined",
];

/// A class name TypeScript accepts: an identifier, not a reserved word or a predefined type.
pub fn valid_class_name(new: &str) -> bool {
    use alchemy_ls_core::analysis::rules::invalid_export_name::{Problem, problem};
    !matches!(problem(new), Some(Problem::NotIdentifier | Problem::Reserved))
        && !PREDEFINED_TYPES.contains(&new)
}

/// The edits renaming the class under the cursor to `new`.
pub fn rename_class(
    ws: &Workspace,
    an: &Analysis,
    files: &[RenameFile],
    cursor: usize,
    offset: u32,
    name: &str,
    new: &str,
) -> Result<Option<Vec<FileEdit>>, RenameError> {
    let u = Universe::new(ws, files, &[name.to_string(), new.to_string()]);
    let Some(target) = target_at(ws, an, &u, cursor, offset, name)? else {
        return Ok(None);
    };
    if !valid_class_name(new) {
        return Err(RenameError::Refused(format!(
            "\"{new}\" is not a valid class name: use an identifier (letters, digits, _ or $, not starting with a digit) that is not a reserved word."
        )));
    }
    if new == name {
        return Ok(Some(Vec::new()));
    }
    check_followable(&u, &target, name)?;
    // the logical id / name string stays: nothing deployed depends on the class name
    let mut edits: Vec<(usize, Span, String)> = Vec::new();
    // files whose exported `name` is the class: after the rename they export `new`
    for f in 0..files.len() {
        if u.export(f, name, 0).as_ref() == Some(&target) && u.export(f, new, 0).is_some() {
            return Err(RenameError::Refused(format!(
                "{} already exports {new}: choose another name.",
                u.rel(f)
            )));
        }
    }
    for (f, s) in u.scans.iter().enumerate() {
        let mut file_edits: Vec<(Span, String)> = Vec::new();
        // the renamed occurrences of the module-level binding
        let mut bound: Vec<Span> = Vec::new();
        for site in sites(&u, f, name) {
            if site.entity.as_ref() != Some(&target) {
                continue;
            }
            if site.binding {
                bound.push(site.span);
            }
            let text = if site.shorthand {
                format!("{name}: {new}")
            } else {
                new.to_string()
            };
            file_edits.push((site.span, text));
        }
        if !bound.is_empty() {
            // the module-level binding becomes `new`: nothing in this file may bind or use it
            if s.module.contains_key(new) || s.free_or_module.iter().any(|n| n == new) {
                let what = if s.module.contains_key(new) {
                    format!("already declares or imports {new}")
                } else {
                    format!("uses the global {new}")
                };
                return Err(RenameError::Refused(format!(
                    "{} {what}: renaming {name} there would change what {new} refers to.",
                    u.rel(f)
                )));
            }
            for (_, scope) in s.inner_decls.iter().filter(|(n, _)| n == new) {
                if let Some(sp) = bound
                    .iter()
                    .find(|sp| scope.start <= sp.start && sp.end <= scope.end)
                {
                    return Err(RenameError::Refused(format!(
                        "{} declares {new} in a scope that uses {name}: after the rename it would refer to that local.",
                        u.line(f, *sp)
                    )));
                }
            }
        }
        file_edits.sort_by_key(|(sp, _)| (sp.start, sp.end));
        file_edits.dedup_by_key(|(sp, _)| *sp);
        edits.extend(file_edits.into_iter().map(|(sp, t)| (f, sp, t)));
    }
    let mut seen = HashSet::new();
    Ok(Some(
        edits
            .into_iter()
            .filter(|(f, sp, _)| seen.insert((*f, *sp)))
            .map(|(f, span, new_text)| FileEdit {
                path: files[f].path.clone(),
                span,
                new_text,
            })
            .collect(),
    ))
}
