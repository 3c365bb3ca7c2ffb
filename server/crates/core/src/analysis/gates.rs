//! Version gates: which Alchemy forms the project's installed or declared `alchemy` version
//! has. The betas after beta.59 add forms one release at a time; the first npm beta that has
//! each is listed in [`Gate`]. An unknown version (no `node_modules/alchemy`, no declared
//! spec, a non-numeric prerelease) counts as the newest, so current code is never judged by
//! an old API.

use alchemy_grammar::ExprId;

use super::symbols::{Sym, Symbols};
use crate::workspace::{FileId, Workspace};

/// The fork with the tutorial API whatever its version says (always the first generation).
pub const FORK: &str = "@oddlynew/alchemy";

/// The first beta alchemy-ls checks (earlier betas lack `.from` and take `bindings`).
pub const FIRST_SUPPORTED_BETA: u32 = 39;

/// Whether `file`'s project declares an `alchemy` older than the v2 API alchemy-ls checks
/// (`unsupported-version`): version-dependent checks stay silent there.
pub fn unsupported(ws: &Workspace, file: FileId) -> bool {
    ws.versions.get(&file).is_some_and(|v| v.major < 2)
        || beta_of(ws, file).is_some_and(|b| b < FIRST_SUPPORTED_BETA)
}

/// A feature and the first npm beta that has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// `transferredFrom` on DO classes and descriptors; Workflow names derived from the host.
    TransferredFrom,
    /// A `Worker` class call with props and no `.make` anywhere is an external Worker.
    ExternalClassWorker,
    /// `version: { parent, traffic }` Workers and `Worker.URL`.
    VersionWorkers,
    /// `Alchemy.renamedFrom`, `Cloudflare.WorkerEntrypoint`, `Cloudflare.Self`.
    RenamedFrom,
    /// Packed `alchemy:dos:` tags and the 10-tag check at upload.
    PackedDoTags,
    /// `preview: { of }` Workers.
    PreviewWorkers,
}

impl Gate {
    /// The first beta that has the feature.
    pub fn first_beta(self) -> u32 {
        match self {
            Gate::TransferredFrom | Gate::PackedDoTags => 63,
            Gate::ExternalClassWorker | Gate::VersionWorkers => 66,
            Gate::RenamedFrom => 69,
            Gate::PreviewWorkers => 78,
        }
    }
}

/// The installed `alchemy` version of a file as its beta number (`2.0.0-beta.N` → N); releases
/// after 2.0.0 count as newer than every beta (`u32::MAX`); `None` when unknown.
pub fn beta_of(ws: &Workspace, file: FileId) -> Option<u32> {
    let v = ws.versions.get(&file)?;
    if v.major != 2 || v.minor != 0 || v.patch != 0 {
        return if (v.major, v.minor, v.patch) > (2, 0, 0) {
            Some(u32::MAX)
        } else {
            None
        };
    }
    v.beta
}

/// Whether `file`'s project has `gate` (an unknown version counts as the newest).
pub fn has(ws: &Workspace, file: FileId, gate: Gate) -> bool {
    beta_of(ws, file).is_none_or(|b| b >= gate.first_beta())
}

/// Whether the API expression `callee` (a factory) comes from the fork, which keeps the first
/// generation's forms whatever version it declares.
pub fn from_fork(syms: &Symbols, file: FileId, callee: ExprId) -> bool {
    matches!(syms.resolve_expr(file, callee), Some(Sym::External { module, .. }) if is_fork_module(&module))
}

/// Whether `module` is the fork or one of its subpath modules.
pub fn is_fork_module(module: &str) -> bool {
    module == FORK
        || module
            .strip_prefix(FORK)
            .is_some_and(|rest| rest.starts_with('/'))
}
