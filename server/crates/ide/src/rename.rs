//! Rename of logical ids, keeping what is deployed (`textDocument/prepareRename`, `rename`).
//!
//! - A Worker's logical id: the id string, and on every stack's `yield*` of the Worker
//!   `.pipe(Alchemy.renamedFrom("<old id>"))` (beta.69 and later), so that the next deploy
//!   moves the Worker's state instead of replacing the script (and deleting the objects it
//!   hosts). Refused when the installed beta has no `renamedFrom`, when a rename is already
//!   pending (`renamedFrom` on the yield), when the Worker is deployed only through another
//!   Worker's binding (no `yield*` to carry it), when a `Worker.ref` names the id, or when
//!   another Worker has the new id.
//! - A Durable Object's, Workflow's or Container's name string: refused, with why (the name
//!   is the class Cloudflare stores the objects under; a new name is a new, empty namespace).
//! - Other resources' ids, and TypeScript names other than a Worker's or Durable Object's
//!   class (Lives, constants): refused, with TypeScript's rename as the way. Worker and Durable
//!   Object class names are renamed across files by [`super::rename_class`].

use alchemy_grammar::Span;

use super::info::{hit, with_model};
use super::{PrepareRename, RenameError};
use alchemy_ls_core::analysis::gates::{Gate, beta_of, has};
use alchemy_ls_core::analysis::graph::ResourceKind;
use alchemy_ls_core::analysis::model::Model;
use alchemy_ls_core::analysis::resources::{Form, ResInfo};
use alchemy_ls_core::analysis::scopes::EvKind;
use alchemy_ls_core::analysis::{Analysis, TextEdit};
use alchemy_ls_core::workspace::{FileId, Workspace};

/// Where a rename at `offset` would apply: the id string's contents, or why not (`Ok(None)`:
/// nothing alchemy-ls renames here).
pub fn prepare_rename(
    ws: &Workspace,
    an: &Analysis,
    file: FileId,
    offset: u32,
) -> Result<Option<PrepareRename>, RenameError> {
    with_model(ws, an, Some(file), |m| {
        let Some(r) = id_at(m, file, offset) else {
            return refuse_names(m, file, offset).map(|()| None);
        };
        let info = m.res(r);
        allowed(ws, m, r)?;
        Ok(Some(PrepareRename {
            span: inner(m, info).unwrap_or_default(),
            placeholder: info.logical_id.clone().unwrap_or_default(),
        }))
    })
}

/// The edits of renaming the id at `offset` to `new_name`.
pub fn rename(
    ws: &Workspace,
    an: &Analysis,
    file: FileId,
    offset: u32,
    new_name: &str,
) -> Result<Vec<TextEdit>, RenameError> {
    with_model(ws, an, Some(file), |m| {
        let Some(r) = id_at(m, file, offset) else {
            refuse_names(m, file, offset)?;
            return Err(RenameError::Refused(
                "Nothing to rename here: alchemy-ls renames logical ids (put the cursor in a Worker's id string)."
                    .into(),
            ));
        };
        allowed(ws, m, r)?;
        worker_rename(ws, m, r, new_name)
    })
}

/// Is `offset` in a logical id string alchemy-ls renames (or refuses to, with why)?
pub fn on_logical_id(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> bool {
    with_model(ws, an, Some(file), |m| id_at(m, file, offset).is_some())
}

/// The resource whose logical id string contains `offset`.
fn id_at(m: &Model, file: FileId, offset: u32) -> Option<usize> {
    m.ctx.res.list.iter().position(|r| {
        r.file == file
            && r.form != Form::WorkerRef
            && r.logical_id_span
                .is_some_and(|s| s.start <= offset && offset <= s.end)
    })
}

/// The id string's contents (without its quotes).
fn inner(m: &Model, info: &ResInfo) -> Option<Span> {
    let s = info.logical_id_span?;
    let text = m.ctx.text(info.file, s);
    let quoted = text.len() >= 2
        && matches!(text.as_bytes()[0], b'"' | b'\'' | b'`')
        && text.as_bytes()[text.len() - 1] == text.as_bytes()[0];
    Some(if quoted {
        Span {
            start: s.start + 1,
            end: s.end - 1,
        }
    } else {
        s
    })
}

/// On a resource's TypeScript name: refused, with where to rename it instead.
fn refuse_names(m: &Model, file: FileId, offset: u32) -> Result<(), RenameError> {
    if let Some(h) = hit(m, file, offset) {
        let r = match h {
            super::info::Hit::Resource { r, .. } => r,
            super::info::Hit::From { x, host, on_arg, .. } => match (host, on_arg) {
                (Some(h), true) => h,
                _ => x,
            },
        };
        let info = m.res(r);
        let id = info
            .logical_id
            .as_ref()
            .map(|id| format!(" (its logical id \"{id}\" stays, so nothing deployed changes)"))
            .unwrap_or_default();
        return Err(RenameError::Refused(format!(
            "{} is a TypeScript name: rename it with TypeScript's rename, which updates every use{id}. alchemy-ls renames logical ids: put the cursor in the id string.",
            info.name
        )));
    }
    Ok(())
}

/// Whether alchemy-ls renames this resource's id, or why not.
fn allowed(ws: &Workspace, m: &Model, r: usize) -> Result<(), RenameError> {
    let info = m.res(r);
    let id = info.logical_id.clone().unwrap_or_default();
    let refuse = |s: String| Err(RenameError::Refused(s));
    if info.instance.is_some() {
        return refuse(format!(
            "{}'s id comes from a call of a factory function: rename it where the function is called.",
            info.name
        ));
    }
    match info.kind {
        ResourceKind::Worker => {}
        ResourceKind::DurableObject | ResourceKind::RpcDurableObject => {
            return refuse(format!(
                "\"{id}\" is the Durable Object class Cloudflare stores every {} object under: a new name is a new, empty namespace, and the next deploy deletes the objects stored under \"{id}\" (do-renamed). It cannot be renamed in place. Keep the name string (the TypeScript class can be renamed freely); a namespace declared with a descriptor can change its className under the same env key.",
                info.name
            ));
        }
        ResourceKind::Workflow => {
            return refuse(format!(
                "\"{id}\" names the Workflow Cloudflare runs {}'s instances under: a new name is a new, empty Workflow, and running instances stay with the old one. Keep the name string.",
                info.name
            ));
        }
        ResourceKind::Container => {
            return refuse(format!(
                "\"{id}\" is the Durable Object class of {}'s container application: a new name is a new, empty namespace. Keep the name string.",
                info.name
            ));
        }
        ResourceKind::Stack => {
            return refuse(format!(
                "\"{id}\" is the stack's name: a new name deploys a new stack beside the old one, whose resources stay. Keep the name."
            ));
        }
        _ => {
            return refuse(format!(
                "alchemy-ls renames Worker ids. To rename {} (\"{id}\") without replacing it, change the id and add .pipe(Alchemy.renamedFrom(\"{id}\")) where it is yielded (beta.69 and later).",
                info.name
            ));
        }
    }
    let yields = stack_yields(m, r);
    if let Some((f, ids)) = pending(m, r) {
        return refuse(format!(
            "{} already carries Alchemy.renamedFrom({}) in {}: deploy that rename first, then rename again.",
            info.name,
            ids.iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", "),
            m.rel_path(f)
        ));
    }
    if !yields.is_empty() && !has(ws, yields[0].0, Gate::RenamedFrom) {
        let installed = match beta_of(ws, yields[0].0) {
            Some(b) if b != u32::MAX => format!("beta.{b}"),
            _ => "the installed version".to_string(),
        };
        return refuse(format!(
            "The project's alchemy ({installed}) has no Alchemy.renamedFrom (beta.69 and later): a new id replaces the deployed Worker {} and deletes every object it hosts. Upgrade alchemy, or change the id by hand if {} is not deployed yet.",
            info.name, info.name
        ));
    }
    if yields.is_empty() && !m.stacks_of(r).is_empty() {
        let stacks: Vec<String> = m.stacks_of(r).iter().map(|s| m.res(*s).name.clone()).collect();
        return refuse(format!(
            "{} is deployed by {} through another Worker's binding, not a yield*: there is no yield* to carry Alchemy.renamedFrom(\"{id}\"). Yield it in the stack, then rename.",
            info.name,
            stacks.join(", ")
        ));
    }
    if let Some(reference) = m
        .ctx
        .res
        .list
        .iter()
        .find(|x| x.form == Form::WorkerRef && x.logical_id.as_deref() == Some(id.as_str()))
    {
        let line = m
            .ctx
            .ws
            .file(reference.file)
            .line_index
            .line_of(reference.span.start)
            + 1;
        return refuse(format!(
            "Worker.ref(\"{id}\") in {}:{line} names this id: rename {} and that reference together by hand.",
            m.rel_path(reference.file),
            info.name
        ));
    }
    Ok(())
}

/// Every stack's `yield*` of Worker `w`: (file, span of the yielded expression).
fn stack_yields(m: &Model, w: usize) -> Vec<(FileId, Span)> {
    let mut out = Vec::new();
    let mut owners: Vec<&usize> = m.scopes.keys().collect();
    owners.sort();
    for &s in owners {
        if m.res(s).kind != ResourceKind::Stack {
            continue;
        }
        for ev in &m.scopes[&s].events {
            if let EvKind::Yield { target } = ev.kind
                && target == w
                && ev.via.is_none()
                && !out.contains(&(ev.file, ev.span))
            {
                out.push((ev.file, ev.span));
            }
        }
    }
    out
}

/// A `renamedFrom` already on a stack's yield of `w`: (file, ids).
fn pending(m: &Model, w: usize) -> Option<(FileId, Vec<String>)> {
    for (s, scope) in &m.scopes {
        if m.res(*s).kind != ResourceKind::Stack {
            continue;
        }
        for ev in &scope.events {
            if let EvKind::RenamedFrom { target, ids } = &ev.kind
                && *target == w
            {
                return Some((ev.file, ids.iter().map(|(i, _)| i.clone()).collect()));
            }
        }
    }
    None
}

fn valid_id(new: &str) -> bool {
    !new.is_empty()
        && new.trim() == new
        && !new
            .chars()
            .any(|c| matches!(c, '"' | '\'' | '`' | '\\' | '$' | '{' | '}') || c.is_control())
}

fn worker_rename(ws: &Workspace, m: &Model, w: usize, new: &str) -> Result<Vec<TextEdit>, RenameError> {
    let info = m.res(w);
    let old = info.logical_id.clone().unwrap_or_default();
    if !valid_id(new) {
        return Err(RenameError::Refused(format!(
            "\"{new}\" is not a usable logical id: no quotes, backslashes, `$`, braces, control characters or surrounding spaces."
        )));
    }
    if new == old {
        return Ok(Vec::new());
    }
    if let Some(other) = m.ctx.res.list.iter().find(|x| {
        x.kind == ResourceKind::Worker && x.form != Form::WorkerRef && x.logical_id.as_deref() == Some(new)
    }) {
        return Err(RenameError::Refused(format!(
            "Worker {} already has the id \"{new}\".",
            other.name
        )));
    }
    let Some(span) = inner(m, info) else {
        return Err(RenameError::Refused(format!(
            "{}'s id is not a string literal.",
            info.name
        )));
    };
    let mut edits = vec![TextEdit {
        file: info.file,
        span,
        new_text: new.to_string(),
    }];
    for (f, sp) in stack_yields(m, w) {
        let (alchemy, import) = alchemy_in(ws, m, f)?;
        let target = m.ctx.text(f, sp);
        edits.push(TextEdit {
            file: f,
            span: sp,
            new_text: format!("{target}.pipe({alchemy}.renamedFrom(\"{old}\"))"),
        });
        edits.extend(import);
    }
    // two yields in one file share one import
    let mut seen = Vec::new();
    edits.retain(|e| {
        let key = (e.file, e.span, e.new_text.clone());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    Ok(edits)
}

/// The local name of the `alchemy` root module in `file`, and the import to add when there
/// is none (`import * as Alchemy from "alchemy"`, in the file's quote style).
fn alchemy_in(ws: &Workspace, m: &Model, file: FileId) -> Result<(String, Vec<TextEdit>), RenameError> {
    if let Some(name) = alchemy_ls_core::analysis::impact::alchemy_root_name(m, file) {
        return Ok((name, Vec::new()));
    }
    let facts = m.ctx.facts(file);
    if m.ctx.syms.resolve_name(file, "Alchemy").is_some() {
        return Err(RenameError::Refused(format!(
            "{} uses the name Alchemy for something else: import alchemy's root module there first (import * as Alchemy from \"alchemy\").",
            m.rel_path(file)
        )));
    }
    // the package the file imports Alchemy from (`alchemy`, or a configured one)
    let package = facts
        .imports
        .iter()
        .find_map(|i| {
            m.ctx
                .packages
                .iter()
                .find(|p| i.specifier == **p || i.specifier.starts_with(&format!("{p}/")))
                .cloned()
        })
        .unwrap_or_else(|| "alchemy".to_string());
    let q = if facts.quote == '\'' { '\'' } else { '"' };
    let text = &ws.file(file).text;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let semi = facts
        .imports
        .last()
        .map(|i| m.ctx.text(file, i.span).trim_end().ends_with(';'))
        .unwrap_or(true);
    let line = format!(
        "import * as Alchemy from {q}{package}{q}{}",
        if semi { ";" } else { "" }
    );
    let edit = match facts.imports.first() {
        Some(first) => TextEdit {
            file,
            span: Span {
                start: first.span.start,
                end: first.span.start,
            },
            new_text: format!("{line}{eol}"),
        },
        None => TextEdit {
            file,
            span: Span { start: 0, end: 0 },
            new_text: format!("{line}{eol}"),
        },
    };
    Ok(("Alchemy".to_string(), vec![edit]))
}
