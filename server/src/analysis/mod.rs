//! The analysis: resources, scopes, the relation graph and the rules. Pure: no IO, no
//! protocol types; it reads a [`crate::workspace::Workspace`] snapshot.

pub mod api;
pub mod ctx;
pub mod diagnostic;
pub mod finalize;
pub mod fixes;
pub mod graph;
pub mod model;
pub mod resources;
pub mod rules;
pub mod scopes;
pub mod symbols;

pub use diagnostic::*;
pub use graph::*;

use crate::workspace::Workspace;

/// The result of analysing one workspace snapshot.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub graph: Graph,
    /// Final diagnostics: configured severities applied, `off` rules and suppressed ones
    /// removed, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Analyse a workspace snapshot.
pub fn analyze(ws: &Workspace) -> Analysis {
    let ctx = ctx::Ctx::new(ws);
    let model = model::Model::build(ctx);
    let raw = rules::run_all(&model);
    let diagnostics = finalize::finalize(ws, raw);
    Analysis {
        graph: model.graph,
        diagnostics,
    }
}
