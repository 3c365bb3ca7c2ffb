//! Deploy impact: what the next deploy does to deployed data.
//!
//! Alchemy computes Durable Object migrations at upload: it reads the deployed script's
//! `alchemy:dos:` tags (namespace id → class) and compares them with the classes the new
//! bundle hosts; a namespace that is gone is sent as `deleted_classes` and its objects are
//! deleted. `alchemy plan` shows only "update". The same change is visible statically by
//! comparing a [`Snapshot`] of the code being deployed with one of the deployed revision
//! (the *baseline*: a git revision or a checkout).
//!
//! Identities, per stack (the same Worker id in two stacks is two Workers):
//! - a Worker is its logical id; its physical script is its `name` when set;
//! - a Durable Object namespace is (host Worker id, namespace id), the namespace id being the
//!   DO's name string, or a descriptor's `env` key (its class is `className ?? name`);
//! - an R2 bucket or D1 database is its logical id, with props that cannot change in place.
//!
//! What does not destroy data stays silent: a descriptor's `className` changed under the same
//! `env` key (a class rename), code moved between files, a TypeScript class renamed with an
//! unchanged logical id, new hosts and consumers, consumers' bindings, a move with
//! `transferredFrom` naming the old host, a baseline where the project did not exist.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use alchemy_grammar::{Expr, Span};

use super::diagnostic::{Fix, Severity, TextEdit};
use super::gates::{Gate, has};
use super::graph::ResourceKind;
use super::model::Model;
use super::resources::Form;
use super::scopes::EvKind;
use crate::workspace::{FileId, Workspace};

/// The deployed revision the workspace is compared with.
#[derive(Debug)]
pub struct Baseline {
    /// How the revision is named in messages (`origin/main`, `HEAD~1`, a directory).
    pub rev: String,
    pub snapshot: Snapshot,
}

/// A place in one revision: its path relative to the workspace root and its 1-based line,
/// plus the file and span in that revision's workspace.
#[derive(Clone, Debug)]
pub struct Loc {
    pub path: String,
    pub line: u32,
    pub file: FileId,
    pub span: Span,
}

/// What a revision deploys, per stack (by stack name).
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub stacks: BTreeMap<String, StackSnap>,
}

#[derive(Clone, Debug)]
pub struct StackSnap {
    pub loc: Loc,
    /// Workers by logical id.
    pub workers: BTreeMap<String, WorkerSnap>,
    /// R2 buckets and D1 databases by (kind, logical id).
    pub resources: BTreeMap<(ResourceKind, String), ResSnap>,
}

/// How a Worker is uploaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Script,
    /// `version.parent`: a version of another Worker's script.
    Version,
    /// `preview.of`: a preview of another Worker.
    Preview,
}

#[derive(Clone, Debug)]
pub struct WorkerSnap {
    /// The resource index in its revision's model.
    pub res: usize,
    /// `path#Name` of the declaration (to recognise a logical id change).
    pub decl: String,
    /// The class/const name.
    pub label: String,
    /// Where the logical id is written.
    pub loc: Loc,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub mode: Mode,
    /// Hosted DO namespaces by namespace id.
    pub dos: BTreeMap<String, DoSnap>,
    /// Hosted Workflows by name.
    pub workflows: BTreeMap<String, Loc>,
    /// `Alchemy.renamedFrom(…)` ids on the stack's `yield*`.
    pub renamed_from: Vec<String>,
    /// `RemovalPolicy.retain(true)` on the stack's `yield*`.
    pub retained: bool,
    /// `version: { traffic }` without a parent: a gradual rollout of its own script.
    pub self_traffic: Option<f64>,
    /// The stack's `yield*` of this Worker (for the renamedFrom fix).
    pub yield_site: Option<Loc>,
}

#[derive(Clone, Debug)]
pub struct DoSnap {
    pub res: usize,
    /// `path#Name` of the DO declaration.
    pub decl: String,
    /// The DO class/const name, for messages.
    pub label: String,
    pub class_name: String,
    pub descriptor: bool,
    /// Former hosts named by `transferredFrom` (logical ids or literal script names).
    pub transferred_from: Vec<String>,
    /// The DO's declaration (its name string).
    pub loc: Loc,
    /// Where the Worker hosts it.
    pub host_loc: Loc,
}

#[derive(Clone, Debug)]
pub struct ResSnap {
    pub loc: Loc,
    pub label: String,
    /// Literal props that matter (`name`, `jurisdiction`, `locationHint`, `primaryLocationHint`).
    pub props: BTreeMap<String, Option<String>>,
    pub retained: bool,
}

fn loc(m: &Model, file: FileId, span: Span) -> Loc {
    let src = m.ctx.ws.file(file);
    Loc {
        path: m.rel_path(file),
        line: src.line_index.line_of(span.start) + 1,
        file,
        span,
    }
}

fn decl_key(m: &Model, r: usize) -> String {
    let info = m.res(r);
    format!("{}#{}", m.rel_path(info.file), info.key)
}

impl Snapshot {
    /// What the model's stacks deploy.
    pub fn of(m: &Model) -> Snapshot {
        let ctx = &m.ctx;
        let mut stacks = BTreeMap::new();
        let mut stack_ids: Vec<usize> = (0..ctx.res.list.len())
            .filter(|&s| m.res(s).kind == ResourceKind::Stack)
            .collect();
        stack_ids.sort();
        for s in stack_ids {
            let info = m.res(s);
            let name = info.logical_id.clone().unwrap_or_else(|| info.name.clone());
            let Some(scope) = m.scopes.get(&s) else { continue };
            let mut workers = BTreeMap::new();
            for &w in m.workers_of(s) {
                let wi = m.res(w);
                let Some(id) = wi.logical_id.clone() else { continue };
                let rollout = m.rollout(w);
                let mode = if rollout.parent.is_some() {
                    Mode::Version
                } else if rollout.preview.is_some() {
                    Mode::Preview
                } else {
                    Mode::Script
                };
                let mut dos = BTreeMap::new();
                for ns in m.hosted_namespaces(w) {
                    let xi = m.res(ns.x);
                    let transferred_from = m
                        .transferred_from(ns.x)
                        .into_iter()
                        .filter_map(|(f, sp, host)| match host {
                            Some(h) => m.res(h).logical_id.clone(),
                            None => ctx.str_value(f, expr_at(m, f, sp)?).map(str::to_string),
                        })
                        .collect();
                    let (df, dspan) = (xi.file, xi.logical_id_span.unwrap_or(xi.span));
                    dos.insert(
                        ns.id.clone(),
                        DoSnap {
                            res: ns.x,
                            decl: decl_key(m, ns.x),
                            label: xi.name.clone(),
                            class_name: ns.class_name,
                            descriptor: ns.descriptor,
                            transferred_from,
                            loc: loc(m, df, dspan),
                            host_loc: loc(m, ns.file, ns.span),
                        },
                    );
                }
                let workflows = m
                    .hosted_workflows(w)
                    .into_iter()
                    .map(|(x, n)| {
                        let xi = m.res(x);
                        (n, loc(m, xi.file, xi.span))
                    })
                    .collect();
                let mut renamed_from = Vec::new();
                let mut retained = false;
                let mut yield_site = None;
                for ev in &scope.events {
                    match &ev.kind {
                        EvKind::RenamedFrom { target, ids } if *target == w => {
                            renamed_from.extend(ids.iter().map(|(i, _)| i.clone()));
                        }
                        EvKind::Retain {
                            target,
                            enabled: true,
                            ..
                        } if *target == w => retained = true,
                        EvKind::Yield { target } if *target == w && yield_site.is_none() => {
                            yield_site = Some(loc(m, ev.file, ev.span));
                        }
                        _ => {}
                    }
                }
                let (lf, lspan) = ctx.decl_site(w);
                workers.insert(
                    id,
                    WorkerSnap {
                        res: w,
                        decl: decl_key(m, w),
                        label: wi.name.clone(),
                        loc: loc(m, lf, lspan),
                        name: m.name_prop(w),
                        namespace: string_prop(m, w, "namespace"),
                        mode,
                        dos,
                        workflows,
                        renamed_from,
                        retained,
                        self_traffic: if rollout.parent.is_none() {
                            rollout.traffic
                        } else {
                            None
                        },
                        yield_site,
                    },
                );
            }
            let resources = stack_resources(m, s);
            stacks.insert(
                name,
                StackSnap {
                    loc: loc(m, info.file, info.logical_id_span.unwrap_or(info.span)),
                    workers,
                    resources,
                },
            );
        }
        Snapshot { stacks }
    }
}

/// The expression whose span is `span` in `file` (a `transferredFrom` entry).
fn expr_at(m: &Model, file: FileId, span: Span) -> Option<u32> {
    m.ctx
        .facts(file)
        .exprs
        .iter()
        .position(|n| n.span == span && matches!(n.kind, Expr::Str { .. }))
        .map(|i| i as u32)
}

/// A literal string prop of a Worker.
fn string_prop(m: &Model, w: usize, key: &str) -> Option<String> {
    m.ctx.props(w).into_iter().find_map(|(f, o)| {
        let p = m.ctx.prop(f, o, key)?;
        m.ctx.str_value(f, p.value).map(str::to_string)
    })
}

/// The R2 buckets and D1 databases stack `s` (or a Worker it deploys) yields.
fn stack_resources(m: &Model, s: usize) -> BTreeMap<(ResourceKind, String), ResSnap> {
    let mut out = BTreeMap::new();
    let mut owners = vec![s];
    owners.extend(
        m.deployed_by
            .iter()
            .filter(|(_, ss)| ss.contains(&s))
            .map(|(w, _)| *w),
    );
    owners.sort();
    let mut retained: Vec<usize> = Vec::new();
    for o in &owners {
        for ev in m.scopes.get(o).map(|sc| sc.events.as_slice()).unwrap_or(&[]) {
            if let EvKind::Retain {
                target,
                enabled: true,
                ..
            } = &ev.kind
            {
                retained.push(*target);
            }
        }
    }
    for o in owners {
        for ev in m.scopes.get(&o).map(|sc| sc.events.as_slice()).unwrap_or(&[]) {
            let EvKind::Yield { target } = &ev.kind else {
                continue;
            };
            let info = m.res(*target);
            let keys: &[&str] = match info.kind {
                ResourceKind::R2Bucket => &["name", "jurisdiction", "locationHint"],
                ResourceKind::D1Database => &["name", "jurisdiction", "primaryLocationHint"],
                _ => continue,
            };
            let Some(id) = info.logical_id.clone() else {
                continue;
            };
            let obj = info.args.get(1).and_then(|a| m.ctx.object_literal(info.file, *a));
            let props = keys
                .iter()
                .map(|k| {
                    let v = obj
                        .and_then(|o| m.ctx.prop(info.file, o, k))
                        .and_then(|p| m.ctx.str_value(info.file, p.value))
                        .map(str::to_string);
                    (k.to_string(), v)
                })
                .collect();
            out.entry((info.kind, id)).or_insert(ResSnap {
                loc: loc(m, info.file, info.logical_id_span.unwrap_or(info.span)),
                label: info.name.clone(),
                props,
                retained: retained.contains(target),
            });
        }
    }
    out
}

/// One deploy-impact finding, at a place of the current revision.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static str,
    /// `None`: the rule's default severity.
    pub severity: Option<Severity>,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub related: Vec<(FileId, Span, String)>,
    pub fixes: Vec<Fix>,
}

pub const DO_DELETED: &str = "do-deleted";
pub const DO_RENAMED: &str = "do-renamed";
pub const DO_MOVED: &str = "do-moved-without-transfer";
pub const WORKER_REPLACED: &str = "worker-replaced";
pub const RESOURCE_REPLACED: &str = "resource-replaced";
pub const WORKFLOW_REHOSTED: &str = "workflow-rehosted";
pub const MIGRATION_DURING_ROLLOUT: &str = "migration-during-rollout";

/// The model's deploy-impact findings against the workspace's baseline (computed once per
/// model; empty without a baseline).
pub fn findings<'m>(m: &'m Model, cache: &'m OnceLock<Vec<Finding>>) -> &'m [Finding] {
    cache.get_or_init(|| match m.ctx.ws.baseline.as_deref() {
        Some(base) => compare(base, m),
        None => Vec::new(),
    })
}

/// Where the Durable Object `r` stands at the baseline, one line per namespace it has now
/// (hover): the same namespace under the same Worker, another host, a new namespace. `None`
/// without a baseline or when `r` is hosted nowhere now.
pub fn do_at_baseline(m: &Model, r: usize) -> Option<Vec<String>> {
    let base = m.ctx.ws.baseline.as_deref()?;
    let now = Snapshot::of(m);
    let mut out = Vec::new();
    for (stack, st) in &now.stacks {
        for (wid, w) in &st.workers {
            for (ns, d) in w.dos.iter().filter(|(_, d)| d.res == r) {
                let Some(bst) = base.snapshot.stacks.get(stack) else {
                    out.push(format!(
                        "stack `{stack}` is not deployed at `{}`: the next deploy creates the namespace",
                        base.rev
                    ));
                    continue;
                };
                let hosts: Vec<(&String, &WorkerSnap, &DoSnap)> = bst
                    .workers
                    .iter()
                    .filter_map(|(bid, bw)| bw.dos.get(ns).map(|bd| (bid, bw, bd)))
                    .collect();
                let line = match hosts.iter().find(|(bid, _, _)| *bid == wid) {
                    Some((_, bw, bd)) => format!(
                        "exists at `{}`: hosted by {} (`\"{wid}\"`) since {}:{}; its objects are kept",
                        base.rev, bw.label, bd.host_loc.path, bd.host_loc.line
                    ),
                    None => match hosts.first() {
                        Some((bid, bw, _)) => format!(
                            "at `{}` hosted by {} (`\"{bid}\"`), now by {}: a move between Workers",
                            base.rev, bw.label, w.label
                        ),
                        None => {
                            let renamed = bst
                                .workers
                                .values()
                                .flat_map(|bw| bw.dos.iter())
                                .find(|(_, bd)| bd.decl == d.decl)
                                .map(|(bns, _)| bns.clone());
                            match renamed {
                                Some(old) => format!(
                                    "at `{}` its namespace was `{old}`; `{ns}` is a new, empty namespace",
                                    base.rev
                                ),
                                None => format!(
                                    "not deployed at `{}`: the next deploy creates the namespace",
                                    base.rev
                                ),
                            }
                        }
                    },
                };
                out.push(line);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A related location in the baseline: `path:line @ rev`, attached to the same path in the
/// current revision when it exists, else to the finding itself.
fn base_note(
    ws: &Workspace,
    m: &Model,
    at: (FileId, Span),
    base: &Baseline,
    l: &Loc,
    what: &str,
) -> (FileId, Span, String) {
    let msg = format!("{what} at {}:{} @ {}", l.path, l.line, base.rev);
    let here = ws.roots.iter().find_map(|r| ws.file_id(&r.join(&l.path)));
    match here {
        // the same line of the same file now, when it still has code (a note needs something
        // to underline); else the finding itself
        Some(f) if (l.line as usize) < ws.file(f).line_index.line_count() => {
            let src = ws.file(f);
            let (start, end) = src.line_index.line_range(&src.text, l.line - 1);
            let text = src.text.get(start as usize..end as usize).unwrap_or("");
            let indent = (text.len() - text.trim_start().len()) as u32;
            let end = start + text.trim_end().len() as u32;
            let _ = m;
            if start + indent >= end {
                return (at.0, at.1, msg);
            }
            (
                f,
                Span {
                    start: start + indent,
                    end,
                },
                msg,
            )
        }
        _ => (at.0, at.1, msg),
    }
}

fn compare(base: &Baseline, m: &Model) -> Vec<Finding> {
    let head = Snapshot::of(m);
    let ws = m.ctx.ws;
    let mut out = Vec::new();
    for (stack, now) in &head.stacks {
        let Some(was) = base.snapshot.stacks.get(stack) else {
            continue;
        };
        compare_stack(base, m, ws, stack, was, now, &mut out);
    }
    out
}

/// The head Worker that continues base Worker `id`: the same logical id, else the same
/// declaration under a new id.
fn successor<'h>(id: &str, was: &WorkerSnap, now: &'h StackSnap) -> Option<(&'h str, &'h WorkerSnap)> {
    if let Some((k, w)) = now.workers.get_key_value(id) {
        return Some((k.as_str(), w));
    }
    now.workers
        .iter()
        .find(|(nid, w)| w.decl == was.decl && !now.workers.contains_key(id) && nid.as_str() != id)
        .map(|(nid, w)| (nid.as_str(), w))
}

#[allow(clippy::too_many_arguments)]
fn compare_stack(
    base: &Baseline,
    m: &Model,
    ws: &Workspace,
    stack: &str,
    was: &StackSnap,
    now: &StackSnap,
    out: &mut Vec<Finding>,
) {
    for (id, bw) in &was.workers {
        match successor(id, bw, now) {
            Some((hid, hw)) => {
                let renamed_ok = hid == id || hw.renamed_from.iter().any(|r| r == id);
                if let Some((why, hint)) = replacement(id, bw, hid, hw, renamed_ok) {
                    worker_replaced(
                        base,
                        m,
                        ws,
                        stack,
                        id,
                        bw,
                        hid,
                        hw,
                        (&why, &hint),
                        renamed_ok,
                        out,
                    );
                    continue;
                }
                compare_hosted(base, m, ws, id, bw, hid, hw, now, out);
            }
            None => {
                // The Worker left the stack: its namespaces go with it unless another Worker
                // hosts them now.
                for (ns, d) in &bw.dos {
                    if let Some((nid, nw, nd)) = hosted_elsewhere(now, ns, "") {
                        moved(base, m, ws, id, bw, d, nid, nw, nd, ns, out);
                        continue;
                    }
                    let at = (now.loc.file, now.loc.span);
                    let (sev, msg) = if bw.retained {
                        (
                            Some(Severity::Info),
                            format!(
                                "{} is no longer deployed by stack {stack} but has RemovalPolicy.retain: the script and its {} objects stay deployed, unmanaged.",
                                bw.label, d.label
                            ),
                        )
                    } else {
                        (
                            None,
                            format!(
                                "Deploying this deletes every {} object stored under {}: stack {stack} no longer deploys {} and no other Worker hosts {}. Keep {} deployed (or host {} elsewhere with transferredFrom: \"{id}\"), or suppress this to accept the loss.",
                                d.label, bw.label, bw.label, d.label, bw.label, d.label
                            ),
                        )
                    };
                    out.push(Finding {
                        rule: DO_DELETED,
                        severity: sev,
                        file: at.0,
                        span: at.1,
                        message: msg,
                        related: vec![base_note(
                            ws,
                            m,
                            at,
                            base,
                            &d.host_loc,
                            &format!("{} hosted {}", bw.label, d.label),
                        )],
                        fixes: Vec::new(),
                    });
                }
            }
        }
    }
    // R2 / D1 props that cannot change in place
    for ((kind, id), br) in &was.resources {
        let Some(hr) = now.resources.get(&(*kind, id.clone())) else {
            continue;
        };
        for (key, bv) in &br.props {
            let hv = hr.props.get(key).cloned().flatten();
            let bv = bv.clone();
            let changed = match (key.as_str(), &bv, &hv) {
                // only an explicit change replaces: removal keeps the deployed name
                ("name", _, None) => false,
                ("name", b, Some(h)) => b.as_deref() != Some(h.as_str()),
                ("jurisdiction", b, h) => {
                    b.as_deref().unwrap_or("default") != h.as_deref().unwrap_or("default")
                }
                ("primaryLocationHint", _, None) => false,
                ("primaryLocationHint", b, Some(h)) => b.as_deref() != Some(h.as_str()),
                (_, b, h) => b != h,
            };
            if !changed {
                continue;
            }
            let what = if *kind == ResourceKind::R2Bucket {
                format!(
                    "Deploying this replaces the R2 bucket {}: the Workers will read a new, empty bucket while the objects stay in the old one",
                    hr.label
                )
            } else {
                format!(
                    "Deploying this replaces the D1 database {}: the new database is empty{}",
                    hr.label,
                    if br.retained {
                        ""
                    } else {
                        " and the old one is deleted"
                    }
                )
            };
            let show = |v: &Option<String>| {
                v.clone()
                    .map(|v| format!("\"{v}\""))
                    .unwrap_or_else(|| "unset".into())
            };
            let msg = format!(
                "{what} ({key} changed from {} to {}, which cannot change in place). Restore {key}, or migrate the data first.",
                show(&bv),
                show(&hv)
            );
            let at = (hr.loc.file, hr.loc.span);
            out.push(Finding {
                rule: RESOURCE_REPLACED,
                severity: None,
                file: at.0,
                span: at.1,
                message: msg,
                related: vec![base_note(
                    ws,
                    m,
                    at,
                    base,
                    &br.loc,
                    &format!("{} was declared", br.label),
                )],
                fixes: Vec::new(),
            });
        }
    }
}

/// Why the head Worker replaces the base one (a new script), and how to avoid it, if it does.
fn replacement(
    id: &str,
    bw: &WorkerSnap,
    hid: &str,
    hw: &WorkerSnap,
    renamed_ok: bool,
) -> Option<(String, String)> {
    if hid != id && !renamed_ok {
        let why = format!(
            "its logical id changed from \"{id}\" to \"{hid}\" without Alchemy.renamedFrom(\"{id}\")"
        );
        return Some((why, String::new()));
    }
    match (&bw.name, &hw.name) {
        (Some(a), Some(b)) if a != b => {
            return Some((
                format!("its name changed from \"{a}\" to \"{b}\""),
                format!(" Restore name: \"{a}\"."),
            ));
        }
        (None, Some(b)) => {
            return Some((
                format!("it now sets name \"{b}\", which differs from the deployed script's generated name"),
                " Remove name to keep the deployed script.".to_string(),
            ));
        }
        _ => {}
    }
    if bw.namespace != hw.namespace {
        return Some((
            "its dispatch namespace changed".to_string(),
            " Restore the namespace.".to_string(),
        ));
    }
    if bw.mode != hw.mode {
        let word = |mode: Mode| match mode {
            Mode::Script => "a script",
            Mode::Version => "a version of another Worker",
            Mode::Preview => "a preview",
        };
        return Some((
            format!("it changed from {} to {}", word(bw.mode), word(hw.mode)),
            format!(" Deploy the {} under a new logical id instead.", word(hw.mode)),
        ));
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn worker_replaced(
    base: &Baseline,
    m: &Model,
    ws: &Workspace,
    stack: &str,
    id: &str,
    bw: &WorkerSnap,
    hid: &str,
    hw: &WorkerSnap,
    (why, hint): (&str, &str),
    renamed_ok: bool,
    out: &mut Vec<Finding>,
) {
    let mut lost: Vec<String> = bw.dos.values().map(|d| d.label.clone()).collect();
    lost.extend(bw.workflows.keys().cloned());
    lost.sort();
    lost.dedup();
    let (sev, consequence) = if lost.is_empty() {
        (
            Some(Severity::Warning),
            "the old script is deleted and a new one created".to_string(),
        )
    } else {
        (
            None,
            format!(
                "the old script is deleted with every object of {} it hosts",
                lost.join(", ")
            ),
        )
    };
    let at = (hw.loc.file, hw.loc.span);
    let mut fixes = Vec::new();
    let fix_hint = if hid != id && !renamed_ok {
        if has(ws, hw.loc.file, Gate::RenamedFrom)
            && let Some(y) = &hw.yield_site
            && let Some(alchemy) = alchemy_root_name(m, y.file)
        {
            let target = m.ctx.text(y.file, y.span).to_string();
            fixes.push(Fix {
                title: format!("Keep the deployed Worker: {target}.pipe({alchemy}.renamedFrom(\"{id}\"))"),
                edits: vec![TextEdit {
                    file: y.file,
                    span: y.span,
                    new_text: format!("{target}.pipe({alchemy}.renamedFrom(\"{id}\"))"),
                }],
                safe: false,
            });
            format!(
                " Add .pipe(Alchemy.renamedFrom(\"{id}\")) to stack {stack}'s yield* of {}, or restore the id.",
                hw.label
            )
        } else if has(ws, hw.loc.file, Gate::RenamedFrom) {
            format!(
                " Add .pipe(Alchemy.renamedFrom(\"{id}\")) to the stack's yield* of {}, or restore the id.",
                hw.label
            )
        } else {
            " The installed alchemy has no renamedFrom (beta.69 and later): restore the id.".to_string()
        }
    } else {
        hint.to_string()
    };
    let msg = format!(
        "Deploying this replaces Worker {} ({why}): {consequence}.{fix_hint}",
        hw.label
    );
    out.push(Finding {
        rule: WORKER_REPLACED,
        severity: sev,
        file: at.0,
        span: at.1,
        message: msg,
        related: vec![base_note(
            ws,
            m,
            at,
            base,
            &bw.loc,
            &format!("{} was \"{id}\"", bw.label),
        )],
        fixes,
    });
}

/// The local name of the `alchemy` root module in `file` (`import * as Alchemy from "alchemy"`).
pub fn alchemy_root_name(m: &Model, file: FileId) -> Option<String> {
    m.ctx.facts(file).imports.iter().find_map(|i| {
        let ns = i.namespace.as_ref()?;
        let pkg = m
            .ctx
            .packages
            .iter()
            .any(|p| i.specifier == *p || i.specifier == format!("{p}/index"));
        (pkg && !super::api::CLOUDFLARE_ROOT_PACKAGES.contains(&i.specifier.as_str()))
            .then(|| ns.name.clone())
    })
}

/// Another head Worker (not `except`) hosting namespace `ns`.
fn hosted_elsewhere<'h>(
    now: &'h StackSnap,
    ns: &str,
    except: &str,
) -> Option<(&'h str, &'h WorkerSnap, &'h DoSnap)> {
    now.workers
        .iter()
        .filter(|(nid, _)| nid.as_str() != except)
        .find_map(|(nid, w)| w.dos.get(ns).map(|d| (nid.as_str(), w, d)))
}

#[allow(clippy::too_many_arguments)]
fn compare_hosted(
    base: &Baseline,
    m: &Model,
    ws: &Workspace,
    id: &str,
    bw: &WorkerSnap,
    hid: &str,
    hw: &WorkerSnap,
    now: &StackSnap,
    out: &mut Vec<Finding>,
) {
    let mut changed_set = false;
    for (ns, d) in &bw.dos {
        if hw.dos.contains_key(ns) {
            continue; // same namespace (a className change is a class rename: data kept)
        }
        changed_set = true;
        if let Some((nid, nw, nd)) = hosted_elsewhere(now, ns, hid) {
            moved(base, m, ws, id, bw, d, nid, nw, nd, ns, out);
            continue;
        }
        // the same declaration under another namespace id
        if let Some((new_ns, nd)) = hw
            .dos
            .iter()
            .find(|(k, nd)| nd.decl == d.decl && !bw.dos.contains_key(*k))
        {
            let at = (nd.loc.file, nd.loc.span);
            let hint = if d.descriptor {
                format!(
                    " Keep the env key \"{ns}\" and change only className: that renames the class and keeps the data."
                )
            } else {
                format!(" Restore the name \"{ns}\": a Durable Object's name cannot change in place.")
            };
            out.push(Finding {
                rule: DO_RENAMED,
                severity: None,
                file: at.0,
                span: at.1,
                message: format!(
                    "Deploying this deletes every {} object stored under {} and creates an empty namespace: its id changed from \"{ns}\" to \"{new_ns}\".{hint}",
                    d.label, hw.label
                ),
                related: vec![base_note(ws, m, at, base, &d.loc, &format!("{} was \"{ns}\"", d.label))],
                fixes: Vec::new(),
            });
            continue;
        }
        let at = (hw.loc.file, hw.loc.span);
        out.push(Finding {
            rule: DO_DELETED,
            severity: None,
            file: at.0,
            span: at.1,
            message: format!(
                "Deploying this deletes every {} object stored under {}: {} no longer hosts {} (namespace \"{ns}\"), so the upload sends it as a deleted class. Keep hosting it, or suppress this to accept the loss.",
                d.label, hw.label, hw.label, d.label
            ),
            related: vec![base_note(ws, m, at, base, &d.host_loc, &format!("{} hosted {}", bw.label, d.label))],
            fixes: Vec::new(),
        });
    }
    if hw.dos.keys().any(|k| !bw.dos.contains_key(k)) {
        changed_set = true;
    }
    // Workflows: their names derive from the host script
    for (wf, bl) in &bw.workflows {
        if hw.workflows.contains_key(wf) {
            continue;
        }
        if let Some((_, nw)) = now
            .workers
            .iter()
            .find(|(nid, w)| nid.as_str() != hid && w.workflows.contains_key(wf))
        {
            let hl = &nw.workflows[wf];
            let at = (hl.file, hl.span);
            out.push(Finding {
                rule: WORKFLOW_REHOSTED,
                severity: None,
                file: at.0,
                span: at.1,
                message: format!(
                    "Workflow {wf} moves from {} to {}: its name derives from the host script, so the deploy creates a new, empty Workflow while running instances stay with the old one.",
                    bw.label, nw.label
                ),
                related: vec![base_note(ws, m, at, base, bl, &format!("{wf} was hosted by {}", bw.label))],
                fixes: Vec::new(),
            });
        }
    }
    if changed_set
        && let Some(t) = hw.self_traffic
        && t < 100.0
    {
        let at = (hw.loc.file, hw.loc.span);
        out.push(Finding {
            rule: MIGRATION_DURING_ROLLOUT,
            severity: None,
            file: at.0,
            span: at.1,
            message: format!(
                "{} changes the Durable Object classes it hosts during a gradual rollout (version.traffic {t}), which Alchemy rejects: migrations cannot ride a gradual rollout. Deploy the class change at traffic 100 first.",
                hw.label
            ),
            related: vec![base_note(ws, m, at, base, &bw.loc, &format!("{} was deployed", bw.label))],
            fixes: Vec::new(),
        });
    }
}

/// Namespace `ns` hosted by base Worker `id` is hosted by head Worker `nid` now.
#[allow(clippy::too_many_arguments)]
fn moved(
    base: &Baseline,
    m: &Model,
    ws: &Workspace,
    id: &str,
    bw: &WorkerSnap,
    d: &DoSnap,
    nid: &str,
    nw: &WorkerSnap,
    nd: &DoSnap,
    ns: &str,
    out: &mut Vec<Finding>,
) {
    let named = |s: &String| s == id || bw.name.as_deref() == Some(s.as_str());
    if nd.transferred_from.iter().any(named) {
        return;
    }
    let at = (nd.loc.file, nd.loc.span);
    let mut fixes = Vec::new();
    let msg = if has(ws, nd.loc.file, Gate::TransferredFrom) {
        if let Some(fix) = transfer_fix(m, nd, id) {
            fixes.push(fix);
        }
        format!(
            "{} moves from {} to {} without transferredFrom: \"{id}\", so the deploy fails (DurableObjectTransferRequired) or {}'s next deploy deletes every {} object. Add transferredFrom: \"{id}\" to {}; a pure move is two deploys: add it on {} first, remove it from {} in the next deploy.",
            d.label, bw.label, nw.label, bw.label, d.label, nd.label, nw.label, bw.label
        )
    } else {
        format!(
            "{} moves from {} to {}: the installed alchemy has no transferredFrom (beta.63 and later), so deploying this deletes every {} object stored under {} and {} starts empty. Upgrade alchemy to move it with its data, or keep it on {}.",
            d.label, bw.label, nw.label, d.label, bw.label, nw.label, bw.label
        )
    };
    let _ = (nid, ns);
    out.push(Finding {
        rule: DO_MOVED,
        severity: None,
        file: at.0,
        span: at.1,
        message: msg,
        related: vec![base_note(
            ws,
            m,
            at,
            base,
            &d.host_loc,
            &format!("{} hosted {}", bw.label, d.label),
        )],
        fixes,
    });
}

/// `transferredFrom: "Old"` in the DO's props (class call or descriptor).
fn transfer_fix(m: &Model, nd: &DoSnap, old: &str) -> Option<Fix> {
    let ctx = &m.ctx;
    let info = m.res(nd.res);
    let f = info.file;
    let q = ctx.facts(f).quote;
    let lit = format!("{q}{old}{q}");
    let edit = match info.args.get(1) {
        Some(a) if matches!(info.form, Form::DoModular | Form::DoDescriptor) => {
            let obj = ctx.object_literal(f, *a)?;
            match ctx.prop(f, obj, "transferredFrom") {
                Some(p) => match ctx.kind(f, p.value)? {
                    Expr::Array { elems, .. } => {
                        let sp = ctx.span(f, p.value);
                        let at = sp.end - 1;
                        let sep = if elems.is_empty() { "" } else { ", " };
                        TextEdit {
                            file: f,
                            span: Span { start: at, end: at },
                            new_text: format!("{sep}{lit}"),
                        }
                    }
                    _ => {
                        let sp = ctx.span(f, p.value);
                        TextEdit {
                            file: f,
                            span: sp,
                            new_text: format!("[{}, {lit}]", ctx.text(f, sp)),
                        }
                    }
                },
                None => {
                    let Some(Expr::Object { props, .. }) = ctx.kind(f, obj) else {
                        return None;
                    };
                    let osp = ctx.span(f, obj);
                    match props.last() {
                        Some(last) => TextEdit {
                            file: f,
                            span: Span {
                                start: last.span.end,
                                end: last.span.end,
                            },
                            new_text: format!(", transferredFrom: {lit}"),
                        },
                        None => TextEdit {
                            file: f,
                            span: Span {
                                start: osp.start + 1,
                                end: osp.end - 1,
                            },
                            new_text: format!(" transferredFrom: {lit} "),
                        },
                    }
                }
            }
        }
        None if info.form == Form::DoModular => {
            let name = *info.args.first()?;
            let sp = ctx.span(f, name);
            TextEdit {
                file: f,
                span: Span {
                    start: sp.end,
                    end: sp.end,
                },
                new_text: format!(", {{ transferredFrom: {lit} }}"),
            }
        }
        _ => return None,
    };
    Some(Fix {
        title: format!("Add transferredFrom: {lit} to {}", nd.label),
        edits: vec![edit],
        safe: false,
    })
}

/// Emit the findings of one deploy-impact rule.
pub fn emit(m: &Model, rule: &'static super::rules::RuleMeta, out: &mut Vec<super::Diagnostic>) {
    for f in findings(m, &m.impact).iter().filter(|f| f.rule == rule.id) {
        let mut d = super::rules::Diag::new(rule, f.file, f.span, f.message.clone());
        if let Some(sev) = f.severity {
            d = d.severity(sev);
        }
        for (file, span, msg) in &f.related {
            d = d.related(*file, *span, msg.clone());
        }
        for fix in &f.fixes {
            d = d.fix(fix.title.clone(), fix.edits.clone());
        }
        d.push(out);
    }
}
