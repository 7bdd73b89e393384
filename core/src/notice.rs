//! The printable registration success notice (报名成功通知单): one self-contained A4 HTML page that
//! a candidate prints for on-site review, rendered from the same report every runtime computes.
//!
//! The page holds the candidate's data as the form captured it (masked fields masked), the exam, the
//! route in words, conditions with their due dates, restrictions, the questions for the reviewer, the
//! checklist of materials with tick boxes, the pack's notice lines (the on-site review window …) and
//! the pack that decided. It has print styles, no script and no external resource, and every piece of
//! text is HTML-escaped. An application that is invalid, ineligible or undetermined gets no notice:
//! [`ApplicationError::NoticeRefused`] says why.

use std::fmt::Write as _;

use crate::compile::Program;
use crate::error::ApplicationError;
use crate::pack::model::{FieldDef, Source};
use crate::report::{Finding, Lang, Outcome, Report};

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a report may be printed as a success notice: valid, and eligible, conditional or for
/// review (the exam area decides those at on-site review). Otherwise the refusal.
pub fn check_printable(report: &Report) -> Result<(), ApplicationError> {
    let outcome = report.eligibility.outcome;
    if report.valid
        && matches!(
            outcome,
            Outcome::Eligible | Outcome::Conditional | Outcome::NeedsReview
        )
    {
        return Ok(());
    }
    let mut reasons: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::pack::model::Severity::Error)
        .map(|d| d.rule.as_deref().unwrap_or(&d.code).to_owned())
        .collect();
    if matches!(outcome, Outcome::Ineligible | Outcome::Undetermined) {
        reasons.extend(
            report
                .eligibility
                .reasons
                .iter()
                .map(|f| f.rule.to_string()),
        );
    }
    reasons.dedup();
    Err(ApplicationError::NoticeRefused {
        valid: report.valid,
        outcome: outcome.as_str(),
        reasons: reasons.join(", "),
    })
}

struct Words {
    yes: &'static str,
    no: &'static str,
    candidate: &'static str,
    route: &'static str,
    outcome: &'static str,
    conditions: &'static str,
    due: &'static str,
    restrictions: &'static str,
    review: &'static str,
    materials: &'static str,
    materials_note: &'static str,
    verify: &'static str,
    decided_by: &'static str,
    footer: &'static str,
}

const ZH: Words = Words {
    yes: "是",
    no: "否",
    candidate: "网上报名信息",
    route: "报考途径",
    outcome: "资格初审结果",
    conditions: "须补交的材料及截止日期",
    due: "（截止日期：{}）",
    restrictions: "执业限制",
    review: "现场审核时须核定的事项",
    materials: "现场审核须携带的材料",
    materials_note: "请按清单逐项准备原件（及复印件），核对后在方框内打勾。",
    verify: "审核要点：{}",
    decided_by: "判定依据：",
    footer: "本通知单由规则包自动生成；网上报名信息以报名系统为准，资格以现场审核结果为准。",
};

const EN: Words = Words {
    yes: "yes",
    no: "no",
    candidate: "Registration data",
    route: "Route",
    outcome: "Eligibility (before on-site review)",
    conditions: "Still due, and by when",
    due: "(due {})",
    restrictions: "Practice restrictions",
    review: "For the reviewer to decide at on-site review",
    materials: "Bring to on-site review",
    materials_note: "Prepare each original (and a copy) and tick the box once checked.",
    verify: "Checked: {}",
    decided_by: "Decided by:",
    footer: "Generated from the rule pack; the registration system holds the authoritative data, and eligibility is confirmed at on-site review.",
};

fn outcome_words(lang: Lang, o: Outcome) -> &'static str {
    match (lang, o) {
        (Lang::Zh, Outcome::Eligible) => "符合报考条件",
        (Lang::Zh, Outcome::Conditional) => "有条件符合报考条件",
        (Lang::Zh, Outcome::NeedsReview) => "须现场审核确定",
        (Lang::Zh, Outcome::Ineligible) => "不符合报考条件",
        (Lang::Zh, Outcome::Undetermined) => "尚不能判断",
        (Lang::En, Outcome::Eligible) => "eligible",
        (Lang::En, Outcome::Conditional) => "eligible on conditions",
        (Lang::En, Outcome::NeedsReview) => "decided at on-site review",
        (Lang::En, Outcome::Ineligible) => "not eligible",
        (Lang::En, Outcome::Undetermined) => "not decided yet",
    }
}

/// A captured value as the form shows it: masked fields masked, booleans in words, codes of a table
/// with a `name` column with their name.
fn shown(
    program: &Program,
    f: &FieldDef<Source>,
    v: &serde_json::Value,
    w: &Words,
) -> Option<String> {
    use serde_json::Value as J;
    let text = match v {
        J::Bool(b) => (if *b { w.yes } else { w.no }).to_owned(),
        J::String(s) => s.clone(),
        J::Number(n) => n.to_string(),
        J::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("、"),
        J::Null | J::Object(_) => return None,
    };
    if f.mask.is_masked() {
        return Some(crate::mask::field_text(f.mask, &text).into_owned());
    }
    let named = f
        .enum_table
        .as_ref()
        .and_then(|t| program.pack.tables.get(t))
        .filter(|t| t.columns.get(1).is_some_and(|c| c == "name"))
        .and_then(|t| {
            t.rows
                .iter()
                .find(|r| r.first().and_then(|k| k.as_str()) == Some(text.as_str()))
                .and_then(|r| r.get(1))
                .and_then(|n| n.as_str())
        });
    Some(match named {
        Some(name) => format!("{name}（{text}）"),
        None => text,
    })
}

fn findings(s: &mut String, class: &str, title: &str, list: &[Finding], w: &Words) {
    if list.is_empty() {
        return;
    }
    let _ = write!(
        s,
        "<section class=\"{class}\"><h2>{}</h2><ul>",
        escape(title)
    );
    for f in list {
        let _ = write!(s, "<li>{}", escape(&f.message));
        if let Some(due) = &f.due {
            let _ = write!(s, " <strong>{}</strong>", escape(&w.due.replace("{}", due)));
        }
        if let Some(cite) = &f.cite {
            let _ = write!(s, "<span class=\"cite\">{}</span>", escape(cite));
        }
        s.push_str("</li>");
    }
    s.push_str("</ul></section>");
}

const STYLE: &str = "\
@page{size:A4;margin:14mm 15mm}\
*{box-sizing:border-box}\
body{margin:0;font:10.5pt/1.45 'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;color:#111}\
main{max-width:180mm;margin:0 auto;padding:6mm 0}\
h1{font-size:16pt;text-align:center;margin:0 0 1mm}\
.sub{text-align:center;color:#444;margin:0 0 4mm}\
h2{font-size:11.5pt;border-bottom:1px solid #999;margin:5mm 0 2mm;padding-bottom:1mm}\
table{width:100%;border-collapse:collapse}\
th,td{border:1px solid #bbb;padding:1.2mm 2mm;text-align:left;vertical-align:top}\
th{width:32%;background:#f3f3f3;font-weight:normal}\
.summary td{font-weight:bold}\
ul{margin:0;padding-left:5mm}\
li{margin:0 0 1.5mm}\
.cite{display:block;color:#555;font-size:8.5pt}\
.checklist{list-style:none;padding-left:0}\
.checklist li{padding-left:7mm;position:relative}\
.box{position:absolute;left:0;top:.3mm;width:4mm;height:4mm;border:1px solid #111}\
.verify{display:block;font-size:9pt;color:#333}\
footer{margin-top:6mm;border-top:1px solid #999;padding-top:2mm;font-size:8.5pt;color:#444}\
@media print{main{padding:0}section{break-inside:avoid}}";

/// Render the notice of a printable report (see [`check_printable`]). `lines` are the pack's notice
/// lines, already rendered: label and value.
pub fn render(
    program: &Program,
    application: &serde_json::Value,
    report: &Report,
    lines: &[(String, String)],
    lang: Lang,
) -> String {
    let w = match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    };
    let pack = &program.pack;
    let notice = program.notice.as_ref();
    let title: String = notice.and_then(|n| n.title.as_ref()).map_or_else(
        || lang.pick(&pack.pack.title).clone(),
        |t| lang.pick(t).clone(),
    );
    let mut s = String::with_capacity(16 * 1024);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        escape(&title)
    );
    let _ = write!(
        s,
        "<h1>{}</h1><p class=\"sub\">{}</p>",
        escape(&title),
        escape(lang.pick::<String>(&pack.pack.title))
    );

    // The decision first: what a candidate and a reviewer look for.
    let _ = write!(s, "<table class=\"summary\">");
    let _ = write!(
        s,
        "<tr><th>{}</th><td>{}</td></tr>",
        escape(w.outcome),
        escape(outcome_words(lang, report.eligibility.outcome))
    );
    if let Some(route) = report.eligibility.route_label.as_deref() {
        let _ = write!(
            s,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(w.route),
            escape(route)
        );
    }
    for (label, value) in lines {
        let _ = write!(
            s,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(label),
            escape(value)
        );
    }
    s.push_str("</table>");

    findings(
        &mut s,
        "conditions",
        w.conditions,
        &report.eligibility.conditions,
        w,
    );
    if report.eligibility.outcome == Outcome::NeedsReview {
        findings(&mut s, "reviews", w.review, &report.eligibility.reasons, w);
    }
    findings(
        &mut s,
        "restrictions",
        w.restrictions,
        &report.eligibility.restrictions,
        w,
    );

    if !report.materials.is_empty() {
        let _ = write!(
            s,
            "<section class=\"materials\"><h2>{}</h2><p>{}</p><ul class=\"checklist\">",
            escape(w.materials),
            escape(w.materials_note)
        );
        for m in &report.materials {
            let _ = write!(
                s,
                "<li data-material=\"{}\"><span class=\"box\"></span>{}",
                escape(&m.id),
                escape(&m.label)
            );
            if let Some(v) = &m.verify {
                let _ = write!(
                    s,
                    "<span class=\"verify\">{}</span>",
                    escape(&w.verify.replace("{}", v))
                );
            }
            let _ = write!(s, "<span class=\"cite\">{}</span></li>", escape(&m.cite));
        }
        s.push_str("</ul></section>");
    }

    // The data as the form captured it, step by step, in the order the pack declares the fields.
    let steps: &[std::sync::Arc<str>] = notice.map_or(&[], |n| &n.steps);
    let _ = write!(
        s,
        "<section class=\"candidate\"><h2>{}</h2>",
        escape(w.candidate)
    );
    for step_id in steps {
        let Some(step) = program.schema.steps.iter().find(|st| st.id == *step_id) else {
            continue;
        };
        let Some(values) = application.get(&**step_id).and_then(|v| v.as_object()) else {
            continue;
        };
        let prefix = format!("{step_id}.");
        let mut rows = String::new();
        for f in &pack.fields {
            let Some(key) = f.path.strip_prefix(&prefix) else {
                continue;
            };
            if key.contains("[]") {
                continue; // a field of records items: shown with its records field below
            }
            let value = values.get(key);
            if f.ty == crate::pack::model::FieldType::Records {
                let item_prefix = format!("{}[].", f.path);
                for (i, item) in value
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let parts: Vec<String> = pack
                        .fields
                        .iter()
                        .filter_map(|g| {
                            let sub = g.path.strip_prefix(&item_prefix)?;
                            let v = shown(program, g, item.get(sub)?, w)?;
                            Some(format!("{}：{v}", lang.pick::<String>(&g.label)))
                        })
                        .collect();
                    let _ = write!(
                        rows,
                        "<tr><th>{} {}</th><td>{}</td></tr>",
                        escape(lang.pick::<String>(&f.label)),
                        i + 1,
                        escape(&parts.join("；"))
                    );
                }
                continue;
            }
            let Some(v) = value.and_then(|v| shown(program, f, v, w)) else {
                continue;
            };
            let _ = write!(
                rows,
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(lang.pick::<String>(&f.label)),
                escape(&v)
            );
        }
        if !rows.is_empty() {
            let _ = write!(
                s,
                "<h3>{}</h3><table>{rows}</table>",
                escape(lang.pick::<String>(&step.title))
            );
        }
    }
    s.push_str("</section>");

    let _ = writeln!(
        s,
        "<footer><p>{}</p><p>{} {} {} · {}</p></footer></main></body></html>",
        escape(w.footer),
        escape(w.decided_by),
        escape(&report.pack.id),
        escape(&report.pack.version),
        escape(&report.pack.digest)
    );
    s
}
