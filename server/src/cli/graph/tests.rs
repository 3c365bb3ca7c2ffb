//! The graph outputs on the tutorial's cross-worker graph (examples/cross-worker), built by hand.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use alchemy_grammar::Span;

use super::*;
use crate::analysis::{Edge, Resource};
use crate::line_index::LineIndex;
use crate::workspace::SourceFile;

/// A file of `n` lines; resources and edges point at line starts.
fn file(id: u32, path: &str, n: usize) -> Arc<SourceFile> {
    let text: String = (1..=n).map(|i| format!("// line {i} 😀\n")).collect();
    Arc::new(SourceFile {
        id: FileId(id),
        path: PathBuf::from(path),
        line_index: Arc::new(LineIndex::new(&text)),
        text: Arc::from(text),
        facts: Arc::default(),
        hash: 0,
        root: true,
        imports: Vec::new(),
        reexports: Vec::new(),
    })
}

fn line(ws: &Workspace, file: u32, line: u32) -> Span {
    let f = ws.file(FileId(file));
    let start = f.line_index.line_start(line - 1);
    Span {
        start,
        end: start + 1,
    }
}

fn fixture() -> (Workspace, Graph) {
    let files = vec![
        file(0, "/ws/src/workerB.ts", 13),
        file(1, "/ws/alchemy.run.ts", 15),
        file(2, "/ws/src/object.ts", 12),
        file(3, "/ws/src/workerA.ts", 15),
    ];
    let mut ws = Workspace::default();
    ws.roots = vec![PathBuf::from("/ws")];
    ws.by_path = std::sync::Arc::new(files.iter().map(|f| (f.path.clone(), f.id)).collect());
    ws.files = std::sync::Arc::new(files);
    let res = |kind, name: &str, key: &str, f: u32, l: u32| Resource {
        kind,
        name: name.to_string(),
        key: key.to_string(),
        logical_id: Some(name.to_string()),
        file: FileId(f),
        span: line(&ws, f, l),
        full_span: line(&ws, f, l),
    };
    // Unsorted on purpose.
    let resources = vec![
        res(ResourceKind::Worker, "WorkerB", "WorkerB", 0, 6), // 0
        res(ResourceKind::Worker, "WorkerA", "WorkerA", 3, 5), // 1
        res(ResourceKind::Stack, "CrossWorkerDO", "default", 1, 7), // 2
        res(ResourceKind::DurableObject, "Counter", "Counter", 2, 5), // 3
    ];
    let edge = |kind, from, to, via, f: u32, l: u32| Edge {
        kind,
        from,
        to,
        via,
        file: FileId(f),
        span: line(&ws, f, l),
    };
    let edges = vec![
        edge(EdgeKind::Binds, 0, 3, Some(1), 0, 10),
        edge(EdgeKind::Provides, 2, 1, None, 1, 14),
        edge(EdgeKind::Hosts, 1, 3, None, 3, 14),
        edge(EdgeKind::Declares, 1, 3, None, 3, 5),
        edge(EdgeKind::Deploys, 2, 0, None, 1, 12),
        edge(EdgeKind::Deploys, 2, 1, None, 1, 11),
    ];
    (ws, Graph { resources, edges })
}

fn view() -> GraphView {
    let (ws, graph) = fixture();
    GraphView::new(&ws, &graph, Path::new("/ws"))
}

#[test]
fn json_matches_the_contract() {
    let v: serde_json::Value = serde_json::from_str(&view().json()).unwrap();
    let expected = serde_json::json!({
        "version": 1,
        "resources": [
            { "id": "alchemy.run.ts#default", "kind": "stack", "name": "CrossWorkerDO", "path": "alchemy.run.ts", "line": 7 },
            { "id": "src/object.ts#Counter", "kind": "durable-object", "name": "Counter", "path": "src/object.ts", "line": 5 },
            { "id": "src/workerA.ts#WorkerA", "kind": "worker", "name": "WorkerA", "path": "src/workerA.ts", "line": 5 },
            { "id": "src/workerB.ts#WorkerB", "kind": "worker", "name": "WorkerB", "path": "src/workerB.ts", "line": 6 }
        ],
        "edges": [
            { "kind": "deploys", "from": "alchemy.run.ts#default", "to": "src/workerA.ts#WorkerA", "via": null, "path": "alchemy.run.ts", "line": 11 },
            { "kind": "deploys", "from": "alchemy.run.ts#default", "to": "src/workerB.ts#WorkerB", "via": null, "path": "alchemy.run.ts", "line": 12 },
            { "kind": "provides", "from": "alchemy.run.ts#default", "to": "src/workerA.ts#WorkerA", "via": null, "path": "alchemy.run.ts", "line": 14 },
            { "kind": "declares", "from": "src/workerA.ts#WorkerA", "to": "src/object.ts#Counter", "via": null, "path": "src/workerA.ts", "line": 5 },
            { "kind": "hosts", "from": "src/workerA.ts#WorkerA", "to": "src/object.ts#Counter", "via": null, "path": "src/workerA.ts", "line": 14 },
            { "kind": "binds", "from": "src/workerB.ts#WorkerB", "to": "src/object.ts#Counter", "via": "src/workerA.ts#WorkerA", "path": "src/workerB.ts", "line": 10 }
        ]
    });
    assert_eq!(v, expected);
}

#[test]
fn mermaid() {
    insta::assert_snapshot!(view().mermaid());
}

#[test]
fn dot() {
    insta::assert_snapshot!(view().dot());
}

#[test]
fn labels_are_escaped() {
    assert_eq!(mermaid_text("a\"b<c>#"), "a#quot;b#lt;c#gt;#35;");
    assert_eq!(dot_text("a\"b\\"), "a\\\"b\\\\");
}
