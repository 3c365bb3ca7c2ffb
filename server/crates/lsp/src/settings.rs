//! Editor settings (section `alchemy-ls`): feature toggles and inlay hint kinds here; rule
//! severities, packages and ignore globs are merged into the [`alchemy_ls_project::config::Config`] by the
//! config module.

use serde_json::Value;

use super::fswatch::WatchMode;
use alchemy_ls_ide::InlayHintOptions;

/// Which features answer. All default to `true`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    pub definition: bool,
    pub implementation: bool,
    pub hover: bool,
    pub code_lens: bool,
    pub completion: bool,
    pub references: bool,
    pub code_action: bool,
    pub document_symbol: bool,
    pub workspace_symbol: bool,
    pub rename: bool,
    pub inlay_hints: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            definition: true,
            implementation: true,
            hover: true,
            code_lens: true,
            completion: true,
            references: true,
            code_action: true,
            document_symbol: true,
            workspace_symbol: true,
            rename: true,
            inlay_hints: true,
        }
    }
}

/// The `alchemy-ls` settings object as last received, and the features read from it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub features: Features,
    /// Which inlay hints to give (`inlayHints.fromBinding`, `.hostedHere`, `.stackWorkers`).
    pub inlay_hints: InlayHintOptions,
    /// Who watches files (`fileWatcher`: `"auto"`, `"server"`, `"client"`).
    pub file_watcher: WatchMode,
    /// The raw settings object (rules, packages, ignore, …), `Value::Null` if none.
    pub raw: Value,
}

impl Settings {
    /// Read settings from a value that is either the `alchemy-ls` section itself or an object
    /// holding it under `"alchemy-ls"` (`didChangeConfiguration` style). Unknown keys are
    /// ignored; wrongly typed toggles keep their default and are reported in the `Err` list.
    pub fn from_value(value: &Value) -> (Settings, Vec<String>) {
        let section = match value.get("alchemy-ls") {
            Some(inner) => inner,
            None => value,
        };
        let mut problems = Vec::new();
        let mut features = Features::default();
        bool_toggles(section, "features", "feature toggle", &mut problems, |key, b| {
            let slot = match key {
                "definition" => &mut features.definition,
                "implementation" => &mut features.implementation,
                "hover" => &mut features.hover,
                "codeLens" => &mut features.code_lens,
                "completion" => &mut features.completion,
                "references" => &mut features.references,
                "codeAction" => &mut features.code_action,
                "documentSymbol" => &mut features.document_symbol,
                "workspaceSymbol" => &mut features.workspace_symbol,
                "rename" => &mut features.rename,
                "inlayHints" => &mut features.inlay_hints,
                _ => return false,
            };
            *slot = b;
            true
        });
        let mut inlay_hints = InlayHintOptions::default();
        bool_toggles(section, "inlayHints", "inlay hint", &mut problems, |key, b| {
            let slot = match key {
                "fromBinding" => &mut inlay_hints.from_binding,
                "hostedHere" => &mut inlay_hints.hosted_here,
                "stackWorkers" => &mut inlay_hints.stack_workers,
                _ => return false,
            };
            *slot = b;
            true
        });
        let mut file_watcher = WatchMode::default();
        match section.get("fileWatcher") {
            None | Some(Value::Null) => {}
            Some(v) => match v.as_str().and_then(WatchMode::parse) {
                Some(m) => file_watcher = m,
                None => problems.push(format!(
                    "fileWatcher must be \"auto\", \"server\" or \"client\", not {v}"
                )),
            },
        }
        let raw = if section.is_object() {
            section.clone()
        } else {
            Value::Null
        };
        (
            Settings {
                features,
                inlay_hints,
                file_watcher,
                raw,
            },
            problems,
        )
    }
}

/// Read the object of booleans `section[name]` through `set` (false: an unknown key), reporting
/// non-booleans, unknown keys (as `what`) and a non-object in `problems`.
fn bool_toggles(
    section: &Value,
    name: &str,
    what: &str,
    problems: &mut Vec<String>,
    mut set: impl FnMut(&str, bool) -> bool,
) {
    let Some(obj) = section.get(name) else { return };
    let Some(map) = obj.as_object() else {
        problems.push(format!("{name} must be an object"));
        return;
    };
    for (key, v) in map {
        match v.as_bool() {
            None => problems.push(format!("{name}.{key} must be a boolean")),
            Some(b) => {
                if !set(key, b) {
                    problems.push(format!("unknown {what} {name}.{key}"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn features_default_true_and_toggle() {
        let (s, p) = Settings::from_value(&json!(null));
        assert_eq!(s.features, Features::default());
        assert!(p.is_empty());
        let (s, p) =
            Settings::from_value(&json!({"alchemy-ls": {"features": {"hover": false, "codeLens": false}}}));
        assert!(!s.features.hover && !s.features.code_lens && s.features.definition);
        assert!(p.is_empty());
        assert_eq!(s.raw, json!({"features": {"hover": false, "codeLens": false}}));
        let (s, p) = Settings::from_value(&json!({"features": {"hover": "no", "bogus": true}}));
        assert!(s.features.hover);
        assert_eq!(p.len(), 2);
        let (s, p) = Settings::from_value(&json!({"features": {"rename": false, "inlayHints": false}}));
        assert!(!s.features.rename && !s.features.inlay_hints && p.is_empty());
    }

    #[test]
    fn file_watcher_mode() {
        let (s, p) = Settings::from_value(&json!(null));
        assert_eq!((s.file_watcher, p.len()), (WatchMode::Auto, 0));
        let (s, p) = Settings::from_value(&json!({"alchemy-ls": {"fileWatcher": "server"}}));
        assert_eq!((s.file_watcher, p.len()), (WatchMode::Server, 0));
        let (s, p) = Settings::from_value(&json!({"fileWatcher": "polling"}));
        assert_eq!(s.file_watcher, WatchMode::Auto);
        assert_eq!(
            p,
            ["fileWatcher must be \"auto\", \"server\" or \"client\", not \"polling\""]
        );
    }

    #[test]
    fn inlay_hint_kinds() {
        let (s, p) = Settings::from_value(&json!(null));
        assert_eq!(s.inlay_hints, InlayHintOptions::default());
        assert!(s.inlay_hints.from_binding && !s.inlay_hints.hosted_here && s.inlay_hints.stack_workers);
        assert!(p.is_empty());
        let (s, p) = Settings::from_value(
            &json!({"inlayHints": {"hostedHere": true, "fromBinding": false, "stackWorker": true, "stackWorkers": 1}}),
        );
        assert!(s.inlay_hints.hosted_here && !s.inlay_hints.from_binding && s.inlay_hints.stack_workers);
        assert_eq!(
            p,
            [
                "unknown inlay hint inlayHints.stackWorker",
                "inlayHints.stackWorkers must be a boolean"
            ]
        );
    }
}
