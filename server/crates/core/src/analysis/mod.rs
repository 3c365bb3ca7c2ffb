//! The analysis: resources, scopes, the relation graph and the rules. Pure: no IO, no
//! protocol types; it reads a [`crate::workspace::Workspace`] snapshot.

pub mod api;
pub mod components;
pub mod ctx;
pub mod diagnostic;
pub mod finalize;
pub mod fixes;
pub mod gates;
pub mod graph;
pub mod impact;
pub mod model;
pub mod resources;
pub mod rules;
pub mod scopes;
pub mod shape;
pub mod symbols;
#[cfg(test)]
pub(crate) mod testing;

pub use diagnostic::*;
pub use graph::*;

use crate::workspace::Workspace;

/// The result of analysing one workspace snapshot.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// The relation graph ([`analyze`] only; empty from [`analyze_by_components`]).
    pub graph: Graph,
    /// Final diagnostics: configured severities applied, `off` rules and suppressed ones
    /// removed, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Per-component models ([`analyze_by_components`] only), for IDE requests.
    pub components: components::Components,
}

/// Analyse a workspace snapshot as one whole (the graph needs it).
pub fn analyze(ws: &Workspace) -> Analysis {
    let ctx = ctx::Ctx::new(ws);
    let model = model::Model::build(ctx);
    let raw = rules::run_all(&model);
    let all: Vec<_> = ws.iter().map(|f| f.id).collect();
    let diagnostics = finalize::finalize_in(ws, &all, raw);
    Analysis {
        graph: model.into_graph(),
        diagnostics,
        components: Default::default(),
    }
}

/// Analyse a workspace snapshot component by component (same diagnostics as [`analyze`]),
/// reusing what `analyzer` kept from earlier snapshots.
pub fn analyze_by_components(analyzer: &mut components::Analyzer, ws: &Workspace) -> Analysis {
    let (diagnostics, components) = analyzer.analyze(ws);
    Analysis {
        graph: Graph::default(),
        diagnostics,
        components,
    }
}
