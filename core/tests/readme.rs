//! The README's Rust quick start is the crate-level doctest of `lib.rs` (which runs it); this test
//! keeps the two copies identical, so the README never shows code that was not executed.

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
