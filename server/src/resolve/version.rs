//! The installed or declared `alchemy` version (§5 `deprecated-api`, "Version").

use std::cmp::Ordering;
use std::fmt;
use std::path::Path;

use super::Resolver;
use super::jsonc::Json;

/// A `major.minor.patch[-beta.N]` version. Ordered like semver: a release is newer than its
/// betas, betas compare by `N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AlchemyVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    /// `Some(N)` for a `-beta.N` prerelease; `None` for a release.
    pub beta: Option<u32>,
}

impl AlchemyVersion {
    /// Parse `1.2.3`, `v2.0.0-beta.49`, `2.0.0-beta.49+build` (missing minor/patch count as 0).
    /// `None` for anything else, including any prerelease other than `beta.<number>`.
    pub fn parse(text: &str) -> Option<AlchemyVersion> {
        let text = text.trim().trim_start_matches(['v', '=']);
        let text = text.split('+').next().unwrap_or(text);
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        let mut parts = core.split('.');
        let mut number = |required: bool| -> Option<u32> {
            match parts.next() {
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
                Some(p) if !required && (p == "x" || p == "X" || p == "*") => Some(0),
                None if !required => Some(0),
                _ => None,
            }
        };
        let (major, minor, patch) = (number(true)?, number(false)?, number(false)?);
        if parts.next().is_some() {
            return None;
        }
        let beta = match pre {
            None => None,
            Some(pre) => {
                let n = pre.strip_prefix("beta.")?;
                if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Some(n.parse().ok()?)
            }
        };
        Some(AlchemyVersion {
            major,
            minor,
            patch,
            beta,
        })
    }

    /// `2.0.0-beta.<n>`, the form the Alchemy v2 betas take.
    pub fn v2_beta(n: u32) -> AlchemyVersion {
        AlchemyVersion {
            major: 2,
            minor: 0,
            patch: 0,
            beta: Some(n),
        }
    }
}

impl Ord for AlchemyVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.beta, other.beta) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(&b),
            })
    }
}

impl PartialOrd for AlchemyVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for AlchemyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if let Some(n) = self.beta {
            write!(f, "-beta.{n}")?;
        }
        Ok(())
    }
}

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
