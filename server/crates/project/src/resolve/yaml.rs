//! The YAML subset `pnpm-workspace.yaml` uses: block maps and sequences, plain, single- and
//! double-quoted scalars, flow sequences of scalars (`[a, "b"]`), comments. Scalars stay
//! strings. Anchors, multi-line scalars and flow maps other than `{}` are reported as errors.

use super::jsonc::Json;

struct Line<'a> {
    no: usize,
    indent: usize,
    text: &'a str,
}

/// Parse the subset into a [`Json`] value (maps keep their order).
pub fn parse(text: &str) -> Result<Json, String> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = if i == 0 {
            raw.strip_prefix('\u{feff}').unwrap_or(raw)
        } else {
            raw
        };
        let content = strip_comment(raw).trim_end();
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed == "---" || trimmed == "..." {
            continue;
        }
        if content.starts_with('\t') {
            return Err(format!("invalid YAML at line {}: tab indentation", i + 1));
        }
        lines.push(Line {
            no: i + 1,
            indent: content.len() - trimmed.len(),
            text: trimmed,
        });
    }
    if lines.is_empty() {
        return Ok(Json::Null);
    }
    let mut pos = 0;
    let indent = lines[0].indent;
    let value = block(&mut lines, &mut pos, indent, 0)?;
    if let Some(line) = lines.get(pos) {
        return Err(format!(
            "invalid YAML at line {}: unexpected indentation",
            line.no
        ));
    }
    Ok(value)
}

fn block(lines: &mut [Line], pos: &mut usize, indent: usize, depth: usize) -> Result<Json, String> {
    if depth > 64 {
        return Err("invalid YAML: nesting too deep".into());
    }
    let is_seq = lines[*pos].text == "-" || lines[*pos].text.starts_with("- ");
    if is_seq {
        let mut items = Vec::new();
        while let Some(line) = lines.get(*pos) {
            if line.indent != indent || !(line.text == "-" || line.text.starts_with("- ")) {
                break;
            }
            let rest = line.text[1..].trim_start();
            if rest.is_empty() {
                *pos += 1;
                items.push(nested(lines, pos, indent, false, depth)?);
            } else if split_key(rest).is_some() {
                // `- key: value` starts a map item: re-read the rest as a line of its own.
                let line = &mut lines[*pos];
                line.indent += line.text.len() - rest.len();
                line.text = rest;
                let inner = line.indent;
                items.push(block(lines, pos, inner, depth + 1)?);
            } else {
                items.push(scalar(rest, line.no)?);
                *pos += 1;
            }
        }
        return Ok(Json::Arr(items));
    }
    let mut entries = Vec::new();
    while let Some(line) = lines.get(*pos) {
        if line.indent != indent {
            break;
        }
        let Some((key, value)) = split_key(line.text) else {
            return Err(format!("invalid YAML at line {}: expected `key: value`", line.no));
        };
        let no = line.no;
        let key = match scalar(key, no)? {
            Json::Str(k) => k,
            _ => return Err(format!("invalid YAML at line {no}: unsupported key")),
        };
        *pos += 1;
        let value = if value.is_empty() {
            nested(lines, pos, indent, true, depth)?
        } else {
            scalar(value, no)?
        };
        entries.push((key, value));
    }
    Ok(Json::Obj(entries))
}

/// The value of an empty `key:` or `-`: a deeper block, a same-indent sequence after a key, or null.
fn nested(
    lines: &mut [Line],
    pos: &mut usize,
    indent: usize,
    after_key: bool,
    depth: usize,
) -> Result<Json, String> {
    match lines.get(*pos) {
        Some(next) if next.indent > indent => {
            let inner = next.indent;
            block(lines, pos, inner, depth + 1)
        }
        Some(next) if after_key && next.indent == indent && next.text.starts_with('-') => {
            block(lines, pos, indent, depth + 1)
        }
        _ => Ok(Json::Null),
    }
}

/// Split `key: value` at the first `:` followed by a space or the end, outside quotes.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') if i == 0 => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b':') if bytes.get(i + 1).is_none_or(|&n| n == b' ') => {
                return Some((text[..i].trim_end(), text[i + 1..].trim_start()));
            }
            (None, b'[' | b'{') if i == 0 => return None,
            _ => {}
        }
    }
    None
}

fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'#') if i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t' => return &line[..i],
            _ => {}
        }
    }
    line
}

fn scalar(text: &str, no: usize) -> Result<Json, String> {
    let text = text.trim();
    let err = |what: &str| format!("invalid YAML at line {no}: {what}");
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or_else(|| err("unterminated flow sequence"))?;
        let mut items = Vec::new();
        for part in split_flow(inner) {
            let part = part.trim();
            if !part.is_empty() {
                items.push(scalar(part, no)?);
            }
        }
        return Ok(Json::Arr(items));
    }
    if text == "{}" {
        return Ok(Json::Obj(Vec::new()));
    }
    if text.starts_with(['{', '&', '*', '|', '>', '!']) {
        return Err(err("unsupported YAML syntax"));
    }
    if let Some(inner) = text.strip_prefix('\'') {
        let inner = inner
            .strip_suffix('\'')
            .ok_or_else(|| err("unterminated quoted string"))?;
        return Ok(Json::Str(inner.replace("''", "'")));
    }
    if let Some(inner) = text.strip_prefix('"') {
        let inner = inner
            .strip_suffix('"')
            .ok_or_else(|| err("unterminated quoted string"))?;
        return Ok(Json::Str(inner.replace("\\\"", "\"").replace("\\\\", "\\")));
    }
    if text == "~" || text == "null" {
        return Ok(Json::Null);
    }
    Ok(Json::Str(text.to_string()))
}

fn split_flow(inner: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (i, b) in inner.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b',') => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
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

    #[test]
    fn errors() {
        assert!(parse("packages:\n  - a\n bad\n").is_err());
        assert!(parse("a: &x 1\n").is_err());
        assert!(parse("just text\n").is_err());
    }
}
