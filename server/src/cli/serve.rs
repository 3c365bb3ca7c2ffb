//! `alchemy-ls serve` / `alchemy-ls --stdio`: the language server on stdin/stdout.

/// Runs the language server until the client exits; returns the exit code.
pub fn run() -> i32 {
    crate::lsp::run_stdio()
}
