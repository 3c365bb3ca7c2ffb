//! `package.json` `exports` and `imports` maps: subpath (and `*` pattern) matching, condition
//! walking, and the choice among the collected targets.

use std::path::{Path, PathBuf};

use super::jsonc::Json;
use super::relative::{is_declaration, is_ts_source, ts_for_js};
use super::{Resolution, Resolver, not_found};

/// Conditions whose targets are collected, each walked in the map's key order.
const CONDITIONS: &[&str] = &["bun", "worker", "import", "module", "node", "default", "types"];

const MAX_DEPTH: usize = 32;

/// The targets `exports` gives for `subpath` (`"."` or `"./x"`), `*` substituted, in order;
/// `None` if the subpath is not exported. `Some(empty)`: exported as `null` or under no
/// collected condition.
pub(super) fn lookup_exports(exports: &Json, subpath: &str) -> Option<Vec<String>> {
    match exports {
        Json::Obj(entries) if entries.iter().any(|(k, _)| k.starts_with('.')) => lookup_map(entries, subpath),
        _ if subpath == "." => Some(collect_all(exports, None)),
        _ => None,
    }
}

/// The targets `imports` gives for a `#…` specifier.
pub(super) fn lookup_imports(imports: &Json, specifier: &str) -> Option<Vec<String>> {
    lookup_map(imports.as_object()?, specifier)
}

fn lookup_map(entries: &[(String, Json)], key: &str) -> Option<Vec<String>> {
    if let Some((_, target)) = entries.iter().rev().find(|(k, _)| k == key) {
        return Some(collect_all(target, None));
    }
    let mut best: Option<(&str, &Json, &str)> = None;
    for (pattern, target) in entries {
        let Some((prefix, suffix)) = pattern.split_once('*') else {
            continue;
        };
        if suffix.contains('*') || key.len() < prefix.len() + suffix.len() {
            continue;
        }
        if !(key.starts_with(prefix) && key.ends_with(suffix)) {
            continue;
        }
        let better = best.is_none_or(|(p, _, _)| {
            let best_prefix = p.split_once('*').map_or(0, |(bp, _)| bp.len());
            prefix.len() > best_prefix || (prefix.len() == best_prefix && pattern.len() > p.len())
        });
        if better {
            best = Some((pattern, target, &key[prefix.len()..key.len() - suffix.len()]));
        }
    }
    let (_, target, star) = best?;
    Some(collect_all(target, Some(star)))
}

fn collect_all(target: &Json, star: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    collect(target, star, &mut out, 0);
    out
}

fn collect(target: &Json, star: Option<&str>, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match target {
        Json::Str(s) => {
            let s = match star {
                Some(star) => s.replace('*', star),
                None => s.clone(),
            };
            if !out.contains(&s) {
                out.push(s);
            }
        }
        Json::Arr(items) => items.iter().for_each(|t| collect(t, star, out, depth + 1)),
        Json::Obj(entries) => {
            for (condition, t) in entries {
                if CONDITIONS.contains(&condition.as_str()) {
                    collect(t, star, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Among relative targets (`./…`) of the package in `pkg_dir`: the first existing TypeScript
/// source, else the first existing declaration file, else a `.js` target's sibling source, else
/// its sibling declaration. Canonical.
pub(super) fn pick_target(resolver: &Resolver, pkg_dir: &Path, targets: &[String]) -> Option<PathBuf> {
    let exists = |p: &Path| resolver.file_exists(p);
    let paths: Vec<PathBuf> = targets
        .iter()
        .filter(|t| t.starts_with("./"))
        .map(|t| pkg_dir.join(t))
        .collect();
    let found = paths
        .iter()
        .find(|p| is_ts_source(p) && !is_declaration(p) && exists(p))
        .or_else(|| paths.iter().find(|p| is_declaration(p) && exists(p)))
        .cloned()
        .or_else(|| {
            paths
                .iter()
                .flat_map(|p| ts_for_js(p))
                .find(|s| !is_declaration(s) && exists(s))
        })
        .or_else(|| {
            paths
                .iter()
                .flat_map(|p| ts_for_js(p))
                .find(|s| is_declaration(s) && exists(s))
        })?;
    Some(resolver.canonical_file(&found))
}

impl Resolver {
    /// A `#…` specifier through the nearest package.json's `imports`.
    pub(super) fn resolve_imports(&self, from: &Path, specifier: &str) -> Resolution {
        let dir = from.parent().unwrap_or(from);
        let Some((pkg_dir, pkg)) = dir
            .ancestors()
            .find_map(|d| self.cache.package_json(d).map(|p| (d, p)))
        else {
            return not_found("no package.json with \"imports\" above the importing file");
        };
        let Some(imports) = pkg.get("imports") else {
            return not_found("the nearest package.json has no \"imports\"");
        };
        let Some(targets) = lookup_imports(imports, specifier) else {
            return not_found(format!(
                "package.json \"imports\" has no entry for \"{specifier}\""
            ));
        };
        if let Some(path) = pick_target(self, pkg_dir, &targets) {
            return Resolution::File(path);
        }
        let bare = targets
            .iter()
            .find(|t| !t.starts_with('.') && !t.starts_with('#') && !t.starts_with('/'));
        if let Some(bare) = bare {
            return self.resolve_bare(from, bare);
        }
        not_found(format!(
            "package.json \"imports\" entry \"{specifier}\" has no TypeScript file: {}",
            targets.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::jsonc::parse;

    #[test]
    fn conditions_in_key_order_and_patterns() {
        let exports = parse(
            r#"{ ".": { "types": "./dist/index.d.ts", "require": "./x.cjs", "bun": "./src/index.ts" },
                 "./Client": "./src/Client.ts",
                 "./*": { "import": "./src/*.ts" },
                 "./internal/*": null,
                 "./internal/*.js": "./src/internal/*.ts" }"#,
        )
        .unwrap();
        assert_eq!(
            lookup_exports(&exports, ".").unwrap(),
            ["./dist/index.d.ts", "./src/index.ts"]
        );
        assert_eq!(lookup_exports(&exports, "./Client").unwrap(), ["./src/Client.ts"]);
        assert_eq!(lookup_exports(&exports, "./a/b").unwrap(), ["./src/a/b.ts"]);
        assert_eq!(
            lookup_exports(&exports, "./internal/x").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            lookup_exports(&exports, "./internal/x.js").unwrap(),
            ["./src/internal/x.ts"]
        );
        let sugar = parse(r#"{ "import": "./a.ts" }"#).unwrap();
        assert_eq!(lookup_exports(&sugar, ".").unwrap(), ["./a.ts"]);
        assert!(lookup_exports(&sugar, "./b").is_none());
    }
}
