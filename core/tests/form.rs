//! The form description (`Engine::form`) and what a partial application makes of it
//! (`Engine::form_state`): the JSON contract of docs/form.md, on the 2024 pack and on small packs,
//! and the compile errors of the keys that feed it (`derived`, `enum_labels`, `measure`, `clock`,
//! help templates).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use baokao::{Engine, Error, Lang};
use serde_json::{json, Value};

fn national() -> Engine {
    Engine::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/nmec-2024")).unwrap()
}

fn form_json(engine: &Engine, lang: Lang) -> Value {
    serde_json::to_value(engine.form(lang)).unwrap()
}

/// The steps of a form description, in order.
fn steps(form: &Value) -> impl Iterator<Item = &Value> {
    form["steps"].as_array().unwrap().iter()
}

fn field<'f>(form: &'f Value, path: &str) -> &'f Value {
    steps(form)
        .flat_map(|s| s["fields"].as_array().unwrap())
        .flat_map(|f| std::iter::once(f).chain(f["fields"].as_array().into_iter().flatten()))
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no field {path}"))
}

fn state(engine: &Engine, app: &Value) -> Value {
    serde_json::to_value(engine.form_state(app).unwrap()).unwrap()
}

fn required(state: &Value) -> Vec<&str> {
    state["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn the_national_form_lists_the_steps_in_order_with_their_texts() {
    let engine = national();
    let zh = form_json(&engine, Lang::Zh);
    let en = form_json(&engine, Lang::En);
    assert_eq!(zh["lang"], "zh");
    assert_eq!(en["lang"], "en");
    assert_eq!(zh["pack"]["id"], "nmec-2024");
    let ids: Vec<&str> = steps(&zh).map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, engine.steps().collect::<Vec<_>>());
    assert_eq!(zh["steps"][3]["title"], "基本情况");
    assert_eq!(en["steps"][3]["title"], "Basic information");
    // Only the authority's step is marked as such: forms leave it out.
    let authority: Vec<&Value> = steps(&zh)
        .filter(|s| s["authority"] == true)
        .map(|s| &s["id"])
        .collect();
    assert_eq!(authority, [&json!("record")]);
    // Every declared field is described once: top-level fields in their step, record items in
    // their records field.
    let described: usize = steps(&zh)
        .flat_map(|s| s["fields"].as_array().unwrap())
        .map(|f| 1 + f["fields"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(described, engine.pack().fields.len());
}

#[test]
fn help_texts_quote_parameters() {
    let engine = national();
    let zh = form_json(&engine, Lang::Zh);
    let submission = steps(&zh).find(|s| s["id"] == "submission").unwrap();
    let help = submission["help"].as_str().unwrap();
    assert!(help.contains("2024-01-22T00:00:00+08:00"), "{help}");
    assert!(help.contains("2024-03-05"), "{help}");
    assert!(!help.contains('{'), "{help}");
    let basic = &zh["steps"][3];
    let photo = &basic["files"][0];
    assert_eq!(photo["id"], "photo");
    assert_eq!(photo["label"], "照片");
    assert!(photo["help"].as_str().unwrap().contains("小于30KB"));
    assert!(photo["help"].as_str().unwrap().contains("190×254"));
}

#[test]
fn fields_carry_labels_options_checks_and_how_they_are_filled() {
    let engine = national();
    let zh = form_json(&engine, Lang::Zh);
    let en = form_json(&engine, Lang::En);

    let gender = field(&en, "basic.gender");
    assert_eq!(gender["label"], "Gender");
    assert_eq!(
        gender["options"],
        json!([{"value": "男", "label": "Male"}, {"value": "女", "label": "Female"}])
    );
    assert_eq!(gender["derived"]["value"], "id_gender(basic.id_number)");
    assert_eq!(
        gender["derived"]["from"],
        json!(["basic.id_type", "basic.id_number"])
    );
    assert!(gender["derived"]["when"]
        .as_str()
        .unwrap()
        .contains("居民身份证"));
    assert_eq!(field(&zh, "basic.gender")["options"][0]["label"], "男");

    // A table's keys, labelled by its name column.
    let province = field(&zh, "work.unit_province");
    let hunan = province["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["value"] == "430000")
        .unwrap();
    assert_eq!(hunan["label"], "湖南省");
    // A table without a label column: the value is its own label.
    let ethnicity = field(&zh, "basic.ethnicity");
    assert_eq!(
        ethnicity["options"][0],
        json!({"value": "汉族", "label": "汉族"})
    );

    let password = field(&zh, "account.password");
    assert_eq!(password["mask"], true);
    assert_eq!(password["pattern"], "^[A-Za-z0-9]{8,20}$");
    assert_eq!(password["required"], true);

    let specialty = field(&zh, "exam.specialty");
    assert_eq!(specialty["required"], false);
    assert_eq!(specialty["required_when"], "exam.category == \"中医\"");

    let kb = field(&zh, "basic.photo_kb");
    assert_eq!(kb["measure"], json!({"file": "photo", "property": "kb"}));
    assert_eq!(kb["type"], "number");
    let years = field(&zh, "work.years_in_specialty");
    // Whole bounds are integers in every runtime's JSON, not 0.0.
    let text = serde_json::to_string(&engine.form(Lang::Zh)).unwrap();
    assert!(text.contains(r#""min":0,"max":70"#), "{years}");
    assert!(!text.contains(".0,"), "whole numbers written as floats");

    assert_eq!(field(&zh, "submission.submitted_at")["clock"], true);
    assert_eq!(field(&zh, "basic.name")["clock"], false);

    let records = field(&zh, "certificates.records");
    assert_eq!(records["type"], "records");
    let cert_type = &records["fields"][0];
    assert_eq!(cert_type["path"], "certificates.records[].cert_type");
    assert_eq!(cert_type["pointer"], "/certificates/records/{i}/cert_type");
    assert_eq!(cert_type["key"], "cert_type");
}

#[test]
fn the_state_says_what_is_required_now() {
    let engine = national();
    let empty = state(&engine, &json!({}));
    let now = required(&empty);
    assert!(now.contains(&"/basic/name"));
    // required_when that cannot be decided yet does not require.
    assert!(!now.contains(&"/exam/specialty"));
    assert!(!now.contains(&"/basic/travel_permit_no"));

    let tcm = state(&engine, &json!({"exam": {"category": "中医"}}));
    assert!(required(&tcm).contains(&"/exam/specialty"));
    assert!(required(&tcm).contains(&"/exam/track"));
    let passport = state(&engine, &json!({"basic": {"id_type": "外籍护照"}}));
    assert!(required(&passport).contains(&"/basic/travel_permit_no"));

    // Each entry of a records field has its required fields.
    let certs = state(
        &engine,
        &json!({"certificates": {"records": [{"cert_type": "医师资格证书"}, {}]}}),
    );
    let now = required(&certs);
    for pointer in [
        "/certificates/records/0/cert_no",
        "/certificates/records/1/cert_type",
        "/certificates/records/1/issue_date",
    ] {
        assert!(now.contains(&pointer), "{pointer}: {now:?}");
    }
    assert!(!now.contains(&"/certificates/records/0/level"));
}

#[test]
fn the_state_derives_gender_and_birth_date_from_a_mainland_id() {
    let engine = national();
    let id = |id_type: &str, number: &str| {
        state(
            &engine,
            &json!({"basic": {"id_type": id_type, "id_number": number}}),
        )["derived"]
            .clone()
    };
    assert_eq!(
        id("居民身份证", "430102199805140318"),
        json!([
            {"path": "/basic/gender", "value": "男"},
            {"path": "/basic/birth_date", "value": "1998-05-14"}
        ])
    );
    // Digit 17 even: 女; the permit derives too.
    assert_eq!(
        id("港澳台居民居住证", "810000199001011221")[0]["value"],
        "女"
    );
    // Incomplete: derived (locked) but not known yet.
    assert_eq!(
        id("居民身份证", "4301021998"),
        json!([
            {"path": "/basic/gender", "value": null},
            {"path": "/basic/birth_date", "value": null}
        ])
    );
    // Other documents: the candidate types them.
    assert_eq!(id("外籍护照", "E12345678"), json!([]));
    assert_eq!(
        state(
            &engine,
            &json!({"basic": {"id_number": "430102199805140318"}})
        )["derived"],
        json!([])
    );
    // A value of the wrong type is unknown, as in validation.
    assert_eq!(
        state(
            &engine,
            &json!({"basic": {"id_type": "居民身份证", "id_number": 430_102}})
        )["derived"][0]["value"],
        Value::Null
    );
}

#[test]
fn the_state_of_something_that_is_not_an_application_is_an_error() {
    let engine = national();
    let e = engine.form_state(&json!([1, 2])).unwrap_err();
    assert_eq!(e.code(), "not_an_object");
    let e = engine.form_state_json("{\"basic\": ").unwrap_err();
    assert_eq!(e.code(), "malformed_json");
    let deep = "[".repeat(100) + &"]".repeat(100);
    assert_eq!(
        engine.form_state_json(&deep).unwrap_err().code(),
        "too_deep"
    );
    let ok = engine
        .form_state_json("\u{feff}{\"exam\": {\"category\": \"中医\"}}")
        .unwrap();
    assert!(ok.required.iter().any(|p| p == "/exam/specialty"));
}

// ---------------------------------------------------------------------------------------------
// Small packs: the keys and their compile errors.

static SEQ: AtomicUsize = AtomicUsize::new(0);

const PACK: &str = r#"
[pack]
id = "form-test"
version = "1.0.0"
title = { zh = "表单", en = "Form" }

[params]
max_kb = 30
open = 2024-01-22T00:00:00+08:00

[[step]]
id = "s"
title = { zh = "步骤", en = "Step" }
help = { zh = "截止{$open}", en = "closes {$open}" }
files = [{ id = "photo", label = { zh = "照片", en = "Photo" }, help = { zh = "小于{$max_kb}KB", en = "under {$max_kb} KB" } }]

[[field]]
path = "s.id"
type = "text"
label = { zh = "号码", en = "Number" }
mask = true

[[field]]
path = "s.kind"
type = "text"
label = { zh = "类型", en = "Kind" }
enum = ["甲", "乙"]
"#;

/// A pack directory: `PACK` plus `extra` TOML.
fn pack_dir(extra: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "baokao-form-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("pack.toml"), format!("{PACK}\n{extra}")).unwrap();
    dir
}

fn compile(extra: &str) -> Result<Engine, Error> {
    let dir = pack_dir(extra);
    let result = Engine::from_dir(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    result
}

/// The codes of the compile errors of `PACK` + `extra`.
fn codes(extra: &str) -> Vec<&'static str> {
    match compile(extra) {
        Ok(_) => Vec::new(),
        Err(Error::Compile(all)) => all.iter().map(|c| c.code).collect(),
        Err(e) => panic!("not a compile error: {e}"),
    }
}

/// One `[[field]]` of a small pack: its path, type and label (zh, en), then `keys`, one a line.
fn field_toml(path: &str, ty: &str, (zh, en): (&str, &str), keys: &[&str]) -> String {
    let mut toml = format!(
        "\n[[field]]\npath = \"{path}\"\ntype = \"{ty}\"\nlabel = {{ zh = \"{zh}\", en = \"{en}\" }}\n"
    );
    for key in keys {
        toml.push_str(key);
        toml.push('\n');
    }
    toml
}

/// The codes of the compile errors of `PACK` plus one field (see `field_toml`).
fn field_codes(path: &str, ty: &str, label: (&str, &str), keys: &[&str]) -> Vec<&'static str> {
    codes(&field_toml(path, ty, label, keys))
}

/// A table `places` (code, name) with `rows`, and the field `s.place` that takes its options from
/// it, with `keys`.
fn places_toml(rows: &str, keys: &[&str]) -> String {
    let table = format!("\n[table.places]\ncolumns = [\"code\", \"name\"]\nrows = {rows}\n");
    let keys = [&[r#"enum_table = "places""#], keys].concat();
    table + &field_toml("s.place", "text", ("地方", "Place"), &keys)
}

#[test]
fn a_small_pack_describes_its_form() {
    let engine = compile(
        &[
            field_toml(
                "s.size",
                "number",
                ("大小", "Size"),
                &[
                    "min = 0.5",
                    "max = 30",
                    r#"measure = { file = "photo", property = "kb" }"#,
                ],
            ),
            field_toml(
                "s.tail",
                "text",
                ("尾号", "Tail"),
                &["mask = true", "derived = 's.id'"],
            ),
        ]
        .concat(),
    )
    .unwrap();
    let en = serde_json::to_string(&engine.form(Lang::En)).unwrap();
    assert!(
        en.contains(r#""help":"closes 2024-01-22T00:00:00+08:00""#),
        "{en}"
    );
    assert!(
        en.contains(r#""files":[{"id":"photo","label":"Photo","help":"under 30 KB"}]"#),
        "{en}"
    );
    assert!(en.contains(r#""min":0.5,"max":30"#), "{en}");
    // A masked field's value passed on to a masked field is shown masked.
    let s = engine
        .form_state(&json!({"s": {"id": "430102199805140318"}}))
        .unwrap();
    assert_eq!(s.derived[0].value, json!("430***********0318"));
}

#[test]
fn derived_must_fit_the_field_and_keep_masked_values_masked() {
    let gender = |keys: &[&str]| field_codes("s.gender", "text", ("性别", "Gender"), keys);
    assert_eq!(
        field_codes(
            "s.born",
            "date",
            ("生日", "Born"),
            &["derived = 'id_gender(s.id)'"]
        ),
        ["type_mismatch"]
    );
    // A masked field's value into a field that is not masked would show it.
    assert_eq!(
        field_codes("s.copy", "text", ("副本", "Copy"), &["derived = 's.id'"]),
        ["masked_value"]
    );
    // Nothing of a secret (`mask = "all"`) goes into a field that is not masked, not even
    // passed through a function.
    assert_eq!(
        codes(
            &[
                field_toml("s.secret", "text", ("口令", "Secret"), &[r#"mask = "all""#]),
                field_toml(
                    "s.copy",
                    "text",
                    ("副本", "Copy"),
                    &[r#"derived = 'coalesce(s.secret, "")'"#]
                ),
            ]
            .concat()
        ),
        ["masked_value"]
    );
    // A value computed from it is the field's own value (gender from an ID number).
    assert_eq!(
        gender(&[
            "derived = 'id_gender(s.id)'",
            r#"derived_when = 's.kind == "甲"'"#
        ]),
        Vec::<&str>::new()
    );
    assert_eq!(
        gender(&[r#"derived_when = 's.kind == "甲"'"#]),
        ["invalid_field"]
    );
    assert_eq!(
        gender(&[
            "derived = 'id_gender(s.id)'",
            r#"derived_when = 's.kind == "丙"'"#
        ]),
        ["unknown_enum_value"]
    );
    assert_eq!(
        codes(
            &[
                field_toml("s.list", "records", ("列表", "List"), &[]),
                field_toml(
                    "s.list[].g",
                    "text",
                    ("性别", "Gender"),
                    &["derived = 'id_gender(s.id)'"]
                ),
            ]
            .concat()
        ),
        ["invalid_field"]
    );
}

#[test]
fn option_labels_must_label_allowed_values() {
    let level = |keys: &[&str]| field_codes("s.level", "text", ("级别", "Level"), keys);
    assert_eq!(
        level(&[
            r#"enum = ["甲"]"#,
            r#"enum_labels = [{ value = "乙", label = { zh = "乙", en = "B" } }]"#
        ]),
        ["unknown_enum_value"]
    );
    assert_eq!(
        field_codes(
            "s.free",
            "text",
            ("自由", "Free"),
            &[r#"enum_labels = [{ value = "甲", label = { zh = "甲", en = "A" } }]"#]
        ),
        ["invalid_field"]
    );
    assert_eq!(
        level(&[
            r#"enum = ["甲"]"#,
            "enum_labels = [",
            r#"  { value = "甲", label = { zh = "甲", en = "A" } },"#,
            r#"  { value = "甲", label = { zh = "甲", en = "A" } },"#,
            "]"
        ]),
        ["duplicate_id"]
    );
    assert_eq!(
        codes(&places_toml(
            r#"[["1", "一"]]"#,
            &[r#"enum_label_column = "nmae""#]
        )),
        ["unknown_column"]
    );
    let engine = compile(&places_toml(
        r#"[["1", "一"], ["2", "二"]]"#,
        &[
            r#"enum_label_column = "name""#,
            r#"enum_labels = [{ value = "2", label = { zh = "贰", en = "Two" } }]"#,
        ],
    ))
    .unwrap();
    let en = form_json(&engine, Lang::En);
    assert_eq!(
        field(&en, "s.place")["options"],
        json!([{"value": "1", "label": "一"}, {"value": "2", "label": "Two"}])
    );
}

#[test]
fn measure_and_clock_fill_fields_of_their_type() {
    let number = |prop: &str, ty: &str, file: &str| {
        let measure = format!(r#"measure = {{ file = "{file}", property = "{prop}" }}"#);
        field_codes("s.m", ty, ("量", "Measure"), &[&measure])
    };
    assert_eq!(number("kb", "number", "photo"), Vec::<&str>::new());
    assert_eq!(number("width", "int", "photo"), Vec::<&str>::new());
    assert_eq!(number("format", "text", "photo"), Vec::<&str>::new());
    assert_eq!(number("kb", "int", "photo"), ["type_mismatch"]);
    assert_eq!(number("kb", "number", "scan"), ["invalid_field"]);
    assert_eq!(
        field_codes("s.at", "date", ("时间", "At"), &["clock = true"]),
        ["invalid_field"]
    );
}

#[test]
fn help_texts_quote_parameters_not_fields() {
    let help = |zh: &str| {
        let help = format!(r#"help = {{ zh = "{zh}", en = "see" }}"#);
        field_codes("s.x", "text", ("某", "X"), &[&help])
    };
    assert_eq!(help("见{s.kind}"), ["unknown_field"]);
    assert_eq!(help("见{$nope}"), ["unknown_param"]);
}
