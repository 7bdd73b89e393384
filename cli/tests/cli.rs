//! The command line end to end: exit codes, output formats, streaming, and the bad-input paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const PACK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/nmec-2024");

fn baokao(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baokao"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        // The command may exit (a usage or load error) before it reads its input.
        let _ = input.write_all(bytes);
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn example(name: &str) -> String {
    format!("{PACK}/examples/{name}")
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).replace(PACK, "<pack>")
}

#[test]
fn check_prints_a_report_per_example_and_exits_1_when_one_is_ineligible() {
    let files = [
        "a-clinical-bachelor.json",
        "b-trial-conditional.json",
        "c-nursing-ineligible.json",
    ]
    .map(example);
    let mut args = vec!["check", "--pack", PACK];
    args.extend(files.iter().map(String::as_str));
    let out = baokao(&args, None);
    assert_eq!(out.status.code(), Some(1), "one example is ineligible");
    insta::assert_snapshot!("check_text_zh", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("checked 3 application(s): 1 ok"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_exits_0_when_all_are_valid_and_eligible() {
    let out = baokao(
        &[
            "check",
            "--pack",
            PACK,
            &example("a-clinical-bachelor.json"),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn json_format_writes_one_report_per_line_and_streams_json_lines_from_stdin() {
    let docs: Vec<String> = [
        "a-clinical-bachelor.json",
        "c-nursing-ineligible.json",
        "e-rural-gp.json",
    ]
    .iter()
    .map(|f| {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(example(f)).unwrap()).unwrap();
        v.to_string()
    })
    .collect();
    let lines = format!("{}\n{}\nnot json\n{}\n", docs[0], docs[1], docs[2]);
    let out = baokao(
        &[
            "check", "--pack", PACK, "--format", "json", "--lang", "en", "-",
        ],
        Some(lines.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let reports: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        reports.len(),
        4,
        "three reports and one error line, in input order"
    );
    assert_eq!(reports[0]["eligibility"]["outcome"], "eligible");
    assert_eq!(reports[1]["eligibility"]["outcome"], "ineligible");
    assert_eq!(reports[2]["error"]["code"], "malformed_json");
    assert_eq!(reports[2]["error"]["input"], "stdin:3");
    assert_eq!(reports[3]["pack"]["id"], "nmec-2024");
}

#[test]
fn explain_shows_the_trace() {
    let out = baokao(
        &[
            "explain",
            "--pack",
            PACK,
            "--lang",
            "en",
            &example("b-trial-conditional.json"),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a conditional candidate still has something due: not exit 0"
    );
    let s = text(&out.stdout);
    assert!(s.contains("trace   route"), "{s}");
    assert!(s.contains("condition XF-11"), "{s}");
}

/// Exit 0 means valid and eligible with nothing due (README, usage text): a valid `conditional`
/// report exits 1, like every other outcome but `eligible`.
#[test]
fn a_valid_conditional_candidate_exits_1() {
    let out = baokao(
        &[
            "check",
            "--pack",
            PACK,
            "--format",
            "json",
            &example("b-trial-conditional.json"),
        ],
        None,
    );
    let report: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["eligibility"]["outcome"], "conditional");
    assert_eq!(out.status.code(), Some(1));
    let usage = text(&baokao(&["help"], None).stdout) + &text(&baokao(&["help"], None).stderr);
    assert!(
        usage.contains("0 all valid and eligible, 1 some not (conditional included"),
        "the usage text says what exit 0 means: {usage}"
    );
}

#[test]
fn step_validation_judges_one_step() {
    let out = baokao(
        &[
            "check",
            "--pack",
            PACK,
            "--format",
            "json",
            "--step",
            "basic",
            &example("a-clinical-bachelor.json"),
        ],
        None,
    );
    let report: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(report["step"], "basic");
    assert!(report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["step"] == "basic"));
}

#[test]
fn test_command_passes_on_the_pack() {
    let out = baokao(&["test", PACK], None);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}");
    assert!(
        s.lines().last().unwrap().ends_with(" passed, 0 failed"),
        "{s}"
    );
}

#[test]
fn bundle_then_check_against_the_bundle() {
    let dir = std::env::temp_dir().join(format!("baokao-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("nmec.bundle.json");
    let out = baokao(&["bundle", PACK, "-o", bundle.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let app = example("c-nursing-ineligible.json");
    let a = baokao(&["check", "--pack", PACK, "--format", "json", &app], None);
    let b = baokao(
        &[
            "check",
            "--pack",
            bundle.to_str().unwrap(),
            "--format",
            "json",
            &app,
        ],
        None,
    );
    assert_eq!(text(&a.stdout), text(&b.stdout));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn schema_is_json_schema_2020_12() {
    let out = baokao(&["schema", PACK], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let basic = &v["properties"]["basic"]["properties"];
    // The engine reads `null` as absent: a required field refuses it (required_missing), an
    // optional one accepts it; a step holding required fields is itself required.
    assert_eq!(basic["id_number"]["type"], "string");
    assert_eq!(
        basic["postcode"]["type"],
        serde_json::json!(["string", "null"])
    );
    let self_identity = basic["self_identity"]["enum"].as_array().unwrap();
    assert!(self_identity.contains(&serde_json::Value::Null));
    assert!(!basic["gender"]["enum"]
        .as_array()
        .unwrap()
        .contains(&serde_json::Value::Null));
    let required = v["required"].as_array().unwrap();
    assert!(required.contains(&serde_json::json!("basic")));
}

#[test]
fn bad_input_gives_coded_errors_and_nonzero_exits() {
    // Usage and load errors: exit 2.
    assert_eq!(baokao(&["check"], None).status.code(), Some(2));
    assert_eq!(baokao(&["frobnicate"], None).status.code(), Some(2));
    let missing = baokao(&["check", "--pack", "/nonexistent", "x.json"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("io_error"));
    // A broken pack: a type error in a rule.
    let dir = std::env::temp_dir().join(format!("baokao-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nid = \"broken\"\nversion = \"0\"\ntitle = { zh = \"坏\", en = \"broken\" }\n\n[[step]]\nid = \"basic\"\ntitle = { zh = \"基本\", en = \"basic\" }\n\n[[field]]\npath = \"basic.age\"\ntype = \"int\"\nlabel = { zh = \"年龄\", en = \"age\" }\n\n[[rule]]\nid = \"R1\"\nsummary = \"s\"\nseverity = \"error\"\ncheck = 'basic.age + \"x\" > 1'\nmessage = { zh = \"m\", en = \"m\" }\ncite = \"c\"\nconfidence = \"H\"\n",
    )
    .unwrap();
    let broken = baokao(
        &["check", "--pack", dir.to_str().unwrap(), "-"],
        Some(b"{}"),
    );
    assert_eq!(broken.status.code(), Some(2));
    let err = text(&broken.stderr);
    assert!(
        err.contains("[type_mismatch]") && err.contains("pack.toml:19:10:"),
        "{err}"
    );
    // A malformed application and a 10,000-deep one: a coded error per record, exit 1, no panic.
    let malformed = baokao(
        &["check", "--pack", PACK, "--format", "json", "-"],
        Some(b"{\"basic\": "),
    );
    assert_eq!(malformed.status.code(), Some(1));
    assert!(text(&malformed.stdout).contains("\"code\":\"malformed_json\""));
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    let deep_out = baokao(
        &["check", "--pack", PACK, "--format", "json", "-"],
        Some(deep.as_bytes()),
    );
    assert_eq!(deep_out.status.code(), Some(1));
    assert!(text(&deep_out.stdout).contains("\"code\":\"too_deep\""));
    // A 100 MB document.
    let big = dir.join("big.json");
    let mut f = std::fs::File::create(&big).unwrap();
    f.write_all(b"{\"basic\": {\"name\": \"").unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\"}}").unwrap();
    drop(f);
    let big_out = baokao(
        &[
            "check",
            "--pack",
            PACK,
            "--format",
            "json",
            big.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(big_out.status.code(), Some(1));
    assert!(text(&big_out.stdout).contains("\"code\":\"document_too_large\""));
    std::fs::remove_dir_all(&dir).ok();
}
