//! Seeded mutations of a pack's example applications, and the report contract every report must
//! keep — the cross-runtime check of `make test` (`baokao test --write-mutations`): the same
//! thousands of messy documents give the same bytes in Rust, Python and WebAssembly, and none of
//! them breaks the contract of docs/report.md.
//!
//! The generator is deterministic (a `SplitMix64` sequence from the seed), so a failure names a
//! document anyone can regenerate.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::engine::{Engine, Options};
use crate::pack::model::{FieldType, Severity};
use crate::report::{Lang, Outcome, Report};

/// A `SplitMix64` sequence: small, fast and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A sequence from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        usize::try_from(self.next_u64() % u64::try_from(n).unwrap_or(u64::MAX)).unwrap_or(0)
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }
}

/// One generated input: a document (with the step to judge), or JSON text that cannot be judged.
#[derive(Debug, Clone)]
pub struct Mutation {
    /// `m-<seed>-<n>`.
    pub name: String,
    /// Validate only this step.
    pub step: Option<String>,
    /// The document, when the input is one.
    pub document: Option<Value>,
    /// The JSON text, when the input is text (truncated or not an object).
    pub text: Option<String>,
}

/// What the generator knows of the pack: field paths, their types and allowed values.
struct Shape {
    fields: Vec<(String, FieldType, Vec<String>)>,
    steps: Vec<String>,
}

fn shape(engine: &Engine) -> Shape {
    let pack = engine.pack();
    let fields = pack
        .fields
        .iter()
        .map(|f| {
            let mut allowed = f.enumeration.clone().unwrap_or_default();
            if let Some(t) = f.enum_table.as_ref().and_then(|t| pack.tables.get(t)) {
                allowed.extend(
                    t.rows
                        .iter()
                        .filter_map(|r| r.first().and_then(Value::as_str).map(str::to_owned)),
                );
            }
            (f.path.clone(), f.ty, allowed)
        })
        .collect();
    Shape {
        fields,
        steps: pack.steps.iter().map(|s| s.id.clone()).collect(),
    }
}

/// A value of any kind, most of them wrong for most fields.
fn wild_value(rng: &mut Rng) -> Value {
    let texts = [
        "",
        " ",
        "-",
        "?",
        "0",
        "00",
        "null",
        "true",
        "2024-02-30",
        "2023-09",
        "2023-09-15",
        "2024-08-31",
        "0000-01",
        "0001-01-01",
        "9999-12",
        "9999-12-31",
        "2024-01-25T10:15:00+08:00",
        "2024-02-04T24:00:00+08:00",
        "430102199805140318",
        "43010219980514031X",
        "A1234563",
        "临床",
        "护理学",
        "中医学",
        "现役军人",
        "师承",
        "乡村全科",
        "全日制",
        "港澳台",
        "\u{ff11}\u{ff12}\u{ff13}",
        "名字·名",
        "<script>",
        "a\u{0}b",
        "😀",
        "ｘ",
    ];
    match rng.below(12) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => json!(rng.below(40)),
        3 => json!(-1),
        4 => json!(1.5),
        5 => json!(9_007_199_254_740_993_u64),
        6 => json!(1e300),
        7 => json!([]),
        8 => json!({}),
        9 => json!("x".repeat(1 + rng.below(300))),
        _ => json!(rng.pick(&texts).copied().unwrap_or("")),
    }
}

/// Set (or, with `None`, remove) a value at a dotted path, creating objects on the way; `[]`
/// segments pick an item of the list.
fn set(doc: &mut Value, path: &str, value: Option<Value>, rng: &mut Rng) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else { return };
    let mut at = doc;
    for p in parts {
        let (key, item) = match p.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (p, false),
        };
        let Value::Object(map) = at else { return };
        let entry =
            map.entry(key.to_owned())
                .or_insert_with(|| if item { json!([{}]) } else { json!({}) });
        at = if item {
            let Value::Array(items) = entry else { return };
            if items.is_empty() {
                items.push(json!({}));
            }
            let i = rng.below(items.len());
            match items.get_mut(i) {
                Some(v) => v,
                None => return,
            }
        } else {
            entry
        };
    }
    if let Value::Object(map) = at {
        match value {
            Some(v) => {
                map.insert(last.to_owned(), v);
            }
            None => {
                map.remove(last);
            }
        }
    }
}

fn mutate(doc: &mut Value, shape: &Shape, rng: &mut Rng) {
    let Some((path, ty, allowed)) = rng.pick(&shape.fields).cloned() else {
        return;
    };
    match rng.below(10) {
        // Another allowed value (or a well-formed one of the type): the rules' own territory.
        0..=3 if !allowed.is_empty() => {
            let v = rng.pick(&allowed).cloned().unwrap_or_default();
            set(doc, &path, Some(json!(v)), rng);
        }
        0..=3 => {
            let v = match ty {
                FieldType::Bool => json!(rng.chance(50)),
                FieldType::Int | FieldType::Number => json!(rng.below(100)),
                FieldType::Month => {
                    json!(format!("{}-{:02}", 1990 + rng.below(40), 1 + rng.below(12)))
                }
                FieldType::Date | FieldType::DateOrMonth => json!(format!(
                    "{}-{:02}-{:02}",
                    1990 + rng.below(40),
                    1 + rng.below(12),
                    1 + rng.below(28)
                )),
                _ => wild_value(rng),
            };
            set(doc, &path, Some(v), rng);
        }
        4..=6 => {
            let v = wild_value(rng);
            set(doc, &path, Some(v), rng);
        }
        7 => set(doc, &path, None, rng),
        8 => {
            // A whole step removed, nulled or of the wrong type.
            if let (Some(step), Value::Object(map)) = (rng.pick(&shape.steps).cloned(), &mut *doc) {
                match rng.below(3) {
                    0 => {
                        map.remove(&step);
                    }
                    1 => {
                        map.insert(step, Value::Null);
                    }
                    _ => {
                        map.insert(step, json!([]));
                    }
                }
            }
        }
        _ => {
            // A key no field declares.
            let key = format!("unknown_{}", rng.below(1000));
            if rng.chance(50) {
                if let Value::Object(map) = doc {
                    map.insert(key, wild_value(rng));
                }
            } else {
                let step = rng.pick(&shape.steps).cloned().unwrap_or_default();
                let v = wild_value(rng);
                set(doc, &format!("{step}.{key}"), Some(v), rng);
            }
        }
    }
}

/// `count` mutated inputs from the pack's example applications, deterministic for `seed`.
pub fn generate(engine: &Engine, seed: u64, count: usize) -> Vec<Mutation> {
    let shape = shape(engine);
    let bases: Vec<&Value> = engine
        .pack()
        .examples
        .iter()
        .filter(|e| e.step.is_none() && e.params.is_empty())
        .filter_map(|e| e.document.as_ref())
        .collect();
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let name = format!("m-{seed}-{n}");
        let mut doc = rng.pick(&bases).map_or_else(|| json!({}), |d| (*d).clone());
        for _ in 0..=rng.below(4) {
            mutate(&mut doc, &shape, &mut rng);
        }
        let step = rng
            .chance(15)
            .then(|| rng.pick(&shape.steps).cloned())
            .flatten();
        if rng.chance(4) {
            // Text that cannot be judged: cut short, or not an object.
            let full = doc.to_string();
            let text = if rng.chance(50) {
                let mut cut = rng.below(full.len().max(1));
                while !full.is_char_boundary(cut) {
                    cut -= 1;
                }
                full.get(..cut).unwrap_or("").to_owned()
            } else {
                (*rng
                    .pick(&["[]", "42", "\"x\"", "null", "[{}]"])
                    .unwrap_or(&"[]"))
                .to_owned()
            };
            out.push(Mutation {
                name,
                step,
                document: None,
                text: Some(text),
            });
        } else {
            out.push(Mutation {
                name,
                step,
                document: Some(doc),
                text: None,
            });
        }
    }
    out
}

/// Remove messages and labels, recursively.
fn strip_words(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in ["message", "label", "verify", "route_label"] {
                map.remove(key);
            }
            map.values_mut().for_each(strip_words);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_words),
        _ => {}
    }
}

/// The report with its messages and labels removed: what must not depend on the language.
fn language_free(report: &Report) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or(Value::Null);
    strip_words(&mut v);
    v
}

/// Every way `report` (judged whole, or `step`-wise) breaks the contract of docs/report.md.
pub fn contract_violations(engine: &Engine, report: &Report, step: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut fail = |m: String| out.push(m);
    let steps: BTreeSet<&str> = engine.pack().steps.iter().map(|s| s.id.as_str()).collect();
    let errors = report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    if report.valid == errors {
        fail(format!(
            "valid is {} with error diagnostics {errors}",
            report.valid
        ));
    }
    if report.step.as_deref() != step {
        fail(format!("step is {:?}, judged {step:?}", report.step));
    }
    for d in &report.diagnostics {
        if !d.path.starts_with('/') {
            fail(format!(
                "diagnostic path `{}` is not a JSON pointer",
                d.path
            ));
        }
        if let Some(s) = d.step.as_deref() {
            if !steps.contains(s) {
                fail(format!("diagnostic step `{s}` is no step of the pack"));
            }
        }
        if d.code.is_empty() || d.message.is_empty() {
            fail(format!("diagnostic without code or message at {}", d.path));
        }
    }
    let e = &report.eligibility;
    let reasons = !e.reasons.is_empty();
    match e.outcome {
        Outcome::Eligible if reasons || !e.conditions.is_empty() => {
            fail("eligible with reasons or conditions".into());
        }
        Outcome::Conditional if reasons || e.conditions.is_empty() => {
            fail("conditional without conditions, or with reasons".into());
        }
        Outcome::Ineligible | Outcome::NeedsReview | Outcome::Undetermined if !reasons => {
            fail(format!("{} without reasons", e.outcome.as_str()));
        }
        _ => {}
    }
    if e.outcome == Outcome::NeedsReview && e.reasons.iter().any(|f| f.question.is_none()) {
        fail("a needs_review reason without its question".into());
    }
    for c in &e.conditions {
        if c.due
            .as_deref()
            .is_none_or(|d| crate::builtins::dates::parse_date(d).is_none())
        {
            fail(format!("condition {} without a due date", c.rule));
        }
    }
    if e.route.is_some() != e.route_label.is_some() {
        fail("a route without its label, or a label without a route".into());
    }
    if step.is_some() && !report.materials.is_empty() {
        fail("materials listed for a step-wise check".into());
    }
    let ids: BTreeSet<&str> = report.materials.iter().map(|m| &*m.id).collect();
    if ids.len() != report.materials.len() {
        fail("a material is listed twice".into());
    }
    match serde_json::to_string(report)
        .ok()
        .and_then(|t| serde_json::from_str::<Report>(&t).ok())
    {
        Some(back) if back == *report => {}
        _ => fail("the report does not survive its JSON round trip".into()),
    }
    out
}

/// Judge every mutation in both languages: one conformance-vector line each (`{name, step,
/// document and json (its text) | text, reports: {zh, en}}` or `{…, error: {code}}`), and every
/// contract violation
/// (`name: what`), including a difference between the languages beyond messages and labels.
pub fn judge(engine: &Engine, mutations: &[Mutation]) -> (Vec<Value>, Vec<String>) {
    let mut lines = Vec::with_capacity(mutations.len());
    let mut violations = Vec::new();
    for m in mutations {
        let mut line = Map::new();
        line.insert("name".into(), json!(m.name));
        line.insert("step".into(), json!(m.step));
        let mut reports = Map::new();
        let mut error = None;
        let mut by_lang = Vec::new();
        for (key, lang) in [("zh", Lang::Zh), ("en", Lang::En)] {
            let mut options = Options::default().with_lang(lang);
            options.step.clone_from(&m.step);
            let result = match (&m.document, &m.text) {
                (Some(doc), _) => engine.run(doc, &options),
                (None, Some(text)) => engine.validate_json(text, &options),
                (None, None) => continue,
            };
            match result {
                Ok(report) => {
                    violations.extend(
                        contract_violations(engine, &report, m.step.as_deref())
                            .into_iter()
                            .map(|v| format!("{} ({key}): {v}", m.name)),
                    );
                    by_lang.push(language_free(&report));
                    reports.insert(
                        key.to_owned(),
                        serde_json::to_value(&report).unwrap_or_default(),
                    );
                }
                Err(e) => error = Some(e.code()),
            }
        }
        if let [zh, en] = by_lang.as_slice() {
            if zh != en {
                violations.push(format!(
                    "{}: the zh and en reports differ beyond messages and labels",
                    m.name
                ));
            }
        }
        match (&m.document, &m.text) {
            (Some(doc), _) => {
                // Also as text: a JavaScript number cannot hold every JSON number exactly
                // (9007199254740993), so the WebAssembly suite judges the text.
                line.insert("json".into(), json!(doc.to_string()));
                line.insert("document".into(), doc.clone())
            }
            (_, Some(text)) => line.insert("text".into(), json!(text)),
            _ => None,
        };
        match error {
            Some(code) => line.insert("error".into(), json!({ "code": code })),
            None => line.insert("reports".into(), Value::Object(reports)),
        };
        lines.push(Value::Object(line));
    }
    (lines, violations)
}
