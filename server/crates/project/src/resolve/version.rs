//! Finding the installed or declared `alchemy` version of a file (the version type is
//! `alchemy_ls_core::version::AlchemyVersion`).

use std::path::Path;

use super::Resolver;
use super::jsonc::Json;
pub use alchemy_ls_core::version::AlchemyVersion;

/// The lower bound of a semver range (`^2.0.0-beta.49`, `>=2.0.0 <3`, `~2.0.0 || ^3`), as text.
/// `None` for ranges without one (`*`, `<3`, `latest`) and non-registry specs.
fn range_lower_bound(spec: &str) -> Option<&str> {
    let first = spec.split("||").next()?.trim();
    let first = first.split_whitespace().collect::<Vec<_>>();
    // `>= 2.0.0` may separate the operator from the version.
    let comparator = match first.as_slice() {
        [op, version, ..] if op.chars().all(|c| "<>=^~".contains(c)) => (*op, *version),
        [one, ..] => {
            let split = one.find(|c: char| !"<>=^~".contains(c)).unwrap_or(one.len());
            (&one[..split], &one[split..])
        }
        [] => return None,
    };
    match comparator {
        ("" | "=" | "^" | "~" | ">=", version) if !version.is_empty() => Some(version),
        _ => None,
    }
}

/// Every dependency section a package.json may declare `alchemy` in.
fn dependency_spec<'a>(pkg: &'a Json, name: &str) -> Option<&'a str> {
    [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ]
    .iter()
    .find_map(|section| pkg.get(section)?.str_of(name))
}

impl Resolver {
    pub(super) fn alchemy_version_for(&self, dir: &Path) -> Option<AlchemyVersion> {
        for d in dir.ancestors() {
            if let Some(pkg) = self.cache.read(&d.join("node_modules/alchemy/package.json")) {
                return AlchemyVersion::parse(pkg.str_of("version")?);
            }
        }
        for d in dir.ancestors() {
            if let Some(pkg) = self.cache.package_json(d)
                && let Some(spec) = dependency_spec(&pkg, "alchemy")
            {
                return self.version_of_spec(d, "alchemy", spec, 0);
            }
        }
        None
    }

    /// The version a dependency spec in `dir`'s package.json stands for.
    fn version_of_spec(&self, dir: &Path, name: &str, spec: &str, depth: u32) -> Option<AlchemyVersion> {
        let spec = spec.trim();
        if let Some(rest) = spec.strip_prefix("workspace:") {
            let ws = self.workspace_for(dir)?;
            let pkg_dir = ws.packages.get(name)?;
            let version = self
                .cache
                .package_json(pkg_dir)?
                .str_of("version")
                .map(String::from);
            return match version {
                Some(v) => AlchemyVersion::parse(&v),
                // `workspace:1.2.3` still names a version when the package has none.
                None => AlchemyVersion::parse(range_lower_bound(rest)?),
            };
        }
        if let Some(catalog) = spec.strip_prefix("catalog:") {
            if depth > 0 {
                return None;
            }
            let ws = self.workspace_for(dir)?;
            let catalog = catalog.trim();
            let entries = if catalog.is_empty() || catalog == "default" {
                Some(&ws.catalog)
                    .filter(|c| c.contains_key(name))
                    .or_else(|| ws.catalogs.get("default"))
            } else {
                ws.catalogs.get(catalog)
            };
            let resolved = entries?.get(name)?;
            return self.version_of_spec(dir, name, resolved, depth + 1);
        }
        if let Some(alias) = spec.strip_prefix("npm:") {
            let (_, range) = alias.rsplit_once('@')?;
            return AlchemyVersion::parse(range_lower_bound(range)?);
        }
        if spec.contains(':') || spec.contains('/') {
            return None; // file:, link:, git, URLs, GitHub shorthands
        }
        AlchemyVersion::parse(range_lower_bound(spec)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_order() {
        assert_eq!(
            AlchemyVersion::parse("2.0.0-beta.49"),
            Some(AlchemyVersion::v2_beta(49))
        );
        assert_eq!(AlchemyVersion::parse("2.0.0-beta.cli-platform-split"), None);
        assert_eq!(AlchemyVersion::parse("2.0.0-rc.1"), None);
        assert!(AlchemyVersion::v2_beta(58) < AlchemyVersion::v2_beta(59));
        assert!(AlchemyVersion::v2_beta(79) < AlchemyVersion::parse("2.0.0").unwrap());
        assert_eq!(AlchemyVersion::v2_beta(9).to_string(), "2.0.0-beta.9");
    }

    #[test]
    fn lower_bounds() {
        assert_eq!(range_lower_bound("^2.0.0-beta.49"), Some("2.0.0-beta.49"));
        assert_eq!(range_lower_bound(">= 2.0.0-beta.58 <3"), Some("2.0.0-beta.58"));
        assert_eq!(range_lower_bound("~2.0.0 || ^3"), Some("2.0.0"));
        assert_eq!(range_lower_bound("<3"), None);
        assert_eq!(range_lower_bound("*"), Some("*"));
        assert_eq!(AlchemyVersion::parse("*"), None);
        assert_eq!(range_lower_bound("latest"), Some("latest"));
        assert_eq!(AlchemyVersion::parse("latest"), None);
    }
}
