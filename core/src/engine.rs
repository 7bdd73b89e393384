//! The engine: compiled once from a pack, then validates applications.

use std::borrow::Cow;
use std::sync::Arc;

use crate::compile::{self, CCell, CDecision, CExpr, CRow, CRule, Kind, Part, Program};
use crate::error::{ApplicationError, Error};
use crate::expr::ast::Span;
use crate::expr::eval::{self, Bound, Cx, Env, NoTrace, Tracer, Work};
use crate::expr::ir::Node;
use crate::form::{Form, FormState};
use crate::mask::Mask;
#[cfg(feature = "pack-dir")]
use crate::pack::load;
use crate::pack::model::{Effect, HitPolicy, Localized, Pack, Severity};
use crate::pack::{Bundle, LoadOptions};
use crate::report::{
    Diagnostic, Eligibility, Finding, Lang, Material, Outcome, Report, TraceEntry, TraceValue,
};
use crate::schema::{Member, Sink};
use crate::value::Value;

/// Largest application document accepted, in bytes of JSON.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;
/// Deepest nesting of arrays and objects accepted in an application.
pub const MAX_DOCUMENT_DEPTH: usize = 64;

/// Work units one validation may spend by default (see [`Options::with_work_limit`]): about
/// 0.1 s of evaluation (the `work_limit` bench), 2.5 times what a pairwise check of a 1,000-item
/// list costs, and over 20,000 times what the shipped packs' examples spend (`docs/errors.md`,
/// "The work limit").
pub const DEFAULT_WORK_LIMIT: u64 = 10_000_000;

/// Options of one validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Language of messages.
    pub lang: Lang,
    /// Judge only this step (the form validating as the candidate goes).
    pub step: Option<String>,
    /// Add the `trace` of every rule and decision.
    pub explain: bool,
    /// Work units the validation may spend; `None` is [`DEFAULT_WORK_LIMIT`].
    pub work_limit: Option<u64>,
}

impl Options {
    /// Messages in `lang`.
    #[must_use]
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// Judge only `step`.
    #[must_use]
    pub fn with_step(mut self, step: impl Into<String>) -> Self {
        self.step = Some(step.into());
        self
    }

    /// Include the explain trace.
    #[must_use]
    pub fn with_explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// Let the validation spend at most `units` of evaluation work (quantifier items weighted by
    /// their body's size, list scans, text scanned); beyond it the validation fails with
    /// `work_limit_exceeded`. The default, [`DEFAULT_WORK_LIMIT`], suits every shipped pack.
    #[must_use]
    pub fn with_work_limit(mut self, units: u64) -> Self {
        self.work_limit = Some(units);
        self
    }
}

/// A compiled rule pack. Immutable, `Send + Sync`, and cheap to clone (an `Arc` inside).
#[derive(Debug, Clone)]
pub struct Engine {
    program: Arc<Program>,
}

/// The UTF-8 byte order mark. Editors on Windows start files with it: it names the encoding and
/// is no part of the document, so one at the start is skipped and not counted.
const BYTE_ORDER_MARK: &str = "\u{feff}";

/// Parse an application from JSON text, enforcing the size and depth limits. A leading byte order
/// mark is skipped.
pub fn parse_application(text: &str) -> Result<serde_json::Value, ApplicationError> {
    parse_document(text.strip_prefix(BYTE_ORDER_MARK).unwrap_or(text))
}

/// Parse an application from JSON bytes, which must be UTF-8 (else `invalid_encoding`, with the
/// line and column of the first byte that is not); otherwise as [`parse_application`]. The size
/// is checked first, so an oversized input is never decoded.
pub fn parse_application_bytes(bytes: &[u8]) -> Result<serde_json::Value, ApplicationError> {
    let bytes = bytes
        .strip_prefix(BYTE_ORDER_MARK.as_bytes())
        .unwrap_or(bytes);
    check_size(bytes.len())?;
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(bytes, &e))?;
    parse_document(text)
}

fn check_size(size: usize) -> Result<(), ApplicationError> {
    if size > MAX_DOCUMENT_BYTES {
        return Err(ApplicationError::TooLarge {
            size,
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    Ok(())
}

/// Where `bytes` stop being UTF-8: the line and column (1-based, in bytes, as `serde_json`
/// counts them) of the first byte that is not.
fn not_utf8(bytes: &[u8], e: &std::str::Utf8Error) -> ApplicationError {
    let at = e.valid_up_to();
    let before = bytes.get(..at).unwrap_or(bytes);
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    ApplicationError::Encoding {
        line: before.split(|&b| b == b'\n').count(),
        column: at - line_start + 1,
        byte: bytes.get(at).copied().unwrap_or_default(),
    }
}

/// Parse a document without its byte order mark.
///
/// The depth is checked while parsing ([`DepthSeed`]): a document nested deeper than
/// [`MAX_DOCUMENT_DEPTH`] stops the parse at its first level too many. Only when the parse fails
/// is the text scanned ([`check_depth`]), so that a document too deep is `too_deep` at the
/// offset the scan finds whatever else is wrong with it — as when the scan ran before parsing —
/// and a document that is not too deep keeps its JSON error. (A text that parses is valid JSON,
/// whose nesting the scan counts exactly: it passes the scan.)
#[cfg(not(target_arch = "wasm32"))]
fn parse_document(text: &str) -> Result<serde_json::Value, ApplicationError> {
    use serde::de::DeserializeSeed as _;
    check_size(text.len())?;
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = DepthSeed { depth: 0 }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| match check_depth(text.as_bytes()) {
        Err(too_deep) => too_deep,
        Ok(()) => ApplicationError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        },
    })
}

/// Parse a document without its byte order mark: in the WebAssembly build, the scan then the
/// parse (the same answers as the parse with its depth check, in less code: the `.wasm` has a
/// size budget).
#[cfg(target_arch = "wasm32")]
fn parse_document(text: &str) -> Result<serde_json::Value, ApplicationError> {
    check_size(text.len())?;
    check_depth(text.as_bytes())?;
    serde_json::from_str(text).map_err(|e| ApplicationError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// Deserializes a [`serde_json::Value`] as `serde_json` does, failing at the first array or
/// object nested deeper than [`MAX_DOCUMENT_DEPTH`]; `depth` counts the enclosing ones.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Copy)]
struct DepthSeed {
    depth: usize,
}

#[cfg(not(target_arch = "wasm32"))]
impl DepthSeed {
    /// The seed of the values inside an array or object, or an error when it is one too deep.
    fn inner<E: serde::de::Error>(self) -> Result<DepthSeed, E> {
        let depth = self.depth + 1;
        if depth > MAX_DOCUMENT_DEPTH {
            return Err(E::custom("nested too deep"));
        }
        Ok(DepthSeed { depth })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl<'de> serde::de::DeserializeSeed<'de> for DepthSeed {
    type Value = serde_json::Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl<'de> serde::de::Visitor<'de> for DepthSeed {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v)
            .map_or(serde_json::Value::Null, serde_json::Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(serde_json::Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(serde_json::Value::String(v))
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            items.push(v);
        }
        Ok(serde_json::Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let inner = self.inner()?;
        let mut values = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            values.insert(key, map.next_value_seed(inner)?);
        }
        Ok(serde_json::Value::Object(values))
    }
}

/// Find where a text nests arrays and objects deeper than [`MAX_DOCUMENT_DEPTH`], counting
/// brackets outside strings (whether or not the text is valid JSON).
fn check_depth(bytes: &[u8]) -> Result<(), ApplicationError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DOCUMENT_DEPTH {
                    return Err(ApplicationError::TooDeep {
                        limit: MAX_DOCUMENT_DEPTH,
                        offset: i,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Records traced values for `explain`.
struct Recorder {
    text: Arc<str>,
    values: Vec<TraceValue>,
}

impl Tracer for Recorder {
    fn record(&mut self, span: Span, mask: Mask, value: Value<'_>) {
        let expr = self
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
            .to_owned();
        let value = mask.to_json(value);
        self.values.push(TraceValue { expr, value });
    }
}

/// Evaluate in plain or traced form.
enum Mode {
    Plain,
    Explain(Vec<TraceEntry>),
}

impl Mode {
    /// Evaluate `e`; in explain mode, append what it saw to `values` (which plain mode leaves
    /// `None`, so validation allocates and drops nothing per rule).
    fn eval<'x>(
        &mut self,
        e: &'x CExpr,
        cx: &Cx<'x>,
        values: &mut Option<Vec<TraceValue>>,
    ) -> Value<'x> {
        match (self, values) {
            (Mode::Explain(_), Some(values)) => {
                let mut rec = Recorder {
                    text: e.text.clone(),
                    values: Vec::new(),
                };
                let v = eval::eval(&e.traced, cx, &Env::default(), &mut rec);
                values.append(&mut rec.values);
                v
            }
            _ => eval::eval(&e.plain, cx, &Env::default(), &mut NoTrace),
        }
    }

    /// A place for trace values: `Some` only when explaining.
    fn values(&self) -> Option<Vec<TraceValue>> {
        matches!(self, Mode::Explain(_)).then(Vec::new)
    }

    fn push(&mut self, entry: impl FnOnce() -> TraceEntry) {
        if let Mode::Explain(t) = self {
            t.push(entry());
        }
    }
}

/// A message template filled in: each hole's value as its mask says.
pub(crate) fn render(parts: &[Part], cx: &Cx<'_>) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            Part::Text(t) => s.push_str(t),
            Part::Hole(node, mask) => {
                let v = eval::eval(node, cx, &Env::default(), &mut NoTrace);
                s.push_str(&mask.to_text(v));
            }
        }
    }
    s
}

/// Accumulates the eligibility findings.
#[derive(Default)]
struct Verdict {
    route: Option<Arc<str>>,
    route_label: Option<Arc<str>>,
    conditions: Vec<Finding>,
    restrictions: Vec<Finding>,
    reasons: Vec<Finding>,
    review: Vec<Finding>,
    undetermined: Vec<Finding>,
    /// The later steps (than the one judged) that eligibility rules or decisions belong to.
    pending: std::collections::BTreeSet<u32>,
}

impl Verdict {
    fn add(&mut self, effect: Effect, f: Finding) {
        match effect {
            Effect::Ineligible => self.reasons.push(f),
            Effect::Conditional => self.conditions.push(f),
            Effect::NeedsReview => self.review.push(f),
            Effect::Restriction => self.restrictions.push(f),
        }
    }

    fn finish(mut self, lang: Lang, schema: &crate::schema::Schema) -> Eligibility {
        // Step-wise validation (`pending`): only a definite ineligibility is worth telling before
        // the steps eligibility needs are complete; everything else waits.
        let outcome = if !self.reasons.is_empty() {
            Outcome::Ineligible
        } else if !self.pending.is_empty() {
            Outcome::Undetermined
        } else if !self.review.is_empty() {
            Outcome::NeedsReview
        } else if !self.undetermined.is_empty() {
            Outcome::Undetermined
        } else if !self.conditions.is_empty() {
            Outcome::Conditional
        } else {
            Outcome::Eligible
        };
        let reasons = match outcome {
            Outcome::Ineligible => self.reasons,
            Outcome::NeedsReview => self.review,
            Outcome::Undetermined => {
                // What is pending, after what is missing: one finding per later step that
                // eligibility depends on, so the reasons of an undetermined outcome are never empty.
                let pending = std::mem::take(&mut self.pending);
                self.undetermined.extend(
                    pending
                        .into_iter()
                        .filter_map(|s| schema.steps.get(s as usize))
                        .map(|s| pending_step(s, lang)),
                );
                self.undetermined
            }
            _ => Vec::new(),
        };
        Eligibility {
            outcome,
            route: self.route,
            route_label: self.route_label,
            conditions: self.conditions,
            restrictions: self.restrictions,
            reasons,
        }
    }
}

impl Engine {
    /// Compile a merged pack.
    pub fn from_pack(pack: Pack) -> Result<Engine, Error> {
        let program = compile::compile(pack).map_err(Error::Compile)?;
        Ok(Engine {
            program: Arc::new(program),
        })
    }

    /// Load and compile a pack directory (with the packs it extends).
    #[cfg(feature = "pack-dir")]
    pub fn from_dir(dir: impl AsRef<std::path::Path>) -> Result<Engine, Error> {
        Engine::from_dir_with(dir, &LoadOptions::default())
    }

    /// Load and compile a pack directory with options: the digest it must have, the pack roots
    /// its paths may lead into.
    #[cfg(feature = "pack-dir")]
    pub fn from_dir_with(
        dir: impl AsRef<std::path::Path>,
        options: &LoadOptions,
    ) -> Result<Engine, Error> {
        let pack = load::load_dir_with(dir.as_ref(), options)?;
        let digest = crate::pack::digest(&pack);
        options.check_digest(&digest)?;
        Engine::compile(pack, digest)
    }

    /// Load and compile a bundle (the JSON written by [`Engine::bundle`] or `baokao bundle`).
    pub fn from_bundle(json: &str) -> Result<Engine, Error> {
        Engine::from_bundle_with(json, &LoadOptions::default())
    }

    /// Load and compile a bundle with options: a portal pins the digest of the pack it
    /// reviewed, and any other content — even a bundle whose own digest was recomputed after an
    /// edit — is refused with `digest_mismatch` before it is compiled.
    pub fn from_bundle_with(json: &str, options: &LoadOptions) -> Result<Engine, Error> {
        let bundle = Bundle::from_json(json)?;
        // `from_json` checked that the content hashes to the bundle's digest.
        options.check_digest(&bundle.digest)?;
        Engine::compile(bundle.pack, bundle.digest)
    }

    /// Load a directory or a bundle file, whichever `path` is.
    #[cfg(feature = "pack-dir")]
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Engine, Error> {
        Engine::from_path_with(path, &LoadOptions::default())
    }

    /// Load a directory or a bundle file, whichever `path` is, with options.
    #[cfg(feature = "pack-dir")]
    pub fn from_path_with(
        path: impl AsRef<std::path::Path>,
        options: &LoadOptions,
    ) -> Result<Engine, Error> {
        let path = path.as_ref();
        if path.is_dir() {
            return Engine::from_dir_with(path, options);
        }
        Engine::from_bundle_with(&load::read_bundle(path)?, options)
    }

    fn compile(pack: Pack, digest: String) -> Result<Engine, Error> {
        let program = compile::compile_with_digest(pack, digest).map_err(Error::Compile)?;
        Ok(Engine {
            program: Arc::new(program),
        })
    }

    /// The pack as a bundle (with or without its example applications).
    pub fn bundle(&self, with_examples: bool) -> Bundle {
        Bundle::new(&self.program.pack, with_examples)
    }

    /// The merged source pack.
    pub fn pack(&self) -> &Pack {
        &self.program.pack
    }

    /// The compiled program (for the crate's tooling: lint, coverage, the JSON Schema export).
    pub(crate) fn program(&self) -> &Program {
        &self.program
    }

    /// Which pack this is: its id, version and content digest, as every report names it.
    pub fn info(&self) -> &crate::report::PackInfo {
        &self.program.info
    }

    /// Ids of the form's steps, in order.
    pub fn steps(&self) -> impl Iterator<Item = &str> {
        self.program.schema.steps.iter().map(|s| &*s.id)
    }

    /// The form as the pack describes it, with its texts in `lang`: steps in order, and per field
    /// its type, label, help, allowed values with their labels, checks, whether it is required
    /// (always or when), masked or derived. What a portal needs to draw the form; the JSON
    /// contract is `docs/form.md`.
    pub fn form(&self, lang: Lang) -> Form {
        crate::form::describe(&self.program, lang)
    }

    /// What a partial application makes of the form: the fields required now (a `required_when`
    /// that holds) and the values of derived fields (gender and date of birth from a mainland ID
    /// number), which a form fills in and locks. Errors only when the application is not an
    /// object.
    pub fn form_state(&self, application: &serde_json::Value) -> Result<FormState, Error> {
        let serde_json::Value::Object(doc) = application else {
            return Err(ApplicationError::NotAnObject {
                found: json_kind(application),
            }
            .into());
        };
        Ok(crate::form::state(&self.program, doc)?)
    }

    /// [`Engine::form_state`] of JSON text (the size limit applied before parsing, the depth limit while parsing).
    pub fn form_state_json(&self, text: &str) -> Result<FormState, Error> {
        self.form_state(&parse_application(text)?)
    }

    /// Validate a whole application (messages in Chinese).
    pub fn validate(&self, application: &serde_json::Value) -> Result<Report, Error> {
        self.run(application, &Options::default())
    }

    /// Judge only what `step` of the form can know: its fields and the rules that belong to it.
    /// Eligibility is `undetermined` until the steps it needs are reached, unless a definite
    /// ineligibility is already known.
    pub fn validate_step(
        &self,
        step: &str,
        application: &serde_json::Value,
    ) -> Result<Report, Error> {
        self.run(application, &Options::default().with_step(step))
    }

    /// Validate with a trace of every rule and decision and the values they saw.
    pub fn explain(&self, application: &serde_json::Value) -> Result<Report, Error> {
        self.run(application, &Options::default().with_explain(true))
    }

    /// Whether the application is valid and eligible with nothing left to do ([`Report::is_ok`]):
    /// `false` for a `conditional` candidate too.
    pub fn is_valid(&self, application: &serde_json::Value) -> bool {
        self.validate(application).is_ok_and(|r| r.is_ok())
    }

    /// The printable registration success notice (报名成功通知单) of an application: a self-contained
    /// A4 HTML page (no script, no external resource, text escaped) with the candidate's data as
    /// captured (masked fields masked), the route in words, conditions and their due dates,
    /// restrictions, the reviewer's questions, the materials checklist and the pack's notice lines.
    /// An application that is invalid, ineligible or undetermined gets no page: the error
    /// `notice_refused` says why.
    pub fn notice(&self, application: &serde_json::Value, lang: Lang) -> Result<String, Error> {
        let report = self.run(application, &Options::default().with_lang(lang))?;
        crate::notice::check_printable(&report)?;
        let p = &*self.program;
        let lines = match (&p.notice, application) {
            (Some(n), serde_json::Value::Object(doc)) if !n.lines.is_empty() => {
                let mut scratch = Vec::new();
                let bound = {
                    let mut sink = Sink::new(lang, None, &mut scratch, &p.schema.steps);
                    p.schema.bind(doc, &mut sink)
                };
                // The notice's lines are templates too: they get a work budget of their own.
                let work = Work::new(DEFAULT_WORK_LIMIT);
                let cx = Cx {
                    doc: &bound,
                    regexes: &p.regexes,
                    tables: &p.tables,
                    decisions: &[],
                    work: &work,
                };
                let lines = n
                    .lines
                    .iter()
                    .map(|(label, value)| {
                        (
                            lang.pick::<String>(label).clone(),
                            render(lang.pick::<Vec<Part>>(value), &cx),
                        )
                    })
                    .collect();
                if work.is_exceeded() {
                    return Err(ApplicationError::WorkLimitExceeded {
                        limit: work.limit(),
                        rule: "notice".to_owned(),
                    }
                    .into());
                }
                lines
            }
            _ => Vec::new(),
        };
        Ok(crate::notice::render(p, application, &report, &lines, lang))
    }

    /// [`Engine::notice`] of JSON text.
    pub fn notice_json(&self, text: &str, lang: Lang) -> Result<String, Error> {
        let doc = parse_application(text)?;
        self.notice(&doc, lang)
    }

    /// Validate JSON text (the size limit applied before parsing, the depth limit while parsing;
    /// a leading byte order mark skipped).
    pub fn validate_json(&self, text: &str, options: &Options) -> Result<Report, Error> {
        let doc = parse_application(text)?;
        self.run(&doc, options)
    }

    /// Validate JSON bytes, as read from a file: as [`Engine::validate_json`], and bytes that are
    /// not UTF-8 are an `invalid_encoding` error with their line and column.
    pub fn validate_json_bytes(&self, bytes: &[u8], options: &Options) -> Result<Report, Error> {
        let doc = parse_application_bytes(bytes)?;
        self.run(&doc, options)
    }

    /// `value` of the field at `path` (dotted: `basic.id_number`) as reports show it: masked when
    /// the pack marks the field `mask`, else unchanged (also when `path` is no field). For callers
    /// that echo a field's value next to a report, such as a batch's `id` column.
    pub fn mask<'a>(&self, path: &str, value: &'a str) -> Cow<'a, str> {
        let schema = &self.program.schema;
        let style = schema
            .member(path)
            .and_then(|m| schema.info(m))
            .map(|f| f.mask)
            .unwrap_or_default();
        crate::mask::field_text(style, value)
    }

    /// Validate with explicit options.
    pub fn run(&self, application: &serde_json::Value, options: &Options) -> Result<Report, Error> {
        let p = &*self.program;
        let serde_json::Value::Object(doc) = application else {
            return Err(ApplicationError::NotAnObject {
                found: json_kind(application),
            }
            .into());
        };
        let only_step = match &options.step {
            Some(s) => Some(p.schema.step_index(s).ok_or_else(|| {
                ApplicationError::UnknownStep {
                    step: s.clone(),
                    known: p
                        .schema
                        .steps
                        .iter()
                        .map(|s| &*s.id)
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?),
            None => None,
        };
        let lang = options.lang;
        let mut diagnostics = Vec::new();
        let bound = {
            let mut sink = Sink::new(lang, only_step, &mut diagnostics, &p.schema.steps);
            let bound = p.schema.bind(doc, &mut sink);
            sink.finish();
            bound
        };
        let mut mode = if options.explain {
            Mode::Explain(Vec::new())
        } else {
            Mode::Plain
        };
        let work = Work::new(options.work_limit.unwrap_or(DEFAULT_WORK_LIMIT));
        let exceeded = |at: &str| -> Error {
            ApplicationError::WorkLimitExceeded {
                limit: work.limit(),
                rule: at.to_owned(),
            }
            .into()
        };
        self.check_required(&bound, &work, lang, only_step, &mut diagnostics)
            .map_err(|field| exceeded(&field))?;

        let mut verdict = Verdict::default();
        let mut outputs: Vec<Value<'_>> = Vec::with_capacity(p.decisions.len());
        for d in &p.decisions {
            let out = {
                let cx = Cx {
                    doc: &bound,
                    regexes: &p.regexes,
                    tables: &p.tables,
                    decisions: &outputs,
                    work: &work,
                };
                if only_step.is_some_and(|s| d.step > s) {
                    verdict.pending.insert(d.step);
                    Value::Unknown
                } else {
                    run_decision(d, &cx, lang, &mut verdict, &mut mode, &p.schema)
                }
            };
            if work.is_exceeded() {
                return Err(exceeded(&d.id));
            }
            outputs.push(out);
        }
        let cx = Cx {
            doc: &bound,
            regexes: &p.regexes,
            tables: &p.tables,
            decisions: &outputs,
            work: &work,
        };
        for r in &p.rules {
            let applies = match (only_step, r.kind) {
                (None, _) => true,
                (Some(s), Kind::Validation(_)) => r.step == s,
                (Some(s), Kind::Eligibility(_)) => {
                    if r.step > s {
                        verdict.pending.insert(r.step);
                    }
                    r.step <= s
                }
            };
            if applies {
                run_rule(
                    r,
                    &cx,
                    lang,
                    &mut diagnostics,
                    &mut verdict,
                    &mut mode,
                    &p.schema,
                );
                if work.is_exceeded() {
                    return Err(exceeded(&r.id));
                }
            }
        }
        // The checklist of on-site review: only a whole application can say what applies.
        let mut materials = Vec::new();
        if only_step.is_none() {
            for m in &p.materials {
                let mut values = mode.values();
                let listed = m
                    .when
                    .as_ref()
                    .map_or(Value::Bool(true), |w| mode.eval(w, &cx, &mut values));
                mode.push(|| TraceEntry {
                    rule: m.id.clone(),
                    result: match listed {
                        Value::Bool(true) => "listed",
                        Value::Bool(false) => "not_applicable",
                        _ => "undetermined",
                    }
                    .into(),
                    row: None,
                    values: values.unwrap_or_default(),
                });
                if listed == Value::Bool(true) {
                    materials.push(Material {
                        id: m.id.clone(),
                        label: render(lang.pick::<Vec<Part>>(&m.label), &cx),
                        rule: m.rule.clone(),
                        verify: m
                            .verify
                            .as_ref()
                            .map(|v| render(lang.pick::<Vec<Part>>(v), &cx)),
                        cite: m.cite.clone(),
                    });
                }
            }
        }
        // Form order, then rule order within a step: what a candidate reads top to bottom.
        // Diagnostics of the whole document (no step) come last.
        let step_rank = |d: &Diagnostic| {
            d.step
                .as_deref()
                .and_then(|s| p.schema.step_index(s))
                .unwrap_or(u32::MAX)
        };
        diagnostics.sort_by_key(step_rank);
        let valid = !diagnostics.iter().any(|d| d.severity == Severity::Error);
        let trace = match mode {
            Mode::Explain(t) => Some(t),
            Mode::Plain => None,
        };
        Ok(Report {
            pack: p.info.clone(),
            valid,
            step: only_step
                .and_then(|s| p.schema.steps.get(s as usize))
                .map(|s| s.id.clone()),
            diagnostics,
            eligibility: verdict.finish(lang, &p.schema),
            materials,
            trace,
        })
    }

    /// The `required_missing` diagnostics; `Err` names the field whose `required_when` ran out
    /// of the work budget.
    fn check_required(
        &self,
        bound: &Bound<'_>,
        work: &Work,
        lang: Lang,
        only_step: Option<u32>,
        out: &mut Vec<Diagnostic>,
    ) -> Result<(), String> {
        let p = &*self.program;
        let mut sink = Sink::new(lang, only_step, out, &p.schema.steps);
        let cx = Cx {
            doc: bound,
            regexes: &p.regexes,
            tables: &p.tables,
            decisions: &[],
            work,
        };
        // `required_when` may quantify over lists: a field whose condition ran out of the work
        // budget is named in the error.
        let required = |f: &crate::schema::FieldInfo| {
            let r = is_required(f, &cx);
            if work.is_exceeded() {
                Err(f.path.clone())
            } else {
                Ok(r)
            }
        };
        for (slot, f) in p.schema.fields.iter().enumerate() {
            if only_step.is_some_and(|s| s != f.step) || bound.invalid_steps.contains(&f.step) {
                continue;
            }
            let present = bound.slots.get(slot).is_some_and(Value::is_known)
                || u32::try_from(slot)
                    .is_ok_and(|s| bound.dashes.contains(&s) || bound.invalid.contains(&s));
            if present {
                continue;
            }
            if required(f)? {
                sink.field(
                    f,
                    format!("/{}", f.path.replace('.', "/")),
                    "required_missing",
                    &crate::schema::Detail::None,
                );
            }
        }
        for (ordinal, r) in p.schema.records.iter().enumerate() {
            if only_step.is_some_and(|s| s != r.field.step)
                || bound.invalid_steps.contains(&r.field.step)
            {
                continue;
            }
            let base = format!("/{}", r.field.path.replace('.', "/"));
            match bound.records.get(ordinal) {
                Some(Some(items)) => {
                    for (i, row) in items.iter().enumerate() {
                        for (k, f) in r.items.iter().enumerate() {
                            let invalid = bound.invalid_items.iter().any(|&(rr, ii, kk)| {
                                rr as usize == ordinal && ii as usize == i && kk as usize == k
                            });
                            if f.required && !invalid && !row.get(k).is_some_and(Value::is_known) {
                                sink.field(
                                    f,
                                    format!("{base}/{i}/{}", f.key),
                                    "required_missing",
                                    &crate::schema::Detail::None,
                                );
                            }
                        }
                    }
                }
                _ => {
                    if required(&r.field)? {
                        sink.field(
                            &r.field,
                            base,
                            "required_missing",
                            &crate::schema::Detail::None,
                        );
                    }
                }
            }
        }
        for l in &p.schema.lists {
            let present = p.schema.member(&l.field.path).is_some_and(|m| match m {
                Member::List(i) => bound.lists.get(i as usize).is_some_and(Option::is_some),
                _ => true,
            });
            if !present && only_step.is_none_or(|s| s == l.field.step) && required(&l.field)? {
                sink.field(
                    &l.field,
                    format!("/{}", l.field.path.replace('.', "/")),
                    "required_missing",
                    &crate::schema::Detail::None,
                );
            }
        }
        Ok(())
    }
}

/// Whether a field is required for this application: always, or because its `required_when`
/// holds (an unknown condition does not require it).
pub(crate) fn is_required(f: &crate::schema::FieldInfo, cx: &Cx<'_>) -> bool {
    f.required
        || f.required_when
            .as_ref()
            .is_some_and(|n| eval::eval(n, cx, &Env::default(), &mut NoTrace) == Value::Bool(true))
}

/// The fields a rule reads that are missing, comma-separated (empty when none is: then something
/// it depends on — an earlier decision, a value a function could not compute — is undetermined).
fn missing_fields(reads: &[u32], cx: &Cx<'_>, schema: &crate::schema::Schema) -> String {
    let names: Vec<&str> = reads
        .iter()
        .filter(|s| !cx.doc.slots.get(**s as usize).is_some_and(Value::is_known))
        .filter_map(|s| schema.field(*s).map(|f| f.path.as_str()))
        .collect();
    names.join(", ")
}

fn undetermined(
    rule: &Arc<str>,
    reads: &[u32],
    cx: &Cx<'_>,
    lang: Lang,
    schema: &crate::schema::Schema,
) -> Finding {
    let missing = missing_fields(reads, cx, schema);
    Finding {
        rule: rule.clone(),
        code: "undetermined".into(),
        message: crate::report::schema_message(
            lang,
            if missing.is_empty() {
                "undetermined_input"
            } else {
                "undetermined"
            },
            &Localized::default(),
            &crate::schema::Detail::Path(&missing),
        ),
        cite: None,
        path: None,
        due: None,
        question: None,
    }
}

/// The finding of a later step that eligibility depends on (step-wise validation): its `rule`
/// and `path` name the step.
fn pending_step(step: &crate::schema::StepInfo, lang: Lang) -> Finding {
    let title = lang.pick(&step.title);
    let name = match lang {
        Lang::Zh => format!("「{title}」（{}）", step.id),
        Lang::En => format!("`{}` ({title})", step.id),
    };
    Finding {
        rule: step.id.clone(),
        code: "undetermined".into(),
        message: crate::report::schema_message(
            lang,
            "pending_step",
            &Localized::default(),
            &crate::schema::Detail::Bound(name),
        ),
        cite: None,
        path: Some(format!("/{}", step.id)),
        due: None,
        question: None,
    }
}

fn due_of(e: Option<&CExpr>, cx: &Cx<'_>) -> Option<String> {
    e.map(|e| eval::eval(&e.plain, cx, &Env::default(), &mut NoTrace).to_string())
}

/// What became of a rule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RuleResult {
    /// `when` was false.
    NotApplicable,
    /// `check` held.
    Passed,
    /// `when` held and `check` did not.
    Fired,
    /// Some value was unknown.
    Undetermined,
}

impl RuleResult {
    /// The name used in traces.
    fn name(self) -> &'static str {
        match self {
            RuleResult::NotApplicable => "not_applicable",
            RuleResult::Passed => "passed",
            RuleResult::Fired => "fired",
            RuleResult::Undetermined => "undetermined",
        }
    }
}

fn run_rule(
    r: &CRule,
    cx: &Cx<'_>,
    lang: Lang,
    diagnostics: &mut Vec<Diagnostic>,
    verdict: &mut Verdict,
    mode: &mut Mode,
    schema: &crate::schema::Schema,
) {
    let mut values = mode.values();
    let when = r
        .when
        .as_ref()
        .map_or(Value::Bool(true), |w| mode.eval(w, cx, &mut values));
    let result = match when {
        Value::Bool(false) => RuleResult::NotApplicable,
        Value::Bool(true) => match r
            .check
            .as_ref()
            .map_or(Value::Bool(false), |c| mode.eval(c, cx, &mut values))
        {
            Value::Bool(true) => RuleResult::Passed,
            Value::Bool(false) => RuleResult::Fired,
            _ => RuleResult::Undetermined,
        },
        _ => RuleResult::Undetermined,
    };
    mode.push(|| TraceEntry {
        rule: r.id.clone(),
        result: result.name().into(),
        row: None,
        values: values.unwrap_or_default(),
    });
    match (result, r.kind) {
        (RuleResult::Fired, Kind::Validation(severity)) => diagnostics.push(Diagnostic {
            code: r.code.clone(),
            rule: Some(r.id.clone()),
            path: r.path.clone(),
            severity,
            step: schema.steps.get(r.step as usize).map(|s| s.id.clone()),
            message: render(lang.pick::<Vec<Part>>(&r.message), cx),
            cite: Some(r.cite.clone()),
        }),
        (RuleResult::Fired, Kind::Eligibility(effect)) => verdict.add(
            effect,
            Finding {
                rule: r.id.clone(),
                code: r.code.clone(),
                message: render(lang.pick::<Vec<Part>>(&r.message), cx),
                cite: Some(r.cite.clone()),
                path: Some(r.path.clone()),
                due: due_of(r.due.as_ref(), cx),
                question: r.question.clone(),
            },
        ),
        (RuleResult::Undetermined, Kind::Eligibility(_)) => verdict
            .undetermined
            .push(undetermined(&r.id, &r.reads, cx, lang, schema)),
        _ => {}
    }
}

/// Whether an input's value (`sym`: its enumeration symbol, or [`eval::NO_SYM`]) fits a cell.
fn cell_matches(cell: &CCell, input: Value<'_>, sym: u32, cx: &Cx<'_>) -> Value<'static> {
    match cell {
        CCell::Any => Value::Bool(true),
        CCell::Sym(syms, _, negate) if sym != eval::NO_SYM => {
            Value::Bool(syms.contains(sym) != *negate)
        }
        CCell::In(set, negate) | CCell::Sym(_, set, negate) => {
            if !input.is_known() {
                return Value::Unknown;
            }
            let found = set.iter().any(|s| input.equals(&s.value()) == Some(true));
            Value::Bool(found != *negate)
        }
        CCell::Cmp(op, node) => {
            let rhs = eval::eval(node, cx, &Env::default(), &mut NoTrace);
            eval::compare(*op, &input, &rhs)
        }
    }
}

fn row_matches(row: &CRow, inputs: &[Value<'_>], syms: &[u32], cx: &Cx<'_>) -> Value<'static> {
    let mut unknown = false;
    for ((cell, v), sym) in row.cells.iter().zip(inputs).zip(syms) {
        match cell_matches(cell, *v, *sym, cx) {
            Value::Bool(false) => return Value::Bool(false),
            Value::Bool(true) => {}
            _ => unknown = true,
        }
    }
    if unknown {
        Value::Unknown
    } else {
        Value::Bool(true)
    }
}

fn apply_row(d: &CDecision, row: &CRow, cx: &Cx<'_>, lang: Lang, verdict: &mut Verdict) {
    if d.route {
        if let Some(o) = &row.output {
            verdict.route = Some(o.clone());
            verdict.route_label = row.label.as_ref().map(|l| lang.pick(l).clone());
        }
    }
    if let Some(effect) = row.effect {
        verdict.add(
            effect,
            Finding {
                rule: row.rule.clone(),
                code: "decision".into(),
                message: row
                    .message
                    .as_ref()
                    .map(|m| render(lang.pick::<Vec<Part>>(m), cx))
                    .unwrap_or_default(),
                cite: Some(row.cite.clone()),
                path: None,
                due: due_of(row.due.as_ref(), cx),
                question: row.question.clone(),
            },
        );
    }
}

fn run_decision<'p>(
    d: &'p CDecision,
    cx: &Cx<'_>,
    lang: Lang,
    verdict: &mut Verdict,
    mode: &mut Mode,
    schema: &crate::schema::Schema,
) -> Value<'p> {
    let mut values = mode.values();
    let when = d
        .when
        .as_ref()
        .map_or(Value::Bool(true), |w| mode.eval(w, cx, &mut values));
    if when != Value::Bool(true) {
        let result = if when == Value::Bool(false) {
            "not_applicable"
        } else {
            "undetermined"
        };
        if !when.is_known() {
            verdict
                .undetermined
                .push(undetermined(&d.id, &d.reads, cx, lang, schema));
        }
        mode.push(|| TraceEntry {
            rule: d.id.clone(),
            result: result.into(),
            row: None,
            values: values.unwrap_or_default(),
        });
        return Value::Unknown;
    }
    let mut inputs = [Value::Unknown; compile::MAX_DECISION_INPUTS];
    for (slot, e) in inputs.iter_mut().zip(&d.inputs) {
        *slot = mode.eval(e, cx, &mut values);
    }
    let inputs = inputs.get(..d.inputs.len()).unwrap_or(&[]);
    let mut syms = [eval::NO_SYM; compile::MAX_DECISION_INPUTS];
    for (sym, slot) in syms.iter_mut().zip(&d.sym_slots) {
        if let Some(slot) = slot {
            *sym = cx.sym(*slot);
        }
    }
    let syms = syms.get(..inputs.len()).unwrap_or(&[]);
    let mut output = Value::Unknown;
    let mut hit_row = None;
    let mut blocked = false;
    for (n, row) in d.rows.iter().enumerate() {
        match row_matches(row, inputs, syms, cx) {
            Value::Bool(true) => {
                hit_row.get_or_insert(n);
                apply_row(d, row, cx, lang, verdict);
                if output == Value::Unknown {
                    output = row.output.as_deref().map_or(Value::Unknown, Value::Text);
                }
                if d.hit == HitPolicy::First {
                    break;
                }
            }
            Value::Bool(false) => {}
            _ => {
                // An undecidable row: a first-hit table cannot know whether it would have hit.
                blocked = true;
                if d.hit == HitPolicy::First {
                    break;
                }
            }
        }
    }
    let result = if blocked && (hit_row.is_none() || d.hit == HitPolicy::Collect) {
        verdict
            .undetermined
            .push(undetermined(&d.id, &d.reads, cx, lang, schema));
        if d.hit == HitPolicy::First {
            "undetermined"
        } else {
            "hit"
        }
    } else if hit_row.is_some() {
        "hit"
    } else {
        if let Some(row) = &d.default {
            apply_row(d, row, cx, lang, verdict);
            output = row.output.as_deref().map_or(Value::Unknown, Value::Text);
        }
        "no_hit"
    };
    mode.push(|| TraceEntry {
        rule: d.id.clone(),
        result: result.into(),
        row: hit_row.and_then(|n| u32::try_from(n + 1).ok()),
        values: values.unwrap_or_default(),
    });
    output
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync + Clone>() {}
    is::<Engine>();
    let _ = Node::Decision(0);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod depth_tests {
    use super::{check_depth, parse_document, ApplicationError, MAX_DOCUMENT_DEPTH};

    /// How documents were parsed before the depth was checked while parsing: a scan, then
    /// `serde_json::from_str`.
    fn scan_then_parse(text: &str) -> Result<serde_json::Value, ApplicationError> {
        check_depth(text.as_bytes())?;
        serde_json::from_str(text).map_err(|e| ApplicationError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }

    fn nested(depth: usize, inner: &str) -> String {
        let mut s = String::new();
        for i in 0..depth {
            s.push_str(if i % 2 == 0 { "{\"a\":" } else { "[1," });
        }
        s.push_str(inner);
        for i in (0..depth).rev() {
            s.push(if i % 2 == 0 { '}' } else { ']' });
        }
        s
    }

    #[test]
    fn parsing_with_the_depth_check_gives_the_scans_answers() {
        let full = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/nmec-2024/examples/a-clinical-bachelor.json"
        ))
        .unwrap();
        let mut texts: Vec<String> = vec![
            full.clone(),
            r#"{"a": "[[[[{{{{\"]]"}"#.into(),
            r#"{"a": tru, "b": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["#
                .into(),
            "{\"a\": 1e400}".into(),
            "{\"a\": 1} x".into(),
            "{1: 2}".into(),
            "{\"a\": 1, \"a\": 2}".into(),
            "[-0, 1.5, 18446744073709551615, -9223372036854775808, \"\\u00e9\\n\"]".into(),
            "]]]]{}".into(),
            String::new(),
            "   ".into(),
            "[".repeat(10_000),
        ];
        for depth in [
            MAX_DOCUMENT_DEPTH - 1,
            MAX_DOCUMENT_DEPTH,
            MAX_DOCUMENT_DEPTH + 1,
            130,
        ] {
            texts.push(nested(depth, "null"));
            texts.push(nested(depth, "\"]]]\""));
            texts.push(nested(depth, "nul"));
            let mut t = nested(depth, "1");
            t.push_str(" trailing");
            texts.push(t);
            let mut t = nested(depth, "1");
            t.truncate(t.len() - 1);
            texts.push(t);
        }
        // Every prefix of the full application: each one a different syntax error.
        for end in 0..full.len() {
            if let Some(p) = full.get(..end) {
                texts.push(p.to_owned());
            }
        }
        for t in &texts {
            assert_eq!(parse_document(t), scan_then_parse(t), "{t:.80}");
        }
    }
}
