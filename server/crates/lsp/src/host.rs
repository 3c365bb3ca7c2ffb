//! The server's side of the workspace index: roots, the base config (`alchemy-ls.toml`),
//! editor settings and the document overlays, applied in batches by the analysis worker.
//! Only the worker (on a blocking thread) touches it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use alchemy_ls_project::config::{self, Config};
use alchemy_ls_project::workspace::{Index, Workspace};

/// A state change, queued by a handler and applied by the worker.
#[derive(Clone, Debug)]
pub enum Change {
    /// The workspace roots (initialize, folder changes, single-file mode's first open).
    Roots(Vec<PathBuf>),
    /// An open document's new content, as queued by a handler: the worker materialises and
    /// parses it into an [`Change::Overlay`].
    Document {
        path: PathBuf,
        content: super::documents::DocContent,
    },
    /// An open document's text.
    /// `facts` come from the document's incremental reparse, when it has one.
    Overlay {
        path: PathBuf,
        text: Arc<str>,
        facts: Option<Arc<alchemy_grammar::FileFacts>>,
    },
    /// A document was closed: fall back to the disk.
    RemoveOverlay(PathBuf),
    /// A file changed, appeared or disappeared on disk.
    Disk(PathBuf),
    /// New editor settings (the `alchemy-ls` section).
    Settings(Value),
    /// A new baseline was read, or git's refs moved (see [`super::baseline`]): resolve the
    /// baseline's revision and analyse again.
    Baseline,
}

/// Something the user should see (config errors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostMessage {
    pub error: bool,
    pub text: String,
}

#[derive(Default)]
pub struct Host {
    roots: Vec<PathBuf>,
    settings: Value,
    index: Option<Index>,
    /// Overlays, replayed when the index is rebuilt.
    overlays: Vec<(PathBuf, Arc<str>)>,
    /// The last config message shown, to avoid repeating it on every change.
    last_message: Option<String>,
}

pub const CONFIG_FILE: &str = "alchemy-ls.toml";

impl Host {
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Apply a batch of changes; returns messages for the user.
    pub fn apply(&mut self, changes: Vec<Change>) -> Vec<HostMessage> {
        let changes = coalesce(changes);
        let mut messages = Vec::new();
        let mut reconfigure = false;
        let mut rebuild = false;
        // First the state the index is rebuilt from (roots, settings, overlays) …
        for change in &changes {
            match change {
                Change::Roots(roots) if *roots != self.roots => {
                    self.roots = roots.clone();
                    rebuild = true;
                }
                Change::Settings(v) if *v != self.settings => {
                    self.settings = v.clone();
                    reconfigure = true;
                }
                Change::Overlay { path, text, .. } => match self.overlays.iter_mut().find(|(p, _)| p == path)
                {
                    Some(slot) => slot.1 = text.clone(),
                    None => self.overlays.push((path.clone(), text.clone())),
                },
                Change::RemoveOverlay(path) => self.overlays.retain(|(p, _)| p != path),
                Change::Disk(path) if path.file_name().is_some_and(|n| n == CONFIG_FILE) => {
                    reconfigure = true;
                }
                _ => {}
            }
        }
        if rebuild || (self.index.is_none() && !self.roots.is_empty()) {
            // … then either a fresh index (initial scan) …
            let config = self.config(&mut messages);
            let mut index = Index::new(self.roots.clone(), config, Default::default());
            index.scan();
            for (path, text) in &self.overlays {
                index.set_overlay(path, text.clone());
            }
            self.index = Some(index);
            return messages;
        }
        if reconfigure {
            let config = self.config(&mut messages);
            if let Some(index) = &mut self.index {
                index.set_config(config);
            }
        }
        // … or the changes applied to the existing one.
        let Some(index) = &mut self.index else {
            return messages;
        };
        for change in changes {
            match change {
                Change::Overlay { path, text, facts } => match facts {
                    Some(facts) => index.set_overlay_with_facts(&path, text, facts),
                    None => index.set_overlay(&path, text),
                },
                Change::RemoveOverlay(path) => index.remove_overlay(&path),
                Change::Disk(path) => index.file_changed_on_disk(&path),
                Change::Roots(_) | Change::Settings(_) | Change::Document { .. } | Change::Baseline => {}
            }
        }
        messages
    }

    /// The base config of the first root with the settings applied; errors fall back to the
    /// defaults (file) or to the file config (settings).
    fn config(&mut self, messages: &mut Vec<HostMessage>) -> Arc<Config> {
        let mut problems = Vec::new();
        let base = match self.roots.first() {
            Some(root) => config::discover(root).unwrap_or_else(|e| {
                problems.push(format!(
                    "alchemy-ls: invalid configuration: {e}; using the defaults"
                ));
                Config::default()
            }),
            None => Config::default(),
        };
        let merged = config::apply_settings(&base, &self.settings).unwrap_or_else(|e| {
            problems.push(format!("alchemy-ls: invalid setting: {e}"));
            base
        });
        let text = problems.join("\n");
        if !problems.is_empty() && self.last_message.as_deref() != Some(&text) {
            messages.push(HostMessage {
                error: true,
                text: text.clone(),
            });
        }
        self.last_message = (!problems.is_empty()).then_some(text);
        Arc::new(merged)
    }

    /// The configuration in effect (file and settings merged), once indexed.
    pub fn config_in_effect(&self) -> Option<Arc<Config>> {
        self.index.as_ref().map(|i| i.config().clone())
    }

    /// The index's module resolver, once indexed.
    pub fn resolver(&self) -> Option<&alchemy_ls_project::resolve::Resolver> {
        self.index.as_ref().map(|i| i.resolver())
    }

    pub fn snapshot(&self) -> Workspace {
        match &self.index {
            Some(index) => index.snapshot(),
            None => Workspace::default(),
        }
    }
}

/// Keep only the last document change (content, overlay or close) of each path: the index
/// settles after every call, so a burst of keystrokes must be one call (and one parse).
pub fn coalesce(changes: Vec<Change>) -> Vec<Change> {
    let key = |c: &Change| -> Option<PathBuf> {
        match c {
            Change::Document { path, .. } | Change::Overlay { path, .. } | Change::RemoveOverlay(path) => {
                Some(path.clone())
            }
            _ => None,
        }
    };
    let mut last: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        if let Some(path) = key(c) {
            last.insert(path, i);
        }
    }
    changes
        .into_iter()
        .enumerate()
        .filter(|(i, c)| key(c).is_none_or(|path| last.get(&path) == Some(i)))
        .map(|(_, c)| c)
        .collect()
}

/// The single-file-mode root: the nearest directory at or above `file` holding
/// `alchemy.run.ts`, `package.json` or `tsconfig.json`, else the file's directory.
pub fn single_file_root(file: &Path) -> Option<PathBuf> {
    let dir = file.parent()?;
    dir.ancestors()
        .find(|d| {
            ["alchemy.run.ts", "package.json", "tsconfig.json"]
                .iter()
                .any(|m| d.join(m).is_file())
        })
        .map(Path::to_path_buf)
        .or_else(|| Some(dir.to_path_buf()))
}

pub use alchemy_ls_project::paths::canonical;
