//! What changed between two packs, as a reviewer reads it, and whom it affects.
//!
//! [`diff`] compares two compiled packs section by section — the pack's identity, parameters,
//! steps, fields, tables (row by row, by key), rules, decisions (row by row), materials, omissions
//! and reviewed form checks — and lists every item added, removed, changed (with each key that
//! differs, old and new) or moved. Expressions are compared by their tokens, so re-wrapping a
//! `when` is no change. [`ApplicationsDiff`] runs both engines on real applications and lists every
//! one whose report changes: validity, outcome, route, the rules that newly fire or stop firing,
//! the materials, the due dates of conditions — with counts by kind of change.
//!
//! The JSON form of [`PackDiff`] is documented in `docs/diff.md`; the CLIs and the Python binding
//! present it and compute nothing of it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::engine::{Engine, Options};
use crate::error::Error;
use crate::pack::model::Pack;
use crate::report::{PackInfo, Report};

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only in the new pack.
    Added,
    /// Only in the old pack.
    Removed,
    /// In both, with different content.
    Changed,
    /// In both with the same content, at another place in the evaluation or checklist order.
    Moved,
}

impl ChangeKind {
    /// The sign the text form uses: `+`, `-`, `~`, `>`.
    fn sign(self) -> char {
        match self {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
            ChangeKind::Moved => '>',
        }
    }
}

/// One key of an item whose value differs (nested objects such as `message` are compared per
/// language: `message.en`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyChange {
    /// The key (`when`, `message.en`, `value`; a table column's name for table rows).
    pub key: String,
    /// The old value; absent when the old item has no such key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The new value; absent when the new item has no such key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// An item of a pack (a parameter, rule, decision, row …) that differs between the two packs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Added, removed, changed or moved.
    pub change: ChangeKind,
    /// The item's id (rule id, field path, parameter name, table key, `default` or the rule or
    /// output of a decision row).
    pub id: String,
    /// 1-based position in the old pack's order (rules, decisions, decision rows, fields, steps,
    /// materials), when it has one there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_position: Option<usize>,
    /// 1-based position in the new pack's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_position: Option<usize>,
    /// The old item as in a bundle (for tables and decisions, without their rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The new item as in a bundle (for tables and decisions, without their rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// For `changed`: each key whose value differs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<KeyChange>,
    /// For tables and decisions: the rows added, removed and changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<Change>,
}

/// The report of one application under either pack, in brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// No error-severity diagnostic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
    /// The eligibility outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// The statutory route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The code of the error, when the engine could not judge the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A condition whose due date differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueChange {
    /// The rule of the condition.
    pub rule: String,
    /// The old due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The new due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// One application whose report differs between the two packs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationChange {
    /// 0-based position among the applications compared.
    pub index: usize,
    /// Where it came from (`file:line`), when the caller said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Kinds of change, in a fixed order: `error`, `valid`, `outcome`, `route`, `fired`,
    /// `materials`, `due`, `details` (anything else of the report: messages, paths, citations).
    pub kinds: Vec<String>,
    /// The old report in brief.
    pub old: Verdict,
    /// The new report in brief.
    pub new: Verdict,
    /// Rules (or schema codes) that fire under the new pack only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fires: Vec<String>,
    /// Rules that fire under the old pack only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stops_firing: Vec<String>,
    /// Materials listed under the new pack only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials_added: Vec<String>,
    /// Materials listed under the old pack only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials_removed: Vec<String>,
    /// Conditions whose due date differs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub due: Vec<DueChange>,
    /// Diagnostics, findings and materials (by rule, code or material id) in both reports whose
    /// message, citation, path or label differs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// An application neither pack could judge (not JSON, not an object …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    /// 0-based position among the applications compared.
    pub index: usize,
    /// Where it came from, when the caller said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// The error's code.
    pub code: String,
    /// The error's message.
    pub message: String,
}

/// The kinds of change an application can show, in the order reports list them.
pub const APPLICATION_CHANGE_KINDS: [&str; 8] = [
    "error",
    "valid",
    "outcome",
    "route",
    "fired",
    "materials",
    "due",
    "details",
];

/// The effect of a pack change on a set of applications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplicationsDiff {
    /// Applications compared (unreadable ones included).
    pub checked: usize,
    /// Applications whose report differs.
    pub changed: usize,
    /// Applications by kind of change (`outcome`: 3 …); an application counts once per kind.
    pub counts: BTreeMap<String, usize>,
    /// Outcome transitions (`eligible → ineligible`: 2 …).
    pub outcomes: BTreeMap<String, usize>,
    /// Every application whose report differs, in input order.
    pub changes: Vec<ApplicationChange>,
    /// Applications neither pack could judge, in input order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<Unreadable>,
}

/// Everything that differs between two packs, section by section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackDiff {
    /// The old pack.
    pub old: PackInfo,
    /// The new pack.
    pub new: PackInfo,
    /// Whether anything differs: a section has an entry, or an application's report changed.
    pub changed: bool,
    /// `[pack]` keys that differ (`id`, `version`, `title.en`, `extends` …).
    pub pack: Vec<KeyChange>,
    /// Parameters, by name.
    pub params: Vec<Change>,
    /// Form steps.
    pub steps: Vec<Change>,
    /// Fields, by path.
    pub fields: Vec<Change>,
    /// Tables, by id; their rows by key.
    pub tables: Vec<Change>,
    /// Rules, by id.
    pub rules: Vec<Change>,
    /// Decision tables, by id; their rows by position.
    pub decisions: Vec<Change>,
    /// Materials of on-site review, by id.
    pub materials: Vec<Change>,
    /// Spec rules deliberately left out, by id.
    pub omissions: Vec<Change>,
    /// Reviewed form checks of eligibility requirements, by id.
    pub form_checks: Vec<Change>,
    /// The printable success notice: `notice` itself (added, removed, or its `title` and `steps`
    /// changed), then its lines by id.
    pub notice: Vec<Change>,
    /// With applications: whom the change affects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications: Option<ApplicationsDiff>,
}

/// Keys whose values are expressions: compared by their tokens, not their layout.
const EXPRESSION_KEYS: [&str; 5] = ["when", "check", "due", "required_when", "inputs"];

/// An expression without its layout: whitespace outside string literals is dropped, except one
/// space between two word characters (`a and b`), so `a+b`, `a + b` and a re-wrapped condition
/// compare equal.
fn tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut space = false;
    for c in text.chars() {
        if let Some(q) = quote {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        let word = |c: char| c.is_alphanumeric() || c == '_';
        if space && out.chars().last().is_some_and(word) && word(c) {
            out.push(' ');
        }
        space = false;
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
        out.push(c);
    }
    out
}

/// A value as compared: expression keys by their tokens (also inside decision cells' `test`).
fn normal(key: &str, v: &Value) -> Value {
    let expr = EXPRESSION_KEYS.contains(&key) || key == "test";
    match v {
        Value::String(s) if expr => Value::String(tokens(s)),
        Value::Array(items) => Value::Array(items.iter().map(|i| normal(key, i)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normal(k, v)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

/// The keys of two items that differ; objects (`message`, `title`, `label`) one level down.
fn key_changes(old: &Value, new: &Value) -> Vec<KeyChange> {
    let empty = Map::new();
    let o = old.as_object().unwrap_or(&empty);
    let n = new.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = o.keys().collect();
    keys.extend(n.keys().filter(|k| !o.contains_key(*k)));
    let mut out = Vec::new();
    for key in keys {
        let (a, b) = (o.get(key), n.get(key));
        if a.map(|v| normal(key, v)) == b.map(|v| normal(key, v)) {
            continue;
        }
        if let (Some(Value::Object(_)), Some(Value::Object(_))) = (a, b) {
            for mut inner in key_changes(a.unwrap_or(&Value::Null), b.unwrap_or(&Value::Null)) {
                inner.key = format!("{key}.{}", inner.key);
                out.push(inner);
            }
            continue;
        }
        out.push(KeyChange {
            key: key.clone(),
            old: a.cloned(),
            new: b.cloned(),
        });
    }
    out
}

fn to_json<T: Serialize>(item: &T) -> Value {
    serde_json::to_value(item).unwrap_or(Value::Null)
}

/// The keys of an item in the order its type declares them (a `Value` sorts them): the order a
/// change lists its keys in, so a parameter's `value` comes before its `doc`, a rule's `when`
/// before its `message`.
fn order_of<T: Serialize>(item: &T) -> Vec<String> {
    struct Keys(Vec<String>);
    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut a: A,
                ) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some((k, serde::de::IgnoredAny)) = a.next_entry::<String, _>()? {
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(Visit)
        }
    }
    serde_json::to_string(item)
        .ok()
        .and_then(|text| serde_json::from_str::<Keys>(&text).ok())
        .map(|k| k.0)
        .unwrap_or_default()
}

/// List each change's keys (and its rows' keys) in `order`, by their first segment (`message` of
/// `message.en`); keys `order` does not know go last, as they were.
fn sort_keys(changes: &mut [Change], order: &[String], rows: &[String]) {
    let rank = |order: &[String], key: &str| {
        let top = key.split('.').next().unwrap_or(key);
        order.iter().position(|k| k == top).unwrap_or(usize::MAX)
    };
    for c in changes {
        c.keys.sort_by_key(|k| rank(order, &k.key));
        for r in &mut c.rows {
            r.keys.sort_by_key(|k| rank(rows, &k.key));
        }
    }
}

/// The item without the keys listed (a table without its rows).
fn without(mut v: Value, keys: &[&str]) -> Value {
    if let Value::Object(m) = &mut v {
        for k in keys {
            m.remove(*k);
        }
    }
    v
}

/// Positions (in `new`) of a longest increasing subsequence of `seq`, as a set of values kept.
fn longest_increasing(seq: &[usize]) -> BTreeSet<usize> {
    // Patience sorting: `tails[k]` is the index (in `seq`) of the smallest tail of a run of k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (i, &x) in seq.iter().enumerate() {
        let k = tails.partition_point(|&t| seq.get(t).is_some_and(|&y| y < x));
        if k > 0 {
            if let (Some(p), Some(&t)) = (prev.get_mut(i), tails.get(k - 1)) {
                *p = Some(t);
            }
        }
        if k == tails.len() {
            tails.push(i);
        } else if let Some(t) = tails.get_mut(k) {
            *t = i;
        }
    }
    let mut kept = BTreeSet::new();
    let mut at = tails.last().copied();
    while let Some(i) = at {
        if let Some(&x) = seq.get(i) {
            kept.insert(x);
        }
        at = prev.get(i).copied().flatten();
    }
    kept
}

/// Compare two ordered lists of items with unique ids.
fn diff_ordered(old: &[(String, Value)], new: &[(String, Value)], strip: &[&str]) -> Vec<Change> {
    let new_pos: HashMap<&str, usize> = new
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    let old_pos: HashMap<&str, usize> = old
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.as_str(), i))
        .collect();
    // Items in both, in old order, by their new position: those off a longest increasing run moved.
    let common: Vec<usize> = old
        .iter()
        .filter_map(|(id, _)| new_pos.get(id.as_str()).copied())
        .collect();
    let in_place = longest_increasing(&common);
    let mut out = Vec::new();
    for (i, (id, o)) in old.iter().enumerate() {
        match new_pos.get(id.as_str()) {
            None => out.push(Change {
                change: ChangeKind::Removed,
                id: id.clone(),
                old_position: Some(i + 1),
                new_position: None,
                old: Some(o.clone()),
                new: None,
                keys: Vec::new(),
                rows: Vec::new(),
            }),
            Some(&j) => {
                let n = new.get(j).map_or(&Value::Null, |(_, v)| v);
                let keys = key_changes(&without(o.clone(), strip), &without(n.clone(), strip));
                let moved = !in_place.contains(&j);
                if keys.is_empty() && !moved {
                    continue;
                }
                out.push(Change {
                    change: if keys.is_empty() {
                        ChangeKind::Moved
                    } else {
                        ChangeKind::Changed
                    },
                    id: id.clone(),
                    old_position: Some(i + 1),
                    new_position: Some(j + 1),
                    old: Some(without(o.clone(), strip)),
                    new: Some(without(n.clone(), strip)),
                    keys,
                    rows: Vec::new(),
                });
            }
        }
    }
    for (j, (id, n)) in new.iter().enumerate() {
        if !old_pos.contains_key(id.as_str()) {
            out.push(Change {
                change: ChangeKind::Added,
                id: id.clone(),
                old_position: None,
                new_position: Some(j + 1),
                old: None,
                new: Some(n.clone()),
                keys: Vec::new(),
                rows: Vec::new(),
            });
        }
    }
    out
}

/// Compare two maps of items (parameters, tables): no order.
fn diff_keyed(old: &BTreeMap<String, Value>, new: &BTreeMap<String, Value>) -> Vec<Change> {
    let ids: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for id in ids {
        let change = match (old.get(id), new.get(id)) {
            (Some(o), Some(n)) => {
                let keys = key_changes(o, n);
                if keys.is_empty() {
                    continue;
                }
                Change {
                    change: ChangeKind::Changed,
                    id: id.clone(),
                    old_position: None,
                    new_position: None,
                    old: Some(o.clone()),
                    new: Some(n.clone()),
                    keys,
                    rows: Vec::new(),
                }
            }
            (Some(o), None) => Change {
                change: ChangeKind::Removed,
                id: id.clone(),
                old_position: None,
                new_position: None,
                old: Some(o.clone()),
                new: None,
                keys: Vec::new(),
                rows: Vec::new(),
            },
            (None, Some(n)) => Change {
                change: ChangeKind::Added,
                id: id.clone(),
                old_position: None,
                new_position: None,
                old: None,
                new: Some(n.clone()),
                keys: Vec::new(),
                rows: Vec::new(),
            },
            (None, None) => continue,
        };
        out.push(change);
    }
    out
}

/// A table's rows as objects keyed by column name, by the row's key (its first value).
fn table_rows(table: &Value) -> BTreeMap<String, Value> {
    let columns: Vec<String> = table
        .get("columns")
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for row in table
        .get("rows")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(cells) = row.as_array() else {
            continue;
        };
        let key = match cells.first() {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => continue,
        };
        let object: Map<String, Value> =
            columns.iter().cloned().zip(cells.iter().cloned()).collect();
        out.insert(key, Value::Object(object));
    }
    out
}

fn diff_tables(old: &Pack, new: &Pack) -> Vec<Change> {
    let o: BTreeMap<String, Value> = old
        .tables
        .iter()
        .map(|(k, t)| (k.clone(), to_json(t)))
        .collect();
    let n: BTreeMap<String, Value> = new
        .tables
        .iter()
        .map(|(k, t)| (k.clone(), to_json(t)))
        .collect();
    let mut out = Vec::new();
    let ids: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    for id in ids {
        match (o.get(id), n.get(id)) {
            (Some(a), Some(b)) => {
                let keys = key_changes(
                    &without(a.clone(), &["rows"]),
                    &without(b.clone(), &["rows"]),
                );
                let rows = diff_keyed(&table_rows(a), &table_rows(b));
                if keys.is_empty() && rows.is_empty() {
                    continue;
                }
                // A row's change is by column: its `keys` are the columns that differ.
                out.push(Change {
                    change: ChangeKind::Changed,
                    id: id.clone(),
                    old_position: None,
                    new_position: None,
                    old: Some(without(a.clone(), &["rows"])),
                    new: Some(without(b.clone(), &["rows"])),
                    keys,
                    rows,
                });
            }
            (a, b) => out.extend(diff_keyed(
                &a.map(|v| (id.clone(), v.clone())).into_iter().collect(),
                &b.map(|v| (id.clone(), v.clone())).into_iter().collect(),
            )),
        }
    }
    out
}

/// The label of a decision row: the rule it reports, else its output, else its position.
fn row_label(row: &Value, position: usize) -> String {
    row.get("rule")
        .or_else(|| row.get("output"))
        .and_then(Value::as_str)
        .map_or_else(|| format!("row {position}"), ToOwned::to_owned)
}

/// Largest `old × new` row count aligned by longest common subsequence; beyond it rows are paired
/// by position (a table that large is no decision table a person reviews).
const MAX_ALIGNED_CELLS: usize = 1_000_000;

/// Pairs `(old index, new index)` of rows equal in both, in order.
fn align(old: &[Value], new: &[Value]) -> Vec<(usize, usize)> {
    let (n, m) = (old.len(), new.len());
    if n.saturating_mul(m) > MAX_ALIGNED_CELLS {
        return Vec::new();
    }
    let eq =
        |i: usize, j: usize| old.get(i).map(|v| normal("", v)) == new.get(j).map(|v| normal("", v));
    // lcs[i][j]: length of the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let v = if eq(i, j) {
                lcs.get(at(i + 1, j + 1)).copied().unwrap_or(0) + 1
            } else {
                let down = lcs.get(at(i + 1, j)).copied().unwrap_or(0);
                let right = lcs.get(at(i, j + 1)).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(slot) = lcs.get_mut(at(i, j)) {
                *slot = v;
            }
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if eq(i, j) {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if lcs.get(at(i + 1, j)) >= lcs.get(at(i, j + 1)) {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

fn row_change(
    kind: ChangeKind,
    old: Option<(usize, &Value)>,
    new: Option<(usize, &Value)>,
) -> Change {
    let (id, keys) = match (old, new) {
        (Some((_, o)), Some((j, n))) => (row_label(n, j + 1), key_changes(o, n)),
        (Some((i, o)), None) => (row_label(o, i + 1), Vec::new()),
        (None, Some((j, n))) => (row_label(n, j + 1), Vec::new()),
        (None, None) => (String::new(), Vec::new()),
    };
    Change {
        change: kind,
        id,
        old_position: old.map(|(i, _)| i + 1),
        new_position: new.map(|(j, _)| j + 1),
        old: old.map(|(_, v)| v.clone()),
        new: new.map(|(_, v)| v.clone()),
        keys,
        rows: Vec::new(),
    }
}

/// The rows of two decision tables: equal rows aligned; between two aligned rows, the rows left
/// over are paired in order as changed, and the rest are added or removed.
fn diff_rows(old: &[Value], new: &[Value]) -> Vec<Change> {
    let mut out = Vec::new();
    let mut pairs = align(old, new);
    pairs.push((old.len(), new.len()));
    let (mut i, mut j) = (0, 0);
    for (pi, pj) in pairs {
        let olds: Vec<usize> = (i..pi).collect();
        let news: Vec<usize> = (j..pj).collect();
        for k in 0..olds.len().max(news.len()) {
            let o = olds.get(k).and_then(|&x| old.get(x).map(|v| (x, v)));
            let n = news.get(k).and_then(|&x| new.get(x).map(|v| (x, v)));
            let kind = match (o, n) {
                (Some(_), Some(_)) => ChangeKind::Changed,
                (Some(_), None) => ChangeKind::Removed,
                _ => ChangeKind::Added,
            };
            out.push(row_change(kind, o, n));
        }
        i = pi + 1;
        j = pj + 1;
    }
    out
}

fn diff_decisions(old: &Pack, new: &Pack) -> Vec<Change> {
    let items = |p: &Pack| -> Vec<(String, Value)> {
        p.decisions
            .iter()
            .map(|d| (d.id.clone(), to_json(d)))
            .collect()
    };
    let (o, n) = (items(old), items(new));
    let mut out = diff_ordered(&o, &n, &["rows", "default"]);
    let rows = |v: &Value| -> Vec<Value> {
        v.get("rows")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let new_map: HashMap<&str, &Value> = n.iter().map(|(k, v)| (k.as_str(), v)).collect();
    // Decisions whose rows (or default row) differ, even when nothing else does.
    for (id, a) in &o {
        let Some(b) = new_map.get(id.as_str()) else {
            continue;
        };
        let mut row_changes = diff_rows(&rows(a), &rows(b));
        let (da, db) = (a.get("default"), b.get("default"));
        if da.map(|v| normal("", v)) != db.map(|v| normal("", v)) {
            row_changes.push(Change {
                change: match (da, db) {
                    (Some(_), Some(_)) => ChangeKind::Changed,
                    (Some(_), None) => ChangeKind::Removed,
                    _ => ChangeKind::Added,
                },
                id: "default".into(),
                old_position: None,
                new_position: None,
                old: da.cloned(),
                new: db.cloned(),
                keys: match (da, db) {
                    (Some(x), Some(y)) => key_changes(x, y),
                    _ => Vec::new(),
                },
                rows: Vec::new(),
            });
        }
        if row_changes.is_empty() {
            continue;
        }
        if let Some(c) = out.iter_mut().find(|c| &c.id == id) {
            c.change = ChangeKind::Changed;
            c.rows = row_changes;
        } else {
            let position =
                |list: &[(String, Value)]| list.iter().position(|(k, _)| k == id).map(|p| p + 1);
            out.push(Change {
                change: ChangeKind::Changed,
                id: id.clone(),
                old_position: position(&o),
                new_position: position(&n),
                old: Some(without((*a).clone(), &["rows", "default"])),
                new: Some(without((*b).clone(), &["rows", "default"])),
                keys: Vec::new(),
                rows: row_changes,
            });
        }
    }
    // Keep the section in old order, added decisions last, as `diff_ordered` lists them.
    let order = |c: &Change| (c.old_position.is_none(), c.old_position, c.new_position);
    out.sort_by_key(order);
    out
}

/// The `[notice]` sections: the section itself, then its lines by id.
fn diff_notice(old: &Pack, new: &Pack) -> Vec<Change> {
    let (o, n) = (
        old.notice.as_ref().map(to_json),
        new.notice.as_ref().map(to_json),
    );
    if o.is_none() || n.is_none() {
        return diff_keyed(
            &o.map(|v| ("notice".to_owned(), v)).into_iter().collect(),
            &n.map(|v| ("notice".to_owned(), v)).into_iter().collect(),
        );
    }
    let (o, n) = (o.unwrap_or_default(), n.unwrap_or_default());
    let mut out = Vec::new();
    let (a, b) = (without(o.clone(), &["line"]), without(n.clone(), &["line"]));
    let keys = key_changes(&a, &b);
    if !keys.is_empty() {
        out.push(Change {
            change: ChangeKind::Changed,
            id: "notice".into(),
            old_position: None,
            new_position: None,
            old: Some(a),
            new: Some(b),
            keys,
            rows: Vec::new(),
        });
    }
    let lines = |v: &Value| -> Vec<(String, Value)> {
        v.get("line")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|l| {
                let id = l.get("id").and_then(Value::as_str).unwrap_or_default();
                (id.to_owned(), l.clone())
            })
            .collect()
    };
    out.extend(diff_ordered(&lines(&o), &lines(&n), &[]));
    out
}

/// Compare two packs item by item.
pub fn diff_packs(old: &Pack, new: &Pack) -> PackDiff {
    let info = |p: &Pack| PackInfo {
        id: p.pack.id.as_str().into(),
        version: p.pack.version.as_str().into(),
        digest: crate::pack::digest(p).into(),
    };
    let ordered = |o: Vec<(String, Value)>, n: Vec<(String, Value)>| diff_ordered(&o, &n, &[]);
    let mut d = PackDiff {
        old: info(old),
        new: info(new),
        changed: false,
        pack: key_changes(&to_json(&old.pack), &to_json(&new.pack)),
        params: diff_keyed(
            &old.params
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
            &new.params
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
        steps: ordered(
            old.steps
                .iter()
                .map(|s| (s.id.clone(), to_json(s)))
                .collect(),
            new.steps
                .iter()
                .map(|s| (s.id.clone(), to_json(s)))
                .collect(),
        ),
        fields: ordered(
            old.fields
                .iter()
                .map(|f| (f.path.clone(), to_json(f)))
                .collect(),
            new.fields
                .iter()
                .map(|f| (f.path.clone(), to_json(f)))
                .collect(),
        ),
        tables: diff_tables(old, new),
        rules: ordered(
            old.rules
                .iter()
                .map(|r| (r.id.clone(), to_json(r)))
                .collect(),
            new.rules
                .iter()
                .map(|r| (r.id.clone(), to_json(r)))
                .collect(),
        ),
        decisions: diff_decisions(old, new),
        materials: ordered(
            old.materials
                .iter()
                .map(|m| (m.id.clone(), to_json(m)))
                .collect(),
            new.materials
                .iter()
                .map(|m| (m.id.clone(), to_json(m)))
                .collect(),
        ),
        omissions: ordered(
            old.omissions
                .iter()
                .map(|m| (m.id.clone(), to_json(m)))
                .collect(),
            new.omissions
                .iter()
                .map(|m| (m.id.clone(), to_json(m)))
                .collect(),
        ),
        form_checks: ordered(
            old.form_checks
                .iter()
                .map(|m| (m.id.clone(), to_json(m)))
                .collect(),
            new.form_checks
                .iter()
                .map(|m| (m.id.clone(), to_json(m)))
                .collect(),
        ),
        notice: diff_notice(old, new),
        applications: None,
    };
    // Omissions and form checks have no order that means anything: only content counts.
    d.omissions.retain(|c| c.change != ChangeKind::Moved);
    d.form_checks.retain(|c| c.change != ChangeKind::Moved);
    // Keys in the order the pack format declares them.
    let pack_order = order_of(&new.pack);
    d.pack.sort_by_key(|k| {
        pack_order
            .iter()
            .position(|o| *o == k.key.split('.').next().unwrap_or_default())
            .unwrap_or(usize::MAX)
    });
    let first = |v: Option<Vec<String>>| v.unwrap_or_default();
    sort_keys(
        &mut d.params,
        &first(new.params.values().next().map(order_of)),
        &[],
    );
    sort_keys(&mut d.steps, &first(new.steps.first().map(order_of)), &[]);
    sort_keys(&mut d.fields, &first(new.fields.first().map(order_of)), &[]);
    sort_keys(&mut d.rules, &first(new.rules.first().map(order_of)), &[]);
    sort_keys(
        &mut d.materials,
        &first(new.materials.first().map(order_of)),
        &[],
    );
    let rows = first(
        new.decisions
            .iter()
            .find_map(|d| d.rows.first())
            .map(order_of),
    );
    sort_keys(
        &mut d.decisions,
        &first(new.decisions.first().map(order_of)),
        &rows,
    );
    for t in &mut d.tables {
        let columns = new
            .tables
            .get(&t.id)
            .or_else(|| old.tables.get(&t.id))
            .map(|x| x.columns.clone())
            .unwrap_or_default();
        let order = first(new.tables.values().next().map(order_of));
        sort_keys(std::slice::from_mut(t), &order, &columns);
    }
    d.changed = d.has_pack_changes();
    d
}

/// Compare the packs of two engines.
pub fn diff(old: &Engine, new: &Engine) -> PackDiff {
    diff_packs(old.pack(), new.pack())
}

fn verdict(r: &Result<Report, Error>) -> Verdict {
    match r {
        Ok(r) => Verdict {
            valid: Some(r.valid),
            outcome: Some(r.eligibility.outcome.as_str().to_owned()),
            route: r.eligibility.route.as_deref().map(ToOwned::to_owned),
            error: None,
        },
        Err(e) => Verdict {
            valid: None,
            outcome: None,
            route: None,
            error: Some(e.code().to_owned()),
        },
    }
}

/// The due date of each condition, by rule.
fn dues(r: &Report) -> BTreeMap<String, Option<String>> {
    r.eligibility
        .conditions
        .iter()
        .map(|f| (f.rule.to_string(), f.due.clone()))
        .collect()
}

/// A report without the pack that made it, to compare the rest.
fn content(r: &Report) -> Value {
    without(to_json(r), &["pack"])
}

/// The diagnostics, findings and materials of a report by id (rule, else code; material id), as
/// JSON; an id seen twice keeps all its entries.
fn entries(r: &Report) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for d in &r.diagnostics {
        let id = d.rule.as_deref().unwrap_or(&d.code).to_owned();
        out.entry(id).or_default().push(to_json(d));
    }
    let e = &r.eligibility;
    for f in e.conditions.iter().chain(&e.restrictions).chain(&e.reasons) {
        out.entry(f.rule.to_string()).or_default().push(to_json(f));
    }
    for m in &r.materials {
        out.entry(m.id.to_string()).or_default().push(to_json(m));
    }
    out
}

/// How two reports of one application differ; `None` when they do not.
pub fn compare_reports(
    index: usize,
    input: Option<&str>,
    old: &Result<Report, Error>,
    new: &Result<Report, Error>,
) -> Option<ApplicationChange> {
    let mut change = ApplicationChange {
        index,
        input: input.map(ToOwned::to_owned),
        kinds: Vec::new(),
        old: verdict(old),
        new: verdict(new),
        fires: Vec::new(),
        stops_firing: Vec::new(),
        materials_added: Vec::new(),
        materials_removed: Vec::new(),
        due: Vec::new(),
        details: Vec::new(),
    };
    let (a, b) = match (old, new) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(a), Err(b)) if a.code() == b.code() => return None,
        _ => {
            change.kinds.push("error".into());
            return Some(change);
        }
    };
    if a.valid != b.valid {
        change.kinds.push("valid".into());
    }
    if a.eligibility.outcome != b.eligibility.outcome {
        change.kinds.push("outcome".into());
    }
    if a.eligibility.route != b.eligibility.route {
        change.kinds.push("route".into());
    }
    let (fa, fb): (BTreeSet<String>, BTreeSet<String>) = (
        a.fired().into_iter().collect(),
        b.fired().into_iter().collect(),
    );
    change.fires = fb.difference(&fa).cloned().collect();
    change.stops_firing = fa.difference(&fb).cloned().collect();
    if !change.fires.is_empty() || !change.stops_firing.is_empty() {
        change.kinds.push("fired".into());
    }
    let (ma, mb): (Vec<&str>, Vec<&str>) = (
        a.materials.iter().map(|m| &*m.id).collect(),
        b.materials.iter().map(|m| &*m.id).collect(),
    );
    change.materials_added = mb
        .iter()
        .filter(|m| !ma.contains(m))
        .map(|m| (*m).to_owned())
        .collect();
    change.materials_removed = ma
        .iter()
        .filter(|m| !mb.contains(m))
        .map(|m| (*m).to_owned())
        .collect();
    if ma != mb {
        change.kinds.push("materials".into());
    }
    let (da, db) = (dues(a), dues(b));
    for (rule, due) in &da {
        if let Some(other) = db.get(rule) {
            if other != due {
                change.due.push(DueChange {
                    rule: rule.clone(),
                    old: due.clone(),
                    new: other.clone(),
                });
            }
        }
    }
    if !change.due.is_empty() {
        change.kinds.push("due".into());
    }
    let (ea, eb) = (entries(a), entries(b));
    change.details = ea
        .iter()
        .filter(|(id, v)| eb.get(*id).is_some_and(|w| w != *v))
        .map(|(id, _)| id.clone())
        .collect();
    if !change.details.is_empty() || (change.kinds.is_empty() && content(a) != content(b)) {
        change.kinds.push("details".into());
    }
    if change.kinds.is_empty() {
        return None;
    }
    Some(change)
}

impl ApplicationChange {
    /// Whether the report changed in this way (`outcome`, `fired` …).
    pub fn has(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| k == kind)
    }
}

impl ApplicationsDiff {
    /// Judge one application with both engines and record whether its report changes.
    pub fn compare(
        &mut self,
        old: &Engine,
        new: &Engine,
        input: Option<&str>,
        application: &Value,
        options: &Options,
    ) {
        let (a, b) = (old.run(application, options), new.run(application, options));
        match (&a, &b) {
            (Err(e), Err(f)) if e.code() == f.code() => {
                self.unreadable(input, e.code(), &e.to_string());
            }
            _ => {
                let index = self.checked;
                self.checked += 1;
                if let Some(change) = compare_reports(index, input, &a, &b) {
                    self.add(change);
                }
            }
        }
    }

    /// Record an application that could not be read (not JSON, over the size limit …): neither pack
    /// judges it.
    pub fn unreadable(&mut self, input: Option<&str>, code: &str, message: &str) {
        self.unreadable.push(Unreadable {
            index: self.checked,
            input: input.map(ToOwned::to_owned),
            code: code.to_owned(),
            message: message.to_owned(),
        });
        self.checked += 1;
    }

    fn add(&mut self, change: ApplicationChange) {
        self.changed += 1;
        for kind in &change.kinds {
            *self.counts.entry(kind.clone()).or_default() += 1;
        }
        if change.has("outcome") {
            let name = |v: &Verdict| v.outcome.clone().unwrap_or_else(|| "none".into());
            let key = format!("{} → {}", name(&change.old), name(&change.new));
            *self.outcomes.entry(key).or_default() += 1;
        }
        self.changes.push(change);
    }
}

impl PackDiff {
    /// Whether some section of the packs differs (applications aside).
    pub fn has_pack_changes(&self) -> bool {
        !(self.pack.is_empty()
            && self.params.is_empty()
            && self.steps.is_empty()
            && self.fields.is_empty()
            && self.tables.is_empty()
            && self.rules.is_empty()
            && self.decisions.is_empty()
            && self.materials.is_empty()
            && self.omissions.is_empty()
            && self.form_checks.is_empty()
            && self.notice.is_empty())
    }

    /// Attach the effect on applications; `changed` then also says whether a report changed.
    #[must_use]
    pub fn with_applications(mut self, applications: ApplicationsDiff) -> Self {
        self.changed = self.has_pack_changes() || applications.changed > 0;
        self.applications = Some(applications);
        self
    }

    /// The diff for people: one line per item, signs `+` added, `-` removed, `~` changed,
    /// `>` moved, then the applications whose report changes.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} {} → {} {}",
            self.old.id, self.old.version, self.new.id, self.new.version
        );
        if !self.has_pack_changes() {
            let _ = writeln!(s, "no changes to the pack's content");
        }
        if !self.pack.is_empty() {
            let _ = writeln!(s, "\npack");
            for k in &self.pack {
                let _ = writeln!(
                    s,
                    "  ~ {}: {}",
                    k.key,
                    old_new(k.old.as_ref(), k.new.as_ref())
                );
            }
        }
        for (name, list) in [
            ("params", &self.params),
            ("steps", &self.steps),
            ("fields", &self.fields),
            ("tables", &self.tables),
            ("rules", &self.rules),
            ("decisions", &self.decisions),
            ("materials", &self.materials),
            ("omissions", &self.omissions),
            ("form_checks", &self.form_checks),
            ("notice", &self.notice),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "\n{name} ({})", tally(list));
            for c in list {
                item_text(&mut s, name, c);
            }
        }
        if let Some(apps) = &self.applications {
            let _ = writeln!(
                s,
                "\napplications: {} checked, {} changed{}",
                apps.checked,
                apps.changed,
                if apps.unreadable.is_empty() {
                    String::new()
                } else {
                    format!(", {} unreadable", apps.unreadable.len())
                }
            );
            let counts: Vec<String> = APPLICATION_CHANGE_KINDS
                .iter()
                .filter_map(|k| apps.counts.get(*k).map(|n| format!("{k} {n}")))
                .collect();
            if !counts.is_empty() {
                let _ = writeln!(s, "  by kind: {}", counts.join(", "));
            }
            for (transition, n) in &apps.outcomes {
                let _ = writeln!(s, "  {transition}: {n}");
            }
            for c in &apps.changes {
                let _ = writeln!(
                    s,
                    "  {}  {}",
                    where_(c.index, c.input.as_deref()),
                    application_text(c)
                );
            }
            for u in &apps.unreadable {
                let _ = writeln!(
                    s,
                    "  {}  unreadable: {} {}",
                    where_(u.index, u.input.as_deref()),
                    u.code,
                    u.message
                );
            }
        }
        s
    }
}

fn where_(index: usize, input: Option<&str>) -> String {
    input.map_or_else(|| format!("#{index}"), ToOwned::to_owned)
}

fn application_text(c: &ApplicationChange) -> String {
    let mut parts = Vec::new();
    let show = |v: &Verdict| match (&v.error, &v.outcome) {
        (Some(e), _) => format!("error {e}"),
        (None, Some(o)) => o.clone(),
        _ => "—".into(),
    };
    if c.has("error") || c.has("outcome") {
        parts.push(format!("{} → {}", show(&c.old), show(&c.new)));
    }
    if c.has("valid") {
        let v = |x: Option<bool>| match x {
            Some(true) => "valid",
            Some(false) => "invalid",
            None => "—",
        };
        parts.push(format!("{} → {}", v(c.old.valid), v(c.new.valid)));
    }
    if c.has("route") {
        parts.push(format!(
            "route {} → {}",
            c.old.route.as_deref().unwrap_or("none"),
            c.new.route.as_deref().unwrap_or("none")
        ));
    }
    if !c.fires.is_empty() {
        parts.push(format!("fires {}", c.fires.join(", ")));
    }
    if !c.stops_firing.is_empty() {
        parts.push(format!("stops firing {}", c.stops_firing.join(", ")));
    }
    if !c.materials_added.is_empty() {
        parts.push(format!("lists {}", c.materials_added.join(", ")));
    }
    if !c.materials_removed.is_empty() {
        parts.push(format!(
            "no longer lists {}",
            c.materials_removed.join(", ")
        ));
    }
    for d in &c.due {
        parts.push(format!(
            "{} due {} → {}",
            d.rule,
            d.old.as_deref().unwrap_or("—"),
            d.new.as_deref().unwrap_or("—")
        ));
    }
    if !c.details.is_empty() {
        parts.push(format!("text of {} differs", c.details.join(", ")));
    } else if c.has("details") {
        parts.push("the report's text differs".into());
    }
    parts.join(" · ")
}

fn tally(list: &[Change]) -> String {
    let mut counts: BTreeMap<ChangeKind, usize> = BTreeMap::new();
    for c in list {
        *counts.entry(c.change).or_default() += 1;
    }
    counts
        .iter()
        .map(|(k, n)| {
            let name = match k {
                ChangeKind::Added => "added",
                ChangeKind::Removed => "removed",
                ChangeKind::Changed => "changed",
                ChangeKind::Moved => "moved",
            };
            format!("{n} {name}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value for the text form: strings quoted as they are, anything else as compact JSON.
fn show(v: Option<&Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => format!("`{}`", s.replace('\n', " ")),
        Some(other) => other.to_string(),
    }
}

fn old_new(old: Option<&Value>, new: Option<&Value>) -> String {
    format!("{} → {}", show(old), show(new))
}

/// The kind of a rule (`effect` or `severity`) and its summary, for added and removed rules.
fn brief(v: Option<&Value>) -> String {
    let Some(v) = v else {
        return String::new();
    };
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let kind = [text("effect"), text("severity"), text("type"), text("hit")]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let summary = [text("summary"), text("rule")]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let mut out = String::new();
    if !kind.is_empty() {
        let _ = write!(out, "  {kind}");
    }
    if !summary.is_empty() {
        let _ = write!(out, "  {summary}");
    }
    out
}

fn item_text(s: &mut String, section: &str, c: &Change) {
    let sign = c.change.sign();
    match c.change {
        ChangeKind::Added => {
            let _ = writeln!(
                s,
                "  {sign} {}{}",
                c.id,
                added_detail(section, c.new.as_ref())
            );
        }
        ChangeKind::Removed => {
            let _ = writeln!(
                s,
                "  {sign} {}{}",
                c.id,
                added_detail(section, c.old.as_ref())
            );
        }
        ChangeKind::Moved => {
            let _ = writeln!(
                s,
                "  {sign} {}  moved from position {} to {}",
                c.id,
                c.old_position.unwrap_or_default(),
                c.new_position.unwrap_or_default()
            );
        }
        ChangeKind::Changed => {
            if section == "params" {
                let _ = writeln!(s, "  {sign} {}{}", c.id, param_line(c));
                for k in c.keys.iter().filter(|k| k.key != "value") {
                    let _ = writeln!(
                        s,
                        "      {}: {}",
                        k.key,
                        old_new(k.old.as_ref(), k.new.as_ref())
                    );
                }
                return;
            }
            let rows = if c.rows.is_empty() {
                String::new()
            } else {
                format!("  rows: {}", tally(&c.rows))
            };
            let _ = writeln!(s, "  {sign} {}{rows}", c.id);
            if c.old_position != c.new_position && c.old_position.is_some() {
                let _ = writeln!(
                    s,
                    "      position: {} → {}",
                    c.old_position.unwrap_or_default(),
                    c.new_position.unwrap_or_default()
                );
            }
            for k in &c.keys {
                let _ = writeln!(
                    s,
                    "      {}: {}",
                    k.key,
                    old_new(k.old.as_ref(), k.new.as_ref())
                );
            }
            for r in &c.rows {
                row_text(s, section, r);
            }
        }
    }
}

/// The line of a changed parameter: old → new value, with the new source and confidence.
fn param_line(c: &Change) -> String {
    let value = |v: Option<&Value>| v.and_then(|p| p.get("value")).cloned();
    let (old, new) = (value(c.old.as_ref()), value(c.new.as_ref()));
    let mut line = String::new();
    if old != new {
        let _ = write!(line, ": {}", old_new(old.as_ref(), new.as_ref()));
    }
    let source = |k: &str| {
        c.new
            .as_ref()
            .and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .map(ToOwned::to_owned)
    };
    let mut provenance = Vec::new();
    if let Some(conf) = source("confidence") {
        provenance.push(format!("confidence {conf}"));
    }
    if let Some(cite) = source("cite") {
        provenance.push(format!("cite {cite}"));
    }
    if !provenance.is_empty() {
        let _ = write!(line, "  ({})", provenance.join("; "));
    }
    line
}

fn added_detail(section: &str, v: Option<&Value>) -> String {
    match section {
        "params" => {
            let value = v.and_then(|p| p.get("value"));
            let conf = v.and_then(|p| p.get("confidence")).and_then(Value::as_str);
            format!(
                " = {}{}",
                show(value),
                conf.map(|c| format!("  (confidence {c})"))
                    .unwrap_or_default()
            )
        }
        "tables" => {
            let rows = v
                .and_then(|t| t.get("rows"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            format!("  {rows} rows")
        }
        _ => brief(v),
    }
}

fn row_text(s: &mut String, section: &str, r: &Change) {
    let sign = r.change.sign();
    let at = match (section, r.old_position, r.new_position) {
        ("tables", ..) => String::new(),
        (_, Some(o), Some(n)) if o != n => format!(" (row {o} → {n})"),
        (_, Some(o), _) | (_, None, Some(o)) => format!(" (row {o})"),
        _ => String::new(),
    };
    if r.change == ChangeKind::Changed {
        let _ = writeln!(s, "      {sign} {}{at}", r.id);
        for k in &r.keys {
            let _ = writeln!(
                s,
                "          {}: {}",
                k.key,
                old_new(k.old.as_ref(), k.new.as_ref())
            );
        }
    } else {
        let row = r.new.as_ref().or(r.old.as_ref());
        let _ = writeln!(
            s,
            "      {sign} {}{at}  {}",
            r.id,
            row.map(Value::to_string).unwrap_or_default()
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn expressions_compare_by_tokens() {
        assert_eq!(tokens("a+b"), tokens(" a +\n  b "));
        assert_eq!(tokens("x and y"), "x and y");
        assert_ne!(tokens("x and y"), tokens("xand y"));
        assert_eq!(tokens(r#"f("a  b")"#), r#"f("a  b")"#);
        assert_ne!(tokens(r#""a  b""#), tokens(r#""a b""#));
        assert_eq!(tokens(r#""a\" b"  ==  c"#), r#""a\" b"==c"#);
    }

    #[test]
    fn longest_increasing_keeps_the_run_in_place() {
        assert_eq!(
            longest_increasing(&[0, 1, 2, 3]),
            [0, 1, 2, 3].into_iter().collect()
        );
        // One item moved to the end: the others stay.
        assert_eq!(
            longest_increasing(&[3, 0, 1, 2]),
            [0, 1, 2].into_iter().collect()
        );
        assert!(longest_increasing(&[]).is_empty());
    }

    #[test]
    fn rows_are_aligned_then_paired() {
        let v = |s: &str| serde_json::json!({ "when": [s], "output": s });
        let old = [v("a"), v("b"), v("c")];
        let new = [v("a"), v("x"), v("b"), v("c2")];
        let changes = diff_rows(&old, &new);
        let got: Vec<(ChangeKind, Option<usize>, Option<usize>)> = changes
            .iter()
            .map(|c| (c.change, c.old_position, c.new_position))
            .collect();
        assert_eq!(
            got,
            [
                (ChangeKind::Added, None, Some(2)),
                (ChangeKind::Changed, Some(3), Some(4)),
            ]
        );
        assert_eq!(changes[1].keys.len(), 2, "{:?}", changes[1].keys);
    }
}
