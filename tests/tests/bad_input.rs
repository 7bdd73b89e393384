//! Applications the engine cannot read at all are `ApplicationError`s with stable codes; applications
//! it can read but that are wrong inside are reports with diagnostics. Against `tests/fixtures/minimal`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::Path;

use baokao::{
    parse_application, parse_application_bytes, ApplicationError, Engine, Error, Options,
    MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH,
};

fn engine() -> Engine {
    Engine::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/minimal"))
        .expect("the minimal fixture compiles")
}

/// The code of an error that must be an `ApplicationError`.
fn app_code(e: &Error) -> &'static str {
    match e {
        Error::Application(a) => a.code(),
        other => panic!("expected an application error, got {other:?}"),
    }
}

fn validate_code(text: &str) -> &'static str {
    let e = engine()
        .validate_json(text, &Options::default())
        .expect_err("must be rejected");
    app_code(&e)
}

fn parse_code(text: &str) -> &'static str {
    parse_application(text)
        .expect_err("must be rejected")
        .code()
}

#[test]
fn fixture_examples_pass() {
    let run = baokao::testing::run_examples(&engine());
    assert_eq!(run.results.len(), 2);
    for r in &run.results {
        assert!(r.passed(), "{}: {:?}", r.name, r.failures);
    }
}

#[test]
fn malformed_json() {
    for text in [
        "{\"basic\": ",
        "{\"basic\": {\"name\": \"张三\",}}",
        "{} x",
        "",
        "{'basic': {}}",
        "{\"a\": tru}",
    ] {
        assert_eq!(parse_code(text), "malformed_json", "{text:?}");
        assert_eq!(validate_code(text), "malformed_json", "{text:?}");
    }
    match parse_application("{\n  \"basic\": }").unwrap_err() {
        ApplicationError::Json { line, column, .. } => assert_eq!((line, column), (2, 12)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nesting_limit() {
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    // MAX_DOCUMENT_DEPTH is the deepest nesting accepted.
    assert!(parse_application(&format!("{{\"a\": {}}}", nested(MAX_DOCUMENT_DEPTH - 1))).is_ok());
    assert_eq!(
        parse_code(&format!("{{\"a\": {}}}", nested(MAX_DOCUMENT_DEPTH))),
        "too_deep"
    );
    assert_eq!(parse_code(&nested(MAX_DOCUMENT_DEPTH + 1)), "too_deep");
}

#[test]
fn ten_thousand_deep_arrays() {
    let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(parse_code(&text), "too_deep");
    assert_eq!(validate_code(&text), "too_deep");
    // Unbalanced (never closed) is still too deep, not a stack overflow.
    assert_eq!(parse_code(&"[".repeat(10_000)), "too_deep");
}

#[test]
fn ten_thousand_deep_objects() {
    let text = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    assert_eq!(parse_code(&text), "too_deep");
    assert_eq!(validate_code(&text), "too_deep");
}

#[test]
fn brackets_inside_strings_do_not_nest() {
    let deep = "[{".repeat(5_000);
    let text = format!("{{\"basic\": {{\"name\": \"{deep}\", \"nickname\": \"\\\"{deep}\"}}}}");
    let doc = parse_application(&text).expect("brackets in strings are text");
    assert_eq!(doc["basic"]["name"].as_str().map(str::len), Some(10_000));
    let report = engine().validate_json(&text, &Options::default()).unwrap();
    assert!(report
        .diagnostics
        .iter()
        .any(|d| &*d.code == "unknown_field"));
}

/// A JSON document of exactly `size` bytes: `{"pad":"xxx…"}`.
fn padded(size: usize) -> String {
    let overhead = "{\"pad\":\"\"}".len();
    let mut s = String::with_capacity(size);
    s.push_str("{\"pad\":\"");
    s.push_str(&"x".repeat(size - overhead));
    s.push_str("\"}");
    assert_eq!(s.len(), size);
    s
}

#[test]
fn size_limit_is_inclusive() {
    assert_eq!(MAX_DOCUMENT_BYTES, 1024 * 1024);
    let at_limit = padded(MAX_DOCUMENT_BYTES);
    assert!(parse_application(&at_limit).is_ok());
    // An unknown top-level key is a warning, not an error: the document is read.
    let report = engine()
        .validate_json(&at_limit, &Options::default())
        .unwrap();
    assert!(report
        .diagnostics
        .iter()
        .any(|d| &*d.code == "unknown_field" && d.path == "/pad"));
    assert_eq!(
        parse_code(&padded(MAX_DOCUMENT_BYTES + 1)),
        "document_too_large"
    );
}

#[test]
fn two_megabytes() {
    let text = padded(2 * 1024 * 1024);
    assert_eq!(parse_code(&text), "document_too_large");
    assert_eq!(validate_code(&text), "document_too_large");
    match parse_application(&text).unwrap_err() {
        ApplicationError::TooLarge { size, limit } => {
            assert_eq!((size, limit), (2 * 1024 * 1024, MAX_DOCUMENT_BYTES));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn hundred_megabytes() {
    // Built once in memory (~100 MB); rejected by its length before any parsing.
    let text = padded(100 * 1024 * 1024);
    assert_eq!(parse_code(&text), "document_too_large");
    assert_eq!(validate_code(&text), "document_too_large");
}

#[test]
fn top_level_must_be_an_object() {
    for text in ["[]", "[{\"basic\": {}}]", "null", "1", "\"basic\"", "true"] {
        assert_eq!(validate_code(text), "not_an_object", "{text:?}");
    }
    let e = engine()
        .run(&serde_json::json!([1, 2]), &Options::default())
        .unwrap_err();
    assert_eq!(app_code(&e), "not_an_object");
    assert_eq!(e.code(), "not_an_object");
}

#[test]
fn unknown_step() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/minimal/valid.json")).unwrap();
    let e = engine()
        .run(&doc, &Options::default().with_step("education"))
        .unwrap_err();
    assert_eq!(app_code(&e), "unknown_step");
    assert!(e.to_string().contains("basic, exam"), "{e}");
    let e = engine().validate_step("Basic", &doc).unwrap_err();
    assert_eq!(e.code(), "unknown_step");
    // Known steps are fine.
    assert!(engine().validate_step("exam", &doc).is_ok());
}

#[test]
fn wrong_types_inside_steps_are_diagnostics() {
    let text = r#"{"basic": {"name": 5, "id_number": ["x"], "birth_date": 19900307}, "exam": {"level": true, "years": "3"}}"#;
    let report = engine()
        .validate_json(text, &Options::default())
        .expect("a readable document is a report");
    assert!(!report.valid);
    let mismatches: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| &*d.code == "type_mismatch")
        .map(|d| d.path.as_str())
        .collect();
    for path in [
        "/basic/name",
        "/basic/id_number",
        "/basic/birth_date",
        "/exam/level",
        "/exam/years",
    ] {
        assert!(
            mismatches.contains(&path),
            "no type_mismatch at {path}: {:?}",
            report.diagnostics
        );
    }
    // A step that is not an object is a diagnostic too.
    let report = engine()
        .validate_json(r#"{"basic": "张三", "exam": [1]}"#, &Options::default())
        .unwrap();
    let at: Vec<(&str, &str)> = report
        .diagnostics
        .iter()
        .filter(|d| &*d.code == "type_mismatch")
        .map(|d| (d.path.as_str(), d.step.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(at, [("/basic", "basic"), ("/exam", "exam")]);
}

#[test]
fn empty_object_is_a_report() {
    let report = engine().validate_json("{}", &Options::default()).unwrap();
    assert!(!report.valid);
    assert!(report
        .diagnostics
        .iter()
        .all(|d| &*d.code == "required_missing"));
    assert_eq!(report.eligibility.outcome, baokao::Outcome::Undetermined);
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_document() {
    let report = engine()
        .validate_json("\u{feff}{}", &Options::default())
        .unwrap();
    assert_eq!(
        report,
        engine().validate_json("{}", &Options::default()).unwrap()
    );
    // Only one, and only at the start; and the limit counts the document, not the mark.
    assert_eq!(parse_code("\u{feff}\u{feff}{}"), "malformed_json");
    assert_eq!(parse_code("{}\u{feff}"), "malformed_json");
    assert!(parse_application(&format!("\u{feff}{}", padded(MAX_DOCUMENT_BYTES))).is_ok());
}

fn bytes_code(bytes: &[u8]) -> &'static str {
    parse_application_bytes(bytes)
        .expect_err("must be rejected")
        .code()
}

#[test]
fn bytes_that_are_not_utf8_are_located() {
    // 张三 in GBK, on the second line: the first bad byte is at column 12.
    let gbk = b"{\n  \"name\": \"\xD5\xC5\xC8\xFD\"}";
    match parse_application_bytes(gbk).unwrap_err() {
        ApplicationError::Encoding { line, column, byte } => {
            assert_eq!((line, column, byte), (2, 12, 0xD5));
        }
        other => panic!("{other:?}"),
    }
    let e = engine()
        .validate_json_bytes(gbk, &Options::default())
        .unwrap_err();
    assert_eq!(app_code(&e), "invalid_encoding");
    assert_eq!(
        e.to_string(),
        "text is not UTF-8 at line 2, column 12 (byte `0xD5`): JSON text must be UTF-8"
    );
    // A character cut short at the end, a lone surrogate's encoding, a byte that is never UTF-8.
    for bytes in [&b"{\"a\": \"\xE5\xBC\""[..], b"\"\xED\xA0\x80\"", b"\xFF{}"] {
        assert_eq!(bytes_code(bytes), "invalid_encoding", "{bytes:?}");
    }
    // The size is checked before the encoding: an oversized input is never decoded.
    let mut big = vec![0xFF; MAX_DOCUMENT_BYTES + 1];
    assert_eq!(bytes_code(&big), "document_too_large");
    big.truncate(MAX_DOCUMENT_BYTES);
    assert_eq!(bytes_code(&big), "invalid_encoding");
}

#[test]
fn bytes_judge_like_text() {
    for text in [
        "{}",
        "{\"basic\": ",
        "[]",
        "\u{feff}{}",
        "{\"basic\": {\"name\": \"张三\"}}",
    ] {
        let options = Options::default();
        assert_eq!(
            engine().validate_json_bytes(text.as_bytes(), &options),
            engine().validate_json(text, &options),
            "{text:?}"
        );
    }
    let mut at_limit = b"\xEF\xBB\xBF".to_vec();
    at_limit.extend_from_slice(padded(MAX_DOCUMENT_BYTES).as_bytes());
    assert!(parse_application_bytes(&at_limit).is_ok());
    at_limit.insert(3, b' ');
    assert_eq!(bytes_code(&at_limit), "document_too_large");
}

#[test]
fn mask_shows_a_value_as_reports_do() {
    let engine = Engine::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("engine/masking"))
        .expect("the masking case compiles");
    assert_eq!(
        engine.mask("m.id", "440305199003071236"),
        "440***********1236"
    );
    assert_eq!(engine.mask("m.phone", "01012345678"), "010****5678");
    // Not masked by the pack, or no field: as given.
    assert_eq!(
        engine.mask("m.people", "440305199003071236"),
        "440305199003071236"
    );
    assert_eq!(engine.mask("m", "440305199003071236"), "440305199003071236");
}

/// A diagnostic of the whole document (an unknown top-level key) belongs to no step: its JSON has no
/// `step` member — never `"step": ""`.
#[test]
fn an_unknown_top_level_key_has_no_step() {
    let report = engine()
        .validate_json(
            r#"{"zzz": 1, "basic": {"nickname": 1}}"#,
            &Options::default(),
        )
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let top = diagnostics.iter().find(|d| d["path"] == "/zzz").unwrap();
    assert_eq!(top["code"], "unknown_field");
    assert!(top.get("step").is_none(), "{top}");
    let inner = diagnostics
        .iter()
        .find(|d| d["path"] == "/basic/nickname")
        .unwrap();
    assert_eq!(inner["step"], "basic");
    for d in diagnostics {
        assert_ne!(d.get("step"), Some(&serde_json::json!("")), "{d}");
    }
}

/// Documents made of unknown keys, each at most `MAX_DOCUMENT_BYTES`: many short keys at the top,
/// many in a step and in a record entry, long keys, one key filling the document.
fn unknown_key_documents() -> Vec<(&'static str, String)> {
    let limit = MAX_DOCUMENT_BYTES - 64;
    let many = |prefix: &str, open: &str, close: &str| {
        let mut s = String::from(open);
        let mut i = 0;
        while s.len() < limit {
            let _ = write!(s, "\"{prefix}{i}\":0,");
            i += 1;
        }
        s.push_str("\"end\":0");
        s.push_str(close);
        s
    };
    let long_key = |c: char, n: usize| {
        let key: String = std::iter::repeat_n(c, n).collect();
        format!("{{\"basic\":{{\"{key}\":0}}}}")
    };
    let mut many_long = String::from("{\"basic\":{");
    let mut i = 0;
    while many_long.len() < limit - 5000 {
        let key: String = std::iter::repeat_n('键', 1000).collect();
        let _ = write!(many_long, "\"{key}{i}\":0,");
        i += 1;
    }
    many_long.push_str("\"end\":0}}");
    // Keys of control characters: each is 6 bytes (`\u0001`) in the report's JSON.
    let mut many_escaped = String::from("{\"basic\":{");
    let mut i = 0;
    while many_escaped.len() < limit - 5000 {
        let key: String = "\\u0001".repeat(200);
        let _ = write!(many_escaped, "\"{key}{i}\":0,");
        i += 1;
    }
    many_escaped.push_str("\"end\":0}}");
    vec![
        ("short keys at the top", many("k", "{", "}")),
        ("short keys in a step", many("k", "{\"basic\":{", "}}")),
        ("long keys in a step", many_long),
        ("keys of control characters", many_escaped),
        ("one key of 1 MiB", long_key('k', limit - 20)),
        (
            "one key of 4-byte characters",
            long_key('😀', (limit - 20) / 4),
        ),
    ]
}

/// Unknown keys are reported up to `MAX_UNKNOWN_FIELDS`, then summed up in one
/// `unknown_fields_omitted` diagnostic; each quotes at most `MAX_KEY_CHARS` characters of its
/// key. A report stays under the documented 100 KB however the document is written.
#[test]
fn unknown_fields_are_capped_and_the_report_stays_small() {
    for (what, text) in unknown_key_documents() {
        assert!(text.len() <= MAX_DOCUMENT_BYTES, "{what}: {}", text.len());
        for options in [Options::default(), Options::default().with_step("basic")] {
            let report = engine().validate_json(&text, &options).unwrap();
            let unknown = report
                .diagnostics
                .iter()
                .filter(|d| &*d.code == "unknown_field")
                .count();
            assert!(unknown <= baokao::MAX_UNKNOWN_FIELDS, "{what}: {unknown}");
            let size = serde_json::to_string(&report).unwrap().len();
            assert!(size < 100_000, "{what}: a report of {size} bytes");
            assert!(report.to_text().len() < 100_000, "{what}: text");
        }
    }
    let (_, text) = &unknown_key_documents()[0];
    let report = engine().validate_json(text, &Options::default()).unwrap();
    let keys = text.matches(":0").count();
    let summary: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| &*d.code == "unknown_fields_omitted")
        .collect();
    assert_eq!(summary.len(), 1, "{:?}", report.diagnostics.last());
    assert_eq!(summary[0].path, "");
    assert!(summary[0].step.is_none());
    let omitted = keys - baokao::MAX_UNKNOWN_FIELDS;
    assert!(
        summary[0].message.contains(&omitted.to_string()),
        "{}",
        summary[0].message
    );
}
