//! Completion inside `X.from(|)`: exactly the Workers that publish and host X.

use alchemy_grammar::Span;

use super::info::model;
use super::{CompletionItem, CompletionKind};
use crate::analysis::Analysis;
use crate::analysis::fixes::name_in_file;
use crate::analysis::symbols::Sym;
use crate::workspace::{FileId, Workspace};

pub fn completion_at(ws: &Workspace, _an: &Analysis, file: FileId, offset: u32) -> Vec<CompletionItem> {
    let text = &ws.file(file).text;
    let Some((receiver, prefix_start)) = from_context(text, offset as usize) else {
        return Vec::new();
    };
    let m = model(ws);
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
        let same_sym = matches!(&hr.sym, Some(Sym::Decl { .. }) | Some(Sym::DefaultExpr { .. }));
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
