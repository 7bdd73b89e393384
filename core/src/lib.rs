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

pub mod builtins;
pub mod catalogue;
pub mod compile;
pub mod diff;
pub mod engine;
pub mod error;
pub mod expr;
pub mod field;
pub mod form;
pub mod json_schema;
pub mod lint;
pub mod mask;
pub mod notice;
pub mod pack;
pub mod report;
pub mod schema;
pub mod testing;
pub mod value;

pub use engine::{
    parse_application, parse_application_bytes, Engine, Options, MAX_DOCUMENT_BYTES,
    MAX_DOCUMENT_DEPTH,
};
pub use error::{ApplicationError, CompileError, Error, LoadError};
pub use field::{FieldFinding, FieldReport, FindingKind};
pub use form::{
    DerivedValue, Form, FormDerived, FormField, FormFile, FormOption, FormState, FormStep,
};
pub use pack::{Bundle, Pack};
pub use report::{Diagnostic, Eligibility, Finding, Lang, Outcome, Report};
