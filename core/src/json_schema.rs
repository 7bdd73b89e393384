//! Export of a pack's application schema as JSON Schema (draft 2020-12), for form generators.
//!
//! The export describes structure only (types, enumerations, patterns, lengths, ranges, item
//! counts, required fields); cross-field rules and eligibility stay in the engine. It accepts
//! exactly the documents the engine's schema checks accept (no error of a schema code: see
//! `docs/report.md`), which `bindings-python/tests/test_json_schema.py` checks against the
//! `jsonschema` package on a generated corpus, with two documented exceptions:
//!
//! * **`required_when`** — a field required only when an expression over other fields holds
//!   (`basic.travel_permit_no` for non-mainland documents) is not in `required`: JSON Schema cannot
//!   express the engine's expressions. A document valid against the export may still get
//!   `required_missing` for such a field.
//! * **Numbers beyond 64-bit floats** (±1.8e308 and more) — the engine's JSON parser refuses the
//!   document (`malformed_json`); JSON Schema has no limit.
//!
//! How the engine's rules are written in JSON Schema:
//!
//! * Unknown keys are allowed (the engine warns: `unknown_field`).
//! * `null` is "absent": accepted for optional fields, refused for required ones
//!   (`required_missing`); a step with a required field is required and must be an object, a step
//!   without one may be `null`.
//! * `int` is `integer` within ±(2^53 − 1) ([`crate::schema::MAX_INT`]): `413.0` is the integer
//!   413 for both.
//! * Dates, months, dates-or-months and timestamps carry a `pattern` that is exactly the engine's
//!   parser — calendar days, leap years, years `0001`–`9999`, RFC 3339 with `T`/`t` and `Z`/`z`,
//!   seconds `00`–`59` — so validators agree with or without format assertion; `format` stays
//!   as an annotation.
//! * Records and lists carry `minItems`/`maxItems` (at most 1,000, `crate::schema::MAX_ITEMS`).
//! * Masked fields are `writeOnly`: sent, never shown back.
//! * Patterns are the pack's, in the Rust `regex` syntax. For the patterns packs use it is also
//!   ECMA-262 syntax, with one difference of meaning: `\d` and `\w` are Unicode-aware in the
//!   engine (as in Python's `re`) and ASCII-only in ECMA-262 validators (ajv …); write `[0-9]`
//!   where only ASCII digits are meant.

use serde_json::{json, Map, Value};

use crate::pack::model::FieldType;
use crate::schema::{FieldInfo, Member, Schema, MAX_INT, MAX_ITEMS};

/// A year as the engine reads it: four digits, `0001` to `9999` (a macro, for `concat!`).
macro_rules! year {
    () => {
        "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
    };
}

/// A calendar date `YYYY-MM-DD` (without anchors): 30- and 31-day months, 28 days of February,
/// and 29 February of leap years (divisible by 4, centuries only by 400).
pub const DATE: &str = concat!(
    "(?:",
    year!(),
    "-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)",
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))",
    "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29)"
);

/// A month `YYYY-MM` (without anchors).
pub const MONTH: &str = concat!(year!(), "-(?:0[1-9]|1[0-2])");

/// The time and offset of an RFC 3339 timestamp after its date (without anchors).
pub const TIME: &str = concat!(
    "[Tt](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]+)?",
    "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
);

fn field_schema(f: &FieldInfo, item: Option<FieldType>) -> Value {
    let nullable = !f.required;
    let mut s = Map::new();
    s.insert("title".into(), Value::String(f.label.zh.clone()));
    s.insert("description".into(), Value::String(f.label.en.clone()));
    let c = &f.constraints;
    let base = |t: FieldType, nullable: bool, s: &mut Map<String, Value>| {
        let ty = match t {
            FieldType::Bool => "boolean",
            FieldType::Int => "integer",
            FieldType::Number => "number",
            FieldType::List | FieldType::Records => "array",
            FieldType::Text
            | FieldType::Date
            | FieldType::Month
            | FieldType::DateOrMonth
            | FieldType::Datetime => "string",
        };
        s.insert(
            "type".into(),
            if nullable {
                json!([ty, "null"])
            } else {
                json!(ty)
            },
        );
        match t {
            FieldType::Date => {
                s.insert("format".into(), json!("date"));
                s.insert("pattern".into(), json!(format!("^{DATE}$")));
            }
            FieldType::Month => {
                s.insert("pattern".into(), json!(format!("^{MONTH}$")));
            }
            FieldType::DateOrMonth => {
                // One pattern for both shapes: `format` would assert nothing where validators
                // treat it as an annotation, so `anyOf` with a `format` branch accepted any text.
                s.insert("pattern".into(), json!(format!("^(?:{DATE}|{MONTH})$")));
            }
            FieldType::Datetime => {
                s.insert("format".into(), json!("date-time"));
                s.insert("pattern".into(), json!(format!("^{DATE}{TIME}$")));
            }
            FieldType::Int => {
                s.insert("minimum".into(), json!(-MAX_INT));
                s.insert("maximum".into(), json!(MAX_INT));
            }
            _ => {}
        }
    };
    match f.field_type {
        FieldType::List => {
            base(FieldType::List, nullable, &mut s);
            item_counts(f, &mut s);
            let mut items = Map::new();
            base(item.unwrap_or(FieldType::Text), false, &mut items);
            if let Some(e) = &f.enumeration {
                items.insert("enum".into(), json!(e));
            }
            s.insert("items".into(), Value::Object(items));
        }
        t => {
            base(t, nullable, &mut s);
            if let Some(e) = &f.enumeration {
                let mut values: Vec<Value> = e.iter().map(|v| json!(v)).collect();
                if nullable {
                    values.push(Value::Null);
                }
                s.insert("enum".into(), Value::Array(values));
            }
            if let Some((_, p)) = &c.pattern {
                s.insert("pattern".into(), json!(p));
            }
            if let Some(n) = c.min_length {
                s.insert("minLength".into(), json!(n));
            }
            if let Some(n) = c.max_length {
                s.insert("maxLength".into(), json!(n));
            }
            // A bound of the field narrows the range of its type (`int`: ±(2^53 − 1)).
            if let Some(n) = c.min {
                let wider = s.get("minimum").and_then(Value::as_f64);
                if wider.is_none_or(|w| n > w) {
                    s.insert("minimum".into(), json!(n));
                }
            }
            if let Some(n) = c.max {
                let wider = s.get("maximum").and_then(Value::as_f64);
                if wider.is_none_or(|w| n < w) {
                    s.insert("maximum".into(), json!(n));
                }
            }
        }
    }
    if f.mask.is_masked() {
        // The value is sent but never shown back: reports mask it (docs/report.md).
        s.insert("writeOnly".into(), Value::Bool(true));
    }
    if f.dash {
        return json!({"anyOf": [Value::Object(s), {"const": "-", "description": "not applicable (师承/确有专长)"}]});
    }
    Value::Object(s)
}

/// `minItems` and `maxItems` of a records or list field, as the engine counts them.
fn item_counts(f: &FieldInfo, s: &mut Map<String, Value>) {
    let max = f
        .constraints
        .max_length
        .map_or(MAX_ITEMS, |m| (m as usize).min(MAX_ITEMS));
    s.insert("maxItems".into(), json!(max));
    if let Some(n) = f.constraints.min_length {
        s.insert("minItems".into(), json!(n));
    }
}

impl crate::engine::Engine {
    /// The application format as JSON Schema (draft 2020-12), as `baokao schema` prints it: it
    /// accepts exactly the documents that pass the engine's schema checks
    /// (`docs/application-format.md`, "As JSON Schema").
    pub fn json_schema(&self) -> Value {
        export(&self.program().schema, &self.pack().pack.id)
    }
}

/// The JSON Schema of applications for a compiled schema.
fn export(schema: &Schema, pack_id: &str) -> Value {
    let mut steps = Map::new();
    let mut required_steps = Vec::new();
    for step in &schema.steps {
        let mut props = Map::new();
        let mut required = Vec::new();
        for (key, member) in &step.members {
            let Some(info) = schema.info(*member) else {
                continue;
            };
            if info.required {
                required.push(json!(key));
            }
            let value = match member {
                Member::Scalar(_) => field_schema(info, None),
                Member::List(l) => {
                    let item = schema.lists.get(*l as usize).map(|l| match l.item.ty() {
                        crate::value::Ty::Int => FieldType::Int,
                        crate::value::Ty::Num => FieldType::Number,
                        crate::value::Ty::Bool => FieldType::Bool,
                        crate::value::Ty::Date => FieldType::Date,
                        crate::value::Ty::Month => FieldType::Month,
                        _ => FieldType::Text,
                    });
                    field_schema(info, item)
                }
                Member::Records(r) => {
                    let Some(rec) = schema.records.get(*r as usize) else {
                        continue;
                    };
                    let mut item_props = Map::new();
                    let mut item_required = Vec::new();
                    for f in &rec.items {
                        if f.required {
                            item_required.push(json!(&*f.key));
                        }
                        item_props.insert(f.key.to_string(), field_schema(f, None));
                    }
                    let mut s = Map::new();
                    s.insert("title".into(), json!(info.label.zh));
                    s.insert("description".into(), json!(info.label.en));
                    s.insert(
                        "type".into(),
                        if info.required {
                            json!("array")
                        } else {
                            json!(["array", "null"])
                        },
                    );
                    item_counts(info, &mut s);
                    s.insert(
                        "items".into(),
                        json!({"type": "object", "properties": item_props, "required": item_required}),
                    );
                    Value::Object(s)
                }
            };
            props.insert(key.to_string(), value);
        }
        // A step holding a required field must be an object; the others may be `null` (absent).
        let ty = if required.is_empty() {
            json!(["object", "null"])
        } else {
            required_steps.push(json!(&*step.id));
            json!("object")
        };
        steps.insert(
            step.id.to_string(),
            json!({"title": step.title.zh, "description": step.title.en, "type": ty, "properties": props, "required": required}),
        );
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("urn:baokao:{pack_id}:application"),
        "title": format!("Application for rule pack {pack_id}"),
        "type": "object",
        "properties": steps,
        "required": required_steps,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::builtins::dates::{parse_date, parse_datetime, YearMonth};

    fn anchored(p: &str) -> regex::Regex {
        regex::Regex::new(&format!("^{p}$")).unwrap()
    }

    /// Years around every rule of the calendar: year 0, the first years, leap centuries and not.
    fn years() -> impl Iterator<Item = u32> {
        [
            0..12,
            96..105,
            396..405,
            1896..1905,
            1996..2005,
            2096..2105,
            9990..10_000,
        ]
        .into_iter()
        .flatten()
    }

    #[test]
    fn date_and_month_patterns_are_the_engine_parsers() {
        let (date, month) = (anchored(DATE), anchored(MONTH));
        let either = anchored(&format!("(?:{DATE}|{MONTH})"));
        for y in years() {
            for m in 0..=13 {
                let s = format!("{y:04}-{m:02}");
                assert_eq!(month.is_match(&s), YearMonth::parse(&s).is_some(), "{s}");
                assert_eq!(either.is_match(&s), YearMonth::parse(&s).is_some(), "{s}");
                for d in 0..=32 {
                    let s = format!("{y:04}-{m:02}-{d:02}");
                    assert_eq!(date.is_match(&s), parse_date(&s).is_some(), "{s}");
                    assert_eq!(either.is_match(&s), parse_date(&s).is_some(), "{s}");
                }
            }
        }
    }

    #[test]
    fn datetime_pattern_is_the_engine_parser() {
        let re = anchored(&format!("{DATE}{TIME}"));
        let mut cases = Vec::new();
        for date in [
            "2024-01-25",
            "2024-02-29",
            "2023-02-29",
            "0000-01-01",
            "0001-01-01",
        ] {
            for sep in ["T", "t", " ", "_"] {
                for time in [
                    "10:15:00", "23:59:60", "24:00:00", "10:60:00", "9:15:00", "10:15",
                ] {
                    for frac in ["", ".5", ".123456789123", "."] {
                        for zone in [
                            "Z", "z", "+08:00", "-00:00", "+23:59", "+24:00", "+0800", "",
                        ] {
                            cases.push(format!("{date}{sep}{time}{frac}{zone}"));
                        }
                    }
                }
            }
        }
        for s in &cases {
            assert_eq!(re.is_match(s), parse_datetime(s).is_some(), "{s}");
        }
    }
}
