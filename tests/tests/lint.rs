//! `unicode_class`: `baokao lint` points at patterns whose `\d`, `\w`, `\s` or `\b` accept more than
//! ASCII (under the regex crate's Unicode mode `\d` is any script's digit: `^\d{6}$` took the
//! fullwidth ４１０００５ as a postcode until the 2024 pack wrote `[0-9]`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use baokao::Engine;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A one-field pack with this field pattern and this rule check, written to a fresh directory.
fn pack(name: &str, pattern: &str, check: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("baokao-lint-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = format!(
        r#"[pack]
id = "lint-{name}"
version = "1.0.0"
title = {{ zh = "检查", en = "Lint" }}

[[step]]
id = "s"
title = {{ zh = "步骤", en = "Step" }}

[[field]]
path = "s.code"
type = "text"
label = {{ zh = "代码", en = "Code" }}
pattern = '{pattern}'

[[rule]]
id = "R-1"
summary = "a check with a pattern"
severity = "error"
check = '{check}'
message = {{ zh = "R-1", en = "R-1" }}
cite = "tests/tests/lint.rs"
confidence = "H"
"#
    );
    std::fs::write(dir.join("pack.toml"), toml).unwrap();
    dir
}

fn unicode_findings(engine: &Engine) -> Vec<(String, String)> {
    engine
        .lint()
        .into_iter()
        .filter(|l| l.code == "unicode_class")
        .map(|l| (l.item, l.message))
        .collect()
}

#[test]
fn a_perl_class_in_a_field_pattern_or_an_expression_is_pointed_at() {
    let dir = pack("perl", r"^\d{6}$", r#"matches(s.code, "^[1-8]\\w+\\s?$")"#);
    let engine = Engine::from_dir(&dir).unwrap();
    let found = unicode_findings(&engine);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "field s.code");
    assert!(
        found[0].1.contains(r"pattern `^\d{6}$` uses \d,"),
        "{}",
        found[0].1
    );
    assert_eq!(found[1].0, "expression");
    assert!(found[1].1.contains(r"uses \s, \w,"), "{}", found[1].1);
    // The finding comes with the field's place in the file.
    let field = engine
        .lint()
        .into_iter()
        .find(|l| l.code == "unicode_class" && l.item == "field s.code")
        .unwrap();
    assert!(field.loc.is_some(), "{field:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn ascii_classes_escaped_backslashes_and_ascii_mode_are_not() {
    // `[0-9]`, an escaped backslash followed by `d`, and a pattern in ASCII mode (`(?-u)`).
    let dir = pack(
        "ascii",
        r"^[0-9]{6}\\d$",
        r#"matches(s.code, "(?-u)^\\d+$")"#,
    );
    let engine = Engine::from_dir(&dir).unwrap();
    assert_eq!(unicode_findings(&engine), Vec::<(String, String)>::new());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_bundled_packs_use_ascii_classes() {
    for pack in [
        "nmec-2024",
        "nmec-2024-beijing",
        "nmec-2024-hunan",
        "nmec-2024-example-dec31",
    ] {
        let engine = Engine::from_dir(repo().join("rules").join(pack)).unwrap();
        assert_eq!(
            unicode_findings(&engine),
            Vec::<(String, String)>::new(),
            "{pack}"
        );
    }
}
