//! The form as the pack describes it: what a portal needs to *draw* the registration form, not
//! only to judge it — steps in order, and per field its type, label, help, allowed values with
//! their labels, checks, whether it is required (always, or when a condition holds), masked, or
//! derived from other fields.
//!
//! [`Form`] is static: one per pack and language ([`crate::Engine::form`]). [`FormState`] is what
//! a partial application makes of it ([`crate::Engine::form_state`]): which fields are required
//! now, and the values of derived fields (gender and date of birth from a mainland ID number),
//! which a form fills in and does not let the candidate edit.
//!
//! Both are contracts shared by every runtime, like the report: documented in `docs/form.md`, and
//! the bindings serialise these structs, so the CLI, Python and JavaScript give the same bytes.

use serde::{Serialize, Serializer};

use crate::compile::Program;
use crate::engine::{is_required, DEFAULT_WORK_LIMIT};
use crate::error::ApplicationError;
use crate::expr::eval::{self, Cx, Env, NoTrace, Work};
use crate::mask::Mask;
use crate::pack::model::{FieldDef, FieldType, MaskStyle, MeasureDef, Source};
use crate::report::{Lang, PackInfo};
use crate::schema::{FieldInfo, Member, Schema, Sink};
use crate::value::Value;

/// The form of a pack in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Form {
    /// The pack, as in every report.
    pub pack: PackInfo,
    /// The language of the texts.
    pub lang: Lang,
    /// The pack's title.
    pub title: String,
    /// The steps in form order, with their fields.
    pub steps: Vec<FormStep>,
}

/// One step (page) of the form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormStep {
    /// The application's top-level key (`basic`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Help for candidates at the top of the step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Data the exam authority supplies, never typed by the candidate: not shown by forms.
    pub authority: bool,
    /// Files the candidate chooses on this step; fields with `measure` take their measurements.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FormFile>,
    /// The step's fields in declaration order (the order of the form).
    pub fields: Vec<FormField>,
}

/// A file the candidate chooses (the photo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormFile {
    /// Id, named by the `measure` of the fields it fills.
    pub id: String,
    /// Label of the file input.
    pub label: String,
    /// Help for candidates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// One field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent flags of the pack format, each a key of the JSON contract"
)]
pub struct FormField {
    /// Dotted path as the pack declares it (`basic.id_number`, `certificates.records[].cert_no`).
    pub path: String,
    /// JSON pointer of the value; in a records item, `{i}` stands for the entry's index.
    pub pointer: String,
    /// Key inside its step or records entry.
    pub key: String,
    /// Value type (`text`, `date`, `records` …).
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Item type of a `list`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_type: Option<FieldType>,
    /// Label.
    pub label: String,
    /// Help for candidates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Always required.
    pub required: bool,
    /// Required when this expression holds ([`FormState::required`] evaluates it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_when: Option<String>,
    /// The allowed values with their labels, in order (a table's keys included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<FormOption>>,
    /// Regular expression the whole value must match (Rust `regex` syntax).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Fewest characters (text) or items (lists, records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Most characters (text) or items (lists, records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Smallest number.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "whole_as_integer"
    )]
    pub min: Option<f64>,
    /// Largest number.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "whole_as_integer"
    )]
    pub max: Option<f64>,
    /// Never echoed in full by reports (an input that hides what is typed suits it).
    pub mask: bool,
    /// Accepts the placeholder `-` ("not applicable").
    pub dash: bool,
    /// Filled from the clock when the candidate submits, not typed.
    pub clock: bool,
    /// Computed from other fields; forms fill it and do not let the candidate edit it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived: Option<FormDerived>,
    /// Measured from a file the candidate chooses, not typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<MeasureDef>,
    /// The fields of each entry of a `records` field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FormField>>,
}

/// An allowed value and how to show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormOption {
    /// The value the application holds.
    pub value: String,
    /// What a candidate reads.
    pub label: String,
}

/// How a derived field is computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormDerived {
    /// The expression of the value (`id_gender(basic.id_number)`).
    pub value: String,
    /// When the derivation applies; otherwise the candidate types the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The fields it reads (dotted paths): when one changes, ask [`FormState`] again.
    pub from: Vec<String>,
}

/// What a partial application makes of the form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormState {
    /// The JSON pointers of the fields required now, in form order: fields always required,
    /// fields whose `required_when` holds, and the required fields of each records entry present.
    /// A condition that cannot be decided yet (it reads an empty field) does not require.
    pub required: Vec<String>,
    /// The derived fields whose derivation applies now, in form order.
    pub derived: Vec<DerivedValue>,
}

/// The value of a derived field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivedValue {
    /// JSON pointer of the field (`/basic/gender`).
    pub path: String,
    /// The value as the application holds it (`"男"`, `"1998-05-14"`), masked if the field is;
    /// `null` while it cannot be computed (the ID number is incomplete): the form shows the field
    /// empty and locked.
    pub value: serde_json::Value,
}

/// Whole numbers are written as integers (`0`, not `0.0`), as JavaScript and Python write them, so
/// the form's JSON is the same bytes in every runtime.
#[expect(
    clippy::ref_option,
    reason = "serde's serialize_with passes a reference to the field"
)]
fn whole_as_integer<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_991.0;
    match *v {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a whole number within ±(2^53 - 1) converts exactly"
        )]
        Some(x) if x.fract() == 0.0 && x.abs() <= EXACT => s.serialize_i64(x as i64),
        Some(x) => s.serialize_f64(x),
        None => s.serialize_none(),
    }
}

fn pointer_of(path: &str) -> String {
    match path.split_once("[].") {
        Some((parent, sub)) => format!("/{}/{{i}}/{sub}", parent.replace('.', "/")),
        None => format!("/{}", path.replace('.', "/")),
    }
}

/// The compiled field of a declared path.
fn info<'s>(schema: &'s Schema, path: &str) -> Option<&'s FieldInfo> {
    match path.split_once("[].") {
        Some((parent, sub)) => match schema.member(parent)? {
            Member::Records(r) => schema.item_field(r, sub).map(|(_, f)| f),
            _ => None,
        },
        None => schema.info(schema.member(path)?),
    }
}

fn field(def: &FieldDef<Source>, f: &FieldInfo, schema: &Schema, lang: Lang) -> FormField {
    let options = f.enumeration.as_ref().map(|values| {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| FormOption {
                value: v.to_string(),
                label: f
                    .option_labels
                    .as_ref()
                    .and_then(|l| l.get(i))
                    .map_or_else(|| v.to_string(), |l| lang.pick(l).clone()),
            })
            .collect()
    });
    let derived = f.derived.as_ref().map(|d| FormDerived {
        value: d.value_text.clone(),
        when: d.when_text.clone(),
        from: d
            .reads
            .iter()
            .filter_map(|s| schema.field(*s).map(|f| f.path.clone()))
            .collect(),
    });
    FormField {
        path: def.path.clone(),
        pointer: pointer_of(&def.path),
        key: f.key.to_string(),
        ty: def.ty,
        item_type: def.items.filter(|_| def.ty == FieldType::List),
        label: lang.pick(&def.label).clone(),
        help: f.help.as_ref().map(|h| lang.pick(h).clone()),
        required: def.required,
        required_when: def.required_when.as_ref().map(|w| w.text.clone()),
        options,
        pattern: def.pattern.as_ref().map(|p| p.text.clone()),
        min_length: def.min_length,
        max_length: def.max_length,
        min: def.min,
        max: def.max,
        mask: def.mask.is_masked(),
        dash: def.dash,
        clock: f.clock,
        derived,
        measure: f.measure.clone(),
        fields: None,
    }
}

/// The form of a compiled pack in `lang`.
pub(crate) fn describe(p: &Program, lang: Lang) -> Form {
    let schema = &p.schema;
    let mut steps: Vec<FormStep> = schema
        .steps
        .iter()
        .map(|s| FormStep {
            id: s.id.to_string(),
            title: lang.pick(&s.title).clone(),
            help: s.help.as_ref().map(|h| lang.pick(h).clone()),
            authority: s.authority,
            files: s
                .files
                .iter()
                .map(|(id, label, help)| FormFile {
                    id: id.clone(),
                    label: lang.pick(label).clone(),
                    help: help.as_ref().map(|h| lang.pick(h).clone()),
                })
                .collect(),
            fields: Vec::new(),
        })
        .collect();
    for def in &p.pack.fields {
        let Some(f) = info(schema, &def.path) else {
            continue;
        };
        let described = field(def, f, schema, lang);
        let Some(step) = steps.get_mut(f.step as usize) else {
            continue;
        };
        if let Some((parent, _)) = def.path.split_once("[].") {
            // An item field joins its records field (declared before it, as compiling checks).
            if let Some(records) = step.fields.iter_mut().find(|r| r.path == parent) {
                records.fields.get_or_insert_with(Vec::new).push(described);
            }
        } else {
            let mut described = described;
            if def.ty == FieldType::Records {
                described.fields = Some(Vec::new());
            }
            step.fields.push(described);
        }
    }
    Form {
        pack: p.info.clone(),
        lang,
        title: lang.pick(&p.pack.pack.title).clone(),
        steps,
    }
}

/// What `doc` makes of the form: the fields required now and the derived values. A `required_when`
/// or a derived value that runs out of the work budget (a quantifier over long lists) is
/// `work_limit_exceeded`, naming the field, as in a validation.
pub(crate) fn state(
    p: &Program,
    doc: &serde_json::Map<String, serde_json::Value>,
) -> Result<FormState, ApplicationError> {
    let schema = &p.schema;
    // Diagnostics are not wanted here: binding only reads the values.
    let mut scratch = Vec::new();
    let bound = {
        let mut sink = Sink::new(Lang::default(), None, &mut scratch, &schema.steps);
        schema.bind(doc, &mut sink)
    };
    let work = Work::new(DEFAULT_WORK_LIMIT);
    let cx = Cx {
        doc: &bound,
        regexes: &p.regexes,
        tables: &p.tables,
        decisions: &[],
        work: &work,
    };
    let mut required = Vec::new();
    let mut derived = Vec::new();
    for def in p.pack.fields.iter().filter(|d| !d.path.contains("[].")) {
        let Some(member) = schema.member(&def.path) else {
            continue;
        };
        let Some(f) = schema.info(member) else {
            continue;
        };
        let pointer = pointer_of(&def.path);
        if is_required(f, &cx) {
            required.push(pointer.clone());
        }
        if let Member::Records(r) = member {
            let entries = bound
                .records
                .get(r as usize)
                .and_then(Option::as_ref)
                .map_or(0, Vec::len);
            let items = schema.records.get(r as usize).map_or(&[][..], |r| &r.items);
            for i in 0..entries {
                for item in items.iter().filter(|f| f.required) {
                    required.push(format!("{pointer}/{i}/{}", item.key));
                }
            }
        }
        if let Some(d) = &f.derived {
            let applies = d.when.as_ref().is_none_or(|w| {
                eval::eval(w, &cx, &Env::default(), &mut NoTrace) == Value::Bool(true)
            });
            if applies {
                let value = eval::eval(&d.value, &cx, &Env::default(), &mut NoTrace);
                let mask = match f.mask {
                    MaskStyle::None => Mask::Clear,
                    MaskStyle::Partial => Mask::Field,
                    MaskStyle::All => Mask::Derived,
                };
                derived.push(DerivedValue {
                    path: pointer,
                    value: mask.to_json(value),
                });
            }
        }
        if work.is_exceeded() {
            return Err(ApplicationError::WorkLimitExceeded {
                limit: work.limit(),
                rule: def.path.clone(),
            });
        }
    }
    Ok(FormState { required, derived })
}
