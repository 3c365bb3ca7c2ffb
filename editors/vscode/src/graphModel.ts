// The stack graph as the server sends it (`alchemy/graph`, docs/lsp.md) and what the webview
// draws from it: the per-stack filter and the Mermaid source with ids that map the drawn nodes
// and edges back to their locations. No `vscode` import and no DOM: used by the webview script
// (src/webview/graph.ts) and unit-tested under plain Node (test/graphModel.test.ts).

export interface Position {
  line: number;
  character: number;
}

export interface Location {
  uri: string;
  range: { start: Position; end: Position };
}

export interface GraphProblem {
  rule: string;
  severity: "error" | "warning" | "info";
  message: string;
}

export interface GraphNode {
  /** Stable id: `<path relative to the first root>#<key>`. */
  id: string;
  /** `worker`, `durable-object`, `stack`, … */
  kind: string;
  /** The kind in words ("Durable Object"). */
  label: string;
  name: string;
  logicalId?: string | null;
  location: Location;
  /** Ids of the stacks that deploy this resource (directly, or through a Worker they deploy). */
  stacks: string[];
}

export interface GraphEdge {
  /** `hosts`, `binds`, `deploys`, … */
  kind: string;
  from: string;
  to: string;
  via?: string | null;
  /** The `.from(…)`, `yield*`, provide or Deps site. */
  location: Location;
  /** Diagnostics at that site (e.g. `from-non-host`). */
  problems: GraphProblem[];
}

export interface GraphResult {
  version: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** "All stacks", one stack's id, or the resources no stack deploys. */
export type StackFilter = { kind: "all" } | { kind: "stack"; id: string } | { kind: "undeployed" };

/** Above this many resources the view starts on one stack rather than everything. */
export const LARGE_GRAPH = 40;

export function stacks(graph: GraphResult): GraphNode[] {
  return graph.nodes.filter((n) => n.kind === "stack");
}

/** The filter a fresh view starts with: everything, unless the graph is large. */
export function defaultFilter(graph: GraphResult): StackFilter {
  const s = stacks(graph);
  if (graph.nodes.length > LARGE_GRAPH && s.length > 0) {
    return { kind: "stack", id: s[0].id };
  }
  return { kind: "all" };
}

/** A filter still valid for `graph` (a stack that disappeared falls back to the default). */
export function keepFilter(graph: GraphResult, filter: StackFilter | undefined): StackFilter {
  if (!filter) {
    return defaultFilter(graph);
  }
  if (filter.kind === "stack" && !graph.nodes.some((n) => n.id === filter.id && n.kind === "stack")) {
    return defaultFilter(graph);
  }
  return filter;
}

/** The nodes and edges shown under `filter`: an edge is shown when both its ends are. */
export function filterGraph(graph: GraphResult, filter: StackFilter): GraphResult {
  const keep = (n: GraphNode): boolean => {
    switch (filter.kind) {
      case "all":
        return true;
      case "stack":
        return n.id === filter.id || n.stacks.includes(filter.id);
      case "undeployed":
        return n.kind !== "stack" && n.stacks.length === 0;
    }
  };
  const nodes = graph.nodes.filter(keep);
  const ids = new Set(nodes.map((n) => n.id));
  const edges = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
  return { version: graph.version, nodes, edges };
}

/** Mermaid labels are quoted; `"` and characters Mermaid treats specially become entities. */
export function mermaidText(s: string): string {
  let out = "";
  for (const c of s) {
    switch (c) {
      case '"':
        out += "#quot;";
        break;
      case "#":
        out += "#35;";
        break;
      case "<":
        out += "#lt;";
        break;
      case ">":
        out += "#gt;";
        break;
      case "\n":
      case "\r":
        out += " ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const SHAPES: Record<string, [string, string]> = {
  stack: ["[[", "]]"],
  worker: ["[", "]"],
  "durable-object": ["[(", ")]"],
  "rpc-durable-object": ["[(", ")]"],
  workflow: ["{{", "}}"],
  container: ["[/", "/]"],
  queue: [">", "]"],
  "r2-bucket": ["[(", ")]"],
  "d1-database": ["[(", ")]"],
};

/** The Mermaid class of a node kind (`durable-object` → `k_durable_object`). */
export function kindClass(kind: string): string {
  return `k_${kind.replace(/[^a-z0-9]/gi, "_")}`;
}

const CLASS_DEFS = [
  "    classDef k_stack fill:#3a3d41,stroke:#8b949e,color:#e6edf7",
  "    classDef k_worker fill:#1f4e79,stroke:#4f9ad8,color:#ffffff",
  "    classDef k_durable_object fill:#7a4a00,stroke:#f6a21a,color:#ffffff",
  "    classDef k_rpc_durable_object fill:#7a4a00,stroke:#f6a21a,color:#ffffff",
  "    classDef k_workflow fill:#4b2a6b,stroke:#a371f7,color:#ffffff",
];

export interface Drawing {
  source: string;
  /** Mermaid node id (`n0`) → node. */
  nodes: Map<string, GraphNode>;
  /** Mermaid edge id (`e0`) → edge. */
  edges: Map<string, GraphEdge>;
}

export function edgeLabel(graph: GraphResult, e: GraphEdge): string {
  const via = e.via ? graph.nodes.find((n) => n.id === e.via)?.name ?? e.via : undefined;
  const base = via ? `${e.kind} via ${via}` : e.kind;
  return e.problems.length > 0 ? `⚠ ${base}` : base;
}

/** `flowchart LR` with one node per resource and one edge per relation (ids `n<i>`, `e<i>`);
 *  edges with a problem are drawn red (errors) or amber (warnings). */
export function toMermaid(graph: GraphResult): Drawing {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  const index = new Map<string, string>();
  const lines = ["flowchart LR"];
  graph.nodes.forEach((n, i) => {
    const id = `n${i}`;
    nodes.set(id, n);
    index.set(n.id, id);
    const [open, close] = SHAPES[n.kind] ?? ["[", "]"];
    lines.push(`    ${id}${open}"${mermaidText(n.name)}"${close}`);
    lines.push(`    class ${id} ${kindClass(n.kind)}`);
  });
  const styles: string[] = [];
  let i = 0;
  for (const e of graph.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (!from || !to) {
      continue;
    }
    const id = `e${i}`;
    edges.set(id, e);
    lines.push(`    ${from} ${id}@-->|"${mermaidText(edgeLabel(graph, e))}"| ${to}`);
    if (e.problems.some((p) => p.severity === "error")) {
      styles.push(`    linkStyle ${i} stroke:#e51400,stroke-width:3px,color:#e51400`);
    } else if (e.problems.length > 0) {
      styles.push(`    linkStyle ${i} stroke:#bf8803,stroke-width:3px,color:#bf8803`);
    }
    i++;
  }
  lines.push(...CLASS_DEFS, ...styles);
  return { source: `${lines.join("\n")}\n`, nodes, edges };
}

/** The problems of the shown edges, for the list under the graph. */
export function problems(graph: GraphResult): { edge: GraphEdge; problem: GraphProblem }[] {
  return graph.edges.flatMap((edge) => edge.problems.map((problem) => ({ edge, problem })));
}
