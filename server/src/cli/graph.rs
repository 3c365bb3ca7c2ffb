//! `alchemy-ls graph`: the resource graph as JSON, Mermaid or Graphviz DOT.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::args::{GraphArgs, GraphFormat};
use super::{EXIT_OK, Io, load};
use crate::analysis::{self, EdgeKind, Graph, ResourceKind};
use crate::line_index::Encoding;
use crate::workspace::{FileId, Workspace};

pub fn run(args: &GraphArgs, io: &mut Io) -> i32 {
    let loaded = match load::load(&args.input, io) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let analysis = analysis::analyze(&loaded.ws);
    let view = GraphView::new(&loaded.ws, &analysis.graph, &loaded.base);
    let text = match args.format {
        GraphFormat::Json => view.json(),
        GraphFormat::Mermaid => view.mermaid(),
        GraphFormat::Dot => view.dot(),
    };
    match super::emit(io, &text) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

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
                    super::paths::relative(base, &f.path),
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
fn mermaid_text(s: &str) -> String {
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

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests;
