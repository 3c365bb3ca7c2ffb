//! `alchemy-ls check`: analyse, report, and turn the counts into the exit code.

use super::args::CheckArgs;
use super::report::{self, Report};
use super::{EXIT_FINDINGS, EXIT_OK, Io, load};
use crate::analysis;

pub fn run(args: &CheckArgs, io: &mut Io) -> i32 {
    let mut loaded = match load::load(&args.input, io) {
        Ok(l) => l,
        Err(code) => return code,
    };
    crate::timing::mark("loaded");
    if let Some(dir) = &args.baseline_dir {
        let opts = crate::workspace::LoadOptions {
            no_ignore: args.input.no_ignore,
        };
        match crate::baseline::from_dir(dir, loaded.ws.config.clone(), &opts) {
            Ok(b) => loaded.ws.baseline = Some(std::sync::Arc::new(b)),
            Err(e) => {
                let _ = writeln!(io.err, "alchemy-ls: {e}");
                return super::EXIT_ERROR;
            }
        }
        crate::timing::mark("baseline loaded");
    }
    let analysis = analysis::analyze_by_components(&mut Default::default(), &loaded.ws);
    crate::timing::mark("analysed");
    let report = Report::new(&loaded.ws, &analysis, &loaded.base);
    let text = report::render(args.format, &report, io.color);
    let _ = io.out.write_all(text.as_bytes());
    let _ = io.out.flush();
    crate::timing::mark("reported");

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
