//! Snapshot of the rendered facts of every file in `tests/fixtures/`.

mod common;

use std::path::Path;

use alchemy_grammar::{Dialect, extract};

#[test]
fn fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 15, "fixtures missing");
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let dialect = Dialect::from_path(&name).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let facts = extract(&text, dialect);
        let rendered = common::render(&text, &facts);
        insta::with_settings!({ snapshot_suffix => name.replace('.', "_"), prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!("fixture", rendered);
        });
    }
}
