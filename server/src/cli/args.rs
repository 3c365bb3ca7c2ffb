//! Command-line arguments (clap).

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

use super::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "alchemy-ls",
    version,
    about = "Language server and CI checker for Alchemy v2 stacks",
    after_help = "Exit codes of `check`: 0 clean or only warnings, 1 errors (or warnings with --deny-warnings \
or over --max-warnings), 2 usage, configuration or internal error."
)]
pub struct Cli {
    /// Start the language server on stdin/stdout (what editors run; may be repeated).
    #[arg(long, action = ArgAction::Count)]
    pub stdio: u8,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse the stacks under PATH and report wiring mistakes.
    Check(CheckArgs),
    /// Print the resource graph (workers, Durable Objects, stacks and their relations).
    Graph(GraphArgs),
    /// List the rules, or explain one.
    Rules {
        /// A rule id, e.g. from-non-host.
        id: Option<String>,
    },
    /// Start the language server on stdin/stdout.
    Serve {
        /// Accepted for editors that append it; stdio is the only transport.
        #[arg(long, action = ArgAction::Count)]
        stdio: u8,
    },
}

/// Options shared by `check` and `graph`: what to load.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files or directories to analyse; report paths are relative to the first one.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Use this alchemy-ls.toml instead of the nearest one above the first PATH.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Also analyse files that .gitignore and other ignore files exclude.
    #[arg(long)]
    pub no_ignore: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Exit with 1 if there are warnings.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Exit with 1 if there are more than N warnings.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,

    /// Compare with this git revision (what is deployed: `origin/main`, `HEAD~1`, a sha) and
    /// report what the next deploy does to deployed data (deploy-impact rules).
    #[arg(long, value_name = "REV", conflicts_with = "baseline_dir")]
    pub baseline: Option<String>,

    /// Like --baseline, from a plain checkout of the deployed revision (DIR stands for the
    /// first PATH).
    #[arg(long, value_name = "DIR")]
    pub baseline_dir: Option<PathBuf>,

    /// Exit with 2 when the paths hold no Alchemy file (by default only a note on stderr).
    #[arg(long)]
    pub error_on_empty: bool,

    /// Also report suppression comments that suppress nothing (rule `unused-suppression`).
    #[arg(long)]
    pub report_unused_suppressions: bool,

    /// Append a Markdown summary of the findings to FILE (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long, value_name = "FILE")]
    pub step_summary: Option<PathBuf>,

    /// Do not read or write the facts cache (parse every file).
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,

    /// Keep the facts cache in DIR (default: $ALCHEMY_LS_CACHE_DIR, else
    /// node_modules/.cache/alchemy-ls under the first PATH when node_modules exists there,
    /// else the user cache directory).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Apply the safe fixes, write the files, then report what remains.
    #[arg(long, conflicts_with = "fix_dry_run")]
    pub fix: bool,

    /// Print the safe fixes as a unified diff instead of writing them.
    #[arg(long)]
    pub fix_dry_run: bool,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
    pub format: GraphFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Json,
    Mermaid,
    Dot,
}
