// The Stack Graph webview: draws the graph the extension posts (from the server's
// `alchemy/graph`) with the bundled mermaid, filtered by stack; a click on a node opens its
// declaration, on an edge (its label or line) the `.from`/`yield*`/provide site; edges with a
// problem are red and listed under the graph with their message.
import {
  defaultFilter,
  edgeLabel,
  type GraphResult,
  keepFilter,
  type Location,
  problems,
  type StackFilter,
  stacks,
  filterGraph,
  toMermaid,
} from "../graphModel";

interface Mermaid {
  initialize(config: Record<string, unknown>): void;
  render(id: string, source: string): Promise<{ svg: string }>;
}
declare const mermaid: Mermaid;
declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
};

type Incoming = { type: "graph"; graph: GraphResult; title: string } | { type: "error"; message: string };

const vscode = acquireVsCodeApi();
const graphEl = document.getElementById("graph") as HTMLDivElement;
const errorEl = document.getElementById("error") as HTMLDivElement;
const problemsEl = document.getElementById("problems") as HTMLUListElement;
const select = document.getElementById("stack") as HTMLSelectElement;
const titleEl = document.getElementById("title") as HTMLHeadingElement;
const countEl = document.getElementById("count") as HTMLSpanElement;

let current: GraphResult | undefined;
let filter: StackFilter | undefined = (vscode.getState() as { filter?: StackFilter } | undefined)?.filter;
let renders = 0;

function open(location: Location): void {
  vscode.postMessage({ type: "open", location });
}

function filterValue(f: StackFilter): string {
  return f.kind === "stack" ? `stack:${f.id}` : f.kind;
}

function parseFilter(value: string): StackFilter {
  if (value.startsWith("stack:")) {
    return { kind: "stack", id: value.slice("stack:".length) };
  }
  return value === "undeployed" ? { kind: "undeployed" } : { kind: "all" };
}

function fillStacks(graph: GraphResult, f: StackFilter): void {
  select.textContent = "";
  const add = (value: string, text: string): void => {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  };
  add("all", "All stacks");
  for (const s of stacks(graph)) {
    add(`stack:${s.id}`, `Stack ${s.name}`);
  }
  if (graph.nodes.some((n) => n.kind !== "stack" && n.stacks.length === 0)) {
    add("undeployed", "Not deployed by a stack");
  }
  select.value = filterValue(f);
}

async function draw(): Promise<void> {
  if (!current) {
    return;
  }
  filter = keepFilter(current, filter);
  vscode.setState({ filter });
  fillStacks(current, filter);
  const shown = filterGraph(current, filter);
  const drawing = toMermaid(shown);
  countEl.textContent = `${shown.nodes.length} of ${current.nodes.length} resources`;
  graphEl.dataset.state = "pending";
  errorEl.textContent = "";
  try {
    const { svg } = await mermaid.render(`alchemy-graph-${++renders}`, drawing.source);
    graphEl.innerHTML = svg;
  } catch (e) {
    graphEl.dataset.state = "error";
    errorEl.textContent = `Could not draw the graph: ${e instanceof Error ? e.message : String(e)}`;
    return;
  }
  // Nodes: <g id="<svg id>-flowchart-n3-3" class="node">.
  for (const g of graphEl.querySelectorAll<SVGGElement>("g.node")) {
    const m = /flowchart-(n\d+)-\d+$/.exec(g.id);
    const node = m ? drawing.nodes.get(m[1]) : undefined;
    if (!node) {
      continue;
    }
    g.classList.add("clickable");
    g.dataset.resource = node.id;
    g.dataset.name = node.name;
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = `${node.label} ${node.name}${node.logicalId ? ` "${node.logicalId}"` : ""} — open its declaration`;
    g.appendChild(title);
    g.addEventListener("click", () => open(node.location));
  }
  // Edges: <path data-id="e2"> and their label <g class="label" data-id="e2">.
  for (const el of graphEl.querySelectorAll<SVGElement>("[data-id]")) {
    const edge = drawing.edges.get(el.dataset.id ?? "");
    if (!edge) {
      continue;
    }
    el.classList.add("clickable", "edge");
    el.dataset.edge = `${edge.kind}`;
    if (edge.problems.length > 0) {
      el.classList.add("problem");
    }
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = [edgeLabel(shown, edge), ...edge.problems.map((p) => `${p.rule}: ${p.message}`)].join("\n");
    el.appendChild(title);
    el.addEventListener("click", () => open(edge.location));
  }
  problemsEl.textContent = "";
  for (const { edge, problem } of problems(shown)) {
    const li = document.createElement("li");
    li.className = `problem ${problem.severity}`;
    const a = document.createElement("a");
    a.href = "#";
    a.textContent = `${problem.rule}: ${problem.message}`;
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      open(edge.location);
    });
    li.appendChild(a);
    problemsEl.appendChild(li);
  }
  graphEl.dataset.state = "rendered";
  graphEl.dataset.renders = String(renders);
}

select.addEventListener("change", () => {
  filter = parseFilter(select.value);
  void draw();
});

for (const [id, format] of [
  ["export-mermaid", "mermaid"],
  ["export-dot", "dot"],
] as const) {
  document.getElementById(id)?.addEventListener("click", () => vscode.postMessage({ type: "export", format }));
}
document.getElementById("refresh")?.addEventListener("click", () => vscode.postMessage({ type: "refresh" }));

window.addEventListener("message", (event: MessageEvent<Incoming>) => {
  const msg = event.data;
  if (msg.type === "graph") {
    titleEl.textContent = msg.title;
    if (!current && !filter) {
      filter = defaultFilter(msg.graph);
    }
    current = msg.graph;
    void draw();
  } else if (msg.type === "error") {
    graphEl.dataset.state = "error";
    errorEl.textContent = msg.message;
  }
});

const dark = document.body.classList.contains("vscode-dark") || document.body.classList.contains("vscode-high-contrast");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default", maxEdges: 5000 });
vscode.postMessage({ type: "ready" });
