//! The language server: a protocol layer over the workspace index ([`alchemy_ls_project::workspace`]),
//! the analysis and the IDE queries ([`alchemy_ls_ide`]). See `docs/lsp.md`.
//!
//! Layout: [`server`] (the `LanguageServer` handlers), [`requests`] (snapshot wait, blocking
//! computation, panic → error), [`worker`] (debounced re-analysis and publishing),
//! [`documents`] (ropes and incremental sync), [`convert`] (the position funnel),
//! [`to_proto`] (results → protocol types), [`capabilities`], [`settings`], [`host`] (roots,
//! config, overlays → index), [`baseline`] (the deployed revision compared with), [`fswatch`] (the server's own
//! file watcher, for clients without one), [`frames`] (stdin framing that survives malformed messages).

pub mod baseline;
pub mod capabilities;
pub mod convert;
pub mod documents;
pub mod frames;
pub mod fswatch;
pub mod host;
pub mod rename;
pub mod requests;
pub mod server;
pub mod settings;
pub mod state;
pub mod to_proto;
pub mod worker;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use tower_lsp_server::{LspService, Server as LspServer};

use self::server::Server;

/// Serve the protocol on stdin/stdout until `exit`. Returns the process exit code: 0 after
/// `shutdown` + `exit`, 1 if the client exited (or closed stdin) without `shutdown`.
pub fn run_stdio() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("alchemy-ls: cannot start the async runtime: {e}");
            return 2;
        }
    };
    let code = runtime.block_on(async {
        let (service, socket) = LspService::build(Server::new)
            .custom_method("alchemy/hosts", Server::alchemy_hosts)
            .custom_method("alchemy/goToHost", Server::alchemy_go_to_host)
            .custom_method("alchemy/graph", Server::alchemy_graph)
            .custom_method("alchemy/debugPanic", Server::debug_panic)
            .custom_method("alchemy/debugDocumentText", Server::debug_document_text)
            .custom_method("alchemy/debugQuiescent", Server::debug_quiescent)
            .custom_method(frames::DROPPED_METHOD, Server::dropped)
            .custom_method(frames::REJECT_METHOD, frames::reject::<Server>)
            .finish();
        let state = Arc::clone(&service.inner().state);
        // Our own framing in front of tower-lsp's: a malformed message must not end the session.
        let stdin = match frames::spawn_stdin_reader() {
            Ok(stdin) => stdin,
            Err(e) => {
                eprintln!("alchemy-ls: cannot start the stdin reader: {e}");
                return 2;
            }
        };
        LspServer::new(stdin, tokio::io::stdout(), socket)
            .serve(service)
            .await;
        if state.shutdown.load(Ordering::SeqCst) {
            0
        } else {
            1
        }
    });
    // Do not wait for blocking tasks (a long analysis) or the stdin reader thread.
    runtime.shutdown_background();
    code
}
