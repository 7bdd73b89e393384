//! Data-driven engine cases: every pack under `tests/engine/<feature>/` runs its `[[example]]`s with
//! `baokao::testing::run_examples`, and every example must pass.
//!
//! A feature directory is a pack when it holds `pack.toml`; otherwise each of its sub-directories that
//! holds one is (the overlay case is a base pack and a pack extending it). Beyond the examples' own
//! expectations, every report (with its explain trace) is checked never to contain the full value of a
//! field marked `mask = true`, and a few facts the example format cannot express (due dates, open
//! questions, the code of undetermined reasons, rendered messages, routes left unset) are checked here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use baokao::model::FieldType;
use baokao::testing::run_examples;
use baokao::{Engine, Outcome, Report};

/// One test per feature directory, in the order of the brief.
const FEATURES: &[&str] = &[
    "operators",
    "unknowns",
    "dates",
    "text",
    "id_card",
    "tables",
    "quantifiers",
    "decisions",
    "schema",
    "steps",
    "masking",
    "overlay",
    "outcomes",
];

fn engine_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("engine")
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The pack directories of a feature.
fn pack_dirs(feature: &Path) -> Vec<PathBuf> {
    if feature.join("pack.toml").is_file() {
        return vec![feature.to_path_buf()];
    }
    sorted_dirs(feature)
        .into_iter()
        .filter(|d| d.join("pack.toml").is_file())
        .collect()
}

/// One loaded pack and the reports of its examples.
struct Ran {
    /// `feature` or `feature/sub`.
    name: String,
    engine: Engine,
    /// (example name, its report when the engine produced one).
    reports: Vec<(String, Option<Report>)>,
}

impl Ran {
    fn document(&self, example: &str) -> &serde_json::Value {
        self.engine
            .pack()
            .examples
            .iter()
            .find(|e| e.name == example)
            .and_then(|e| e.document.as_ref())
            .unwrap_or_else(|| panic!("{}: no document for example `{example}`", self.name))
    }

    fn report(&self, example: &str) -> &Report {
        self.reports
            .iter()
            .find(|(n, _)| n == example)
            .and_then(|(_, r)| r.as_ref())
            .unwrap_or_else(|| panic!("{}: no report for example `{example}`", self.name))
    }
}

/// Collects every problem of a feature so that one run shows all of them.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(what());
        }
    }

    fn finish(self, feature: &str) {
        assert!(
            self.0.is_empty(),
            "engine cases `{feature}`: {} problem(s):\n  {}",
            self.0.len(),
            self.0.join("\n  ")
        );
    }
}

/// The string values a masked field holds in `doc`: `step.field`, `step.list` (each item) or
/// `step.records[].field` (each record's field).
fn masked_values(doc: &serde_json::Value, path: &str, ty: FieldType) -> Vec<String> {
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        match v {
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            Some(serde_json::Value::Array(items)) if ty == FieldType::List => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    if let Some((records, field)) = path.split_once("[].") {
        let (step, key) = records.split_once('.').unwrap();
        return match doc.get(step).and_then(|s| s.get(key)) {
            Some(serde_json::Value::Array(items)) => {
                items.iter().flat_map(|i| strings(i.get(field))).collect()
            }
            _ => Vec::new(),
        };
    }
    let (step, key) = path.split_once('.').unwrap();
    strings(doc.get(step).and_then(|s| s.get(key)))
}

/// Load one pack, run its examples, record failures (expectations and masking).
fn run_pack(name: String, dir: &Path, failures: &mut Failures) -> Option<Ran> {
    let engine = match Engine::from_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            failures.0.push(format!(
                "{name}: the pack does not load: [{}] {e}",
                e.code()
            ));
            return None;
        }
    };
    let run = run_examples(&engine);
    failures.check(!run.results.is_empty(), || {
        format!("{name}: no examples found")
    });
    let masked: Vec<(&str, FieldType)> = engine
        .pack()
        .fields
        .iter()
        .filter(|f| f.mask.is_masked())
        .map(|f| (f.path.as_str(), f.ty))
        .collect();
    let mut reports = Vec::new();
    for result in run.results {
        for f in &result.failures {
            let mut line = format!("{name} / {}: {f}", result.name);
            if let Some(r) = &result.report {
                let why: Vec<String> = r
                    .eligibility
                    .reasons
                    .iter()
                    .map(|f| format!("{} [{}] {}", f.rule, f.code, f.message))
                    .collect();
                if !why.is_empty() {
                    let _ = write!(line, " (reasons: {})", why.join("; "));
                }
            }
            failures.0.push(line);
        }
        if let Some(report) = &result.report {
            let json = serde_json::to_string(report).unwrap();
            let doc = engine
                .pack()
                .examples
                .iter()
                .find(|e| e.name == result.name)
                .and_then(|e| e.document.as_ref());
            for (path, ty) in &masked {
                for value in doc.map(|d| masked_values(d, path, *ty)).unwrap_or_default() {
                    // Short values cannot be told apart from their mask (`mask("a") == "a"`).
                    failures.check(value.chars().count() < 6 || !json.contains(&value), || {
                        format!("{name} / {}: the value `{value}` of masked field `{path}` appears in full in the report", result.name)
                    });
                }
            }
        }
        reports.push((result.name, result.report));
    }
    // The bundle form of the pack (what the Python and browser bindings load) judges every example
    // exactly as the directory does.
    match Engine::from_bundle(&engine.bundle(true).to_json()) {
        Ok(bundled) => {
            let again = run_examples(&bundled);
            failures.check(again.results.len() == reports.len(), || {
                format!("{name}: the bundle has other examples")
            });
            for (result, (example, report)) in again.results.iter().zip(&reports) {
                let same = serde_json::to_value(&result.report).unwrap()
                    == serde_json::to_value(report).unwrap();
                failures.check(same, || {
                    format!("{name} / {example}: the bundle's report differs from the directory's")
                });
            }
        }
        Err(e) => failures.0.push(format!(
            "{name}: the bundle does not load: [{}] {e}",
            e.code()
        )),
    }
    Some(Ran {
        name,
        engine,
        reports,
    })
}

fn run_feature(feature: &str, failures: &mut Failures) -> Vec<Ran> {
    let dir = engine_root().join(feature);
    let packs = pack_dirs(&dir);
    assert!(
        !packs.is_empty(),
        "tests/engine/{feature}: no pack directory (pack.toml) found"
    );
    packs
        .iter()
        .filter_map(|p| {
            let rel = p
                .strip_prefix(engine_root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            run_pack(rel, p, failures)
        })
        .collect()
}

fn pack<'a>(runs: &'a [Ran], name: &str) -> Option<&'a Ran> {
    runs.iter().find(|r| r.name == name)
}

#[test]
fn every_engine_dir_is_a_listed_feature() {
    let found: BTreeSet<String> = sorted_dirs(&engine_root())
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = FEATURES.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        found, listed,
        "tests/engine/ and FEATURES must list the same features"
    );
}

#[test]
fn operators() {
    let mut f = Failures::default();
    run_feature("operators", &mut f);
    f.finish("operators");
}

#[test]
fn unknowns() {
    let mut f = Failures::default();
    let runs = run_feature("unknowns", &mut f);
    if let Some(run) = pack(&runs, "unknowns") {
        // The undetermined rule is reported as a reason with the code `undetermined`, naming the
        // missing field, and is not in `fired`.
        let r = run.report("missing-field-is-undetermined");
        let reasons: Vec<(&str, &str)> = r
            .eligibility
            .reasons
            .iter()
            .map(|f| (&*f.rule, &*f.code))
            .collect();
        f.check(reasons == [("UG-MISSING", "undetermined")], || {
            format!("unknowns: undetermined reasons are {reasons:?}")
        });
        f.check(
            r.eligibility
                .reasons
                .iter()
                .all(|x| x.message.contains("u.g")),
            || {
                format!(
                    "unknowns: the undetermined reason does not name u.g: {:?}",
                    r.eligibility.reasons
                )
            },
        );
        f.check(r.fired().is_empty(), || {
            format!(
                "unknowns: fired() lists undetermined rules: {:?}",
                r.fired()
            )
        });
        // An undetermined validation rule leaves no diagnostic.
        let base = run.report("kleene-and-presence");
        f.check(base.diagnostics.is_empty(), || {
            format!("unknowns: diagnostics {:?}", base.diagnostics)
        });
    }
    f.finish("unknowns");
}

#[test]
fn dates() {
    let mut f = Failures::default();
    run_feature("dates", &mut f);
    f.finish("dates");
}

#[test]
fn text() {
    let mut f = Failures::default();
    run_feature("text", &mut f);
    f.finish("text");
}

#[test]
fn id_card() {
    let mut f = Failures::default();
    run_feature("id_card", &mut f);
    f.finish("id_card");
}

#[test]
fn tables() {
    let mut f = Failures::default();
    run_feature("tables", &mut f);
    f.finish("tables");
}

#[test]
fn quantifiers() {
    let mut f = Failures::default();
    run_feature("quantifiers", &mut f);
    f.finish("quantifiers");
}

#[test]
fn decisions() {
    let mut f = Failures::default();
    let runs = run_feature("decisions", &mut f);
    if let Some(run) = pack(&runs, "decisions") {
        for example in ["default-row-condition", "unknown-cell-blocks-first-hit"] {
            let r = run.report(example);
            f.check(r.eligibility.route.is_none(), || {
                format!(
                    "decisions / {example}: route {:?}, expected none",
                    r.eligibility.route
                )
            });
        }
        let r = run.report("default-row-condition");
        let conditions: Vec<(&str, Option<&str>)> = r
            .eligibility
            .conditions
            .iter()
            .map(|c| (&*c.rule, c.due.as_deref()))
            .collect();
        f.check(conditions == [("tags#default", Some("2024-08-31"))], || {
            format!("decisions / default-row-condition: conditions {conditions:?}")
        });
        // The message of DR-GRADE renders the decision's output.
        let r = run.report("second-row-and-default-output");
        let grade = r
            .eligibility
            .reasons
            .iter()
            .find(|x| &*x.rule == "DR-GRADE")
            .map(|x| x.message.as_str());
        f.check(grade == Some("成绩等级为fail"), || {
            format!("decisions: DR-GRADE message {grade:?}")
        });
    }
    f.finish("decisions");
}

#[test]
fn schema() {
    let mut f = Failures::default();
    let runs = run_feature("schema", &mut f);
    if let Some(run) = pack(&runs, "schema/fields") {
        // A diagnostic points at the field by JSON pointer, in the step it belongs to.
        let r = run.report("record-item-required");
        let at: Vec<(&str, &str, &str)> = r
            .diagnostics
            .iter()
            .map(|d| (&*d.code, d.path.as_str(), d.step.as_deref().unwrap_or("")))
            .collect();
        f.check(
            at == [("required_missing", "/s/items/0/title", "s")],
            || format!("schema / record-item-required: {at:?}"),
        );
        let r = run.report("unknown-field-in-a-step");
        let sev: Vec<_> = r
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.path.as_str()))
            .collect();
        f.check(
            sev == [(baokao::model::Severity::Warning, "/s/extra")],
            || format!("schema / unknown-field-in-a-step: {sev:?}"),
        );
        // The message quotes the label and the bound.
        let r = run.report("too-long");
        let messages: Vec<&str> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
        f.check(messages == ["姓名不能超过 4 个字符"], || {
            format!("schema / too-long: {messages:?}")
        });
        let r = run.report("below-min");
        let rules: Vec<(Option<&str>, &str)> = r
            .diagnostics
            .iter()
            .map(|d| (d.rule.as_deref(), &*d.code))
            .collect();
        f.check(rules == [(Some("F-AGE"), "out_of_range")], || {
            format!("schema / below-min: {rules:?}")
        });
    }
    f.finish("schema");
}

#[test]
fn steps() {
    let mut f = Failures::default();
    let runs = run_feature("steps", &mut f);
    if let Some(run) = pack(&runs, "steps") {
        let r = run.report("step-one-pending-later-steps");
        f.check(r.step.as_deref() == Some("one"), || {
            format!("steps: report.step is {:?}", r.step)
        });
        f.check(
            run.engine.steps().collect::<Vec<_>>() == ["one", "two", "three"],
            || "steps: Engine::steps order".into(),
        );
        // Undetermined because a later step is pending: the reasons name what is pending (E3
        // reads step three), with code `undetermined` — never an empty list.
        for example in [
            "step-one-pending-later-steps",
            "step-two-ignores-earlier-required",
        ] {
            let r = run.report(example);
            let pending: Vec<(&str, &str, Option<&str>)> = r
                .eligibility
                .reasons
                .iter()
                .map(|x| (&*x.rule, &*x.code, x.path.as_deref()))
                .collect();
            f.check(
                pending == [("three", "undetermined", Some("/three"))],
                || format!("steps / {example}: reasons {pending:?}"),
            );
            let messages: Vec<&str> = r
                .eligibility
                .reasons
                .iter()
                .map(|x| x.message.as_str())
                .collect();
            f.check(
                messages
                    .iter()
                    .all(|m| m.contains("three") || m.contains("第三步")),
                || format!("steps / {example}: the message names the step: {messages:?}"),
            );
        }
    }
    f.finish("steps");
}

#[test]
fn masking() {
    let mut f = Failures::default();
    let runs = run_feature("masking", &mut f);
    if let Some(run) = pack(&runs, "masking") {
        // mask(): more than 7 characters keep the first 3 and the last 4.
        let expected = [
            ("message-hole", "证件号码 440***********1237 校验位错误"),
            (
                "pattern-diagnostic",
                "备用证件号码「440***********124x」格式不正确",
            ),
            ("enum-diagnostic", "联系电话「138****5678」不是可选的值"),
            (
                "record-item-pattern-diagnostic",
                "家属证件号码「110***********002x」格式不正确",
            ),
            (
                "list-item-enum-diagnostic",
                "授权码「BBB*2222」不是可选的值",
            ),
        ];
        for (example, message) in expected {
            let r = run.report(example);
            let messages: Vec<&str> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
            f.check(messages.contains(&message), || {
                format!("masking / {example}: expected the message `{message}`, got {messages:?}")
            });
        }
        let r = run.report("message-hole");
        let finding = r
            .eligibility
            .reasons
            .iter()
            .find(|x| &*x.rule == "MK-ELIGIBLE")
            .map(|x| x.message.as_str());
        f.check(finding == Some("证件 440***********1237 无效"), || {
            format!("masking: MK-ELIGIBLE message {finding:?}")
        });
        // Values computed from the masked field: nothing of them is shown but their kind.
        let r = run.report("derived-values");
        let messages: Vec<&str> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
        let expected = "*** ****-**-** ****-** *** true 440***********1236 440***********1236";
        f.check(messages.contains(&expected), || {
            format!("masking / derived-values: expected `{expected}`, got {messages:?}")
        });
        let en = run
            .engine
            .run(
                run.document("derived-values"),
                &baokao::Options::default().with_lang(baokao::Lang::En),
            )
            .unwrap();
        let messages: Vec<&str> = en.diagnostics.iter().map(|d| d.message.as_str()).collect();
        f.check(messages.contains(&"*** ***"), || {
            format!("masking / derived-values (en): got {messages:?}")
        });
        let explained = run.engine.explain(run.document("derived-values")).unwrap();
        let trace = explained.trace.unwrap();
        let values: Vec<(String, serde_json::Value)> = trace
            .iter()
            .filter(|t| &*t.rule == "MK-DERIVED")
            .flat_map(|t| t.values.iter().map(|v| (v.expr.clone(), v.value.clone())))
            .collect();
        for (expr, shown) in [
            ("m.id", serde_json::json!("440***********1236")),
            ("id_region(m.id)", serde_json::json!("***")),
            ("id_birth_date(m.id)", serde_json::json!("****-**-**")),
            ("len(m.id)", serde_json::json!("***")),
            ("id_checksum_ok(m.id)", serde_json::json!(true)),
            ("id_region(m.id) == \"000000\"", serde_json::json!(false)),
        ] {
            f.check(values.iter().any(|(e, v)| e == expr && *v == shown), || {
                format!(
                    "masking / derived-values: trace of `{expr}` should be {shown}, got {values:?}"
                )
            });
        }
    }
    f.finish("masking");
}

#[test]
fn overlay() {
    let mut f = Failures::default();
    let runs = run_feature("overlay", &mut f);
    f.check(runs.len() == 2, || {
        format!(
            "overlay: expected the base and the province pack, loaded {}",
            runs.len()
        )
    });
    if let Some(run) = pack(&runs, "overlay/province") {
        let p = run.engine.pack();
        f.check(p.pack.lineage == ["ov-base"], || {
            format!("overlay: lineage {:?}", p.pack.lineage)
        });
        f.check(
            p.params.get("min_age").map(|d| &d.value) == Some(&serde_json::json!(16)),
            || "overlay: $min_age is not 16".into(),
        );
        let ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
        f.check(ids == ["OV-AGE", "OV-MAX", "OV-PROVINCE"], || {
            format!("overlay: rules {ids:?}")
        });
        let names: Vec<&str> = p.examples.iter().map(|e| e.name.as_str()).collect();
        f.check(
            names == ["province-minor-overseas", "province-fifty"],
            || format!("overlay: examples {names:?}"),
        );
    }
    // The same application, different outcomes.
    if let (Some(base), Some(prov)) = (pack(&runs, "overlay/base"), pack(&runs, "overlay/province"))
    {
        let (a, b) = (
            base.report("base-minor-overseas"),
            prov.report("province-minor-overseas"),
        );
        f.check(a.eligibility.outcome == Outcome::Ineligible && b.eligibility.outcome == Outcome::Eligible, || {
            "overlay: app-17.json should be ineligible under the base and eligible under the province".into()
        });
        f.check(
            &*a.pack.id == "ov-base" && &*b.pack.id == "ov-province",
            || "overlay: report.pack ids".into(),
        );
    }
    f.finish("overlay");
}

#[test]
fn outcomes() {
    let mut f = Failures::default();
    let runs = run_feature("outcomes", &mut f);
    if let Some(run) = pack(&runs, "outcomes") {
        let r = run.report("conditional");
        let c: Vec<(&str, Option<&str>, &str)> = r
            .eligibility
            .conditions
            .iter()
            .map(|c| (&*c.rule, c.due.as_deref(), c.message.as_str()))
            .collect();
        f.check(
            c == [(
                "OC-COND",
                Some("2024-08-31"),
                "须于2024-08-31前提交毕业证书",
            )],
            || format!("outcomes / conditional: {c:?}"),
        );
        f.check(r.eligibility.reasons.is_empty(), || {
            "outcomes / conditional: reasons should be empty".into()
        });

        let r = run.report("restriction-keeps-eligible");
        let rs: Vec<&str> = r
            .eligibility
            .restrictions
            .iter()
            .map(|x| &*x.rule)
            .collect();
        f.check(rs == ["OC-RESTRICT"], || {
            format!("outcomes / restriction: {rs:?}")
        });

        let r = run.report("needs-review");
        let q: Vec<(&str, Option<&str>)> = r
            .eligibility
            .reasons
            .iter()
            .map(|x| (&*x.rule, x.question.as_deref()))
            .collect();
        f.check(q == [("OC-REVIEW", Some("Q5"))], || {
            format!("outcomes / needs-review: {q:?}")
        });

        // Every reason, not the first.
        let r = run.report("several-reasons");
        let ids: BTreeSet<&str> = r.eligibility.reasons.iter().map(|x| &*x.rule).collect();
        f.check(
            r.eligibility.reasons.len() == 3
                && ids == BTreeSet::from(["OC-FAIL-1", "OC-FAIL-2", "OC-FAIL-3"]),
            || format!("outcomes / several-reasons: {:?}", r.eligibility.reasons),
        );

        let r = run.report("undetermined");
        let u: Vec<(&str, &str)> = r
            .eligibility
            .reasons
            .iter()
            .map(|x| (&*x.rule, &*x.code))
            .collect();
        f.check(u == [("OC-UNDET", "undetermined")], || {
            format!("outcomes / undetermined: {u:?}")
        });

        // `{{`/`}}` are literal braces; an unknown value shows as `—`.
        let r = run.report("message-template");
        let m: Vec<&str> = r
            .eligibility
            .restrictions
            .iter()
            .map(|x| x.message.as_str())
            .collect();
        f.check(m == ["括号{示例}，缺失值：—"], || {
            format!("outcomes / message-template: {m:?}")
        });
        let en_options = baokao::Options::default().with_lang(baokao::Lang::En);
        let en = run
            .engine
            .run(run.document("message-template"), &en_options)
            .unwrap();
        let m: Vec<&str> = en
            .eligibility
            .restrictions
            .iter()
            .map(|x| x.message.as_str())
            .collect();
        f.check(m == ["braces {example}, missing value: —"], || {
            format!("outcomes / message-template (en): {m:?}")
        });
    }
    f.finish("outcomes");
}
