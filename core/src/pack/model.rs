//! The serde model of a rule pack.
//!
//! A pack directory is a set of TOML files (see `docs/pack-format.md`); each file may hold any of the
//! sections below. Loading merges them (and the packs they extend) into one [`Pack`], which is also
//! exactly what a bundle stores as JSON. The model is generic over the type of expression text `E`:
//! TOML files are read with `toml::Spanned<String>` so errors can name a line and column, and the
//! merged pack holds [`Source`], which remembers that location but serialises as a plain string.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a piece of pack text came from: file (relative to the pack root), 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loc {
    /// File path relative to the pack directory, or `bundle` for a bundle.
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            f.write_str(&self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// A string of pack source (an expression, a pattern, a message template) with its location.
///
/// Serialises as the bare string, so a bundle stays a plain document; a bundle-loaded `Source`
/// has no location and errors point at the rule id instead.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    /// The text as written.
    pub text: String,
    /// Where the text starts (the first character inside the quotes), when known.
    pub loc: Option<Loc>,
}

impl Source {
    /// A source string with no known location.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            loc: None,
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Source::new)
    }
}

/// Text in the two languages every message is written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Localized<E> {
    /// Simplified Chinese, the default language.
    pub zh: E,
    /// English.
    pub en: E,
}

/// Confidence the spec gives a rule or parameter: H official, M one good source, L inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidence {
    /// Official text, or several independent mirrors agree.
    H,
    /// One reputable secondary source.
    M,
    /// Inferred or a single weak source.
    L,
}

/// `[pack]`: identity and inheritance; only in `pack.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    /// Stable id, e.g. `nmec-2024` or `nmec-2024-hunan`.
    pub id: String,
    /// Version of this pack's content, e.g. `2024.1.0`.
    pub version: String,
    /// Human title.
    pub title: Localized<String>,
    /// Path of the pack this one extends (relative to this pack's directory); resolved at load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Inherit the base pack's examples (with their resolved documents). An example of this pack
    /// with the name of an inherited one replaces it; without `application` or `base` it keeps the
    /// inherited document and restates the expectation — how an overlay says "this outcome changes
    /// here, on purpose".
    #[serde(default, skip_serializing_if = "is_false")]
    pub inherit_examples: bool,
    /// Ids of inherited rules and decisions this pack switches off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<String>,
    /// Free text for reviewers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Ids of the packs merged into this one, base first (filled in by the loader).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lineage: Vec<String>,
}

/// The scalar types of fields, parameters and expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// `true` / `false`.
    Bool,
    /// A whole number (JSON integer).
    Int,
    /// Any JSON number.
    Number,
    /// A string.
    Text,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// A year and month `YYYY-MM`, as the registration form writes education and work dates.
    Month,
    /// A calendar date `YYYY-MM-DD`, or only its year and month `YYYY-MM`, where a day can decide a
    /// cutoff but the form asks only for the month (a trial start, a certificate's registration).
    #[serde(rename = "date_or_month")]
    DateOrMonth,
    /// An RFC 3339 timestamp with offset, e.g. `2024-01-22T09:30:00+08:00`.
    Datetime,
    /// A list of scalars (the item type is `items`).
    List,
    /// A list of records; its item fields are declared as `path[].name`.
    Records,
}

/// A pack parameter as stored in a merged pack and a bundle: a typed value with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamDef {
    /// The value's type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Item type when `type = "list"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<FieldType>,
    /// The value in its JSON form (dates as strings).
    pub value: serde_json::Value,
    /// What the parameter means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Where the value comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    /// How sure the source is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
}

/// `[[step]]`: one step of the registration form, in form order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    /// The application's top-level key for this step, e.g. `basic`.
    pub id: String,
    /// Title shown to candidates.
    pub title: Localized<String>,
    /// Spec rule the step's own shape check implements (e.g. `XF-09`: education is one record, so
    /// an array there is reported with this rule id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Citation for the step's shape check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    /// Help shown to candidates at the top of the step (the candidate notice, the registration
    /// window …). A template: `{$param}` holes quote parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized<String>>,
    /// The step holds data the exam authority supplies (bans), never typed by the candidate:
    /// forms do not show it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub authority: bool,
    /// Files the candidate chooses on this step (the photo), whose measurements fill fields
    /// (`measure` on the field).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileDef>,
}

/// `{ value = "男", label = { zh = "男", en = "Male" } }`: how a form shows an allowed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumLabel {
    /// The allowed value.
    pub value: String,
    /// What a candidate reads.
    pub label: Localized<String>,
}

/// A file the candidate chooses (`files` of a step); fields take its measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDef {
    /// Id, unique in the step (`photo`); fields name it in `measure`.
    pub id: String,
    /// Label of the file input.
    pub label: Localized<String>,
    /// Help for candidates (a template: `{$param}` holes quote parameters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized<String>>,
}

/// A measurement of a chosen file that fills a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// The file's format as read from its first bytes, in lower case (`jpg` for JPEG, `png` …): a
    /// `text` field.
    Format,
    /// Its size in KB (1,024 bytes), rounded up to two decimals: a `number` field.
    Kb,
    /// An image's width in pixels: an `int` field.
    Width,
    /// An image's height in pixels: an `int` field.
    Height,
}

/// `measure = { file = "photo", property = "kb" }`: which file and which of its measurements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureDef {
    /// The `id` of a file of the field's step.
    pub file: String,
    /// What is measured.
    pub property: Measure,
}

/// `[[field]]`: one field of the application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "E: Deserialize<'de>"))]
pub struct FieldDef<E> {
    /// Dotted path: `step.field`, or `step.list[].field` for a field of a records item.
    pub path: String,
    /// Value type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Item type of a `list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<FieldType>,
    /// Label shown to candidates.
    pub label: Localized<String>,
    /// Always required.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Required when this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_when: Option<E>,
    /// Allowed values (text fields).
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enumeration: Option<Vec<String>>,
    /// Allowed values are the keys of this table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_table: Option<String>,
    /// A regular expression the whole value must match (anchor it yourself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<E>,
    /// Minimum length in characters (text) or items (lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Maximum length in characters (text) or items (lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Smallest allowed number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Never echo the value in full: `true` (an ID number: reports show its first 3 and last 4
    /// characters, `430***********0318`, so a reviewer can recognise it) or `"all"` (a password, a
    /// recovery answer: no character at all, `***`).
    #[serde(default, skip_serializing_if = "MaskStyle::is_none")]
    pub mask: MaskStyle,
    /// Accept the placeholder `-` ("not applicable", as the form writes it for 师承/确有专长
    /// records): it counts as present for `required`, reads as unknown, and `is_dash(path)` sees it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dash: bool,
    /// Spec rule id that this field's own checks implement (e.g. `XF-09`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Citation for this field's checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    /// Help text for form authors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Help shown to candidates under the field. A template: `{$param}` holes quote parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Localized<String>>,
    /// Labels of allowed values (an `enum` value or a key of the `enum_table`); a value without
    /// one is labelled by `enum_label_column` or by itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enum_labels: Vec<EnumLabel>,
    /// The column of the `enum_table` that labels its keys (`name` of `provinces`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_label_column: Option<String>,
    /// The field's value is computed from other fields (gender and date of birth from a mainland
    /// ID number): an expression of the field's type. Forms fill the field and do not let the
    /// candidate edit it; validation is unchanged (rules still check the typed value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived: Option<E>,
    /// When `derived` applies (default: always). Unknown or false: the candidate types the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_when: Option<E>,
    /// The value is measured from a file the candidate chooses on the field's step (the photo's
    /// format, size, width, height), not typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<MeasureDef>,
    /// A `datetime` the form fills from the clock when the candidate submits, not typed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub clock: bool,
}

/// How a field marked `mask` is shown (written `mask = true` or `mask = "all"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaskStyle {
    /// Not masked (`mask = false` or absent).
    #[default]
    None,
    /// `mask = true`: the first 3 and last 4 characters of a value longer than 7, else its last.
    Partial,
    /// `mask = "all"`: no character of the value.
    All,
}

impl MaskStyle {
    /// Whether the field is masked at all.
    pub fn is_masked(self) -> bool {
        self != MaskStyle::None
    }

    #[expect(
        clippy::trivially_copy_pass_by_ref,
        reason = "serde's skip_serializing_if passes a reference"
    )]
    fn is_none(&self) -> bool {
        *self == MaskStyle::None
    }
}

impl Serialize for MaskStyle {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MaskStyle::None => s.serialize_bool(false),
            MaskStyle::Partial => s.serialize_bool(true),
            MaskStyle::All => s.serialize_str("all"),
        }
    }
}

impl<'de> Deserialize<'de> for MaskStyle {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Flag(bool),
            Word(String),
        }
        match Raw::deserialize(d)? {
            Raw::Flag(false) => Ok(MaskStyle::None),
            Raw::Flag(true) => Ok(MaskStyle::Partial),
            Raw::Word(w) if w == "all" => Ok(MaskStyle::All),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "`mask` is true, false or \"all\", not `{w}`"
            ))),
        }
    }
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_false(b: &bool) -> bool {
    !*b
}

/// A dictionary: named columns, one key column, rows of values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    /// Column names; the first is the key.
    pub columns: Vec<String>,
    /// Column types, same order (`text` when omitted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<FieldType>,
    /// What the table is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Where its content comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    /// The rows; each has one value per column. `""` is "no value" in a non-text column (a lookup
    /// of it is unknown) and the empty text in a text column.
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// Severity of a validation diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks submission: `valid` is false.
    Error,
    /// Shown, does not block.
    Warning,
    /// A hint.
    Info,
}

/// What an eligibility rule or decision row does to the outcome when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The candidate cannot sit this exam: a reason.
    Ineligible,
    /// Eligible once something is supplied by a date: a condition.
    Conditional,
    /// The rules cannot settle it; a reviewer must: a reason naming the open question.
    NeedsReview,
    /// Eligible, with a practice restriction.
    Restriction,
}

/// `[[rule]]`: a validation rule (with `severity`) or an eligibility rule (with `effect`).
///
/// The rule *fires* when `when` holds and `check` does not. Without `check` it fires whenever
/// `when` holds (useful for effects such as restrictions). Unknown values (missing fields) make a
/// rule undetermined, never fired: presence is the schema's job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "E: Deserialize<'de>"))]
pub struct RuleDef<E> {
    /// Stable id; the spec's id (`XF-01`, `R-TR-3`) where the rule comes from the spec.
    pub id: String,
    /// One line saying what the rule checks, for the rule catalogue.
    pub summary: String,
    /// Step the rule belongs to; inferred from the fields it reads when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Validation severity (exactly one of `severity` and `effect`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Eligibility effect (exactly one of `severity` and `effect`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// Precondition (default: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<E>,
    /// What must hold (default: nothing, so the rule fires whenever `when` holds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<E>,
    /// Stable diagnostic code (default `rule_failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Field the diagnostic points at (default: the first field `check` reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// For `conditional`: the date by which the condition must be met (an expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<E>,
    /// For `needs_review`: the open question, e.g. `Q5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// Message templates; `{expr}` inserts a value.
    pub message: Localized<E>,
    /// The regulation the rule implements.
    pub cite: String,
    /// Confidence of the source.
    pub confidence: Confidence,
}

/// `[[material]]`: a document the candidate brings to on-site review (现场审核), when it applies, and
/// the rule or route that calls for it. Evidence the form cannot show — a trial pass assessment, an
/// uninterrupted internship — is a material with `verify`: what the reviewer checks on the paper,
/// so the report states it instead of assuming it from the form's silence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "E: Deserialize<'de>"))]
pub struct MaterialDef<E> {
    /// Stable id, e.g. `trial-pass-certificate`.
    pub id: String,
    /// What to bring (a template: `{…}` holes as in messages).
    pub label: Localized<E>,
    /// When the material applies (default: always).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<E>,
    /// The rule or route that calls for it (`R-TR-2`, `R-LV-7`, `§c Steps 10-11`).
    pub rule: String,
    /// For paper-only evidence: what the reviewer verifies on it (a template).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Localized<E>>,
    /// The regulation or practice that asks for it.
    pub cite: String,
    /// Confidence of the source.
    pub confidence: Confidence,
}

/// `[notice]`: the printable registration success notice (报名成功通知单) — its title, which steps'
/// data it shows, and lines of facts such as the on-site review window. All keys are optional; an
/// overlay's `[notice]` replaces the title and steps it gives and adds or replaces lines by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, bound(deserialize = "E: Deserialize<'de>"))]
pub struct NoticeDef<E> {
    /// The notice's title (default: the pack's title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Localized<String>>,
    /// The steps whose captured data the notice shows, in this order (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<String>>,
    /// Facts printed at the top (the review window, the place …), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub line: Vec<NoticeLineDef<E>>,
}

/// One line of facts on the notice: a label and a value template (`{$onsite_open}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "E: Deserialize<'de>"))]
pub struct NoticeLineDef<E> {
    /// Stable id, so an overlay can replace the line.
    pub id: String,
    /// What the line is.
    pub label: Localized<String>,
    /// Its value: `{…}` holes read parameters and fields, as in messages.
    pub value: Localized<E>,
    /// Where the fact comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
}

/// A cell of a decision-table row: a literal (equality), a list (membership), `"-"` (any), or a
/// `{ test = "<op> <expr>" }` unary test such as `{ test = ">= @2015-01" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
///
/// Cell tests carry no source location (serde cannot track spans through an untagged enum);
/// their errors name the decision and row instead.
#[serde(untagged)]
pub enum Cell {
    /// A unary test: comparison operator (default `==`) followed by an expression.
    Test {
        /// The test text.
        test: String,
    },
    /// A literal, a list of literals, or `"-"`.
    Value(serde_json::Value),
}

/// One row of a decision table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "E: Deserialize<'de>"))]
pub struct RowDef<E> {
    /// One cell per input.
    pub when: Vec<Cell>,
    /// The decision's output when this row hits (e.g. a route id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The row in words, for people (`本科及以上学历报考执业医师`): the route's label in reports and
    /// notices, so nobody has to show `R-LV-1` to a candidate. Required on the rows of the route
    /// table that give a route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Localized<String>>,
    /// Rule id reported when this row applies an effect (default `<decision>#<row>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Effect applied when the row hits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// Message for the effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Localized<E>>,
    /// Citation for the row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    /// Open question for `needs_review` rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// Due date expression for `conditional` rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<E>,
}

/// How rows of a decision table combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HitPolicy {
    /// The first matching row wins.
    First,
    /// Every matching row applies.
    Collect,
}

/// `[[decision]]`: a decision table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "E: Deserialize<'de>"))]
pub struct DecisionDef<E> {
    /// Stable id; rules read the output as `decision("id")`.
    pub id: String,
    /// What the table decides.
    pub summary: String,
    /// `first` or `collect`.
    pub hit: HitPolicy,
    /// When true, the output is the report's `eligibility.route`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub route: bool,
    /// Only evaluate when this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<E>,
    /// Input expressions, one per column.
    pub inputs: Vec<E>,
    /// The rows.
    pub rows: Vec<RowDef<E>>,
    /// Applied when no row hits (all inputs known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<RowDef<E>>,
    /// Step the decision belongs to; inferred when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Citation.
    pub cite: String,
    /// Confidence.
    pub confidence: Confidence,
}

/// What an example expects; every key given is checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Expected `valid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
    /// Expected eligibility outcome (`eligible`, `conditional`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Expected route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// Exactly these rule ids (or, for schema diagnostics without a rule, codes) fire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fired: Option<Vec<String>>,
    /// Exactly these materials (ids) are listed for on-site review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub materials: Option<Vec<String>>,
}

/// `[[example]]`: an application with its expected outcome, run by `baokao test`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleDef {
    /// Unique name.
    pub name: String,
    /// What the example shows and why its expectation is right: for an eligibility outcome, the
    /// words of the regulation it follows (quoted), so a reviewer can check it without the engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A JSON application file relative to the pack (TOML only; resolved into `document`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// Another example this one starts from (TOML only; resolved into `document`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Field values to set on the base, by dotted path (TOML only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, serde_json::Value>,
    /// Field paths to remove from the base (TOML only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
    /// Parameters to judge this example with instead of the pack's (by name; dates as strings):
    /// "what if a province set the cutoff to 08-15". The test runner compiles the pack with them;
    /// such examples are not conformance vectors (the bindings judge with the pack as shipped).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, serde_json::Value>,
    /// Validate only this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// What the report must say.
    pub expect: Expectation,
    /// The resolved application document (filled in by the loader).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<serde_json::Value>,
}

/// `[[omission]]`: a rule of the requirements deliberately not implemented, with the reason — so
/// a reviewer can tell "left out on purpose" from "forgotten".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OmissionDef {
    /// The spec's rule id (`R-UG-5`).
    pub id: String,
    /// Why it is not in the pack, and what would be needed.
    pub reason: String,
}

/// `[[form_check]]`: a rule that implements part of a spec rule that conditions eligibility, yet
/// is deliberately a form check (it has a `severity`, so it cannot decide the outcome), with the
/// reason — reviewed like an omission, so "a form error standing in for an eligibility
/// requirement" cannot happen by accident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormCheckDef {
    /// The rule's id (`XF-14.a`).
    pub id: String,
    /// Why a form check is right here, and which rule decides the eligibility side.
    pub reason: String,
}

/// One TOML file of a pack directory, as written.
#[cfg(feature = "pack-dir")]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    /// Only in `pack.toml`.
    pub pack: Option<PackMeta>,
    /// Parameters: a plain value, or a table with `value` and provenance.
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
    /// Form steps.
    #[serde(default)]
    pub step: Vec<StepDef>,
    /// Fields.
    #[serde(default)]
    pub field: Vec<FieldDef<toml::Spanned<String>>>,
    /// Dictionaries.
    #[serde(default)]
    pub table: BTreeMap<String, TableDef>,
    /// Rules.
    #[serde(default)]
    pub rule: Vec<RuleDef<toml::Spanned<String>>>,
    /// Decision tables.
    #[serde(default)]
    pub decision: Vec<DecisionDef<toml::Spanned<String>>>,
    /// Examples.
    #[serde(default)]
    pub example: Vec<ExampleDef>,
    /// Deliberate omissions.
    #[serde(default)]
    pub omission: Vec<OmissionDef>,
    /// Reviewed form checks of eligibility requirements.
    #[serde(default)]
    pub form_check: Vec<FormCheckDef>,
    /// Materials of on-site review.
    #[serde(default)]
    pub material: Vec<MaterialDef<toml::Spanned<String>>>,
    /// The printable success notice.
    #[serde(default)]
    pub notice: Option<NoticeDef<toml::Spanned<String>>>,
}

/// A whole pack, merged with the packs it extends: the input of compilation and the content of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Identity.
    pub pack: PackMeta,
    /// Parameters by name.
    pub params: BTreeMap<String, ParamDef>,
    /// Steps in form order.
    pub steps: Vec<StepDef>,
    /// Fields in declaration order.
    pub fields: Vec<FieldDef<Source>>,
    /// Tables by id.
    pub tables: BTreeMap<String, TableDef>,
    /// Rules in evaluation order.
    pub rules: Vec<RuleDef<Source>>,
    /// Decision tables in evaluation order.
    pub decisions: Vec<DecisionDef<Source>>,
    /// Materials of on-site review, in the order a checklist shows them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<MaterialDef<Source>>,
    /// The printable success notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<NoticeDef<Source>>,
    /// Examples with resolved documents.
    #[serde(default)]
    pub examples: Vec<ExampleDef>,
    /// Rules of the requirements deliberately left out, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub omissions: Vec<OmissionDef>,
    /// Rules that implement part of an eligibility requirement as a form check, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub form_checks: Vec<FormCheckDef>,
    /// Where each item is declared (a pack directory's files; none for a bundle): not content, so
    /// neither serialised nor part of the digest.
    #[serde(skip)]
    pub locs: super::locations::Locations,
}
