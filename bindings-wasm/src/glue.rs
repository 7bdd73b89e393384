//! The binding's logic in plain Rust, so it is unit-tested on the host: text in, JSON text out.
//!
//! Everything crossing the JavaScript boundary is JSON text. Applications arrive as the text the
//! JavaScript side produced with `JSON.stringify` (or the caller's own string) and go through
//! [`Engine::validate_json`], so the core's size and depth limits apply before any parsing.
//! Reports leave as `serde_json::to_string(&report)`: the very bytes the core's JSON is, which
//! `JSON.parse` turns into plain objects. Nothing of a report is computed here.

use baokao::pack::model::{FieldDef, FieldType, Localized, Source};
use baokao::report::PackInfo;
use baokao::schema::{FieldInfo, Member};
use baokao::{Diagnostic, Engine, Error, Finding, Lang, Options};
use serde::Serialize;

/// An error as JavaScript receives it: thrown as a plain `{code, message, path}` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    /// Stable `snake_case` code: the core's `Error::code()`, or one of the binding's own
    /// (`invalid_option`, `unknown_field`, `engine_trapped`; see `bindings-wasm/README.md`).
    pub code: String,
    /// For people; may change.
    pub message: String,
    /// JSON pointer of the problem, `""` for the whole document or bundle.
    pub path: String,
    /// For `compile` errors: every problem found, not just the first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// One compile error of a bundle that does not compile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorDetail {
    /// Stable code (`unknown_field`, `type_mismatch` …).
    pub code: String,
    /// The rule, field or decision concerned (`rule XF-01 check`).
    pub item: String,
    /// What is wrong.
    pub message: String,
}

impl ErrorInfo {
    /// An error of the binding itself.
    pub fn new(code: &str, message: impl Into<String>, path: impl Into<String>) -> Self {
        ErrorInfo {
            code: code.to_owned(),
            message: message.into(),
            path: path.into(),
            details: Vec::new(),
        }
    }

    /// The JSON text JavaScript parses and throws.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"code":"internal_error","message":"error not serialisable","path":""}"#.to_owned()
        })
    }
}

impl From<Error> for ErrorInfo {
    fn from(e: Error) -> Self {
        let details = match &e {
            Error::Compile(list) => list
                .iter()
                .map(|c| ErrorDetail {
                    code: c.code.to_owned(),
                    item: c.item.clone(),
                    message: c.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let path = match &e {
            Error::Application(a) => a.path().to_owned(),
            _ => String::new(),
        };
        ErrorInfo {
            code: e.code().to_owned(),
            message: e.to_string(),
            path,
            details,
        }
    }
}

/// Parse the `lang` option (`zh`, `en`, `zh-CN` …; empty means the default, Chinese).
pub fn parse_lang(lang: &str) -> Result<Lang, ErrorInfo> {
    if lang.is_empty() {
        return Ok(Lang::default());
    }
    Lang::parse(lang).ok_or_else(|| {
        ErrorInfo::new(
            "invalid_option",
            format!("unknown language `{lang}`: {}", Lang::EXPECTED),
            "",
        )
    })
}

/// The result of [`Glue::validate_field`]: what a live form shows next to one field.
#[derive(Debug, Serialize)]
pub struct FieldResult<'r> {
    /// The field's JSON pointer (`/basic/id_number`, `/certificates/records/0/cert_no`).
    pub path: String,
    /// The step that was validated (the field's step).
    pub step: &'r str,
    /// No error-severity diagnostic for this field.
    pub valid: bool,
    /// The step report's diagnostics at this path (or below it, for a records field).
    pub diagnostics: Vec<&'r Diagnostic>,
    /// The step report's eligibility findings that point at this field.
    pub findings: Vec<FieldFinding<'r>>,
}

/// An eligibility finding shown at a field, with which list of the report it came from.
#[derive(Debug, Serialize)]
pub struct FieldFinding<'r> {
    /// `reason`, `condition` or `restriction`.
    pub kind: &'static str,
    /// The finding, exactly as in the report.
    #[serde(flatten)]
    pub finding: &'r Finding,
}

/// Describes one field of the form, for form builders.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpec<'p> {
    /// Dotted path as the pack declares it (`basic.id_number`, `certificates.records[].cert_no`).
    pub path: &'p str,
    /// JSON pointer of the field; for a records item field, `{i}` stands for the entry index.
    pub pointer: String,
    /// Step id.
    pub step: &'p str,
    /// Key inside its step or record entry.
    pub key: &'p str,
    /// For a records item field: the dotted path of its records field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<&'p str>,
    /// Value type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Item type of a list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<FieldType>,
    /// Label.
    pub label: &'p Localized<String>,
    /// Always required.
    pub required: bool,
    /// Required when this expression holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_when: Option<&'p str>,
    /// Allowed values in declaration order (a table's keys included).
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enumeration: Option<Vec<&'p str>>,
    /// The table the allowed values come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enum_table: Option<&'p str>,
    /// Regular expression the whole value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<&'p str>,
    /// Bounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Bounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Bounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Bounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Never echoed in full in reports.
    pub mask: bool,
    /// Accepts the placeholder `-`.
    pub dash: bool,
    /// Help for form authors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<&'p str>,
}

/// One step of the form.
#[derive(Debug, Serialize)]
pub struct StepSpec<'p> {
    /// Id (`basic`).
    pub id: &'p str,
    /// Title.
    pub title: &'p Localized<String>,
}

/// The form as the pack declares it: what a form builder needs.
#[derive(Debug, Serialize)]
pub struct FormSpec<'p> {
    /// The pack.
    pub pack: &'p PackInfo,
    /// The pack's title.
    pub title: &'p Localized<String>,
    /// Steps in form order.
    pub steps: Vec<StepSpec<'p>>,
    /// Fields in declaration (form) order.
    pub fields: Vec<FieldSpec<'p>>,
}

/// A compiled engine with the binding's text-in, JSON-out operations.
#[derive(Debug, Clone)]
pub struct Glue {
    engine: Engine,
}

fn to_json<T: Serialize>(value: &T) -> Result<String, ErrorInfo> {
    serde_json::to_string(value)
        .map_err(|e| ErrorInfo::new("internal_error", format!("cannot serialise: {e}"), ""))
}

/// Split a JSON pointer into unescaped segments (RFC 6901).
fn pointer_segments(pointer: &str) -> Option<Vec<String>> {
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

impl Glue {
    /// Compile a bundle (the JSON written by `baokao bundle`).
    pub fn from_bundle(json: &str) -> Result<Glue, ErrorInfo> {
        Ok(Glue {
            engine: Engine::from_bundle(json)?,
        })
    }

    /// The compiled engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Validate application JSON text; the report as JSON text.
    pub fn run(
        &self,
        application: &str,
        lang: &str,
        step: Option<String>,
        explain: bool,
    ) -> Result<String, ErrorInfo> {
        let options = Options {
            lang: parse_lang(lang)?,
            step,
            explain,
        };
        let report = self.engine.validate_json(application, &options)?;
        to_json(&report)
    }

    /// The printable success notice of application JSON text (the core's `Engine::notice_json`).
    pub fn notice(&self, application: &str, lang: &str) -> Result<String, ErrorInfo> {
        Ok(self.engine.notice_json(application, parse_lang(lang)?)?)
    }

    /// Validate a parsed document (no size or depth limit: the caller parsed it).
    pub fn run_value(
        &self,
        application: &serde_json::Value,
        lang: &str,
        step: Option<String>,
        explain: bool,
    ) -> Result<baokao::Report, ErrorInfo> {
        let options = Options {
            lang: parse_lang(lang)?,
            step,
            explain,
        };
        Ok(self.engine.run(application, &options)?)
    }

    /// The step ids in form order, as a JSON array.
    pub fn steps(&self) -> Result<String, ErrorInfo> {
        to_json(&self.engine.steps().collect::<Vec<_>>())
    }

    /// Resolve a field path (a JSON pointer, or `step.field`) to its JSON pointer and step id.
    fn resolve_field(&self, path: &str) -> Result<(String, &str), ErrorInfo> {
        let schema = &self.engine.program().schema;
        let pointer = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{}", path.replace('.', "/"))
        };
        let unknown = || {
            ErrorInfo::new(
                "unknown_field",
                format!("`{path}` is not a field of the pack's form"),
                pointer.clone(),
            )
        };
        let segments = pointer_segments(&pointer).ok_or_else(unknown)?;
        let [step, key, rest @ ..] = segments.as_slice() else {
            return Err(unknown());
        };
        let member = schema
            .member(&format!("{step}.{key}"))
            .ok_or_else(unknown)?;
        let info: &FieldInfo = match (member, rest) {
            (m, []) => schema.info(m).ok_or_else(unknown)?,
            (Member::Records(r), [index, item])
                if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) =>
            {
                schema.item_field(r, item).ok_or_else(unknown)?.1
            }
            _ => return Err(unknown()),
        };
        let step_id = schema
            .steps
            .get(info.step as usize)
            .map(|s| &*s.id)
            .ok_or_else(unknown)?;
        Ok((pointer, step_id))
    }

    /// Validate the step of one field and keep what concerns that field: the diagnostics at its
    /// JSON pointer (or below it: entries of a records field), and eligibility findings pointing
    /// at it. This is what a live form shows next to a field as the candidate types.
    pub fn validate_field(
        &self,
        path: &str,
        application: &str,
        lang: &str,
    ) -> Result<String, ErrorInfo> {
        let lang = parse_lang(lang)?;
        let (pointer, step) = self.resolve_field(path)?;
        let options = Options {
            lang,
            step: Some(step.to_owned()),
            explain: false,
        };
        let report = self.engine.validate_json(application, &options)?;
        let below = format!("{pointer}/");
        let at = |p: &str| p == pointer || p.starts_with(&below);
        let diagnostics: Vec<&Diagnostic> =
            report.diagnostics.iter().filter(|d| at(&d.path)).collect();
        let e = &report.eligibility;
        let findings = [
            ("reason", &e.reasons),
            ("condition", &e.conditions),
            ("restriction", &e.restrictions),
        ]
        .into_iter()
        .flat_map(|(kind, list)| {
            list.iter()
                .filter(|f| f.path.as_deref().is_some_and(at))
                .map(move |finding| FieldFinding { kind, finding })
        })
        .collect();
        let valid = !diagnostics
            .iter()
            .any(|d| d.severity == baokao::pack::model::Severity::Error);
        to_json(&FieldResult {
            path: pointer.clone(),
            step,
            valid,
            diagnostics,
            findings,
        })
    }

    /// The form: steps, and every field with its label, type and allowed values.
    pub fn form(&self) -> Result<String, ErrorInfo> {
        let program = self.engine.program();
        let schema = &program.schema;
        let pack = self.engine.pack();
        let steps = pack
            .steps
            .iter()
            .map(|s| StepSpec {
                id: &s.id,
                title: &s.title,
            })
            .collect();
        let fields = pack
            .fields
            .iter()
            .filter_map(|def| field_spec(def, schema))
            .collect();
        to_json(&FormSpec {
            pack: &program.info,
            title: &pack.pack.title,
            steps,
            fields,
        })
    }
}

fn field_spec<'p>(
    def: &'p FieldDef<Source>,
    schema: &'p baokao::schema::Schema,
) -> Option<FieldSpec<'p>> {
    let (info, records, pointer) = match def.path.split_once("[].") {
        Some((parent, sub)) => {
            let Some(Member::Records(r)) = schema.member(parent) else {
                return None;
            };
            let (_, info) = schema.item_field(r, sub)?;
            let parent_pointer = format!("/{}", parent.replace('.', "/"));
            (info, Some(parent), format!("{parent_pointer}/{{i}}/{sub}"))
        }
        None => (
            schema.info(schema.member(&def.path)?)?,
            None,
            format!("/{}", def.path.replace('.', "/")),
        ),
    };
    let step = schema.steps.get(info.step as usize).map(|s| &*s.id)?;
    Some(FieldSpec {
        path: &def.path,
        pointer,
        step,
        key: &info.key,
        records,
        ty: def.ty,
        items: def.items,
        label: &def.label,
        required: def.required,
        required_when: def.required_when.as_ref().map(|s| s.text.as_str()),
        enumeration: info
            .enumeration
            .as_ref()
            .map(|v| v.iter().map(AsRef::as_ref).collect()),
        enum_table: def.enum_table.as_deref(),
        pattern: def.pattern.as_ref().map(|s| s.text.as_str()),
        min_length: def.min_length,
        max_length: def.max_length,
        min: def.min,
        max: def.max,
        mask: def.mask.is_masked(),
        dash: def.dash,
        doc: def.doc.as_deref(),
    })
}
