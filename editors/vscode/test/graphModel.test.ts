// The stack graph's per-stack filter and Mermaid drawing (src/graphModel.ts), on a graph shaped
// like examples/broken's `alchemy/graph` answer.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  defaultFilter,
  filterGraph,
  type GraphEdge,
  type GraphNode,
  type GraphResult,
  keepFilter,
  LARGE_GRAPH,
  mermaidText,
  problems,
  toMermaid,
} from "../src/graphModel";

const loc = (file: string, line: number) => ({
  uri: `file:///ws/${file}`,
  range: { start: { line, character: 0 }, end: { line, character: 5 } },
});
const node = (id: string, kind: string, name: string, stacks: string[]): GraphNode => ({
  id,
  kind,
  label: kind,
  name,
  location: loc(id.split("#")[0], 1),
  stacks,
});
const edge = (kind: string, from: string, to: string, problem?: string): GraphEdge => ({
  kind,
  from,
  to,
  location: loc(from.split("#")[0], 9),
  problems: problem ? [{ rule: "from-non-host", severity: "error", message: problem }] : [],
});

const S = "alchemy.run.ts#default";
const graph: GraphResult = {
  version: 1,
  nodes: [
    node(S, "stack", "BrokenStack", []),
    node("src/api.ts#Api", "worker", "Api", [S]),
    node("src/counter.ts#Counter", "durable-object", 'Coun"ter', [S]),
    node("src/workerA.ts#WorkerA", "worker", "WorkerA", [S]),
    node("src/lonely.ts#Lonely", "worker", "Lonely", []),
  ],
  edges: [
    edge("deploys", S, "src/workerA.ts#WorkerA"),
    edge("hosts", "src/workerA.ts#WorkerA", "src/counter.ts#Counter"),
    { ...edge("binds", "src/api.ts#Api", "src/counter.ts#Counter", "Api does not host Counter"), via: "src/api.ts#Api" },
    edge("binds", "src/lonely.ts#Lonely", "src/counter.ts#Counter"),
  ],
};

test("the stack filter keeps the stack, what it deploys, and edges between them", () => {
  const shown = filterGraph(graph, { kind: "stack", id: S });
  assert.deepEqual(
    shown.nodes.map((n) => n.name),
    ["BrokenStack", "Api", 'Coun"ter', "WorkerA"],
  );
  assert.equal(shown.edges.length, 3, "the edge from Lonely is not shown");
  const undeployed = filterGraph(graph, { kind: "undeployed" });
  assert.deepEqual(undeployed.nodes.map((n) => n.name), ["Lonely"]);
  assert.equal(undeployed.edges.length, 0);
  assert.equal(filterGraph(graph, { kind: "all" }).edges.length, 4);
});

test("large graphs start on their first stack; a vanished stack falls back", () => {
  assert.deepEqual(defaultFilter(graph), { kind: "all" });
  const big: GraphResult = {
    ...graph,
    nodes: [...graph.nodes, ...Array.from({ length: LARGE_GRAPH }, (_, i) => node(`x#${i}`, "worker", `W${i}`, []))],
  };
  assert.deepEqual(defaultFilter(big), { kind: "stack", id: S });
  assert.deepEqual(keepFilter(graph, { kind: "stack", id: "gone#x" }), { kind: "all" });
  assert.deepEqual(keepFilter(graph, { kind: "undeployed" }), { kind: "undeployed" });
});

test("Mermaid: one id per node and edge, problems in red, labels escaped", () => {
  const d = toMermaid(graph);
  assert.equal(d.nodes.size, 5);
  assert.equal(d.edges.size, 4);
  assert.equal(d.nodes.get("n2")?.id, "src/counter.ts#Counter");
  assert.equal(d.edges.get("e2")?.kind, "binds");
  assert.match(d.source, /^flowchart LR\n/);
  assert.match(d.source, /n2\[\("Coun#quot;ter"\)\]/);
  assert.match(d.source, /n1 e2@-->\|"⚠ binds via Api"\| n2/);
  assert.match(d.source, /linkStyle 2 stroke:#e51400/);
  assert.doesNotMatch(d.source, /linkStyle [013] /);
  assert.deepEqual(
    problems(graph).map((p) => p.problem.message),
    ["Api does not host Counter"],
  );
});

test("mermaidText escapes what Mermaid would parse", () => {
  assert.equal(mermaidText('a"b#c<d>e\nf'), "a#quot;b#35;c#lt;d#gt;e f");
});
