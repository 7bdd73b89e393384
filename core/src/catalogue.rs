//! The rule catalogue: a Markdown page generated from a pack, from which a reviewer at a provincial
//! office can audit the pack — every parameter, decision row and rule with its condition, messages,
//! citation, confidence and the examples that exercise it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::engine::Engine;
use crate::pack::model::{Cell, Effect, RowDef, Severity, Source};
use crate::testing::TestRun;

/// Escape text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("`{}`", cell(s).replace('`', "'"))
    }
}

fn opt(s: Option<&Source>) -> String {
    s.map_or_else(String::new, |s| code(&s.text))
}

fn effect_name(e: Effect) -> &'static str {
    match e {
        Effect::Ineligible => "ineligible",
        Effect::Conditional => "conditional",
        Effect::NeedsReview => "needs_review",
        Effect::Restriction => "restriction",
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn render_cell(c: &Cell) -> String {
    match c {
        Cell::Test { test } => code(test),
        Cell::Value(serde_json::Value::String(s)) if s == "-" => "–".into(),
        Cell::Value(serde_json::Value::String(s)) => cell(s),
        Cell::Value(serde_json::Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), ToOwned::to_owned))
            .collect::<Vec<_>>()
            .join(" / "),
        Cell::Value(v) => cell(&v.to_string()),
    }
}

/// The spec rule id a pack id implements: the id itself or its part before `.` when that is a spec
/// id (`R-TR-3.b` → `R-TR-3`, `XF-12.a` → `XF-12`); `None` for the pack's own ids (`C4-PHOTO-SIZE`).
pub fn spec_id(id: &str) -> Option<&str> {
    let base = id.split_once('.').map_or(id, |(b, _)| b);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = if let Some(n) = base.strip_prefix("XF-") {
        digits(n)
    } else if let Some(rest) = base.strip_prefix("R-") {
        rest.split_once('-').is_some_and(|(family, n)| {
            !family.is_empty() && family.bytes().all(|b| b.is_ascii_uppercase()) && digits(n)
        })
    } else {
        false
    };
    ok.then_some(base)
}

/// Whether an effect decides the eligibility outcome (a restriction only comes with it).
fn decides(e: Effect) -> bool {
    !matches!(e, Effect::Restriction)
}

fn row_outcome(r: &RowDef<Source>) -> String {
    let mut parts = Vec::new();
    if let Some(o) = &r.output {
        parts.push(format!("→ **{o}**"));
    }
    if let Some(e) = r.effect {
        parts.push(format!(
            "{} `{}`",
            effect_name(e),
            r.rule.as_deref().unwrap_or("")
        ));
    }
    if let Some(q) = &r.question {
        parts.push(format!("question {q}"));
    }
    parts.join("; ")
}

fn examples_list(names: Option<&Vec<String>>) -> String {
    match names {
        None => "—".into(),
        Some(v) if v.len() <= 4 => v.iter().map(|n| cell(n)).collect::<Vec<_>>().join("; "),
        Some(v) => format!(
            "{}; … ({} in all)",
            v.iter()
                .take(4)
                .map(|n| cell(n))
                .collect::<Vec<_>>()
                .join("; "),
            v.len()
        ),
    }
}

/// Render the catalogue of the engine's pack, with the examples of `run` (from
/// [`run_examples`](crate::testing::run_examples)).
pub fn render(engine: &Engine, run: &TestRun) -> String {
    let pack = engine.pack();
    let program = engine.program();
    let mut fired_in: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut passed_in: BTreeMap<String, usize> = BTreeMap::new();
    for r in &run.results {
        let Some(report) = &r.report else { continue };
        for id in report.fired() {
            fired_in.entry(id).or_default().push(r.name.clone());
        }
        for t in report.trace.iter().flatten() {
            if &*t.result == "passed" {
                *passed_in.entry(t.rule.to_string()).or_default() += 1;
            }
        }
    }
    let mut s = String::new();
    let m = &pack.pack;
    let _ = writeln!(s, "# Rule catalogue: {} {}\n", m.id, m.version);
    let _ = writeln!(s, "{} — {}\n", m.title.zh, m.title.en);
    let _ = writeln!(
        s,
        "Generated from the pack by `baokao doc` — do not edit by hand; `make test` checks it is up to date.\n\
         Digest `{}`. {} rules, {} decision tables, {} parameters, {} tables, {} examples ({} passing).\n",
        program.info.digest,
        pack.rules.len(),
        pack.decisions.len(),
        pack.params.len(),
        pack.tables.len(),
        run.results.len(),
        run.passed()
    );
    if !m.lineage.is_empty() {
        let _ = writeln!(s, "Extends: {}.\n", m.lineage.join(" → "));
    }
    if let Some(d) = &m.description {
        let _ = writeln!(s, "{d}\n");
    }
    let _ = writeln!(
        s,
        "Confidence: **H** official text or several independent mirrors agree; **M** one reputable secondary source; \
         **L** inferred or a single weak source. Examples are the pack's own test applications.\n"
    );

    let _ = writeln!(s, "## Parameters\n\n| Name | Type | Value | Meaning | Source | Conf. |\n|---|---|---|---|---|---|");
    for (name, p) in &pack.params {
        let _ = writeln!(
            s,
            "| `{name}` | {:?} | `{}` | {} | {} | {} |",
            p.ty,
            cell(&p.value.to_string()),
            cell(p.doc.as_deref().unwrap_or("")),
            cell(p.cite.as_deref().unwrap_or("")),
            p.confidence.map_or(String::new(), |c| format!("{c:?}"))
        );
    }

    for d in &pack.decisions {
        let _ = writeln!(s, "\n## Decision `{}` — {}\n", d.id, cell(&d.summary));
        let _ = writeln!(
            s,
            "Hit policy **{}**{}. Cite: {} (confidence {:?}).{}\n",
            match d.hit {
                crate::pack::model::HitPolicy::First => "first",
                crate::pack::model::HitPolicy::Collect => "collect",
            },
            if d.route {
                ", sets the eligibility route"
            } else {
                ""
            },
            cell(&d.cite),
            d.confidence,
            d.when
                .as_ref()
                .map(|w| format!(" Applies when {}.", code(&w.text)))
                .unwrap_or_default()
        );
        let header: Vec<String> = d.inputs.iter().map(|i| code(&i.text)).collect();
        let _ = writeln!(
            s,
            "| # | {} | Outcome | Label (zh) | Message (zh) | Examples |",
            header.join(" | ")
        );
        let _ = writeln!(s, "|---|{}---|---|---|---|", "---|".repeat(header.len()));
        let hits = |key: &str| {
            run.results
                .iter()
                .filter(|r| {
                    r.report.as_ref().is_some_and(|rep| {
                        rep.trace.iter().flatten().any(|t| {
                            *t.rule == d.id
                                && (t.row.map(|n| format!("{}#{n}", d.id)).as_deref() == Some(key)
                                    || (t.result.as_ref() == "no_hit" && key.ends_with("#default")))
                        })
                    })
                })
                .map(|r| r.name.clone())
                .collect::<Vec<_>>()
        };
        for (n, row) in d.rows.iter().enumerate() {
            let cells: Vec<String> = row.when.iter().map(render_cell).collect();
            let ex = hits(&format!("{}#{}", d.id, n + 1));
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                n + 1,
                cells.join(" | "),
                row_outcome(row),
                row.label.as_ref().map(|l| cell(&l.zh)).unwrap_or_default(),
                row.message
                    .as_ref()
                    .map(|m| cell(&m.zh.text))
                    .unwrap_or_default(),
                examples_list((!ex.is_empty()).then_some(&ex))
            );
        }
        if let Some(row) = &d.default {
            let ex = hits(&format!("{}#default", d.id));
            let _ = writeln!(
                s,
                "| default | {} | {} | {} | {} | {} |",
                vec!["–"; header.len()].join(" | "),
                row_outcome(row),
                row.label.as_ref().map(|l| cell(&l.zh)).unwrap_or_default(),
                row.message
                    .as_ref()
                    .map(|m| cell(&m.zh.text))
                    .unwrap_or_default(),
                examples_list((!ex.is_empty()).then_some(&ex))
            );
        }
    }

    let _ = writeln!(s, "\n## Rules\n");
    let _ = writeln!(
        s,
        "Every rule and every decision row with an effect, in pack order. *Decides eligibility*: the rule's \
         effect sets the outcome (`ineligible`, `needs_review`, `conditional`); a validation rule (a severity) \
         never does — where one implements part of a spec rule that conditions eligibility it is listed under \
         \"Form checks of eligibility requirements\" with the reason.\n"
    );
    let _ = writeln!(
        s,
        "| Rule | Spec rule | Conf. | Severity / effect | Decides eligibility | Summary |\n|---|---|---|---|---|---|"
    );
    for r in &pack.rules {
        let (kind, decides_it) = match (r.severity, r.effect) {
            (Some(sev), _) => (severity_name(sev).to_owned(), "no"),
            (_, Some(e)) => (
                effect_name(e).to_owned(),
                if decides(e) {
                    "yes"
                } else {
                    "no (restriction)"
                },
            ),
            _ => (String::new(), "no"),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {:?} | {kind} | {decides_it} | {} |",
            r.id,
            spec_id(&r.id).unwrap_or("—"),
            r.confidence,
            cell(&r.summary)
        );
    }
    for d in &pack.decisions {
        for row in d.rows.iter().chain(d.default.iter()) {
            let (Some(e), Some(id)) = (row.effect, row.rule.as_deref()) else {
                continue;
            };
            let _ = writeln!(
                s,
                "| {id} | {} | {:?} | {} (decision `{}`) | {} | a row of decision `{}` |",
                spec_id(id).unwrap_or("—"),
                d.confidence,
                effect_name(e),
                d.id,
                if decides(e) {
                    "yes"
                } else {
                    "no (restriction)"
                },
                d.id
            );
        }
    }
    s.push('\n');
    for step in &program.schema.steps {
        let rules: Vec<_> = program
            .rules
            .iter()
            .zip(&pack.rules)
            .filter(|(c, _)| {
                program
                    .schema
                    .steps
                    .get(c.step as usize)
                    .is_some_and(|st| st.id == step.id)
            })
            .collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "### Step `{}` — {} / {}\n",
            step.id, step.title.zh, step.title.en
        );
        for (c, r) in rules {
            let kind = match (r.severity, r.effect) {
                (Some(sev), _) => format!("validation, {}", severity_name(sev)),
                (_, Some(e)) => format!("eligibility, {}", effect_name(e)),
                _ => String::new(),
            };
            let _ = writeln!(s, "#### {} — {}\n", r.id, cell(&r.summary));
            let _ = writeln!(s, "| | |\n|---|---|");
            let _ = writeln!(
                s,
                "| Kind | {kind}; code `{}`; field `{}` |",
                c.code, c.path
            );
            if r.when.is_some() {
                let _ = writeln!(s, "| When | {} |", opt(r.when.as_ref()));
            }
            if r.check.is_some() {
                let _ = writeln!(s, "| Check | {} |", opt(r.check.as_ref()));
            }
            if r.due.is_some() {
                let _ = writeln!(s, "| Due | {} |", opt(r.due.as_ref()));
            }
            if let Some(q) = &r.question {
                let _ = writeln!(s, "| Open question | {q} |");
            }
            let _ = writeln!(s, "| Message (zh) | {} |", cell(&r.message.zh.text));
            let _ = writeln!(s, "| Message (en) | {} |", cell(&r.message.en.text));
            let _ = writeln!(s, "| Cite | {} |", cell(&r.cite));
            let _ = writeln!(
                s,
                "| Spec rule | {} |",
                spec_id(&r.id).unwrap_or("— (a check of the pack's own, see its cite)")
            );
            let _ = writeln!(s, "| Confidence | {:?} |", r.confidence);
            let _ = writeln!(
                s,
                "| Decides eligibility | {} |",
                match r.effect {
                    Some(e) if decides(e) => "yes",
                    Some(_) => "no (a restriction)",
                    None if pack.form_checks.iter().any(|f| f.id == r.id) => {
                        "no — a reviewed form check of an eligibility requirement (see below)"
                    }
                    None => "no (a form check)",
                }
            );
            let _ = writeln!(s, "| Fires in | {} |", examples_list(fired_in.get(&r.id)));
            let _ = writeln!(
                s,
                "| Passes in | {} example(s) |\n",
                passed_in.get(&r.id).copied().unwrap_or(0)
            );
        }
    }

    if !pack.omissions.is_empty() {
        let _ = writeln!(
            s,
            "## Deliberate omissions\n\n| Spec rule | Why it is not in the pack |\n|---|---|"
        );
        for o in &pack.omissions {
            let _ = writeln!(s, "| {} | {} |", o.id, cell(&o.reason));
        }
        s.push('\n');
    }

    if !pack.materials.is_empty() {
        let mut listed_in: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &run.results {
            for m in r.report.iter().flat_map(|rep| &rep.materials) {
                *listed_in.entry(&m.id).or_default() += 1;
            }
        }
        let _ = writeln!(
            s,
            "## Materials of on-site review\n\nWhat a candidate brings to 现场审核, when it applies and the rule or \
             route that calls for it; *Verify* is what the reviewer checks on paper (evidence the form cannot show).\n\n\
             | Material | Label (zh) | When | Called for by | Verify (zh) | Source | Conf. | Listed in |\n|---|---|---|---|---|---|---|---|"
        );
        for m in &pack.materials {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {} | {} | {:?} | {} example(s) |",
                m.id,
                cell(&m.label.zh.text),
                m.when
                    .as_ref()
                    .map_or_else(|| "always".to_owned(), |w| code(&w.text)),
                cell(&m.rule),
                m.verify
                    .as_ref()
                    .map(|v| cell(&v.zh.text))
                    .unwrap_or_default(),
                cell(&m.cite),
                m.confidence,
                listed_in.get(m.id.as_str()).copied().unwrap_or(0)
            );
        }
        s.push('\n');
    }

    if let Some(n) = &pack.notice {
        let _ = writeln!(
            s,
            "## Success notice\n\nTitle: {}. Steps shown: {}.\n\n| Line | Label (zh) | Value (zh) | Source |\n|---|---|---|---|",
            n.title.as_ref().map_or_else(|| "the pack's title".to_owned(), |t| cell(&t.zh)),
            n.steps.as_ref().map_or_else(|| "none".to_owned(), |st| st.join(", "))
        );
        for line in &n.line {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} |",
                line.id,
                cell(&line.label.zh),
                cell(&line.value.zh.text),
                cell(line.cite.as_deref().unwrap_or(""))
            );
        }
        s.push('\n');
    }

    if !pack.form_checks.is_empty() {
        let _ = writeln!(
            s,
            "## Form checks of eligibility requirements\n\nRules that implement part of a spec rule that \
             conditions eligibility, yet are form checks (a severity, which never sets the outcome), each with \
             the reason it is right and the rule that decides the eligibility side.\n\n| Rule | Why a form check |\n|---|---|"
        );
        for f in &pack.form_checks {
            let _ = writeln!(s, "| {} | {} |", f.id, cell(&f.reason));
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## Tables\n");
    for (id, t) in &pack.tables {
        let _ = writeln!(s, "### `{id}`\n");
        if let Some(d) = &t.doc {
            let _ = writeln!(s, "{}\n", d.trim());
        }
        if let Some(c) = &t.cite {
            let _ = writeln!(s, "Source: {}\n", c.trim());
        }
        let _ = writeln!(
            s,
            "| {} |\n|{}",
            t.columns.join(" | "),
            "---|".repeat(t.columns.len())
        );
        for row in &t.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|v| cell(v.as_str().map_or(&v.to_string(), |x| x)))
                .collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
        s.push('\n');
    }
    s
}
