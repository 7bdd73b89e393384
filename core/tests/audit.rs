//! `docs/audit-nmec-2024.md` — the rule-by-rule audit of the 2024 pack against its spec — stays true:
//! every rule and every decision row with an effect is in its table exactly once, the *After* column is
//! what the pack says today (the rule's severity or effect), and the example named as proof exists and
//! makes the rule fire.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use baokao::model::{Effect, Severity};
use baokao::{testing, Engine};

/// The cells of each row of the audit table (seven columns; the header and the rule line skipped).
fn table_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter_map(|line| {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split(" | ")
            .map(str::trim)
            .collect();
        (cells.len() == 7 && cells[0] != "Rule" && !cells[0].starts_with("---")).then_some(cells)
    })
}

/// One row of the audit table: rule id → (after, example).
fn audit_rows() -> BTreeMap<String, (String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/audit-nmec-2024.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut rows = BTreeMap::new();
    for cells in table_rows(&text) {
        let previous = rows.insert(
            cells[0].to_owned(),
            (cells[3].to_owned(), cells[6].to_owned()),
        );
        assert!(previous.is_none(), "{} is in the audit twice", cells[0]);
    }
    rows
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn effect_name(e: Effect) -> &'static str {
    match e {
        Effect::Ineligible => "ineligible",
        Effect::Conditional => "conditional",
        Effect::NeedsReview => "needs_review",
        Effect::Restriction => "restriction",
    }
}

#[test]
fn the_audit_covers_every_rule_with_its_current_effect_and_a_proving_example() {
    let engine =
        Engine::from_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/nmec-2024")).unwrap();
    let pack = engine.pack();
    // What the pack says of each rule and effect row today.
    let mut actual: BTreeMap<String, &'static str> = BTreeMap::new();
    for r in &pack.rules {
        let kind = match (r.severity, r.effect) {
            (Some(s), _) => severity_name(s),
            (_, Some(e)) => effect_name(e),
            _ => "",
        };
        actual.insert(r.id.clone(), kind);
    }
    for d in &pack.decisions {
        for row in d.rows.iter().chain(d.default.iter()) {
            if let (Some(e), Some(id)) = (row.effect, &row.rule) {
                actual.entry(id.clone()).or_insert(effect_name(e));
            }
        }
    }
    let rows = audit_rows();
    let in_pack: BTreeSet<&String> = actual.keys().collect();
    let audited: BTreeSet<&String> = rows.keys().collect();
    assert_eq!(
        in_pack.difference(&audited).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "rules of the pack missing from docs/audit-nmec-2024.md"
    );
    assert_eq!(
        audited.difference(&in_pack).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "rules in docs/audit-nmec-2024.md that the pack does not have"
    );
    // Which rules each example fires.
    let run = testing::run_examples(&engine);
    let fired: BTreeMap<&str, Vec<String>> = run
        .results
        .iter()
        .filter_map(|r| r.report.as_ref().map(|rep| (r.name.as_str(), rep.fired())))
        .collect();
    for (id, (after, example)) in &rows {
        assert_eq!(
            after.as_str(),
            actual[id],
            "audit says {id} is `{after}`, the pack says `{}`",
            actual[id]
        );
        let fires = fired.get(example.as_str()).unwrap_or_else(|| {
            panic!("{id}: the audit's example `{example}` is not an example of the pack")
        });
        assert!(
            fires.contains(id),
            "{id}: the audit's example `{example}` does not fire it (fires {fires:?})"
        );
    }
}

/// The counts in the audit's introduction are the table's: a figure nobody recounts drifts.
#[test]
fn the_audits_counts_are_the_tables() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/audit-nmec-2024.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut changes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reviewed = 0;
    for cells in table_rows(&text) {
        reviewed += 1;
        let kind = match cells[4] {
            "—" => "unchanged",
            "logic" => "logic",
            "new" => "new",
            c if c.contains('→') => "kind",
            other => panic!("{}: unknown change `{other}`", cells[0]),
        };
        *changes.entry(kind).or_default() += 1;
    }
    // The number after a phrase of the introduction, bold (`**17**`) or not.
    let after = |phrase: &str| -> usize {
        let at = text
            .find(phrase)
            .unwrap_or_else(|| panic!("the introduction says `{phrase}`"));
        text[at + phrase.len()..]
            .trim_start_matches([' ', '*'])
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a number after `{phrase}`"))
    };
    assert_eq!(after("Reviewed:"), reviewed, "reviewed");
    assert_eq!(after("Changed kind:"), changes["kind"], "changed kind");
    assert_eq!(
        after("Changed logic, same kind:"),
        changes["logic"],
        "changed logic"
    );
    assert_eq!(after("New:"), changes["new"], "new");
    assert_eq!(
        after("Unchanged: the remaining"),
        changes["unchanged"],
        "unchanged"
    );
}
