//! Property tests: validating arbitrary documents never panics. (The parser's properties — it never
//! panics, printing a tree and parsing it back gives the same tree — are unit tests of the core,
//! `core/src/expr/properties.rs`, since the parser is internal.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::sync::OnceLock;

use baokao::{Engine, Lang, Options};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// (c) Validating arbitrary documents never panics.
// ---------------------------------------------------------------------------------------------

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/minimal"))
            .expect("the minimal fixture compiles")
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "basic", "exam", "name", "id_number", "birth_date", "level", "years", "nickname", "", "~", "a/b",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn json_leaf() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value as J;
    prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        any::<u64>().prop_map(J::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(J::Null, J::Number)),
        prop::sample::select(vec![
            "110105199003071239",
            "110105201001010015",
            "11010519900307123x",
            "1990-03-07",
            "1990-02-30",
            "2024-08",
            "2024-01-22T09:30:00+08:00",
            "执业医师",
            "执业助理医师",
            "-",
            "",
            "张三",
            "Zhang San",
        ])
        .prop_map(J::from),
        any::<String>().prop_map(J::String),
    ]
}

/// JSON values nested at most 4 levels.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    json_leaf().prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Mostly objects keyed by step ids, sometimes anything.
fn document() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        4 => prop::collection::btree_map(key(), json_value(), 0..4).prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        1 => json_value(),
    ]
}

fn options() -> impl Strategy<Value = Options> {
    (
        prop::sample::select(vec![Lang::Zh, Lang::En]),
        prop::option::of(prop::sample::select(vec!["basic", "exam", "bogus", ""])),
        any::<bool>(),
    )
        .prop_map(|(lang, step, explain)| {
            let mut o = Options::default().with_lang(lang).with_explain(explain);
            if let Some(s) = step {
                o = o.with_step(s);
            }
            o
        })
}

fn check_result(result: &Result<baokao::Report, baokao::Error>) -> Result<(), TestCaseError> {
    match result {
        Ok(report) => {
            let errors = report
                .diagnostics
                .iter()
                .any(|d| d.severity == baokao::model::Severity::Error);
            prop_assert_eq!(report.valid, !errors);
            prop_assert!(serde_json::to_string(report).is_ok());
            prop_assert!(!report.to_text().is_empty());
        }
        Err(e) => prop_assert!(!e.code().is_empty(), "an error without a code: {e:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn run_never_panics(doc in document(), opts in options()) {
        check_result(&engine().run(&doc, &opts))?;
    }

    #[test]
    fn validate_json_never_panics_on_documents(doc in document(), opts in options()) {
        let text = serde_json::to_string(&doc).unwrap();
        check_result(&engine().validate_json(&text, &opts))?;
    }

    #[test]
    fn validate_json_never_panics_on_strings(text in any::<String>(), opts in options()) {
        check_result(&engine().validate_json(&text, &opts))?;
    }

    #[test]
    fn validate_json_never_panics_on_json_soup(
        parts in prop::collection::vec(prop::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"basic\"", "\"exam\"", "\"name\"", "\"years\"", "1", "-1", "1e999", "null",
            "true", "\"", "\\", "\"-\"", "\"1990-03-07\"", " ",
        ]), 0..40),
        opts in options(),
    ) {
        check_result(&engine().validate_json(&parts.concat(), &opts))?;
    }

    #[test]
    fn validate_json_bytes_never_panics_on_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        opts in options(),
    ) {
        let result = engine().validate_json_bytes(&bytes, &opts);
        check_result(&result)?;
        if std::str::from_utf8(&bytes).is_err() {
            prop_assert_eq!(result.unwrap_err().code(), "invalid_encoding");
        }
    }
}
