//! The server's own file watcher, for clients that do not watch files for it (Neovim on Linux,
//! editors without `workspace/didChangeWatchedFiles`): without it a file that is not open
//! changing on disk (a `git checkout`, a formatter, another editor) would leave the open files
//! that depend on it with stale diagnostics.
//!
//! The `fileWatcher` setting picks who watches: `"auto"` (default) the client when it declares
//! dynamic registration of watched files, else the server; `"server"` always the server;
//! `"client"` never the server. The server watches, with inotify (the `notify` crate), each
//! directory discovery would descend into (the same `.gitignore` rules; never `node_modules`,
//! `dist`, … nor symlinks), plus git's `HEAD`, `packed-refs` and `refs/**` (they move the
//! baseline). Events are reduced to what the client's watchers would have reported (the
//! [`super::server::WATCHED_GLOBS`] files, and directories appearing or going) and queued like
//! a `didChangeWatchedFiles` notification. No timer and no polling: an idle server uses no CPU.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ignore::WalkBuilder;
use notify::event::{EventKind, ModifyKind, RemoveKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::state::{State, lock};
use alchemy_ls_project::workspace::discover::{is_walked_dir, walk_builder};

/// Who watches files (the `fileWatcher` setting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WatchMode {
    /// The client if it can, else the server.
    #[default]
    Auto,
    Server,
    Client,
}

impl WatchMode {
    pub fn parse(s: &str) -> Option<WatchMode> {
        match s {
            "auto" => Some(WatchMode::Auto),
            "server" => Some(WatchMode::Server),
            "client" => Some(WatchMode::Client),
            _ => None,
        }
    }

    /// Does the server watch, given whether the client watches on request?
    pub fn server_watches(self, client_can: bool) -> bool {
        match self {
            WatchMode::Auto => !client_can,
            WatchMode::Server => true,
            WatchMode::Client => false,
        }
    }
}

/// A running watcher: dropping it stops the watching and ends its event task.
pub struct FsWatch {
    pub roots: Vec<PathBuf>,
    watcher: RecommendedWatcher,
    dirs: HashSet<PathBuf>,
    /// The inotify watch limit was reached (said once).
    full: bool,
}

/// What an event asks of the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// A watched file changed, appeared or went (as `didChangeWatchedFiles` reports it).
    Path(PathBuf),
    /// A directory appeared: watch it, and report what it already holds.
    NewDir(PathBuf),
    /// git's refs moved.
    Baseline,
    /// Events were lost (queue overflow): everything is read again.
    Rescan,
}

/// The directories to watch under `root` (a canonical directory), `root` first, as discovery
/// would descend; git's directories of refs are added when `root` holds a `.git` directory.
fn watch_dirs(root: &Path, limit: usize) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in walk_builder(root, false).build().flatten() {
        if entry.file_type().is_some_and(|t| t.is_dir()) {
            out.push(entry.into_path());
            if out.len() >= limit {
                return out;
            }
        }
    }
    let git = root.join(".git");
    if git.is_dir() {
        out.push(git.clone());
        let refs = WalkBuilder::new(git.join("refs"))
            .standard_filters(false)
            .follow_links(false)
            .build();
        for entry in refs.flatten() {
            if entry.file_type().is_some_and(|t| t.is_dir()) {
                out.push(entry.into_path());
            }
        }
    }
    out
}

/// How many directories one server watches at most: a quarter of the user's inotify watches
/// (other programs need theirs), within [1,024, 65,536].
fn watch_limit() -> usize {
    std::fs::read_to_string("/proc/sys/fs/inotify/max_user_watches")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .map_or(8_192, |n| (n / 4).clamp(1_024, 65_536))
}

impl FsWatch {
    /// Start watching `roots`; events go to `tx`. Returns the watcher and a line to log.
    fn start(
        roots: Vec<PathBuf>,
        tx: mpsc::UnboundedSender<notify::Result<Event>>,
    ) -> Result<(FsWatch, String), String> {
        let watcher = notify::recommended_watcher(move |ev| {
            let _ = tx.send(ev);
        })
        .map_err(|e| format!("alchemy-ls cannot watch files: {e}"))?;
        let mut w = FsWatch {
            roots: roots.clone(),
            watcher,
            dirs: HashSet::new(),
            full: false,
        };
        let mut problems = Vec::new();
        for root in &roots {
            problems.extend(w.add_tree(root));
        }
        let mut line = format!(
            "alchemy-ls watches {} director{} for changes on disk (the client does not watch files for it)",
            w.dirs.len(),
            if w.dirs.len() == 1 { "y" } else { "ies" }
        );
        for p in problems {
            line.push_str("; ");
            line.push_str(&p);
        }
        Ok((w, line))
    }

    /// Stop watching `dir` and the directories under it (gone from disk).
    fn forget_tree(&mut self, dir: &Path) {
        let gone: Vec<PathBuf> = self.dirs.iter().filter(|d| d.starts_with(dir)).cloned().collect();
        for d in gone {
            // the kernel drops the watch of a deleted directory itself; a renamed one keeps it
            let _ = self.watcher.unwatch(&d);
            self.dirs.remove(&d);
        }
    }

    /// Watch `dir` and the directories under it; returns problems to log.
    fn add_tree(&mut self, dir: &Path) -> Option<String> {
        let limit = watch_limit();
        if self.full {
            return None;
        }
        for d in watch_dirs(dir, limit.saturating_sub(self.dirs.len()).max(1)) {
            if self.dirs.contains(&d) {
                continue;
            }
            if self.dirs.len() >= limit {
                self.full = true;
                return Some(format!(
                    "stopped at {limit} directories: changes under the others are seen when their files are opened"
                ));
            }
            match self.watcher.watch(&d, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    self.dirs.insert(d);
                }
                Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
                    self.full = true;
                    return Some(format!(
                        "the inotify watch limit is reached (fs.inotify.max_user_watches) after {} directories: changes under the others are seen when their files are opened",
                        self.dirs.len()
                    ));
                }
                // gone since the walk, or unreadable: nothing to watch there
                Err(_) => {}
            }
        }
        None
    }
}

/// Is this a file the client's watchers would report ([`super::server::WATCHED_GLOBS`])?
fn watched_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    [".ts", ".tsx", ".mts", ".cts"].iter().any(|e| name.ends_with(e))
        || (name.starts_with("tsconfig") && name.ends_with(".json"))
        || matches!(
            name,
            "package.json"
                | "jsconfig.json"
                | "pnpm-workspace.yaml"
                | "alchemy-ls.toml"
                | ".gitignore"
                | ".ignore"
        )
}

/// Is `path` git's HEAD, packed-refs or a ref (`<root>/.git/…`)?
fn git_ref(path: &Path) -> Option<bool> {
    let comps: Vec<_> = path.components().map(|c| c.as_os_str()).collect();
    let at = comps.iter().position(|c| *c == ".git")?;
    let rest = &comps[at + 1..];
    Some(match rest {
        [one] => *one == "HEAD" || *one == "packed-refs",
        [first, ..] => *first == "refs",
        [] => false,
    })
}

/// What one watcher event asks for. `is_dir` tells whether a path is a directory now.
pub fn classify(event: &Event, is_dir: impl Fn(&Path) -> bool) -> Vec<Action> {
    if event.need_rescan() {
        return vec![Action::Rescan];
    }
    match event.kind {
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) | EventKind::Other => {
            return Vec::new();
        }
        _ => {}
    }
    let mut out = Vec::new();
    for path in &event.paths {
        match git_ref(path) {
            Some(true) => out.push(Action::Baseline),
            Some(false) => {}
            None if matches!(
                event.kind,
                EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))
            ) && is_dir(path) =>
            {
                out.push(Action::NewDir(path.clone()));
            }
            None if watched_name(path) || gone_dir(event.kind, path) => out.push(Action::Path(path.clone())),
            None => {}
        }
    }
    out
}

/// Did a directory (maybe) go? A removal says so; a rename does not, so a name without an
/// extension counts (the index forgets the files it knew under it, if any).
fn gone_dir(kind: EventKind, path: &Path) -> bool {
    match kind {
        EventKind::Remove(RemoveKind::Folder) => true,
        EventKind::Modify(ModifyKind::Name(_)) => path.extension().is_none(),
        _ => false,
    }
}

/// The files a new directory holds that the client's watchers would report.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    walk_builder(dir, false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()) && watched_name(e.path()))
        .map(ignore::DirEntry::into_path)
        .collect()
}

/// Start, stop or restart the server's watcher for the current mode, client and roots.
pub fn reconcile(state: &Arc<State>, log: impl Fn(String) + Send + 'static) {
    let mode = state.settings().file_watcher;
    let roots = state.paths().canonical_roots();
    let wanted = mode.server_watches(state.caps().watched_files_dynamic) && !roots.is_empty();
    let mut slot = lock(&state.fswatch);
    match (&*slot, wanted) {
        (Some(w), true) if w.roots == roots => return,
        (None, false) => return,
        _ => {}
    }
    // Stop the current one (its event task ends when its channel closes).
    *slot = None;
    if !wanted {
        return;
    }
    let generation = {
        let mut g = lock(&state.fswatch_generation);
        *g += 1;
        *g
    };
    drop(slot);
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let (tx, rx) = mpsc::unbounded_channel();
        match FsWatch::start(roots, tx) {
            Ok((w, line)) => {
                let mut slot = lock(&state.fswatch);
                if *lock(&state.fswatch_generation) != generation {
                    return; // superseded while walking
                }
                *slot = Some(w);
                drop(slot);
                log(line);
                tokio::runtime::Handle::current().spawn(events(state, rx));
            }
            Err(e) => log(e),
        }
    });
}

/// Apply the watcher's events, a burst at a time.
async fn events(state: Arc<State>, mut rx: mpsc::UnboundedReceiver<notify::Result<Event>>) {
    while let Some(first) = rx.recv().await {
        // Let a burst (a checkout, a formatter over many files) arrive, then take it whole.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut batch = vec![first];
        while let Ok(ev) = rx.try_recv() {
            batch.push(ev);
        }
        let state = state.clone();
        let _ = tokio::task::spawn_blocking(move || apply(&state, batch)).await;
    }
}

fn apply(state: &State, batch: Vec<notify::Result<Event>>) {
    let mut paths = Vec::new();
    let mut baseline = false;
    let mut rescan = false;
    for ev in batch.iter().flatten() {
        for action in classify(ev, Path::is_dir) {
            match action {
                Action::Path(p) => {
                    if let Some(w) = lock(&state.fswatch).as_mut()
                        && w.dirs.contains(&p)
                        && !p.exists()
                    {
                        // a watched directory gone (or renamed away): its watches and those
                        // under it go, so that a directory appearing under the same name is
                        // watched again
                        w.forget_tree(&p);
                    }
                    paths.push(p);
                }
                Action::Baseline => baseline = true,
                Action::Rescan => rescan = true,
                Action::NewDir(dir) => {
                    // a build's `dist/`, a gitignored cache: not watched, as discovery skips them
                    let mut watch = lock(&state.fswatch);
                    let Some(w) = watch.as_mut() else { continue };
                    if !w.roots.iter().any(|r| is_walked_dir(&dir, r)) {
                        continue;
                    }
                    w.add_tree(&dir);
                    drop(watch);
                    paths.extend(files_in(&dir));
                }
            }
        }
    }
    if rescan {
        // lost events: every root read again, and directories created meanwhile watched
        let roots = state.paths().canonical_roots();
        if let Some(w) = lock(&state.fswatch).as_mut() {
            for root in &roots {
                w.add_tree(root);
            }
        }
        paths.extend(roots);
        baseline = true;
    }
    paths.sort();
    paths.dedup();
    state.queue_disk_changes(paths, baseline);
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, Flag, MetadataKind, RenameMode};

    fn ev(kind: EventKind, paths: &[&str]) -> Event {
        let mut e = Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from(p));
        }
        e
    }

    fn classify_with_dirs(e: &Event, dirs: &[&str]) -> Vec<Action> {
        classify(e, |p| dirs.iter().any(|d| Path::new(d) == p))
    }

    #[test]
    fn sources_and_config_files_are_reported_others_not() {
        let modify = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        for (path, reported) in [
            ("/w/src/a.ts", true),
            ("/w/src/a.tsx", true),
            ("/w/src/a.d.ts", true),
            ("/w/tsconfig.base.json", true),
            ("/w/package.json", true),
            ("/w/alchemy-ls.toml", true),
            ("/w/.gitignore", true),
            ("/w/pnpm-workspace.yaml", true),
            ("/w/README.md", false),
            ("/w/src/a.js", false),
            ("/w/src/a.ts.swp", false),
        ] {
            let got = classify_with_dirs(&ev(modify, &[path]), &[]);
            let want = if reported {
                vec![Action::Path(PathBuf::from(path))]
            } else {
                vec![]
            };
            assert_eq!(got, want, "{path}");
        }
    }

    #[test]
    fn access_and_metadata_events_are_ignored() {
        use notify::event::{AccessKind, AccessMode};
        for kind in [
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
        ] {
            assert_eq!(classify_with_dirs(&ev(kind, &["/w/a.ts"]), &[]), vec![]);
        }
    }

    #[test]
    fn git_refs_move_the_baseline_other_git_files_do_not() {
        let modify = EventKind::Modify(ModifyKind::Any);
        for (path, moves) in [
            ("/w/.git/HEAD", true),
            ("/w/.git/packed-refs", true),
            ("/w/.git/refs/heads/main", true),
            ("/w/.git/refs/remotes/origin/feature/x", true),
            ("/w/.git/index", false),
            ("/w/.git/objects/ab/cdef", false),
            ("/w/.git/ORIG_HEAD", false),
        ] {
            let got = classify_with_dirs(&ev(modify, &[path]), &[]);
            let want = if moves { vec![Action::Baseline] } else { vec![] };
            assert_eq!(got, want, "{path}");
        }
    }

    #[test]
    fn directories_appearing_are_watched_and_going_are_reported() {
        let created = ev(EventKind::Create(CreateKind::Folder), &["/w/src/new"]);
        assert_eq!(
            classify_with_dirs(&created, &["/w/src/new"]),
            vec![Action::NewDir(PathBuf::from("/w/src/new"))]
        );
        let removed = ev(EventKind::Remove(RemoveKind::Folder), &["/w/src/old"]);
        assert_eq!(
            classify_with_dirs(&removed, &[]),
            vec![Action::Path(PathBuf::from("/w/src/old"))]
        );
        // a directory renamed: the old name goes, the new one appears
        let renamed = ev(
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
            &["/w/src/old", "/w/src/new"],
        );
        assert_eq!(
            classify_with_dirs(&renamed, &["/w/src/new"]),
            vec![
                Action::Path(PathBuf::from("/w/src/old")),
                Action::NewDir(PathBuf::from("/w/src/new"))
            ]
        );
        // a file renamed: both names reported
        let renamed = ev(
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
            &["/w/src/a.ts", "/w/src/b.ts"],
        );
        assert_eq!(
            classify_with_dirs(&renamed, &[]),
            vec![
                Action::Path(PathBuf::from("/w/src/a.ts")),
                Action::Path(PathBuf::from("/w/src/b.ts"))
            ]
        );
    }

    #[test]
    fn lost_events_rescan() {
        let e = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert_eq!(classify_with_dirs(&e, &[]), vec![Action::Rescan]);
    }

    #[test]
    fn modes() {
        assert!(WatchMode::Auto.server_watches(false));
        assert!(!WatchMode::Auto.server_watches(true));
        assert!(WatchMode::Server.server_watches(true));
        assert!(!WatchMode::Client.server_watches(false));
        assert_eq!(WatchMode::parse("server"), Some(WatchMode::Server));
        assert_eq!(WatchMode::parse("inotify"), None);
    }

    #[test]
    fn watch_dirs_follow_discovery_and_add_git_refs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for d in [
            "src/a",
            "node_modules/x",
            "dist",
            "ignored",
            ".git/refs/heads/feature",
            ".git/objects/ab",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
        let mut got: Vec<String> = watch_dirs(&root, 1_000)
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().to_string_lossy().into_owned())
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                "",
                ".git",
                ".git/refs",
                ".git/refs/heads",
                ".git/refs/heads/feature",
                "src",
                "src/a"
            ]
        );
        assert_eq!(watch_dirs(&root, 2).len(), 2, "the limit counts every directory");
    }
}
