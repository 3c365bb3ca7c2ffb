//! The `alchemy-ls` command line: `check`, `graph`, `rules`, `serve` / `--stdio`.
//!
//! Library code never prints to stdout; [`run`] writes to the streams it is given, and
//! `main.rs` passes the real ones.

pub mod args;
mod check;
mod fix;
pub mod graph;
mod load;
pub mod paths;
pub mod report;
mod root;
mod rules;
pub mod serve;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

use args::{Cli, Command};

/// Clean, or only warnings.
pub const EXIT_OK: i32 = 0;
/// Errors found (or warnings with `--deny-warnings` / over `--max-warnings`).
pub const EXIT_FINDINGS: i32 = 1;
/// Usage, configuration or internal error.
pub const EXIT_ERROR: i32 = 2;

/// Output streams of one run.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Colour the human format (stdout is a terminal and `NO_COLOR` is not set).
    pub color: bool,
    /// Colour clap's messages on stderr.
    pub color_err: bool,
}

/// Runs the command line `args` (including the program name); returns the exit code.
pub fn run(args: Vec<OsString>, io: &mut Io) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let rendered = if io.color_err {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => match emit(io, &rendered) {
                    Ok(()) => EXIT_OK,
                    Err(code) => code,
                },
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = write!(io.err, "{rendered}");
                    EXIT_ERROR
                }
                _ => {
                    let _ = write!(io.err, "{rendered}");
                    EXIT_ERROR
                }
            };
        }
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dispatch(cli, io)));
    match result {
        Ok(code) => code,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let _ = writeln!(io.err, "alchemy-ls: internal error: {what}");
            EXIT_ERROR
        }
    }
}

/// Writes `text` to stdout and flushes it: a failure (a full disk, a closed pipe) is reported on
/// stderr and becomes [`EXIT_ERROR`].
pub(crate) fn emit(io: &mut Io, text: &str) -> Result<(), i32> {
    match io.out.write_all(text.as_bytes()).and_then(|()| io.out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = writeln!(io.err, "alchemy-ls: cannot write to stdout: {e}");
            Err(EXIT_ERROR)
        }
    }
}

fn dispatch(cli: Cli, io: &mut Io) -> i32 {
    match cli.command {
        None if cli.stdio > 0 => serve::run(),
        None => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let help = if io.color_err {
                cmd.render_help().ansi().to_string()
            } else {
                cmd.render_help().to_string()
            };
            let _ = write!(io.err, "{help}");
            EXIT_ERROR
        }
        Some(Command::Serve { .. }) => serve::run(),
        Some(Command::Check(args)) => check::run(&args, io),
        Some(Command::Graph(args)) => graph::run(&args, io),
        Some(Command::Rules { id }) => rules::run(id.as_deref(), io),
    }
}
