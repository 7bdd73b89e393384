//! The side-by-side harness: the same work in baokao and in peer engines, on the same inputs, in one
//! process and one run.
//!
//! Three comparisons, each on the full application, an invalid one derived from it and the batch of
//! 10,000 generated applications (`baokao_benches::generate(10_000, SEED)`):
//!
//! 1. structural field checks: baokao's schema stage against the `jsonschema` crate validating
//!    `peers/application.schema.json` (what `baokao schema rules/nmec-2024` exports);
//! 2. the eligibility decision (route, trial months, certificate years): baokao against the ZEN
//!    decision graph `peers/eligibility.zen.json`;
//! 3. six cross-field rules: baokao against the `JSONLogic` rules `peers/cross-field.jsonlogic.json`
//!    evaluated by `datalogic-rs`.
//!
//! Before anything is timed, every engine's answers are checked equal to baokao's on every input (a
//! comparison of engines that disagree is void): the harness prints each disagreement and exits
//! with status 1. Then it times each engine with a median-of-samples loop, samples taken round-robin
//! across the engines of a table so load on the machine falls on all of them alike, and prints a
//! markdown fragment (also written to `target/compare/rust.md`, or to the path given).
//!
//! Usage: `baokao-compare [OUT.md] [--quick] [--write-peers]`. `--write-peers` regenerates
//! `peers/application.schema.json` and `peers/expected.json` from the pack and exits.

// A bench harness, not library code: `real_main` lays out the three tables in one place, and
// nanosecond counts and iteration counts become f64 for medians and ratios (precision loss far below
// the noise), a calibrated iteration count (positive, small) goes back to u32, and short names
// stand for the engines and fixtures as in the workspace's own allow list.
#![allow(
    clippy::too_many_lines,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::similar_names,
    clippy::many_single_char_names
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use baokao::{Engine, Options, Report};
use datalogic_rs::DataLogic;
use serde_json::{json, Value};
use zen_engine::model::DecisionContent;
use zen_engine::{Decision, DecisionEngine, Variable};

type Error = Box<dyn std::error::Error>;

/// The cross-field rules expressed in `JSONLogic` (the keys of `peers/cross-field.jsonlogic.json`).
const CROSS_FIELD_RULES: [&str; 6] = [
    "XF-10.a", "XF-10.b", "XF-06.a", "XF-15", "XF-16.c", "XF-13.a",
];

/// The eligibility rules the ZEN graph reproduces, with the key of its `fired` output: the route
/// table's rows that are findings (`XF-17.a` ineligible, `C6-LEVEL.route` and `R-LV-7.b` for review)
/// and the trial-month and certificate-year rules.
const ELIGIBILITY_RULES: [(&str, &str); 10] = [
    ("XF-17.a", "xf_17_a"),
    ("C6-LEVEL.route", "c6_level_route"),
    ("R-LV-7.b", "r_lv_7_b"),
    ("XF-11.a", "xf_11_a"),
    ("R-TR-3", "r_tr_3"),
    ("R-TR-2", "r_tr_2"),
    ("XF-11.b", "xf_11_b"),
    ("R-PG-1", "r_pg_1"),
    ("XF-12.a", "xf_12_a"),
    ("XF-12.b", "xf_12_b"),
];

/// The route rows of [`ELIGIBILITY_RULES`] whose effect is `needs_review`: a report shows a review
/// only when nothing makes the application ineligible, so whether they appear depends on every
/// ineligibility rule of the pack that runs (the ZEN graph hides them behind its own).
const REVIEW_RULES: [&str; 2] = ["C6-LEVEL.route", "R-LV-7.b"];

/// What the eligibility overlay keeps: the route decision and the rules of [`ELIGIBILITY_RULES`]
/// that are rules (the others are rows of the route table).
const ELIGIBILITY_KEEP: [&str; 8] = [
    "route", "XF-11.a", "R-TR-3", "R-TR-2", "XF-11.b", "R-PG-1", "XF-12.a", "XF-12.b",
];

/// Every value the route decision can give (`None`: no route, for XF-17.a and C6-LEVEL.route):
/// each must come out of some timed input.
const ROUTES: [Option<&str>; 8] = [
    Some("R-LV-1"),
    Some("R-LV-2"),
    Some("R-LV-3"),
    Some("R-LV-4"),
    Some("R-LV-5"),
    Some("R-LV-6"),
    Some("R-LV-7"),
    None,
];

/// Diagnostic codes of baokao's schema stage (docs/report.md); `unknown_field` is a warning.
const SCHEMA_CODES: [&str; 11] = [
    "required_missing",
    "type_mismatch",
    "invalid_date",
    "enum_mismatch",
    "pattern_mismatch",
    "too_short",
    "too_long",
    "out_of_range",
    "too_many_items",
    "too_few_items",
    "unknown_field",
];

fn compare_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn peers_dir() -> PathBuf {
    compare_dir().join("peers")
}

fn read_json(path: &Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("`{}`: {e}", path.display()))?;
    Ok(serde_json::from_str(&text).map_err(|e| format!("`{}`: {e}", path.display()))?)
}

fn set(value: &mut Value, pointer: &str, new: Value) -> Result<(), Error> {
    let slot = value
        .pointer_mut(pointer)
        .ok_or_else(|| format!("the full application has no `{pointer}`"))?;
    *slot = new;
    Ok(())
}

/// The invalid application: the full one with a wrong ID check character (XF-01), an ethnicity
/// outside the enumeration (schema), enrolment after graduation (XF-10.a) and a trial that started
/// too late to reach 12 months by 2024-08-31 (R-TR-3), so every comparison has failures.
fn invalid_application(full: &Value) -> Result<Value, Error> {
    let mut app = full.clone();
    let id = full
        .pointer("/basic/id_number")
        .and_then(Value::as_str)
        .ok_or("the full application has no ID number")?;
    let (body, check) = id.split_at(id.len() - 1);
    let wrong = if check == "0" { "1" } else { "0" };
    set(
        &mut app,
        "/basic/id_number",
        json!(format!("{body}{wrong}")),
    )?;
    set(&mut app, "/basic/ethnicity", json!("火星族"))?;
    set(&mut app, "/education/enrol_date", json!("2022-09"))?;
    set(&mut app, "/work/on_post_status", json!("试用期"))?;
    set(&mut app, "/work/trial_start", json!("2023-11"))?;
    Ok(app)
}

/// A copy of `full` with the edits of one entry of `peers/variants.json` applied: each edit is
/// `{"set": pointer, "to": value}` (the key is created if its parent object exists) or
/// `{"remove": pointer}`. The Python and Node harnesses apply the same file the same way.
fn apply_edits(full: &Value, label: &str, edits: &Value) -> Result<Value, Error> {
    let mut app = full.clone();
    let edits = edits
        .as_array()
        .ok_or_else(|| format!("variants.json `{label}`: `edits` is not an array"))?;
    for edit in edits {
        let (pointer, value) = match (edit.get("set"), edit.get("remove")) {
            (Some(Value::String(p)), None) => (p.as_str(), edit.get("to").cloned()),
            (None, Some(Value::String(p))) => (p.as_str(), None),
            _ => return Err(format!("variants.json `{label}`: bad edit {edit}").into()),
        };
        let (parent, key) = pointer
            .rsplit_once('/')
            .ok_or_else(|| format!("variants.json `{label}`: bad pointer `{pointer}`"))?;
        let Some(Value::Object(obj)) = app.pointer_mut(parent) else {
            return Err(format!("variants.json `{label}`: `{parent}` is not an object").into());
        };
        match value {
            Some(v) => {
                obj.insert(key.to_owned(), v);
            }
            None => {
                obj.remove(key).ok_or_else(|| {
                    format!("variants.json `{label}`: nothing to remove at `{pointer}`")
                })?;
            }
        }
    }
    Ok(app)
}

/// The entries of `peers/variants.json` under `key` (`variants`: timed; `probes`: checked only),
/// each built from the full application.
fn derived_inputs(full: &Value, key: &str) -> Result<Vec<(String, Value)>, Error> {
    let file = read_json(&peers_dir().join("variants.json"))?;
    let entries = file
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("variants.json has no `{key}` array"))?;
    entries
        .iter()
        .map(|entry| {
            let label = entry
                .get("label")
                .and_then(Value::as_str)
                .ok_or("variants.json: an entry without a label")?;
            let edits = entry.get("edits").unwrap_or(&Value::Null);
            Ok((label.to_owned(), apply_edits(full, label, edits)?))
        })
        .collect()
}

/// One set of inputs: a name for the tables, the applications and a label for each (shown with a
/// disagreement).
struct InputSet {
    name: String,
    apps: Vec<Value>,
    labels: Vec<String>,
}

impl InputSet {
    fn numbered(name: &str, apps: Vec<Value>) -> Self {
        let labels = (1..=apps.len()).map(|i| format!("#{i}")).collect();
        InputSet {
            name: name.to_owned(),
            apps,
            labels,
        }
    }

    fn labelled(name: &str, entries: Vec<(String, Value)>) -> Self {
        let (labels, apps) = entries.into_iter().unzip();
        InputSet {
            name: name.to_owned(),
            apps,
            labels,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The engines
// ---------------------------------------------------------------------------------------------

/// An overlay pack of `benches/compare/packs/`, checked to keep exactly `keep`. The overlays
/// extend `rules/nmec-2024`, outside the directory that holds them: `rules/` is allowed as a
/// pack root.
fn overlay(name: &str, keep: &[&str]) -> Result<Engine, Error> {
    let rules = compare_dir().join("..").join("..").join("rules");
    let options = baokao::LoadOptions::default().with_pack_root(rules);
    let engine = Engine::from_dir_with(compare_dir().join("packs").join(name), &options)?;
    let pack = engine.pack();
    let left: BTreeSet<&str> = pack
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .chain(pack.decisions.iter().map(|d| d.id.as_str()))
        .chain(pack.materials.iter().map(|m| m.id.as_str()))
        .collect();
    let want: BTreeSet<&str> = keep.iter().copied().collect();
    if left != want {
        return Err(format!(
            "overlay `packs/{name}` is stale: it keeps {left:?}, the harness expects {want:?} (update its `disable` list)"
        )
        .into());
    }
    Ok(engine)
}

struct Engines {
    full: Engine,
    schema_only: Engine,
    eligibility: Engine,
    cross_field: Engine,
    schema: jsonschema::Validator,
    zen: Decision,
    logic: DataLogic,
    rules: Vec<(String, Arc<datalogic_rs::CompiledLogic>)>,
}

fn engines() -> Result<Engines, Error> {
    let full = baokao_benches::engine()?;
    let exported = full.json_schema();
    let schema = read_json(&peers_dir().join("application.schema.json"))?;
    if schema != exported {
        return Err(
            "peers/application.schema.json differs from the pack's export: run `baokao-compare --write-peers`".into(),
        );
    }
    let schema = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("application.schema.json: {e}"))?;
    let graph: DecisionContent =
        serde_json::from_value(read_json(&peers_dir().join("eligibility.zen.json"))?)?;
    let mut zen = DecisionEngine::default()
        .create_decision(graph.into())
        .map_err(|e| format!("eligibility.zen.json: {e:?}"))?;
    zen.validate()
        .map_err(|e| format!("eligibility.zen.json: {e:?}"))?;
    // What ZEN's loaders do before serving a decision: compile the expressions and table indexes once.
    zen.compile();
    let logic = DataLogic::new();
    let Value::Object(rules_json) = read_json(&peers_dir().join("cross-field.jsonlogic.json"))?
    else {
        return Err("cross-field.jsonlogic.json is not an object".into());
    };
    let mut rules = Vec::new();
    for id in CROSS_FIELD_RULES {
        let rule = rules_json
            .get(id)
            .ok_or_else(|| format!("cross-field.jsonlogic.json has no `{id}`"))?;
        let compiled = logic.compile(rule).map_err(|e| format!("{id}: {e}"))?;
        rules.push((id.to_owned(), compiled));
    }
    Ok(Engines {
        schema_only: overlay("schema-only", &[])?,
        eligibility: overlay("eligibility", &ELIGIBILITY_KEEP)?,
        cross_field: overlay("cross-field", &CROSS_FIELD_RULES)?,
        full,
        schema,
        zen,
        logic,
        rules,
    })
}

fn run(engine: &Engine, app: &Value) -> Result<Report, Error> {
    Ok(engine.run(app, &Options::default())?)
}

fn zen_eval(zen: &Decision, input: Variable) -> Result<Variable, Error> {
    let response = pollster::block_on(zen.evaluate(input)).map_err(|e| format!("ZEN: {e:?}"))?;
    Ok(response.result)
}

// ---------------------------------------------------------------------------------------------
// Answers, normalised so the engines can be compared
// ---------------------------------------------------------------------------------------------

/// Schema stage: validity and the set of JSON pointers with an error.
#[derive(Debug, PartialEq, Eq)]
struct SchemaAnswer {
    valid: bool,
    paths: BTreeSet<String>,
}

fn baokao_schema(report: &Report) -> SchemaAnswer {
    let paths: BTreeSet<String> = report
        .diagnostics
        .iter()
        .filter(|d| {
            d.severity == baokao::model::Severity::Error && SCHEMA_CODES.contains(&&*d.code)
        })
        .map(|d| d.path.clone())
        .collect();
    SchemaAnswer {
        valid: paths.is_empty(),
        paths,
    }
}

fn jsonschema_answer(v: &jsonschema::Validator, app: &Value) -> SchemaAnswer {
    // A missing required key at the key's own path, as baokao reports it (and as the Python and
    // Node harnesses normalise it).
    let paths: BTreeSet<String> = v
        .iter_errors(app)
        .map(|e| match e.kind() {
            jsonschema::error::ValidationErrorKind::Required {
                property: Value::String(key),
            } => format!("{}/{key}", e.instance_path()),
            _ => e.instance_path().to_string(),
        })
        .collect();
    SchemaAnswer {
        valid: v.is_valid(app),
        paths,
    }
}

/// Eligibility: the route and which of [`ELIGIBILITY_RULES`] fired.
#[derive(Debug, PartialEq, Eq)]
struct EligibilityAnswer {
    route: Option<String>,
    fired: BTreeSet<String>,
}

/// What fired, as the core defines it ([`Report::fired`]: not the `undetermined` findings).
fn fired_rules(report: &Report) -> BTreeSet<String> {
    report.fired().into_iter().collect()
}

fn baokao_eligibility(report: &Report) -> EligibilityAnswer {
    let fired = fired_rules(report);
    EligibilityAnswer {
        route: report.eligibility.route.as_ref().map(ToString::to_string),
        fired: ELIGIBILITY_RULES
            .iter()
            .filter(|(id, _)| fired.contains(*id))
            .map(|(id, _)| (*id).to_owned())
            .collect(),
    }
}

/// `answer` as a report whose outcome is `outcome` shows it: the reviews hidden when the application
/// is ineligible. (The full pack has more ineligibility rules than the overlay and the ZEN graph.)
fn as_shown(answer: &EligibilityAnswer, outcome: baokao::Outcome) -> EligibilityAnswer {
    EligibilityAnswer {
        route: answer.route.clone(),
        fired: answer
            .fired
            .iter()
            .filter(|id| {
                outcome != baokao::Outcome::Ineligible || !REVIEW_RULES.contains(&id.as_str())
            })
            .cloned()
            .collect(),
    }
}

fn zen_answer(out: &Value) -> Result<EligibilityAnswer, Error> {
    let route = match out.get("route") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(other) => return Err(format!("ZEN route is not a string: {other}").into()),
    };
    let mut fired = BTreeSet::new();
    for (id, key) in ELIGIBILITY_RULES {
        match out.pointer(&format!("/fired/{key}")) {
            Some(Value::Bool(true)) => {
                fired.insert(id.to_owned());
            }
            Some(Value::Bool(false)) => {}
            other => return Err(format!("ZEN fired.{key} is not a boolean: {other:?}").into()),
        }
    }
    Ok(EligibilityAnswer { route, fired })
}

fn baokao_cross_field(report: &Report) -> BTreeSet<String> {
    let fired = fired_rules(report);
    CROSS_FIELD_RULES
        .iter()
        .filter(|id| fired.contains(**id))
        .map(|id| (*id).to_owned())
        .collect()
}

fn logic_answer(e: &Engines, app: &Arc<Value>) -> Result<BTreeSet<String>, Error> {
    let mut fired = BTreeSet::new();
    for (id, rule) in &e.rules {
        match e
            .logic
            .evaluate(rule, Arc::clone(app))
            .map_err(|err| format!("{id}: {err}"))?
        {
            Value::Bool(true) => {}
            Value::Bool(false) => {
                fired.insert(id.clone());
            }
            other => return Err(format!("JSONLogic {id} gave {other}, not a boolean").into()),
        }
    }
    Ok(fired)
}

/// What the checks found: the disagreements (each with the application and both answers),
/// baokao's answers for `expected.json`, the summary table's rows, and per compared rule how many
/// applications it fired on and how many it did not (`tally`), per route value how many got it.
struct Checked {
    problems: Vec<String>,
    expected: Value,
    summary: String,
    tally: BTreeMap<String, (usize, usize)>,
    routes: BTreeMap<Option<String>, usize>,
}

/// Every input's answers from every engine, compared.
fn check(e: &Engines, inputs: &[&InputSet]) -> Result<Checked, Error> {
    let mut problems = Vec::new();
    let mut expected = serde_json::Map::new();
    let mut summary = String::new();
    let mut tally: BTreeMap<String, (usize, usize)> = CROSS_FIELD_RULES
        .iter()
        .copied()
        .chain(ELIGIBILITY_RULES.iter().map(|(id, _)| *id))
        .map(|id| (id.to_owned(), (0, 0)))
        .collect();
    let mut all_routes: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for set in inputs {
        let name = &set.name;
        let mut invalid = 0usize;
        let mut error_paths = 0usize;
        let mut routes: BTreeMap<String, usize> = BTreeMap::new();
        let mut fired_elig: BTreeMap<String, usize> = BTreeMap::new();
        let mut fired_xf: BTreeMap<String, usize> = BTreeMap::new();
        let mut per_input = Vec::new();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for (app, label) in set.apps.iter().zip(&set.labels) {
            let full = run(&e.full, app)?;
            let schema_only = run(&e.schema_only, app)?;
            let elig = run(&e.eligibility, app)?;
            let xf = run(&e.cross_field, app)?;
            let mut note = |what: &str, ours: String, theirs: String| {
                *counts.entry(what.to_owned()).or_default() += 1;
                if counts.get(what).copied().unwrap_or(0) <= 5 {
                    problems.push(format!(
                        "{name} {label}: {what}\n    {ours}\n    {theirs}\n    application: {app}"
                    ));
                }
            };

            let b_schema = baokao_schema(&schema_only);
            if b_schema != baokao_schema(&full) {
                note(
                    "baokao schema-only overlay vs full pack",
                    format!("overlay: {b_schema:?}"),
                    format!("full pack: {:?}", baokao_schema(&full)),
                );
            }
            let j_schema = jsonschema_answer(&e.schema, app);
            if b_schema != j_schema {
                note(
                    "schema: baokao vs jsonschema",
                    format!("baokao: {b_schema:?}"),
                    format!("jsonschema: {j_schema:?}"),
                );
            }

            let b_elig = baokao_eligibility(&elig);
            if as_shown(&b_elig, full.eligibility.outcome) != baokao_eligibility(&full) {
                note(
                    "baokao eligibility overlay vs full pack",
                    format!("overlay: {b_elig:?}"),
                    format!("full pack: {:?}", baokao_eligibility(&full)),
                );
            }
            let zen_out = zen_eval(&e.zen, Variable::from(app.clone()))?.to_value();
            let z_elig = zen_answer(&zen_out)?;
            if b_elig != z_elig {
                note(
                    "eligibility: baokao vs ZEN",
                    format!("baokao: {b_elig:?}"),
                    format!("ZEN: {z_elig:?}"),
                );
            }

            let b_xf = baokao_cross_field(&xf);
            if b_xf != baokao_cross_field(&full) {
                note(
                    "baokao cross-field overlay vs full pack",
                    format!("overlay fired: {b_xf:?}"),
                    format!("full pack fired: {:?}", baokao_cross_field(&full)),
                );
            }
            let l_xf = logic_answer(e, &Arc::new(app.clone()))?;
            if b_xf != l_xf {
                note(
                    "cross-field: baokao vs JSONLogic",
                    format!("baokao fired: {b_xf:?}"),
                    format!("JSONLogic false for: {l_xf:?}"),
                );
            }
            invalid += usize::from(!b_schema.valid);
            error_paths += b_schema.paths.len();
            *routes
                .entry(b_elig.route.clone().unwrap_or_else(|| "null".into()))
                .or_default() += 1;
            *all_routes.entry(b_elig.route.clone()).or_default() += 1;
            for r in &b_elig.fired {
                *fired_elig.entry(r.clone()).or_default() += 1;
            }
            for r in &b_xf {
                *fired_xf.entry(r.clone()).or_default() += 1;
            }
            for (id, (fired, held)) in &mut tally {
                if b_elig.fired.contains(id) || b_xf.contains(id) {
                    *fired += 1;
                } else {
                    *held += 1;
                }
            }
            per_input.push(json!({
                "schema": {"valid": b_schema.valid, "error_paths": b_schema.paths},
                "eligibility": {"route": b_elig.route, "fired": b_elig.fired,
                                "trial_met": zen_out.get("trial_met").cloned().unwrap_or(Value::Null)},
                "cross_field": CROSS_FIELD_RULES.iter().map(|id| (id.to_string(), json!(!b_xf.contains(*id)))).collect::<serde_json::Map<_, _>>(),
            }));
        }
        for (what, n) in &counts {
            problems.push(format!(
                "{name}: {what}: {n} of {} disagree",
                set.apps.len()
            ));
        }
        expected.insert(name.clone(), Value::Array(per_input));
        let list = |m: &BTreeMap<String, usize>| {
            if m.is_empty() {
                "none".to_owned()
            } else {
                m.iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let _ = writeln!(
            summary,
            "| {name} | {} | {invalid} invalid, {error_paths} error paths | routes: {}; fired: {} | fired: {} |",
            set.apps.len(),
            list(&routes),
            list(&fired_elig),
            list(&fired_xf),
        );
    }
    Ok(Checked {
        problems,
        expected: Value::Object(expected),
        summary,
        tally,
        routes: all_routes,
    })
}

/// Every compared rule must fire on some timed input and not fire on another, and every route
/// value must come out of some timed input; otherwise a peer rule replaced by a constant would
/// still agree. The complaints, one per rule or route.
fn coverage(checked: &Checked) -> Vec<String> {
    let mut out = Vec::new();
    for (id, (fired, held)) in &checked.tally {
        if *fired == 0 {
            out.push(format!(
                "{id} never fires on the timed inputs ({held} applications, all pass)"
            ));
        }
        if *held == 0 {
            out.push(format!(
                "{id} fires on every timed input ({fired} applications, none passes)"
            ));
        }
    }
    for route in ROUTES {
        if !checked.routes.contains_key(&route.map(str::to_owned)) {
            out.push(format!(
                "no timed input gets route {}",
                route.unwrap_or("null (none)")
            ));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------

/// One timed candidate: runs its work over `apps` once and returns how many applications it did.
type Work<'a> = Box<dyn FnMut() -> usize + 'a>;

struct Candidate<'a> {
    label: String,
    /// Its key in `rust.json`: the baokao configuration, or a short name for a peer.
    key: &'static str,
    baokao: Option<&'static str>,
    work: Work<'a>,
    samples: Vec<f64>,
    iters: u32,
}

impl<'a> Candidate<'a> {
    /// A candidate of a table: `baokao` names the baokao configuration, `None` for a peer.
    fn new(label: impl Into<String>, baokao: Option<&'static str>, work: Work<'a>) -> Self {
        Candidate {
            label: label.into(),
            key: baokao.unwrap_or("peer"),
            baokao,
            work,
            samples: vec![],
            iters: 1,
        }
    }

    /// Names a peer in `rust.json` (what `benches/report.py` reads).
    fn key(mut self, key: &'static str) -> Self {
        self.key = key;
        self
    }
}

/// Samples and the minimum time of one sample for an input of `n` applications (the batch: one
/// pass per sample; one application or the few variants: repeated for about 10 ms).
fn sampling(n: usize, samples_one: usize, samples_batch: usize) -> (usize, Duration) {
    if n >= 1000 {
        (samples_batch, Duration::from_millis(1))
    } else {
        (samples_one, Duration::from_millis(10))
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => v.get(n / 2).copied().unwrap_or(f64::NAN),
        _ => f64::midpoint(
            v.get(n / 2 - 1).copied().unwrap_or(f64::NAN),
            v.get(n / 2).copied().unwrap_or(f64::NAN),
        ),
    }
}

/// Calibrate each candidate to about `target` per sample, then take `samples` samples of each,
/// round-robin; a sample's value is the time per application in nanoseconds.
fn measure(cands: &mut [Candidate<'_>], samples: usize, target: Duration) {
    for c in cands.iter_mut() {
        // Warm up for at least 3 runs or 200 ms, and learn the cost of one run.
        let start = Instant::now();
        let mut runs = 0u32;
        while runs < 3 || start.elapsed() < Duration::from_millis(200) {
            black_box((c.work)());
            runs += 1;
        }
        let per_run = start.elapsed().as_secs_f64() / f64::from(runs);
        c.iters = ((target.as_secs_f64() / per_run).ceil() as u32).max(1);
    }
    for _ in 0..samples {
        for c in cands.iter_mut() {
            let start = Instant::now();
            let mut apps = 0usize;
            for _ in 0..c.iters {
                apps += black_box((c.work)());
            }
            c.samples
                .push(start.elapsed().as_nanos() as f64 / apps as f64);
        }
    }
}

fn fmt_time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// A markdown table: one row per candidate, ratios baokao ÷ peer for every baokao configuration.
/// Also returns the medians as `{input: {key: ns}}` for `rust.json`.
fn table(out: &mut String, title: &str, inputs: &[(&str, Vec<Candidate<'_>>)]) -> Value {
    let mut json_out = serde_json::Map::new();
    let baokao_cols: Vec<&'static str> = inputs
        .first()
        .map(|(_, c)| c.iter().filter_map(|c| c.baokao).collect())
        .unwrap_or_default();
    let _ = writeln!(out, "\n**{title}**\n");
    let mut head = String::from("| Input | Engine (what is timed) | Median per application |");
    let mut rule = String::from("|---|---|---:|");
    for b in &baokao_cols {
        let _ = write!(head, " {b} ÷ this |");
        rule.push_str("---:|");
    }
    let _ = writeln!(out, "{head}\n{rule}");
    for (input, cands) in inputs {
        let medians: Vec<f64> = cands
            .iter()
            .map(|c| median(&mut c.samples.clone()))
            .collect();
        json_out.insert(
            (*input).to_owned(),
            cands
                .iter()
                .zip(&medians)
                .map(|(c, m)| (c.key.to_owned(), json!(m)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        );
        for (c, m) in cands.iter().zip(&medians) {
            let mut row = format!("| {input} | {} | {} |", c.label, fmt_time(*m));
            for b in &baokao_cols {
                let bm = cands
                    .iter()
                    .zip(&medians)
                    .find(|(c, _)| c.baokao == Some(*b))
                    .map_or(f64::NAN, |(_, m)| *m);
                if c.baokao.is_some() {
                    row.push_str(" |");
                } else {
                    let _ = write!(row, " {:.2} |", bm / m);
                }
            }
            let _ = writeln!(out, "{row}");
        }
    }
    Value::Object(json_out)
}

fn baokao_run<'a>(engine: &'a Engine, apps: &'a [Value]) -> Work<'a> {
    let options = Options::default();
    Box::new(move || {
        for app in apps {
            black_box(engine.run(black_box(app), &options).ok());
        }
        apps.len()
    })
}

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("baokao-compare: {e}");
            ExitCode::from(2)
        }
    }
}

fn real_main() -> Result<ExitCode, Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let write_peers = args.iter().any(|a| a == "--write-peers");
    let out_path = args.iter().find(|a| !a.starts_with("--")).map_or_else(
        || baokao_benches::workspace_dir().join("target/compare/rust.md"),
        PathBuf::from,
    );

    let full_app = baokao_benches::full_application()?;
    let invalid_app = invalid_application(&full_app)?;
    let variants = derived_inputs(&full_app, "variants")?;
    let probes = derived_inputs(&full_app, "probes")?;
    let batch = baokao_benches::generate(baokao_benches::BATCH, baokao_benches::SEED)?;
    let variant_count = variants.len();
    // The timed inputs, in the tables' order.
    let inputs: Vec<InputSet> = vec![
        InputSet::numbered("full", vec![full_app.clone()]),
        InputSet::numbered("invalid", vec![invalid_app]),
        InputSet::labelled(&format!("variants ({variant_count})"), variants),
        InputSet::numbered("batch 10k", batch),
    ];
    let probes = InputSet::labelled("probe", probes);

    if write_peers {
        let engine = baokao_benches::engine()?;
        let schema = engine.json_schema();
        std::fs::write(
            peers_dir().join("application.schema.json"),
            serde_json::to_string_pretty(&schema)? + "\n",
        )?;
        let ids = every_rule_and_decision(&engine);
        write_overlay("schema-only", &ids, &[])?;
        write_overlay("eligibility", &ids, &ELIGIBILITY_KEEP)?;
        write_overlay("cross-field", &ids, &CROSS_FIELD_RULES)?;
        let e = engines()?;
        let (head, _) = inputs.split_at(2);
        let checked = check(&e, &head.iter().collect::<Vec<_>>())?;
        for p in &checked.problems {
            eprintln!("disagreement: {p}");
        }
        std::fs::write(
            peers_dir().join("expected.json"),
            serde_json::to_string_pretty(&checked.expected)? + "\n",
        )?;
        eprintln!(
            "wrote peers/application.schema.json, peers/expected.json and the overlays of packs/"
        );
        return Ok(ExitCode::SUCCESS);
    }

    let e = engines()?;
    let timed: Vec<&InputSet> = inputs.iter().collect();
    let total: usize = inputs.iter().map(|s| s.apps.len()).sum();
    eprintln!(
        "checking answers on {total} timed applications and {} probes …",
        probes.apps.len()
    );
    let checked = check(&e, &timed)?;
    let probed = check(&e, &[&probes])?;
    let problems: Vec<&String> = checked.problems.iter().chain(&probed.problems).collect();
    for p in &problems {
        eprintln!("disagreement: {p}");
    }
    let uncovered = coverage(&checked);
    for u in &uncovered {
        eprintln!("not exercised: {u}");
    }
    if !problems.is_empty() {
        eprintln!("baokao-compare: the engines disagree; nothing was timed");
    }
    if !uncovered.is_empty() {
        eprintln!(
            "baokao-compare: a compared rule does not fire both ways on the timed inputs, so a peer could replace it by a constant and still agree; nothing was timed (add an input to peers/variants.json)"
        );
    }
    if !problems.is_empty() || !uncovered.is_empty() {
        return Ok(ExitCode::from(1));
    }
    let summary = checked.summary;
    eprintln!(
        "all answers agree ({} probes too), every compared rule fires both ways; timing …",
        probes.apps.len()
    );

    // Pre-built inputs for the peers that cannot borrow a serde_json::Value.
    let arcs: Vec<Vec<Arc<Value>>> = inputs
        .iter()
        .map(|s| s.apps.iter().map(|v| Arc::new(v.clone())).collect())
        .collect();
    let vars: Vec<Vec<Variable>> = inputs
        .iter()
        .map(|s| s.apps.iter().map(|v| Variable::from(v.clone())).collect())
        .collect();

    let (samples_one, samples_batch) = if quick { (7, 3) } else { (31, 9) };
    let mut md = String::new();
    let started = chrono_now();
    let load_before = load_average();
    let _ = writeln!(
        md,
        "<!-- generated by benches/compare (Rust harness) at {started} -->"
    );
    let _ = writeln!(
        md,
        "\n**Rust: answers checked equal before timing** (baokao's full pack, its overlay and the peer, on every application; the counts are baokao's answers, which every peer matched)\n\n| Input | Applications | Schema (jsonschema) | Eligibility (ZEN) | Cross-field (JSONLogic) |\n|---|---:|---|---|---|\n{summary}"
    );

    // 1. Structural field checks.
    let mut rows = Vec::new();
    for set in &inputs {
        let (name, apps) = (set.name.as_str(), set.apps.as_slice());
        let v = &e.schema;
        let mut c = vec![
            Candidate::new(
                "baokao `Engine::run`, full 2024 pack (schema + rules + decisions, zh messages)",
                Some("full"),
                baokao_run(&e.full, apps),
            ),
            Candidate::new(
                "baokao `Engine::run`, overlay `packs/schema-only` (schema stage, zh messages)",
                Some("schema-only"),
                baokao_run(&e.schema_only, apps),
            ),
            Candidate::new(
                "jsonschema `is_valid`",
                None,
                Box::new(move || {
                    for a in apps {
                        black_box(v.is_valid(black_box(a)));
                    }
                    apps.len()
                }),
            )
            .key("is_valid"),
            Candidate::new(
                "jsonschema `iter_errors`, every error with its path as a string",
                None,
                Box::new(move || {
                    for a in apps {
                        black_box(
                            v.iter_errors(black_box(a))
                                .map(|e| e.instance_path().to_string())
                                .collect::<Vec<_>>(),
                        );
                    }
                    apps.len()
                }),
            )
            .key("iter_errors"),
        ];
        let (s, t) = sampling(apps.len(), samples_one, samples_batch);
        measure(&mut c, s, t);
        rows.push((name, c));
    }
    let t_schema = table(&mut md, "Rust — 1. Structural field checks: baokao's schema stage vs JSON Schema (`jsonschema` 0.61.2, `peers/application.schema.json`, formats validated)", &rows);
    drop(rows);

    // 2. Eligibility.
    let mut rows = Vec::new();
    for (k, set) in inputs.iter().enumerate() {
        let (name, apps) = (set.name.as_str(), set.apps.as_slice());
        let zen = &e.zen;
        let pre = vars.get(k).ok_or("no variables")?;
        let mut c = vec![
            Candidate::new(
                "baokao `Engine::run`, full 2024 pack",
                Some("full"),
                baokao_run(&e.full, apps),
            ),
            Candidate::new(
                "baokao `Engine::run`, overlay `packs/eligibility` (schema stage + route + 7 rules)",
                Some("eligibility"),
                baokao_run(&e.eligibility, apps),
            ),
            Candidate::new(
                "ZEN `Decision::evaluate`, incl. `Value` clone → `Variable`",
                None,
                Box::new(move || {
                    for a in apps {
                        black_box(zen_eval(zen, Variable::from(black_box(a).clone())).ok());
                    }
                    apps.len()
                }),
            )
            .key("zen_clone"),
            Candidate::new(
                "ZEN `Decision::evaluate`, input already a `Variable`",
                None,
                Box::new(move || {
                    for a in pre {
                        black_box(zen_eval(zen, black_box(a).clone()).ok());
                    }
                    pre.len()
                }),
            )
            .key("zen_variable"),
        ];
        let (s, t) = sampling(apps.len(), samples_one, samples_batch);
        measure(&mut c, s, t);
        rows.push((name, c));
    }
    let t_elig = table(&mut md, "Rust — 2. Eligibility (route, trial months, certificate years): baokao vs ZEN (`zen-engine` 2.1.6, `peers/eligibility.zen.json`, driven by `pollster::block_on`)", &rows);
    drop(rows);

    // 3. Cross-field rules.
    let mut rows = Vec::new();
    for (k, set) in inputs.iter().enumerate() {
        let (name, apps) = (set.name.as_str(), set.apps.as_slice());
        let en = &e;
        let pre = arcs.get(k).ok_or("no arcs")?;
        let mut c = vec![
            Candidate::new(
                "baokao `Engine::run`, full 2024 pack",
                Some("full"),
                baokao_run(&e.full, apps),
            ),
            Candidate::new(
                "baokao `Engine::run`, overlay `packs/cross-field` (schema stage + 6 rules)",
                Some("cross-field"),
                baokao_run(&e.cross_field, apps),
            ),
            Candidate::new(
                "datalogic-rs `evaluate` × 6 compiled rules, input an `Arc<Value>`",
                None,
                Box::new(move || {
                    for a in pre {
                        for (_, r) in &en.rules {
                            black_box(en.logic.evaluate(r, Arc::clone(a)).ok());
                        }
                    }
                    pre.len()
                }),
            )
            .key("datalogic"),
        ];
        let (s, t) = sampling(apps.len(), samples_one, samples_batch);
        measure(&mut c, s, t);
        rows.push((name, c));
    }
    let t_xf = table(&mut md, "Rust — 3. Six cross-field rules (XF-10.a, XF-10.b, XF-06.a, XF-15, XF-16.c, XF-13.a): baokao vs JSONLogic (`datalogic-rs` 4.0.21, `peers/cross-field.jsonlogic.json`)", &rows);

    let _ = writeln!(
        md,
        "\nSamples per engine: {samples_one} (one application; each sample repeats it for about 10 ms) and {samples_batch} (batch; one pass over the 10,000 per sample), taken round-robin across the engines of a table. Ratios are baokao ÷ peer of the medians: below 1.00 baokao is faster. baokao builds a full report with Chinese messages and citations (`Options::default()`); the peers return booleans, a route or a list of errors. Load average (1 min) at the start and end of the timing: {load_before} and {}.",
        load_average()
    );
    print!("{md}");
    if let Some(dir) = out_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out_path, &md)?;
    // The medians for benches/report.py (the targets table of docs/benchmarks.md), beside the fragment.
    let json_path = out_path.with_extension("json");
    let medians = json!({
        "harness": "benches/compare (Rust)",
        "quick": quick,
        "started": started,
        "load": [load_before, load_average()],
        "tables": {"schema": t_schema, "eligibility": t_elig, "cross_field": t_xf},
    });
    std::fs::write(&json_path, serde_json::to_string_pretty(&medians)? + "\n")?;
    eprintln!("wrote {} and {}", out_path.display(), json_path.display());
    Ok(ExitCode::SUCCESS)
}

/// Every rule, decision and material of the pack, in the pack's order (what an overlay can disable).
fn every_rule_and_decision(engine: &Engine) -> Vec<String> {
    let pack = engine.pack();
    pack.rules
        .iter()
        .map(|r| r.id.to_string())
        .chain(pack.decisions.iter().map(|d| d.id.to_string()))
        .chain(pack.materials.iter().map(|m| m.id.clone()))
        .collect()
}

/// Rewrites the `disable` list of `packs/<name>/pack.toml` so the overlay keeps exactly `keep`
/// (and its `# Keeps:` comment); the rest of the file is left as it is.
fn write_overlay(name: &str, ids: &[String], keep: &[&str]) -> Result<(), Error> {
    let path = compare_dir().join("packs").join(name).join("pack.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("`{}`: {e}", path.display()))?;
    let start = text
        .find("disable = [")
        .ok_or_else(|| format!("`{}` has no `disable = [`", path.display()))?;
    let end = text[start..]
        .find("\n]")
        .map(|i| start + i + 2)
        .ok_or_else(|| format!("`{}`: unterminated `disable`", path.display()))?;
    let mut list = String::from("disable = [\n");
    for id in ids.iter().filter(|id| !keep.contains(&id.as_str())) {
        let _ = writeln!(list, "  \"{id}\",");
    }
    list.push(']');
    let kept = if keep.is_empty() {
        "no rule or decision".to_owned()
    } else {
        keep.join(", ")
    };
    let mut out = String::new();
    for line in text[..start].lines() {
        if line.starts_with("# Keeps: ") {
            let _ = writeln!(
                out,
                "# Keeps: {kept}. The harness checks at start-up that exactly"
            );
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    out.push_str(&list);
    out.push_str(&text[end..]);
    std::fs::write(&path, out)?;
    Ok(())
}

/// The UTC time as `YYYY-MM-DD HH:MM` (no date crate needed for one stamp).
fn chrono_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (h, m) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02} UTC")
}

/// The 1-minute load average, or `?` where `/proc/loadavg` cannot be read.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}
