//! `alchemy-ls check`: analyse, report, and turn the counts into the exit code.

use std::path::Path;

use super::args::CheckArgs;
use super::report::{self, Format, Report};
use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Io, load};
use crate::analysis::{self, Analysis, finalize::UNUSED_SUPPRESSION};
use crate::config::{Config, RuleLevel};
use crate::workspace::Workspace;

pub fn run(args: &CheckArgs, io: &mut Io) -> i32 {
    if args.fix || args.fix_dry_run {
        return super::fix::run(args, io);
    }
    let load::Loaded {
        ws,
        _cache_write: cache_write,
        index,
        base,
    } = match load_for_check(args, io) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // `check` asks the index nothing more (`--fix` does): its tables (the prefilter's
    // verdicts on every discovered file with their specifiers, the resolutions, the links)
    // are freed before the analysis allocates, which then reuses their memory.
    drop(index);
    crate::timing::mark("loaded");
    let analysis =
        analysis::analyze_by_components(&mut analysis::components::Analyzer::diagnostics_only(), &ws);
    crate::timing::mark("analysed");
    let code = finish(args, io, &ws, &analysis, &base);
    crate::timing::mark("reported");
    drop(cache_write);
    code
}

/// [`load::load`] with the configuration `check`'s options imply, and the baseline of
/// `--baseline REV` / `--baseline-dir DIR` / `baseline = "REV"` in alchemy-ls.toml.
pub fn load_for_check(args: &CheckArgs, io: &mut Io) -> Result<load::Loaded, i32> {
    let cache = load::cache_dir(args.no_cache, args.cache_dir.as_deref(), &args.input);
    // `--fix` edits through the index; `check` only reads its snapshot.
    let one_shot = !(args.fix || args.fix_dry_run);
    let mut loaded = load::load_with(&args.input, io, |c| adjust_config(args, c), cache, one_shot)?;
    let opts = crate::workspace::LoadOptions {
        no_ignore: args.input.no_ignore,
    };
    let config = loaded.ws.config.clone();
    let rev = args.baseline.clone().or_else(|| config.baseline.clone());
    let baseline = match (&args.baseline_dir, rev.as_deref()) {
        (Some(dir), _) => Some(crate::baseline::from_dir(dir, config, &opts, Some(&loaded.ws))),
        (None, Some("off") | None) => None,
        (None, Some(rev)) => {
            let root = loaded
                .ws
                .roots
                .first()
                .cloned()
                .unwrap_or_else(|| loaded.base.clone());
            Some(crate::baseline::from_git(
                &root,
                rev,
                config,
                &opts,
                Some(&loaded.ws),
            ))
        }
    };
    match baseline {
        Some(Ok(b)) => {
            if b.snapshot.stacks.is_empty() {
                let _ = writeln!(
                    io.err,
                    "alchemy-ls: baseline {}: no stack deployed there (the project did not exist, or held no stack): nothing to compare",
                    b.rev
                );
            }
            loaded.ws.baseline = Some(std::sync::Arc::new(b));
            crate::timing::mark("baseline loaded");
        }
        Some(Err(e)) => {
            let _ = writeln!(io.err, "alchemy-ls: {e}");
            return Err(EXIT_ERROR);
        }
        None => {}
    }
    Ok(loaded)
}

/// `--report-unused-suppressions` turns `unused-suppression` on (as a warning) unless the
/// configuration already sets it.
fn adjust_config(args: &CheckArgs, config: &mut Config) {
    if args.report_unused_suppressions {
        config
            .rules
            .entry(UNUSED_SUPPRESSION.to_string())
            .or_insert(RuleLevel::Warning);
    }
}

/// Renders the report of `analysis` to stdout (and the step summary), notes an empty run, and
/// returns the exit code.
pub fn finish(args: &CheckArgs, io: &mut Io, ws: &Workspace, analysis: &Analysis, base: &Path) -> i32 {
    // Annotations and SARIF results are resolved against the repository root by GitHub.
    let repo_root = super::root::repository_root(base);
    let report_base = match args.format {
        Format::Github | Format::Sarif => repo_root.as_path(),
        _ => base,
    };
    let report = Report::new(ws, analysis, report_base);
    let text = report::render(args.format, &report, io.color);
    if let Err(code) = super::emit(io, &text) {
        return code;
    }
    if let Some(file) = &args.step_summary {
        let summary_report;
        let for_summary = if report_base == repo_root.as_path() {
            &report
        } else {
            summary_report = Report::new(ws, analysis, &repo_root);
            &summary_report
        };
        if let Err(e) = report::append_step_summary(file, for_summary) {
            let _ = writeln!(
                io.err,
                "alchemy-ls: cannot write the step summary to {}: {e}",
                file.display()
            );
            return EXIT_ERROR;
        }
    }
    if report.files == 0 {
        let paths: Vec<String> = args.input.paths.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(
            io.err,
            "alchemy-ls: no Alchemy files found under {}",
            paths.join(", ")
        );
        if args.error_on_empty {
            return EXIT_ERROR;
        }
    }

    let code = exit_code(
        report.errors,
        report.warnings,
        args.deny_warnings,
        args.max_warnings,
    );
    if report.errors == 0 && code == EXIT_FINDINGS {
        let why = match args.max_warnings {
            Some(max) if report.warnings > max => format!("more than --max-warnings {max}"),
            _ => "--deny-warnings".to_string(),
        };
        let _ = writeln!(
            io.err,
            "alchemy-ls: failing because of {} warning(s) ({why})",
            report.warnings
        );
    }
    code
}

/// 1 for errors, for warnings with `--deny-warnings`, or for more than `--max-warnings`.
pub fn exit_code(errors: usize, warnings: usize, deny_warnings: bool, max_warnings: Option<usize>) -> i32 {
    let too_many = max_warnings.is_some_and(|max| warnings > max);
    if errors > 0 || (deny_warnings && warnings > 0) || too_many {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(exit_code(0, 0, false, None), 0);
        assert_eq!(exit_code(0, 3, false, None), 0);
        assert_eq!(exit_code(1, 0, false, None), 1);
        assert_eq!(exit_code(0, 1, true, None), 1);
        assert_eq!(exit_code(0, 3, false, Some(3)), 0);
        assert_eq!(exit_code(0, 4, false, Some(3)), 1);
        assert_eq!(exit_code(0, 0, true, Some(0)), 0);
    }
}
