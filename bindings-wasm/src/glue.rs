//! The binding's logic in plain Rust, so it is unit-tested on the host: text in, JSON text out.
//!
//! Everything crossing the JavaScript boundary is JSON text. Applications arrive as the text the
//! JavaScript side produced with `JSON.stringify` (or the caller's own string) and go through
//! [`Engine::validate_json`], so the core's size and depth limits apply before any parsing.
//! Reports leave as `serde_json::to_string(&report)`: the very bytes the core's JSON is, which
//! `JSON.parse` turns into plain objects. Nothing of a report is computed here.

use baokao::{Engine, Error, Lang, LoadOptions, Options};
use serde::Serialize;

/// An error as JavaScript receives it: thrown as a plain `{code, message, path}` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    /// Stable `snake_case` code: the core's `Error::code()`, or one of the binding's own
    /// (`invalid_option`, `engine_trapped`; see `bindings-wasm/README.md`).
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

/// A compiled engine with the binding's text-in, JSON-out operations.
#[derive(Debug, Clone)]
pub struct Glue {
    engine: Engine,
}

fn to_json<T: Serialize>(value: &T) -> Result<String, ErrorInfo> {
    serde_json::to_string(value)
        .map_err(|e| ErrorInfo::new("internal_error", format!("cannot serialise: {e}"), ""))
}

impl Glue {
    /// Compile a bundle (the JSON written by `baokao bundle`).
    pub fn from_bundle(json: &str) -> Result<Glue, ErrorInfo> {
        Glue::from_bundle_with(json, &LoadOptions::default())
    }

    /// Compile a bundle with options (the digest it must have).
    pub fn from_bundle_with(json: &str, options: &LoadOptions) -> Result<Glue, ErrorInfo> {
        Ok(Glue {
            engine: Engine::from_bundle_with(json, options)?,
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
            ..Options::default()
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
            ..Options::default()
        };
        Ok(self.engine.run(application, &options)?)
    }

    /// The step ids in form order, as a JSON array.
    pub fn steps(&self) -> Result<String, ErrorInfo> {
        to_json(&self.engine.steps().collect::<Vec<_>>())
    }

    /// What a live form shows next to one field (the core's `Engine::validate_field`): the
    /// diagnostics and eligibility findings of the field's step at the field.
    pub fn validate_field(
        &self,
        path: &str,
        application: &str,
        lang: &str,
    ) -> Result<String, ErrorInfo> {
        let lang = parse_lang(lang)?;
        to_json(&self.engine.validate_field_json(path, application, lang)?)
    }

    /// The form as the pack describes it, its texts in `lang` (the core's `Engine::form`).
    pub fn form(&self, lang: &str) -> Result<String, ErrorInfo> {
        to_json(&self.engine.form(parse_lang(lang)?))
    }

    /// What application JSON text makes of the form: the fields required now and the derived
    /// values (the core's `Engine::form_state`).
    pub fn form_state(&self, application: &str) -> Result<String, ErrorInfo> {
        to_json(&self.engine.form_state_json(application)?)
    }
}
