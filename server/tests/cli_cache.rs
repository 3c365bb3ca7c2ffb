//! The facts cache of `check`: a run that reads its facts from the cache reports exactly
//! what a run that parses everything reports, on every fixture of the test suite and on the
//! examples; a damaged cache is a miss (and is rewritten), never a wrong answer; the server
//! never writes one (server/tests/strace.rs); the default directory.

mod common;

use std::path::{Path, PathBuf};

use alchemy_ls::facts_cache::{self, FactsCache};
use common::fixture::{Fixture, parse_fixture};

/// `check PATH --format json ARGS…` in this process: (exit code, stdout, stderr).
fn check(root: &Path, args: &[&str]) -> (i32, String, String) {
    let mut argv: Vec<std::ffi::OsString> = vec!["alchemy-ls".into(), "check".into(), root.into()];
    argv.extend(["--format", "json"].map(Into::into));
    argv.extend(args.iter().map(Into::into));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = alchemy_ls::cli::run(
        argv,
        &mut alchemy_ls::cli::Io {
            out: &mut out,
            err: &mut err,
            color: false,
            color_err: false,
        },
    );
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

fn fixture_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read fixtures").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txt") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read examples")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// Uncached, cold (writes the cache) and warm (reads it) runs of `root` agree; the warm run
/// found every parsed file in the pack. Returns the number of cached entries.
fn same_with_and_without_cache(root: &Path, what: &str) -> usize {
    let cache = tempfile::tempdir().expect("cache dir");
    let dir = cache.path().to_str().expect("utf-8 temp path");
    let plain = check(root, &["--no-cache"]);
    let cold = check(root, &["--cache-dir", dir]);
    let warm = check(root, &["--cache-dir", dir]);
    assert_eq!(
        cold, plain,
        "{what}: first run with the cache differs from --no-cache"
    );
    assert_eq!(warm, plain, "{what}: run from the cache differs from --no-cache");
    let mut pack = FactsCache::new(cache.path().to_path_buf(), &[root.to_path_buf()]);
    pack.read().len()
}

#[test]
fn cached_and_uncached_runs_agree_on_every_fixture_and_example() {
    let fixtures = fixture_files();
    assert!(fixtures.len() > 150, "{} fixtures", fixtures.len());
    let mut cached = 0;
    for path in &fixtures {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let fx = Fixture::from_files(&parse_fixture(&text));
        cached += same_with_and_without_cache(&fx.root, &path.display().to_string());
    }
    let examples = examples();
    assert!(examples.len() >= 2);
    for ex in &examples {
        let n = same_with_and_without_cache(ex, &ex.display().to_string());
        assert!(n > 0, "{}: nothing cached", ex.display());
    }
    // the packs held the facts of the parsed files (the warm runs read them)
    assert!(
        cached > fixtures.len(),
        "{cached} entries for {} fixtures",
        fixtures.len()
    );
}

const STACK: &str = r#"
//- /package.json
{ "name": "app", "dependencies": { "alchemy": "2.0.0-beta.49" } }
//- /node_modules/
//- /src/objects.ts
import * as Cloudflare from "alchemy/Cloudflare";
export class Counter extends Cloudflare.DurableObjectNamespace<Counter, { increment(): number }>()("Counter") {}
//- /src/host.ts
import * as Cloudflare from "alchemy/Cloudflare";
export default Cloudflare.Worker("Host", { main: import.meta.filename });
//- /src/consumer.ts
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Counter } from "./objects.ts";
import Host from "./host.ts";
export default Cloudflare.Worker(
  "Consumer",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counter = yield* Counter.from(Host);
    return { fetch: Effect.succeed(new Response("ok")) };
  }),
);
"#;

#[test]
fn a_cache_is_read_when_valid_and_a_damaged_one_is_a_miss_that_is_rewritten() {
    let fx = Fixture::new(STACK);
    let cache = tempfile::tempdir().expect("cache dir");
    let dir = cache.path().to_str().expect("utf-8 temp path");
    let plain = check(&fx.root, &["--no-cache"]);
    assert!(
        plain.1.contains("from-non-host"),
        "the fixture has a finding: {}",
        plain.1
    );
    assert_eq!(check(&fx.root, &["--cache-dir", dir]), plain);
    let mut pc = FactsCache::new(cache.path().to_path_buf(), std::slice::from_ref(&fx.root));
    let entries = pc.read();
    assert_eq!(entries.len(), 3, "the three Alchemy files");
    let good = std::fs::read(pc.pack_path()).expect("pack written");

    // The cache is really read: a forged pack of empty facts for the same contents hides the
    // finding (a valid entry is trusted; this is what the header's identity and the content
    // hash key protect).
    let empty = alchemy_grammar::FileFacts::default();
    let mut forged: Vec<_> = entries.iter().map(|(k, _)| (*k, &empty)).collect();
    pc.write_entries(&mut forged).expect("write forged pack");
    let (_, out, _) = check(&fx.root, &["--cache-dir", dir]);
    assert!(
        !out.contains("from-non-host"),
        "the forged pack was not read: {out}"
    );

    let mid = good.len() / 2;
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("truncated", good[..mid].to_vec()),
        ("one byte flipped", {
            let mut b = good.clone();
            b[mid] ^= 1;
            b
        }),
        ("garbage", b"not a pack at all".repeat(100)),
        ("last byte missing", good[..good.len() - 1].to_vec()),
        ("trailing bytes", [good.as_slice(), b"xx"].concat()),
    ];
    for (what, bytes) in damages {
        std::fs::write(pc.pack_path(), &bytes).expect("damage the pack");
        assert_eq!(check(&fx.root, &["--cache-dir", dir]), plain, "{what}");
        let mut again = FactsCache::new(cache.path().to_path_buf(), std::slice::from_ref(&fx.root));
        assert_eq!(again.read().len(), 3, "{what}: the pack was not rewritten");
    }
    // A directory where the pack should be: the run works, nothing is cached.
    std::fs::remove_file(pc.pack_path()).expect("remove pack");
    std::fs::create_dir(pc.pack_path()).expect("a directory instead");
    assert_eq!(check(&fx.root, &["--cache-dir", dir]), plain);
    // An unwritable cache location (a file): the run works.
    let file = cache.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    assert_eq!(check(&fx.root, &["--cache-dir", file.to_str().unwrap()]), plain);
}

#[test]
fn the_default_directory_is_under_node_modules_when_there_is_one() {
    let fx = Fixture::new(STACK);
    assert_eq!(
        facts_cache::default_dir(&fx.root),
        Some(fx.root.join("node_modules/.cache/alchemy-ls"))
    );
    // a file: next to it
    assert_eq!(
        facts_cache::default_dir(&fx.path("package.json")),
        Some(fx.root.join("node_modules/.cache/alchemy-ls"))
    );
    let bare = Fixture::new("//- /a.ts\nexport {};\n");
    let d = facts_cache::default_dir(&bare.root);
    assert!(d.as_ref().is_none_or(|d| !d.starts_with(&bare.root)), "{d:?}");
}

#[test]
fn no_cache_writes_nothing_and_the_default_writes_only_the_cache_directory() {
    let fx = Fixture::new(STACK);
    let before = tree(&fx.root);
    let plain = check(&fx.root, &["--no-cache"]);
    assert_eq!(tree(&fx.root), before, "--no-cache wrote something");
    if std::env::var_os("ALCHEMY_LS_CACHE_DIR").is_none() {
        assert_eq!(check(&fx.root, &[]), plain);
        let after = tree(&fx.root);
        let new: Vec<&String> = after.iter().filter(|p| !before.contains(p)).collect();
        assert!(
            !new.is_empty(),
            "the default cache was not written under node_modules"
        );
        for p in new {
            assert!(
                p == "node_modules/.cache" || p.starts_with("node_modules/.cache/alchemy-ls"),
                "wrote {p}"
            );
        }
    }
}

/// Every path under `root`, relative.
fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}
