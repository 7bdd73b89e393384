//! Validating one field as the candidate types it: what a live form shows next to the field.
//!
//! [`Engine::validate_field`] validates the field's step ([`Engine::validate_step`]) and keeps what
//! concerns the field: the diagnostics at its JSON pointer (or below it, for a records field) and
//! the eligibility findings that point at it — so a candidate choosing 护理学 as major sees why at
//! once.

use std::sync::Arc;

use serde::Serialize;

use crate::engine::{parse_application, Engine, Options};
use crate::error::{ApplicationError, Error};
use crate::pack::model::Severity;
use crate::report::{Diagnostic, Finding, Lang};
use crate::schema::{FieldInfo, Member};

/// What a live form shows next to one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldReport {
    /// The field's JSON pointer (`/basic/id_number`, `/certificates/records/0/cert_no`).
    pub path: String,
    /// The field's step: the step that was validated.
    pub step: Arc<str>,
    /// No diagnostic of severity `error` at the field.
    pub valid: bool,
    /// The step report's diagnostics at this path (or below it, for a records field).
    pub diagnostics: Vec<Diagnostic>,
    /// The step report's eligibility findings that point at this field.
    pub findings: Vec<FieldFinding>,
}

/// Which list of the eligibility decision a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A reason (`ineligible`, `needs_review`, `undetermined`).
    Reason,
    /// A condition to meet by a date.
    Condition,
    /// A practice restriction.
    Restriction,
}

/// An eligibility finding shown at a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldFinding {
    /// Which list of the report it came from.
    pub kind: FindingKind,
    /// The finding, exactly as in the report.
    #[serde(flatten)]
    pub finding: Finding,
}

/// Split a JSON pointer into unescaped segments (RFC 6901).
fn segments(pointer: &str) -> Option<Vec<String>> {
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

impl Engine {
    /// The JSON pointer and step id of a field path: a JSON pointer (`/basic/id_number`,
    /// `/certificates/records/0/cert_no`) or a dotted `step.field`. `unknown_field` otherwise.
    fn resolve_field(&self, path: &str) -> Result<(String, Arc<str>), ApplicationError> {
        let schema = &self.program().schema;
        let pointer = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{}", path.replace('.', "/"))
        };
        let unknown = || ApplicationError::UnknownField {
            field: path.to_owned(),
            pointer: pointer.clone(),
        };
        let segments = segments(&pointer).ok_or_else(unknown)?;
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
        let step = schema
            .steps
            .get(info.step as usize)
            .map(|s| s.id.clone())
            .ok_or_else(unknown)?;
        Ok((pointer, step))
    }

    /// Validate the step of the field at `path` and keep what concerns that field: the
    /// diagnostics at its JSON pointer (or below it: entries of a records field) and the
    /// eligibility findings pointing at it. What a live form shows next to a field as the
    /// candidate types. `path` is a JSON pointer or `step.field`; one the form does not have is
    /// an `unknown_field` error.
    pub fn validate_field(
        &self,
        path: &str,
        application: &serde_json::Value,
        lang: Lang,
    ) -> Result<FieldReport, Error> {
        let (pointer, step) = self.resolve_field(path)?;
        let options = Options {
            lang,
            step: Some(step.to_string()),
            ..Options::default()
        };
        let report = self.run(application, &options)?;
        let below = format!("{pointer}/");
        let at = |p: &str| p == pointer || p.starts_with(&below);
        let diagnostics: Vec<Diagnostic> = report
            .diagnostics
            .into_iter()
            .filter(|d| at(&d.path))
            .collect();
        let e = report.eligibility;
        let findings = [
            (FindingKind::Reason, e.reasons),
            (FindingKind::Condition, e.conditions),
            (FindingKind::Restriction, e.restrictions),
        ]
        .into_iter()
        .flat_map(|(kind, list)| {
            list.into_iter()
                .filter(|f| f.path.as_deref().is_some_and(at))
                .map(move |finding| FieldFinding { kind, finding })
        })
        .collect();
        let valid = !diagnostics.iter().any(|d| d.severity == Severity::Error);
        Ok(FieldReport {
            path: pointer,
            step,
            valid,
            diagnostics,
            findings,
        })
    }

    /// [`Engine::validate_field`] of JSON text (size and depth limits applied before parsing). The
    /// path is resolved first, so an unknown field is reported whatever the text.
    pub fn validate_field_json(
        &self,
        path: &str,
        text: &str,
        lang: Lang,
    ) -> Result<FieldReport, Error> {
        self.resolve_field(path)?;
        self.validate_field(path, &parse_application(text)?, lang)
    }
}
