//! The stack graph: the views `alchemy-ls graph` prints (JSON, Mermaid, DOT) and the live
//! graph editors draw (`alchemy/graph`): every resource with its declaration, the stacks that
//! deploy it, and every relation with its site and the diagnostics there.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use alchemy_grammar::Span;
use serde::Serialize;

use alchemy_ls_core::analysis::{Analysis, Edge, EdgeKind, Graph, Resource, ResourceKind, Severity};
use alchemy_ls_core::line_index::Encoding;
use alchemy_ls_core::workspace::{FileId, Workspace};

/// A resource with its id and location, as the outputs show it.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceView {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub path: String,
    pub line: u32,
    #[serde(skip)]
    resource_kind: ResourceKind,
}

#[derive(Clone, Debug, Serialize)]
pub struct EdgeView {
    pub kind: &'static str,
    pub from: String,
    pub to: String,
    pub via: Option<String>,
    pub path: String,
    pub line: u32,
}

/// The graph with ids (`<relative path>#<key>`), sorted: resources by path, line; edges by
/// path, line, kind.
#[derive(Clone, Debug, Serialize)]
pub struct GraphView {
    pub version: u32,
    pub resources: Vec<ResourceView>,
    pub edges: Vec<EdgeView>,
}

impl GraphView {
    pub fn new(ws: &Workspace, graph: &Graph, base: &Path) -> GraphView {
        let locate = |file: FileId, offset: u32| -> (String, u32) {
            match ws.files.get(file.0 as usize) {
                Some(f) => (
                    alchemy_ls_core::display_path::relative(base, &f.path),
                    f.line_index.line_col(&f.text, offset, Encoding::Utf32).line + 1,
                ),
                None => ("<unknown>".to_string(), 1),
            }
        };
        let resources: Vec<ResourceView> = graph
            .resources
            .iter()
            .map(|r| {
                let (path, line) = locate(r.file, r.span.start);
                ResourceView {
                    id: format!("{path}#{}", r.key),
                    kind: r.kind.as_str(),
                    name: r.name.clone(),
                    path,
                    line,
                    resource_kind: r.kind,
                }
            })
            .collect();
        let id = |i: usize| {
            resources
                .get(i)
                .map(|r| r.id.clone())
                .unwrap_or_else(|| "<unknown>".into())
        };
        let mut edges: Vec<(EdgeKind, EdgeView)> = graph
            .edges
            .iter()
            .map(|e| {
                let (path, line) = locate(e.file, e.span.start);
                let view = EdgeView {
                    kind: e.kind.as_str(),
                    from: id(e.from),
                    to: id(e.to),
                    via: e.via.map(id),
                    path,
                    line,
                };
                (e.kind, view)
            })
            .collect();
        edges.sort_by(|(ka, a), (kb, b)| {
            (&a.path, a.line, ka, &a.from, &a.to, &a.via).cmp(&(&b.path, b.line, kb, &b.from, &b.to, &b.via))
        });
        let mut resources = resources;
        resources.sort_by(|a, b| (&a.path, a.line, &a.id).cmp(&(&b.path, b.line, &b.id)));
        GraphView {
            version: 1,
            resources,
            edges: edges.into_iter().map(|(_, e)| e).collect(),
        }
    }

    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Node names for Mermaid/DOT: `n0`, `n1`, … in sorted order.
    fn node(&self, id: &str) -> String {
        match self.resources.iter().position(|r| r.id == id) {
            Some(i) => format!("n{i}"),
            None => "unknown".to_string(),
        }
    }

    fn edge_label(&self, e: &EdgeView) -> String {
        match (&e.via, e.kind) {
            (Some(via), _) => {
                let name = self
                    .resources
                    .iter()
                    .find(|r| &r.id == via)
                    .map_or(via.as_str(), |r| &r.name);
                format!("{} via {}", e.kind, name)
            }
            _ => e.kind.to_string(),
        }
    }

    /// Unique edges in output order (a `deploys` and a `provides` between the same nodes
    /// are two edges; the same labelled edge found twice is one).
    fn unique_edges(&self) -> Vec<(String, String, String)> {
        let mut seen = Vec::new();
        for e in &self.edges {
            let key = (self.node(&e.from), self.node(&e.to), self.edge_label(e));
            if !seen.contains(&key) {
                seen.push(key);
            }
        }
        seen
    }

    /// `flowchart LR` for a README; shapes by kind.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for (i, r) in self.resources.iter().enumerate() {
            let label = mermaid_text(&r.name);
            let (open, close) = match r.resource_kind {
                ResourceKind::Stack => ("[[", "]]"),
                ResourceKind::Worker => ("[", "]"),
                ResourceKind::DurableObject | ResourceKind::RpcDurableObject => ("[(", ")]"),
                ResourceKind::Workflow => ("{{", "}}"),
                ResourceKind::Container => ("[/", "/]"),
                ResourceKind::Queue => (">", "]"),
                ResourceKind::R2Bucket | ResourceKind::D1Database => ("[(", ")]"),
            };
            let _ = writeln!(out, "    n{i}{open}\"{label}\"{close}");
        }
        for (from, to, label) in self.unique_edges() {
            let _ = writeln!(out, "    {from} -->|\"{}\"| {to}", mermaid_text(&label));
        }
        out
    }

    /// Graphviz: `dot -Tsvg`.
    pub fn dot(&self) -> String {
        let mut out =
            String::from("digraph alchemy {\n    rankdir=LR;\n    node [fontname=\"Helvetica\"];\n");
        for (i, r) in self.resources.iter().enumerate() {
            let shape = match r.resource_kind {
                ResourceKind::Stack => "folder",
                ResourceKind::Worker => "box",
                ResourceKind::DurableObject | ResourceKind::RpcDurableObject => "cylinder",
                ResourceKind::Workflow => "hexagon",
                ResourceKind::Container => "parallelogram",
                ResourceKind::Queue => "cds",
                ResourceKind::R2Bucket | ResourceKind::D1Database => "cylinder",
            };
            let _ = writeln!(
                out,
                "    n{i} [label=\"{}\", shape={shape}, tooltip=\"{}\"];",
                dot_text(&r.name),
                dot_text(&format!("{} {}", r.kind, r.id))
            );
        }
        for (from, to, label) in self.unique_edges() {
            let _ = writeln!(out, "    {from} -> {to} [label=\"{}\"];", dot_text(&label));
        }
        out.push_str("}\n");
        out
    }
}

/// Mermaid labels are quoted; `"` and characters Mermaid treats specially become entities.
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace(['\n', '\r'], " ")
}

/// The relation graph of the whole analysis: the graph of [`alchemy_ls_core::analysis::analyze`], or the
/// component models' graphs put together (each resource belongs to one component).
pub fn workspace_graph(ws: &Workspace, an: &Analysis) -> Graph {
    if an.components.results.is_empty() || an.components.results.iter().any(|c| c.model().is_none()) {
        if !an.graph.resources.is_empty() {
            return an.graph.clone();
        }
        return super::info::model(ws).graph().clone();
    }
    let mut out = Graph::default();
    let mut seen: HashMap<(FileId, u32, u32, ResourceKind), usize> = HashMap::new();
    for c in &an.components.results {
        let Some(m) = c.model() else { continue };
        let g = m.graph();
        let members: HashSet<FileId> = c.members.iter().copied().collect();
        let mut map: Vec<Option<usize>> = Vec::with_capacity(g.resources.len());
        for r in &g.resources {
            if !members.contains(&r.file) {
                map.push(None);
                continue;
            }
            let key = (r.file, r.span.start, r.span.end, r.kind);
            let idx = *seen.entry(key).or_insert_with(|| {
                out.resources.push(r.clone());
                out.resources.len() - 1
            });
            map.push(Some(idx));
        }
        for e in &g.edges {
            let (Some(Some(from)), Some(Some(to))) = (map.get(e.from), map.get(e.to)) else {
                continue;
            };
            let via = match e.via {
                Some(v) => match map.get(v) {
                    Some(Some(v)) => Some(*v),
                    _ => continue,
                },
                None => None,
            };
            let edge = Edge {
                kind: e.kind,
                from: *from,
                to: *to,
                via,
                file: e.file,
                span: e.span,
            };
            if !out.edges.contains(&edge) {
                out.edges.push(edge);
            }
        }
    }
    out
}

/// A resource of the live graph.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveNode {
    /// `<path relative to the base>#<key>`, as `alchemy-ls graph` names it.
    pub id: String,
    pub kind: ResourceKind,
    pub name: String,
    pub logical_id: Option<String>,
    pub file: FileId,
    /// The name in the declaration.
    pub span: Span,
    /// Ids of the stacks deploying it (directly, or through a Worker they deploy).
    pub stacks: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LiveProblem {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

/// A relation of the live graph.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveEdge {
    pub kind: EdgeKind,
    pub from: String,
    pub to: String,
    pub via: Option<String>,
    pub file: FileId,
    /// The `.from(…)`, `yield*`, provide or Deps site.
    pub span: Span,
    /// The diagnostics at that site.
    pub problems: Vec<LiveProblem>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveGraph {
    pub nodes: Vec<LiveNode>,
    pub edges: Vec<LiveEdge>,
}

/// The live graph of the analysis; ids relative to `base` (the first workspace root).
pub fn live_graph(ws: &Workspace, an: &Analysis, base: &Path) -> LiveGraph {
    let graph = workspace_graph(ws, an);
    let id = |r: &Resource| {
        format!(
            "{}#{}",
            alchemy_ls_core::display_path::relative(base, &ws.file(r.file).path),
            r.key
        )
    };
    let ids: Vec<String> = graph.resources.iter().map(id).collect();
    // Stack membership: what a stack deploys or provides, and what those Workers host, bind,
    // declare, consume (transitively through Workers).
    let mut stacks: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); graph.resources.len()];
    for (s, r) in graph.resources.iter().enumerate() {
        if r.kind != ResourceKind::Stack {
            continue;
        }
        let mut work: Vec<usize> = graph.edges.iter().filter(|e| e.from == s).map(|e| e.to).collect();
        let mut seen = HashSet::new();
        while let Some(x) = work.pop() {
            if x == s || !seen.insert(x) {
                continue;
            }
            stacks[x].insert(s);
            if graph.resources[x].kind == ResourceKind::Worker {
                work.extend(graph.edges.iter().filter(|e| e.from == x).map(|e| e.to));
                work.extend(graph.edges.iter().filter(|e| e.from == x).filter_map(|e| e.via));
            }
        }
    }
    let nodes = graph
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| LiveNode {
            id: ids[i].clone(),
            kind: r.kind,
            name: r.name.clone(),
            logical_id: r.logical_id.clone(),
            file: r.file,
            span: r.span,
            stacks: stacks[i].iter().map(|s| ids[*s].clone()).collect(),
        })
        .collect();
    let edges = graph
        .edges
        .iter()
        .map(|e| LiveEdge {
            kind: e.kind,
            from: ids[e.from].clone(),
            to: ids[e.to].clone(),
            via: e.via.map(|v| ids[v].clone()),
            file: e.file,
            span: e.span,
            problems: an
                .diagnostics
                .iter()
                .filter(|d| d.location.file == e.file && within(d.location.span, e.span))
                .map(|d| LiveProblem {
                    rule: d.rule,
                    severity: d.severity,
                    message: d.message.clone(),
                })
                .collect(),
        })
        .collect();
    LiveGraph { nodes, edges }
}

fn within(inner: Span, outer: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}
