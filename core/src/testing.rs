//! Running a pack's example applications against their expectations, with rule coverage.
//!
//! The same examples are the conformance vectors of the Python and WebAssembly bindings, so this
//! runner is part of the library rather than of the CLI.

pub mod mutations;

pub use crate::catalogue::render as catalogue;

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::{Engine, Options};
use crate::pack::model::{ExampleDef, Loc};
use crate::report::{Outcome, Report};

/// The result of one example.
#[derive(Debug, Clone)]
pub struct ExampleResult {
    /// Example name.
    pub name: String,
    /// Where the example is declared (its `name`), for a pack directory.
    pub loc: Option<Loc>,
    /// What did not match (empty when it passed).
    pub failures: Vec<String>,
    /// The report (with its trace).
    pub report: Option<Report>,
}

impl ExampleResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// All examples of a pack, and what they exercised.
#[derive(Debug, Clone, Default)]
pub struct TestRun {
    /// One result per example, in pack order.
    pub results: Vec<ExampleResult>,
    /// Rules and decision-row rule ids that no example made fire.
    pub never_fired: Vec<String>,
    /// Rules that no example made pass (`when` and `check` held); rules without `check` are exempt.
    pub never_passed: Vec<String>,
    /// Decision rows (`id#row`) that no example hit.
    pub rows_never_hit: Vec<String>,
    /// Materials that no example listed.
    pub materials_never_listed: Vec<String>,
}

impl TestRun {
    /// Examples that passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    /// Examples that failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// Every example passed and every rule, row and decision was exercised.
    pub fn is_complete(&self) -> bool {
        self.failed() == 0
            && self.never_fired.is_empty()
            && self.never_passed.is_empty()
            && self.rows_never_hit.is_empty()
            && self.materials_never_listed.is_empty()
    }
}

/// Check one report against an example's expectations.
pub fn check_expectations(example: &ExampleDef, report: &Report) -> Vec<String> {
    let e = &example.expect;
    let mut failures = Vec::new();
    if let Some(valid) = e.valid {
        if report.valid != valid {
            failures.push(format!("expected valid = {valid}, got {}", report.valid));
        }
    }
    if let Some(outcome) = &e.outcome {
        if report.eligibility.outcome.as_str() != outcome {
            failures.push(format!(
                "expected outcome `{outcome}`, got `{}`",
                report.eligibility.outcome.as_str()
            ));
        }
    }
    if let Some(route) = &e.route {
        if report.eligibility.route.as_deref() != Some(route.as_str()) {
            failures.push(format!(
                "expected route `{route}`, got `{}`",
                report.eligibility.route.as_deref().unwrap_or("none")
            ));
        }
    }
    if let Some(fired) = &e.fired {
        let want: BTreeSet<&str> = fired.iter().map(String::as_str).collect();
        let got_vec = report.fired();
        let got: BTreeSet<&str> = got_vec.iter().map(String::as_str).collect();
        let missing: Vec<&str> = want.difference(&got).copied().collect();
        let extra: Vec<&str> = got.difference(&want).copied().collect();
        if !missing.is_empty() {
            failures.push(format!(
                "expected to fire but did not: {}",
                missing.join(", ")
            ));
        }
        if !extra.is_empty() {
            failures.push(format!("fired but not expected: {}", extra.join(", ")));
        }
    }
    if let Some(materials) = &e.materials {
        let want: BTreeSet<&str> = materials.iter().map(String::as_str).collect();
        let got: BTreeSet<&str> = report.materials.iter().map(|m| &*m.id).collect();
        let missing: Vec<&str> = want.difference(&got).copied().collect();
        let extra: Vec<&str> = got.difference(&want).copied().collect();
        if !missing.is_empty() {
            failures.push(format!(
                "expected material(s) not listed: {}",
                missing.join(", ")
            ));
        }
        if !extra.is_empty() {
            failures.push(format!(
                "material(s) listed but not expected: {}",
                extra.join(", ")
            ));
        }
    }
    failures
}

/// The engine an example is judged with: the pack's own, or — for an example that sets `params` —
/// the pack compiled again with those values (compiled once per distinct set).
fn engine_for<'e>(
    engine: &'e Engine,
    example: &ExampleDef,
    variants: &'e mut BTreeMap<String, Result<Engine, String>>,
) -> Result<&'e Engine, String> {
    if example.params.is_empty() {
        return Ok(engine);
    }
    let key = serde_json::to_string(&example.params).unwrap_or_default();
    let built = variants.entry(key).or_insert_with(|| {
        let mut pack = engine.pack().clone();
        for (name, value) in &example.params {
            let Some(p) = pack.params.get_mut(name) else {
                return Err(format!(
                    "`params` names `{name}`, which the pack does not have"
                ));
            };
            p.value = value.clone();
        }
        Engine::from_pack(pack).map_err(|e| format!("`params` do not compile: {e}"))
    });
    built.as_ref().map_err(Clone::clone)
}

/// Run every example of the engine's pack.
pub fn run_examples(engine: &Engine) -> TestRun {
    let program = engine.program();
    let locs = &program.pack.locs;
    let mut fired = BTreeSet::new();
    let mut passed = BTreeSet::new();
    let mut rows = BTreeSet::new();
    let mut listed = BTreeSet::new();
    let mut results = Vec::new();
    let mut variants = BTreeMap::new();
    for example in &program.pack.examples {
        let Some(doc) = &example.document else {
            results.push(ExampleResult {
                name: example.name.clone(),
                loc: locs.of("example", &example.name).cloned(),
                failures: vec!["no application document".into()],
                report: None,
            });
            continue;
        };
        let judge = match engine_for(engine, example, &mut variants) {
            Ok(e) => e,
            Err(message) => {
                results.push(ExampleResult {
                    name: example.name.clone(),
                    loc: locs.of("example", &example.name).cloned(),
                    failures: vec![message],
                    report: None,
                });
                continue;
            }
        };
        let mut options = Options::default().with_explain(true);
        options.step.clone_from(&example.step);
        match judge.run(doc, &options) {
            Ok(report) => {
                fired.extend(report.fired());
                listed.extend(report.materials.iter().map(|m| m.id.to_string()));
                for t in report.trace.iter().flatten() {
                    match (&*t.result, t.row) {
                        ("passed", _) => {
                            passed.insert(t.rule.to_string());
                        }
                        ("hit", Some(row)) => {
                            rows.insert(format!("{}#{row}", t.rule));
                        }
                        ("no_hit", _) => {
                            rows.insert(format!("{}#default", t.rule));
                        }
                        _ => {}
                    }
                }
                let failures = check_expectations(example, &report);
                results.push(ExampleResult {
                    name: example.name.clone(),
                    loc: locs.of("example", &example.name).cloned(),
                    failures,
                    report: Some(report),
                });
            }
            Err(e) => results.push(ExampleResult {
                name: example.name.clone(),
                loc: locs.of("example", &example.name).cloned(),
                failures: vec![format!("error `{}`: {e}", e.code())],
                report: None,
            }),
        }
    }
    let mut run = TestRun {
        results,
        ..TestRun::default()
    };
    for r in &program.rules {
        if !fired.contains(&*r.id) {
            run.never_fired.push(r.id.to_string());
        }
        // Triggers (no `check`) and eligibility effects other than reasons have nothing to pass.
        if r.check.is_some() && !passed.contains(&*r.id) {
            run.never_passed.push(r.id.to_string());
        }
    }
    for d in &program.decisions {
        for n in 1..=d.rows.len() {
            let key = format!("{}#{n}", d.id);
            if !rows.contains(&key) {
                run.rows_never_hit.push(key);
            }
        }
        if d.default.is_some() && !rows.contains(&format!("{}#default", d.id)) {
            run.rows_never_hit.push(format!("{}#default", d.id));
        }
    }
    for m in &program.materials {
        if !listed.contains(&*m.id) {
            run.materials_never_listed.push(m.id.to_string());
        }
    }
    run
}

/// Outcome names, for validating expectations.
pub const OUTCOMES: [Outcome; 5] = [
    Outcome::Eligible,
    Outcome::Conditional,
    Outcome::Ineligible,
    Outcome::NeedsReview,
    Outcome::Undetermined,
];
