//! Protocol tests of the language server over stdio (the real binary). They do not need the
//! analysis: see `lsp_features.rs` for those that do.

mod common;
mod lsp_support;

use std::time::Duration;

use common::fixture::Fixture;
use lsp_support::{Init, TestServer, file_uri};
use serde_json::{Value, json};

fn init_with(init: Init) -> (TestServer, Value) {
    let mut s = TestServer::spawn();
    let r = s.initialize(init);
    (s, r)
}

#[test]
fn capabilities_with_utf16_by_default() {
    let (s, r) = init_with(Init::default());
    assert_eq!(r["serverInfo"]["name"], "alchemy-ls");
    insta::assert_json_snapshot!("capabilities_default", r["capabilities"]);
    s.shutdown();
}

#[test]
fn position_encoding_negotiation() {
    for (offered, expected) in [
        (Some(vec!["utf-16", "utf-8"]), "utf-8"),
        (Some(vec!["utf-8"]), "utf-8"),
        (Some(vec!["utf-32", "utf-16"]), "utf-16"),
        (Some(vec!["utf-32"]), "utf-32"),
        (Some(vec![]), "utf-16"),
        (None, "utf-16"),
    ] {
        let (s, r) = init_with(Init {
            encodings: offered.clone(),
            ..Init::default()
        });
        assert_eq!(
            r["capabilities"]["positionEncoding"], expected,
            "offered {offered:?}"
        );
        s.shutdown();
    }
}

#[test]
fn feature_toggles_and_pull_diagnostics_shape_capabilities() {
    let (s, r) = init_with(Init {
        initialization_options: Some(json!({
            "features": { "hover": false, "codeLens": false, "completion": false, "definition": false, "references": false }
        })),
        pull_diagnostics: true,
        ..Init::default()
    });
    let caps = &r["capabilities"];
    for absent in [
        "hoverProvider",
        "codeLensProvider",
        "completionProvider",
        "definitionProvider",
        "referencesProvider",
    ] {
        assert!(
            caps.get(absent).is_none(),
            "{absent} should not be advertised: {caps:#}"
        );
    }
    assert_eq!(caps["implementationProvider"], true);
    assert_eq!(caps["diagnosticProvider"]["interFileDependencies"], true);
    s.shutdown();
}

/// (encoding, text, edits in that encoding, expected text)
type SyncCase = (
    &'static str,
    &'static str,
    Vec<([u32; 4], &'static str)>,
    &'static str,
);

#[test]
fn incremental_sync_with_emoji_cjk_and_crlf() {
    let cases: Vec<SyncCase> = vec![
        // UTF-16: 😀 is two units, 中 one
        (
            "utf-16",
            "a😀b\r\n中文c\r\n",
            vec![([0, 3, 0, 4], "B"), ([1, 2, 1, 2], "!")],
            "a😀B\r\n中文!c\r\n",
        ),
        // UTF-8: 😀 is 4 bytes, 中 3
        (
            "utf-8",
            "a😀b\r\n中文c\r\n",
            vec![([0, 5, 0, 6], "B"), ([1, 6, 1, 6], "!")],
            "a😀B\r\n中文!c\r\n",
        ),
        // UTF-32: one unit per character
        (
            "utf-32",
            "a😀b\r\n中文c\r\n",
            vec![([0, 2, 0, 3], "B"), ([1, 2, 1, 2], "!")],
            "a😀B\r\n中文!c\r\n",
        ),
        // joining CRLF lines, inserting a line break, deleting an emoji (UTF-16)
        (
            "utf-16",
            "x\r\n😀y\r\nz",
            vec![([0, 1, 1, 0], ""), ([0, 1, 0, 3], "\r\n")],
            "x\r\ny\r\nz",
        ),
        // lone CR line breaks count as lines
        ("utf-16", "a\rb\rc", vec![([2, 0, 2, 1], "C")], "a\rb\rC"),
    ];
    for (enc, text, edits, expected) in cases {
        let fx = Fixture::new("//- /a.ts\n");
        let (mut s, _) = init_with(Init {
            encodings: Some(vec![enc]),
            root: Some(fx.root.clone()),
            ..Init::default()
        });
        let uri = file_uri(&fx.path("a.ts"));
        s.open(&uri, text);
        s.change_many(&uri, 2, edits);
        let doc = s.document_text(&uri);
        assert_eq!(doc["text"], expected, "{enc}: {text:?}");
        assert_eq!(doc["version"], 2);
        s.shutdown();
    }
}

#[test]
fn bad_changes_do_not_crash() {
    let fx = Fixture::new("//- /a.ts\n");
    let (mut s, _) = init_with(Init {
        root: Some(fx.root.clone()),
        ..Init::default()
    });
    let uri = file_uri(&fx.path("a.ts"));
    // a change to a document that was never opened
    s.change(&file_uri(&fx.path("nope.ts")), 5, [0, 0, 0, 0], "x");
    s.open(&uri, "abc");
    s.change(&uri, 5, [0, 3, 0, 3], "d");
    // version going backwards: applied (the client's text is the truth), logged
    s.change(&uri, 3, [0, 0, 0, 1], "");
    // positions past the end clamp
    s.change(&uri, 6, [40, 2, 99, 0], "!");
    // a change for a non-file URI
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "untitled:Untitled-1", "version": 2 }, "contentChanges": [{ "text": "x" }] }),
    );
    let doc = s.document_text(&uri);
    assert_eq!(doc["text"], "bcd!");
    assert_eq!(doc["version"], 6);
    // still answering
    let hover = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 1 } }),
    );
    assert_eq!(hover, Ok(Value::Null));
    s.shutdown();
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut s = TestServer::spawn();
    let err = s
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": "file:///a.ts" }, "position": { "line": 0, "character": 0 } }),
        )
        .expect_err("not initialized");
    assert_eq!(err["code"], -32002);
    s.initialize(Init::default());
    s.shutdown();
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let (s, _) = init_with(Init::default());
    assert_eq!(s.exit_without_shutdown(), Some(1));
}

#[test]
fn injected_panic_is_an_error_and_the_server_keeps_serving() {
    let fx = Fixture::new("//- /a.ts\nexport const a = 1;\n");
    let (mut s, _) = init_with(Init {
        root: Some(fx.root.clone()),
        ..Init::default()
    });
    let err = s.request("alchemy/debugPanic", json!({})).expect_err("panics");
    assert_eq!(err["code"], -32603);
    assert!(
        err["message"].as_str().unwrap().contains("injected panic"),
        "{err}"
    );
    let uri = file_uri(&fx.path("a.ts"));
    s.open(&uri, "export const a = 1;\n");
    let r = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 1 } }),
    );
    assert_eq!(r, Ok(Value::Null));
    let err = s
        .request("alchemy/debugPanic", json!({}))
        .expect_err("panics again");
    assert_eq!(err["code"], -32603);
    s.shutdown();
}

#[test]
fn test_hooks_are_off_without_the_env_var() {
    let mut s = TestServer::spawn_with_env(&[]);
    s.initialize(Init::default());
    let err = s.request("alchemy/debugPanic", json!({})).expect_err("no hook");
    assert_eq!(err["code"], -32601);
    s.shutdown();
}

#[test]
fn flood_of_changes_with_hovers_and_completions_all_answered() {
    let fx = Fixture::new("//- /a.ts\n");
    let (mut s, _) = init_with(Init {
        root: Some(fx.root.clone()),
        ..Init::default()
    });
    let uri = file_uri(&fx.path("a.ts"));
    s.open(&uri, "");
    let mut ids = Vec::new();
    let mut expected = String::new();
    for i in 0..1000u32 {
        let ch = if i % 50 == 49 { "\n" } else { "😀" };
        // append at the end: line = number of newlines, column in UTF-16 units
        let line = expected.matches('\n').count() as u32;
        let col = expected.rsplit('\n').next().unwrap().encode_utf16().count() as u32;
        s.change(&uri, i as i32 + 2, [line, col, line, col], ch);
        expected.push_str(ch);
        if i % 10 == 0 {
            let pos =
                json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": col } });
            ids.push(s.send_request("textDocument/hover", pos.clone()));
            ids.push(s.send_request("textDocument/completion", pos));
        }
    }
    for id in ids {
        match s.response(id) {
            Ok(_) => {}
            // answered for a version the document has moved past
            Err(e) => assert_eq!(e["code"], -32801, "{e}"),
        }
    }
    let doc = s.document_text(&uri);
    assert_eq!(doc["text"], expected.as_str());
    assert_eq!(doc["version"], 1001);
    // once the edits stop, requests are answered from the latest version
    let r = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(r, Ok(Value::Null));
    s.shutdown();
}

#[test]
fn watchers_registered_and_progress_reported() {
    let fx = Fixture::new("//- /alchemy.run.ts\nexport {};\n");
    let (mut s, _) = init_with(Init {
        folders: vec![fx.root.clone()],
        work_done_progress: true,
        ..Init::default()
    });
    let end = s.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    let token = end["token"].clone();
    let kinds: Vec<Value> = s
        .notifications
        .iter()
        .filter(|n| n["method"] == "$/progress" && n["params"]["token"] == token)
        .map(|n| n["params"]["value"]["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("begin"), json!("end")]);
    let methods: Vec<&str> = s
        .server_requests
        .iter()
        .filter_map(|r| r["method"].as_str())
        .collect();
    assert!(methods.contains(&"window/workDoneProgress/create"), "{methods:?}");
    let reg = s
        .server_requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability")
        .expect("watchers registered");
    let globs: Vec<&str> = reg["params"]["registrations"][0]["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(
        globs,
        [
            "**/*.{ts,tsx,mts,cts}",
            "**/tsconfig*.json",
            "**/package.json",
            "**/alchemy-ls.toml",
            "**/.git/HEAD",
            "**/.git/refs/**",
            "**/.git/packed-refs"
        ]
    );
    s.shutdown();
}

#[test]
fn single_file_mode_indexes_from_the_first_document() {
    // no folders, no rootUri: the root comes with the first opened document
    let fx = Fixture::new("//- /proj/package.json\n{}\n//- /proj/src/a.ts\nexport {};\n");
    let (mut s, _) = init_with(Init {
        work_done_progress: true,
        ..Init::default()
    });
    s.drain_for(Duration::from_millis(200));
    assert!(
        !s.notifications.iter().any(|n| n["method"] == "$/progress"),
        "nothing to index before a document opens"
    );
    s.open(&file_uri(&fx.path("proj/src/a.ts")), "export {};\n");
    s.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    s.shutdown();
}

#[test]
fn config_error_is_shown_not_fatal() {
    let fx = Fixture::new("//- /alchemy-ls.toml\n[rules]\nfrom-non-host = \"loud\"\n");
    let mut s = TestServer::spawn();
    s.allowed_errors.push("invalid configuration".into());
    s.initialize(Init {
        root: Some(fx.root.clone()),
        ..Init::default()
    });
    let msg = s.wait_notification("window/showMessage", |p| p["type"] == 1);
    assert!(
        msg["message"].as_str().unwrap().contains("alchemy-ls.toml"),
        "{msg}"
    );
    assert!(
        s.notifications
            .iter()
            .any(|n| n["method"] == "window/logMessage" && n["params"]["message"] == msg["message"]),
        "also logged"
    );
    let r = s.request("workspace/symbol", json!({ "query": "" }));
    assert_eq!(r, Ok(json!([])));
    s.shutdown();
}

#[test]
fn configuration_is_pulled_and_refreshed() {
    let fx = Fixture::new("//- /a.ts\n");
    let (mut s, _) = init_with(Init {
        root: Some(fx.root.clone()),
        configuration: Some(json!({ "features": { "hover": false } })),
        ..Init::default()
    });
    s.wait_server_requests("workspace/configuration", 1);
    s.drain_for(Duration::from_millis(100));
    let pulls = |s: &TestServer| {
        s.server_requests
            .iter()
            .filter(|r| r["method"] == "workspace/configuration")
            .count()
    };
    assert_eq!(pulls(&s), 1);
    let item = &s
        .server_requests
        .iter()
        .find(|r| r["method"] == "workspace/configuration")
        .unwrap()["params"];
    assert_eq!(item["items"][0]["section"], "alchemy-ls");
    // didChangeConfiguration without the section → pull again
    s.settings = json!({ "features": { "hover": true } });
    s.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    s.wait_server_requests("workspace/configuration", 2);
    assert_eq!(pulls(&s), 2);
    s.shutdown();
}

#[test]
fn pull_diagnostics_answer_full_then_unchanged() {
    let fx = Fixture::new("//- /a.ts\n");
    let (mut s, _) = init_with(Init {
        root: Some(fx.root.clone()),
        pull_diagnostics: true,
        ..Init::default()
    });
    let uri = file_uri(&fx.path("a.ts"));
    s.open(&uri, "export {};\n");
    let r = s
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        )
        .unwrap();
    assert_eq!(r["kind"], "full");
    assert_eq!(r["items"], json!([]));
    let id = r["resultId"].clone();
    let r = s
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri }, "previousResultId": id }),
        )
        .unwrap();
    assert_eq!(r["kind"], "unchanged");
    s.shutdown();
}
