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
            "| # | {} | Outcome | Message (zh) | Examples |",
            header.join(" | ")
        );
        let _ = writeln!(s, "|---|{}---|---|---|", "---|".repeat(header.len()));
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
                "| {} | {} | {} | {} | {} |",
                n + 1,
                cells.join(" | "),
                row_outcome(row),
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
                "| default | {} | {} | {} | {} |",
                vec!["–"; header.len()].join(" | "),
                row_outcome(row),
                row.message
                    .as_ref()
                    .map(|m| cell(&m.zh.text))
                    .unwrap_or_default(),
                examples_list((!ex.is_empty()).then_some(&ex))
            );
        }
    }

    let _ = writeln!(s, "\n## Rules\n");
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
            let _ = writeln!(s, "| Confidence | {:?} |", r.confidence);
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
