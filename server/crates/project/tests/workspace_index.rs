//! The incremental index: overlays, disk changes, config changes, id stability, the facts
//! cache.

#[path = "../../../tests/common/mod.rs"]
mod common;
#[path = "workspace_summary.rs"]
mod workspace_summary;

use std::sync::Arc;

use alchemy_ls_project::config::{self, Config};
use alchemy_ls_project::workspace::{Index, LoadOptions, Resolved};
use common::fixture::Fixture;
use workspace_summary::{file_list, summary};

const BASE: &str = r#"
//- src/stack.ts
import * as Cloudflare from "alchemy/Cloudflare";
import { Api } from "./api.ts";
//- src/api.ts
import * as Cloudflare from "alchemy/Cloudflare";
export class Api {}
//- src/plain.ts
export const plain = 1;
//- src/helper.ts
export const helper = 1;
//- src/cf.ts
export const notYet = 1;
//- src/uses-cf.ts
import * as C from "./cf.ts";
"#;

fn index(fx: &Fixture) -> Index {
    let mut index = Index::new(
        vec![fx.root.clone()],
        Arc::new(Config::default()),
        LoadOptions::default(),
    );
    index.scan();
    index
}

#[test]
fn overlay_edit_reparses_and_loads_new_imports() {
    let fx = Fixture::new(BASE);
    let mut index = index(&fx);
    let before = index.snapshot();
    assert_eq!(file_list(&before, &fx.root), ["*src/api.ts", "*src/stack.ts"]);
    let api_id = index.file_id(&fx.path("src/api.ts")).unwrap();

    // An unrelated file opened and edited to use Alchemy and a helper.
    index.set_overlay(
        &fx.path("src/plain.ts"),
        Arc::from("import { Worker } from 'alchemy/Cloudflare';\nimport { helper } from './helper.ts';\n"),
    );
    let ws = index.snapshot();
    insta::assert_snapshot!(summary(&ws, &fx.root), @r#"
    root src/api.ts
      import "alchemy/Cloudflare" -> external alchemy/Cloudflare
    root src/plain.ts
      import "alchemy/Cloudflare" -> external alchemy/Cloudflare
      import "./helper.ts" -> opaque src/helper.ts
    root src/stack.ts
      import "alchemy/Cloudflare" -> external alchemy/Cloudflare
      import "./api.ts" -> file src/api.ts
    "#);
    // Ids are stable and untouched files are shared, not copied.
    assert_eq!(index.file_id(&fx.path("src/api.ts")), Some(api_id));
    assert!(Arc::ptr_eq(
        &before.files[api_id.0 as usize],
        &ws.files[api_id.0 as usize]
    ));

    // The helper is opaque: never loaded.
    assert_eq!(index.file_id(&fx.path("src/helper.ts")), None);
    // Editing again: the helper import goes away.
    index.set_overlay(
        &fx.path("src/plain.ts"),
        Arc::from("import { Worker } from 'alchemy/Cloudflare';\n"),
    );
    let ws = index.snapshot();
    assert_eq!(
        file_list(&ws, &fx.root),
        ["*src/api.ts", "*src/plain.ts", "*src/stack.ts"]
    );

    // Closing the buffer falls back to disk, where the file is not relevant.
    let plain_id = index.file_id(&fx.path("src/plain.ts")).unwrap();
    index.remove_overlay(&fx.path("src/plain.ts"));
    let ws = index.snapshot();
    assert_eq!(file_list(&ws, &fx.root), ["*src/api.ts", "*src/stack.ts"]);
    assert!(ws.files.len() > plain_id.0 as usize);

    // A buffer is what `check` would read there: reopened with text that imports no Alchemy
    // package, the file stays unloaded (opening a file changes no diagnostic) …
    index.set_overlay(&fx.path("src/plain.ts"), Arc::from("export const plain = 2;\n"));
    assert_eq!(index.file_id(&fx.path("src/plain.ts")), None);
    // … and with text that does, it is a root again, under its old id.
    let text = "import 'alchemy';\nexport const plain = 2;\n";
    index.set_overlay(&fx.path("src/plain.ts"), Arc::from(text));
    assert_eq!(index.file_id(&fx.path("src/plain.ts")), Some(plain_id));
    let ws = index.snapshot();
    assert!(ws.file(plain_id).root, "a relevant buffer is a root");
    assert_eq!(&*ws.file(plain_id).text, text);
}

#[test]
fn overlay_of_an_unsaved_file() {
    let fx = Fixture::new(BASE);
    let mut index = index(&fx);
    let new = fx.path("src/new.ts");
    index.set_overlay(
        &new,
        Arc::from("import { Api } from './api.ts';\nimport { x } from './nope.ts';\n"),
    );
    let ws = index.snapshot();
    let f = ws.file(index.file_id(&new).unwrap());
    assert!(f.root);
    assert_eq!(
        f.imports[0],
        Resolved::File(index.file_id(&fx.path("src/api.ts")).unwrap())
    );
    assert!(matches!(f.imports[1], Resolved::NotFound { .. }));
    index.remove_overlay(&new);
    assert_eq!(index.file_id(&new), None);
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*src/api.ts", "*src/stack.ts"]
    );
}

#[test]
fn disk_changes_update_relevance_through_reexports() {
    let fx = Fixture::new(BASE);
    let mut index = index(&fx);
    // cf.ts starts re-exporting Alchemy: it and its importer become roots.
    std::fs::write(fx.path("src/cf.ts"), "export * from 'alchemy/Cloudflare';\n").unwrap();
    index.file_changed_on_disk(&fx.path("src/cf.ts"));
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*src/api.ts", "*src/cf.ts", "*src/stack.ts", "*src/uses-cf.ts"]
    );
    // And back.
    std::fs::write(fx.path("src/cf.ts"), "export const notAgain = 1;\n").unwrap();
    index.file_changed_on_disk(&fx.path("src/cf.ts"));
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*src/api.ts", "*src/stack.ts"]
    );
}

#[test]
fn created_and_deleted_files() {
    let fx = Fixture::new(BASE);
    let mut index = index(&fx);
    let stack = fx.path("src/stack.ts");
    // stack.ts imports a file that does not exist yet.
    std::fs::write(&stack, "import 'alchemy';\nimport { W } from './later';\n").unwrap();
    index.file_changed_on_disk(&stack);
    let ws = index.snapshot();
    let imports = &ws.file(index.file_id(&stack).unwrap()).imports;
    assert!(
        matches!(&imports[1], Resolved::NotFound { reason } if reason.contains("./later")),
        "{imports:?}"
    );

    // later.ts mentions no Alchemy package: it resolves (to that path) but is not parsed.
    let later = fx.path("src/later.ts");
    std::fs::write(&later, "export const W = 1;\n").unwrap();
    index.file_changed_on_disk(&later);
    let ws = index.snapshot();
    let import = &ws.file(index.file_id(&stack).unwrap()).imports[1];
    assert!(matches!(import, Resolved::Opaque { .. }), "{import:?}");
    assert_eq!(target(&ws, import), Some(later.clone()));
    assert_eq!(index.file_id(&later), None, "an opaque file is not loaded");

    // A more specific file appears next to the resolved one: `./later` now picks `later.ts`
    // still (`.ts` before `.tsx`); a `later.d.ts` changes nothing either.
    std::fs::write(fx.path("src/later.tsx"), "export const W = 2;\n").unwrap();
    index.file_changed_on_disk(&fx.path("src/later.tsx"));
    let ws = index.snapshot();
    assert_eq!(
        target(&ws, &ws.file(index.file_id(&stack).unwrap()).imports[1]),
        Some(later.clone())
    );

    std::fs::remove_file(&later).unwrap();
    index.file_changed_on_disk(&later);
    let ws = index.snapshot();
    assert_eq!(
        target(&ws, &ws.file(index.file_id(&stack).unwrap()).imports[1]),
        Some(fx.path("src/later.tsx")),
        "falls back to later.tsx"
    );

    // later.tsx starts importing Alchemy: now it is a root, loaded and linked.
    std::fs::write(
        fx.path("src/later.tsx"),
        "import 'alchemy';\nexport const W = 2;\n",
    )
    .unwrap();
    index.file_changed_on_disk(&fx.path("src/later.tsx"));
    let ws = index.snapshot();
    let tsx = index.file_id(&fx.path("src/later.tsx")).expect("loaded");
    assert_eq!(
        ws.file(index.file_id(&stack).unwrap()).imports[1],
        Resolved::File(tsx)
    );
    std::fs::write(fx.path("src/later.tsx"), "export const W = 2;\n").unwrap();
    index.file_changed_on_disk(&fx.path("src/later.tsx"));
    let ws = index.snapshot();
    assert!(ws.file(tsx).text.is_empty(), "unloaded again: the slot is empty");

    // Deleting a root.
    std::fs::remove_file(fx.path("src/api.ts")).unwrap();
    index.file_changed_on_disk(&fx.path("src/api.ts"));
    let ws = index.snapshot();
    assert_eq!(file_list(&ws, &fx.root), ["*src/stack.ts"]);
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);

    // A new root file.
    std::fs::write(fx.path("src/extra.ts"), "import 'alchemy';\n").unwrap();
    index.file_changed_on_disk(&fx.path("src/extra.ts"));
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*src/extra.ts", "*src/stack.ts"]
    );
}

#[test]
fn created_files_respect_ignores() {
    let fx = Fixture::new(&format!(
        "{BASE}//- .gitignore\ngen/\n//- alchemy-ls.toml\nignore = ['skip/**']\n"
    ));
    let cfg = config::discover(&fx.root).unwrap();
    let mut index = Index::new(vec![fx.root.clone()], Arc::new(cfg), LoadOptions::default());
    index.scan();
    for rel in [
        "gen/a.ts",
        "skip/b.ts",
        "node_modules/x/c.ts",
        "dist/d.ts",
        "src/e.d.ts",
        "ok/f.ts",
    ] {
        let p = fx.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "import 'alchemy';\n").unwrap();
        index.file_changed_on_disk(&p);
    }
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*ok/f.ts", "*src/api.ts", "*src/stack.ts"]
    );
}

#[test]
fn resolver_config_changes_reresolve() {
    let fx = Fixture::new(&format!("{BASE}//- src/lib/x.ts\nexport const x = 1;\n"));
    let mut index = index(&fx);
    let stack = fx.path("src/stack.ts");
    std::fs::write(&stack, "import 'alchemy';\nimport { x } from '@/lib/x';\n").unwrap();
    index.file_changed_on_disk(&stack);
    let id = index.file_id(&stack).unwrap();
    assert!(matches!(
        index.snapshot().file(id).imports[1],
        Resolved::NotFound { .. }
    ));
    std::fs::write(
        fx.path("tsconfig.json"),
        r#"{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
    )
    .unwrap();
    index.file_changed_on_disk(&fx.path("tsconfig.json"));
    let ws = index.snapshot();
    assert_eq!(
        target(&ws, &ws.file(id).imports[1]),
        Some(fx.path("src/lib/x.ts"))
    );
    // A broken tsconfig is a problem, not an error.
    std::fs::write(fx.path("tsconfig.json"), "{ \"compilerOptions\": ").unwrap();
    index.file_changed_on_disk(&fx.path("tsconfig.json"));
    let ws = index.snapshot();
    assert!(
        ws.problems.iter().any(|(p, _)| p == &fx.path("tsconfig.json")),
        "{:?}",
        ws.problems
    );
}

#[test]
fn unchanged_files_are_not_reparsed() {
    let fx = Fixture::new(BASE);
    let mut index = index(&fx);
    let id = index.file_id(&fx.path("src/api.ts")).unwrap();
    let before = index.snapshot().file(id).facts.clone();
    index.file_changed_on_disk(&fx.path("src/api.ts"));
    index.scan();
    let ws = index.snapshot();
    assert!(Arc::ptr_eq(&before, &ws.file(id).facts));
    // The same content in a buffer reuses the facts too.
    let text = ws.file(id).text.clone();
    index.set_overlay(&fx.path("src/api.ts"), text);
    assert!(Arc::ptr_eq(&before, &index.snapshot().file(id).facts));
    // A real change does not.
    index.set_overlay(
        &fx.path("src/api.ts"),
        Arc::from("import 'alchemy';\nexport class Api2 {}\n"),
    );
    assert!(!Arc::ptr_eq(&before, &index.snapshot().file(id).facts));
}

#[test]
fn set_config_rediscovers() {
    let fx = Fixture::new(&format!(
        "{BASE}//- src/acme.ts\nimport {{ W }} from '@acme/alchemy/Cloudflare';\n"
    ));
    let mut index = index(&fx);
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*src/api.ts", "*src/stack.ts"]
    );
    let path = fx.path("alchemy-ls.toml");
    let cfg = config::parse_str("packages = ['@acme/alchemy']\nignore = ['src/api.ts']\n", &path).unwrap();
    index.set_config(Arc::new(cfg));
    let ws = index.snapshot();
    // api.ts is ignored as a root but still loaded as stack.ts's import.
    assert_eq!(
        file_list(&ws, &fx.root),
        ["*src/acme.ts", "*src/stack.ts", "src/api.ts"]
    );
    assert_eq!(
        ws.config.packages,
        [
            "alchemy",
            "@oddlynew/alchemy",
            "alchemy-effect",
            "@alchemy.run/cloudflare",
            "@acme/alchemy"
        ]
    );
    // Only rule levels changed: no rediscovery needed, the snapshot carries the new config.
    let mut cfg = (*ws.config).clone();
    cfg.rules.insert("deps-too-wide".into(), config::RuleLevel::Off);
    index.set_config(Arc::new(cfg.clone()));
    assert_eq!(*index.snapshot().config, cfg);
}

#[test]
fn directory_events_and_batches() {
    let fx = Fixture::new(&format!(
        "{BASE}//- src/sub/a.ts\nimport 'alchemy';\n//- src/sub/b.ts\nimport 'alchemy';\n"
    ));
    let mut index = index(&fx);
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*src/api.ts", "*src/stack.ts", "*src/sub/a.ts", "*src/sub/b.ts"]
    );
    // A deleted directory reported as one event.
    std::fs::remove_dir_all(fx.path("src/sub")).unwrap();
    index.file_changed_on_disk(&fx.path("src/sub"));
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*src/api.ts", "*src/stack.ts"]
    );
    // A created directory reported as one event.
    std::fs::create_dir_all(fx.path("src/new")).unwrap();
    std::fs::write(fx.path("src/new/c.ts"), "import 'alchemy';\n").unwrap();
    index.file_changed_on_disk(&fx.path("src/new"));
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*src/api.ts", "*src/new/c.ts", "*src/stack.ts"]
    );
    // A batch: one deletion, one creation, one change, an unrelated file.
    std::fs::remove_file(fx.path("src/new/c.ts")).unwrap();
    std::fs::write(fx.path("src/d.ts"), "import 'alchemy';\n").unwrap();
    std::fs::write(fx.path("src/plain.ts"), "import 'alchemy/Cloudflare';\n").unwrap();
    std::fs::write(fx.path("README.md"), "# hi\n").unwrap();
    index.files_changed_on_disk(&[
        fx.path("src/new/c.ts"),
        fx.path("src/d.ts"),
        fx.path("src/plain.ts"),
        fx.path("README.md"),
    ]);
    assert_eq!(
        file_list(&index.snapshot(), &fx.root),
        ["*src/api.ts", "*src/d.ts", "*src/plain.ts", "*src/stack.ts"]
    );
}

#[test]
fn edits_that_keep_the_imports() {
    let fx = Fixture::new(BASE);
    let mut index = index(&fx);
    let stack = fx.path("src/stack.ts");
    let base = "import * as Cloudflare from \"alchemy/Cloudflare\";\nimport { Api } from \"./api.ts\";\n";
    index.set_overlay(&stack, Arc::from(base));
    let id = index.file_id(&stack).unwrap();
    for i in 0..3 {
        index.set_overlay(
            &stack,
            Arc::from(format!("// edit {i}\n{base}export const n = {i};\n")),
        );
        let ws = index.snapshot();
        let f = ws.file(id);
        assert!(f.text.starts_with(&format!("// edit {i}\n")));
        assert_eq!(
            f.facts.imports[1].specifier_span.start as usize,
            "// edit 0\n".len() + 70
        );
        assert_eq!(f.facts.decls.iter().filter(|d| d.name == "n").count(), 1);
        assert_eq!(
            f.imports[1],
            Resolved::File(index.file_id(&fx.path("src/api.ts")).unwrap())
        );
        assert!(f.root);
    }
    // Now an import is added: the new target is resolved (opaque: it mentions no Alchemy
    // package, so it is not parsed).
    index.set_overlay(
        &stack,
        Arc::from(format!("{base}import {{ helper }} from './helper.ts';\n")),
    );
    let ws = index.snapshot();
    insta::assert_snapshot!(summary(&ws, &fx.root), @r#"
    root src/api.ts
      import "alchemy/Cloudflare" -> external alchemy/Cloudflare
    root src/stack.ts
      import "alchemy/Cloudflare" -> external alchemy/Cloudflare
      import "./api.ts" -> file src/api.ts
      import "./helper.ts" -> opaque src/helper.ts
    "#);
}

/// The path an import resolved to (loaded or opaque).
fn target(ws: &alchemy_ls_project::workspace::Workspace, r: &Resolved) -> Option<std::path::PathBuf> {
    match r {
        Resolved::File(id) => Some(ws.file(*id).path.clone()),
        Resolved::Opaque { path, .. } => Some(path.clone()),
        _ => None,
    }
}

#[test]
fn a_created_file_is_found_through_a_paths_alias() {
    // Bare resolutions are memoised per directory: creating the file an alias names must
    // still resolve (and deleting it must not keep the old answer).
    let fx = Fixture::new(&format!(
        "{BASE}//- tsconfig.json\n{{ \"compilerOptions\": {{ \"paths\": {{ \"@/*\": [\"./src/*\"] }} }} }}\n"
    ));
    let mut index = index(&fx);
    let stack = fx.path("src/stack.ts");
    std::fs::write(&stack, "import 'alchemy';\nimport { W } from '@/lib/later';\n").unwrap();
    index.file_changed_on_disk(&stack);
    let id = index.file_id(&stack).unwrap();
    assert!(matches!(
        index.snapshot().file(id).imports[1],
        Resolved::NotFound { .. }
    ));

    let later = fx.path("src/lib/later.ts");
    std::fs::create_dir_all(later.parent().unwrap()).unwrap();
    std::fs::write(&later, "import 'alchemy';\nexport const W = 1;\n").unwrap();
    index.file_changed_on_disk(&later);
    let ws = index.snapshot();
    let later_id = index.file_id(&later).expect("loaded: it imports Alchemy");
    assert_eq!(ws.file(id).imports[1], Resolved::File(later_id));

    std::fs::remove_file(&later).unwrap();
    index.file_changed_on_disk(&later);
    assert!(matches!(
        index.snapshot().file(id).imports[1],
        Resolved::NotFound { .. }
    ));
}
