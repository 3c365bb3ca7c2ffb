//! The byte prefilter: cheap tests on a file's raw bytes that decide whether it reaches
//! tree-sitter.
//!
//! A file is *directly relevant* if one of its static module specifiers (see
//! [`scan_specifiers`]) is a configured package or a subpath of one (`"alchemy"`,
//! `'alchemy/Cloudflare'`, `"@oddlynew/alchemy/…`); a memchr search for the quoted package
//! name runs first, so most files are dismissed without the scan (an over-approximation:
//! an import written in a comment counts too). Other files are scanned for their static module specifiers
//! ([`scan_specifiers`]) so that importers of relevant files can be found without parsing.

use memchr::memmem;

pub struct Prefilter {
    packages: Vec<String>,
    finders: Vec<memmem::Finder<'static>>,
}

impl Prefilter {
    pub fn new(packages: &[String]) -> Prefilter {
        let mut pkgs: Vec<&str> = packages
            .iter()
            .map(String::as_str)
            .filter(|p| !p.is_empty())
            .collect();
        pkgs.sort_unstable();
        pkgs.dedup();
        Prefilter {
            packages: pkgs.iter().map(|p| p.to_string()).collect(),
            finders: pkgs
                .iter()
                .map(|p| memmem::Finder::new(p.as_bytes()).into_owned())
                .collect(),
        }
    }

    /// What the verdicts depend on (the configured packages), as a hash: a table of
    /// verdicts recorded under another key is not used ([`super::scan_cache`]).
    pub fn key(&self) -> u64 {
        let mut bytes = Vec::new();
        for p in &self.packages {
            bytes.extend_from_slice(p.as_bytes());
            bytes.push(0);
        }
        xxhash_rust::xxh3::xxh3_64(&bytes)
    }

    /// Does `bytes` import or re-export a configured package (`from "alchemy/…"`,
    /// `import "alchemy"`)? A quoted mention elsewhere (`const tool = "alchemy"`) is not
    /// enough: such a file cannot hold resources, and taking it as relevant would make its
    /// importers relevant too.
    pub fn is_relevant(&self, bytes: &[u8]) -> bool {
        self.mentions(bytes)
            && scan_specifiers(bytes)
                .iter()
                .any(|s| crate::config::is_package_specifier(&self.packages, s))
    }

    /// The cheap first test: a configured package right after a quote and followed by a
    /// quote or `/`, anywhere (comments and other strings count).
    fn mentions(&self, bytes: &[u8]) -> bool {
        self.finders.iter().any(|f| {
            let n = f.needle().len();
            f.find_iter(bytes).any(|at| {
                let before = at.checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(at + n).copied();
                matches!(before, Some(b'"' | b'\'')) && matches!(after, Some(b'"' | b'\'' | b'/'))
            })
        })
    }
}

/// The static module specifiers of a file, found without parsing: the string after `from`
/// (`import … from "x"`, `export … from "x"`) and after a bare `import` (`import "x"`).
/// Comments and strings are not skipped (false positives only cost a resolution); dynamic
/// `import("x")` and `require` are ignored, as in the analysis. Deduplicated, in order.
pub fn scan_specifiers(bytes: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for keyword in [&b"from"[..], &b"import"[..]] {
        for at in memmem::find_iter(bytes, keyword) {
            if at > 0 && is_ident_byte(bytes[at - 1]) {
                continue;
            }
            let mut i = at + keyword.len();
            if bytes.get(i).is_some_and(|&b| is_ident_byte(b)) {
                continue;
            }
            while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
                i += 1;
            }
            let Some(&quote @ (b'"' | b'\'')) = bytes.get(i) else {
                continue;
            };
            let start = i + 1;
            let Some(len) = bytes[start..]
                .iter()
                .take(1024)
                .position(|&b| b == quote || b == b'\n')
            else {
                continue;
            };
            if bytes[start + len] != quote || len == 0 {
                continue;
            }
            if let Ok(s) = std::str::from_utf8(&bytes[start..start + len])
                && !out.iter().any(|o| o == s)
            {
                out.push(s.to_string());
            }
        }
    }
    out
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevance() {
        let p = Prefilter::new(&["alchemy".into(), "@oddlynew/alchemy".into()]);
        assert!(p.is_relevant(br#"import * as C from "alchemy/Cloudflare";"#));
        assert!(p.is_relevant(b"import { Stack } from 'alchemy';"));
        assert!(p.is_relevant(br#"export * from "@oddlynew/alchemy/Cloudflare";"#));
        assert!(!p.is_relevant(br#"import x from "alchemy-utils";"#));
        assert!(!p.is_relevant(b"// alchemy is great"));
        assert!(!p.is_relevant(b""));
        assert!(!p.is_relevant(b"\"alchemy"));
        // quoted, but not a module specifier
        assert!(!p.is_relevant(br#"export const DEPLOY_TOOL = "alchemy";"#));
        assert!(!p.is_relevant(br#"const docs = { tool: 'alchemy/Cloudflare' };"#));
        assert!(p.is_relevant(br#"import type { Worker } from "alchemy/Cloudflare";"#));
        assert!(p.is_relevant(b"import 'alchemy';"));
    }

    #[test]
    fn specifiers() {
        let text = br#"
import * as E from "effect/Effect";
import type { A } from './a.ts';
import "./side-effect";
export * from
  "./star";
export { x } from './x';
const from = 1; // not from here
const s = import("./dynamic");
import y = require("./req");
const informant = "./no";
"#;
        assert_eq!(
            scan_specifiers(text),
            vec!["effect/Effect", "./a.ts", "./star", "./x", "./side-effect"]
        );
        assert!(scan_specifiers(b"from \"unterminated\nimport '").is_empty());
    }
}
