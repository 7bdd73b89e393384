//! Errors: one enum per stage, each variant with a stable `snake_case` code.
//!
//! An ineligible candidate or an invalid form is never an error: it is a [`Report`](crate::Report).
//! Errors mean the engine could not do its job: the pack could not be read or compiled, or the
//! application could not be read at all. The code registry is `docs/errors.md`.

use crate::pack::model::Loc;

/// Formats an optional location as `file:line:column: ` (or nothing).
fn at(loc: Option<&Loc>) -> String {
    loc.as_ref().map(|l| format!("{l}: ")).unwrap_or_default()
}

/// Reading a pack from a directory or a bundle failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read.
    #[error("cannot read `{path}`: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A TOML file is not valid TOML or does not fit the pack model.
    #[error("{}{message}", at(loc.as_ref()))]
    Toml {
        /// Where.
        loc: Option<Loc>,
        /// What.
        message: String,
    },
    /// A bundle or an example application is not valid JSON or does not fit the model.
    #[error("{}{message}", at(loc.as_ref()))]
    Json {
        /// Where.
        loc: Option<Loc>,
        /// What.
        message: String,
    },
    /// The pack is structurally wrong (no `[pack]`, duplicate ids, a bad parameter …).
    #[error("{}{message}", at(loc.as_ref()))]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// Where, when known.
        loc: Option<Loc>,
        /// What.
        message: String,
    },
    /// A bundle's content does not match its digest.
    #[error("bundle digest mismatch: it says `{stated}` but its content hashes to `{actual}`")]
    DigestMismatch {
        /// The digest written in the bundle.
        stated: String,
        /// The digest of the content.
        actual: String,
    },
    /// The pack is not the one the caller pinned: its content digest differs from the expected one.
    #[error(
        "pack digest mismatch: expected `{expected}`, but the pack's content hashes to `{actual}`"
    )]
    UnexpectedDigest {
        /// The digest the caller expected.
        expected: String,
        /// The digest of the content.
        actual: String,
    },
}

impl LoadError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Io { .. } => "io_error",
            LoadError::Toml { .. } => "toml_syntax",
            LoadError::Json { .. } => "json_syntax",
            LoadError::Invalid { code, .. } => code,
            LoadError::DigestMismatch { .. } | LoadError::UnexpectedDigest { .. } => {
                "digest_mismatch"
            }
        }
    }

    /// Location, when known.
    pub fn loc(&self) -> Option<&Loc> {
        match self {
            LoadError::Toml { loc, .. }
            | LoadError::Json { loc, .. }
            | LoadError::Invalid { loc, .. } => loc.as_ref(),
            _ => None,
        }
    }
}

/// A pack loaded but does not compile: a name, type, regex or structure problem in a rule, field,
/// decision or message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{item}: {message}", at(loc.as_ref()))]
pub struct CompileError {
    /// Stable code: `syntax_error`, `unknown_field`, `unknown_param`, `unknown_function`,
    /// `unknown_table`, `unknown_column`, `unknown_decision`, `unknown_enum_value`, `unknown_step`,
    /// `type_mismatch`, `wrong_arity`, `bad_regex`, `bad_literal`, `too_complex`, `shadowed_name`,
    /// `masked_value`, `duplicate_id`, `invalid_rule`, `invalid_field`, `invalid_table`,
    /// `invalid_decision`.
    pub code: &'static str,
    /// The rule, field, decision or table concerned (`rule XF-01 check`).
    pub item: String,
    /// Where in the pack's files, when known.
    pub loc: Option<Loc>,
    /// Lower-case message without final period.
    pub message: String,
}

/// The application document could not be read at all (as opposed to a form error, which is a
/// diagnostic in the report).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    /// Not valid JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// `serde_json`'s message.
        message: String,
    },
    /// Not UTF-8, which JSON text must be (bytes in GBK, say).
    #[error("text is not UTF-8 at line {line}, column {column} (byte `0x{byte:02X}`): JSON text must be UTF-8")]
    Encoding {
        /// 1-based line of the first byte that is not UTF-8.
        line: usize,
        /// 1-based column, in bytes, of that byte.
        column: usize,
        /// The byte.
        byte: u8,
    },
    /// Larger than the limit.
    #[error("application is {size} bytes, more than the limit of {limit}")]
    TooLarge {
        /// Size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Nested deeper than the limit.
    #[error("application nests deeper than {limit} levels at byte {offset}")]
    TooDeep {
        /// The limit.
        limit: usize,
        /// Byte offset where the limit was crossed.
        offset: usize,
    },
    /// The top level is not a JSON object.
    #[error("an application must be a JSON object, found {found}")]
    NotAnObject {
        /// What was found.
        found: &'static str,
    },
    /// The application is not printable as a success notice: it is invalid, ineligible or
    /// undetermined (`notice` refuses rather than print a page that misleads).
    #[error("no notice: the application is {}{outcome}{}", if *valid { "valid and " } else { "invalid and " }, if reasons.is_empty() { String::new() } else { format!(" ({reasons})") })]
    NoticeRefused {
        /// Whether the form is valid.
        valid: bool,
        /// The eligibility outcome.
        outcome: &'static str,
        /// The rules (or codes) behind it, comma-separated.
        reasons: String,
    },
    /// `validate_step` named a step the pack does not have.
    #[error("unknown step `{step}`; steps are: {known}")]
    UnknownStep {
        /// The name given.
        step: String,
        /// The pack's steps.
        known: String,
    },
    /// `validate_field` named a field the form does not have.
    #[error("`{field}` is not a field of the pack's form")]
    UnknownField {
        /// The path given.
        field: String,
        /// It as a JSON pointer.
        pointer: String,
    },
    /// Judging the application took more evaluation steps than the limit allows (a rule nests
    /// quantifiers over long lists).
    #[error("judging the application needs more than {limit} evaluation steps (at `{rule}`); the pack's rules are too costly for this document")]
    WorkLimitExceeded {
        /// The limit of evaluation steps.
        limit: u64,
        /// The rule or decision being evaluated when the limit was reached.
        rule: String,
    },
}

impl ApplicationError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApplicationError::Json { .. } => "malformed_json",
            ApplicationError::Encoding { .. } => "invalid_encoding",
            ApplicationError::TooLarge { .. } => "document_too_large",
            ApplicationError::TooDeep { .. } => "too_deep",
            ApplicationError::NotAnObject { .. } => "not_an_object",
            ApplicationError::UnknownStep { .. } => "unknown_step",
            ApplicationError::NoticeRefused { .. } => "notice_refused",
            ApplicationError::UnknownField { .. } => "unknown_field",
            ApplicationError::WorkLimitExceeded { .. } => "work_limit_exceeded",
        }
    }

    /// JSON pointer of the problem (`""` for the whole document).
    pub fn path(&self) -> &str {
        match self {
            ApplicationError::UnknownField { pointer, .. } => pointer,
            _ => "",
        }
    }
}

/// Any error of the library.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Loading failed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Compiling failed; every problem found is listed.
    #[error("{} compile error(s):\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Compile(Vec<CompileError>),
    /// The application could not be read.
    #[error(transparent)]
    Application(#[from] ApplicationError),
}

impl Error {
    /// Stable code of the (first) error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Load(e) => e.code(),
            Error::Compile(v) => v.first().map_or("compile_error", |e| e.code),
            Error::Application(e) => e.code(),
        }
    }
}
