//! Differential check of the extraction: prints one digest line per TypeScript source found
//! under the given directories, so that two builds of the crate can be compared
//! (`cargo run --release -p alchemy-grammar --example facts_digest -- DIR… > digests.txt`,
//! then `diff` the outputs of the old and the new code).
//!
//! Every `.ts`/`.tsx`/`.mts`/`.cts` file is extracted with its own dialect and with the other
//! one (the other grammar's error recovery is a free source of odd trees). Multi-file test
//! fixtures (`.txt` files made of `//- path` sections) contribute each TypeScript section.
//! A line is `<own-dialect digest> <other-dialect digest> <path>[#<section>]`: 64-bit FNV-1a
//! hashes of the `Debug` rendering of the whole `FileFacts`. Directories named `node_modules`,
//! `target` and `.git` are skipped. The last line (on stderr) counts the inputs.
//! `--cuts K` (first) also digests K prefixes of each input (cut at 1/(K+1), 2/(K+1), …:
//! half-typed code exercises the error recovery).
//!
//! `--time N` instead times N rounds of `parse`, of `extract` and of `facts_from_tree` (on
//! trees parsed beforehand) over the inputs (own dialect, one thread) and prints the best
//! round of each, for profiling the extraction alone.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use alchemy_grammar::{Dialect, extract};

/// FNV-1a, 64 bits: stable across Rust versions, unlike `DefaultHasher`.
struct Fnv(u64);

impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for &b in s.as_bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(())
    }
}

fn digest(text: &str, dialect: Dialect) -> u64 {
    let facts = extract(text, dialect);
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    let _ = write!(h, "{facts:?}");
    h.0
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let name = entry.file_name();
            if !matches!(name.to_str(), Some("node_modules" | "target" | ".git")) {
                walk(&path, out);
            }
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

/// The TypeScript sections of a `//- path` fixture: (section path, text).
fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("//- ") {
            out.extend(current.take());
            current = Some((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    out.extend(current);
    out.retain(|(name, _)| Dialect::from_path(name).is_some());
    out
}

fn other(dialect: Dialect) -> Dialect {
    match dialect {
        Dialect::TypeScript => Dialect::Tsx,
        Dialect::Tsx => Dialect::TypeScript,
    }
}

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let mut rounds = None;
    let mut cuts = 0usize;
    if args.first().is_some_and(|a| a == "--cuts") {
        cuts = args.get(1).and_then(|n| n.to_str()?.parse().ok()).unwrap_or(0);
        args.drain(..2.min(args.len()));
    }
    if args.first().is_some_and(|a| a == "--time") {
        rounds = args.get(1).and_then(|n| n.to_str()?.parse::<usize>().ok());
        if rounds.is_none() {
            let _ = writeln!(
                std::io::stderr(),
                "usage: facts_digest [--cuts K] [--time N] DIR…"
            );
            std::process::exit(2);
        }
        args.drain(..2);
    }
    let dirs: Vec<PathBuf> = args.into_iter().map(PathBuf::from).collect();
    if dirs.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "usage: facts_digest [--cuts K] [--time N] DIR…"
        );
        std::process::exit(2);
    }
    let mut files = Vec::new();
    for dir in &dirs {
        walk(dir, &mut files);
    }
    files.sort();
    let (inputs, sources, fixture_sections) = inputs(&files);
    if let Some(rounds) = rounds {
        time(&inputs, rounds);
        return;
    }
    let mut out = String::new();
    let mut bytes = 0usize;
    for (label, dialect, text) in &inputs {
        bytes += text.len();
        let _ = writeln!(
            out,
            "{:016x} {:016x} {label}",
            digest(text, *dialect),
            digest(text, other(*dialect))
        );
        for i in 1..=cuts {
            let mut cut = text.len() * i / (cuts + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let prefix = &text[..cut];
            let _ = writeln!(
                out,
                "{:016x} {:016x} {label}[..{cut}]",
                digest(prefix, *dialect),
                digest(prefix, other(*dialect))
            );
        }
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    let _ = writeln!(
        std::io::stderr(),
        "{} inputs ({sources} source files, {fixture_sections} fixture sections, {:.1} MB), each in both dialects, with {cuts} prefixes each",
        inputs.len(),
        bytes as f64 / 1e6
    );
}

/// (label, dialect, text) of every input, with the counts of source files and fixture sections.
fn inputs(files: &[PathBuf]) -> (Vec<(String, Dialect, String)>, usize, usize) {
    let mut out = Vec::new();
    let (mut sources, mut fixture_sections) = (0usize, 0usize);
    for path in files {
        let name = path.to_string_lossy();
        if let Some(dialect) = Dialect::from_path(&name) {
            if let Ok(text) = std::fs::read_to_string(path) {
                sources += 1;
                out.push((name.to_string(), dialect, text));
            }
        } else if name.ends_with(".txt")
            && let Ok(text) = std::fs::read_to_string(path)
        {
            for (section, body) in sections(&text) {
                fixture_sections += 1;
                let dialect = Dialect::from_path(&section).unwrap_or(Dialect::TypeScript);
                out.push((format!("{name}#{section}"), dialect, body));
            }
        }
    }
    (out, sources, fixture_sections)
}

/// Best of `rounds` rounds of parsing, of parsing + extracting, and of extracting from kept
/// trees, every input.
fn time(inputs: &[(String, Dialect, String)], rounds: usize) {
    let bytes: usize = inputs.iter().map(|(_, _, t)| t.len()).sum();
    let _ = extract("", Dialect::TypeScript);
    let _ = extract("", Dialect::Tsx);
    let best = |f: &mut dyn FnMut()| {
        (0..rounds.max(1))
            .map(|_| {
                let start = std::time::Instant::now();
                f();
                start.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let parse = best(&mut || {
        for (_, dialect, text) in inputs {
            std::hint::black_box(alchemy_grammar::parse(text, *dialect, None));
        }
    });
    let full = best(&mut || {
        for (_, dialect, text) in inputs {
            std::hint::black_box(extract(text, *dialect));
        }
    });
    let trees: Vec<_> = inputs
        .iter()
        .map(|(_, dialect, text)| alchemy_grammar::parse(text, *dialect, None))
        .collect();
    let facts = best(&mut || {
        for ((_, _, text), tree) in inputs.iter().zip(&trees) {
            std::hint::black_box(alchemy_grammar::facts_from_tree(text, tree));
        }
    });
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    let _ = writeln!(
        std::io::stderr(),
        "{} inputs, {:.1} MB, best of {rounds}: parse {:.1} ms, parse+facts {:.1} ms (difference {:.1} ms, {:.0} % of parse); facts from kept trees {:.1} ms",
        inputs.len(),
        bytes as f64 / 1e6,
        ms(parse),
        ms(full),
        ms(full.saturating_sub(parse)),
        full.saturating_sub(parse).as_secs_f64() / parse.as_secs_f64() * 100.0,
        ms(facts)
    );
}
