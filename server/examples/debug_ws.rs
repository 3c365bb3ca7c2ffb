//! Debug helper: load a directory and print each file's constructs, imports and the resources
//! (`cargo run -p alchemy-ls --example debug_ws -- DIR`).
use std::io::Write;
use std::sync::Arc;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: debug_ws DIR"));
    let config = alchemy_ls::config::discover(&dir).unwrap_or_default();
    let ws = alchemy_ls::workspace::load(
        &[dir],
        Arc::new(config),
        &alchemy_ls::workspace::LoadOptions::default(),
    )
    .expect("load");
    let mut out = std::io::stderr().lock();
    for f in ws.iter() {
        let _ = writeln!(out, "== {} (root {})", f.path.display(), f.root);
        for (i, imp) in f.facts.imports.iter().enumerate() {
            let _ = writeln!(out, "  import {:?} -> {:?}", imp.specifier, f.imports.get(i));
        }
        for c in &f.facts.constructs {
            let sp = f.facts.exprs[c.expr as usize].span;
            let t = &f.text[sp.start as usize..sp.end as usize];
            let _ = writeln!(
                out,
                "  {:?}: {}",
                c.kind,
                t.chars().take(60).collect::<String>().replace('\n', " ")
            );
        }
    }
    let ctx = alchemy_ls::analysis::ctx::Ctx::new(&ws);
    for r in &ctx.res.list {
        let _ = writeln!(
            out,
            "resource {:?} {:?} {} key={} id={:?}",
            r.kind, r.form, r.name, r.key, r.logical_id
        );
    }
}
