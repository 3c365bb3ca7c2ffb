//! The method names of a DO's Shape (for completion and hover).

use alchemy_grammar::{Expr, TypeKind};

use crate::analysis::model::Model;
use crate::analysis::resources::Form;

/// Method names of DO `r`: D1's Shape type literal, or the object literal the inner effect of
/// an inline DO returns. `None` when unknown.
pub fn methods(m: &Model, r: usize) -> Option<Vec<String>> {
    let info = m.res(r);
    match info.form {
        Form::D1 => {
            let ta = info.type_args.as_ref()?;
            match &ta.args.get(1)?.kind {
                TypeKind::Object {
                    members,
                    opaque: false,
                } => Some(members.iter().map(|mm| mm.name.clone()).collect()),
                _ => None,
            }
        }
        Form::D2 | Form::D3 => {
            let ctx = &m.ctx;
            let impl_ = *info.args.get(1)?;
            // outer Effect.gen(function* () { return Effect.gen(function* () { return {…} }) })
            let outer = gen_body(m, info.file, impl_)?;
            for ret in &outer.returns {
                let inner = gen_body(m, info.file, *ret)?;
                for r2 in &inner.returns {
                    if let Some(Expr::Object {
                        props,
                        has_spread: false,
                    }) = ctx.kind(info.file, *r2)
                    {
                        return Some(props.iter().filter_map(|p| p.key.clone()).collect());
                    }
                }
            }
            None
        }
        _ => None,
    }
}

fn gen_body<'m>(m: &'m Model, file: crate::workspace::FileId, e: u32) -> Option<&'m alchemy_grammar::Body> {
    let ctx = &m.ctx;
    let (_, args) = ctx.effect_call(file, e, crate::analysis::api::EffectMod::Effect)?;
    for a in args.iter().rev() {
        if let Some(Expr::Function { body, .. }) = ctx.kind(file, *a) {
            return Some(body);
        }
    }
    None
}
