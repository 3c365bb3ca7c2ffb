//! The differential oracle: random edit sessions against the real `alchemy-ls serve` over
//! stdio (inserts, deletes, pasted fragments of other files, Deps edits, renames, undo to the
//! original, emoji/CJK, CRLF, unsaved new files, saves, opening and closing documents), with
//! the server's latest diagnostics of every file (pushed, and pulled for open documents when
//! the client pulls) compared at quiescent points with `alchemy-ls check --format json` on a
//! scratch copy of the same contents. Any difference fails, with the edit script minimised.
//!
//! `alchemy-ls-oracle --help`; `cargo test -p alchemy-ls-oracle` runs it with a fixed seed
//! and the budget of `ORACLE_BUDGET_SECS` (see docs/reliability.md).
#![allow(clippy::print_stdout)] // a command-line tool: its report is its stdout

pub mod client;
pub mod corpus;
pub mod minimize;
pub mod script;
pub mod session;

use std::path::Path;
use std::time::{Duration, Instant};

use alchemy_ls_bench::rng::Rng;
use serde_json::json;

use corpus::Workspace;
use script::Action;
use session::{ClientKind, Difference, Session};

/// A failure the oracle found: where, how to replay it, and what differed.
#[derive(Debug)]
pub struct Finding {
    pub workspace: String,
    pub client: ClientKind,
    pub seed: u64,
    pub script: Vec<Action>,
    pub difference: Option<Difference>,
    /// A harness or server error instead of a difference (crash, timeout).
    pub error: Option<String>,
}

impl Finding {
    /// The finding as JSON: the minimised script can be replayed with `--replay`.
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "workspace": self.workspace,
            "client": self.client,
            "seed": self.seed,
            "script": self.script,
            "difference": self.difference,
            "error": self.error,
        })
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub sessions: usize,
    pub actions: usize,
    pub comparisons: usize,
    /// Diagnostics `check` reported at the comparisons (each matched by the server's).
    pub diagnostics: usize,
    pub findings: Vec<Finding>,
}

const ENCODINGS: [&str; 3] = ["utf-16", "utf-8", "utf-32"];

/// Run sessions on `corpora` (round robin) until `budget` is spent, each session from its own
/// seed derived from `seed`; stop at the first finding (minimised within `minimize_budget`).
pub fn run(
    bin: &Path,
    corpora: &[Workspace],
    seed: u64,
    budget: Duration,
    steps: usize,
    minimize_budget: Duration,
    mut progress: impl FnMut(&str),
) -> Summary {
    let start = Instant::now();
    let mut summary = Summary::default();
    let mut master = Rng::new(seed);
    let mut i = 0usize;
    while start.elapsed() < budget && !corpora.is_empty() {
        let ws = &corpora[i % corpora.len()];
        i += 1;
        let session_seed = master.next_u64();
        let mut rng = Rng::new(session_seed);
        let client = ClientKind {
            pull: rng.chance(0.5),
            encoding: ENCODINGS[rng.below(ENCODINGS.len())],
        };
        let script = script::generate(&mut rng, ws, steps);
        summary.sessions += 1;
        summary.actions += script.len();
        summary.comparisons += script.iter().filter(|a| **a == Action::Check).count();
        let session = Session {
            bin,
            ws,
            client,
            plant: None,
            compared: Default::default(),
            step: false,
        };
        let outcome = session.run(&script, true);
        summary.diagnostics += session.compared.get();
        match outcome {
            Ok(None) => {}
            Ok(Some(d)) => {
                progress(&format!(
                    "difference in {} (seed {session_seed}, {client:?}) at action {}: minimising",
                    ws.name, d.at
                ));
                let failing: Vec<Action> = script[..=d.at.min(script.len() - 1)].to_vec();
                let (script, diff) = minimize::minimize(&session, &failing, minimize_budget);
                summary.findings.push(Finding {
                    workspace: ws.name.clone(),
                    client,
                    seed: session_seed,
                    script,
                    difference: diff.or(Some(d)),
                    error: None,
                });
                return summary;
            }
            Err(e) => {
                summary.findings.push(Finding {
                    workspace: ws.name.clone(),
                    client,
                    seed: session_seed,
                    script,
                    difference: None,
                    error: Some(e),
                });
                return summary;
            }
        }
        if summary.sessions % 10 == 0 {
            progress(&format!(
                "{} sessions, {} actions, {} comparisons ({} diagnostics), {:.0?}",
                summary.sessions,
                summary.actions,
                summary.comparisons,
                summary.diagnostics,
                start.elapsed()
            ));
        }
    }
    summary
}

/// The corpora named by `which` (`all`, `examples`, `bench`, `fixtures`).
pub fn corpora(which: &str) -> Result<Vec<Workspace>, String> {
    let mut out = Vec::new();
    if matches!(which, "all" | "examples") {
        out.extend(corpus::examples());
    }
    if matches!(which, "all" | "bench") {
        out.push(corpus::bench_mini()?);
    }
    if matches!(which, "all" | "fixtures") {
        out.extend(corpus::rule_fixtures());
    }
    if out.is_empty() {
        return Err(format!("no workspace for --corpus {which}"));
    }
    Ok(out)
}

/// Replays a finding (the JSON of [`Finding::to_json`]) against `bin`: the difference it
/// still produces, if any. `step` waits for the analysis after every action.
pub fn replay(bin: &Path, finding: &serde_json::Value, step: bool) -> Result<Option<Difference>, String> {
    let name = finding["workspace"].as_str().unwrap_or_default();
    let all = if name.starts_with("examples/") {
        corpus::examples()
    } else {
        corpora("all")?
    };
    let ws = all
        .iter()
        .find(|w| w.name == name)
        .ok_or(format!("no workspace {name}"))?;
    let encoding = match finding["client"]["encoding"].as_str() {
        Some("utf-8") => "utf-8",
        Some("utf-32") => "utf-32",
        _ => "utf-16",
    };
    let client = ClientKind {
        pull: finding["client"]["pull"].as_bool().unwrap_or(false),
        encoding,
    };
    let script: Vec<Action> = serde_json::from_value(finding["script"].clone()).map_err(|e| e.to_string())?;
    let session = Session {
        bin,
        ws,
        client,
        plant: None,
        compared: Default::default(),
        step,
    };
    session.run(&script, false)
}
