//! CI smoke test: generate the ws2k and findings-mini workspaces, run `alchemy-ls check` on
//! them (in this process, through the same `cli::run` as the binary: a test must not build the
//! binary) and require exactly the planted diagnostics (counts per rule, not time). Also checks
//! that the generator is deterministic.

use alchemy_ls_bench::check::{check_in_process, compare};
use alchemy_ls_bench::synth::{self, generate};

#[test]
fn ws2k_check_reports_exactly_the_planted_mistakes() {
    let spec = synth::spec("ws2k").expect("ws2k");
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = generate(&spec, dir.path()).expect("generate ws2k");
    assert_eq!(manifest.workers, 200);
    assert_eq!(manifest.durable_objects, 100);
    assert!(manifest.other_files >= 1_700, "{}", manifest.other_files);
    assert_eq!(manifest.expected.len(), 5, "{:?}", manifest.expected);

    let run = check_in_process(dir.path(), &[]).expect("alchemy-ls check");
    if let Err(e) = compare(&manifest.expected, &run.counts) {
        panic!("wrong diagnostics on ws2k: {e}\n{}", run.listing.join("\n"));
    }
    assert_eq!(run.exit_code, 1, "errors were planted: exit code 1");
}

#[test]
fn cross_stack_shape_reports_exactly_one_second_copy_per_stack_and_host() {
    let spec = synth::spec("findings-mini").expect("findings-mini");
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = generate(&spec, dir.path()).expect("generate findings-mini");
    assert_eq!(
        manifest.expected.keys().collect::<Vec<_>>(),
        ["worker-live-not-provided"]
    );
    let run = check_in_process(dir.path(), &[]).expect("alchemy-ls check");
    if let Err(e) = compare(&manifest.expected, &run.counts) {
        panic!(
            "wrong diagnostics on findings-mini: {e}\n{}",
            run.listing.join("\n")
        );
    }
    // every finding is in a stack file, one per (stack, host)
    assert!(
        run.listing.iter().all(|l| l.contains("alchemy.run.ts")),
        "{:?}",
        run.listing
    );
}

#[test]
fn generator_is_deterministic() {
    let spec = synth::spec("mini").expect("mini");
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let ma = generate(&spec, a.path()).expect("generate");
    let mb = generate(&spec, b.path()).expect("generate");
    assert_eq!(ma, mb);
    let mut files = Vec::new();
    let mut stack = vec![a.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 300, "{}", files.len());
    for p in files {
        let rel = p.strip_prefix(a.path()).expect("under a");
        let other = b.path().join(rel);
        assert_eq!(
            std::fs::read(&p).expect("read a"),
            std::fs::read(&other).unwrap_or_default(),
            "{} differs between two runs",
            rel.display()
        );
    }
}

#[test]
fn a_baseline_that_named_a_do_otherwise_adds_exactly_one_rename() {
    let spec = synth::spec("ws2k").expect("ws2k");
    assert!(alchemy_ls_bench::baseline::applies(&spec));
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("ws");
    let manifest = generate(&spec, &root).expect("generate ws2k");
    let (base, expected) = alchemy_ls_bench::baseline::plant(&root, &manifest).expect("plant the baseline");
    assert_eq!(base.file_name().and_then(|n| n.to_str()), Some("ws.baseline"));
    assert!(
        !base.starts_with(root.canonicalize().expect("root")),
        "{}",
        base.display()
    );
    assert_eq!(expected.get("do-renamed"), Some(&1));
    // the workspace itself is untouched by the baseline's edit (hard links)
    let rerun = check_in_process(&root, &[]).expect("alchemy-ls check");
    compare(&manifest.expected, &rerun.counts).expect("the workspace alone reports the planted findings");
    let run = check_in_process(
        &root,
        &["--baseline-dir".as_ref(), base.as_os_str(), "--no-cache".as_ref()],
    )
    .expect("alchemy-ls check --baseline-dir");
    if let Err(e) = compare(&expected, &run.counts) {
        panic!(
            "wrong diagnostics against the baseline: {e}\n{}",
            run.listing.join("\n")
        );
    }
}
