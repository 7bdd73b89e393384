//! The README's Rust quick start is the crate-level doctest of `lib.rs` (which runs it); this test
//! keeps the two copies identical, so the README never shows code that was not executed. Its pack
//! excerpts (`toml` blocks) are checked against `rules/nmec-2024`; its report excerpt (the `json`
//! block) is generated from a real run by `core/tests/docs_examples.rs`. (Python blocks:
//! `bindings-python/tests/test_readme.py`; JavaScript blocks: `bindings-wasm/test/readme.test.mjs`
//! and `browser.test.mjs`; command lines: `cli/tests/readme.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

fn rust_blocks(text: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in text.lines() {
        let line = line
            .strip_prefix("//! ")
            .or_else(|| line.strip_prefix("//!"))
            .unwrap_or(line);
        match (&mut current, line.trim_start()) {
            (None, l) if l == "```rust" || l == "```" && text.contains("//! ```") => {
                current = Some(Vec::new());
            }
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(b), l) => b.push(l.to_owned()),
            _ => {}
        }
    }
    blocks
}

#[test]
fn readme_quick_start_is_the_doctested_one() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap_or_default();
    let lib = std::fs::read_to_string(format!("{root}/core/src/lib.rs")).unwrap_or_default();
    let readme_block = rust_blocks(&readme).into_iter().next().unwrap_or_default();
    // Lines starting with `# ` are hidden set-up lines of the doctest.
    let lib_block: Vec<String> = rust_blocks(&lib)
        .into_iter()
        .next()
        .unwrap_or_default()
        .into_iter()
        .filter(|l| !l.starts_with("# std::env::set_current_dir"))
        .collect();
    assert!(!readme_block.is_empty(), "README has no ```rust block");
    assert_eq!(
        readme_block, lib_block,
        "README quick start and lib.rs doctest differ"
    );
}

/// The `toml` code blocks of the README are excerpts of `rules/nmec-2024`: every key of every field
/// and rule they show is the pack's own value.
#[test]
fn readme_pack_excerpts_are_the_packs_own() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap_or_default();
    let engine = baokao::Engine::from_dir(format!("{root}/rules/nmec-2024")).expect("the pack");
    let pack = serde_json::to_value(engine.pack()).expect("serialises");
    let blocks = fenced(&readme, "toml");
    assert!(blocks.len() >= 2, "README has its pack excerpts");
    let mut checked = 0;
    for block in blocks {
        let table: toml::Table = block.parse().expect("a README toml block parses");
        for (section, key) in [("field", "path"), ("rule", "id")] {
            let plural = if section == "field" {
                "fields"
            } else {
                "rules"
            };
            for entry in table
                .get(section)
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
            {
                let shown = serde_json::to_value(entry).expect("toml to json");
                let id = &shown[key];
                let real = pack[plural]
                    .as_array()
                    .and_then(|all| all.iter().find(|x| &x[key] == id))
                    .unwrap_or_else(|| {
                        panic!("README shows {section} {id}, which the pack does not have")
                    });
                for (k, v) in shown.as_object().into_iter().flatten() {
                    assert_eq!(
                        &real[k], v,
                        "README {section} {id}: `{k}` differs from the pack"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10, "checked {checked} keys");
}

/// The contents of the fenced blocks of `lang` in a Markdown text.
fn fenced(text: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line) {
            (None, l) if l.trim_end() == open => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            _ => {}
        }
    }
    blocks
}
