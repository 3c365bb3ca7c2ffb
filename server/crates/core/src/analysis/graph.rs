//! The resource graph: resources and the relations between them.

use crate::workspace::FileId;
use alchemy_grammar::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    DurableObject,
    RpcDurableObject,
    Worker,
    Workflow,
    Container,
    Stack,
    Queue,
    R2Bucket,
    D1Database,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::DurableObject => "durable-object",
            ResourceKind::RpcDurableObject => "rpc-durable-object",
            ResourceKind::Worker => "worker",
            ResourceKind::Workflow => "workflow",
            ResourceKind::Container => "container",
            ResourceKind::Stack => "stack",
            ResourceKind::Queue => "queue",
            ResourceKind::R2Bucket => "r2-bucket",
            ResourceKind::D1Database => "d1-database",
        }
    }

    /// The kind in words, for messages and hovers.
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::DurableObject => "Durable Object",
            ResourceKind::RpcDurableObject => "RPC Durable Object",
            ResourceKind::Worker => "Worker",
            ResourceKind::Workflow => "Workflow",
            ResourceKind::Container => "Container",
            ResourceKind::Stack => "Stack",
            ResourceKind::Queue => "Queue",
            ResourceKind::R2Bucket => "R2 bucket",
            ResourceKind::D1Database => "D1 database",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    Hosts,
    Declares,
    Binds,
    Deploys,
    Provides,
    ServiceBinds,
    BindsContainer,
    /// DO → a former host named in its `transferredFrom` (≥ beta.63).
    TransfersFrom,
    /// Worker → a Queue it consumes.
    Consumes,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Hosts => "hosts",
            EdgeKind::Declares => "declares",
            EdgeKind::Binds => "binds",
            EdgeKind::Deploys => "deploys",
            EdgeKind::Provides => "provides",
            EdgeKind::ServiceBinds => "service-binds",
            EdgeKind::BindsContainer => "binds-container",
            EdgeKind::TransfersFrom => "transfers-from",
            EdgeKind::Consumes => "consumes",
        }
    }
}

/// Index into [`Graph::resources`].
pub type ResourceIdx = usize;

#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub kind: ResourceKind,
    /// Class/const name, or the logical id for anonymous resources.
    pub name: String,
    /// The part of the graph id after `#`: local name, `default`, or the logical id inside a
    /// function body; `@<line>` is appended on collision.
    pub key: String,
    /// Logical id (first string argument), if literal.
    pub logical_id: Option<String>,
    pub file: FileId,
    /// Span of the class name or of the factory call (the resource's "line").
    pub span: Span,
    /// Span of the whole declaration (class or call).
    pub full_span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub kind: EdgeKind,
    pub from: ResourceIdx,
    pub to: ResourceIdx,
    pub via: Option<ResourceIdx>,
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    pub resources: Vec<Resource>,
    pub edges: Vec<Edge>,
}
