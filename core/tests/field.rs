//! `Engine::validate_field`: what a live form shows next to one field.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::Path;

use baokao::{ApplicationError, Engine, Error, FindingKind, Lang};
use serde_json::{json, Value};

fn engine() -> Engine {
    Engine::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/nmec-2024")).unwrap()
}

fn example(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rules/nmec-2024/examples")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_field_gets_the_diagnostics_at_its_pointer_only() {
    let engine = engine();
    let mut app = example("a-clinical-bachelor.json");
    app["basic"]["id_number"] = json!("430102199805140319");
    app["basic"]["name"] = Value::Null;
    let id = engine
        .validate_field("/basic/id_number", &app, Lang::Zh)
        .unwrap();
    assert_eq!(&*id.step, "basic");
    assert!(!id.valid);
    assert!(!id.diagnostics.is_empty());
    assert!(id.diagnostics.iter().all(|d| d.path == "/basic/id_number"));
    let name = engine.validate_field("basic.name", &app, Lang::En).unwrap();
    assert_eq!(name.path, "/basic/name");
    assert_eq!(&*name.diagnostics[0].code, "required_missing");
    let ok = engine
        .validate_field("/basic/gender", &app, Lang::Zh)
        .unwrap();
    assert!(ok.valid && ok.diagnostics.is_empty());
}

#[test]
fn eligibility_findings_show_at_the_field_they_point_at() {
    let engine = engine();
    let major = engine
        .validate_field(
            "/education/major",
            &example("c-nursing-ineligible.json"),
            Lang::Zh,
        )
        .unwrap();
    assert!(major
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::Reason
            && f.finding.path.as_deref() == Some("/education/major")));
    let json = serde_json::to_value(&major).unwrap();
    // The finding is flattened beside its kind.
    assert_eq!(json["findings"][0]["kind"], "reason");
    assert!(json["findings"][0]["rule"].is_string());
}

#[test]
fn record_item_fields_resolve_and_unknown_fields_are_coded() {
    let engine = engine();
    let app = json!({"certificates": {"records": [{"cert_type": "nonsense"}]}});
    let r = engine
        .validate_field("/certificates/records/0/cert_type", &app, Lang::En)
        .unwrap();
    assert_eq!(&*r.step, "certificates");
    assert_eq!(&*r.diagnostics[0].code, "enum_mismatch");
    for bad in [
        "/certificates/records/x/cert_type",
        "/certificates/records/0/nope",
        "/basic/nope",
        "/nope",
        "",
        "basic",
    ] {
        let e = engine.validate_field(bad, &app, Lang::En).unwrap_err();
        assert_eq!(e.code(), "unknown_field", "{bad}");
    }
    let e = engine
        .validate_field("basic.nope", &app, Lang::En)
        .unwrap_err();
    let Error::Application(a @ ApplicationError::UnknownField { .. }) = &e else {
        panic!("{e:?}");
    };
    assert_eq!(a.path(), "/basic/nope");
    // The path is resolved before the text is read.
    let e = engine
        .validate_field_json("/basic/nope", "{", Lang::En)
        .unwrap_err();
    assert_eq!(e.code(), "unknown_field");
    let e = engine
        .validate_field_json("/basic/name", "{", Lang::En)
        .unwrap_err();
    assert_eq!(e.code(), "malformed_json");
}
