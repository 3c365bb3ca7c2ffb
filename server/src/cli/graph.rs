//! `alchemy-ls graph`: the resource graph as JSON, Mermaid or Graphviz DOT.

use super::args::{GraphArgs, GraphFormat};
use super::{EXIT_OK, Io, load};
use crate::analysis;
#[cfg(test)]
use crate::analysis::{EdgeKind, Graph, ResourceKind};
#[cfg(test)]
use crate::ide::graph::{dot_text, mermaid_text};
#[cfg(test)]
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

pub use crate::ide::graph::{EdgeView, GraphView, ResourceView};

#[cfg(test)]
mod tests;
