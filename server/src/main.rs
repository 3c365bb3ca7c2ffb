use std::io::Write;

// Parsing allocates many small nodes from two threads: mimalloc is markedly faster than
// glibc's allocator here (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    alchemy_ls::timing::init();
    let color = anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
    let color_err = anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
    // Not locked: `serve` hands stdout to the language server.
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let mut err = std::io::stderr();
    let code = alchemy_ls::cli::run(
        std::env::args_os().collect(),
        &mut alchemy_ls::cli::Io {
            out: &mut out,
            err: &mut err,
            color,
            color_err,
        },
    );
    let _ = out.flush();
    drop(out);
    std::process::exit(code);
}
