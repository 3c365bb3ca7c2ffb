//! `too-many-tags`: a Worker's script tags exceed Cloudflare's limits (≥ beta.63).
//!
//! Cloudflare allows 10 tags per Worker, each at most 1024 bytes, none containing `,` or `&`.
//! Alchemy reserves 3 ownership tags (stack, stage, id) and packs the hosted Durable Objects'
//! `id=class` pairs into `alchemy:dos:` tags of at most 1024 bytes (usually one when the
//! Worker hosts DOs, none otherwise). A migration tag is added only when the deployed script
//! already carries one, which no v2 beta creates: it is not counted.

use alchemy_grammar::{Expr, Span};

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::gates::{Gate, has};
use crate::analysis::graph::ResourceKind;
use crate::analysis::model::Model;
use crate::analysis::resources::Form;

pub const ID: &str = "too-many-tags";

/// The rule's catalog entry (`alchemy-ls rules too-many-tags`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a Worker's `tags` exceed Cloudflare's 10 tags (with Alchemy's reserved tags)",
    description: "Cloudflare accepts at most 10 script tags per Worker, each at most 1024 bytes and without \
`,` or `&`. Alchemy reserves 3 of them (stack, stage and id ownership tags) and one more when the Worker \
hosts Durable Objects (their `id=class` mapping, packed into `alchemy:dos:` tags of at most 1024 bytes), \
so a Worker hosting Durable Objects can carry at most 6 tags of its own, one that hosts none 7. Alchemy \
rejects the upload otherwise (`InvalidWorkerTags`). Duplicate tags count once.",
    bad: r#"export default Api.make(
  {
    main: import.meta.filename,
    tags: ["team:core", "tier:1", "env:prod", "region:eu", "cost:a", "owner:x", "pager:y"],
  },
  impl, // hosts Counter
);"#,
    good: r#"export default Api.make(
  { main: import.meta.filename, tags: ["team:core", "tier:1", "env:prod"] },
  impl,
);"#,
};

const MAX_TAGS: usize = 10;
const MAX_TAG_BYTES: usize = 1024;
const OWNERSHIP_TAGS: usize = 3;
const PACKED_DO_TAG_PREFIX: &str = "alchemy:dos:";

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for w in 0..ctx.res.list.len() {
        let info = m.res(w);
        if info.kind != ResourceKind::Worker || info.form == Form::WorkerRef {
            continue;
        }
        if !has(ctx.ws, info.file, Gate::PackedDoTags) {
            continue;
        }
        for (f, obj) in ctx.props(w) {
            let Some(p) = ctx.prop(f, obj, "tags") else {
                continue;
            };
            let Some(Expr::Array { elems, has_spread }) = ctx.kind(f, p.value) else {
                continue;
            };
            let mut tags: Vec<(String, Span)> = Vec::new();
            let mut unknown = *has_spread;
            for e in elems {
                match ctx.str_value(f, *e) {
                    Some(t) => {
                        if !tags.iter().any(|(x, _)| x == t) {
                            tags.push((t.to_string(), ctx.span(f, *e)));
                        }
                    }
                    None => unknown = true,
                }
            }
            for (t, span) in &tags {
                let problem = if t.contains(',') || t.contains('&') {
                    Some("contains ',' or '&', which Cloudflare rejects".to_string())
                } else if t.len() > MAX_TAG_BYTES {
                    Some(format!(
                        "is {} bytes; Cloudflare allows at most {MAX_TAG_BYTES}",
                        t.len()
                    ))
                } else {
                    None
                };
                if let Some(problem) = problem {
                    let shown: String = t.chars().take(40).collect();
                    let msg = format!(
                        "{}'s tag \"{shown}\" {problem}, so Alchemy rejects the upload (InvalidWorkerTags).",
                        info.name
                    );
                    Diag::new(&META, f, *span, msg).push(out);
                }
            }
            if unknown {
                continue;
            }
            let do_tags = packed_do_tags(m, w);
            let reserved = OWNERSHIP_TAGS + do_tags;
            let total = reserved + tags.len();
            if total <= MAX_TAGS {
                continue;
            }
            let dos = if do_tags == 0 {
                String::new()
            } else {
                format!(" and {do_tags} for its Durable Objects")
            };
            let msg = format!(
                "{} needs {total} script tags but Cloudflare allows {MAX_TAGS}: Alchemy reserves {reserved} ({OWNERSHIP_TAGS} ownership tags{dos}) besides its {} own, so the upload fails (InvalidWorkerTags). Remove {} tag(s).",
                info.name,
                tags.len(),
                total - MAX_TAGS
            );
            Diag::new(&META, f, ctx.span(f, p.value), msg).push(out);
        }
    }
}

/// How many `alchemy:dos:` tags the Worker's hosted Durable Objects take (pairs packed
/// greedily into tags of at most 1024 bytes, as Alchemy's `encodeDurableObjectTags` does).
fn packed_do_tags(m: &Model, w: usize) -> usize {
    let mut pairs: Vec<String> = m
        .hosts
        .iter()
        .filter(|(x, hs)| {
            matches!(
                m.res(**x).kind,
                ResourceKind::DurableObject | ResourceKind::RpcDurableObject
            ) && hs.iter().any(|h| h.worker == w)
        })
        .map(|(x, _)| {
            let r = m.res(*x);
            r.logical_id.clone().unwrap_or_else(|| r.name.clone())
        })
        .collect();
    pairs.sort();
    let mut tags = 0;
    let mut payload = 0usize;
    for p in pairs {
        let appended = if payload == 0 { p.len() } else { payload + 1 + p.len() };
        if PACKED_DO_TAG_PREFIX.len() + appended > MAX_TAG_BYTES && payload != 0 {
            tags += 1;
            payload = p.len();
        } else {
            payload = appended;
        }
    }
    if payload != 0 {
        tags += 1;
    }
    tags
}
