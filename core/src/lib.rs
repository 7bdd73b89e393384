//! # baokao — exam registration and eligibility rules as data
//!
//! A rule pack (a directory of TOML files, see `docs/pack-format.md`) declares the registration
//! form's fields, the rules that check them, decision tables and the eligibility rules, each
//! citing its regulation. [`Engine`] compiles a pack once — every expression parsed and
//! type-checked against the schema — and then validates applications in microseconds, producing
//! a [`Report`]: diagnostics with bilingual messages and citations, and an eligibility outcome.
//!
//! ## Quick start
//!
//! ```
//! # std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).unwrap();
//! use baokao::{Engine, Lang, Options};
//!
//! let engine = Engine::from_dir("rules/nmec-2024")?;
//! let text = std::fs::read_to_string("rules/nmec-2024/examples/a-clinical-bachelor.json")?;
//! let report = engine.validate_json(&text, &Options::default().with_lang(Lang::En))?;
//! println!("{} {:?}", report.valid, report.eligibility.outcome);
//! for d in &report.diagnostics {
//!     println!("{} {} {}", d.rule.as_deref().unwrap_or(&d.code), d.path, d.message);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! An ineligible candidate is a report, not an error: `Err` means the engine could not do its
//! job (a broken pack, a document that is not JSON). The report's JSON form is the contract shared
//! with the Python and WebAssembly bindings; see `docs/report.md`.

//! ## The API
//!
//! - [`Engine`]: compile a pack ([`Engine::from_dir`], [`Engine::from_bundle`]; with
//!   [`LoadOptions`], a pinned digest and more pack roots), then
//!   [`validate`](Engine::validate), [`validate_step`](Engine::validate_step),
//!   [`validate_field`](Engine::validate_field), [`explain`](Engine::explain) an application,
//!   print its [`notice`](Engine::notice), describe the [`form`](Engine::form) and what an
//!   application makes of it ([`form_state`](Engine::form_state)), export the application format
//!   as [JSON Schema](Engine::json_schema), [`lint`](Engine::lint) the pack.
//! - [`Report`] and its parts ([`Diagnostic`], [`Eligibility`], [`Finding`], [`Material`]); [`Form`],
//!   [`FormState`], [`FieldReport`]: the JSON contracts shared with Python and JavaScript
//!   (`docs/report.md`, `docs/form.md`).
//! - [`Error`] with one enum per stage ([`LoadError`], [`CompileError`], [`ApplicationError`]),
//!   each with a stable `code()`.
//! - [`Pack`] and [`Bundle`]: a pack as data; [`model`] is its serde model (the bundle format).
//! - [`diff`]: what changed between two packs, and which applications' reports change with it
//!   (`baokao diff`, `docs/diff.md`).
//! - [`testing`]: running a pack's examples (`baokao test`) and its catalogue.
//!
//! Everything else — the expression language, the compiled program, the schema binding — is
//! internal.

mod builtins;
mod catalogue;
mod compile;
pub mod diff;
mod engine;
mod error;
mod expr;
mod field;
mod form;
mod json_schema;
mod lint;
mod mask;
mod notice;
mod pack;
mod report;
mod schema;
pub mod testing;
mod value;

/// The serde model of a rule pack: what its TOML files declare and what a bundle holds
/// (`docs/pack-format.md`).
pub mod model {
    pub use crate::pack::model::*;
}

pub use engine::{
    parse_application, parse_application_bytes, Engine, Options, DEFAULT_WORK_LIMIT,
    MAX_DOCUMENT_BYTES, MAX_DOCUMENT_DEPTH,
};
pub use error::{ApplicationError, CompileError, Error, LoadError};
pub use field::{FieldFinding, FieldReport, FindingKind};
pub use form::{
    DerivedValue, Form, FormDerived, FormField, FormFile, FormOption, FormState, FormStep,
};
pub use lint::Lint;
#[cfg(feature = "pack-dir")]
pub use pack::load::{
    MAX_DIR_DEPTH, MAX_EXAMPLE_BYTES, MAX_EXTENDS_DEPTH, MAX_FILE_BYTES, MAX_PACK_BYTES,
    MAX_PACK_ENTRIES,
};
pub use pack::model::{FieldType, Measure, MeasureDef, Severity};
pub use pack::{Bundle, LoadOptions, Pack, BUNDLE_FORMAT, MAX_BUNDLE_BYTES};
pub use report::{
    Diagnostic, Eligibility, Finding, Lang, Material, Outcome, PackInfo, Report, TraceEntry,
    TraceValue,
};
pub use schema::{MAX_ITEMS, MAX_KEY_CHARS, MAX_UNKNOWN_FIELDS};
