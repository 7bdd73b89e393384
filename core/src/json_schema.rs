//! Export of a pack's application schema as JSON Schema (draft 2020-12), for form generators.
//!
//! The export describes structure only (types, enumerations, patterns, lengths, ranges, required
//! fields); cross-field rules and eligibility stay in the engine. Unknown fields are allowed, as the
//! engine reports them as warnings rather than errors. The engine reads `null` as "absent", so
//! `null` is accepted for optional fields and refused for required ones (the engine's
//! `required_missing`), and a step with a required field is itself required.
//!
//! Not exported: conditional requirements (`required_when`, an expression over other fields),
//! and the engine's refusal of integral floats such as `295.0` for `int` fields (JSON Schema's
//! `integer` accepts them). A document valid against the export can therefore still get
//! `required_missing` or `type_mismatch` from the engine; one invalid against it always gets an
//! error.

use serde_json::{json, Map, Value};

use crate::pack::model::FieldType;
use crate::schema::{FieldInfo, Member, Schema};

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
            }
            FieldType::Month => {
                s.insert("pattern".into(), json!("^[0-9]{4}-(0[1-9]|1[0-2])$"));
            }
            FieldType::DateOrMonth => {
                s.insert(
                    "anyOf".into(),
                    json!([{"format": "date"}, {"pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}]),
                );
            }
            FieldType::Datetime => {
                s.insert("format".into(), json!("date-time"));
            }
            _ => {}
        }
    };
    match f.field_type {
        FieldType::List => {
            base(FieldType::List, nullable, &mut s);
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
            if let Some(n) = c.min {
                s.insert("minimum".into(), json!(n));
            }
            if let Some(n) = c.max {
                s.insert("maximum".into(), json!(n));
            }
        }
    }
    if f.dash {
        return json!({"anyOf": [Value::Object(s), {"const": "-", "description": "not applicable (师承/确有专长)"}]});
    }
    Value::Object(s)
}

/// The JSON Schema of applications for a compiled schema.
pub fn export(schema: &Schema, pack_id: &str) -> Value {
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
                    if let Some(n) = info.constraints.max_length {
                        s.insert("maxItems".into(), json!(n));
                    }
                    s.insert(
                        "items".into(),
                        json!({"type": "object", "properties": item_props, "required": item_required}),
                    );
                    Value::Object(s)
                }
            };
            props.insert(key.to_string(), value);
        }
        if !required.is_empty() {
            required_steps.push(json!(&*step.id));
        }
        steps.insert(
            step.id.to_string(),
            json!({"title": step.title.zh, "description": step.title.en, "type": "object", "properties": props, "required": required}),
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
