//! `alchemy-ls-bench resolvers DIR` (`cargo run --release -p alchemy-ls-bench --features oxc --
//! resolvers DIR`): alchemy-ls's module resolver next to `oxc_resolver` on every
//! import and re-export specifier of the workspace's discovered sources — what each answers,
//! where they differ, and how long each takes (one fresh resolver each, every specifier once,
//! in the same order). The evaluation of the crate as a replacement (docs/benchmarks.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alchemy_grammar::facts::ExportKind;
use alchemy_grammar::{Dialect, extract};
use alchemy_ls::config::Config;
use alchemy_ls::resolve::{Resolution, Resolver};
use alchemy_ls::workspace::discover::{ConfigIgnore, discover_dir};
use oxc_resolver::{ResolveOptions, Resolver as Oxc, TsconfigDiscovery};

/// What one resolver made of a specifier, in terms both can give.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// A file of the workspace (canonical path).
    File(PathBuf),
    /// A package outside the workspace (`node_modules`), a built-in or a scheme (`node:`,
    /// `cloudflare:`).
    External,
    NotFound,
}

pub struct Report {
    pub files: usize,
    pub specifiers: usize,
    pub ours: Duration,
    pub oxc: Duration,
    /// (ours, oxc) → count.
    pub agreement: BTreeMap<(&'static str, &'static str), usize>,
    /// The first differences: (importer, specifier, ours, oxc).
    pub differences: Vec<(PathBuf, String, Outcome, Outcome)>,
    pub different: usize,
    /// Specifiers oxc_resolver failed on because of a tsconfig (resolved again without).
    pub tsconfig_failures: usize,
}

fn label(o: &Outcome) -> &'static str {
    match o {
        Outcome::File(_) => "file",
        Outcome::External => "external",
        Outcome::NotFound => "not found",
    }
}

/// oxc_resolver configured as TypeScript's `moduleResolution: "bundler"` reads types: the
/// nearest tsconfig (paths, baseUrl, `${configDir}`), TypeScript's extensions, `.js` written for
/// `.ts`, the `types`/`import` conditions, symlinks resolved.
fn oxc(tsconfig: bool) -> Oxc {
    let exts = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Oxc::new(ResolveOptions {
        tsconfig: tsconfig.then_some(TsconfigDiscovery::Auto),
        extensions: exts(&[
            ".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".json",
        ]),
        extension_alias: vec![
            (".js".into(), exts(&[".ts", ".tsx", ".d.ts", ".js"])),
            (".mjs".into(), exts(&[".mts", ".d.mts", ".mjs"])),
            (".cjs".into(), exts(&[".cts", ".d.cts", ".cjs"])),
        ],
        condition_names: exts(&["types", "import", "default"]),
        main_fields: exts(&["types", "typings", "module", "main"]),
        builtin_modules: true,
        ..ResolveOptions::default()
    })
}

fn is_external(p: &Path, root: &Path) -> bool {
    !p.starts_with(root) || p.components().any(|c| c.as_os_str() == "node_modules")
}

/// Compare the two resolvers on `root` (a directory).
pub fn compare(root: &Path, keep: usize) -> Result<Report, String> {
    let root = std::fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    let (ignore, _) = ConfigIgnore::new(&Config::default(), &root);
    let (files, _) = discover_dir(&root, &ignore, false);
    let mut pairs: Vec<(PathBuf, String)> = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Some(dialect) = f.to_str().and_then(Dialect::from_path) else {
            continue;
        };
        let facts = extract(&text, dialect);
        for i in &facts.imports {
            pairs.push((f.clone(), i.specifier.clone()));
        }
        for e in &facts.exports {
            if let ExportKind::From { specifier, .. } | ExportKind::Star { specifier, .. } = &e.kind {
                pairs.push((f.clone(), specifier.clone()));
            }
        }
    }
    let t = Instant::now();
    let ours = Resolver::new(vec![root.clone()]);
    let a: Vec<Outcome> = pairs
        .iter()
        .map(|(f, s)| match ours.resolve(f, s) {
            Resolution::File(p) if !is_external(&p, &root) => Outcome::File(p),
            Resolution::File(_) | Resolution::External { .. } => Outcome::External,
            Resolution::NotFound { .. } => Outcome::NotFound,
        })
        .collect();
    let ours_time = t.elapsed();
    let t = Instant::now();
    let theirs = oxc(true);
    // A tsconfig that cannot be read (an `extends` of a package not installed yet) fails every
    // resolution from its directory in oxc_resolver; alchemy-ls goes on without it. The fair
    // comparison retries without tsconfig, as a wrapper around the crate would.
    let plain = oxc(false);
    let mut tsconfig_failures = 0;
    let b: Vec<Outcome> = pairs
        .iter()
        .map(|(f, s)| {
            match theirs.resolve_file(f, s).or_else(|e| match e {
                oxc_resolver::ResolveError::TsconfigNotFound(_)
                | oxc_resolver::ResolveError::TsconfigLoadFailed { .. }
                | oxc_resolver::ResolveError::TsconfigCircularExtend(_)
                | oxc_resolver::ResolveError::TsconfigSelfReference(_)
                | oxc_resolver::ResolveError::Json(_) => {
                    tsconfig_failures += 1;
                    plain.resolve_file(f, s)
                }
                e => Err(e),
            }) {
                Ok(r) => {
                    let p = r.path();
                    if is_external(p, &root) {
                        Outcome::External
                    } else {
                        Outcome::File(std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
                    }
                }
                Err(oxc_resolver::ResolveError::Builtin { .. }) => Outcome::External,
                Err(_) => Outcome::NotFound,
            }
        })
        .collect();
    let oxc_time = t.elapsed();
    let mut agreement = BTreeMap::new();
    let mut differences = Vec::new();
    let mut different = 0;
    for ((pair, x), y) in pairs.iter().zip(&a).zip(&b) {
        *agreement.entry((label(x), label(y))).or_insert(0) += 1;
        if x != y {
            different += 1;
            if differences.len() < keep {
                differences.push((pair.0.clone(), pair.1.clone(), x.clone(), y.clone()));
            }
        }
    }
    Ok(Report {
        files: files.len(),
        specifiers: pairs.len(),
        ours: ours_time,
        oxc: oxc_time,
        agreement,
        differences,
        different,
        tsconfig_failures,
    })
}

impl Report {
    pub fn print(&self, root: &Path) -> String {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let rel = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
        let mut out = format!(
            "{} sources, {} import/re-export specifiers\nalchemy-ls resolver: {:.1} ms\noxc_resolver:        {:.1} ms\n",
            self.files,
            self.specifiers,
            self.ours.as_secs_f64() * 1e3,
            self.oxc.as_secs_f64() * 1e3
        );
        out.push_str(&format!(
            "oxc_resolver failed on a tsconfig (retried without it): {}\n",
            self.tsconfig_failures
        ));
        out.push_str("alchemy-ls → oxc_resolver: count\n");
        for ((x, y), n) in &self.agreement {
            out.push_str(&format!("  {x} → {y}: {n}\n"));
        }
        out.push_str(&format!("{} differ", self.different));
        if !self.differences.is_empty() {
            out.push_str(", the first:\n");
        }
        for (f, s, x, y) in &self.differences {
            let show = |o: &Outcome| match o {
                Outcome::File(p) => rel(p),
                other => label(other).to_string(),
            };
            out.push_str(&format!(
                "  {}: \"{s}\": alchemy-ls {} / oxc {}\n",
                rel(f),
                show(x),
                show(y)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both resolve a relative import and a tsconfig path alias to the same file, and a
    /// missing file to nothing; a package in node_modules is external for both.
    #[test]
    fn both_resolvers_on_a_small_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "tsconfig.json",
            r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["src/lib/*"] } } }"#,
        );
        write("src/lib/a.ts", "export const a = 1;\n");
        write(
            "node_modules/pkg/package.json",
            r#"{ "name": "pkg", "types": "index.d.ts" }"#,
        );
        write("node_modules/pkg/index.d.ts", "export declare const p: number;\n");
        write(
            "src/main.ts",
            "import { a } from './lib/a';\nimport { a as b } from '@lib/a';\nimport { p } from 'pkg';\nimport { x } from './missing';\n",
        );
        let r = compare(root, 10).unwrap();
        assert_eq!(r.specifiers, 4);
        assert_eq!(r.different, 0, "{}", r.print(root));
        assert_eq!(r.agreement.get(&("file", "file")), Some(&2));
        assert_eq!(r.agreement.get(&("external", "external")), Some(&1));
        assert_eq!(r.agreement.get(&("not found", "not found")), Some(&1));
    }
}
