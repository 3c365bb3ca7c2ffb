//! `worker-replaced`: a deploy-impact rule (against the baseline revision; see `analysis::impact`).

use super::RuleMeta;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::impact;
use crate::analysis::model::Model;

pub const ID: &str = impact::WORKER_REPLACED;

/// The rule's catalog entry (`alchemy-ls rules worker-replaced`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a deployed Worker would be replaced (new logical id, `name` or namespace)",
    description: "Changing a Worker's logical id (without `Alchemy.renamedFrom`, beta.69 and later), its `name`, its \
dispatch namespace, or turning it into a version or preview replaces it: the old script is deleted with \
every Durable Object it hosts, and Workflow names change. An error when the Worker hosts Durable Objects \
or Workflows, a warning otherwise. Removing `name` keeps the deployed name. The fix adds \
`.pipe(Alchemy.renamedFrom(\"Old\"))` to the stack's `yield*` of the Worker.",
    bad: r#"// baseline: Worker("Api")
export class Api extends Cloudflare.Worker<Api, {}, Counter>()("PublicApi") {}"#,
    good: r#"export class Api extends Cloudflare.Worker<Api, {}, Counter>()("PublicApi") {}
// alchemy.run.ts
yield* Api.pipe(Alchemy.renamedFrom("Api"));"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    impact::emit(m, &META, out);
}
