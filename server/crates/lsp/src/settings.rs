//! Editor settings (section `alchemy-ls`): feature toggles and inlay hint kinds here; rule
//! severities, packages and ignore globs are merged into the [`alchemy_ls_project::config::Config`] by the
//! config module.

use serde_json::Value;

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
        if let Some(obj) = section.get("features") {
            match obj.as_object() {
                Some(map) => {
                    for (key, v) in map {
                        let Some(b) = v.as_bool() else {
                            problems.push(format!("features.{key} must be a boolean"));
                            continue;
                        };
                        match key.as_str() {
                            "definition" => features.definition = b,
                            "implementation" => features.implementation = b,
                            "hover" => features.hover = b,
                            "codeLens" => features.code_lens = b,
                            "completion" => features.completion = b,
                            "references" => features.references = b,
                            "codeAction" => features.code_action = b,
                            "documentSymbol" => features.document_symbol = b,
                            "workspaceSymbol" => features.workspace_symbol = b,
                            "rename" => features.rename = b,
                            "inlayHints" => features.inlay_hints = b,
                            other => problems.push(format!("unknown feature toggle features.{other}")),
                        }
                    }
                }
                None => problems.push("features must be an object".to_string()),
            }
        }
        let mut inlay_hints = InlayHintOptions::default();
        if let Some(obj) = section.get("inlayHints") {
            match obj.as_object() {
                Some(map) => {
                    for (key, v) in map {
                        let Some(b) = v.as_bool() else {
                            problems.push(format!("inlayHints.{key} must be a boolean"));
                            continue;
                        };
                        match key.as_str() {
                            "fromBinding" => inlay_hints.from_binding = b,
                            "hostedHere" => inlay_hints.hosted_here = b,
                            "stackWorkers" => inlay_hints.stack_workers = b,
                            other => problems.push(format!("unknown inlay hint inlayHints.{other}")),
                        }
                    }
                }
                None => problems.push("inlayHints must be an object".to_string()),
            }
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
                raw,
            },
            problems,
        )
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
