//! The wiring of one app, decided before any text is written: which Worker has which form,
//! who hosts and binds which Durable Object, and which mistakes are planted.

use super::{LspTarget, Spec};

const WORKER_NAMES: &[&str] = &[
    "Api",
    "Gateway",
    "Notifier",
    "Billing",
    "Search",
    "Auth",
    "Ingest",
    "Media",
    "Admin",
    "Webhooks",
    "Scheduler",
    "Reports",
];
const MODULAR_DO_NAMES: &[&str] = &[
    "Counter",
    "Session",
    "RateLimiter",
    "Ledger",
    "Inbox",
    "Cart",
    "Quota",
];
const INLINE_DO_NAMES: &[&str] = &["Room", "Lobby", "Channel", "Board", "Presence", "Feed", "Cursor"];
const METHODS: &[(&str, &str)] = &[
    ("increment", "get"),
    ("touch", "read"),
    ("take", "remaining"),
    ("append", "total"),
    ("push", "drain"),
    ("add", "list"),
    ("consume", "peek"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// `alchemy@2.0.0-beta.49`: props in the class call, `.make(impl)`.
    G1,
    /// `alchemy@2.0.0-beta.58`: `Worker<…>()(id)`, `.make(props, impl)`.
    G2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerForm {
    /// Class + `export default X.make(…)` (W1/W2 in G1, the `.make(props, impl)` form in G2).
    Modular,
    /// W3: `export default class X extends Worker<X>()(id, props, impl) {}`.
    Inline,
    /// W4: `export default Cloudflare.Worker(id, props, impl)`.
    Value,
    /// W6: `RpcWorker<X, Deps>()(…)` + `.make(…)`.
    Rpc,
}

impl WorkerForm {
    pub fn is_modular(self) -> bool {
        matches!(self, WorkerForm::Modular | WorkerForm::Rpc)
    }
}

#[derive(Debug, Clone)]
pub struct DoPlan {
    pub name: String,
    /// D1 (class + `.make`) or D2 (inline class).
    pub modular: bool,
    pub methods: (String, String),
    /// Index of the hosting Worker.
    pub host: usize,
}

/// How a Worker binds a modular DO hosted elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// `X.from(Host)` with the Worker at this index.
    Worker(usize),
    /// `X.from("literal")`.
    Literal(String),
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub do_index: usize,
    /// The app whose DO and host are bound, when not the Worker's own (cross-stack shapes).
    pub app: Option<usize>,
    /// The class name of the host (`Via::Worker`), which is in `app` when set.
    pub host_name: String,
    pub via: Via,
    /// The method called on the stub in the fetch handler.
    pub method: String,
}

#[derive(Debug, Clone)]
pub struct WorkerPlan {
    pub name: String,
    pub form: WorkerForm,
    /// Modular DOs hosted (listed in Deps, Live provided, yielded locally).
    pub hosts_modular: Vec<usize>,
    /// Inline DOs yielded (hosted).
    pub hosts_inline: Vec<usize>,
    pub binds: Option<Binding>,
}

/// One planted mistake and what it must produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plant {
    /// `X.from(W)` where W is an inline Worker that hosts nothing: one `from-non-host`.
    FromNonHost { worker: usize },
    /// The stack does not provide a modular Worker's Live: one `worker-live-not-provided`.
    LiveNotProvided { worker: usize },
    /// A second Worker yields an inline DO: `duplicate-host` at both hosting sites.
    DuplicateHost { worker: usize, do_index: usize },
    /// `X.from("HostId")`: one `from-string-literal`.
    FromStringLiteral { worker: usize },
    /// A stub method that is not in the Shape: one `unknown-rpc-method`.
    UnknownRpcMethod { worker: usize },
    /// Workers of this stack bind, with `.from(H)`, a host H that another stack deploys: the
    /// stack deploys a second H without its Live, one `worker-live-not-provided` per H.
    SecondCopy { host: usize },
}

impl Plant {
    pub fn rule(&self) -> &'static str {
        match self {
            Plant::FromNonHost { .. } => "from-non-host",
            Plant::LiveNotProvided { .. } => "worker-live-not-provided",
            Plant::DuplicateHost { .. } => "duplicate-host",
            Plant::FromStringLiteral { .. } => "from-string-literal",
            Plant::UnknownRpcMethod { .. } => "unknown-rpc-method",
            Plant::SecondCopy { .. } => "worker-live-not-provided",
        }
    }

    /// How many diagnostics this plant produces.
    pub fn diagnostics(&self) -> usize {
        match self {
            Plant::DuplicateHost { .. } => 2,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AppPlan {
    pub index: usize,
    pub dir: String,
    pub generation: Generation,
    pub workers: Vec<WorkerPlan>,
    pub dos: Vec<DoPlan>,
    pub plants: Vec<Plant>,
}

/// The two methods of DO `d` of app `index` (the same in every plan of that app).
fn methods(index: usize, d: usize) -> (&'static str, &'static str) {
    METHODS[(index + d) % METHODS.len()]
}

/// The class name (and logical id) of Worker `j` of app `index`. Cross-stack shapes: each
/// stack also deploys the next app's hosts, so the ids carry the app's index to stay distinct.
fn worker_name(spec: &Spec, index: usize, j: usize) -> String {
    if spec.cross_stack {
        format!("{}A{index:03}", name_at(WORKER_NAMES, j))
    } else {
        name_at(WORKER_NAMES, j)
    }
}

pub fn app_dir(index: usize) -> String {
    format!("apps/app-{index:03}")
}

fn name_at(list: &[&str], i: usize) -> String {
    let base = list[i % list.len()];
    match i / list.len() {
        0 => base.to_string(),
        n => format!("{base}{}", n + 1),
    }
}

impl AppPlan {
    pub fn new(spec: &Spec, index: usize) -> AppPlan {
        let generation = if index % 4 == 3 && !spec.cross_stack {
            Generation::G2
        } else {
            Generation::G1
        };
        let mut workers: Vec<WorkerPlan> = (0..spec.workers_per_app)
            .map(|j| WorkerPlan {
                name: worker_name(spec, index, j),
                form: match j % 5 {
                    0 | 3 => WorkerForm::Modular,
                    1 => WorkerForm::Inline,
                    2 => WorkerForm::Value,
                    _ => WorkerForm::Rpc,
                },
                hosts_modular: Vec::new(),
                hosts_inline: Vec::new(),
                binds: None,
            })
            .collect();
        let modular: Vec<usize> = (0..workers.len())
            .filter(|&j| workers[j].form.is_modular())
            .collect();
        let others: Vec<usize> = (0..workers.len())
            .filter(|&j| !workers[j].form.is_modular())
            .collect();

        // Modular DOs first (about half), then inline ones.
        let n_modular = spec.dos_per_app.div_ceil(2);
        let mut dos = Vec::new();
        for d in 0..spec.dos_per_app {
            let is_modular = d < n_modular;
            let k = if is_modular { d } else { d - n_modular };
            let (a, b) = methods(index, d);
            let host = if is_modular {
                modular[k % modular.len()]
            } else {
                others[k % others.len()]
            };
            dos.push(DoPlan {
                name: name_at(
                    if is_modular {
                        MODULAR_DO_NAMES
                    } else {
                        INLINE_DO_NAMES
                    },
                    k,
                ),
                modular: is_modular,
                methods: (a.to_string(), b.to_string()),
                host,
            });
            if is_modular {
                workers[host].hosts_modular.push(d);
            } else {
                workers[host].hosts_inline.push(d);
            }
        }
        // Every Worker binds one modular DO hosted elsewhere, if there is one: in its own app,
        // or (cross-stack shapes) the same DO of the next app, from that app's host, whose
        // stack deploys it.
        let next = (index + 1) % spec.apps;
        for (j, w) in workers.iter_mut().enumerate() {
            if n_modular == 0 {
                break;
            }
            let d = j % n_modular;
            if dos[d].host != j {
                let app = (spec.cross_stack && next != index).then_some(next);
                w.binds = Some(Binding {
                    do_index: d,
                    app,
                    host_name: worker_name(spec, app.unwrap_or(index), dos[d].host),
                    via: Via::Worker(dos[d].host),
                    method: if spec.cross_stack {
                        methods(next, d).1.to_string()
                    } else {
                        dos[d].methods.1.clone()
                    },
                });
            }
        }

        let mut plants = Vec::new();
        if spec.cross_stack && next != index {
            let mut hosts: Vec<usize> = workers
                .iter()
                .filter_map(|w| w.binds.as_ref().map(|b| dos[b.do_index].host))
                .collect();
            hosts.sort_unstable();
            hosts.dedup();
            plants.extend(hosts.into_iter().map(|host| Plant::SecondCopy { host }));
            return AppPlan {
                index,
                dir: app_dir(index),
                generation,
                workers,
                dos,
                plants,
            };
        }
        let n = workers.len();
        // from-non-host: Worker 2 (value form) binds from Worker 1 (inline, publishes nothing).
        if index % 4 == 1 && n > 2 && workers[2].binds.is_some() {
            if let Some(b) = &mut workers[2].binds {
                b.via = Via::Worker(1);
                b.host_name = worker_name(spec, index, 1);
            }
            plants.push(Plant::FromNonHost { worker: 2 });
        }
        // worker-live-not-provided: the stack omits Worker 3's Live.
        if index % 5 == 2 && n > 3 && workers[3].form.is_modular() {
            plants.push(Plant::LiveNotProvided { worker: 3 });
        }
        // duplicate-host: Worker 7 also yields the first inline DO.
        if index.is_multiple_of(3)
            && n > 7
            && let Some(d) = dos.iter().position(|d| !d.modular)
            && dos[d].host != 7
        {
            workers[7].hosts_inline.push(d);
            plants.push(Plant::DuplicateHost {
                worker: 7,
                do_index: d,
            });
        }
        // from-string-literal: Worker 6 binds by the host's logical id.
        if index % 7 == 3
            && n > 6
            && let Some(b) = &mut workers[6].binds
            && let Via::Worker(h) = b.via
        {
            b.via = Via::Literal(worker_name(spec, index, h));
            plants.push(Plant::FromStringLiteral { worker: 6 });
        }
        // unknown-rpc-method: Worker 1 calls a method its DO's Shape lacks.
        if index % 6 == 4
            && n > 1
            && let Some(b) = &mut workers[1].binds
        {
            b.method = format!("{}All", b.method);
            plants.push(Plant::UnknownRpcMethod { worker: 1 });
        }

        AppPlan {
            index,
            dir: app_dir(index),
            generation,
            workers,
            dos,
            plants,
        }
    }

    pub fn stack_name(&self) -> String {
        format!("App{:03}", self.index)
    }

    pub fn worker_file(&self, j: usize) -> String {
        format!("{}/src/workers/{}.ts", self.dir, self.workers[j].name)
    }

    pub fn do_file(&self, d: usize) -> String {
        format!("{}/src/objects/{}.ts", self.dir, self.dos[d].name)
    }

    /// Is Worker `j`'s Live left out of the stack on purpose?
    pub fn live_omitted(&self, j: usize) -> bool {
        self.plants.contains(&Plant::LiveNotProvided { worker: j })
    }

    /// The first modular DO bound from its host by a Worker of this app, that host and the
    /// binding Worker (the host may live in another app, `plans[app]`); `None` when this app
    /// carries a planted mistake other than [`Plant::SecondCopy`] (whose findings are in the
    /// stack file, not in Workers).
    pub fn lsp_target(&self, plans: &[AppPlan]) -> Option<LspTarget> {
        if self.plants.iter().any(|p| !matches!(p, Plant::SecondCopy { .. })) {
            return None;
        }
        let (consumer, binding) = self
            .workers
            .iter()
            .enumerate()
            .find_map(|(j, w)| match &w.binds {
                Some(
                    b @ Binding {
                        via: Via::Worker(_), ..
                    },
                ) => Some((j, b.clone())),
                _ => None,
            })?;
        let Via::Worker(h) = binding.via else { return None };
        let host_app = plans.get(binding.app.unwrap_or(self.index))?;
        let d = &host_app.dos[binding.do_index];
        Some(LspTarget {
            host_file: host_app.worker_file(h),
            consumer_file: self.worker_file(consumer),
            do_class: d.name.clone(),
            host_class: host_app.workers[h].name.clone(),
            host_method: d.methods.0.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::spec;

    #[test]
    fn every_modular_do_has_one_modular_host_and_plants_are_disjoint() {
        for s in crate::synth::SIZES {
            for i in 0..s.apps {
                let p = AppPlan::new(s, i);
                for (d, o) in p.dos.iter().enumerate() {
                    let h = &p.workers[o.host];
                    if o.modular {
                        assert!(h.form.is_modular(), "{} {d}", s.name);
                        assert!(h.hosts_modular.contains(&d));
                    }
                }
                let mut workers: Vec<usize> = p
                    .plants
                    .iter()
                    .filter_map(|pl| match pl {
                        Plant::LiveNotProvided { .. } => None,
                        Plant::FromNonHost { worker }
                        | Plant::DuplicateHost { worker, .. }
                        | Plant::FromStringLiteral { worker }
                        | Plant::UnknownRpcMethod { worker } => Some(*worker),
                        Plant::SecondCopy { .. } => None,
                    })
                    .collect();
                let n = workers.len();
                workers.dedup();
                assert_eq!(n, workers.len());
            }
        }
        assert!(spec("ws10k").is_some());
    }

    #[test]
    fn cross_stack_shapes_bind_the_next_app_and_count_one_finding_per_host() {
        for s in crate::synth::SIZES.iter().filter(|s| s.cross_stack) {
            for i in 0..s.apps {
                let p = AppPlan::new(s, i);
                let next = (i + 1) % s.apps;
                let mut hosts = Vec::new();
                for w in &p.workers {
                    if let Some(b) = &w.binds {
                        assert_eq!(b.app, Some(next), "{} app {i}", s.name);
                        assert_eq!(b.method, AppPlan::new(s, next).dos[b.do_index].methods.1);
                        hosts.push(p.dos[b.do_index].host);
                    }
                }
                hosts.sort_unstable();
                hosts.dedup();
                assert!(!hosts.is_empty());
                assert_eq!(p.plants.len(), hosts.len(), "{} app {i}", s.name);
                assert!(p.plants.iter().all(|pl| matches!(pl, Plant::SecondCopy { .. })));
                assert_eq!(p.generation, Generation::G1);
            }
        }
        assert_eq!(
            (0..10)
                .map(|i| AppPlan::new(&spec("findings50k").unwrap(), i).plants.len())
                .sum::<usize>(),
            3_000
        );
    }

    #[test]
    fn ws50k_stacks_hold_1000_workers_binding_dos_of_their_own_stack() {
        let s = spec("ws50k").unwrap();
        let plans: Vec<AppPlan> = (0..s.apps).map(|i| AppPlan::new(&s, i)).collect();
        assert_eq!(plans.len(), 10);
        for p in &plans {
            assert_eq!(p.workers.len(), 1_000);
            assert_eq!(p.dos.len(), 300);
            let bound = p
                .workers
                .iter()
                .filter_map(|w| w.binds.as_ref())
                .collect::<Vec<_>>();
            assert!(bound.len() > 900, "{}", bound.len());
            assert!(bound.iter().all(|b| b.app.is_none()));
        }
        // from-non-host 3, worker-live-not-provided 2, duplicate-host 4 (8 findings), from-string-literal 1, unknown-rpc-method 1
        assert_eq!(plans.iter().map(|p| p.plants.len()).sum::<usize>(), 11);
    }

    #[test]
    fn every_rule_is_planted_in_every_size() {
        for s in crate::synth::SIZES.iter().filter(|s| !s.cross_stack) {
            let mut rules: Vec<&str> = (0..s.apps)
                .flat_map(|i| AppPlan::new(s, i).plants)
                .map(|p| p.rule())
                .collect();
            rules.sort_unstable();
            rules.dedup();
            assert_eq!(rules.len(), 5, "{}: {rules:?}", s.name);
        }
    }
}
