//! Every rule id of the requirements spec is accounted for by the 2024 pack and its overlays.
//!
//! `rules/nmec-2024/spec-rule-ids.txt` lists the ids (`R-…`, `XF-…`) defined in the spec's tables (the
//! spec itself is not in the repository; the file's header says how the list was extracted). Each id
//! must be implemented — a rule whose id is the spec id or the spec id with a suffix (`XF-12.a`), or
//! a decision row labelled with it (`rule = "R-LV-1"`) — or recorded as a deliberate `[[omission]]`
//! with its reason. An omission must not name an id the pack implements, and must name a spec id
//! (possibly with a suffix for the part left out), a spec section (`§a.3`) or an open question (`Q12`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use baokao::{Engine, Pack};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules")
}

/// What a spec rule is, from the second column of spec-rule-ids.txt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Conditions the right to sit the exam: every pack rule implementing it decides the outcome.
    Eligibility,
    /// Partly an eligibility condition, partly a form requirement.
    Mixed,
    /// A form requirement only.
    Form,
}

/// The spec's rule ids with their kind, from the committed list (comments and blank lines skipped).
fn spec_kinds() -> Vec<(String, Kind)> {
    let path = rules_dir().join("nmec-2024/spec-rule-ids.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, kind) = l
                .split_once(' ')
                .unwrap_or_else(|| panic!("spec-rule-ids.txt: `{l}` has no kind"));
            let kind = match kind.trim() {
                "eligibility" => Kind::Eligibility,
                "mixed" => Kind::Mixed,
                "form" => Kind::Form,
                other => panic!("spec-rule-ids.txt: `{id}` has an unknown kind `{other}`"),
            };
            // The rule: every R-… rule is a condition of eligibility.
            assert!(
                !id.starts_with("R-") || kind == Kind::Eligibility,
                "spec-rule-ids.txt: `{id}` is an R- rule, so it conditions eligibility"
            );
            (id.to_owned(), kind)
        })
        .collect()
}

/// The spec's rule ids, from the committed list.
fn spec_ids() -> Vec<String> {
    let ids: Vec<String> = spec_kinds().into_iter().map(|(id, _)| id).collect();
    for id in &ids {
        assert!(
            is_spec_id(id),
            "`{id}` in spec-rule-ids.txt is not a spec rule id"
        );
    }
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "spec-rule-ids.txt lists an id twice"
    );
    ids
}

/// `R-<LETTERS>-<digits>` or `XF-<digits>`.
fn is_spec_id(id: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(n) = id.strip_prefix("XF-") {
        return digits(n);
    }
    let Some(rest) = id.strip_prefix("R-") else {
        return false;
    };
    let Some((family, n)) = rest.split_once('-') else {
        return false;
    };
    !family.is_empty() && family.bytes().all(|b| b.is_ascii_uppercase()) && digits(n)
}

/// Does the pack id `have` implement the spec id `spec` (the same id, or the id with a `.suffix`)?
fn covers(have: &str, spec: &str) -> bool {
    have == spec
        || have
            .strip_prefix(spec)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Ids the pack implements: its rules and the rule labels of its decision rows.
fn implemented(pack: &Pack) -> Vec<String> {
    let mut ids: Vec<String> = pack.rules.iter().map(|r| r.id.clone()).collect();
    for d in &pack.decisions {
        ids.extend(
            d.rows
                .iter()
                .chain(d.default.iter())
                .filter_map(|row| row.rule.clone()),
        );
    }
    // A material of on-site review implements the paper-only part of the rule that calls for it
    // (R-TR-7: one practice-period certificate per institution, checked by the reviewer).
    ids.extend(pack.materials.iter().map(|m| m.rule.clone()));
    // Schema checks can implement a spec rule too (a step's shape, a field's own checks).
    ids.extend(pack.steps.iter().filter_map(|s| s.rule.clone()));
    ids.extend(pack.fields.iter().filter_map(|f| f.rule.clone()));
    ids
}

/// The national pack and every overlay directory `rules/nmec-2024-*`.
fn pack_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![rules_dir().join("nmec-2024")];
    let mut overlays: Vec<PathBuf> = std::fs::read_dir(rules_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("nmec-2024-"))
                && p.join("pack.toml").is_file()
        })
        .collect();
    overlays.sort();
    dirs.extend(overlays);
    dirs
}

fn check_pack(dir: &Path, spec: &[String]) {
    let engine =
        Engine::from_dir(dir).unwrap_or_else(|e| panic!("{} does not load: {e}", dir.display()));
    let pack = engine.pack();
    let implemented = implemented(pack);
    let omitted: Vec<&str> = pack.omissions.iter().map(|o| o.id.as_str()).collect();
    let name = &pack.pack.id;

    let missing: Vec<&String> = spec
        .iter()
        .filter(|id| {
            !implemented.iter().any(|have| covers(have, id))
                && !omitted.iter().any(|o| covers(o, id))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{name}: spec ids neither implemented nor recorded as [[omission]]: {missing:?}"
    );

    for o in &pack.omissions {
        let id = o.id.as_str();
        assert!(
            !o.reason.trim().is_empty(),
            "{name}: omission {id} gives no reason"
        );
        let base = id.split_once('.').map_or(id, |(b, _)| b);
        let well_formed = if base.starts_with('§') || base.starts_with('Q') {
            base.len() > 1
        } else {
            spec.iter().any(|s| s == base)
        };
        assert!(
            well_formed,
            "{name}: omission `{id}` names no spec rule id, section or question"
        );
        // A plain spec id must not be implemented at all; a suffixed part (`XF-02.county`) must not
        // be the id of a rule.
        let clash: Vec<&String> = if id.contains('.') {
            implemented.iter().filter(|have| *have == id).collect()
        } else {
            implemented.iter().filter(|have| covers(have, id)).collect()
        };
        assert!(
            clash.is_empty(),
            "{name}: omission `{id}` names what the pack implements: {clash:?}"
        );
    }

    let unique: BTreeSet<&str> = omitted.iter().copied().collect();
    assert_eq!(
        unique.len(),
        omitted.len(),
        "{name}: an omission is listed twice"
    );
}

#[test]
fn every_spec_rule_id_is_implemented_or_omitted() {
    let spec = spec_ids();
    assert!(
        spec.len() >= 70,
        "spec-rule-ids.txt looks truncated ({} ids)",
        spec.len()
    );
    for dir in pack_dirs() {
        check_pack(&dir, &spec);
    }
}

/// The base spec id of a pack id (`XF-14.a` → `XF-14`).
fn base_id(id: &str) -> &str {
    id.split_once('.').map_or(id, |(b, _)| b)
}

/// No rule that implements an eligibility requirement can leave a report `valid: false` with
/// outcome `eligible`: every pack rule whose spec rule conditions eligibility has an `effect` (it
/// decides the outcome), unless it is a reviewed `[[form_check]]` of a `mixed` or `eligibility`
/// spec rule; and every form check names a validation rule of the pack.
fn check_eligibility_rules_decide(dir: &Path, kinds: &[(String, Kind)]) {
    let engine =
        Engine::from_dir(dir).unwrap_or_else(|e| panic!("{} does not load: {e}", dir.display()));
    let pack = engine.pack();
    let name = &pack.pack.id;
    let kind_of = |id: &str| {
        kinds
            .iter()
            .find(|(k, _)| k == base_id(id))
            .map(|(_, kind)| *kind)
    };
    let reviewed: Vec<&str> = pack.form_checks.iter().map(|f| f.id.as_str()).collect();
    let mut offenders = Vec::new();
    for r in &pack.rules {
        let Some(kind) = kind_of(&r.id) else { continue };
        if r.severity.is_some() && kind != Kind::Form && !reviewed.contains(&r.id.as_str()) {
            offenders.push(r.id.clone());
        }
    }
    // Schema checks that carry a spec rule id are validation too.
    for f in &pack.fields {
        if let Some(id) = &f.rule {
            if kind_of(id).is_some_and(|k| k != Kind::Form) && !reviewed.contains(&id.as_str()) {
                offenders.push(format!("{id} (field {})", f.path));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "{name}: rules implementing an eligibility requirement with a severity instead of an effect \
         (give them an effect, or review them in form-checks.toml): {offenders:?}"
    );
    for f in &pack.form_checks {
        assert!(
            !f.reason.trim().is_empty(),
            "{name}: form check {} gives no reason",
            f.id
        );
        let rule = pack.rules.iter().find(|r| r.id == f.id);
        assert!(
            rule.is_some_and(|r| r.severity.is_some()),
            "{name}: form check `{}` names no validation rule of the pack",
            f.id
        );
        assert!(
            kind_of(&f.id).is_some_and(|k| k != Kind::Form),
            "{name}: form check `{}` is not part of an eligibility requirement: no review needed",
            f.id
        );
    }
}

#[test]
fn rules_implementing_eligibility_requirements_decide_the_outcome() {
    let kinds = spec_kinds();
    for dir in pack_dirs() {
        check_eligibility_rules_decide(&dir, &kinds);
    }
}

/// The check above can fail: a pack in which an eligibility requirement (R-TR-4, "must hold a trial
/// certificate from a military institution") is written as a form error is refused.
#[test]
fn a_severity_standing_in_for_an_eligibility_requirement_is_refused() {
    let dir = std::env::temp_dir().join(format!("baokao-severity-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nid = \"x\"\nversion = \"1\"\ntitle = { zh = \"x\", en = \"x\" }\n\n\
         [[step]]\nid = \"basic\"\ntitle = { zh = \"基本\", en = \"Basic\" }\n\n\
         [[field]]\npath = \"basic.military\"\ntype = \"bool\"\nlabel = { zh = \"军\", en = \"Military\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("rules/work.toml"),
        "[[rule]]\nid = \"R-TR-4.a\"\nsummary = \"military trial\"\nseverity = \"error\"\n\
         check = 'not basic.military'\nmessage = { zh = \"x\", en = \"x\" }\ncite = \"x\"\nconfidence = \"H\"\n",
    )
    .unwrap();
    let result = std::panic::catch_unwind(|| check_eligibility_rules_decide(&dir, &spec_kinds()));
    let _ = std::fs::remove_dir_all(&dir);
    let message = result
        .expect_err("a severity implementing R-TR-4 must be refused")
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_default();
    assert!(message.contains("R-TR-4.a"), "{message}");
}

#[test]
fn id_matching_is_exact_or_by_suffix() {
    assert!(covers("XF-12", "XF-12"));
    assert!(covers("XF-12.a", "XF-12"));
    assert!(!covers("XF-120", "XF-12"));
    assert!(!covers("XF-1", "XF-12"));
    assert!(is_spec_id("R-EDU-0"));
    assert!(is_spec_id("XF-24"));
    assert!(!is_spec_id("C4-PHOTO-SIZE"));
    assert!(!is_spec_id("R-LV-"));
}
