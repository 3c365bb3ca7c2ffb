//! The server under strace: through a session that opens, edits, saves and closes documents
//! (one outside the workspace), reports files changed on disk and asks for every feature, it
//! spawns no process (every clone is a thread, one execve: its own) and opens no file outside
//! the workspace root, its configuration file and the system files the runtime reads (the
//! dynamic loader's libraries, /proc/self, the CPU and cgroup limits); the workspace is a git
//! repository (the server reads its baseline), and nothing is opened for writing.
//!
//! strace comes from Debian's package (installed by `.ci/run`, which sets
//! `ALCHEMY_LS_REQUIRE_STRACE=1`: a missing strace then fails the test instead of skipping it).

mod common;
mod lsp_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use lsp_support::{Init, TestServer, file_uri};
use serde_json::json;

fn strace_available() -> bool {
    Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn examples_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

/// One syscall of interest, from one thread's trace file.
#[derive(Debug)]
struct Call {
    name: String,
    line: String,
    /// The first string argument (a path), if any.
    path: Option<String>,
    ok: bool,
}

/// Parse `strace -ff` output files (`<prefix>.<tid>`), one thread each: no interleaving.
fn calls(dir: &Path) -> Vec<Call> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        for line in text.lines() {
            let Some(open) = line.find('(') else { continue };
            let name = line[..open].trim().to_string();
            if name.is_empty() || name.starts_with('+') || name.starts_with('-') {
                continue;
            }
            let path = line[open..].split('"').nth(1).map(str::to_string);
            let result = line.rsplit_once(" = ").map(|(_, r)| r.trim()).unwrap_or("");
            let ok = !result.starts_with('-') && !result.starts_with('?');
            out.push(Call {
                name,
                line: line.to_string(),
                path,
                ok,
            });
        }
    }
    out
}

/// System files the process may open whatever the workspace: the dynamic loader's cache and
/// libraries, its own /proc entries, the CPU count and cgroup limits (tokio and rayon size
/// their pools from them).
const SYSTEM: &[&str] = &[
    "/etc/ld.so.cache",
    "/lib/",
    "/lib64/",
    "/usr/lib/",
    "/usr/lib64/",
    "/proc/self/",
    "/sys/devices/system/cpu/",
    "/sys/fs/cgroup/",
    // the server's own file watcher sizes itself from the inotify limit
    "/proc/sys/fs/inotify/max_user_watches",
    // the allocator (mimalloc) reads the kernel's memory settings
    "/proc/sys/vm/overcommit_memory",
    "/sys/kernel/mm/transparent_hugepage/enabled",
];

#[test]
fn the_server_spawns_nothing_and_opens_only_workspace_files() {
    if !strace_available() {
        assert!(
            std::env::var("ALCHEMY_LS_REQUIRE_STRACE").as_deref() != Ok("1"),
            "strace is required (ALCHEMY_LS_REQUIRE_STRACE=1) but not installed"
        );
        eprintln!("skipped: strace is not installed (apt-get install strace)");
        return;
    }
    let ws = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(ws.path()).unwrap().join("ws");
    copy_dir(&examples_dir("broken"), &root);
    std::fs::write(root.join("alchemy-ls.toml"), "[rules]\n").unwrap();
    // a git repository: the server reads its baseline (HEAD) from git's objects and index,
    // writing nothing
    common::git::commit_all(&root, "base");
    let outside = tempfile::tempdir().unwrap();
    let outside = std::fs::canonicalize(outside.path()).unwrap();
    let outside_file = outside.join("elsewhere.ts");
    std::fs::write(&outside_file, "import 'alchemy';\nexport const x = 1;\n").unwrap();
    let traces = tempfile::tempdir().unwrap();
    let prefix = traces.path().join("t");
    let prefix_arg = prefix.to_string_lossy().into_owned();
    let mut s = TestServer::spawn_wrapped(
        &[
            "strace",
            "-f",
            "-ff",
            "-qq",
            "-e",
            "trace=execve,execveat,fork,vfork,clone,clone3,open,openat,openat2,creat",
            "-o",
            &prefix_arg,
        ],
        &[("ALCHEMY_LS_TEST_HOOKS", "1")],
    );
    s.initialize(Init {
        folders: vec![root.clone()],
        work_done_progress: true,
        configuration: Some(json!({ "features": { "hover": true } })),
        // the server watches files itself (and still gets the notification below)
        no_watched_files: true,
        ..Init::default()
    });
    s.wait_notification("$/progress", |p| p["value"]["kind"] == "end");
    s.wait_notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("for changes on disk"))
    });
    let mut sources: Vec<PathBuf> = std::fs::read_dir(root.join("src"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    sources.push(root.join("alchemy.run.ts"));
    sources.sort();
    for (i, p) in sources.iter().enumerate() {
        let u = file_uri(p);
        let text = std::fs::read_to_string(p).unwrap();
        s.open(&u, &text);
        s.change(&u, 2, [0, 0, 0, 0], "// edited\n");
        let pos = json!({ "textDocument": { "uri": u }, "position": { "line": 3, "character": 12 } });
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/completion",
        ] {
            let _ = s.request(method, pos.clone());
        }
        let _ = s.request("textDocument/codeLens", json!({ "textDocument": { "uri": u } }));
        s.notify("textDocument/didSave", json!({ "textDocument": { "uri": u } }));
        if i % 2 == 0 {
            s.close(&u);
        }
    }
    // a file changed on disk, one created, the config changed
    std::fs::write(
        root.join("src/new.ts"),
        "import 'alchemy';\nexport const n = 1;\n",
    )
    .unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [
            { "uri": file_uri(&sources[0]), "type": 2 },
            { "uri": file_uri(&root.join("src/new.ts")), "type": 1 },
            { "uri": file_uri(&root.join("alchemy-ls.toml")), "type": 2 },
        ] }),
    );
    // a document outside the workspace, opened and closed: analysed from its buffer only
    let ou = file_uri(&outside_file);
    s.open(&ou, "import 'alchemy';\nexport const y = 2;\n");
    s.quiesce();
    s.close(&ou);
    let _ = s.request("workspace/symbol", json!({ "query": "" }));
    s.quiesce();
    s.drain_for(Duration::from_millis(200));
    s.shutdown();

    let calls = calls(traces.path());
    assert!(
        calls.iter().any(|c| c.name == "openat"),
        "the trace holds the opens"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.ok && c.path.as_deref().is_some_and(|p| p.ends_with("/.git/index"))),
        "the baseline was read from git's index"
    );
    let mut problems = BTreeSet::new();
    let execs: Vec<&Call> = calls.iter().filter(|c| c.name.starts_with("execve")).collect();
    if execs.len() != 1 {
        problems.insert(format!("{} execve calls: {execs:#?}", execs.len()));
    }
    for c in &calls {
        match c.name.as_str() {
            "fork" | "vfork" => {
                problems.insert(format!("a process: {}", c.line));
            }
            "clone" | "clone3" if !c.line.contains("CLONE_THREAD") => {
                problems.insert(format!("a process: {}", c.line));
            }
            "open" | "openat" | "openat2" | "creat" if c.ok => {
                let Some(path) = &c.path else { continue };
                if c.name == "creat"
                    || ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"]
                        .iter()
                        .any(|f| c.line.contains(f))
                {
                    problems.insert(format!("opened for writing: {}", c.line));
                }
                let allowed = path.starts_with(root.to_string_lossy().as_ref())
                    || SYSTEM.iter().any(|p| path.starts_with(p));
                if !allowed {
                    problems.insert(format!("opened outside the workspace: {}", c.line));
                }
            }
            _ => {}
        }
    }
    let outside_root: BTreeSet<&str> = calls
        .iter()
        .filter(|c| c.ok && c.name.starts_with("open"))
        .filter_map(|c| c.path.as_deref())
        .filter(|p| !p.starts_with(root.to_string_lossy().as_ref()))
        .collect();
    eprintln!("opened outside the workspace (system files): {outside_root:#?}");
    assert!(problems.is_empty(), "{problems:#?}");
    let outside_opens: Vec<&Call> = calls
        .iter()
        .filter(|c| c.path.as_deref() == Some(outside_file.to_string_lossy().as_ref()))
        .collect();
    assert!(
        outside_opens.is_empty(),
        "the outside document was read: {outside_opens:#?}"
    );
}
