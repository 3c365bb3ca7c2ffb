use std::io::Write;

// Parsing allocates many small nodes from two threads: mimalloc is markedly faster than
// glibc's allocator here (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `arena_eager_commit` (its number in `mimalloc.h`'s `mi_option_e`).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// Commit arena memory on demand rather than eagerly (mimalloc's default on Linux): on a
/// 50,000-file workspace the peak RSS of `check` drops from ≈ 310 to ≈ 270 MB, with less
/// system time (docs/benchmarks.md). Set before the first allocation (the first arena is
/// created then), so by an ELF constructor where there is one, at the start of `main`
/// elsewhere. (Setting it overrides `MIMALLOC_ARENA_EAGER_COMMIT`.)
extern "C" fn tune_allocator() {
    // SAFETY: stores an option value; allocates nothing.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0) };
}

/// mimalloc's `purge_delay` (its number in `mi_option_e`, the same in v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A one-shot command (`check`, `graph`, `rules`) returns freed memory to the system 10 ms
/// after it is freed (mimalloc v2's default) rather than after a second (v3's): freed pages
/// then make room for what the next phase allocates, and a `check` of a 50,000-file workspace
/// peaks ≈ 15 MB lower at the same CPU time (docs/benchmarks.md). Not the language server:
/// each edit frees and allocates a model again, and purging in between would make the next
/// analysis fault its pages in again.
fn tune_allocator_for_one_shot(args: &[std::ffi::OsString]) {
    if args.iter().skip(1).any(|a| a == "serve" || a == "--stdio") {
        return;
    }
    // SAFETY: stores an option value; allocates nothing.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;

fn main() {
    #[cfg(not(target_os = "linux"))]
    tune_allocator();
    alchemy_ls::timing::init();
    let color = anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
    let color_err = anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
    // Not locked: `serve` hands stdout to the language server.
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let mut err = std::io::stderr();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    tune_allocator_for_one_shot(&args);
    let code = alchemy_ls::cli::run(
        args,
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
