//! The facts cache of `check`: a run that reads its facts and the prefilter's verdicts (by
//! stat data) from the cache reports exactly what a run that reads and parses everything
//! reports, on every fixture of the test suite and on the examples, also after files are
//! edited (with the same size and modification time), created, deleted, or become or stop
//! being Alchemy files; racy files are not recorded; a damaged cache is a miss (and is
//! rewritten), never a wrong answer; the server never writes one (server/tests/strace.rs);
//! the default directory.

mod common;

use std::path::Path;

use alchemy_ls::facts_cache::{self, FactsCache};
use alchemy_ls::workspace::scan_cache::{FileStat, RACY_MARGIN, ScanEntry, ScanTable};
use common::fixture::{Fixture, examples, fixture_files, parse_fixture};

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

/// Wait until files written before the call are older than the racy margin (their verdicts
/// are recorded by the next run).
fn age_past_racy_margin() {
    std::thread::sleep(RACY_MARGIN + std::time::Duration::from_millis(200));
}

/// The pack of a check of `root` in `cache`.
fn pack_of(cache: &Path, root: &Path) -> facts_cache::Contents {
    FactsCache::new(cache.to_path_buf(), &[root.to_path_buf()]).read_all()
}

/// Uncached, cold (writes the cache) and warm (reads it) runs of `root` agree. Returns the
/// number of cached facts entries and of verdicts by stat data.
fn same_with_and_without_cache(root: &Path, what: &str) -> (usize, usize) {
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
    let pack = pack_of(cache.path(), root);
    (pack.facts.len(), pack.scan.entries.len())
}

#[test]
fn cached_and_uncached_runs_agree_on_every_fixture_and_example() {
    let fixtures = fixture_files();
    assert!(fixtures.len() > 150, "{} fixtures", fixtures.len());
    // All written first, then aged: the runs record (and the warm runs use) the verdicts on
    // the fixtures' files that are not Alchemy files.
    let written: Vec<(String, Fixture)> = fixtures
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("read fixture");
            (
                path.display().to_string(),
                Fixture::from_files(&parse_fixture(&text)),
            )
        })
        .collect();
    age_past_racy_margin();
    let (mut cached, mut verdicts) = (0, 0);
    for (what, fx) in &written {
        let (c, v) = same_with_and_without_cache(&fx.root, what);
        cached += c;
        verdicts += v;
    }
    let examples = examples();
    assert!(examples.len() >= 2);
    for ex in &examples {
        let (n, _) = same_with_and_without_cache(ex, &ex.display().to_string());
        assert!(n > 0, "{}: nothing cached", ex.display());
    }
    // the packs held the facts of the parsed files and verdicts on the others (the warm runs
    // read them)
    assert!(
        cached > fixtures.len(),
        "{cached} entries for {} fixtures",
        fixtures.len()
    );
    assert!(
        verdicts > 20,
        "{verdicts} verdicts for {} fixtures",
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

/// A stack whose consumer imports a utility, next to a file that is not an Alchemy file.
const CHANGES: &str = r#"
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
import { label } from "./util.ts";
export default Cloudflare.Worker(
  label,
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counter = yield* Counter.from(Host);
    return { fetch: Effect.succeed(new Response("ok")) };
  }),
);
//- /src/util.ts
export const label = "Consumer";
//- /src/reexports.ts
export { default as Host } from "./host.ts";
"#;

/// An Alchemy file with a finding of its own (`from-non-host` at `Counter.from(Host)`).
const EXTRA: &str = r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Counter } from "./objects.ts";
import Host from "./host.ts";
export default Cloudflare.Worker(
  "Extra",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counter = yield* Counter.from(Host);
    return { fetch: Effect.succeed(new Response("ok")) };
  }),
);
"#;

/// A file of `EXTRA`'s size that is not an Alchemy file.
fn not_alchemy_of_extras_size() -> String {
    let text = format!("// notes\n//{}\n", "x".repeat(EXTRA.len() - 12));
    assert_eq!(text.len(), EXTRA.len());
    text
}

/// Write `text` to `path`, then set its modification time back to what it was (a content
/// change only the size, inode and status-change time could reveal).
fn rewrite_keeping_mtime(path: &Path, text: &str) {
    let before = std::fs::metadata(path).expect("stat").modified().expect("mtime");
    std::fs::write(path, text).expect("rewrite");
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_times(std::fs::FileTimes::new().set_modified(before)))
        .expect("set the modification time back");
    assert_eq!(std::fs::metadata(path).unwrap().modified().unwrap(), before);
}

#[test]
fn verdicts_by_stat_data_follow_edits_new_deleted_files_and_files_that_become_or_stop_being_alchemy_files() {
    let fx = Fixture::new(CHANGES);
    let notes = fx.path("src/notes.ts");
    std::fs::write(&notes, not_alchemy_of_extras_size()).expect("write notes");
    age_past_racy_margin();
    let cache = tempfile::tempdir().expect("cache dir");
    let dir = cache.path().to_str().expect("utf-8 temp path");
    let cached = || check(&fx.root, &["--cache-dir", dir]);
    let plain = || check(&fx.root, &["--no-cache"]);
    let verdict = |rel: &str| {
        pack_of(cache.path(), &fx.root)
            .scan
            .entries
            .get(&fx.path(rel))
            .cloned()
    };

    let start = plain();
    assert_eq!(cached(), start);
    assert!(start.1.contains("from-non-host"), "{}", start.1);
    assert!(!start.1.contains("notes.ts"), "{}", start.1);
    let util = verdict("src/util.ts").expect("the utility's verdict is recorded");
    assert!(util.specifiers.is_empty() && !util.support, "{util:?}");
    // (a file that imports an Alchemy file: a root found from its recorded specifiers)
    let reexports = verdict("src/reexports.ts").expect("recorded");
    assert_eq!(reexports.specifiers, ["./host.ts"]);
    assert!(start.1.contains(r#""files": 4"#), "{}", start.1);
    assert!(verdict("src/notes.ts").is_some());
    assert!(
        verdict("src/consumer.ts").is_none(),
        "Alchemy files are always read"
    );
    assert_eq!(cached(), start, "warm");

    // An edit after the cache was written, same size, modification time restored: the
    // file becomes an Alchemy file with a finding of its own.
    rewrite_keeping_mtime(&notes, EXTRA);
    let became = plain();
    assert!(became.1.contains("notes.ts"), "{}", became.1);
    assert_eq!(cached(), became, "a file that became an Alchemy file");
    assert!(
        verdict("src/notes.ts").is_none(),
        "no verdict for an Alchemy file"
    );
    assert_eq!(cached(), became, "warm");

    // ... and stops being one (same size again).
    rewrite_keeping_mtime(&notes, &not_alchemy_of_extras_size());
    assert_eq!(cached(), start, "a file that stopped being an Alchemy file");
    assert_eq!(plain(), start);

    // A new file.
    std::fs::write(fx.path("src/extra.ts"), EXTRA).expect("write a new file");
    let added = plain();
    assert!(added.1.contains("extra.ts"), "{}", added.1);
    assert_eq!(cached(), added, "a new file");
    assert_eq!(cached(), added, "warm");

    // Deleted files: the new Alchemy file, then the utility and the re-exporting file the
    // cache knew.
    std::fs::remove_file(fx.path("src/extra.ts")).expect("delete");
    assert_eq!(cached(), start, "a deleted Alchemy file");
    std::fs::remove_file(fx.path("src/util.ts")).expect("delete");
    std::fs::remove_file(fx.path("src/reexports.ts")).expect("delete");
    let deleted = plain();
    assert!(deleted.1.contains(r#""files": 3"#), "{}", deleted.1);
    assert_eq!(cached(), deleted, "deleted files the cache knew");
    assert!(
        verdict("src/util.ts").is_none(),
        "the verdict of a deleted file is dropped"
    );
    assert!(verdict("src/reexports.ts").is_none());
    assert_eq!(cached(), deleted, "warm");
}

#[test]
fn racy_files_get_no_verdict_until_they_are_older_than_the_margin() {
    let fx = Fixture::new(CHANGES);
    let cache = tempfile::tempdir().expect("cache dir");
    let dir = cache.path().to_str().expect("utf-8 temp path");
    let plain = check(&fx.root, &["--no-cache"]);
    assert_eq!(check(&fx.root, &["--cache-dir", dir]), plain);
    let fresh = pack_of(cache.path(), &fx.root);
    assert_eq!(
        fresh.facts.len(),
        4,
        "the facts of the roots are cached (keyed by content)"
    );
    assert!(
        fresh.scan.entries.is_empty(),
        "files written just now got verdicts: {:?}",
        fresh.scan.entries.keys().collect::<Vec<_>>()
    );
    age_past_racy_margin();
    assert_eq!(check(&fx.root, &["--cache-dir", dir]), plain);
    let aged = pack_of(cache.path(), &fx.root);
    assert!(aged.scan.entries.contains_key(&fx.path("src/util.ts")));
}

#[test]
fn a_verdict_is_trusted_while_the_stat_data_match_and_dropped_when_they_change() {
    let fx = Fixture::new(STACK);
    age_past_racy_margin();
    let cache = tempfile::tempdir().expect("cache dir");
    let dir = cache.path().to_str().expect("utf-8 temp path");
    let plain = check(&fx.root, &["--no-cache"]);
    assert!(plain.1.contains("from-non-host"), "{}", plain.1);
    assert_eq!(check(&fx.root, &["--cache-dir", dir]), plain);

    // A forged verdict with the consumer's real stat data says it is not an Alchemy file:
    // it is not read, and its finding is gone (what the stat data key protects).
    let consumer = fx.path("src/consumer.ts");
    let pc = FactsCache::new(cache.path().to_path_buf(), std::slice::from_ref(&fx.root));
    let mut contents = pack_of(cache.path(), &fx.root);
    contents.scan.entries.insert(
        consumer.clone(),
        ScanEntry {
            stat: FileStat::of(&std::fs::metadata(&consumer).expect("stat")),
            specifiers: Vec::new(),
            support: false,
        },
    );
    let forged = ScanTable { ..contents.scan };
    let mut facts: Vec<_> = contents.facts.iter().map(|(k, f)| (*k, &**f)).collect();
    pc.write_scan(&mut facts, &forged).expect("write the forged pack");
    let (_, out, _) = check(&fx.root, &["--cache-dir", dir]);
    assert!(
        !out.contains("from-non-host"),
        "the forged verdict was not used: {out}"
    );

    // The same content written again: new stat data, the file is read, the finding is back.
    let text = std::fs::read_to_string(&consumer).expect("read");
    rewrite_keeping_mtime(&consumer, &text);
    assert_eq!(check(&fx.root, &["--cache-dir", dir]), plain);

    // A verdict of another prefilter (other packages configured) is not used.
    let other = ScanTable {
        prefilter_key: forged.prefilter_key ^ 1,
        ..forged.clone()
    };
    let mut entry = forged.entries[&consumer].clone();
    entry.stat = FileStat::of(&std::fs::metadata(&consumer).expect("stat"));
    let mut other = other;
    other.entries.insert(consumer.clone(), entry);
    pc.write_scan(&mut facts, &other).expect("write");
    assert_eq!(check(&fx.root, &["--cache-dir", dir]), plain);
}
