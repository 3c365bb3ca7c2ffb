//! The `alchemy` version a project installs or declares: `major.minor.patch[-beta.N]`.

use std::cmp::Ordering;
use std::fmt;

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
