//! `profile`: in-process timings of the phases behind `check` and behind one editor change,
//! to find where the time goes (the measurements proper run the real binary).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use alchemy_grammar::Dialect;
use alchemy_ls::analysis::{self, ctx::Ctx, model::Model};
use alchemy_ls::workspace::{self, Index, LoadOptions, discover, prefilter};

use crate::stats::{ms, percentile};
use crate::synth::Manifest;

/// CPU time of the whole process (all threads): the machine may be shared, so wall time
/// alone says little.
pub fn process_cpu() -> Duration {
    // SAFETY: `timespec` is plain old data and `clock_gettime` only writes into it.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: a valid clock id and a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec.max(0) as u64, ts.tv_nsec.clamp(0, 999_999_999) as u32)
}

/// Runs `f`, returning its value and the process CPU time it took.
fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let c = process_cpu();
    let v = f();
    (v, process_cpu().saturating_sub(c))
}

pub fn run(root: &Path, m: &Manifest, edits: usize) -> Result<String, String> {
    let root = root.canonicalize().map_err(|e| e.to_string())?;
    let mut s = String::from("(process CPU time of each phase, all threads)\n");
    let config = alchemy_ls::config::discover(&root).map_err(|e| e.to_string())?;
    let config = Arc::new(config);

    // The kind tables are built on the first extract of each dialect.
    let (_, q_ts) = time(|| alchemy_grammar::extract("", Dialect::TypeScript));
    let (_, q_tsx) = time(|| alchemy_grammar::extract("", Dialect::Tsx));
    let _ = writeln!(
        s,
        "kind tables (first extract): ts {:.1} ms, tsx {:.1} ms",
        ms(q_ts),
        ms(q_tsx)
    );

    let (ign, _) = discover::ConfigIgnore::new(&config, &root);
    let ((paths, _), t_disc) = time(|| discover::discover_dir(&root, &ign, false));
    let _ = writeln!(s, "discover: {} files in {:.1} ms", paths.len(), ms(t_disc));

    let (texts, t_read) = time(|| {
        paths
            .iter()
            .filter_map(|p| std::fs::read(p).ok().map(|b| (p.clone(), b)))
            .collect::<Vec<(PathBuf, Vec<u8>)>>()
    });
    let bytes: usize = texts.iter().map(|(_, b)| b.len()).sum();
    let _ = writeln!(
        s,
        "read (1 thread): {:.1} MB in {:.1} ms",
        bytes as f64 / 1e6,
        ms(t_read)
    );
    let pf = prefilter::Prefilter::new(&config.packages);
    let (direct, t_pf) = time(|| texts.iter().filter(|(_, b)| pf.is_relevant(b)).count());
    let (nspec, t_spec) = time(|| {
        texts
            .iter()
            .filter(|(_, b)| !pf.is_relevant(b))
            .map(|(_, b)| prefilter::scan_specifiers(b).len())
            .sum::<usize>()
    });
    let _ = writeln!(
        s,
        "prefilter (1 thread): {direct} direct hits in {:.1} ms; specifier scan of the rest: {nspec} specifiers in {:.1} ms",
        ms(t_pf),
        ms(t_spec)
    );

    let (ws, t_load) = time(|| {
        workspace::load(
            std::slice::from_ref(&root),
            config.clone(),
            &LoadOptions::default(),
        )
    });
    let ws = ws.map_err(|e| e.to_string())?;
    let loaded: Vec<_> = ws.iter().collect();
    let parsed_bytes: usize = loaded.iter().map(|f| f.text.len()).sum();
    let _ = writeln!(
        s,
        "workspace::load (rayon): {} files loaded ({:.2} MB) in {:.1} ms",
        loaded.len(),
        parsed_bytes as f64 / 1e6,
        ms(t_load)
    );
    let (_, t_parse) = time(|| {
        for f in &loaded {
            let d = Dialect::from_path(&f.path.to_string_lossy()).unwrap_or(Dialect::TypeScript);
            std::hint::black_box(alchemy_grammar::parse(&f.text, d, None));
        }
    });
    let (_, t_extract) = time(|| {
        for f in &loaded {
            let d = Dialect::from_path(&f.path.to_string_lossy()).unwrap_or(Dialect::TypeScript);
            std::hint::black_box(alchemy_grammar::extract(&f.text, d));
        }
    });
    let _ = writeln!(
        s,
        "tree-sitter (1 thread) over the loaded files: parse {:.1} ms ({:.1} MB/s); parse+facts {:.1} ms ({:.1} MB/s)",
        ms(t_parse),
        parsed_bytes as f64 / 1e6 / t_parse.as_secs_f64(),
        ms(t_extract),
        parsed_bytes as f64 / 1e6 / t_extract.as_secs_f64()
    );

    let (ctx, t_ctx) = time(|| Ctx::new(&ws));
    let (model, t_model) = time(|| Model::build(ctx));
    let (raw, t_rules) = time(|| analysis::rules::run_all(&model));
    let (diags, t_fin) = time(|| analysis::finalize::finalize(&ws, raw));
    let _ = writeln!(
        s,
        "analysis: ctx {:.1} ms, model {:.1} ms, rules {:.1} ms, finalize {:.1} ms ({} diagnostics)",
        ms(t_ctx),
        ms(t_model),
        ms(t_rules),
        ms(t_fin),
        diags.len()
    );
    let mut per_rule = Vec::new();
    for rule in analysis::rules::RULES {
        let mut out = Vec::new();
        let (_, t) = time(|| (rule.check)(&model, &mut out));
        per_rule.push(format!("{}:{:.1}", rule.meta.id, ms(t)));
    }
    let _ = writeln!(s, "rules in catalog order (ms): {}", per_rule.join(" "));
    drop(model);
    s.push_str(&query_costs(
        &loaded
            .iter()
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect::<Vec<_>>(),
    ));

    s.push_str(&edit_timings(&root, m, edits)?);
    Ok(s)
}

/// One editor change as the server handles it, `edits` times: overlay → snapshot → analyze
/// (component analysis with the previous round's cache).
pub fn edit_timings(root: &Path, m: &Manifest, edits: usize) -> Result<String, String> {
    let root = root.canonicalize().map_err(|e| e.to_string())?;
    let config = Arc::new(alchemy_ls::config::discover(&root).map_err(|e| e.to_string())?);
    let mut s = String::new();
    let (mut index, t_scan) = time(|| {
        let mut i = Index::new(vec![root.clone()], config.clone(), LoadOptions::default());
        i.scan();
        i
    });
    let _ = writeln!(s, "Index::new + scan: {:.1} ms", ms(t_scan));
    let host = root.join(&m.lsp.host_file);
    let original = std::fs::read_to_string(&host).map_err(|e| e.to_string())?;
    let method = format!(".{}(", m.lsp.host_method);
    let typo = format!(".{}All(", m.lsp.host_method);
    let edited = original.replacen(&method, &typo, 1);
    let (mut t_ov, mut t_snap, mut t_an, mut t_wall) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // The server's path: component analysis with the cache of the previous round.
    let mut analyzer = analysis::components::Analyzer::default();
    analysis::analyze_by_components(&mut analyzer, &index.snapshot());
    for i in 0..edits {
        let text: Arc<str> = Arc::from(if i % 2 == 0 {
            edited.as_str()
        } else {
            original.as_str()
        });
        let (_, a) = time(|| index.set_overlay(&host, text));
        let (snap, b) = time(|| index.snapshot());
        let started = std::time::Instant::now();
        let (_, c) = time(|| analysis::analyze_by_components(&mut analyzer, &snap));
        t_wall.push(started.elapsed());
        t_ov.push(a);
        t_snap.push(b);
        t_an.push(c);
    }
    let _ = writeln!(
        s,
        "per edit ({edits}): set_overlay p50 {:.2} ms, snapshot p50 {:.2} ms, analyze (components, cached) p50 {:.2} ms (p99 {:.2} ms), wall p50 {:.2} ms (p99 {:.2} ms)",
        ms(percentile(&t_ov, 50.0)),
        ms(percentile(&t_snap, 50.0)),
        ms(percentile(&t_an, 50.0)),
        ms(percentile(&t_an, 99.0)),
        ms(percentile(&t_wall, 50.0)),
        ms(percentile(&t_wall, 99.0))
    );
    Ok(s)
}

/// What `constructs.scm` would cost as a tree-sitter query next to a plain cursor walk over
/// the same trees (reference figures: the extraction matches these patterns while lowering).
fn query_costs(files: &[(PathBuf, Arc<str>)]) -> String {
    use alchemy_grammar::tree_sitter::{Query, QueryCursor, StreamingIterator};
    let mut s = String::new();
    let trees: Vec<(Arc<str>, alchemy_grammar::tree_sitter::Tree)> = files
        .iter()
        .map(|(p, t)| {
            let d = Dialect::from_path(&p.to_string_lossy()).unwrap_or(Dialect::TypeScript);
            (t.clone(), alchemy_grammar::parse(t, d, None))
        })
        .collect();
    let Some((_, first)) = trees.first() else { return s };
    let lang = first.language().to_owned();
    let scan_src = format!(
        "{}\n{}",
        alchemy_grammar::CONSTRUCTS_SCM,
        alchemy_grammar::COMMENTS_SCM
    );
    let mut compiled = Vec::new();
    for (name, src) in [
        ("constructs+comments", scan_src.as_str()),
        ("imports", alchemy_grammar::IMPORTS_SCM),
        ("exports", alchemy_grammar::EXPORTS_SCM),
    ] {
        let (q, t) = time(|| Query::new(&lang, src));
        compiled.push(format!("{name} {:.1} ms", ms(t)));
        if name == "constructs+comments"
            && let Ok(q) = q
        {
            let (matches, t_run) = time(|| {
                let mut n = 0usize;
                for (text, tree) in &trees {
                    if tree.language().to_owned() != lang {
                        continue;
                    }
                    let mut cursor = QueryCursor::new();
                    let provider = |node: alchemy_grammar::tree_sitter::Node| {
                        std::iter::once(text.as_bytes().get(node.byte_range()).unwrap_or(&[]))
                    };
                    let mut it = cursor.matches(&q, tree.root_node(), provider);
                    while it.next().is_some() {
                        n += 1;
                    }
                }
                n
            });
            let (hits, t_walk) = time(|| {
                trees
                    .iter()
                    .filter(|(_, t)| t.language().to_owned() == lang)
                    .map(|(text, tree)| walk(text, tree))
                    .sum::<usize>()
            });
            let _ = writeln!(
                s,
                "reference only, extraction runs no query: constructs.scm+comments.scm as a tree-sitter query over the .ts trees: {matches} matches in {:.1} ms; a plain cursor walk: {hits} hits in {:.1} ms",
                ms(t_run),
                ms(t_walk)
            );
        }
    }
    let _ = writeln!(s, "Query::new (typescript): {}", compiled.join(", "));
    s
}

/// Visits every node once with a `TreeCursor`, testing the kinds the scan query matches.
fn walk(text: &str, tree: &alchemy_grammar::tree_sitter::Tree) -> usize {
    let lang = tree.language();
    let call = lang.id_for_node_kind("call_expression", true);
    let yield_ = lang.id_for_node_kind("yield_expression", true);
    let extends = lang.id_for_node_kind("extends_clause", true);
    let comment = lang.id_for_node_kind("comment", true);
    let member = lang.id_for_node_kind("member_expression", true);
    let mut hits = 0;
    let mut c = tree.walk();
    loop {
        let n = c.node();
        let k = n.kind_id();
        if k == call {
            if let Some(f) = n.child_by_field_name("function")
                && f.kind_id() == member
                && let Some(p) = f.child_by_field_name("property")
            {
                let name = text.get(p.byte_range()).unwrap_or("");
                if matches!(
                    name,
                    "from" | "make" | "provide" | "provideMerge" | "mergeAll" | "merge" | "bind" | "layer"
                ) || name.starts_with(|ch: char| ch.is_ascii_uppercase())
                {
                    hits += 1;
                }
            }
        } else if k == yield_
            || k == extends
            || (k == comment
                && text
                    .get(n.byte_range())
                    .is_some_and(|t| t.contains("alchemy-ls-disable")))
        {
            hits += 1;
        }
        if c.goto_first_child() {
            continue;
        }
        loop {
            if c.goto_next_sibling() {
                break;
            }
            if !c.goto_parent() {
                return hits;
            }
        }
    }
}
