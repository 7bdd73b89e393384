//! Host tests of the binding's logic: the JSON it hands JavaScript is the core's JSON, field
//! validation keeps the field's diagnostics, and errors carry stable codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use baokao::{Engine, Lang, LoadOptions, Options};
use baokao_wasm::glue::Glue;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bundle() -> String {
    let engine = Engine::from_dir(root().join("rules/nmec-2024")).expect("the pack compiles");
    serde_json::to_string(&engine.bundle(false)).unwrap()
}

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("rules/nmec-2024/examples").join(name)).unwrap()
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn reports_are_the_cores_json_byte_for_byte() {
    let text = bundle();
    let glue = Glue::from_bundle(&text).unwrap();
    let engine = Engine::from_bundle(&text).unwrap();
    for name in ["a-clinical-bachelor.json", "c-nursing-ineligible.json"] {
        let app = example(name);
        for (lang, code) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
            let core = engine
                .validate_json(&app, &Options::default().with_lang(lang))
                .unwrap();
            let ours = glue.run(&app, code, None, false).unwrap();
            assert_eq!(ours, serde_json::to_string(&core).unwrap(), "{name} {code}");
        }
        let step = glue.run(&app, "en", Some("basic".into()), false).unwrap();
        assert_eq!(parse(&step)["step"], "basic");
        let explained = glue.run(&app, "", None, true).unwrap();
        assert!(parse(&explained)["trace"].as_array().unwrap().len() > 10);
    }
}

#[test]
fn field_validation_keeps_the_fields_diagnostics() {
    let glue = Glue::from_bundle(&bundle()).unwrap();
    let mut app = parse(&example("a-clinical-bachelor.json"));
    app["basic"]["id_number"] = Value::from("430102199805140319");
    app["basic"]["name"] = Value::Null;
    let text = app.to_string();
    let id = parse(
        &glue
            .validate_field("/basic/id_number", &text, "zh")
            .unwrap(),
    );
    assert_eq!(id["step"], "basic");
    assert_eq!(id["valid"], false);
    let diags = id["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    assert!(diags.iter().all(|d| d["path"] == "/basic/id_number"));
    let name = parse(&glue.validate_field("basic.name", &text, "en").unwrap());
    assert_eq!(name["path"], "/basic/name");
    assert_eq!(name["diagnostics"][0]["code"], "required_missing");
    let ok = parse(&glue.validate_field("/basic/gender", &text, "zh").unwrap());
    assert_eq!(ok["valid"], true);
    assert_eq!(ok["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn field_validation_shows_eligibility_findings_at_the_field() {
    let glue = Glue::from_bundle(&bundle()).unwrap();
    let app = example("c-nursing-ineligible.json");
    let major = parse(&glue.validate_field("/education/major", &app, "zh").unwrap());
    let findings = major["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["kind"] == "reason" && f["path"] == "/education/major"),
        "{major}"
    );
}

#[test]
fn record_item_fields_resolve() {
    let glue = Glue::from_bundle(&bundle()).unwrap();
    let app = r#"{"certificates": {"records": [{"cert_type": "nonsense"}]}}"#;
    let r = parse(
        &glue
            .validate_field("/certificates/records/0/cert_type", app, "en")
            .unwrap(),
    );
    assert_eq!(r["step"], "certificates");
    assert_eq!(r["diagnostics"][0]["code"], "enum_mismatch");
    for bad in [
        "/certificates/records/x/cert_type",
        "/certificates/records/0/nope",
        "/basic/nope",
        "/nope",
        "",
        "basic",
    ] {
        let e = glue.validate_field(bad, app, "en").unwrap_err();
        assert_eq!(e.code, "unknown_field", "{bad}");
    }
}

#[test]
fn the_form_and_its_state_are_the_cores_json_byte_for_byte() {
    let text = bundle();
    let glue = Glue::from_bundle(&text).unwrap();
    let engine = Engine::from_bundle(&text).unwrap();
    for (code, lang) in [("zh", Lang::Zh), ("en", Lang::En), ("", Lang::Zh)] {
        assert_eq!(
            glue.form(code).unwrap(),
            serde_json::to_string(&engine.form(lang)).unwrap()
        );
    }
    assert_eq!(glue.form("fr").unwrap_err().code, "invalid_option");
    for name in ["a-clinical-bachelor.json", "c-nursing-ineligible.json"] {
        let app = example(name);
        assert_eq!(
            glue.form_state(&app).unwrap(),
            serde_json::to_string(&engine.form_state_json(&app).unwrap()).unwrap()
        );
    }
    let state = parse(
        &glue
            .form_state(
                r#"{"basic": {"id_type": "居民身份证", "id_number": "430102199805140318"}}"#,
            )
            .unwrap(),
    );
    assert_eq!(state["derived"][0]["value"], "男");
    assert_eq!(glue.form_state("[]").unwrap_err().code, "not_an_object");
    assert_eq!(parse(&glue.steps().unwrap())[0], "account");
}

#[test]
fn a_byte_order_mark_is_skipped_as_by_the_core() {
    let glue = Glue::from_bundle(&bundle()).unwrap();
    let app = example("a-clinical-bachelor.json");
    let marked = format!("\u{feff}{app}");
    assert_eq!(
        glue.run(&marked, "en", None, false).unwrap(),
        glue.run(&app, "en", None, false).unwrap()
    );
    assert_eq!(
        glue.validate_field("/basic/name", &marked, "en").unwrap(),
        glue.validate_field("/basic/name", &app, "en").unwrap()
    );
}

#[test]
fn errors_have_codes() {
    let text = bundle();
    let glue = Glue::from_bundle(&text).unwrap();
    let cases = [
        ("{", "malformed_json"),
        ("[]", "not_an_object"),
        (&*"[".repeat(100), "too_deep"),
    ];
    for (app, code) in cases {
        let e = glue.run(app, "zh", None, false).unwrap_err();
        assert_eq!(e.code, code);
        assert_eq!(e.path, "");
        let json = parse(&e.to_json());
        assert_eq!(json["code"], code);
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let e = glue
        .run("{}", "zh", Some("nope".into()), false)
        .unwrap_err();
    assert_eq!(e.code, "unknown_step");
    let e = glue.run("{}", "fr", None, false).unwrap_err();
    assert_eq!(e.code, "invalid_option");
    let e = Glue::from_bundle("{").unwrap_err();
    assert_eq!(e.code, "json_syntax");
    let e = Glue::from_bundle(&text.replacen("sha256:", "sha256:0", 1)).unwrap_err();
    assert_eq!(e.code, "digest_mismatch");
}

#[test]
fn a_pinned_digest_is_forwarded_to_the_core() {
    let text = bundle();
    let digest = Engine::from_bundle(&text)
        .unwrap()
        .info()
        .digest
        .to_string();
    let pinned = LoadOptions::default().with_digest(&digest);
    Glue::from_bundle_with(&text, &pinned).unwrap();
    let other = LoadOptions::default().with_digest(format!("sha256:{}", "0".repeat(64)));
    let e = Glue::from_bundle_with(&text, &other).unwrap_err();
    assert_eq!(e.code, "digest_mismatch");
    assert!(e.message.contains(&digest), "{}", e.message);
}

#[test]
fn a_bundle_that_does_not_compile_lists_every_problem() {
    let engine = Engine::from_dir(root().join("rules/nmec-2024")).unwrap();
    let mut pack = engine.pack().clone();
    for rule in pack.rules.iter_mut().take(2) {
        rule.check = Some(baokao::model::Source::new("basic.no_such_field == 1"));
    }
    let text = serde_json::to_string(&baokao::Bundle::new(&pack, false)).unwrap();
    let e = Glue::from_bundle(&text).unwrap_err();
    assert_eq!(e.code, "unknown_field");
    assert_eq!(e.details.len(), 2);
    let json = parse(&e.to_json());
    assert_eq!(json["details"][1]["code"], "unknown_field");
}

/// The `lang` option is the core's `Lang::parse`: any tag starting with zh or en; `""` the default.
#[test]
fn lang_options_are_language_tags() {
    use baokao_wasm::glue::parse_lang;
    for (tag, lang) in [
        ("", Lang::Zh),
        ("zh-Hans-CN", Lang::Zh),
        ("ZH", Lang::Zh),
        ("en-US", Lang::En),
        ("EN", Lang::En),
    ] {
        assert_eq!(parse_lang(tag).unwrap(), lang, "{tag}");
    }
    for tag in ["fr", "zh-", "english"] {
        let e = parse_lang(tag).unwrap_err();
        assert_eq!(e.code, "invalid_option");
        assert!(
            e.message.contains("starting with zh or en"),
            "{}",
            e.message
        );
    }
}
