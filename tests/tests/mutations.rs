//! Thousands of seeded mutations of the 2024 pack's examples keep the report contract
//! (docs/report.md), in both languages, whole and step by step. The same mutations, written by
//! `baokao test --write-mutations`, are the cross-runtime vectors of the Python and WebAssembly
//! suites: they must give the same reports there.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use baokao::testing::mutations::{contract_violations, generate, judge};
use baokao::{Engine, Options};

fn engine() -> Engine {
    Engine::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/nmec-2024")).unwrap()
}

#[test]
fn three_thousand_mutations_keep_the_report_contract() {
    let e = engine();
    let inputs = generate(&e, 7, 3000);
    assert_eq!(inputs.len(), 3000);
    let (lines, violations) = judge(&e, &inputs);
    assert_eq!(lines.len(), 3000);
    assert!(violations.is_empty(), "{violations:#?}");
    // The generator reaches every outcome and both kinds of unreadable input.
    let text = lines
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    for outcome in [
        "eligible",
        "conditional",
        "ineligible",
        "needs_review",
        "undetermined",
    ] {
        assert!(
            text.contains(&format!("\"outcome\":\"{outcome}\"")),
            "no {outcome}"
        );
    }
    assert!(text.contains("\"malformed_json\"") && text.contains("\"not_an_object\""));
}

#[test]
fn the_generator_is_deterministic() {
    let e = engine();
    let a: Vec<String> = generate(&e, 42, 50)
        .iter()
        .map(|m| format!("{:?}{:?}{:?}", m.step, m.document, m.text))
        .collect();
    let b: Vec<String> = generate(&e, 42, 50)
        .iter()
        .map(|m| format!("{:?}{:?}{:?}", m.step, m.document, m.text))
        .collect();
    assert_eq!(a, b);
    let c: Vec<String> = generate(&e, 43, 50)
        .iter()
        .map(|m| format!("{:?}{:?}{:?}", m.step, m.document, m.text))
        .collect();
    assert_ne!(a, c);
}

/// The contract check is not vacuous: reports that break the contract are caught.
#[test]
fn broken_reports_are_caught() {
    let e = engine();
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../rules/nmec-2024/examples/c-nursing-ineligible.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let good = e.run(&doc, &Options::default()).unwrap();
    assert!(contract_violations(&e, &good, None).is_empty());

    let mut valid_with_error = good.clone();
    valid_with_error.diagnostics.push(baokao::Diagnostic {
        code: "x".into(),
        rule: None,
        path: "/basic/name".into(),
        severity: baokao::model::Severity::Error,
        step: Some("basic".into()),
        message: "x".into(),
        cite: None,
    });
    assert!(!contract_violations(&e, &valid_with_error, None).is_empty());

    let mut ineligible_without_reasons = good.clone();
    ineligible_without_reasons.eligibility.reasons.clear();
    assert!(!contract_violations(&e, &ineligible_without_reasons, None).is_empty());

    let mut route_without_label = good.clone();
    route_without_label.eligibility.route_label = None;
    assert!(!contract_violations(&e, &route_without_label, None).is_empty());

    let mut stepwise_with_materials = good;
    assert!(!contract_violations(&e, &stepwise_with_materials, Some("basic")).is_empty());
    stepwise_with_materials.step = Some("basic".into());
    assert!(!contract_violations(&e, &stepwise_with_materials, Some("basic")).is_empty());
}
