//! Feature tests of the language server over stdio, on the tutorial (examples/cross-worker). They
//! need the analysis and the IDE queries.

mod common;
mod lsp_support;

use std::time::Duration;

use common::fixture::Fixture;
use lsp_support::{Init, TUTORIAL, TestServer, apply_edits, cursor, file_uri, span};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);
const VARIANT_1: (&str, &str) = ("Counter.from(WorkerA)", "Counter.from(WorkerB)");

struct Session {
    fx: Fixture,
    s: TestServer,
}

impl Session {
    fn new() -> Session {
        Session::with(Init::default())
    }

    fn with(mut init: Init) -> Session {
        let fx = Fixture::new(TUTORIAL);
        init.folders = vec![fx.root.clone()];
        let mut s = TestServer::spawn();
        s.initialize(init);
        Session { fx, s }
    }

    fn uri(&self, rel: &str) -> String {
        file_uri(&self.fx.path(rel))
    }

    fn disk(&self, rel: &str) -> String {
        std::fs::read_to_string(self.fx.path(rel)).unwrap()
    }

    /// Open `rel` with its disk text, or with `(from, to)` replaced in it.
    fn open(&mut self, rel: &str, replace: Option<(&str, &str)>) -> (String, String) {
        let mut text = self.disk(rel);
        if let Some((from, to)) = replace {
            assert!(text.contains(from), "{from} in {rel}");
            text = text.replacen(from, to, 1);
        }
        let uri = self.uri(rel);
        self.s.open(&uri, &text);
        (uri, text)
    }

    /// Position params at the `$0` of `pattern` in the document `uri` whose text is `text`.
    fn at(&self, uri: &str, text: &str, pattern: &str) -> Value {
        json!({ "textDocument": { "uri": uri }, "position": cursor(text, pattern) })
    }
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn variant_1_diagnostic_is_published_with_code_link_and_related() {
    let mut t = Session::new();
    let (uri, text) = t.open("src/workerB.ts", Some(VARIANT_1));
    let diags = t.s.wait_for_diagnostics(&uri, |d| !d.is_empty(), WAIT);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["code"], "from-non-host");
    assert_eq!(d["source"], "alchemy-ls");
    assert_eq!(d["severity"], 1);
    // a documentation link only when a real repository is configured (Cargo.toml)
    match alchemy_ls::catalog::help_uri("from-non-host") {
        Some(url) => assert_eq!(d["codeDescription"]["href"], url.as_str()),
        None => assert!(d.get("codeDescription").is_none_or(|c| c.is_null()), "{d}"),
    }
    // the `WorkerB` argument
    assert_eq!(d["range"], span(&text, "Counter.from($0WorkerB$0)"));
    let related = d["relatedInformation"].as_array().expect("related information");
    assert_eq!(related[0]["location"]["uri"], t.uri("src/workerA.ts"));
    assert_eq!(
        related[0]["location"]["range"]["start"],
        cursor(&t.disk("src/workerA.ts"), "export class $0WorkerA extends")
    );
    // published with the document version
    let n =
        t.s.wait_notification("textDocument/publishDiagnostics", |p| p["uri"] == uri.as_str());
    assert_eq!(n["version"], 1);
    t.s.shutdown();
}

#[test]
fn files_that_are_not_open_get_their_diagnostics_pushed_too() {
    let mut t = Session::new();
    std::fs::write(
        t.fx.path("src/workerB.ts"),
        t.disk("src/workerB.ts").replace(VARIANT_1.0, VARIANT_1.1),
    )
    .unwrap();
    let (_, _) = t.open("alchemy.run.ts", None);
    let b = t.uri("src/workerB.ts");
    let diags = t.s.wait_for_diagnostics(&b, |d| !d.is_empty(), WAIT);
    assert_eq!(codes(&diags), ["from-non-host"]);
    let n =
        t.s.wait_notification("textDocument/publishDiagnostics", |p| p["uri"] == b.as_str());
    assert!(
        n.get("version").is_none_or(Value::is_null),
        "no version for a closed file: {n}"
    );
    // fixed on disk → cleared
    std::fs::write(
        t.fx.path("src/workerB.ts"),
        t.disk("src/workerB.ts").replace(VARIANT_1.1, VARIANT_1.0),
    )
    .unwrap();
    t.s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": b, "type": 2 }] }),
    );
    t.s.wait_for_diagnostics(&b, |d| d.is_empty(), WAIT);
    t.s.shutdown();
}

#[test]
fn closing_a_buffer_falls_back_to_the_disk_content() {
    let mut t = Session::new();
    let (uri, _) = t.open("src/workerB.ts", Some(VARIANT_1));
    t.s.wait_for_diagnostics(&uri, |d| !d.is_empty(), WAIT);
    t.s.close(&uri);
    t.s.wait_for_diagnostics(&uri, |d| d.is_empty(), WAIT);
    t.s.shutdown();
}

#[test]
fn quick_fix_applied_makes_the_diagnostic_disappear() {
    let mut t = Session::new();
    let (uri, text) = t.open("src/workerB.ts", Some(VARIANT_1));
    let diags = t.s.wait_for_diagnostics(&uri, |d| !d.is_empty(), WAIT);
    let params = json!({
        "textDocument": { "uri": uri },
        "range": diags[0]["range"],
        "context": { "diagnostics": diags, "only": ["quickfix"] },
    });
    let actions = t.s.request("textDocument/codeAction", params).unwrap();
    let action = &actions[0];
    assert_eq!(action["title"], "Bind Counter from WorkerA");
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["diagnostics"][0]["code"], "from-non-host");
    let edits = action["edit"]["changes"][uri.as_str()]
        .as_array()
        .expect("edits keyed by uri")
        .clone();
    let fixed = apply_edits(&text, &edits);
    assert!(fixed.contains("Counter.from(WorkerA)"), "{fixed}");
    t.s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": edits.iter().map(|e| json!({ "range": e["range"], "text": e["newText"] })).collect::<Vec<_>>() }),
    );
    t.s.wait_for_diagnostics(&uri, |d| d.is_empty(), WAIT);
    assert_eq!(t.s.document_text(&uri)["text"], fixed.as_str());
    t.s.shutdown();
}

#[test]
fn removing_counter_from_worker_a_deps_updates_open_worker_b_in_one_edit() {
    let mut t = Session::new();
    let (a, a_text) = t.open("src/workerA.ts", None);
    let (b, b_text) = t.open("src/workerB.ts", None);
    // both analysed and clean
    let r =
        t.s.request("textDocument/hover", t.at(&b, &b_text, "yield* Co$0unter.from"));
    assert!(r.is_ok());
    assert!(t.s.last_diagnostics(&b).is_none_or(|d| d.is_empty()));
    // variant 2: `Cloudflare.Worker<WorkerA, {}, Counter>` → `Cloudflare.Worker<WorkerA, {}>`
    let deps = span(&a_text, "<WorkerA, {}$0, Counter$0>");
    let range = |p: &str| -> [u32; 2] {
        [
            deps[p]["line"].as_u64().unwrap() as u32,
            deps[p]["character"].as_u64().unwrap() as u32,
        ]
    };
    let ([l0, c0], [l1, c1]) = (range("start"), range("end"));
    t.s.change(&a, 2, [l0, c0, l1, c1], "");
    let diags = t.s.wait_for_diagnostics(&b, |d| !d.is_empty(), WAIT);
    assert_eq!(codes(&diags), ["from-non-host"]);
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("does not list it in its Deps"),
        "{diags:#?}"
    );
    // undo: the error in workerB disappears
    t.s.change(&a, 3, [l0, c0, l0, c0], ", Counter");
    t.s.wait_for_diagnostics(&b, |d| d.is_empty(), WAIT);
    t.s.shutdown();
}

#[test]
fn go_to_host_from_the_class_and_from_the_from_call() {
    let mut t = Session::new();
    let (object, object_text) = t.open("src/object.ts", None);
    let (b, b_text) = t.open("src/workerB.ts", None);
    let worker_a = t.uri("src/workerA.ts");
    let worker_a_class = cursor(&t.disk("src/workerA.ts"), "export class $0WorkerA extends");
    // on the `Counter` class
    let on_counter = t.at(&object, &object_text, "export class Co$0unter extends");
    let hosts = t.s.request("alchemy/hosts", on_counter.clone()).unwrap();
    assert_eq!(hosts.as_array().unwrap().len(), 1, "{hosts:#}");
    assert_eq!(hosts[0]["uri"], worker_a.as_str());
    assert_eq!(hosts[0]["range"]["start"], worker_a_class);
    let imp = t.s.request("textDocument/implementation", on_counter).unwrap();
    assert_eq!(imp, hosts);
    // on `WorkerA` in `Counter.from(WorkerA)` → WorkerA; definition too
    let on_from = t.at(&b, &b_text, "Counter.from(Wor$0kerA)");
    let hosts = t.s.request("alchemy/hosts", on_from.clone()).unwrap();
    assert_eq!(hosts[0]["uri"], worker_a.as_str());
    let def = t.s.request("textDocument/definition", on_from).unwrap();
    assert_eq!(def[0]["uri"], worker_a.as_str());
    assert_eq!(def[0]["range"]["start"], worker_a_class);
    t.s.shutdown();
}

#[test]
fn completion_in_from_offers_only_real_hosts() {
    let mut t = Session::new();
    // a second Worker that hosts nothing
    std::fs::write(
        t.fx.path("src/workerC.ts"),
        "import * as Cloudflare from \"alchemy/Cloudflare\";\n\nexport class WorkerC extends Cloudflare.Worker<WorkerC>()(\"WorkerC\", { main: import.meta.filename }) {}\n",
    )
    .unwrap();
    let (b, b_text) = t.open(
        "src/workerB.ts",
        Some(("Counter.from(WorkerA)", "Counter.from()")),
    );
    let r =
        t.s.request("textDocument/completion", t.at(&b, &b_text, "Counter.from($0)"))
            .unwrap();
    let labels: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"WorkerA"), "{labels:?}");
    assert!(
        !labels.contains(&"WorkerC") && !labels.contains(&"WorkerB"),
        "{labels:?}"
    );
    let item = r
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "WorkerA")
        .unwrap();
    assert_eq!(item["textEdit"]["newText"], "WorkerA");
    t.s.shutdown();
}

#[test]
fn hover_answers_and_follows_the_feature_toggle() {
    let mut t = Session::new();
    let (b, b_text) = t.open("src/workerB.ts", None);
    let on_counter = t.at(&b, &b_text, "yield* Co$0unter.from");
    let r = t.s.request("textDocument/hover", on_counter.clone()).unwrap();
    assert_eq!(r["contents"]["kind"], "markdown", "{r:#}");
    t.s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "alchemy-ls": { "features": { "hover": false } } } }),
    );
    let r = t.s.request("textDocument/hover", on_counter).unwrap();
    assert_eq!(r, Value::Null);
    t.s.shutdown();
}

#[test]
fn rule_severity_setting_rechecks() {
    let mut t = Session::new();
    let (b, _) = t.open("src/workerB.ts", Some(VARIANT_1));
    t.s.wait_for_diagnostics(&b, |d| d.len() == 1, WAIT);
    t.s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "alchemy-ls": { "rules": { "from-non-host": "off" } } } }),
    );
    t.s.wait_for_diagnostics(&b, |d| d.is_empty(), WAIT);
    t.s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "alchemy-ls": { "rules": { "from-non-host": "warning" } } } }),
    );
    let d = t.s.wait_for_diagnostics(&b, |d| d.len() == 1, WAIT);
    assert_eq!(d[0]["severity"], 2);
    t.s.shutdown();
}

#[test]
fn pull_clients_get_diagnostics_by_pull() {
    let mut t = Session::with(Init {
        pull_diagnostics: true,
        ..Init::default()
    });
    let (b, _) = t.open("src/workerB.ts", Some(VARIANT_1));
    let r =
        t.s.request("textDocument/diagnostic", json!({ "textDocument": { "uri": b } }))
            .unwrap();
    assert_eq!(r["kind"], "full");
    assert_eq!(codes(r["items"].as_array().unwrap()), ["from-non-host"]);
    // an open document's diagnostics are not also pushed
    t.s.drain_for(Duration::from_millis(200));
    assert!(t.s.last_diagnostics(&b).is_none_or(|d| d.is_empty()));
    t.s.shutdown();
}

#[test]
fn utf8_positions_in_diagnostics() {
    let mut t = Session::with(Init {
        encodings: Some(vec!["utf-8"]),
        ..Init::default()
    });
    // a comment with an emoji before the call shifts UTF-8 columns by 4 and UTF-16 by 2
    let (b, _) = t.open(
        "src/workerB.ts",
        Some((
            "    const counters = yield* Counter.from(WorkerA);",
            "/*😀*/const counters = yield* Counter.from(WorkerB);",
        )),
    );
    let diags = t.s.wait_for_diagnostics(&b, |d| !d.is_empty(), WAIT);
    // `/*😀*/` is 8 bytes vs 4 spaces: +4
    assert_eq!(diags[0]["range"]["start"], json!({ "line": 9, "character": 45 }));
    t.s.shutdown();
}

#[test]
fn workspace_symbols_cover_every_component() {
    // The stack's files are one component, other/lonely.ts another: the symbols of both.
    let fx = Fixture::new(&format!(
        "{TUTORIAL}//- other/lonely.ts\nimport * as Cloudflare from \"alchemy/Cloudflare\";\nexport class Lonely extends Cloudflare.Worker<Lonely, {{}}>()(\"Lonely\", {{ main: import.meta.path }}) {{}}\n"
    ));
    let mut s = TestServer::spawn();
    s.initialize(Init {
        folders: vec![fx.root.clone()],
        ..Init::default()
    });
    let b = file_uri(&fx.path("src/workerB.ts"));
    let text = std::fs::read_to_string(fx.path("src/workerB.ts"))
        .unwrap()
        .replacen(VARIANT_1.0, VARIANT_1.1, 1);
    s.open(&b, &text);
    s.wait_for_diagnostics(&b, |d| codes(d).iter().any(|c| c == "from-non-host"), WAIT);
    let all = s.request("workspace/symbol", json!({ "query": "" })).unwrap();
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["name"].as_str())
        .collect();
    for n in ["Lonely", "WorkerA", "WorkerB", "Counter"] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let lone = s.request("workspace/symbol", json!({ "query": "lone" })).unwrap();
    assert_eq!(lone.as_array().unwrap().len(), 1, "{lone:#}");
    assert_eq!(lone[0]["location"]["uri"], file_uri(&fx.path("other/lonely.ts")));
    s.shutdown();
}
