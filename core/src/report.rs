//! The report: the one contract shared by the Rust API, the CLI, Python and WebAssembly.
//!
//! Its JSON form is documented field by field in `docs/report.md`. Everything here is plain data;
//! bindings serialise it and never compute any of it themselves.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::pack::model::{Localized, Severity};
use crate::schema::Detail;

/// Language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Simplified Chinese (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// What [`Lang::parse`] accepts, for error messages: `unknown language `fr`: {EXPECTED}`.
    pub const EXPECTED: &'static str =
        "give a language tag starting with zh or en (zh, zh-CN, en, en-US …)";

    /// Parse a language tag: a BCP 47 tag whose primary language subtag is `zh` or `en`, in any
    /// case (`zh`, `ZH`, `zh-CN`, `zh-Hans-CN`, `en`, `en-US`, `EN-gb`), also with `_` between
    /// subtags as POSIX locales write them (`zh_CN`). Any other language, an empty subtag or one
    /// longer than 8 letters and digits is `None`. Every `zh` tag gets the Simplified Chinese
    /// messages the packs are written in.
    pub fn parse(s: &str) -> Option<Lang> {
        let mut subtags = s.split(['-', '_']);
        let primary = subtags.next()?;
        let well_formed =
            |t: &str| (1..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric());
        if !subtags.all(well_formed) {
            return None;
        }
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::Zh)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The primary language subtag: `zh` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Pick the text of this language.
    pub fn pick<T>(self, l: &Localized<T>) -> &T {
        match self {
            Lang::Zh => &l.zh,
            Lang::En => &l.en,
        }
    }
}

/// Which pack produced a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackInfo {
    /// Pack id.
    pub id: Arc<str>,
    /// Pack version.
    pub version: Arc<str>,
    /// `sha256:` digest of the bundle form of the pack.
    pub digest: Arc<str>,
}

/// One problem found in the application's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable `snake_case` code (`required_missing`, or the rule's own code).
    pub code: Arc<str>,
    /// Rule id (spec ids such as `XF-01` where the rule comes from the spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Arc<str>>,
    /// JSON pointer of the field (`/basic/id_number`).
    pub path: String,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// Form step the diagnostic belongs to; `None` (no `step` member in JSON) for a diagnostic of
    /// the whole document (an unknown top-level key, the count of unknown keys not listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Arc<str>>,
    /// Message in the requested language; never contains a full ID number.
    pub message: String,
    /// The regulation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<Arc<str>>,
}

/// The eligibility outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// May sit the exam.
    Eligible,
    /// May sit the exam once the `conditions` are met by their dates.
    Conditional,
    /// May not: see `reasons`.
    Ineligible,
    /// A reviewer must decide: `reasons` name the open questions.
    NeedsReview,
    /// Not enough information yet (a partial application, or a step-wise check).
    Undetermined,
}

impl Outcome {
    /// The `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Eligible => "eligible",
            Outcome::Conditional => "conditional",
            Outcome::Ineligible => "ineligible",
            Outcome::NeedsReview => "needs_review",
            Outcome::Undetermined => "undetermined",
        }
    }
}

/// A reason, condition or restriction of the eligibility decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id.
    pub rule: Arc<str>,
    /// Stable code.
    pub code: Arc<str>,
    /// Message in the requested language.
    pub message: String,
    /// The regulation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<Arc<str>>,
    /// Field most concerned, as a JSON pointer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// For conditions: the date by which it must be met (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// For reviews: the open question of the spec (`Q5`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Arc<str>>,
}

/// The eligibility decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// The outcome.
    pub outcome: Outcome,
    /// The statutory route that applies (`R-LV-1`), when one does.
    pub route: Option<Arc<str>>,
    /// The route in words, in the requested language (from the route table's row), for people.
    pub route_label: Option<Arc<str>>,
    /// What must still be supplied, and by when.
    pub conditions: Vec<Finding>,
    /// Practice restrictions that come with the qualification.
    pub restrictions: Vec<Finding>,
    /// Why not eligible, what needs review, or what is missing to decide — every reason, not the first.
    pub reasons: Vec<Finding>,
}

/// A document to bring to on-site review (现场审核), from the pack's `[[material]]` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Stable id (`trial-pass-certificate`).
    pub id: Arc<str>,
    /// What to bring, in the requested language.
    pub label: String,
    /// The rule or route that calls for it (`R-TR-2`, `R-LV-7`).
    pub rule: Arc<str>,
    /// For evidence only paper can show: what the reviewer verifies on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
    /// The regulation or practice that asks for it.
    pub cite: Arc<str>,
}

/// One evaluated rule or decision in an `explain` trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// Rule or decision id.
    pub rule: Arc<str>,
    /// `passed`, `fired`, `not_applicable` or `undetermined` (decisions: `hit`, `no_hit`, `undetermined`).
    pub result: Arc<str>,
    /// Row number (1-based) for decisions that hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// Each traced sub-expression with the value it had, in evaluation order.
    pub values: Vec<TraceValue>,
}

/// A sub-expression and its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceValue {
    /// The expression text.
    pub expr: String,
    /// Its value (`null` for unknown).
    pub value: serde_json::Value,
}

/// The result of validating an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The pack that judged.
    pub pack: PackInfo,
    /// No error-severity diagnostic.
    pub valid: bool,
    /// The step judged, for step-wise validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Arc<str>>,
    /// Problems in the data, in form order.
    pub diagnostics: Vec<Diagnostic>,
    /// The eligibility decision.
    pub eligibility: Eligibility,
    /// What to bring to on-site review, in checklist order (full validation only; empty for a
    /// step-wise check).
    #[serde(default)]
    pub materials: Vec<Material>,
    /// The explain trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceEntry>>,
}

impl Report {
    /// Valid and eligible, with nothing left to do: the CLI's exit 0. Restrictions allowed; a
    /// `conditional` candidate is not ok yet (something is still due by a date), nor is any other
    /// outcome.
    pub fn is_ok(&self) -> bool {
        self.valid && self.eligibility.outcome == Outcome::Eligible
    }

    /// Ids (or codes, for schema diagnostics without a rule) of everything that fired, sorted
    /// and de-duplicated: what pack examples compare against `expect.fired`.
    pub fn fired(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .diagnostics
            .iter()
            .map(|d| d.rule.as_deref().unwrap_or(&d.code).to_owned())
            .chain(
                [
                    &self.eligibility.conditions,
                    &self.eligibility.restrictions,
                    &self.eligibility.reasons,
                ]
                .into_iter()
                .flatten()
                .filter(|f| &*f.code != "undetermined")
                .map(|f| f.rule.to_string()),
            )
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Render for a terminal: one line per diagnostic and finding.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} · {} · {}{}",
            if self.valid { "valid" } else { "invalid" },
            self.eligibility.outcome.as_str(),
            self.eligibility.route.as_deref().unwrap_or("no route"),
            self.step
                .as_deref()
                .map(|st| format!(" · step {st}"))
                .unwrap_or_default()
        );
        for d in &self.diagnostics {
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let _ = writeln!(
                s,
                "  {sev:<7} {:<10} {} {}",
                d.rule.as_deref().unwrap_or(&d.code),
                d.path,
                d.message
            );
        }
        for (label, list) in [
            ("reason", &self.eligibility.reasons),
            ("condition", &self.eligibility.conditions),
            ("restrict", &self.eligibility.restrictions),
        ] {
            for f in list {
                let due = f
                    .due
                    .as_deref()
                    .map(|d| format!(" (by {d})"))
                    .unwrap_or_default();
                let _ = writeln!(s, "  {label:<9} {:<10} {}{due}", f.rule, f.message);
            }
        }
        s
    }
}

/// The message of a schema diagnostic, from the built-in catalogue.
pub fn schema_message(
    lang: Lang,
    code: &str,
    label: &Localized<String>,
    detail: &Detail<'_>,
) -> String {
    let name = lang.pick(label);
    let d = match detail {
        Detail::None => String::new(),
        Detail::Expected(s) | Detail::Path(s) => (*s).to_owned(),
        Detail::Value(s) | Detail::Bound(s) => s.clone(),
    };
    match (lang, code) {
        (Lang::Zh, "required_missing") => format!("请填写{name}"),
        (Lang::En, "required_missing") => format!("{name} is required"),
        (Lang::Zh, "type_mismatch") => format!("{name}的类型应为 {d}"),
        (Lang::En, "type_mismatch") => format!("{name} must be of type {d}"),
        (Lang::Zh, "invalid_date") => format!("{name}的日期格式应为 {d}"),
        (Lang::En, "invalid_date") => format!("{name} must be a date in the form {d}"),
        (Lang::Zh, "enum_mismatch") => format!("{name}「{d}」不是可选的值"),
        (Lang::En, "enum_mismatch") => format!("`{d}` is not an allowed value of {name}"),
        (Lang::Zh, "pattern_mismatch") => format!("{name}「{d}」格式不正确"),
        (Lang::En, "pattern_mismatch") => format!("{name} `{d}` is not in the required format"),
        (Lang::Zh, "too_short") => format!("{name}不能少于 {d} 个字符"),
        (Lang::En, "too_short") => format!("{name} must have at least {d} characters"),
        (Lang::Zh, "too_long") => format!("{name}不能超过 {d} 个字符"),
        (Lang::En, "too_long") => format!("{name} must have at most {d} characters"),
        (Lang::Zh, "out_of_range") => format!("{name}应 {d}"),
        (Lang::En, "out_of_range") => format!("{name} must be {d}"),
        (Lang::Zh, "too_many_items") => format!("{name}最多 {d} 项"),
        (Lang::Zh, "too_few_items") => format!("{name}至少 {d} 项"),
        (Lang::En, "too_few_items") => format!("{name} needs at least {d} items"),
        (Lang::En, "too_many_items") => format!("{name} has more than {d} items"),
        (Lang::Zh, "unknown_field") => format!("未知字段 {d}，已忽略"),
        (Lang::En, "unknown_field") => format!("unknown field `{d}` was ignored"),
        (Lang::Zh, "unknown_fields_omitted") => format!("另有 {d} 个未知字段未逐一列出，均已忽略"),
        (Lang::En, "unknown_fields_omitted") => {
            format!("{d} more unknown fields were ignored and are not listed")
        }
        (Lang::Zh, "pending_step") => format!("尚不能判断：报考资格还取决于尚未判断的步骤{d}"),
        (Lang::En, "pending_step") => {
            format!("cannot decide yet: eligibility also depends on step {d}, not judged yet")
        }
        (Lang::Zh, "undetermined") => format!("缺少判断所需的信息：{d}"),
        (Lang::En, "undetermined") => format!("cannot decide yet; missing: {d}"),
        (Lang::Zh, "undetermined_input") => "尚不能判断：所依据的前序判断或计算结果尚未确定".to_owned(),
        (Lang::En, "undetermined_input") => {
            "cannot decide yet: a value it depends on (an earlier decision or a computed value) is undetermined".to_owned()
        }
        (_, other) => format!("{name}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn language_tags_are_read_by_their_primary_subtag() {
        for tag in [
            "zh",
            "ZH",
            "Zh",
            "zh-CN",
            "zh-cn",
            "zh_CN",
            "zh-Hans",
            "zh-Hans-CN",
            "zh-TW",
        ] {
            assert_eq!(Lang::parse(tag), Some(Lang::Zh), "{tag}");
        }
        for tag in ["en", "EN", "en-US", "en-us", "en_GB", "en-GB", "en-Latn-US"] {
            assert_eq!(Lang::parse(tag), Some(Lang::En), "{tag}");
        }
        for tag in [
            "",
            "fr",
            "fr-FR",
            "zho",
            "eng",
            "english",
            "chinese",
            "zh-",
            "en--US",
            "-en",
            "en-toolongsubtag",
            "en US",
            "zh-C N",
            "e",
            "z",
        ] {
            assert_eq!(Lang::parse(tag), None, "{tag:?}");
        }
    }
}
