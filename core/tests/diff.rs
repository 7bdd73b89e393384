//! `baokao::diff` on real pairs: the national pack against each overlay, and against a copy of
//! itself with the calendar moved a year; then every section on a pack changed item by item.
//!
//! The applications are the packs' own example documents. What the diff says about them is checked
//! against an oracle computed here without it: both engines judge every document, and an
//! application counts as changed exactly when the two reports (without the pack that made them)
//! differ.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use baokao::diff::{self, ApplicationsDiff, ChangeKind, PackDiff};
use baokao::model::Source;
use baokao::{Engine, Options};
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn engine(path: &Path) -> Engine {
    Engine::from_dir(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every example document of the national pack judged as a whole application.
fn documents() -> Vec<Value> {
    engine(&root().join("rules/nmec-2024"))
        .pack()
        .examples
        .iter()
        .filter(|e| e.step.is_none() && e.params.is_empty())
        .filter_map(|e| e.document.clone())
        .collect()
}

/// The diff with every document compared.
fn with_documents(old: &Engine, new: &Engine, docs: &[Value]) -> PackDiff {
    let mut apps = ApplicationsDiff::default();
    for (i, d) in docs.iter().enumerate() {
        apps.compare(old, new, Some(&format!("doc:{i}")), d, &Options::default());
    }
    diff::diff(old, new).with_applications(apps)
}

/// The oracle: which documents get a different report, and how their outcomes move.
fn oracle(
    old: &Engine,
    new: &Engine,
    docs: &[Value],
) -> (BTreeSet<usize>, BTreeMap<String, usize>) {
    let mut changed = BTreeSet::new();
    let mut outcomes = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        let (a, b) = (old.validate(d).unwrap(), new.validate(d).unwrap());
        let strip = |r: &baokao::Report| {
            let mut v = serde_json::to_value(r).unwrap();
            v.as_object_mut().unwrap().remove("pack");
            v
        };
        if strip(&a) != strip(&b) {
            changed.insert(i);
        }
        if a.eligibility.outcome != b.eligibility.outcome {
            let key = format!(
                "{} → {}",
                a.eligibility.outcome.as_str(),
                b.eligibility.outcome.as_str()
            );
            *outcomes.entry(key).or_default() += 1;
        }
    }
    (changed, outcomes)
}

fn check_against_oracle(d: &PackDiff, old: &Engine, new: &Engine, docs: &[Value]) {
    let apps = d.applications.as_ref().unwrap();
    let (changed, outcomes) = oracle(old, new, docs);
    assert_eq!(apps.checked, docs.len());
    let listed: BTreeSet<usize> = apps.changes.iter().map(|c| c.index).collect();
    assert_eq!(
        listed, changed,
        "the applications listed are those whose report differs"
    );
    assert_eq!(apps.changed, changed.len());
    assert_eq!(apps.outcomes, outcomes);
    // Each count is the number of applications showing that kind.
    for (kind, n) in &apps.counts {
        assert_eq!(
            *n,
            apps.changes.iter().filter(|c| c.has(kind)).count(),
            "{kind}"
        );
    }
    for c in &apps.changes {
        let (a, b) = (
            old.validate(&docs[c.index]).unwrap(),
            new.validate(&docs[c.index]).unwrap(),
        );
        let (fa, fb): (BTreeSet<String>, BTreeSet<String>) = (
            a.fired().into_iter().collect(),
            b.fired().into_iter().collect(),
        );
        assert_eq!(c.fires, fb.difference(&fa).cloned().collect::<Vec<_>>());
        assert_eq!(
            c.stops_firing,
            fa.difference(&fb).cloned().collect::<Vec<_>>()
        );
        assert_eq!(
            c.has("outcome"),
            a.eligibility.outcome != b.eligibility.outcome
        );
        assert_eq!(c.has("valid"), a.valid != b.valid);
        assert_eq!(c.has("route"), a.eligibility.route != b.eligibility.route);
        assert_eq!(
            c.input.as_deref(),
            Some(format!("doc:{}", c.index).as_str())
        );
    }
    assert_eq!(d.changed, d.has_pack_changes() || !changed.is_empty());
}

/// The national pack against each overlay: the overlay's own parameters, nothing else of the
/// rules, and the applications its values move.
#[test]
fn the_national_pack_against_each_overlay() {
    let national = engine(&root().join("rules/nmec-2024"));
    let docs = documents();
    let mut overlays = 0;
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("nmec-2024-") {
            continue;
        }
        overlays += 1;
        let overlay = engine(&path);
        let d = with_documents(&national, &overlay, &docs);
        // What the overlay declares, and only that.
        let own: Value =
            toml::from_str::<Value>(&std::fs::read_to_string(path.join("pack.toml")).unwrap())
                .unwrap();
        let declared: BTreeSet<String> = own["params"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let listed: BTreeSet<String> = d.params.iter().map(|c| c.id.clone()).collect();
        assert_eq!(listed, declared, "{name}: parameters");
        for c in &d.params {
            assert_eq!(c.change, ChangeKind::Changed);
            let (old, new) = (
                &national.pack().params[&c.id],
                &overlay.pack().params[&c.id],
            );
            let value = c.keys.iter().find(|k| k.key == "value");
            if old.value == new.value {
                assert!(value.is_none(), "{name}: {} keeps its value", c.id);
            } else {
                let value = value.unwrap_or_else(|| panic!("{name}: {} value", c.id));
                assert_eq!(value.old.as_ref(), Some(&old.value));
                assert_eq!(value.new.as_ref(), Some(&new.value));
            }
            // Source and confidence travel with the change.
            assert_eq!(c.new.as_ref().unwrap()["confidence"], json!(new.confidence));
            assert_eq!(c.new.as_ref().unwrap()["cite"], json!(new.cite));
        }
        for (section, list) in [
            ("rules", &d.rules),
            ("decisions", &d.decisions),
            ("tables", &d.tables),
            ("fields", &d.fields),
            ("steps", &d.steps),
            ("materials", &d.materials),
        ] {
            assert!(list.is_empty(), "{name}: {section}: {list:?}");
        }
        let keys: BTreeSet<&str> = d.pack.iter().map(|k| k.key.as_str()).collect();
        assert!(
            keys.contains("id") && keys.contains("extends"),
            "{name}: {keys:?}"
        );
        check_against_oracle(&d, &national, &overlay, &docs);
        let text = d.to_text();
        assert!(text.contains("~ assistant_years_cutoff"), "{name}: {text}");
    }
    assert!(overlays >= 3, "the overlays of rules/");
}

/// Hunan counts to 08-15: some candidate eligible nationally goes to review there (XF-12.c).
#[test]
fn hunan_sends_candidates_to_review() {
    let national = engine(&root().join("rules/nmec-2024"));
    let hunan = engine(&root().join("rules/nmec-2024-hunan"));
    let d = with_documents(&national, &hunan, &documents());
    let apps = d.applications.unwrap();
    assert!(
        apps.outcomes
            .get("eligible → needs_review")
            .is_some_and(|n| *n > 0),
        "{:?}",
        apps.outcomes
    );
    assert!(apps.changes.iter().any(|c| c.fires == ["XF-12.c"]));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A scratch directory of this test, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The year of an exam-year date or timestamp, or the exam year itself, one year on.
fn next_year(v: &Value, year: i64) -> Option<Value> {
    match v {
        Value::Number(n) if n.as_i64() == Some(year) => Some(json!(year + 1)),
        Value::String(s) if s.starts_with(&format!("{year}-")) => {
            Some(Value::String(format!("{}{}", year + 1, &s[4..])))
        }
        _ => None,
    }
}

/// A copy of the national pack with its calendar — every parameter in the exam year — moved one
/// year on, as a rule author preparing the 2025 pack does first.
#[test]
fn the_pack_against_itself_a_year_later() {
    let dir =
        Scratch(std::env::temp_dir().join(format!("baokao-diff-year-{}", std::process::id())));
    copy_dir(&root().join("rules/nmec-2024"), &dir.0);
    let toml_path = dir.0.join("pack.toml");
    let text = std::fs::read_to_string(&toml_path).unwrap();
    let mut moved = String::new();
    let mut in_params = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_params = line == "[params]";
        }
        let line = if in_params && line.contains("value = 2024") {
            line.replacen("value = 2024", "value = 2025", 1)
        } else if line.starts_with("version = ") {
            "version = \"2025.0.0\"".to_owned()
        } else {
            line.to_owned()
        };
        moved.push_str(&line);
        moved.push('\n');
    }
    std::fs::write(&toml_path, moved).unwrap();

    let old = engine(&root().join("rules/nmec-2024"));
    let new = engine(&dir.0);
    let docs = documents();
    let d = with_documents(&old, &new, &docs);
    // Exactly the calendar moved, each value one year on; nothing else.
    let expected: BTreeMap<String, Value> = old
        .pack()
        .params
        .iter()
        .filter_map(|(k, p)| next_year(&p.value, 2024).map(|v| (k.clone(), v)))
        .collect();
    assert!(expected.contains_key("exam_year") && expected.contains_key("trial_cutoff"));
    let got: BTreeMap<String, Value> = d
        .params
        .iter()
        .map(|c| {
            assert_eq!(c.keys.len(), 1, "{}: only the value changes", c.id);
            assert_eq!(c.keys[0].key, "value");
            assert_eq!(
                c.keys[0].old.as_ref(),
                Some(&old.pack().params[&c.id].value)
            );
            (c.id.clone(), c.keys[0].new.clone().unwrap())
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(d.pack.len(), 1, "{:?}", d.pack);
    assert_eq!(
        (d.pack[0].key.as_str(), d.pack[0].new.clone()),
        ("version", Some(json!("2025.0.0")))
    );
    assert!(d.rules.is_empty() && d.decisions.is_empty() && d.tables.is_empty());
    check_against_oracle(&d, &old, &new, &docs);
    let apps = d.applications.as_ref().unwrap();
    // A 2024 submission is outside the 2025 window, and a 2024 due date is one year on.
    assert!(
        apps.changes
            .iter()
            .any(|c| c.fires.iter().any(|f| f.starts_with("XF-21"))),
        "{}",
        d.to_text()
    );
    assert!(apps.changes.iter().any(|c| c
        .due
        .iter()
        .any(|due| due.old.as_deref() == Some("2024-08-31")
            && due.new.as_deref() == Some("2025-08-31"))));
}

/// Every section on a pack changed item by item in memory.
#[test]
fn every_section_lists_what_was_added_removed_changed_or_moved() {
    let old = engine(&root().join("rules/nmec-2024"));
    let mut pack = old.pack().clone();
    // Rules: one re-wrapped (no change), one changed, one removed, one added.
    let rewrapped = pack.rules.iter().position(|r| r.check.is_some()).unwrap();
    let check = pack.rules[rewrapped].check.clone().unwrap().text;
    pack.rules[rewrapped].check = Some(Source::new(format!("\n  {}\n", check.replace(' ', "  "))));
    let changed_id = pack.rules[rewrapped + 1].id.clone();
    pack.rules[rewrapped + 1].message.en = Source::new("a new message");
    pack.rules[rewrapped + 1].confidence = baokao::model::Confidence::L;
    let removed = pack.rules.remove(rewrapped + 2);
    let mut added = pack.rules[0].clone();
    added.id = "ZZ-NEW".into();
    pack.rules.push(added);
    // A decision row changed and one added; a table row removed and one changed.
    let route = pack.decisions.iter().position(|d| d.route).unwrap();
    let mut row = pack.decisions[route].rows[1].clone();
    row.rule = Some("ZZ-ROW".into());
    pack.decisions[route].rows.insert(1, row);
    pack.decisions[route].rows[3].cite = Some("new cite".into());
    let (table, _) = pack
        .tables
        .iter()
        .find(|(_, t)| t.rows.len() > 2)
        .map(|(k, t)| (k.clone(), t.clone()))
        .unwrap();
    let gone = pack.tables.get_mut(&table).unwrap().rows.remove(0);
    let t = pack.tables.get_mut(&table).unwrap();
    let last = t.rows.len() - 1;
    if let Some(cell) = t.rows[last].get_mut(1) {
        *cell = json!("zz");
    }
    // A material moved to the end, a field's label changed, an omission removed.
    let first = pack.materials.remove(0);
    let moved_id = first.id.clone();
    pack.materials.push(first);
    pack.fields[0].label.zh = "新标签".into();
    let omission = pack.omissions.remove(0).id;
    // The notice: its title changed, its one line removed.
    let notice = pack.notice.as_mut().unwrap();
    notice.title.as_mut().unwrap().en = "A new title".into();
    let line = notice.line.remove(0).id;
    let new = Engine::from_pack(pack).unwrap();
    let d = diff::diff(&old, &new);

    let kinds = |list: &[diff::Change]| -> Vec<(ChangeKind, String)> {
        list.iter().map(|c| (c.change, c.id.clone())).collect()
    };
    assert_eq!(
        kinds(&d.rules),
        [
            (ChangeKind::Changed, changed_id.clone()),
            (ChangeKind::Removed, removed.id.clone()),
            (ChangeKind::Added, "ZZ-NEW".into())
        ]
    );
    let keys: Vec<&str> = d.rules[0].keys.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(
        keys,
        ["message.en", "confidence"],
        "in the order a rule declares them; re-wrapping an expression is no change"
    );
    let route_change = &d.decisions[0];
    assert_eq!(route_change.change, ChangeKind::Changed);
    let rows: Vec<(ChangeKind, Option<usize>, Option<usize>)> = route_change
        .rows
        .iter()
        .map(|r| (r.change, r.old_position, r.new_position))
        .collect();
    assert_eq!(
        rows,
        [
            (ChangeKind::Added, None, Some(2)),
            (ChangeKind::Changed, Some(3), Some(4))
        ]
    );
    assert_eq!(route_change.rows[0].id, "ZZ-ROW");
    assert_eq!(route_change.rows[1].keys[0].key, "cite");
    assert_eq!(d.tables.len(), 1);
    let table_rows: Vec<ChangeKind> = d.tables[0].rows.iter().map(|r| r.change).collect();
    assert!(
        table_rows.contains(&ChangeKind::Removed) && table_rows.contains(&ChangeKind::Changed),
        "{table_rows:?}"
    );
    assert!(d.tables[0]
        .rows
        .iter()
        .any(|r| r.change == ChangeKind::Removed && r.id == gone[0].as_str().unwrap()));
    assert_eq!(kinds(&d.materials), [(ChangeKind::Moved, moved_id)]);
    assert_eq!(d.fields.len(), 1);
    assert_eq!(d.fields[0].keys[0].key, "label.zh");
    assert_eq!(kinds(&d.omissions), [(ChangeKind::Removed, omission)]);
    assert_eq!(
        kinds(&d.notice),
        [
            (ChangeKind::Changed, "notice".into()),
            (ChangeKind::Removed, line)
        ]
    );
    assert_eq!(d.notice[0].keys[0].key, "title.en");
    assert!(d.params.is_empty() && d.pack.is_empty() && d.steps.is_empty());
    assert!(d.changed);
    let text = d.to_text();
    for line in [
        "  + ZZ-NEW",
        &format!("  - {}", removed.id),
        &format!("  ~ {changed_id}"),
        "      + ZZ-ROW (row 2)",
    ] {
        assert!(text.contains(line), "`{line}` in\n{text}");
    }
    // The JSON form round-trips.
    let back: PackDiff = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    assert_eq!(back, d);
    // A pack against itself: nothing.
    let same = diff::diff(&old, &old);
    assert!(!same.changed && !same.has_pack_changes());
}
