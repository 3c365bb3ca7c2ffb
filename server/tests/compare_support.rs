//! The language server's diagnostics against `alchemy-ls check --format json` on the same
//! file contents: both rendered as comparable lines
//! (`path line:col-line:col severity rule message [related…]`, 1-based, columns in Unicode
//! scalar values as in the CLI's JSON contract).
//!
//! `mod compare_support;` in the tests of this package that need it: it runs the package's
//! binary, so it is not part of `common`, which other crates' tests include too.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary under test: `ALCHEMY_LS_TEST_BIN` if set, else the one cargo built.
pub fn bin() -> Command {
    let path = std::env::var_os("ALCHEMY_LS_TEST_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_alchemy-ls").into());
    let mut cmd = Command::new(path);
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
    pub elapsed: Duration,
    /// Peak resident set of the child in KiB (`ru_maxrss` of the reaped child).
    pub max_rss_kib: u64,
}

/// Run `cmd` to its end with a deadline (a hang is a failure, not a stuck test run).
#[allow(
    clippy::zombie_processes,
    reason = "the child is reaped with wait4, which also gives its peak RSS"
)]
pub fn run(mut cmd: Command, limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run alchemy-ls");
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut s).unwrap();
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut s).unwrap();
        s
    });
    // Reap with wait4 to learn the child's own peak RSS.
    let (status, max_rss_kib) = loop {
        let mut status = 0;
        // SAFETY: plain syscalls on our own child; `usage` is a valid out-pointer.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break (status, usage.ru_maxrss as u64);
        }
        assert!(r == 0, "wait4 failed");
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("alchemy-ls did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let out = String::from_utf8_lossy(&out_t.join().unwrap()).into_owned();
    let err = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
    assert!(
        libc::WIFEXITED(status),
        "killed by a signal ({status})\nstderr:\n{err}"
    );
    Run {
        code: libc::WEXITSTATUS(status),
        out,
        err,
        elapsed,
        max_rss_kib,
    }
}

/// `check DIR --format json`; asserts exit code 0 or 1 (following the error count) and a
/// parseable report.
pub fn check_json(dir: &Path) -> (Run, Value) {
    let mut cmd = bin();
    cmd.arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .current_dir(dir);
    let run = run(cmd, Duration::from_secs(120));
    assert!(
        run.code == 0 || run.code == 1,
        "exit code {}\nstderr:\n{}",
        run.code,
        run.err
    );
    let v: Value = serde_json::from_str(&run.out)
        .unwrap_or_else(|e| panic!("JSON output does not parse: {e}\n{}", run.out));
    let errors = v["summary"]["errors"].as_u64().unwrap();
    assert_eq!(
        run.code,
        i32::from(errors > 0),
        "exit code follows the error count"
    );
    (run, v)
}

/// The CLI's diagnostics as comparable lines (paths relative to the checked directory).
pub fn cli_lines(v: &Value) -> BTreeSet<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let related: Vec<String> = d["related"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    format!(
                        " [{} {}:{} {}]",
                        r["path"].as_str().unwrap(),
                        r["line"],
                        r["column"],
                        r["message"].as_str().unwrap()
                    )
                })
                .collect();
            format!(
                "{} {}:{}-{}:{} {} {} {}{}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["endLine"],
                d["endColumn"],
                d["severity"].as_str().unwrap(),
                d["rule"].as_str().unwrap(),
                d["message"].as_str().unwrap(),
                related.concat()
            )
        })
        .collect()
}

/// The path of a `file://` URI (percent-decoded bytes).
pub fn uri_path(uri: &str) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    let rest = uri.strip_prefix("file://").unwrap_or(uri).as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        if rest[i] == b'%'
            && i + 2 < rest.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&rest[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(rest[i]);
        i += 1;
    }
    PathBuf::from(std::ffi::OsString::from_vec(out))
}

/// A protocol position (0-based, columns in `enc`) as the CLI's 1-based `line:column` in
/// Unicode scalar values, using the file's text.
pub fn to_cli_pos(text: &str, pos: &Value, enc: &str) -> String {
    let line = pos["line"].as_u64().unwrap() as usize;
    let col = pos["character"].as_u64().unwrap() as usize;
    let line_text = lsp_lines_of(text).get(line).copied().unwrap_or("");
    let mut units = 0usize;
    let mut chars = 0usize;
    for ch in line_text.chars() {
        if units >= col {
            break;
        }
        units += match enc {
            "utf-8" => ch.len_utf8(),
            "utf-32" => 1,
            _ => ch.len_utf16(),
        };
        chars += 1;
    }
    format!("{}:{}", line + 1, chars + 1)
}

/// Lines as the protocol counts them (LF, CRLF and lone CR break), without their breaks.
pub fn lsp_lines_of(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                out.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

/// Protocol diagnostics of the file at `uri` as comparable lines. `text_of` gives the text of
/// a file (by absolute path) for the position conversion; paths are shown relative to `root`.
pub fn lsp_lines(
    root: &Path,
    uri: &str,
    diags: &[Value],
    enc: &str,
    text_of: &dyn Fn(&Path) -> String,
) -> BTreeSet<String> {
    let rel = |p: &Path| -> String {
        match p.strip_prefix(root) {
            Ok(r) => r.to_string_lossy().replace('\\', "/"),
            Err(_) => p.display().to_string(),
        }
    };
    let path = uri_path(uri);
    let text = text_of(&path);
    diags
        .iter()
        .map(|d| {
            let related: Vec<String> = d["relatedInformation"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    let rp = uri_path(r["location"]["uri"].as_str().unwrap());
                    let rt = text_of(&rp);
                    format!(
                        " [{} {} {}]",
                        rel(&rp),
                        to_cli_pos(&rt, &r["location"]["range"]["start"], enc),
                        r["message"].as_str().unwrap()
                    )
                })
                .collect();
            let severity = match d["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                Some(3) => "info",
                _ => "hint",
            };
            format!(
                "{} {}-{} {} {} {}{}",
                rel(&path),
                to_cli_pos(&text, &d["range"]["start"], enc),
                to_cli_pos(&text, &d["range"]["end"], enc),
                severity,
                d["code"].as_str().unwrap_or_default(),
                d["message"].as_str().unwrap(),
                related.concat()
            )
        })
        .collect()
}
