//! The editor's baseline: the deployed revision the open workspace (unsaved buffers included)
//! is compared with, for the deploy-impact rules.
//!
//! Which revision: the `baseline` setting, else `baseline` in `alchemy-ls.toml`, else the
//! upstream of the checked-out branch when it has one, else `HEAD`; `"off"` disables it. The
//! revision is resolved to a commit id on every round that follows a change on disk, in the
//! settings or in the roots, and at most every [`RECHECK`] while the user types (so switching
//! branches or fetching re-reads the baseline on the next activity, with no timer: an idle
//! server does nothing). When the commit id changes, the baseline is read again in the
//! background ([`alchemy_ls_project::baseline::from_git`]: only the files that differ from the
//! work tree are read from git; nothing is written, no process is spawned); the previous one
//! stays in use until it is ready, and a new round then re-analyses with it.
//!
//! Outside a git repository, or when the revision does not exist, the deploy-impact rules are
//! silently off (one line in the log).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alchemy_ls_core::analysis::impact::Baseline;
use alchemy_ls_project::config::Config;
use alchemy_ls_project::revision;

/// How often an edit may re-resolve the baseline's revision.
pub const RECHECK: Duration = Duration::from_secs(2);

/// A baseline read at one commit.
struct Loaded {
    name: String,
    id: String,
    baseline: Arc<Baseline>,
}

/// The baseline to read in the background: revision `name` at commit `id` of `root`'s repository.
#[derive(Clone, Debug)]
pub struct Job {
    pub root: PathBuf,
    pub name: String,
    pub id: String,
    pub config: Arc<Config>,
}

#[derive(Default)]
pub struct Tracker {
    current: Option<Loaded>,
    /// The computation under way: (name, id).
    pending: Option<(String, String)>,
    last_check: Option<Instant>,
    /// The last state logged (to say each once).
    logged: Option<String>,
}

/// What a round uses and starts.
#[derive(Default)]
pub struct Decision {
    /// The baseline the round's analysis compares with.
    pub baseline: Option<Arc<Baseline>>,
    /// A baseline to read in the background.
    pub job: Option<Job>,
    /// A line for the log (said once per state).
    pub log: Option<String>,
}

/// The revision the workspace at `root` is compared with, or `None` when disabled.
pub fn wanted(root: &Path, config: &Config) -> Option<String> {
    match config.baseline.as_deref().map(str::trim) {
        Some("off") => None,
        Some(rev) if !rev.is_empty() => Some(rev.to_string()),
        _ => Some(revision::upstream_of_head(root).unwrap_or_else(|| "HEAD".to_string())),
    }
}

impl Tracker {
    /// The baseline for a round on `root` with `config`. `force`: the round follows a change
    /// that may have moved git's refs (files on disk, settings, roots); otherwise the revision
    /// is resolved again only when [`RECHECK`] has passed.
    pub fn round(&mut self, root: Option<&Path>, config: &Arc<Config>, force: bool) -> Decision {
        let Some(root) = root else {
            self.reset();
            return Decision::default();
        };
        let fresh = self.last_check.is_some_and(|t| t.elapsed() < RECHECK);
        if fresh && !force {
            return self.keep();
        }
        self.last_check = Some(Instant::now());
        let Some(name) = wanted(root, config) else {
            self.reset();
            return self.say("the baseline is off (`baseline = \"off\"`)".to_string());
        };
        let Some(id) = revision::resolve_id(root, &name) else {
            self.reset();
            let why = if revision::repo_of(root).is_none() {
                format!(
                    "{} is not in a git repository: the deploy-impact rules are off",
                    root.display()
                )
            } else {
                format!("baseline revision {name:?} not found: the deploy-impact rules are off")
            };
            return self.say(why);
        };
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.name == name && c.id == id)
        {
            self.pending = None;
            return self.keep();
        }
        if self.current.as_ref().is_some_and(|c| c.name != name) {
            // another revision: the old one's findings would mislead until the new is read
            self.current = None;
        }
        if self.pending.as_ref() == Some(&(name.clone(), id.clone())) {
            return self.keep();
        }
        self.pending = Some((name.clone(), id.clone()));
        Decision {
            baseline: self.current.as_ref().map(|c| c.baseline.clone()),
            job: Some(Job {
                root: root.to_path_buf(),
                name,
                id,
                config: config.clone(),
            }),
            log: None,
        }
    }

    /// A background read finished. Returns whether the baseline in use changed (a round must
    /// re-analyse) and a line for the log.
    pub fn finish(&mut self, job: &Job, result: Result<Baseline, String>) -> (bool, Option<String>) {
        if self.pending.as_ref() != Some(&(job.name.clone(), job.id.clone())) {
            return (false, None); // superseded
        }
        self.pending = None;
        match result {
            Ok(b) => {
                let line = format!(
                    "baseline {} ({}) read: {} stack(s) deployed there",
                    job.name,
                    &job.id[..job.id.len().min(12)],
                    b.snapshot.stacks.len()
                );
                self.current = Some(Loaded {
                    name: job.name.clone(),
                    id: job.id.clone(),
                    baseline: Arc::new(b),
                });
                self.logged = Some(line.clone());
                (true, Some(line))
            }
            Err(e) => {
                let had = self.current.take().is_some();
                (had, self.say(format!("baseline {}: {e}", job.name)).log)
            }
        }
    }

    fn keep(&self) -> Decision {
        Decision {
            baseline: self.current.as_ref().map(|c| c.baseline.clone()),
            ..Decision::default()
        }
    }

    fn reset(&mut self) {
        self.current = None;
        self.pending = None;
    }

    fn say(&mut self, line: String) -> Decision {
        let log = (self.logged.as_ref() != Some(&line)).then(|| line.clone());
        self.logged = Some(line);
        Decision { log, ..self.keep() }
    }
}
