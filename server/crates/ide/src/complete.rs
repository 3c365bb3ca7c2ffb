//! Completion inside `X.from(|)`: exactly the Workers that publish and host X.

use alchemy_grammar::Span;

use super::info::{model, with_model};
use super::{CompletionItem, CompletionKind};
use alchemy_ls_core::analysis::Analysis;
use alchemy_ls_core::analysis::fixes::name_in_file;
use alchemy_ls_core::analysis::model::Model;
use alchemy_ls_core::analysis::symbols::Sym;
use alchemy_ls_core::workspace::{FileId, Workspace};

pub fn completion_at(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Vec<CompletionItem> {
    let text = &ws.file(file).text;
    if let Some((receiver, prefix_start)) = from_context(text, offset as usize) {
        return with_model(ws, an, Some(file), |m| {
            from_completions(m, file, offset, &receiver, prefix_start)
        });
    }
    if let Some((var, prefix_start)) = stub_context(text, offset as usize) {
        return with_model(ws, an, Some(file), |m| {
            method_completions(m, file, offset, &var, prefix_start)
        });
    }
    deps_completions(ws, an, file, offset)
}

fn from_completions(
    m: &Model,
    file: FileId,
    offset: u32,
    receiver: &str,
    prefix_start: usize,
) -> Vec<CompletionItem> {
    let ctx = &m.ctx;
    // resolve the receiver chain (`Counter`, `NS.Counter`)
    let mut parts = receiver.split('.');
    let Some(first) = parts.next() else {
        return Vec::new();
    };
    let Some(mut sym) = ctx.syms.resolve_name(file, first) else {
        return Vec::new();
    };
    for p in parts {
        match ctx.syms.member(&sym, p) {
            Some(s) => sym = s,
            None => return Vec::new(),
        }
    }
    let Some(x) = ctx.res.of_sym(&ctx.syms, &sym) else {
        return Vec::new();
    };
    if !m.res(x).form.is_bindable_do() {
        return Vec::new();
    }
    let replace_span = Span::new(prefix_start, offset as usize);
    let mut items = Vec::new();
    for h in m.valid_hosts(x) {
        let hr = m.res(h);
        let Some((name, edits)) = name_in_file(ctx, file, h) else {
            continue;
        };
        let imported = edits.is_empty();
        let same_sym = matches!(&hr.sym, Some(Sym::Decl { .. } | Sym::DefaultExpr { .. }));
        let _ = same_sym;
        items.push(CompletionItem {
            label: name.clone(),
            detail: Some(format!("hosts {} · {}", m.res(x).name, m.rel_path(hr.file))),
            documentation: Some(format!(
                "Binds {} on {}'s script (className \"{}\").",
                m.res(x).name,
                hr.name,
                m.res(x).logical_id.clone().unwrap_or_default()
            )),
            kind: CompletionKind::Class,
            sort_text: format!("{}{}", if imported { "0" } else { "1" }, name),
            replace_span,
            insert_text: name,
            additional_edits: edits,
        });
    }
    items
}

/// If `offset` is inside `<receiver>.from(<prefix>|`, the receiver text and where the
/// identifier prefix starts. Works on half-typed code (no closing parenthesis).
fn from_context(text: &str, offset: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let mut i = offset;
    while i > 0 && is_ident(bytes[i - 1]) {
        i -= 1;
    }
    let prefix_start = i;
    while i > 0 && bytes[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    if i == 0 || bytes[i - 1] != b'(' {
        return None;
    }
    i -= 1;
    while i > 0 && bytes[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    if i < 4 || &bytes[i - 4..i] != b"from" {
        return None;
    }
    i -= 4;
    while i > 0 && bytes[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    if i == 0 || bytes[i - 1] != b'.' {
        return None;
    }
    i -= 1;
    let end = i;
    while i > 0 && (is_ident(bytes[i - 1]) || bytes[i - 1] == b'.') {
        i -= 1;
    }
    let receiver = text.get(i..end)?.trim_matches('.').to_string();
    if receiver.is_empty() {
        return None;
    }
    Some((receiver, prefix_start))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// `<var>.getByName(…).<prefix>|`: the variable name and where the prefix starts.
fn stub_context(text: &str, offset: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let mut i = offset;
    while i > 0 && is_ident(bytes[i - 1]) {
        i -= 1;
    }
    let prefix_start = i;
    if i == 0 || bytes[i - 1] != b'.' {
        return None;
    }
    i -= 1;
    if i == 0 || bytes[i - 1] != b')' {
        return None;
    }
    // match the parenthesis back
    let mut depth = 0i32;
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b'\n' if depth > 4 => return None,
            _ => {}
        }
    }
    let before = text.get(..i)?;
    let before = before
        .strip_suffix("getByName")
        .or_else(|| before.strip_suffix("get"))?;
    let before = before.strip_suffix('.')?;
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .map(|p| p + 1)
        .unwrap_or(0);
    let var = &before[start..];
    if var.is_empty() {
        return None;
    }
    Some((var.to_string(), prefix_start))
}

fn method_completions(
    m: &Model,
    file: FileId,
    offset: u32,
    var: &str,
    prefix_start: usize,
) -> Vec<CompletionItem> {
    let ctx = &m.ctx;
    let facts = ctx.facts(file);
    // a local `const var = yield* X` / `yield* X.from(…)` in any function of the file
    let mut x = None;
    for n in &facts.exprs {
        let alchemy_grammar::Expr::Function { body, .. } = &n.kind else {
            continue;
        };
        for l in &body.locals {
            if l.name != var {
                continue;
            }
            let Some(init) = l.init else { continue };
            if let Some(alchemy_grammar::Expr::Yield {
                delegate: true,
                arg: Some(a),
            }) = ctx.kind(file, init)
            {
                let target = match ctx.member_call(file, *a) {
                    Some((obj, "from", _)) => obj,
                    _ => *a,
                };
                if let Some(r) = ctx.resource_of(file, target, &Default::default()) {
                    x = Some(r);
                }
            }
        }
    }
    let Some(x) = x else { return Vec::new() };
    let Some(mut methods) = alchemy_ls_core::analysis::shape::shape_of(m, x) else {
        return Vec::new();
    };
    // a plain DO's stub also has `fetch` (an RPC DO's client has only its procedures)
    if m.res(x).kind == alchemy_ls_core::analysis::ResourceKind::DurableObject
        && !methods.iter().any(|mm| mm == "fetch")
    {
        methods.push("fetch".into());
    }
    let replace_span = Span::new(prefix_start, offset as usize);
    methods
        .into_iter()
        .enumerate()
        .map(|(i, name)| CompletionItem {
            label: name.clone(),
            detail: Some(format!("{} method", m.res(x).name)),
            documentation: None,
            kind: CompletionKind::Method,
            sort_text: format!("{i:03}"),
            replace_span,
            insert_text: name,
            additional_edits: Vec::new(),
        })
        .collect()
}

/// Inside the Deps type-argument slot of a Worker/RpcWorker class factory: bindable DO classes.
fn deps_completions(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Vec<CompletionItem> {
    let text = &ws.file(file).text;
    // Cheap test on the file's component first; the candidates come from the whole
    // workspace (a DO the file does not import yet is offered with an import edit).
    if with_model(ws, an, Some(file), |m| deps_slot_at(m, text, file, offset)).is_none() {
        return Vec::new();
    }
    let m = model(ws);
    let Some((w, replace_span)) = deps_slot_at(&m, text, file, offset) else {
        return Vec::new();
    };
    deps_items(&m, file, w, replace_span)
}

/// The Worker whose Deps type-argument slot holds the cursor, and the span to replace.
fn deps_slot_at(m: &Model, text: &str, file: FileId, offset: u32) -> Option<(usize, Span)> {
    let ctx = &m.ctx;
    for (w, info) in ctx.res.list.iter().enumerate() {
        if info.file != file {
            continue;
        }
        let Some(ta) = &info.type_args else { continue };
        if !(ta.span.start < offset && offset < ta.span.end) {
            continue;
        }
        let slot = m.deps_slot(w)?;
        // which slot is the cursor in: count top-level commas
        let inner = text.get(ta.span.start as usize + 1..offset as usize)?;
        let mut depth = 0i32;
        let mut idx = 0usize;
        for c in inner.chars() {
            match c {
                '<' | '{' | '(' | '[' => depth += 1,
                '>' | '}' | ')' | ']' => depth -= 1,
                ',' if depth == 0 => idx += 1,
                _ => {}
            }
        }
        if idx != slot {
            return None;
        }
        let bytes = text.as_bytes();
        let mut p = offset as usize;
        while p > 0 && is_ident(bytes[p - 1]) {
            p -= 1;
        }
        return Some((w, Span::new(p, offset as usize)));
    }
    None
}

fn deps_items(m: &Model, file: FileId, w: usize, replace_span: Span) -> Vec<CompletionItem> {
    let ctx = &m.ctx;
    let info = m.res(w);
    {
        let mut items = Vec::new();
        for (x, xr) in ctx.res.list.iter().enumerate() {
            if !xr.form.is_bindable_do() {
                continue;
            }
            let Some((name, edits)) = name_in_file(ctx, file, x) else {
                continue;
            };
            let hosted = m.hosts_x(w, x);
            items.push(CompletionItem {
                label: name.clone(),
                detail: Some(format!(
                    "{} · {}",
                    if hosted {
                        format!("hosted by {}", info.name)
                    } else {
                        "Durable Object".to_string()
                    },
                    m.rel_path(xr.file)
                )),
                documentation: None,
                kind: CompletionKind::Class,
                sort_text: format!("{}{}", if hosted { "0" } else { "1" }, name),
                replace_span,
                insert_text: name,
                additional_edits: edits,
            });
        }
        items
    }
}
