//! Navigation, hover, references, code lenses and symbols.

use alchemy_grammar::{Expr, Span};

use super::info::{Hit, edges_from, edges_to, hit, hosts_of, kind_label, names, nav, site, with_model};
use super::{CodeLens, GoToHost, Hover, NavTarget, Symbol};
use alchemy_ls_core::analysis::Analysis;
use alchemy_ls_core::analysis::graph::{EdgeKind, ResourceKind};
use alchemy_ls_core::analysis::model::Model;
use alchemy_ls_core::analysis::scopes::EvKind;
use alchemy_ls_core::workspace::{FileId, Workspace};

/// Workers hosting the resource under the cursor (`alchemy/hosts`, `textDocument/implementation`):
/// on a `.from(H)` argument, H when it hosts the resource, else the Workers that do.
pub fn hosts_at(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Vec<NavTarget> {
    with_model(ws, an, Some(file), |m| hosts_at_in(m, file, offset))
}

fn hosts_at_in(m: &Model, file: FileId, offset: u32) -> Vec<NavTarget> {
    match hit(m, file, offset) {
        Some(Hit::From {
            x,
            host: Some(h),
            on_arg: true,
            ..
        }) if valid_host(m, x, h) || !hostable(m, x) => vec![nav(m, h)],
        Some(Hit::From { x, .. }) => hosts_of(m, x).into_iter().map(|w| nav(m, w)).collect(),
        Some(Hit::Resource { r, .. }) => hosts_of(m, r).into_iter().map(|w| nav(m, w)).collect(),
        None => Vec::new(),
    }
}

/// A Durable Object or Workflow (what Workers host).
fn hostable(m: &Model, x: usize) -> bool {
    matches!(
        m.res(x).kind,
        ResourceKind::DurableObject
            | ResourceKind::RpcDurableObject
            | ResourceKind::Workflow
            | ResourceKind::Container
    )
}

/// `X.from(H)` binds something: H hosts X (its own binding `.from(Self)` included).
fn valid_host(m: &Model, x: usize, h: usize) -> bool {
    m.hosts_x(h, x)
}

/// Go to Host with an explanation: where it leads, and what is wrong when the code names a
/// Worker that does not host the resource or no Worker hosts it.
pub fn go_to_host(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> GoToHost {
    with_model(ws, an, Some(file), |m| go_to_host_in(m, an, file, offset))
}

fn go_to_host_in(m: &Model, an: &Analysis, file: FileId, offset: u32) -> GoToHost {
    let nothing = |message: String| GoToHost {
        hosts: Vec::new(),
        message: Some(message),
        named: None,
    };
    let (x, named) = match hit(m, file, offset) {
        Some(Hit::From {
            x,
            host: Some(h),
            on_arg: true,
            span,
        }) => {
            if valid_host(m, x, h) || !hostable(m, x) {
                return GoToHost {
                    hosts: vec![nav(m, h)],
                    message: None,
                    named: None,
                };
            }
            (x, Some((h, span)))
        }
        Some(Hit::From { x, .. } | Hit::Resource { r: x, .. }) => (x, None),
        None => {
            return nothing(
                "Nothing to go to at the cursor: put it on a Durable Object or Workflow, a `yield* X` or an `X.from(Host)`."
                    .to_string(),
            );
        }
    };
    let xr = m.res(x);
    if !hostable(m, x) {
        return nothing(format!(
            "{} is a {}: Go to Host finds the Workers hosting a Durable Object or Workflow.",
            xr.name,
            kind_label(xr.kind)
        ));
    }
    let hosts = hosts_of(m, x);
    let targets: Vec<NavTarget> = hosts.iter().map(|w| nav(m, *w)).collect();
    match named {
        Some((h, span)) => {
            let hn = &m.res(h).name;
            // the rule's own words when it reports this `.from`
            let message = an
                .diagnostics
                .iter()
                .find(|d| {
                    d.rule == alchemy_ls_core::analysis::rules::from_non_host::ID
                        && d.location.file == file
                        && d.location.span.start <= span.end
                        && span.start <= d.location.span.end
                })
                .map(|d| d.message.clone())
                .unwrap_or_else(|| match hosts.len() {
                    0 => format!("{hn} does not host {}, and no Worker does.", xr.name),
                    _ => format!(
                        "{hn} does not host {}: {} is hosted by {}.",
                        xr.name,
                        xr.name,
                        names(m, &hosts)
                    ),
                });
            GoToHost {
                hosts: targets,
                message: Some(message),
                named: Some(nav(m, h)),
            }
        }
        None if hosts.is_empty() => nothing(format!(
            "No Worker hosts {}: a Worker hosts it by listing it in its Deps (Cloudflare.Worker<Self, Shape, {}>) and providing its runtime ({}'s Live) in its implementation.",
            xr.name, xr.name, xr.name
        )),
        None => GoToHost {
            hosts: targets,
            message: None,
            named: None,
        },
    }
}

/// Definition of the resource name under the cursor (the `.from(Host)` argument → Host's class).
pub fn definition_at(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Vec<NavTarget> {
    with_model(ws, an, Some(file), |m| definition_at_in(m, file, offset))
}

fn definition_at_in(m: &Model, file: FileId, offset: u32) -> Vec<NavTarget> {
    match hit(m, file, offset) {
        Some(Hit::From {
            host: Some(h),
            on_arg: true,
            ..
        }) => vec![nav(m, h)],
        Some(Hit::From { x, .. }) => vec![nav(m, x)],
        Some(Hit::Resource { r, .. }) => {
            let t = nav(m, r);
            // on the declaration itself: nothing to jump to
            if t.file == file && t.focus_span.contains(offset) {
                Vec::new()
            } else {
                vec![t]
            }
        }
        None => Vec::new(),
    }
}

/// Every binding, hosting and deploying site of the resource under the cursor.
pub fn references_at(
    ws: &Workspace,
    an: &Analysis,
    file: FileId,
    offset: u32,
    include_declaration: bool,
) -> Vec<NavTarget> {
    with_model(ws, an, Some(file), |m| {
        references_at_in(m, file, offset, include_declaration)
    })
}

fn references_at_in(m: &Model, file: FileId, offset: u32, include_declaration: bool) -> Vec<NavTarget> {
    let r = match hit(m, file, offset) {
        Some(Hit::From {
            host: Some(h),
            on_arg: true,
            ..
        }) => h,
        Some(Hit::From { x, .. }) => x,
        Some(Hit::Resource { r, .. }) => r,
        None => return Vec::new(),
    };
    let mut out = Vec::new();
    if include_declaration {
        out.push(nav(m, r));
    }
    out.extend(reference_sites(m, r));
    out
}

fn reference_sites(m: &Model, r: usize) -> Vec<NavTarget> {
    let name = m.res(r).name.clone();
    let mut out: Vec<NavTarget> = Vec::new();
    for e in &m.graph().edges {
        let relevant = match m.res(r).kind {
            ResourceKind::Worker => {
                (e.to == r
                    && matches!(
                        e.kind,
                        EdgeKind::Deploys | EdgeKind::Provides | EdgeKind::ServiceBinds
                    ))
                    || (e.kind == EdgeKind::Binds && e.via == Some(r))
            }
            _ => {
                e.to == r
                    && matches!(
                        e.kind,
                        EdgeKind::Binds | EdgeKind::Hosts | EdgeKind::Declares | EdgeKind::BindsContainer
                    )
            }
        };
        if relevant {
            let t = site(m, e.file, name_span(m, e.file, e.span, r), &name);
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    // uses that are not graph edges: a host's local `yield* Counter` and `Counter.from(Self)`
    for scope in m.scopes.values() {
        for ev in &scope.events {
            let used = match &ev.kind {
                EvKind::Yield { target } => *target == r,
                EvKind::From { x, .. } => *x == r,
                _ => false,
            };
            if used {
                let t = site(m, ev.file, name_span(m, ev.file, ev.span, r), &name);
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
    }
    out.sort_by_key(|t| (t.file, t.full_span.start));
    out
}

/// The name of resource `r` inside a reference site (the `Counter` of `yield* Counter` or
/// `Counter.from(WorkerA)`): the range TypeScript gives the same reference, so that an editor
/// merging both servers' answers shows it once. The whole site when no identifier in it names
/// `r` (a string, a Live).
fn name_span(m: &Model, file: FileId, site: Span, r: usize) -> Span {
    let ctx = &m.ctx;
    let env = alchemy_ls_core::analysis::ctx::Env::default();
    ctx.facts(file)
        .exprs
        .iter()
        .enumerate()
        .filter(|(_, n)| site.start <= n.span.start && n.span.end <= site.end)
        .filter(|(_, n)| matches!(n.kind, Expr::Ident { .. }))
        .filter(|(i, _)| ctx.resource_of(file, *i as u32, &env) == Some(r))
        .map(|(_, n)| n.span)
        .min_by_key(|s| s.start)
        .unwrap_or(site)
}

pub fn hover_at(ws: &Workspace, an: &Analysis, file: FileId, offset: u32) -> Option<super::Hover> {
    let hover = with_model(ws, an, Some(file), |m| hover_at_in(m, file, offset));
    with_rule_notes(hover, an, file, offset)
}

/// The rules of the diagnostics under the cursor, explained: the catalog's text is the
/// documentation when no documentation URL is configured (`alchemy_ls_core::catalog::docs_url`).
fn with_rule_notes(
    hover: Option<super::Hover>,
    an: &Analysis,
    file: FileId,
    offset: u32,
) -> Option<super::Hover> {
    let mut notes = String::new();
    let mut span: Option<alchemy_grammar::Span> = None;
    let mut seen: Vec<&str> = Vec::new();
    for d in &an.diagnostics {
        let s = d.location.span;
        if d.location.file != file || offset < s.start || offset > s.end || seen.contains(&d.rule) {
            continue;
        }
        seen.push(d.rule);
        span.get_or_insert(s);
        let Some(r) = alchemy_ls_core::catalog::rule(d.rule) else {
            continue;
        };
        notes.push_str(&format!("\n\n---\n\n**{}** — {}\n\n", r.id, r.summary));
        match alchemy_ls_core::catalog::help_uri(r.id) {
            Some(url) => notes.push_str(&format!("[Documentation]({url})\n")),
            None => notes.push_str(&format!("{}\n", r.description)),
        }
    }
    if notes.is_empty() {
        return hover;
    }
    Some(match hover {
        Some(mut h) => {
            h.markdown = format!("{}{notes}", h.markdown.trim_end());
            h
        }
        None => super::Hover {
            span: span.unwrap_or_default(),
            markdown: notes.trim_start_matches(['\n', '-']).trim_start().to_string(),
        },
    })
}

fn hover_at_in(m: &Model, file: FileId, offset: u32) -> Option<super::Hover> {
    match hit(m, file, offset)? {
        Hit::From { x, host, span, .. } => {
            let xr = m.res(x);
            let mut md = format!("**{}.from(", xr.name);
            match host {
                Some(h) => {
                    let hr = m.res(h);
                    md.push_str(&format!(
                        "{})** — binds {} `{}` on {}\n\n",
                        hr.name,
                        kind_label(xr.kind),
                        xr.name,
                        hr.name
                    ));
                    let script = m.name_prop(h).unwrap_or_else(|| {
                        format!(
                            "{}'s script",
                            hr.logical_id.clone().unwrap_or_else(|| hr.name.clone())
                        )
                    });
                    md.push_str(&format!(
                        "- scriptName: `{script}`\n- className: `{}`\n",
                        xr.logical_id.clone().unwrap_or_else(|| xr.name.clone())
                    ));
                    if !m.publishes(h, x) {
                        md.push_str(&format!("\n⚠ {} does not publish {}.\n", hr.name, xr.name));
                    }
                }
                None => md.push_str("…)**\n"),
            }
            Some(Hover { span, markdown: md })
        }
        Hit::Resource { r, span } => Some(Hover {
            span,
            markdown: describe(m, r),
        }),
    }
}

fn describe(m: &Model, r: usize) -> String {
    let info = m.res(r);
    let mut md = format!("**{}** · {}", info.name, kind_label(info.kind));
    if let Some(id) = &info.logical_id {
        md.push_str(&format!(" `\"{id}\"`"));
    }
    md.push_str("\n\n");
    match info.kind {
        ResourceKind::Worker => {
            let hosts: Vec<usize> = edges_from(m, r, EdgeKind::Hosts).iter().map(|e| e.to).collect();
            let declares: Vec<usize> = edges_from(m, r, EdgeKind::Declares)
                .iter()
                .map(|e| e.to)
                .collect();
            let binds: Vec<String> = edges_from(m, r, EdgeKind::Binds)
                .iter()
                .map(|e| match e.via {
                    Some(v) => format!("{} (from {})", m.res(e.to).name, m.res(v).name),
                    None => m.res(e.to).name.clone(),
                })
                .collect();
            let stacks: Vec<usize> = m.stacks_of(r).to_vec();
            if !hosts.is_empty() {
                md.push_str(&format!("- hosts: {}\n", names(m, &dedup(hosts))));
            }
            if !declares.is_empty() {
                md.push_str(&format!("- declares (Deps): {}\n", names(m, &declares)));
            }
            if !binds.is_empty() {
                md.push_str(&format!("- binds: {}\n", binds.join(", ")));
            }
            if !stacks.is_empty() {
                md.push_str(&format!("- deployed by: {}\n", names(m, &stacks)));
            }
        }
        ResourceKind::Stack => {
            let deploys: Vec<usize> = edges_from(m, r, EdgeKind::Deploys).iter().map(|e| e.to).collect();
            md.push_str(&format!("- deploys: {}\n", names(m, &dedup(deploys))));
        }
        _ => {
            let hosts = hosts_of(m, r);
            let bound: Vec<usize> = edges_to(m, r, EdgeKind::Binds).iter().map(|e| e.from).collect();
            md.push_str(&format!(
                "- hosted by: {}\n",
                if hosts.is_empty() {
                    "no Worker".to_string()
                } else {
                    names(m, &hosts)
                }
            ));
            if !bound.is_empty() {
                md.push_str(&format!("- bound by: {}\n", names(m, &dedup(bound))));
            }
            if let Some(methods) = shape_methods(m, r) {
                md.push_str(&format!("- methods: {}\n", methods.join(", ")));
            }
            for line in alchemy_ls_core::analysis::impact::do_at_baseline(m, r).unwrap_or_default() {
                md.push_str(&format!("- baseline: {line}\n"));
            }
        }
    }
    md
}

fn shape_methods(m: &Model, r: usize) -> Option<Vec<String>> {
    let info = m.res(r);
    let ta = info.type_args.as_ref()?;
    match &ta.args.get(1)?.kind {
        alchemy_grammar::TypeKind::Object { members, .. } => {
            Some(members.iter().map(|mm| mm.name.clone()).collect())
        }
        _ => None,
    }
}

fn dedup(mut v: Vec<usize>) -> Vec<usize> {
    v.sort();
    v.dedup();
    v
}

pub fn code_lenses(ws: &Workspace, an: &Analysis, file: FileId) -> Vec<CodeLens> {
    with_model(ws, an, Some(file), |m| code_lenses_in(m, file))
}

fn code_lenses_in(m: &Model, file: FileId) -> Vec<CodeLens> {
    let mut out = Vec::new();
    for (r, info) in m.ctx.res.list.iter().enumerate() {
        if info.file != file {
            continue;
        }
        let (title, targets) = match info.kind {
            ResourceKind::Worker => {
                let hosts = dedup(edges_from(m, r, EdgeKind::Hosts).iter().map(|e| e.to).collect());
                let stacks = m.stacks_of(r).to_vec();
                let mut parts = Vec::new();
                if !hosts.is_empty() {
                    parts.push(format!("hosts {}", names(m, &hosts)));
                }
                if !stacks.is_empty() {
                    parts.push(format!("deployed by {}", names(m, &stacks)));
                } else {
                    parts.push("not deployed by any stack".into());
                }
                let mut targets: Vec<NavTarget> = hosts.iter().map(|x| nav(m, *x)).collect();
                targets.extend(stacks.iter().map(|s| nav(m, *s)));
                (parts.join(" · "), targets)
            }
            ResourceKind::DurableObject | ResourceKind::RpcDurableObject | ResourceKind::Workflow => {
                let hosts = hosts_of(m, r);
                let bound = dedup(edges_to(m, r, EdgeKind::Binds).iter().map(|e| e.from).collect());
                let h = if hosts.is_empty() {
                    "not hosted".to_string()
                } else {
                    format!("hosted by {}", names(m, &hosts))
                };
                let b = match bound.len() {
                    0 => String::new(),
                    1 => " · bound by 1 worker".to_string(),
                    n => format!(" · bound by {n} workers"),
                };
                let mut targets: Vec<NavTarget> = hosts.iter().map(|w| nav(m, *w)).collect();
                let extra: Vec<NavTarget> = reference_sites(m, r)
                    .into_iter()
                    .filter(|t| !targets.contains(t))
                    .collect();
                targets.extend(extra);
                (format!("{h}{b}"), targets)
            }
            _ => continue,
        };
        out.push(CodeLens {
            span: info.span,
            title,
            targets,
        });
    }
    out
}

pub fn document_symbols(ws: &Workspace, an: &Analysis, file: FileId) -> Vec<Symbol> {
    with_model(ws, an, Some(file), |m| document_symbols_in(m, file))
}

fn document_symbols_in(m: &Model, file: FileId) -> Vec<Symbol> {
    symbols(m).into_iter().filter(|s| s.file == file).collect()
}

pub fn workspace_symbols(ws: &Workspace, an: &Analysis, query: &str) -> Vec<Symbol> {
    if an.components.results.is_empty() || an.components.results.iter().any(|c| c.model().is_none()) {
        return with_model(ws, an, None, |m| workspace_symbols_in(m, query));
    }
    // Every resource belongs to one component: the kept models cover the workspace.
    let mut out: Vec<Symbol> = an
        .components
        .results
        .iter()
        .filter_map(|c| c.model())
        .flat_map(|m| workspace_symbols_in(m, query))
        .collect();
    out.sort_by_key(|s| (s.file, s.full_span.start));
    out
}

fn workspace_symbols_in(m: &Model, query: &str) -> Vec<Symbol> {
    let q = query.to_lowercase();
    symbols(m)
        .into_iter()
        .filter(|s| s.name.to_lowercase().contains(&q))
        .collect()
}

fn symbols(m: &Model) -> Vec<Symbol> {
    m.ctx
        .res
        .list
        .iter()
        .map(|info| Symbol {
            name: info.name.clone(),
            kind: info.kind,
            file: info.file,
            full_span: info.full_span,
            focus_span: info.span,
            detail: Some(match &info.logical_id {
                Some(id) => format!("{} \"{id}\"", kind_label(info.kind)),
                None => kind_label(info.kind).to_string(),
            }),
        })
        .collect()
}
