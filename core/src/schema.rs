//! The compiled schema: fields resolved to slots, and the one pass that binds an application
//! document to those slots while checking types, enumerations, patterns, lengths and ranges.

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;

use crate::builtins::{dates, text};
use crate::expr::eval::{Bound, KeyHash, NO_SYM};
use crate::expr::ir::{Node, SymSet};
use crate::pack::model::Severity;
use crate::pack::model::{FieldType, Localized, MeasureDef};
use crate::report::{Diagnostic, Lang};
use crate::value::{ItemTy, Scalar, Ty, Value};

/// Most items a records or list field may hold.
pub const MAX_ITEMS: usize = 1000;

/// Largest magnitude of an `int` field's value: 2^53 − 1, the integers that every JSON reader (a
/// JavaScript number, a 64-bit float) holds exactly, so an application means the same number in
/// Rust, Python and the browser. Beyond it the value is `out_of_range`.
pub const MAX_INT: i64 = (1 << 53) - 1;

/// How a JSON number reads as an `int`.
enum Whole {
    /// A whole number within ±[`MAX_INT`], however written (`413`, `413.0`, `4.13e2`).
    Int(i64),
    /// A whole number beyond ±[`MAX_INT`]; `true` when negative.
    TooLarge(bool),
    /// Not a whole number (`413.5`).
    Fraction,
}

impl Whole {
    fn int(&self) -> Option<i64> {
        match self {
            Whole::Int(i) => Some(*i),
            Whole::TooLarge(_) | Whole::Fraction => None,
        }
    }
}

/// An `int` from a JSON number: JSON has one number type, so `413.0` is the integer 413, as JSON
/// Schema's `integer` says.
fn whole(n: &serde_json::Number) -> Whole {
    if let Some(i) = n.as_i64() {
        return if i.unsigned_abs() <= MAX_INT.unsigned_abs() {
            Whole::Int(i)
        } else {
            Whole::TooLarge(i < 0)
        };
    }
    if n.as_u64().is_some() {
        return Whole::TooLarge(false);
    }
    match n.as_f64() {
        Some(f) if f.fract() != 0.0 || !f.is_finite() => Whole::Fraction,
        #[expect(
            clippy::cast_precision_loss,
            reason = "2^53 - 1 is exactly representable in f64"
        )]
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a whole f64 within ±(2^53 - 1) converts exactly"
        )]
        Some(f) if f.abs() <= MAX_INT as f64 => Whole::Int(f as i64),
        Some(f) => Whole::TooLarge(f < 0.0),
        None => Whole::Fraction,
    }
}

/// Most `unknown_field` warnings in one report; the rest are counted in one
/// `unknown_fields_omitted` warning, so that a document of unknown keys cannot inflate its report.
pub const MAX_UNKNOWN_FIELDS: usize = 100;

/// Most characters of an unknown key an `unknown_field` warning quotes (in its path and message);
/// a longer key is cut there and marked with `…`.
pub const MAX_KEY_CHARS: usize = 64;

/// Where a field lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// A scalar field, by slot.
    Scalar(u32),
    /// A records field, by ordinal.
    Records(u32),
    /// A list field, by ordinal.
    List(u32),
}

/// Value checks of one field.
#[derive(Debug, Default)]
pub struct Constraints {
    /// Allowed values, hashed: one hash and one comparison per check (a binary search made
    /// several string comparisons; docs/benchmarks.md, "Where validation spends its time"). Each
    /// maps to its symbol, its index in the enumeration (the first, if listed twice): the binding
    /// records it, so rules compare enumeration values as integers ([`crate::expr::ir::SymSet`]).
    pub allowed: Option<Symbols>,
    /// Pattern, with its source text.
    pub pattern: Option<(Regex, String)>,
    /// Length bounds in characters.
    pub min_length: Option<u32>,
    /// Length bounds in characters.
    pub max_length: Option<u32>,
    /// Numeric bounds.
    pub min: Option<f64>,
    /// Numeric bounds.
    pub max: Option<f64>,
}

/// A compiled field (scalar, or item field of a records field).
#[derive(Debug)]
pub struct FieldInfo {
    /// Dotted path as declared.
    pub path: String,
    /// Key inside its step or record.
    pub key: Box<str>,
    /// Step index.
    pub step: u32,
    /// Value type (for lists, see [`ListInfo`]).
    pub ty: Ty,
    /// Declared type.
    pub field_type: FieldType,
    /// Allowed values in declaration order (for hints, the JSON Schema export).
    pub enumeration: Option<Vec<Box<str>>>,
    /// Checks.
    pub constraints: Constraints,
    /// Never echo in full: how the field's own value is shown.
    pub mask: crate::pack::model::MaskStyle,
    /// Accepts the placeholder `-`.
    pub dash: bool,
    /// Always required.
    pub required: bool,
    /// Required when this holds (plain and traced forms).
    pub required_when: Option<Node>,
    /// Label.
    pub label: Localized<String>,
    /// Spec rule the field's checks implement.
    pub rule: Option<Arc<str>>,
    /// Citation.
    pub cite: Option<Arc<str>>,
    /// Help for candidates, its parameter holes filled in.
    pub help: Option<Localized<String>>,
    /// The label of each allowed value, in the order of `enumeration`.
    pub option_labels: Option<Vec<Localized<String>>>,
    /// How the value is computed from other fields, when the pack declares it.
    pub derived: Option<Derived>,
    /// The file measurement that fills the field (`measure`).
    pub measure: Option<MeasureDef>,
    /// Filled from the clock at submission.
    pub clock: bool,
}

/// A field's declared derivation (`derived`, `derived_when`), compiled.
#[derive(Debug)]
pub struct Derived {
    /// The value, of the field's type.
    pub value: Node,
    /// When the derivation applies (`None`: always).
    pub when: Option<Node>,
    /// The source texts, for the form description.
    pub value_text: String,
    /// The source text of `when`.
    pub when_text: Option<String>,
    /// Slots of the fields both expressions read, in form order.
    pub reads: Vec<u32>,
}

/// A compiled records field.
#[derive(Debug)]
pub struct RecordsInfo {
    /// The field itself (its `ty` is `Records`).
    pub field: FieldInfo,
    /// Item fields.
    pub items: Vec<FieldInfo>,
}

/// A compiled list-of-scalars field.
#[derive(Debug)]
pub struct ListInfo {
    /// The field itself.
    pub field: FieldInfo,
    /// Item type.
    pub item: ItemTy,
}

/// One step of the form.
#[derive(Debug)]
pub struct StepInfo {
    /// Id (`basic`).
    pub id: Arc<str>,
    /// Title.
    pub title: Localized<String>,
    /// Spec rule of the step's shape check.
    pub rule: Option<Arc<str>>,
    /// Citation of the step's shape check.
    pub cite: Option<Arc<str>>,
    /// Help for candidates, its parameter holes filled in.
    pub help: Option<Localized<String>>,
    /// Supplied by the authority, never typed by the candidate.
    pub authority: bool,
    /// Files chosen on the step: id, label, help (parameter holes filled in).
    pub files: Vec<(String, Localized<String>, Option<Localized<String>>)>,
    /// Members by key, sorted by [`key_cmp`] (the order of the JSON Schema export).
    pub members: Vec<(Box<str>, Member)>,
    /// The same members, hashed by key: what binding looks each document key up in.
    pub index: HashMap<Box<str>, Member, KeyHash>,
}

/// The compiled schema.
#[derive(Debug, Default)]
pub struct Schema {
    /// Steps in form order.
    pub steps: Vec<StepInfo>,
    /// Scalar fields by slot.
    pub fields: Vec<FieldInfo>,
    /// Records fields by ordinal.
    pub records: Vec<RecordsInfo>,
    /// List fields by ordinal.
    pub lists: Vec<ListInfo>,
    /// Every addressable path.
    pub members: HashMap<String, Member>,
}

/// An enumeration's values, each with its symbol: its index in the enumeration.
pub type Symbols = HashMap<Box<str>, usize, KeyHash>;

/// The symbol of `text` in an enumeration ([`NO_SYM`] when it is not one of its values).
pub fn symbol(values: &Symbols, text: &str) -> u32 {
    values
        .get(text)
        .and_then(|&i| u32::try_from(i).ok())
        .unwrap_or(NO_SYM)
}

/// The symbols of the constants of `set` that belong to an enumeration, or `None` when `set` holds
/// anything but text (such a set is compared by value, not by symbol).
pub fn symbols_of(values: &Symbols, set: &[Scalar]) -> Option<SymSet> {
    let mut syms = Vec::with_capacity(set.len());
    for c in set {
        let Scalar::Text(t) = c else { return None };
        syms.push(symbol(values, t));
    }
    Some(SymSet::of(syms.into_iter().filter(|&s| s != NO_SYM)))
}

impl Schema {
    /// Index of a step by id.
    pub fn step_index(&self, id: &str) -> Option<u32> {
        self.steps
            .iter()
            .position(|s| &*s.id == id)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// A path's member.
    pub fn member(&self, path: &str) -> Option<Member> {
        self.members.get(path).copied()
    }

    /// A scalar field by slot.
    pub fn field(&self, slot: u32) -> Option<&FieldInfo> {
        self.fields.get(slot as usize)
    }

    /// Every addressable path (for hints).
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.members.keys()
    }

    /// Item type of a list field.
    pub fn list_item_ty(&self, ordinal: u32) -> Option<ItemTy> {
        self.lists.get(ordinal as usize).map(|l| l.item)
    }

    /// An item field of a records field by name.
    pub fn item_field(&self, records: u32, name: &str) -> Option<(u32, &FieldInfo)> {
        let r = self.records.get(records as usize)?;
        let i = r.items.iter().position(|f| &*f.key == name)?;
        Some((u32::try_from(i).ok()?, r.items.get(i)?))
    }

    /// Names of a records field's items (for hints).
    pub fn item_names(&self, records: u32) -> impl Iterator<Item = &str> {
        self.records
            .get(records as usize)
            .into_iter()
            .flat_map(|r| r.items.iter().map(|f| &*f.key))
    }

    /// The step and label of any member.
    pub fn info(&self, m: Member) -> Option<&FieldInfo> {
        match m {
            Member::Scalar(s) => self.fields.get(s as usize),
            Member::Records(r) => self.records.get(r as usize).map(|r| &r.field),
            Member::List(l) => self.lists.get(l as usize).map(|l| &l.field),
        }
    }
}

/// The order of a step's members (and so of the `required` lists of the JSON Schema export): by
/// length, then by bytes. Lookups no longer depend on it (they hash); it is kept so the export's
/// output does not change.
pub fn key_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Map a declared field type to an expression type.
pub fn ty_of(t: FieldType) -> Ty {
    match t {
        FieldType::Bool => Ty::Bool,
        FieldType::Int => Ty::Int,
        FieldType::Number => Ty::Num,
        FieldType::Text => Ty::Text,
        FieldType::Date => Ty::Date,
        FieldType::Month => Ty::Month,
        FieldType::DateOrMonth => Ty::DateOrMonth,
        FieldType::Datetime => Ty::DateTime,
        FieldType::List => Ty::List(ItemTy::Text),
        FieldType::Records => Ty::Records,
    }
}

/// Escape a key for a JSON pointer (RFC 6901).
pub fn pointer_escape(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

/// Collects the diagnostics of the binding pass.
pub struct Sink<'r> {
    /// Language of messages.
    pub lang: Lang,
    /// Only keep diagnostics of this step.
    pub only_step: Option<u32>,
    /// Output.
    pub out: &'r mut Vec<Diagnostic>,
    /// Step ids (for the `step` of a diagnostic).
    pub steps: &'r [StepInfo],
    /// `unknown_field` warnings reported so far.
    unknown: usize,
    /// Unknown keys beyond [`MAX_UNKNOWN_FIELDS`], counted rather than reported.
    omitted: usize,
}

impl<'r> Sink<'r> {
    /// A sink writing into `out`.
    pub fn new(
        lang: Lang,
        only_step: Option<u32>,
        out: &'r mut Vec<Diagnostic>,
        steps: &'r [StepInfo],
    ) -> Self {
        Sink {
            lang,
            only_step,
            out,
            steps,
            unknown: 0,
            omitted: 0,
        }
    }

    /// The step id of a diagnostic of step `step`.
    fn step_id(&self, step: u32) -> Option<Arc<str>> {
        self.steps.get(step as usize).map(|s| s.id.clone())
    }

    /// After binding: one warning counting the unknown keys not reported one by one.
    pub fn finish(&mut self) {
        if self.omitted == 0 {
            return;
        }
        let count = self.omitted.to_string();
        let message = crate::report::schema_message(
            self.lang,
            "unknown_fields_omitted",
            &Localized::default(),
            &Detail::Bound(count),
        );
        self.out.push(Diagnostic {
            code: "unknown_fields_omitted".into(),
            rule: None,
            path: String::new(),
            severity: Severity::Warning,
            step: None,
            message,
            cite: None,
        });
        self.omitted = 0;
    }

    fn keep(&self, step: u32) -> bool {
        self.only_step.is_none_or(|s| s == step)
    }

    /// Report a schema problem of `field` at `path`.
    pub fn field(
        &mut self,
        field: &FieldInfo,
        path: String,
        code: &'static str,
        detail: &Detail<'_>,
    ) {
        if !self.keep(field.step) {
            return;
        }
        let message = crate::report::schema_message(self.lang, code, &field.label, detail);
        self.out.push(Diagnostic {
            code: code.into(),
            rule: field.rule.clone(),
            path,
            severity: Severity::Error,
            step: self.step_id(field.step),
            message,
            cite: field.cite.clone(),
        });
    }

    /// Report the unknown key `key` under the pointer `parent` (`step` is `None` at the top
    /// level: a diagnostic of the whole document).
    fn unknown(&mut self, step: Option<u32>, parent: &str, key: &str) {
        if step.is_some_and(|s| !self.keep(s)) || (step.is_none() && self.only_step.is_some()) {
            return;
        }
        if self.unknown >= MAX_UNKNOWN_FIELDS {
            self.omitted += 1;
            return;
        }
        self.unknown += 1;
        let path = format!("{parent}/{}", pointer_escape(&shortened(key)));
        let message = crate::report::schema_message(
            self.lang,
            "unknown_field",
            &Localized::default(),
            &Detail::Path(&path),
        );
        self.out.push(Diagnostic {
            code: "unknown_field".into(),
            rule: None,
            step: step.and_then(|s| self.step_id(s)),
            path,
            severity: Severity::Warning,
            message,
            cite: None,
        });
    }
}

/// `key` cut to [`MAX_KEY_CHARS`] characters, marked with `…` when cut.
fn shortened(key: &str) -> std::borrow::Cow<'_, str> {
    match key.char_indices().nth(MAX_KEY_CHARS) {
        Some((at, _)) => format!("{}…", key.get(..at).unwrap_or(key)).into(),
        None => key.into(),
    }
}

/// Extra information for a schema message.
pub enum Detail<'a> {
    /// Nothing to add.
    None,
    /// The expected type.
    Expected(&'static str),
    /// The offending value (already masked when needed).
    Value(String),
    /// A bound.
    Bound(String),
    /// A path.
    Path(&'a str),
}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::Bool => "bool",
        FieldType::Int => "int",
        FieldType::Number => "number",
        FieldType::Text => "text",
        FieldType::Date => "date",
        FieldType::Month => "month",
        FieldType::DateOrMonth => "date_or_month",
        FieldType::Datetime => "datetime",
        FieldType::List => "list",
        FieldType::Records => "records",
    }
}

/// How a JSON value was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// A value (or null, read as unknown).
    Value,
    /// A value of the field's enumeration: its symbol.
    Member(u32),
    /// The placeholder `-` of a `dash` field.
    Dash,
    /// A value of the wrong type or format: reported, read as unknown.
    Invalid,
}

/// Read one JSON value into a slot value, reporting type and constraint problems.
fn read_scalar<'a>(
    f: &FieldInfo,
    v: &'a serde_json::Value,
    path: &dyn Fn() -> String,
    sink: &mut Sink<'_>,
) -> (Value<'a>, Read) {
    use serde_json::Value as J;
    if f.dash && v.as_str() == Some("-") {
        return (Value::Unknown, Read::Dash);
    }
    let value = match (f.field_type, v) {
        (_, J::Null) => return (Value::Unknown, Read::Value),
        (FieldType::Text, J::String(s)) => Value::Text(s),
        (FieldType::Bool, J::Bool(b)) => Value::Bool(*b),
        (FieldType::Int, J::Number(n)) => match whole(n) {
            Whole::Int(i) => Value::Int(i),
            Whole::TooLarge(negative) => {
                let c = &f.constraints;
                #[expect(clippy::cast_precision_loss, reason = "bounds are JSON numbers")]
                let bound = if negative {
                    format!("≥ {}", c.min.unwrap_or(-(MAX_INT as f64)))
                } else {
                    format!("≤ {}", c.max.unwrap_or(MAX_INT as f64))
                };
                sink.field(f, path(), "out_of_range", &Detail::Bound(bound));
                return (Value::Unknown, Read::Invalid);
            }
            Whole::Fraction => {
                sink.field(f, path(), "type_mismatch", &Detail::Expected("int"));
                return (Value::Unknown, Read::Invalid);
            }
        },
        (FieldType::Number, J::Number(n)) => n.as_f64().map_or(Value::Unknown, Value::Num),
        (FieldType::Date, J::String(s)) => match dates::parse_date(s) {
            Some(d) => Value::Date(d),
            None => return bad_date(f, "YYYY-MM-DD", path, sink),
        },
        (FieldType::Month, J::String(s)) => match dates::YearMonth::parse(s) {
            Some(m) => Value::Month(m),
            None => return bad_date(f, "YYYY-MM", path, sink),
        },
        // The value keeps the precision it was given: a day, or only a month.
        (FieldType::DateOrMonth, J::String(s)) => match dates::parse_date(s) {
            Some(d) => Value::Date(d),
            None => match dates::YearMonth::parse(s) {
                Some(m) => Value::Month(m),
                None => return bad_date(f, "YYYY-MM-DD / YYYY-MM", path, sink),
            },
        },
        (FieldType::Datetime, J::String(s)) => match dates::parse_datetime(s) {
            Some(t) => Value::DateTime(t),
            None => return bad_date(f, "RFC 3339", path, sink),
        },
        _ => {
            sink.field(
                f,
                path(),
                "type_mismatch",
                &Detail::Expected(type_name(f.field_type)),
            );
            return (Value::Unknown, Read::Invalid);
        }
    };
    match check_constraints(f, value, path, sink) {
        Some(sym) => (value, Read::Member(sym)),
        None => (value, Read::Value),
    }
}

fn bad_date<'a>(
    f: &FieldInfo,
    format: &'static str,
    path: &dyn Fn() -> String,
    sink: &mut Sink<'_>,
) -> (Value<'a>, Read) {
    sink.field(f, path(), "invalid_date", &Detail::Expected(format));
    (Value::Unknown, Read::Invalid)
}

/// Check a value against the field's constraints; the symbol of a value of its enumeration.
fn check_constraints(
    f: &FieldInfo,
    value: Value<'_>,
    path: &dyn Fn() -> String,
    sink: &mut Sink<'_>,
) -> Option<u32> {
    let c = &f.constraints;
    let mut sym = None;
    if let Value::Text(s) = value {
        let shown = || crate::mask::field_text(f.mask, s).into_owned();
        if let Some(values) = &c.allowed {
            let Some(&i) = values.get(s) else {
                sink.field(f, path(), "enum_mismatch", &Detail::Value(shown()));
                return None;
            };
            sym = Some(u32::try_from(i).unwrap_or(NO_SYM));
        }
        if c.min_length.is_some() || c.max_length.is_some() {
            let n = text::char_len(s);
            if let Some(min) = c.min_length.filter(|m| n < *m as usize) {
                sink.field(f, path(), "too_short", &Detail::Bound(min.to_string()));
                return sym;
            }
            if let Some(max) = c.max_length.filter(|m| n > *m as usize) {
                sink.field(f, path(), "too_long", &Detail::Bound(max.to_string()));
                return sym;
            }
        }
        if let Some((re, _)) = &c.pattern {
            if !re.is_match(s) {
                sink.field(f, path(), "pattern_mismatch", &Detail::Value(shown()));
            }
        }
    } else if let Some(x) = match value {
        #[expect(clippy::cast_precision_loss, reason = "bounds are JSON numbers")]
        Value::Int(i) => Some(i as f64),
        Value::Num(n) => Some(n),
        _ => None,
    } {
        if let Some(min) = c.min.filter(|m| x < *m) {
            sink.field(
                f,
                path(),
                "out_of_range",
                &Detail::Bound(format!("≥ {min}")),
            );
        } else if let Some(max) = c.max.filter(|m| x > *m) {
            sink.field(
                f,
                path(),
                "out_of_range",
                &Detail::Bound(format!("≤ {max}")),
            );
        }
    }
    sym
}

impl Schema {
    /// Bind `doc` to slots, reporting structural problems into `sink`.
    pub fn bind<'a>(
        &self,
        doc: &'a serde_json::Map<String, serde_json::Value>,
        sink: &mut Sink<'_>,
    ) -> Bound<'a> {
        let mut bound = Bound {
            slots: vec![Value::Unknown; self.fields.len()],
            syms: vec![NO_SYM; self.fields.len()],
            dashes: Vec::new(),
            invalid: Vec::new(),
            invalid_steps: Vec::new(),
            invalid_items: Vec::new(),
            records: self.records.iter().map(|_| None).collect(),
            lists: self.lists.iter().map(|_| None).collect(),
        };
        for (step_key, step_value) in doc {
            let Some(step_index) = self.step_index(step_key) else {
                sink.unknown(None, "", step_key);
                continue;
            };
            let Some(step) = self.steps.get(step_index as usize) else {
                continue;
            };
            let serde_json::Value::Object(fields) = step_value else {
                if !step_value.is_null() {
                    bound.invalid_steps.push(step_index);
                }
                if !step_value.is_null() && sink.keep(step_index) {
                    let message = crate::report::schema_message(
                        sink.lang,
                        "type_mismatch",
                        &step.title,
                        &Detail::Expected("object"),
                    );
                    sink.out.push(Diagnostic {
                        code: "type_mismatch".into(),
                        rule: step.rule.clone(),
                        path: format!("/{step_key}"),
                        severity: Severity::Error,
                        step: Some(step.id.clone()),
                        message,
                        cite: step.cite.clone(),
                    });
                }
                continue;
            };
            for (key, value) in fields {
                let member = step.index.get(key.as_str()).copied();
                let path = || format!("/{step_key}/{}", pointer_escape(key));
                match member {
                    Some(Member::Scalar(slot)) => {
                        let Some(f) = self.fields.get(slot as usize) else {
                            continue;
                        };
                        let (v, read) = read_scalar(f, value, &path, sink);
                        match read {
                            Read::Dash => bound.dashes.push(slot),
                            Read::Invalid => bound.invalid.push(slot),
                            Read::Member(sym) => {
                                if let Some(s) = bound.syms.get_mut(slot as usize) {
                                    *s = sym;
                                }
                            }
                            Read::Value => {}
                        }
                        if let Some(s) = bound.slots.get_mut(slot as usize) {
                            *s = v;
                        }
                    }
                    Some(Member::Records(r)) => {
                        let Some(info) = self.records.get(r as usize) else {
                            continue;
                        };
                        let items = Self::bind_records(info, value, &path, sink, |item, field| {
                            bound.invalid_items.push((r, item, field));
                        });
                        if let Some(s) = bound.records.get_mut(r as usize) {
                            *s = items;
                        }
                    }
                    Some(Member::List(l)) => {
                        let Some(info) = self.lists.get(l as usize) else {
                            continue;
                        };
                        let items = bind_list(info, value, &path, sink);
                        if let Some(s) = bound.lists.get_mut(l as usize) {
                            *s = items;
                        }
                    }
                    None => sink.unknown(Some(step_index), &format!("/{step_key}"), key),
                }
            }
        }
        bound
    }

    fn bind_records<'a>(
        info: &RecordsInfo,
        value: &'a serde_json::Value,
        path: &dyn Fn() -> String,
        sink: &mut Sink<'_>,
        mut invalid: impl FnMut(u32, u32),
    ) -> Option<Vec<Vec<Value<'a>>>> {
        let items = match value {
            serde_json::Value::Null => return None,
            serde_json::Value::Array(items) => items,
            _ => {
                sink.field(
                    &info.field,
                    path(),
                    "type_mismatch",
                    &Detail::Expected("list"),
                );
                return None;
            }
        };
        if !check_item_count(&info.field, items.len(), path, sink) {
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let mut row = vec![Value::Unknown; info.items.len()];
            let item_path = || format!("{}/{i}", path());
            let serde_json::Value::Object(map) = item else {
                sink.field(
                    &info.field,
                    item_path(),
                    "type_mismatch",
                    &Detail::Expected("object"),
                );
                continue;
            };
            for (key, v) in map {
                let field_path = || format!("{}/{}", item_path(), pointer_escape(key));
                match info.items.iter().position(|f| &*f.key == key.as_str()) {
                    Some(k) => {
                        let (val, read) = info
                            .items
                            .get(k)
                            .map_or((Value::Unknown, Read::Value), |f| {
                                read_scalar(f, v, &field_path, sink)
                            });
                        if read == Read::Invalid {
                            invalid(
                                u32::try_from(i).unwrap_or(u32::MAX),
                                u32::try_from(k).unwrap_or(u32::MAX),
                            );
                        }
                        if let Some(s) = row.get_mut(k) {
                            *s = val;
                        }
                    }
                    None => sink.unknown(Some(info.field.step), &item_path(), key),
                }
            }
            out.push(row);
        }
        Some(out)
    }
}

/// Check the number of items of a records or list field against `MAX_ITEMS` and the field's
/// `min_length`/`max_length`; `false` when there are too many to bind.
fn check_item_count(
    field: &FieldInfo,
    len: usize,
    path: &dyn Fn() -> String,
    sink: &mut Sink<'_>,
) -> bool {
    let max = field
        .constraints
        .max_length
        .map_or(MAX_ITEMS, |m| (m as usize).min(MAX_ITEMS));
    if len > max {
        sink.field(
            field,
            path(),
            "too_many_items",
            &Detail::Bound(max.to_string()),
        );
        return false;
    }
    if let Some(min) = field.constraints.min_length.filter(|m| len < *m as usize) {
        sink.field(
            field,
            path(),
            "too_few_items",
            &Detail::Bound(min.to_string()),
        );
    }
    true
}

fn bind_list<'a>(
    info: &ListInfo,
    value: &'a serde_json::Value,
    path: &dyn Fn() -> String,
    sink: &mut Sink<'_>,
) -> Option<Vec<Value<'a>>> {
    let items = match value {
        serde_json::Value::Null => return None,
        serde_json::Value::Array(items) => items,
        _ => {
            sink.field(
                &info.field,
                path(),
                "type_mismatch",
                &Detail::Expected("list"),
            );
            return None;
        }
    };
    if !check_item_count(&info.field, items.len(), path, sink) {
        return None;
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let item_path = || format!("{}/{i}", path());
        let v = match (info.item, item) {
            (ItemTy::Text, serde_json::Value::String(s)) => Value::Text(s),
            (ItemTy::Int, serde_json::Value::Number(n)) if whole(n).int().is_some() => {
                whole(n).int().map_or(Value::Unknown, Value::Int)
            }
            (ItemTy::Num, serde_json::Value::Number(n)) => {
                n.as_f64().map_or(Value::Unknown, Value::Num)
            }
            (ItemTy::Bool, serde_json::Value::Bool(b)) => Value::Bool(*b),
            (ItemTy::Date, serde_json::Value::String(s)) if dates::parse_date(s).is_some() => {
                dates::parse_date(s).map_or(Value::Unknown, Value::Date)
            }
            (ItemTy::Month, serde_json::Value::String(s))
                if dates::YearMonth::parse(s).is_some() =>
            {
                dates::YearMonth::parse(s).map_or(Value::Unknown, Value::Month)
            }
            _ => {
                sink.field(
                    &info.field,
                    item_path(),
                    "type_mismatch",
                    &Detail::Expected("list item"),
                );
                Value::Unknown
            }
        };
        if let (Value::Text(s), Some(values)) = (v, &info.field.constraints.allowed) {
            if !values.contains_key(s) {
                sink.field(
                    &info.field,
                    item_path(),
                    "enum_mismatch",
                    &Detail::Value(crate::mask::field_text(info.field.mask, s).into_owned()),
                );
            }
        }
        out.push(v);
    }
    Some(out)
}
