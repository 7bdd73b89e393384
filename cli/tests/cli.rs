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

// --- a batch goes on past a bad record ---------------------------------------------------------

/// A scratch directory of this test process, removed by the test that made it.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("baokao-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An example application as one line of JSON.
fn one_line(name: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example(name)).unwrap()).unwrap();
    v.to_string()
}

/// The first example with its candidate's name (李明轩) in GBK, as an office export may have it:
/// not UTF-8, and the bad byte at the returned 1-based column.
fn gbk_record() -> (Vec<u8>, usize) {
    let good = one_line("a-clinical-bachelor.json");
    let at = good.find("李明轩").unwrap();
    let mut bytes = good.as_bytes()[..at].to_vec();
    bytes.extend_from_slice(&[0xC0, 0xEE, 0xC3, 0xF7, 0xD0, 0xF9]);
    bytes.extend_from_slice(&good.as_bytes()[at + "李明轩".len()..]);
    (bytes, at + 1)
}

/// The lines of `--format json` output.
fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// What each output line is: the outcome of a report, or the code of an error with its input.
fn kinds(lines: &[serde_json::Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| match l.get("error") {
            Some(e) => format!(
                "{} {}",
                e["code"].as_str().unwrap(),
                e["input"].as_str().unwrap()
            ),
            None => l["eligibility"]["outcome"].as_str().unwrap().to_owned(),
        })
        .collect()
}

#[test]
fn a_line_that_is_not_utf8_is_its_records_error_and_the_batch_goes_on() {
    let dir = scratch("gbk-line");
    let good = one_line("a-clinical-bachelor.json");
    let (gbk, _) = gbk_record();
    let mut lines = Vec::new();
    for record in [good.as_bytes(), &gbk, good.as_bytes()] {
        lines.extend_from_slice(record);
        lines.push(b'\n');
    }
    let file = dir.join("batch.jsonl");
    std::fs::write(&file, &lines).unwrap();
    let name = file.to_str().unwrap();

    let json = baokao(&["check", "--pack", PACK, "--format", "json", name], None);
    assert_eq!(json.status.code(), Some(1), "{}", text(&json.stderr));
    assert_eq!(
        kinds(&json_lines(&json)),
        [
            "eligible".to_owned(),
            format!("invalid_encoding {name}:2"),
            "eligible".to_owned()
        ]
    );
    let plain = baokao(&["check", "--pack", PACK, name], None);
    assert_eq!(plain.status.code(), Some(1));
    let s = text(&plain.stdout);
    assert!(
        s.contains(&format!("== {name}:2\n  error   invalid_encoding ")),
        "{s}"
    );
    assert!(s.contains(&format!("== {name}:3\n")), "{s}");
    assert!(
        text(&plain.stderr).contains("checked 3 application(s): 2 ok, 0 invalid, 1 error(s)"),
        "{}",
        text(&plain.stderr)
    );

    // The same records on stdin.
    let stdin = baokao(
        &["check", "--pack", PACK, "--format", "json", "-"],
        Some(&lines),
    );
    assert_eq!(stdin.status.code(), Some(1));
    assert_eq!(
        kinds(&json_lines(&stdin)),
        ["eligible", "invalid_encoding stdin:2", "eligible"]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_json_file_that_is_not_utf8_is_its_records_error_and_the_batch_goes_on() {
    let dir = scratch("gbk-file");
    let (gbk, _) = gbk_record();
    let bad = dir.join("b.json");
    std::fs::write(&bad, &gbk).unwrap();
    let good = example("a-clinical-bachelor.json");
    let bad = bad.to_str().unwrap();
    let out = baokao(
        &[
            "check", "--pack", PACK, "--format", "json", &good, bad, &good,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        kinds(&json_lines(&out)),
        [
            "eligible".to_owned(),
            format!("invalid_encoding {bad}"),
            "eligible".to_owned()
        ]
    );
    // A single document on stdin.
    let stdin = baokao(
        &["check", "--pack", PACK, "--format", "json", "-"],
        Some(&gbk),
    );
    assert_eq!(stdin.status.code(), Some(1));
    assert_eq!(kinds(&json_lines(&stdin)), ["invalid_encoding stdin"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_document() {
    let dir = scratch("bom");
    let good = one_line("a-clinical-bachelor.json");
    let with_bom = format!("\u{feff}{good}");
    let file = dir.join("a.json");
    std::fs::write(&file, &with_bom).unwrap();
    let lines = dir.join("a.jsonl");
    std::fs::write(&lines, format!("{with_bom}\r\n{good}\r\n")).unwrap();
    let out = baokao(
        &[
            "check",
            "--pack",
            PACK,
            "--format",
            "json",
            file.to_str().unwrap(),
            lines.to_str().unwrap(),
            "-",
        ],
        Some(with_bom.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(kinds(&json_lines(&out)), ["eligible"; 4]);
    std::fs::remove_dir_all(&dir).ok();
}

/// `{"pad":"xxx…"}` of exactly `size` bytes.
fn padded(size: usize) -> Vec<u8> {
    let mut doc = b"{\"pad\":\"".to_vec();
    doc.resize(size - 2, b'x');
    doc.extend_from_slice(b"\"}");
    doc
}

#[test]
fn an_over_long_line_is_its_records_error_and_the_batch_goes_on() {
    let dir = scratch("long-line");
    let good = one_line("a-clinical-bachelor.json");
    let mut lines = Vec::new();
    // At the limit with a byte order mark and CRLF: read; one byte more: too large; then 3 MiB.
    for record in [
        good.as_bytes().to_vec(),
        [
            b"\xEF\xBB\xBF".as_slice(),
            &padded(baokao::MAX_DOCUMENT_BYTES),
        ]
        .concat(),
        padded(baokao::MAX_DOCUMENT_BYTES + 1),
        padded(3 * baokao::MAX_DOCUMENT_BYTES),
        good.as_bytes().to_vec(),
    ] {
        lines.extend_from_slice(&record);
        lines.extend_from_slice(b"\r\n");
    }
    let file = dir.join("batch.ndjson");
    std::fs::write(&file, &lines).unwrap();
    let name = file.to_str().unwrap();
    let out = baokao(&["check", "--pack", PACK, "--format", "json", name], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let got = json_lines(&out);
    assert_eq!(got.len(), 5, "{}", text(&out.stdout));
    assert_eq!(got[0]["eligibility"]["outcome"], "eligible");
    assert!(got[1].get("pack").is_some(), "a report: {}", got[1]);
    assert_eq!(got[2]["error"]["code"], "document_too_large");
    assert_eq!(got[2]["error"]["input"], format!("{name}:3"));
    assert!(
        got[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("is {} bytes", baokao::MAX_DOCUMENT_BYTES + 1)),
        "{}",
        got[2]
    );
    assert_eq!(got[3]["error"]["code"], "document_too_large");
    assert!(
        got[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("is {} bytes", 3 * baokao::MAX_DOCUMENT_BYTES)),
        "{}",
        got[3]
    );
    assert_eq!(got[4]["eligibility"]["outcome"], "eligible");

    // The same on stdin, which is then more than the limit: read as JSON Lines.
    let stdin = baokao(
        &["check", "--pack", PACK, "--format", "json", "-"],
        Some(&lines),
    );
    let expected: Vec<String> = kinds(&got)
        .iter()
        .map(|k| k.replace(&format!("{name}:"), "stdin:"))
        .collect();
    assert_eq!(kinds(&json_lines(&stdin)), expected);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_large_document_on_stdin_is_one_error() {
    // Pretty-printed and over the limit: one `document_too_large`, not an error per line.
    let mut doc = b"{\n  \"basic\": {\n    \"name\": \"".to_vec();
    doc.resize(2 * baokao::MAX_DOCUMENT_BYTES, b'x');
    doc.extend_from_slice(b"\"\n  }\n}\n");
    let out = baokao(
        &["check", "--pack", PACK, "--format", "json", "-"],
        Some(&doc),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(kinds(&json_lines(&out)), ["document_too_large stdin"]);
}

/// `baokao notice` writes the printable success notice of an application, and refuses (exit 1,
/// `notice_refused`) one that is ineligible.
#[test]
fn notice_writes_the_page_or_refuses_with_a_code() {
    let dir = std::env::temp_dir().join(format!("baokao-notice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("notice.html");
    let out = baokao(
        &[
            "notice",
            "--pack",
            PACK,
            "--lang",
            "en",
            &example("b-trial-conditional.json"),
            "-o",
            page.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("(due 2024-08-31)"), "{html}");
    assert!(html.contains("eligible on conditions"));
    let refused = baokao(
        &[
            "notice",
            "--pack",
            PACK,
            &example("c-nursing-ineligible.json"),
        ],
        None,
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty());
    assert!(
        text(&refused.stderr).contains("[notice_refused]"),
        "{}",
        text(&refused.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// --- command lines that behave ------------------------------------------------------------------

const COMMANDS: [&str; 10] = [
    "check", "explain", "diff", "test", "lint", "notice", "form", "bundle", "schema", "doc",
];

#[test]
fn every_command_has_help() {
    for command in COMMANDS {
        for args in [
            vec![command, "--help"],
            vec![command, "-h"],
            vec!["help", command],
            // Before anything else is checked: a missing pack or an unknown option does not matter.
            vec![command, "--pack", "/nonexistent", "--bogus", "--help"],
        ] {
            let out = baokao(&args, None);
            let s = text(&out.stdout);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?}: {}",
                text(&out.stderr)
            );
            assert!(
                s.starts_with(&format!("usage: baokao {command} ")),
                "{args:?}: {s}"
            );
            assert!(out.stderr.is_empty(), "{args:?}");
        }
    }
    let general = baokao(&["--help"], None);
    assert_eq!(general.status.code(), Some(0));
    for command in COMMANDS {
        assert!(
            text(&general.stdout).contains(&format!("baokao {command} ")),
            "{command}"
        );
    }
}

/// Usage errors: one line on stderr naming the problem and where help is, exit 2, nothing read.
#[test]
fn usage_errors_are_one_line_and_exit_2() {
    let app = example("a-clinical-bachelor.json");
    for (args, needle) in [
        (
            vec!["check", "--pack", PACK, "--bogus", &app],
            "unknown option `--bogus`",
        ),
        (vec!["check", &app], "`--pack` is required"),
        (vec!["check", "--pack", PACK], "no application given"),
        (
            vec!["check", "--pack", PACK, "--lang", "fr", &app],
            "unknown language `fr`",
        ),
        (
            vec!["check", "--pack", PACK, "--format", "xml", &app],
            "unknown format `xml`",
        ),
        (
            vec!["check", "--pack", PACK, "--encoding", "klingon", &app],
            "unknown encoding `klingon`",
        ),
        (
            vec!["check", "--pack", PACK, "--encoding", "utf-16", &app],
            "encoding `utf-16` is not supported",
        ),
        (
            vec!["check", "--pack", PACK, "--lang"],
            "`--lang` needs a value",
        ),
        (vec!["diff", PACK], "give two packs"),
        (
            vec!["diff", PACK, PACK, "--apps"],
            "`--apps` needs at least one file",
        ),
        (
            vec!["diff", PACK, PACK, "--apps", "export.csv"],
            "`python -m baokao diff`",
        ),
        (vec!["lint"], "a pack directory is required"),
        (vec!["frobnicate"], "unknown command `frobnicate`"),
    ] {
        // The input on stdin is never read: the command stops first.
        let out = baokao(&args, Some(b"{}"));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(
            err.starts_with("baokao: ") && err.contains("--help`"),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// `baokao schema … | head -c 300`: the reader goes away; the command ends quietly (no panic, no
/// message) with the status of a process killed by SIGPIPE. The pipe's only reader has exited
/// before the command starts, so its first write fails, whatever the size of the output.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let app = example("c-nursing-ineligible.json");
    let conditional = example("b-trial-conditional.json");
    for args in [
        vec!["schema", PACK],
        vec!["bundle", PACK],
        vec!["doc", PACK],
        vec!["test", PACK],
        vec!["lint", PACK],
        vec!["check", "--pack", PACK, &app],
        vec!["check", "--pack", PACK, "--format", "json", &app],
        vec!["diff", PACK, PACK],
        vec!["notice", "--pack", PACK, &conditional],
        vec!["--help"],
        vec!["check", "--help"],
    ] {
        let mut reader = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
        let closed = reader.stdin.take().unwrap();
        reader.wait().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_baokao"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(closed))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
            .wait_with_output()
            .unwrap();
        let err = text(&out.stderr);
        assert!(err.is_empty(), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(141), "{args:?}");
    }
}

#[test]
fn language_tags_starting_with_zh_or_en_are_accepted() {
    let app = example("c-nursing-ineligible.json");
    let report = |lang: &str| {
        let out = baokao(
            &[
                "check", "--pack", PACK, "--format", "json", "--lang", lang, &app,
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(1), "{lang}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let (zh, en) = (report("zh"), report("en"));
    assert_ne!(zh, en);
    for tag in ["ZH", "zh-CN", "zh_CN", "zh-Hans-CN"] {
        assert_eq!(report(tag), zh, "{tag}");
    }
    for tag in ["EN", "en-US", "en-GB", "En-us"] {
        assert_eq!(report(tag), en, "{tag}");
    }
    for tag in ["fr", "english", "zh-", ""] {
        let out = baokao(&["check", "--pack", PACK, "--lang", tag, &app], None);
        assert_eq!(out.status.code(), Some(2), "{tag:?}");
    }
}

/// GB18030 and friends: each record decoded before it is judged; a byte the encoding cannot read
/// is that record's `invalid_encoding`, located in it.
#[test]
fn encoding_reads_gb18030_exports() {
    let dir = scratch("gb18030");
    let good = one_line("a-clinical-bachelor.json");
    let (gbk, _, _) = encoding_rs::GBK.encode(&good);
    let gbk = gbk.into_owned();
    // 0xFF starts no GB18030 character: put one where the candidate's name starts.
    let at = good.find("李明轩").unwrap();
    let column = encoding_rs::GBK.encode(&good[..at]).0.len() + 1;
    let mut bad = gbk.clone();
    bad[column - 1] = 0xFF;
    let mut lines = Vec::new();
    for record in [&gbk, &bad, &gbk] {
        lines.extend_from_slice(record);
        lines.extend_from_slice(b"\r\n");
    }
    let file = dir.join("export.jsonl");
    std::fs::write(&file, &lines).unwrap();
    let name = file.to_str().unwrap();
    let json = |extra: &[&str], stdin: Option<&[u8]>| {
        let mut args = vec!["check", "--pack", PACK, "--format", "json"];
        args.extend_from_slice(extra);
        baokao(&args, stdin)
    };
    let out = json(&["--encoding", "gb18030", name], None);
    let got = json_lines(&out);
    assert_eq!(
        kinds(&got),
        [
            "eligible".to_owned(),
            format!("invalid_encoding {name}:2"),
            "eligible".to_owned()
        ]
    );
    let message = got[1]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "text is not gb18030 at line 1, column {column} (byte `0xFF`)"
        )),
        "{message}"
    );
    // Read as UTF-8, no record is.
    let utf8 = json(&[name], None);
    assert!(kinds(&json_lines(&utf8))
        .iter()
        .all(|k| k.starts_with("invalid_encoding")));
    // `gbk` names the same decoder; a single document and stdin too.
    let single = dir.join("one.json");
    std::fs::write(&single, &gbk).unwrap();
    let out = json(
        &["--encoding", "GBK", single.to_str().unwrap(), "-"],
        Some(&lines),
    );
    assert_eq!(
        kinds(&json_lines(&out)),
        [
            "eligible",
            "eligible",
            "invalid_encoding stdin:2",
            "eligible"
        ]
    );
    std::fs::remove_dir_all(&dir).ok();
}

// --- diff ------------------------------------------------------------------------------------

const HUNAN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/nmec-2024-hunan");

#[test]
fn diff_exits_0_without_changes_1_with_them_2_on_errors() {
    let same = baokao(&["diff", PACK, PACK], None);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert!(text(&same.stdout).contains("no changes"));
    let changed = baokao(&["diff", PACK, HUNAN], None);
    assert_eq!(changed.status.code(), Some(1), "{}", text(&changed.stderr));
    let s = text(&changed.stdout);
    assert!(s.contains("params (1 changed)"), "{s}");
    assert!(
        s.contains("~ assistant_years_cutoff: `2024-08-31` → `2024-08-15`"),
        "{s}"
    );
    let missing = baokao(&["diff", PACK, "/nonexistent"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("[io_error]"));
}

#[test]
fn diff_with_applications_lists_whom_it_affects() {
    let dir = scratch("diff-apps");
    let vectors = dir.join("vectors.jsonl");
    let out = baokao(
        &["test", PACK, "--write-vectors", vectors.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let docs: Vec<String> = std::fs::read_to_string(&vectors)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["step"].is_null())
        .map(|v| v["document"].to_string())
        .collect();
    let apps = dir.join("apps.jsonl");
    std::fs::write(&apps, format!("{}\nnot json\n", docs.join("\n"))).unwrap();
    let apps = apps.to_str().unwrap();
    let out = baokao(
        &["diff", PACK, HUNAN, "--format", "json", "--apps", apps],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["changed"], true);
    assert_eq!(d["old"]["id"], "nmec-2024");
    assert_eq!(d["new"]["id"], "nmec-2024-hunan");
    let a = &d["applications"];
    assert_eq!(a["checked"], docs.len() + 1);
    assert_eq!(a["unreadable"][0]["code"], "malformed_json");
    assert_eq!(
        a["unreadable"][0]["input"],
        format!("{apps}:{}", docs.len() + 1)
    );
    let changes = a["changes"].as_array().unwrap();
    assert_eq!(a["changed"], changes.len());
    let review = changes
        .iter()
        .find(|c| c["fires"] == serde_json::json!(["XF-12.c"]))
        .expect("a candidate Hunan sends to review");
    assert_eq!(review["old"]["outcome"], "eligible");
    assert_eq!(review["new"]["outcome"], "needs_review");
    assert!(review["input"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{apps}:")));
    assert!(a["outcomes"]["eligible → needs_review"].as_u64().unwrap() >= 1);
    // The same records on stdin, as text.
    let stdin = baokao(
        &["diff", PACK, HUNAN, "--apps", "-"],
        Some(std::fs::read(apps).unwrap().as_slice()),
    );
    assert_eq!(stdin.status.code(), Some(1));
    let s = text(&stdin.stdout);
    assert!(
        s.contains(&format!("applications: {} checked", docs.len() + 1)),
        "{s}"
    );
    assert!(s.contains("eligible → needs_review · fires XF-12.c"), "{s}");
    assert!(
        s.contains(&format!(
            "stdin:{}  unreadable: malformed_json",
            docs.len() + 1
        )),
        "{s}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

// --- every diagnostic about a pack says file:line:column ------------------------------------------

/// The text at `file:line:column` of a location printed by the CLI, read from `cwd`.
fn text_at(cwd: &std::path::Path, location: &str) -> String {
    let mut parts = location.rsplitn(3, ':');
    let column: usize = parts.next().unwrap().parse().unwrap();
    let line: usize = parts.next().unwrap().parse().unwrap();
    let file = parts.next().unwrap();
    let content = std::fs::read_to_string(cwd.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let line = content.lines().nth(line - 1).unwrap();
    line.chars().skip(column - 1).collect()
}

/// The `file:line:column` a CLI line starts with.
fn location_of(line: &str) -> &str {
    let end = line.find(": ").unwrap();
    &line[..end]
}

#[test]
fn failing_examples_and_lint_findings_say_file_line_column_from_where_the_command_runs() {
    let dir = scratch("locations");
    let pack = dir.join("packs/p");
    std::fs::create_dir_all(pack.join("tests")).unwrap();
    std::fs::write(
        pack.join("pack.toml"),
        r#"[pack]
id = "located"
version = "1.0.0"
title = { zh = "定位", en = "Located" }

[params]
min_age = 18
unused = 1

[[step]]
id = "e"
title = { zh = "基本信息", en = "Basic" }

[[field]]
path = "e.age"
type = "int"
label = { zh = "年龄", en = "Age" }

[[field]]
path = "e.name"
type = "text"
label = { zh = "姓名", en = "Name" }
"#,
    )
    .unwrap();
    std::fs::write(
        pack.join("rules.toml"),
        r#"[[rule]]
id = "E-1"
summary = "old enough"
severity = "error"
check = 'e.age >= $min_age'
message = { zh = "年龄不足", en = "too young" }
cite = "test"
confidence = "H"

[[decision]]
id = "band"
summary = "a name band"
hit = "first"
inputs = ['e.name']
cite = "test"
confidence = "H"
rows = [
  { when = ["-"], output = "any" },
  { when = ["张三"], output = "zhang" },
]
"#,
    )
    .unwrap();
    std::fs::write(
        pack.join("tests/examples.toml"),
        r#"[[example]]
name = "adult"
application = "adult.json"
expect = { valid = true }

[[example]]
name = "wrongly-expected"
base = "adult"
set = { "e.age" = 12 }
expect = { valid = true }
"#,
    )
    .unwrap();
    std::fs::write(
        pack.join("adult.json"),
        r#"{"e": {"age": 30, "name": "张三"}}"#,
    )
    .unwrap();

    // (`application` is relative to the pack directory.)
    let run_in = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_baokao"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let test = run_in(&["test", "packs/p", "--allow-uncovered"]);
    let out = text(&test.stdout);
    assert_eq!(test.status.code(), Some(1), "{out}");
    let fail = out
        .lines()
        .find(|l| l.contains("FAIL"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        fail.starts_with("packs/p/tests/examples.toml:7:9: FAIL example `wrongly-expected`: expected valid = true, got false"),
        "{fail}"
    );
    assert!(text_at(&dir, location_of(fail)).starts_with("wrongly-expected\""));
    let never = out
        .lines()
        .find(|l| l.contains("never hit"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(never.starts_with("packs/p/rules.toml:"), "{never}");
    assert!(
        text_at(&dir, location_of(never)).starts_with("{ when = [\"张三\"]"),
        "{never}"
    );

    let lint = run_in(&["lint", "packs/p"]);
    let out = text(&lint.stdout);
    let unreachable = out
        .lines()
        .find(|l| l.contains("[unreachable_row]"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        unreachable.starts_with("packs/p/rules.toml:19:3: warning: decision band: row 2"),
        "{unreachable}"
    );
    assert!(text_at(&dir, location_of(unreachable)).starts_with("{ when = [\"张三\"]"));
    let unused = out
        .lines()
        .find(|l| l.contains("[unused_param]"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        text_at(&dir, location_of(unused)).starts_with("unused = 1"),
        "{unused}"
    );

    // A pack error from the same place: the duplicate's `id`, and where the first one is.
    std::fs::write(pack.join("zz-dup.toml"), "[[rule]]\nid = \"E-1\"\nsummary = \"again\"\nseverity = \"error\"\nmessage = { zh = \"再\", en = \"again\" }\ncite = \"test\"\nconfidence = \"H\"\n").unwrap();
    let dup = run_in(&["test", "packs/p"]);
    let err = text(&dup.stderr);
    assert_eq!(dup.status.code(), Some(2));
    assert!(err.contains("[duplicate_id]: packs/p/zz-dup.toml:2:7: rule `E-1` is declared twice (first declared at packs/p/rules.toml:2:7)"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `baokao form` prints the core's form description (one JSON line, the bytes of
/// `serde_json::to_string(&engine.form(lang))`), and with `--state` what an application makes of it.
#[test]
fn form_prints_the_form_and_the_state_of_an_application() {
    let engine = baokao::Engine::from_dir(PACK).unwrap();
    for (flag, lang) in [("zh", baokao::Lang::Zh), ("en", baokao::Lang::En)] {
        let out = baokao(&["form", "--pack", PACK, "--lang", flag], None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let expected = serde_json::to_string(&engine.form(lang)).unwrap() + "\n";
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    }
    let app = r#"{"basic": {"id_type": "居民身份证", "id_number": "430102199805140318"}}"#;
    let out = baokao(
        &["form", "--pack", PACK, "--state", "-"],
        Some(app.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(state["derived"][0]["value"], "男");
    assert_eq!(state["derived"][1]["value"], "1998-05-14");
    // Not an application: the core's code, exit 2.
    let out = baokao(&["form", "--pack", PACK, "--state", "-"], Some(b"[1]"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("[not_an_object]"),
        "{}",
        text(&out.stderr)
    );
    let out = baokao(&["form", "--pack", PACK, "--lang", "fr"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_pinned_digest_refuses_any_other_pack() {
    let dir = std::env::temp_dir().join(format!("baokao-cli-pin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("nmec.bundle.json");
    let out = baokao(&["bundle", PACK, "-o", bundle.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).unwrap()).unwrap();
    let digest = written["digest"].as_str().unwrap().to_owned();
    let app = example("a-clinical-bachelor.json");
    let bundle = bundle.to_str().unwrap();
    // The pinned digest: the bundle and the directory it came from both load.
    for pack in [bundle, PACK] {
        let out = baokao(
            &["check", "--pack", pack, "--expect-digest", &digest, &app],
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    // Any other digest: a load error naming both digests, exit 2.
    let other = format!("sha256:{}", "0".repeat(64));
    for pack in [bundle, PACK] {
        let out = baokao(
            &["check", "--pack", pack, "--expect-digest", &other, &app],
            None,
        );
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(err.contains("[digest_mismatch]"), "{err}");
        assert!(err.contains(&digest) && err.contains(&other), "{err}");
    }
    // `diff` loads two packs: one pin cannot name both, so it is a usage error.
    let out = baokao(&["diff", PACK, PACK, "--expect-digest", &digest], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("`--expect-digest` pins one pack"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_pack_root_lets_extends_lead_outside_the_packs_directory() {
    let tests = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests");
    let pack = format!("{tests}/errors/extends_outside_root/pack");
    let out = baokao(&["schema", &pack], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("[path_outside_root]"),
        "{}",
        text(&out.stderr)
    );
    let root = format!("{tests}/fixtures");
    let out = baokao(&["schema", &pack, "--pack-root", &root], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
