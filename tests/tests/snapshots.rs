//! Snapshots of what people read: `Report::to_text()` of an invalid and ineligible application of the
//! minimal fixture in Chinese and English, and the explain trace of the same application. The
//! snapshots live in `tests/tests/snapshots/`; each was reviewed against the semantics by hand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use baokao::{Engine, Lang, Options};

fn engine() -> Engine {
    Engine::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/minimal"))
        .expect("the minimal fixture compiles")
}

fn invalid() -> serde_json::Value {
    serde_json::from_str(include_str!("../fixtures/minimal/invalid.json")).unwrap()
}

#[test]
fn text_report_zh() {
    let report = engine()
        .run(&invalid(), &Options::default().with_lang(Lang::Zh))
        .unwrap();
    insta::assert_snapshot!("text_report_zh", report.to_text());
}

#[test]
fn text_report_en() {
    let report = engine()
        .run(&invalid(), &Options::default().with_lang(Lang::En))
        .unwrap();
    insta::assert_snapshot!("text_report_en", report.to_text());
}

#[test]
fn text_report_step() {
    let report = engine()
        .run(
            &invalid(),
            &Options::default().with_lang(Lang::En).with_step("basic"),
        )
        .unwrap();
    insta::assert_snapshot!("text_report_step_basic_en", report.to_text());
}

#[test]
fn explain_trace() {
    let report = engine()
        .run(&invalid(), &Options::default().with_explain(true))
        .unwrap();
    let trace = report.trace.as_ref().expect("explain adds a trace");
    insta::assert_snapshot!(
        "explain_trace",
        serde_json::to_string_pretty(trace).unwrap()
    );
}

#[test]
fn plain_run_has_no_trace() {
    let report = engine().run(&invalid(), &Options::default()).unwrap();
    assert!(report.trace.is_none());
    assert!(!serde_json::to_string(&report)
        .unwrap()
        .contains("\"trace\""));
}
