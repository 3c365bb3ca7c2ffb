//! `alchemy-ls.toml` and editor settings: rule severities, ignore globs, package names.
//!
//! ```toml
//! packages = ["@acme/alchemy"]       # extends the defaults `alchemy`, `@oddlynew/alchemy`
//! ignore = ["generated/**", "*.gen.ts"]  # gitignore-style, relative to this file's directory
//!
//! [rules]
//! deps-too-wide = "off"              # "error" | "warning" | "info" | "off"
//! ```
//!
//! An invalid file is an error ([`ConfigError`], with file, 1-based line and column, and the
//! reason); it is never silently ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

mod raw;

use raw::SValue;

/// The name of the configuration file.
pub const CONFIG_FILE_NAME: &str = "alchemy-ls.toml";

/// Every rule id, in the order of the rule reference.
pub fn rule_ids() -> impl Iterator<Item = &'static str> {
    crate::catalog::RULES.iter().map(|r| r.id)
}

/// A rule's configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warning,
    Info,
    Off,
}

impl RuleLevel {
    pub fn parse(s: &str) -> Option<RuleLevel> {
        match s {
            "error" => Some(RuleLevel::Error),
            "warning" => Some(RuleLevel::Warning),
            "info" => Some(RuleLevel::Info),
            "off" => Some(RuleLevel::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RuleLevel::Error => "error",
            RuleLevel::Warning => "warning",
            RuleLevel::Info => "info",
            RuleLevel::Off => "off",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Per-rule level overrides (only valid ids from [`rule_ids`]); rules not listed keep
    /// their default severity.
    pub rules: BTreeMap<String, RuleLevel>,
    /// Extra ignore globs (gitignore syntax, `!` negates), relative to the config file's
    /// directory, or to the workspace root when there is no config file.
    pub ignore: Vec<String>,
    /// Package names recognised as Alchemy. Always starts with [`DEFAULT_PACKAGES`]; the
    /// `packages` of a config file or of editor settings *extend* this list (no duplicates),
    /// they never replace the defaults.
    pub packages: Vec<String>,
    /// The deployed revision to compare with (`baseline = "origin/main"`; `"off"` disables the
    /// deploy-impact rules), when set.
    pub baseline: Option<String>,
    /// The file this came from, if any.
    pub source: Option<PathBuf>,
}

pub const DEFAULT_PACKAGES: &[&str] = &[
    "alchemy",
    "@oddlynew/alchemy",
    "alchemy-effect",
    "@alchemy.run/cloudflare",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            rules: BTreeMap::new(),
            ignore: Vec::new(),
            packages: DEFAULT_PACKAGES.iter().map(|s| s.to_string()).collect(),
            baseline: None,
            source: None,
        }
    }
}

impl Config {
    /// The configured level of `rule`, if overridden.
    pub fn rule_level(&self, rule: &str) -> Option<RuleLevel> {
        self.rules.get(rule).copied()
    }

    /// The directory `ignore` globs are relative to: the config file's directory, if any.
    pub fn base_dir(&self) -> Option<&Path> {
        self.source.as_deref().and_then(Path::parent)
    }

    /// Is `specifier` an Alchemy module (equal to a configured package or `<pkg>/…`)?
    pub fn is_alchemy_specifier(&self, specifier: &str) -> bool {
        is_package_specifier(&self.packages, specifier)
    }

    fn add_package(&mut self, pkg: &str) {
        if !self.packages.iter().any(|p| p == pkg) {
            self.packages.push(pkg.to_string());
        }
    }
}

/// An invalid configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters (Unicode scalar values).
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// Parse and validate the text of an `alchemy-ls.toml` found at `path`.
pub fn parse_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let err = |offset: usize, message: String| {
        let (line, column) = line_col(text, offset);
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let top = raw::parse(text).map_err(|e| {
        let message: Vec<&str> = e
            .message
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        err(e.span.map_or(0, |s| s.start), message.join("; "))
    })?;

    let mut config = Config {
        source: Some(path.to_path_buf()),
        ..Config::default()
    };
    for (key, value) in &top {
        match key.get_ref().as_str() {
            "rules" => {
                let SValue::Table(rules) = value.get_ref() else {
                    return Err(err(
                        value.span().start,
                        type_msg("`rules`", "a table", value.get_ref()),
                    ));
                };
                for (id, level) in rules {
                    check_rule_id(id.get_ref()).map_err(|m| err(id.span().start, m))?;
                    let SValue::Str(s) = level.get_ref() else {
                        return Err(err(
                            level.span().start,
                            type_msg(&format!("rule `{}`", id.get_ref()), "a string", level.get_ref()),
                        ));
                    };
                    let level_value = parse_level(s).map_err(|m| err(level.span().start, m))?;
                    config.rules.insert(id.get_ref().clone(), level_value);
                }
            }
            "ignore" | "packages" => {
                let name = key.get_ref().as_str();
                let SValue::Array(items) = value.get_ref() else {
                    return Err(err(
                        value.span().start,
                        type_msg(&format!("`{name}`"), "an array of strings", value.get_ref()),
                    ));
                };
                for item in items {
                    let SValue::Str(s) = item.get_ref() else {
                        return Err(err(
                            item.span().start,
                            type_msg(&format!("an entry of `{name}`"), "a string", item.get_ref()),
                        ));
                    };
                    if name == "ignore" {
                        check_glob(s).map_err(|m| err(item.span().start, m))?;
                        config.ignore.push(s.clone());
                    } else {
                        check_package(s).map_err(|m| err(item.span().start, m))?;
                        config.add_package(s);
                    }
                }
            }
            "baseline" => {
                let SValue::Str(s) = value.get_ref() else {
                    return Err(err(
                        value.span().start,
                        type_msg(
                            "`baseline`",
                            "a string (a git revision, or \"off\")",
                            value.get_ref(),
                        ),
                    ));
                };
                if s.trim().is_empty() {
                    return Err(err(
                        value.span().start,
                        "`baseline` must name a git revision (or \"off\")".to_string(),
                    ));
                }
                config.baseline = Some(s.clone());
            }
            other => {
                return Err(err(
                    key.span().start,
                    format!("unknown key `{other}` (expected `rules`, `ignore`, `packages` or `baseline`)"),
                ));
            }
        }
    }
    Ok(config)
}

/// `specifier` is one of `packages` or a subpath of one (`alchemy`, `alchemy/Cloudflare`; not
/// `alchemy-utils`).
pub fn is_package_specifier(packages: &[String], specifier: &str) -> bool {
    packages.iter().any(|p| {
        specifier == p
            || (specifier.len() > p.len()
                && specifier.starts_with(p.as_str())
                && specifier.as_bytes()[p.len()] == b'/')
    })
}

/// Merge editor settings (LSP `initializationOptions` / `workspace/configuration` section
/// `alchemy-ls`) over a file config:
/// `{ "rules": { "<id>": "error"|"warning"|"info"|"off" }, "packages": [..], "ignore": [..],
/// "baseline": "origin/main" }`.
///
/// Rule levels override the file's; `packages` and `ignore` extend the file's lists. `null`
/// (or a missing key) leaves a setting alone; other top-level keys are ignored (clients put
/// unrelated settings, e.g. `trace`, in the same section). Invalid entries are an `Err` whose
/// message names the offending setting.
pub fn apply_settings(base: &Config, settings: &serde_json::Value) -> Result<Config, String> {
    use serde_json::Value;
    let mut config = base.clone();
    let obj = match settings {
        Value::Null => return Ok(config),
        Value::Object(obj) => obj,
        other => {
            return Err(format!(
                "settings: expected an object, found {}",
                json_type(other)
            ));
        }
    };
    match obj.get("rules") {
        None | Some(Value::Null) => {}
        Some(Value::Object(rules)) => {
            for (id, level) in rules {
                check_rule_id(id).map_err(|m| format!("settings `rules`: {m}"))?;
                let Value::String(s) = level else {
                    return Err(format!(
                        "settings `rules.{id}`: expected a string, found {}",
                        json_type(level)
                    ));
                };
                let level = parse_level(s).map_err(|m| format!("settings `rules.{id}`: {m}"))?;
                config.rules.insert(id.clone(), level);
            }
        }
        Some(other) => {
            return Err(format!(
                "settings `rules`: expected an object, found {}",
                json_type(other)
            ));
        }
    }
    match obj.get("baseline") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if !s.trim().is_empty() => config.baseline = Some(s.trim().to_string()),
        Some(other) => {
            return Err(format!(
                "settings `baseline`: expected a git revision or \"off\", found {}",
                json_type(other)
            ));
        }
    }
    for name in ["ignore", "packages"] {
        match obj.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::String(s) = item else {
                        return Err(format!(
                            "settings `{name}`: expected an array of strings, found {}",
                            json_type(item)
                        ));
                    };
                    if name == "ignore" {
                        check_glob(s).map_err(|m| format!("settings `ignore`: {m}"))?;
                        if !config.ignore.contains(s) {
                            config.ignore.push(s.clone());
                        }
                    } else {
                        check_package(s).map_err(|m| format!("settings `packages`: {m}"))?;
                        config.add_package(s);
                    }
                }
            }
            Some(other) => {
                return Err(format!(
                    "settings `{name}`: expected an array of strings, found {}",
                    json_type(other)
                ));
            }
        }
    }
    Ok(config)
}

fn check_rule_id(id: &str) -> Result<(), String> {
    if rule_ids().any(|r| r == id) {
        return Ok(());
    }
    let best = rule_ids()
        .map(|r| (strsim::jaro_winkler(r, id), r))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.8);
    Err(match best {
        Some((_, r)) => format!("unknown rule `{id}` (did you mean `{r}`?)"),
        None => format!("unknown rule `{id}` (run `alchemy-ls rules` for the list)"),
    })
}

fn parse_level(s: &str) -> Result<RuleLevel, String> {
    RuleLevel::parse(s)
        .ok_or_else(|| format!("invalid level `{s}` (expected \"error\", \"warning\", \"info\" or \"off\")"))
}

fn check_glob(glob: &str) -> Result<(), String> {
    if glob.trim().is_empty() {
        return Err("empty ignore glob".into());
    }
    let mut builder = ignore::gitignore::GitignoreBuilder::new("/");
    builder
        .add_line(None, glob)
        .map(|_| ())
        .map_err(|e| format!("invalid ignore glob `{glob}`: {}", glob_error_reason(&e)))
}

fn glob_error_reason(e: &ignore::Error) -> String {
    match e {
        ignore::Error::Glob { err, .. } => {
            // globset's message: "error parsing glob '…': <reason>"
            err.rsplit(": ").next().unwrap_or(err).to_string()
        }
        other => other.to_string(),
    }
}

fn check_package(pkg: &str) -> Result<(), String> {
    if pkg.is_empty()
        || pkg.ends_with('/')
        || pkg.contains(['"', '\'', '\\'])
        || pkg.chars().any(char::is_whitespace)
    {
        return Err(format!("invalid package name `{pkg}`"));
    }
    Ok(())
}

fn type_msg(what: &str, expected: &str, found: &SValue) -> String {
    format!("{what} must be {expected}, found {}", found.type_name())
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// 1-based (line, column in chars) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u32, column as u32)
}
