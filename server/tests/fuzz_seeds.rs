//! Smoke mode of the fuzz targets: replays the seed corpus (`fuzz/seeds/`) and the inputs of
//! past findings (`fuzz/regressions/<target>/`) through the very functions the libFuzzer
//! targets call (`fuzz/src/oracle.rs`). The real fuzzer run is documented in
//! docs/reliability.md.

#[path = "../../fuzz/src/oracle.rs"]
#[allow(dead_code)]
mod oracle;

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn inputs(dirs: &[&str]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(fuzz_dir().join(d)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_file() {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Run `f` on every input on a thread with the default 2 MiB stack of spawned threads (the
/// language server's blocking pool included), naming the input that fails.
fn replay(dirs: &[&str], min: usize, f: fn(&[u8])) {
    let all = inputs(dirs);
    assert!(
        all.len() >= min,
        "expected at least {min} inputs in {dirs:?}, found {}",
        all.len()
    );
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            for (path, data) in &all {
                if let Err(e) = std::panic::catch_unwind(|| f(data)) {
                    let msg = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    panic!("fuzz input {} fails: {msg}", path.display());
                }
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn grammar_target_on_seeds() {
    replay(&["seeds/ts", "regressions/grammar"], 100, oracle::grammar);
}

#[test]
fn single_file_target_on_seeds() {
    replay(&["seeds/ts", "regressions/single_file"], 100, oracle::single_file);
}

#[test]
fn workspace_target_on_seeds() {
    replay(
        &["seeds/workspace", "regressions/workspace"],
        50,
        oracle::workspace,
    );
}

/// The oracle itself catches what it claims to: a bad span and a workspace split.
#[test]
fn oracle_checks_are_live() {
    let facts = alchemy_grammar::extract("const a = 1;", alchemy_grammar::Dialect::TypeScript);
    let r = std::panic::catch_unwind(|| oracle::check_fact_spans("x", &facts, "test"));
    assert!(r.is_err(), "a span past the end of the text must be caught");
    let files = oracle::split_workspace(b"src/a.ts\nA\xffpackage.json\n{}\xff../x.ts\nB\xffsrc/a.ts\ndup");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["src/a.ts", "package.json", "f2.ts"]);
    assert_eq!(files[0].1, b"A");
}
