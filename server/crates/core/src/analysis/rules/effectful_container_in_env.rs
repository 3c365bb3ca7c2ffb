//! `effectful-container-in-env`: a Container with an Effect runtime (`main`) placed in an
//! async Worker's `env`.

use super::{Diag, RuleMeta};
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::model::Model;

pub const ID: &str = "effectful-container-in-env";

/// The rule's catalog entry (`alchemy-ls rules effectful-container-in-env`, docs/rules.md, SARIF, editor settings).
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default_severity: Severity::Error,
    summary: "a Container without an image (an Effect runtime with `main`) in an async Worker's `env`",
    description: "An image Container (`image`, `dockerfile` or `context`) can be placed in an async Worker's \
`env`: the Worker then hosts its Durable Object namespace. A Container with an Effect runtime (`main`, \
built from `.make(…)`) has no image to deploy there and needs a Durable Object's init to bind it, so \
Alchemy rejects it in `env` (\"Container without a deployable image\"). Bind it from a Durable Object \
(`yield* Sandbox` with `Containers.layer(Sandbox)`), or declare an image Container.",
    bad: r#"yield* Cloudflare.Worker("Api", {
  main: "./src/api.ts",
  env: { SANDBOX: Sandbox }, // class Sandbox … .make({ main: import.meta.url }, impl)
});"#,
    good: r#"yield* Cloudflare.Worker("Api", {
  main: "./src/api.ts",
  env: { SANDBOX: Cloudflare.Container("Sandbox", { image: "nginx:latest" }) },
});"#,
};

pub fn check(m: &Model, out: &mut Vec<Diagnostic>) {
    let ctx = &m.ctx;
    for (w, file, span, c) in m.env_containers() {
        // Alchemy needs an image declaration (image, dockerfile or context) to bind a
        // Container in `env`; props it cannot read keep the rule silent.
        let info = m.res(c);
        let declared = info.args.get(1).is_some() as usize
            + ctx.makes.get(&c).map_or(0, |v| v.iter().filter(|(f, call)| ctx.make_props(*f, *call).is_some()).count());
        let props = ctx.props(c);
        if props.len() < declared {
            continue;
        }
        let has_image = props
            .iter()
            .any(|(f, o)| ["image", "dockerfile", "context"].iter().any(|k| ctx.prop(*f, *o, k).is_some()));
        if has_image {
            continue;
        }
        let (cn, wn) = (&m.res(c).name, &m.res(w).name);
        let msg = format!(
            "{cn} is a Container without a deployable image (an Effect runtime built from main), which Alchemy rejects in {wn}'s env: such a Container must be bound from a Durable Object's init. Bind it in a Durable Object (yield* {cn} with Containers.layer({cn})), or declare an image Container (image, dockerfile or context) here."
        );
        Diag::new(&META, file, span, msg).push(out);
    }
}
