//! Node built-in modules and runtime schemes that are always external.

/// Node's built-in module names (`node:` optional), as `module.builtinModules` lists them
/// (subpaths such as `fs/promises` are matched by their first segment). Sorted: looked up by
/// binary search (resolution asks for every bare specifier).
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// `node:*`, `bun:*` and `cloudflare:*` specifiers.
pub fn is_scheme_builtin(specifier: &str) -> bool {
    ["node:", "bun:", "cloudflare:"]
        .iter()
        .any(|s| specifier.starts_with(s))
}

/// A Node built-in package name (the first segment of a bare specifier).
pub fn is_node_builtin(name: &str) -> bool {
    NODE_BUILTINS.binary_search(&name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtins_are_sorted_for_the_binary_search() {
        assert!(NODE_BUILTINS.windows(2).all(|w| w[0] < w[1]));
        for name in NODE_BUILTINS {
            assert!(is_node_builtin(name), "{name}");
        }
        assert!(!is_node_builtin("alchemy") && !is_node_builtin("./fs"));
    }
}
