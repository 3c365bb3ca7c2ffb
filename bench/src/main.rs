//! `alchemy-ls-bench gen-workspace --size SIZE OUT_DIR` and
//! `alchemy-ls-bench run --size SIZE [--quick]` (sizes: `synth::SIZES`).
#![allow(clippy::print_stdout)] // a command-line tool: its report is its stdout

use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The allocator of the `alchemy-ls` binary: `profile`'s in-process phases allocate as it does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use alchemy_ls_bench::{run, synth};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "alchemy-ls-bench",
    about = "Synthetic monorepos and benchmarks for alchemy-ls"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic workspace (deterministic) and its bench-manifest.json.
    GenWorkspace {
        /// mini, ws2k, ws10k, ws50k, stack1k, findings50k or findings-mini.
        #[arg(long, default_value = "ws2k")]
        size: String,
        /// Output directory (created; replaced if it holds an older generated workspace).
        out_dir: PathBuf,
    },
    /// Generate (cached under <target>/bench-workspaces) and measure check and serve.
    Run {
        /// mini, ws2k, ws10k, ws50k, stack1k, findings50k or findings-mini (default: the size
        /// of the workspace in --dir, else ws2k).
        #[arg(long)]
        size: Option<String>,
        /// Fewer repetitions and samples.
        #[arg(long)]
        quick: bool,
        /// The alchemy-ls binary (default: build and use target/release/alchemy-ls).
        #[arg(long)]
        bin: Option<PathBuf>,
        /// Use this workspace directory instead of the cache.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Skip the language-server measurements.
        #[arg(long)]
        no_lsp: bool,
        /// Also write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also time this oxlint binary on the same workspace (side by side).
        #[arg(long)]
        oxlint: Option<PathBuf>,
    },
    /// In-process timings of each phase of check and of one editor change (diagnosis aid).
    Profile {
        /// mini, ws2k, ws10k, ws50k, stack1k, findings50k or findings-mini (default: the size
        /// of the workspace in --dir, else ws2k).
        #[arg(long)]
        size: Option<String>,
        /// Use this workspace directory instead of the cache.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Number of simulated edits.
        #[arg(long, default_value_t = 20)]
        edits: usize,
        /// Only the editor change (skip the phases of `check`).
        #[arg(long)]
        edits_only: bool,
    },
    /// alchemy-ls's module resolver next to oxc_resolver on every import of DIR's sources:
    /// agreement, differences and time (built with `--features oxc`).
    #[cfg(feature = "oxc")]
    Resolvers {
        dir: PathBuf,
        /// How many differences to list.
        #[arg(long, default_value_t = 20)]
        show: usize,
    },
}

fn size(name: &str) -> Result<synth::Spec, String> {
    synth::spec(name).ok_or_else(|| {
        let names: Vec<&str> = synth::SIZES.iter().map(|s| s.name).collect();
        format!("unknown size {name:?}; one of {}", names.join(", "))
    })
}

/// The size to measure with `--dir`: the one given, which must be the size of a workspace
/// the directory already holds (a directory the user named is never regenerated as another
/// size), or else the directory's own; ws2k when neither says.
fn size_for(given: Option<&str>, dir: Option<&Path>) -> Result<synth::Spec, String> {
    let held = dir.and_then(synth::read_manifest).map(|m| m.size);
    match (given, held) {
        (Some(g), Some(h)) if g != h => Err(format!(
            "{} holds a generated {h} workspace, not {g}: pass --size {h}, another --dir, or regenerate it with gen-workspace --size {g}",
            dir.map(|d| d.display().to_string()).unwrap_or_default()
        )),
        (Some(g), _) => size(g),
        (None, Some(h)) => size(&h),
        (None, None) => size("ws2k"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    finish(match cli.command {
        Command::GenWorkspace { size: s, out_dir } => size(&s).and_then(|spec| {
            if out_dir.exists()
                && std::fs::read_dir(&out_dir).is_ok_and(|mut d| d.next().is_some())
                && synth::read_manifest(&out_dir).is_none()
            {
                return Err(format!(
                    "{} is not empty and holds no generated workspace; refusing to overwrite",
                    out_dir.display()
                ));
            }
            if out_dir.exists() {
                std::fs::remove_dir_all(&out_dir).map_err(|e| e.to_string())?;
            }
            let m = synth::generate(&spec, &out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
            println!("{}", serde_json::to_string_pretty(&m).unwrap_or_default());
            Ok(())
        }),
        Command::Run {
            size: s,
            quick,
            bin,
            dir,
            no_lsp,
            json,
            oxlint,
        } => size_for(s.as_deref(), dir.as_deref()).and_then(|spec| {
            run::run(&run::Options {
                spec,
                quick,
                bin,
                dir,
                no_lsp,
                json,
                oxlint,
            })
        }),
        Command::Profile {
            size: s,
            dir,
            edits,
            edits_only,
        } => profile(s.as_deref(), dir, edits, edits_only),
        #[cfg(feature = "oxc")]
        Command::Resolvers { dir, show } => {
            alchemy_ls_bench::resolvers::compare(&dir, show).map(|r| print!("{}", r.print(&dir)))
        }
    })
}

fn profile(s: Option<&str>, dir: Option<PathBuf>, edits: usize, edits_only: bool) -> Result<(), String> {
    let spec = size_for(s, dir.as_deref())?;
    let dir = dir.unwrap_or_else(|| alchemy_ls_bench::locate::workspace_cache(spec.name));
    let m = synth::ensure(&spec, &dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if edits_only {
        print!("{}", alchemy_ls_bench::profile::edit_timings(&dir, &m, edits)?);
    } else {
        print!("{}", alchemy_ls_bench::profile::run(&dir, &m, edits)?);
    }
    Ok(())
}

fn finish(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("alchemy-ls-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_without_size_measures_the_workspace_it_holds_and_a_different_size_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = synth::spec("mini").expect("mini");
        synth::generate(&spec, dir.path()).expect("generate mini");
        assert_eq!(size_for(None, Some(dir.path())).map(|s| s.name), Ok("mini"));
        assert_eq!(
            size_for(Some("mini"), Some(dir.path())).map(|s| s.name),
            Ok("mini")
        );
        let refused = size_for(Some("ws2k"), Some(dir.path())).map(|s| s.name);
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.contains("holds a generated mini workspace")),
            "{refused:?}"
        );
        // the refusal leaves the workspace alone
        assert_eq!(
            synth::read_manifest(dir.path()).map(|m| m.size).as_deref(),
            Some("mini")
        );
        assert_eq!(size_for(None, None).map(|s| s.name), Ok("ws2k"));
        let empty = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            size_for(Some("ws10k"), Some(empty.path())).map(|s| s.name),
            Ok("ws10k")
        );
    }
}
