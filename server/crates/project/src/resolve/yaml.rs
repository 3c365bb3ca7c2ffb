//! YAML files the resolver reads (`pnpm-workspace.yaml`), parsed by `yaml-rust2` (the whole
//! syntax: block and flow collections, quoted and block scalars, anchors and aliases) into
//! the same [`Json`] value as JSON files. Numbers stay strings (`1.0` is a version there, not
//! a float); only the first document counts.

use super::jsonc::Json;
use yaml_rust2::{Yaml, YamlLoader};

/// Parse `text` into a [`Json`] value (maps keep their order).
pub fn parse(text: &str) -> Result<Json, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
    Ok(docs.into_iter().next().map_or(Json::Null, convert))
}

fn scalar_key(y: &Yaml) -> String {
    match y {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Null => "null".to_string(),
        _ => String::new(),
    }
}

fn convert(y: Yaml) -> Json {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Json::Str(s),
        Yaml::Integer(i) => Json::Str(i.to_string()),
        Yaml::Boolean(b) => Json::Bool(b),
        Yaml::Array(items) => Json::Arr(items.into_iter().map(convert).collect()),
        Yaml::Hash(map) => Json::Obj(
            map.into_iter()
                .map(|(k, v)| (scalar_key(&k), convert(v)))
                .collect(),
        ),
        Yaml::Null | Yaml::Alias(_) | Yaml::BadValue => Json::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnpm_workspace_shapes() {
        let text = "# ws\npackages:\n  - 'apps/*'   # apps\n  - \"packages/*\"\n  - '!**/test/**'\n\
                    catalog:\n  alchemy: ^2.0.0-beta.49\n  '@scope/x': 1.0.0\ncatalogs:\n  next:\n    alchemy: 2.0.0-beta.79\n\
                    onlyBuiltDependencies: [esbuild, 'workerd']\nlist:\n- a\n- k: v\n  j: w\n";
        let v = parse(text).unwrap();
        let pk: Vec<_> = v
            .get("packages")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j.as_str().unwrap())
            .collect();
        assert_eq!(pk, ["apps/*", "packages/*", "!**/test/**"]);
        assert_eq!(v.get("catalog").unwrap().str_of("@scope/x"), Some("1.0.0"));
        assert_eq!(
            v.get("catalogs").unwrap().get("next").unwrap().str_of("alchemy"),
            Some("2.0.0-beta.79")
        );
        assert_eq!(
            v.get("onlyBuiltDependencies").unwrap().as_array().unwrap().len(),
            2
        );
        let list = v.get("list").unwrap().as_array().unwrap();
        assert_eq!(list[1].str_of("j"), Some("w"));
    }

    /// Forms the hand-written subset dropped (every workspace package with it).
    #[test]
    fn flow_maps_block_scalars_and_anchors() {
        let v = parse(
            "packages: [apps/*, 'packages/*']\ncatalog: { alchemy: ^2.0.0-beta.79, effect: 4.0.0-rc.117 }\n\
             base: &b\n  alchemy: 2.0\ncatalogs:\n  copy: *b\nnote: |\n  two\n  lines\n",
        )
        .unwrap();
        assert_eq!(v.get("packages").unwrap().as_array().unwrap().len(), 2);
        assert_eq!(
            v.get("catalog").unwrap().str_of("alchemy"),
            Some("^2.0.0-beta.79")
        );
        // a number stays the version it is
        assert_eq!(
            v.get("catalogs").unwrap().get("copy").unwrap().str_of("alchemy"),
            Some("2.0")
        );
        assert_eq!(v.get("note").unwrap().as_str(), Some("two\nlines\n"));
    }

    #[test]
    fn errors() {
        assert!(parse("packages:\n  - a\n bad: [\n").is_err());
        assert!(parse("a: *undefined\n").is_err());
        // a document that is no map holds no packages
        assert_eq!(parse("just text\n").unwrap().get("packages"), None);
        assert_eq!(parse("").unwrap(), Json::Null);
    }
}
