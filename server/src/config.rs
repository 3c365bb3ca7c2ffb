//! `alchemy-ls.toml` and editor settings: rule severities, ignore globs, package names.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// A rule's configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warning,
    Info,
    Off,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub rules: BTreeMap<String, RuleLevel>,
    /// Extra ignore globs (gitignore-style, relative to the config's directory / workspace root).
    pub ignore: Vec<String>,
    /// Package names recognised as Alchemy.
    pub packages: Vec<String>,
    /// The file this came from, if any.
    pub source: Option<PathBuf>,
}

pub const DEFAULT_PACKAGES: &[&str] = &["alchemy", "@oddlynew/alchemy"];

impl Default for Config {
    fn default() -> Self {
        Config {
            rules: BTreeMap::new(),
            ignore: Vec::new(),
            packages: DEFAULT_PACKAGES.iter().map(|s| s.to_string()).collect(),
            source: None,
        }
    }
}
