//! Analysis by independent parts of the workspace, with a cache between rounds.
//!
//! Two files can only influence each other's findings through an import (or re-export)
//! chain, a Worker looked up by its name (`X.from("api")`, a descriptor's `scriptName`) or
//! a file named by a path (`main`). So the loaded files are split into the connected
//! components of the import graph, and each component is analysed on a view of the snapshot
//! that only iterates over its files ([`Workspace::restricted_to`]). The view records every
//! file outside it that the analysis asked for, and the model records every Worker name it
//! could not find: the components concerned are merged and analysed again, until nothing
//! crosses a boundary. The findings are then those of the whole workspace (checked on every
//! test fixture by `server/tests/components.rs`), but:
//! - components are analysed in parallel (`check`);
//! - a component whose files are all unchanged (the same `Arc<SourceFile>`: same text,
//!   facts and resolutions), under the same configuration, versions and file set, is not
//!   analysed again: an edit re-analyses the edited file's component only (the language
//!   server);
//! - each component keeps its [`Model`], so IDE requests do not rebuild one.

use rustc_hash::FxHashMap as HashMap;
use std::fmt;
use std::sync::Arc;

use rayon::prelude::*;
use self_cell::self_cell;

use super::ctx::Ctx;
use super::diagnostic::Diagnostic;
use super::model::Model;
use super::{finalize, rules};
use crate::config::Config;
use crate::version::AlchemyVersion;
use crate::workspace::{FileId, Resolved, SourceFile, Workspace};

self_cell!(
    /// A component's model, owning the restricted view it borrows from.
    pub struct ComponentModel {
        owner: Workspace,
        #[covariant]
        dependent: Model,
    }
);

/// The analysis of one component.
pub struct ComponentResult {
    /// The component's files, sorted.
    pub members: Vec<FileId>,
    /// Final findings (configured levels and suppressions applied), sorted.
    diagnostics: Vec<Diagnostic>,
    /// `None` when the analyzer does not keep models ([`Analyzer::diagnostics_only`]).
    model: Option<ComponentModel>,
    /// What the result depends on, to tell whether it is still valid.
    inputs: Inputs,
    /// Files outside the component the analysis asked for, and Worker names it missed.
    foreign: Vec<FileId>,
    missed_names: Vec<String>,
    /// Names of the component's Workers (for other components' missed names).
    worker_names: Vec<String>,
}

impl fmt::Debug for ComponentResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComponentResult")
            .field("members", &self.members)
            .field("diagnostics", &self.diagnostics.len())
            .finish()
    }
}

impl ComponentResult {
    /// The component's model (`None` from an analyzer that keeps diagnostics only).
    pub fn model(&self) -> Option<&Model<'_>> {
        self.model.as_ref().map(|m| m.borrow_dependent())
    }
}

struct Inputs {
    files: Vec<Arc<SourceFile>>,
    versions: Vec<Option<AlchemyVersion>>,
    config: Arc<Config>,
    by_path: Arc<std::collections::HashMap<std::path::PathBuf, FileId>>,
    roots: Vec<std::path::PathBuf>,
    epoch: u64,
    baseline: Option<Arc<super::impact::Baseline>>,
}

impl Inputs {
    fn of(ws: &Workspace, members: &[FileId]) -> Inputs {
        Inputs {
            files: members
                .iter()
                .map(|&id| ws.files[id.0 as usize].clone())
                .collect(),
            versions: members.iter().map(|id| ws.versions.get(id).copied()).collect(),
            config: ws.config.clone(),
            by_path: ws.by_path.clone(),
            roots: ws.roots.clone(),
            epoch: ws.epoch,
            baseline: ws.baseline.clone(),
        }
    }

    fn still_valid(&self, ws: &Workspace, members: &[FileId]) -> bool {
        Arc::ptr_eq(&self.config, &ws.config)
            && Arc::ptr_eq(&self.by_path, &ws.by_path)
            && self.roots == ws.roots
            && self.epoch == ws.epoch
            && match (&self.baseline, &ws.baseline) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            }
            && self.files.len() == members.len()
            && members
                .iter()
                .zip(&self.files)
                .zip(&self.versions)
                .all(|((id, f), v)| {
                    ws.files.get(id.0 as usize).is_some_and(|now| Arc::ptr_eq(now, f))
                        && ws.versions.get(id).copied() == *v
                })
    }
}

/// The analysis of every component of a snapshot.
#[derive(Clone, Debug, Default)]
pub struct Components {
    pub results: Vec<Arc<ComponentResult>>,
    /// File id → index in `results` ([`NONE`]: not analysed).
    of_file: Arc<Vec<u32>>,
}

/// No component.
const NONE: u32 = u32::MAX;

impl Components {
    /// The result of the component holding `file`.
    pub fn of(&self, file: FileId) -> Option<&ComponentResult> {
        match self.of_file.get(file.0 as usize) {
            Some(&i) if i != NONE => Some(&*self.results[i as usize]),
            _ => None,
        }
    }
}

/// A snapshot's path → id table.
type PathTable = Arc<std::collections::HashMap<std::path::PathBuf, FileId>>;

/// Component results kept between rounds (the language server keeps one for its session).
#[derive(Default)]
pub struct Analyzer {
    cache: HashMap<Vec<FileId>, Arc<ComponentResult>>,
    /// File id → its group in the last call: import components that had to be merged then
    /// start merged (merging more than needed never changes the findings).
    last_group: Arc<Vec<u32>>,
    /// Components analysed (not taken from the cache) by the last call, for tests and logs.
    pub last_analysed: usize,
    /// Drop each component's model once its findings are known (`check`: a model of a
    /// 1,300-file component holds ≈ 30 MB, and nothing asks for it afterwards).
    drop_models: bool,
    /// The path order of the last snapshot and the path table it was computed from.
    order: Option<(PathTable, Arc<crate::workspace::FileOrder>)>,
    /// The import components of the last snapshot, with the files they were computed from.
    imports: Option<ImportGroups>,
}

/// [`import_components`] of a snapshot's files.
struct ImportGroups {
    files: Arc<Vec<Arc<SourceFile>>>,
    by_path: PathTable,
    groups: Vec<Vec<FileId>>,
}

impl ImportGroups {
    /// Whether `ws` has the same files with the same import and re-export targets (an edit
    /// that changes no import keeps its groups).
    fn still_valid(&self, ws: &Workspace) -> bool {
        Arc::ptr_eq(&self.by_path, &ws.by_path)
            && self.files.len() == ws.files.len()
            && (Arc::ptr_eq(&self.files, &ws.files)
                || self.files.iter().zip(ws.files.iter()).all(|(a, b)| {
                    Arc::ptr_eq(a, b) || (a.imports == b.imports && a.reexports == b.reexports)
                }))
    }
}

/// Merges beyond this many rounds fall back to one component (never reached in practice:
/// each round merges at least two components).
const MAX_ROUNDS: usize = 64;

impl Analyzer {
    /// An analyzer that keeps only the findings of each component, not its model (IDE
    /// requests need the model; `check` does not).
    pub fn diagnostics_only() -> Analyzer {
        Analyzer {
            drop_models: true,
            ..Analyzer::default()
        }
    }

    /// The import components of `ws`, reused from the last call when no import changed.
    fn import_groups(&mut self, ws: &Workspace) -> Vec<Vec<FileId>> {
        if let Some(last) = &self.imports
            && last.still_valid(ws)
        {
            let groups = last.groups.clone();
            self.imports = Some(ImportGroups {
                files: ws.files.clone(),
                by_path: ws.by_path.clone(),
                groups: last.groups.clone(),
            });
            return groups;
        }
        let groups = import_components(ws);
        self.imports = Some(ImportGroups {
            files: ws.files.clone(),
            by_path: ws.by_path.clone(),
            groups: groups.clone(),
        });
        groups
    }

    /// Analyse `ws` (unrestricted) component by component; returns the final diagnostics
    /// (configured levels, suppressions, order: as [`super::analyze`]) and the components.
    pub fn analyze(&mut self, ws: &Workspace) -> (Vec<Diagnostic>, Components) {
        if let Some((by_path, order)) = &self.order {
            ws.adopt_order(by_path, order);
        }
        self.order = Some((ws.by_path.clone(), ws.order()));
        let groups = self.import_groups(ws);
        let mut groups = sticky(groups, &self.last_group);
        let mut analysed = 0;
        let mut results: Vec<Arc<ComponentResult>>;
        let mut round = 0;
        loop {
            round += 1;
            if round > MAX_ROUNDS {
                let mut all: Vec<FileId> = groups.concat();
                all.sort_unstable();
                groups = vec![all];
            }
            let cache = &self.cache;
            let computed: Vec<(Arc<ComponentResult>, bool)> = groups
                .par_iter()
                .map(|members| match cache.get(members) {
                    Some(r) if r.inputs.still_valid(ws, members) => (r.clone(), false),
                    _ => (
                        Arc::new(analyse_component_isolated(ws, members, self.drop_models)),
                        true,
                    ),
                })
                .collect();
            for (r, fresh) in &computed {
                if *fresh {
                    analysed += 1;
                    self.cache.insert(r.members.clone(), r.clone());
                }
            }
            results = computed.into_iter().map(|(r, _)| r).collect();
            if round > MAX_ROUNDS {
                break;
            }
            match merged(&results, ws.files.len()) {
                Some(next) => groups = next,
                None => break,
            }
        }
        // Forget what this snapshot does not use.
        let used: std::collections::HashSet<*const ComponentResult> =
            results.iter().map(Arc::as_ptr).collect();
        let mut stale = Vec::new();
        self.cache.retain(|_, r| {
            let keep = used.contains(&Arc::as_ptr(r));
            if !keep {
                stale.push(r.clone());
            }
            keep
        });
        // Freeing a large component's model takes milliseconds: not on the way to the
        // diagnostics.
        if !stale.is_empty() {
            rayon::spawn(move || drop(stale));
        }
        self.last_analysed = analysed;
        let of_file = Arc::new(component_of(&results, ws.files.len()));
        self.last_group = of_file.clone();
        let mut diagnostics: Vec<Diagnostic> = results
            .iter()
            .flat_map(|r| r.diagnostics.iter().cloned())
            .collect();
        finalize::sort(ws, &mut diagnostics);
        (diagnostics, Components { results, of_file })
    }
}

/// File id → index of the result holding it ([`NONE`] for none).
fn component_of(results: &[Arc<ComponentResult>], files: usize) -> Vec<u32> {
    let mut of = vec![NONE; files];
    for (i, r) in results.iter().enumerate() {
        for &f in &r.members {
            if let Some(slot) = of.get_mut(f.0 as usize) {
                *slot = i as u32;
            }
        }
    }
    of
}

/// `groups` with those that shared a group in the last call merged again.
fn sticky(groups: Vec<Vec<FileId>>, last_group: &[u32]) -> Vec<Vec<FileId>> {
    let mut uf = UnionFind::new(groups.len());
    let mut first_of: HashMap<u32, usize> = HashMap::default();
    let mut any = false;
    for (i, g) in groups.iter().enumerate() {
        for f in g {
            if let Some(&last) = last_group.get(f.0 as usize)
                && last != NONE
            {
                let j = *first_of.entry(last).or_insert(i);
                any |= uf.union(i, j);
            }
        }
    }
    if !any {
        return groups;
    }
    uf.regroup(groups)
}

/// [`analyse_component`], with a panic confined to its component: the component reports
/// nothing (and is analysed again next round), the others are unaffected.
fn analyse_component_isolated(ws: &Workspace, members: &[FileId], drop_model: bool) -> ComponentResult {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        analyse_component(ws, members, drop_model)
    })) {
        Ok(r) => r,
        Err(_) => {
            eprintln!(
                "alchemy-ls: the analysis of {} panicked; its files report nothing",
                members
                    .first()
                    .map(|f| ws.files[f.0 as usize].path.display().to_string())
                    .unwrap_or_default()
            );
            let mut r = analyse_component(ws, &[], drop_model);
            r.members = members.to_vec();
            // never valid: retried next round
            r.inputs.epoch = u64::MAX;
            r
        }
    }
}

fn analyse_component(ws: &Workspace, members: &[FileId], drop_model: bool) -> ComponentResult {
    #[cfg(test)]
    tests::maybe_panic(ws, members);
    let view = ws.restricted_to(members);
    let model = ComponentModel::new(view, |view| Model::build(Ctx::new(view)));
    let m = model.borrow_dependent();
    // The rules do not read the graph: it is built meanwhile (the names it looks up count as
    // the rules' do, for merging).
    let (found, _) = rayon::join(|| rules::run_all(m), || m.graph());
    let diagnostics = finalize::finalize_in(ws, members, found);
    ComponentResult {
        members: members.to_vec(),
        diagnostics,
        inputs: Inputs::of(ws, members),
        foreign: model.borrow_owner().foreign_accesses(),
        missed_names: m.missed_names(),
        worker_names: m.worker_names(),
        model: (!drop_model).then_some(model),
    }
}

/// The components after merging those that reach across their boundary, or `None` when
/// none does.
fn merged(results: &[Arc<ComponentResult>], files: usize) -> Option<Vec<Vec<FileId>>> {
    if results
        .iter()
        .all(|r| r.foreign.is_empty() && r.missed_names.is_empty())
    {
        return None;
    }
    let comp_of = component_of(results, files);
    let mut declaring: HashMap<&str, Vec<usize>> = HashMap::default();
    if results.iter().any(|r| !r.missed_names.is_empty()) {
        for (i, r) in results.iter().enumerate() {
            for n in &r.worker_names {
                declaring.entry(n.as_str()).or_default().push(i);
            }
        }
    }
    let mut uf = UnionFind::new(results.len());
    let mut any = false;
    for (i, r) in results.iter().enumerate() {
        for f in &r.foreign {
            if let Some(&j) = comp_of.get(f.0 as usize)
                && j != NONE
            {
                any |= uf.union(i, j as usize);
            }
        }
        for n in &r.missed_names {
            for &j in declaring.get(n.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                any |= uf.union(i, j);
            }
        }
    }
    if !any {
        return None;
    }
    Some(uf.regroup(results.iter().map(|r| r.members.clone())))
}

/// The connected components of the live files, import and re-export links taken both ways.
pub fn import_components(ws: &Workspace) -> Vec<Vec<FileId>> {
    let n = ws.files.len();
    let mut uf = UnionFind::new(n);
    // (dead slots have no imports)
    for src in ws.iter() {
        for r in src.imports.iter().chain(src.reexports.iter().flatten()) {
            if let Resolved::File(t) = r {
                uf.union(src.id.0 as usize, t.0 as usize);
            }
        }
    }
    let mut groups: HashMap<usize, Vec<FileId>> = HashMap::default();
    for &id in ws.by_path.values() {
        groups.entry(uf.find(id.0 as usize)).or_default().push(id);
    }
    sorted_groups(groups.into_values())
}

fn sorted_groups(groups: impl Iterator<Item = Vec<FileId>>) -> Vec<Vec<FileId>> {
    let mut out: Vec<Vec<FileId>> = groups
        .map(|mut g| {
            g.sort_unstable();
            g.dedup();
            g
        })
        .collect();
    out.sort_unstable();
    out
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Part `i` of `parts` joined with the parts in its set, sorted.
    fn regroup(&mut self, parts: impl IntoIterator<Item = Vec<FileId>>) -> Vec<Vec<FileId>> {
        let mut groups: HashMap<usize, Vec<FileId>> = HashMap::default();
        for (i, part) in parts.into_iter().enumerate() {
            groups.entry(self.find(i)).or_default().extend(part);
        }
        sorted_groups(groups.into_values())
    }

    /// True if `a` and `b` were in different sets.
    fn union(&mut self, a: usize, b: usize) -> bool {
        if a >= self.parent.len() || b >= self.parent.len() {
            return false;
        }
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        self.parent[ra.max(rb)] = ra.min(rb);
        true
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::analysis::testing::snapshot;

    thread_local! {
        static PANIC_IN: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Panics when analysing a component with a file whose name is set in `PANIC_IN`.
    pub(super) fn maybe_panic(ws: &Workspace, members: &[FileId]) {
        let name = PANIC_IN.with(|p| p.borrow().clone());
        if let Some(name) = name
            && members
                .iter()
                .any(|m| ws.files[m.0 as usize].path.ends_with(&name))
        {
            panic!("injected");
        }
    }

    #[test]
    fn a_panic_is_confined_to_its_component() {
        let bad = concat!(
            "import * as Cloudflare from \"alchemy/Cloudflare\";\n",
            "import * as Effect from \"effect/Effect\";\n",
            "export class Counter extends Cloudflare.DurableObjectNamespace<Counter, {}>()(\"Counter\") {}\n",
            "export default Cloudflare.Worker(\"A\", { main: import.meta.path }, Effect.gen(function* () {\n",
            "  const c = yield* Counter.from(\"Nobody\");\n",
            "  return {};\n",
            "}));\n"
        );
        let b = bad.replace("\"A\"", "\"B\"");
        let ws = snapshot(&[("a.ts", bad), ("b.ts", &b)]);
        let (all, _) = Analyzer::default().analyze(&ws);
        let in_b = |d: &Vec<Diagnostic>| {
            d.iter()
                .filter(|d| ws.file(d.location.file).path.ends_with("b.ts"))
                .count()
        };
        assert!(in_b(&all) > 0, "b.ts reports: {all:?}");
        assert!(all.len() > in_b(&all), "a.ts reports too: {all:?}");

        PANIC_IN.with(|p| *p.borrow_mut() = Some("a.ts".into()));
        let mut analyzer = Analyzer::default();
        // rayon runs components on its threads: make the panic happen on this one
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build()
            .unwrap();
        let (some, _) = pool.install(|| analyzer.analyze(&ws));
        assert_eq!(some.len(), in_b(&all), "only b.ts reports: {some:?}");
        // retried next round
        PANIC_IN.with(|p| *p.borrow_mut() = None);
        let (again, _) = pool.install(|| analyzer.analyze(&ws));
        assert_eq!(again, all);
    }
}
