//! Masking as a property of the value: how the value of a field marked `mask` — and every value
//! computed from one — is shown in messages, schema diagnostics and `explain` traces.
//!
//! The type checker gives every expression a [`Mask`] from the fields it reads, at compile time,
//! so evaluation pays nothing for it: a message hole or a traced sub-expression carries the mask
//! of its value, and the engine shows the value through [`Mask::show`].
//!
//! The rules (documented in `docs/report.md`, "Masked values"):
//!
//! * the value of a masked field itself is shown with [`mask_text`]: a text longer than 7
//!   characters keeps its first 3 and last 4 (`430***********0318`), a shorter one its last;
//! * a value computed from a masked field (`id_region(basic.id_number)`,
//!   `id_birth_date(basic.id_number)`, a table lookup keyed by it, arithmetic on it) shows none of
//!   its characters: `***`, or `****-**-**` for a date, `****-**` for a month and
//!   `****-**-**T**:**:**` for a timestamp, so that a reader still sees what kind of value it is;
//! * a boolean computed from a masked field (a comparison, `matches`, `id_checksum_ok`, a
//!   quantifier) is shown: it tells one bit, which the outcome of the rule tells anyway;
//! * an unknown value is unknown (`null` in traces, `—` in messages) whatever its mask.

use crate::pack::model::MaskStyle;
use crate::value::Value;

/// The text of a masked field's own value as reports show it: [`mask_text`] for `mask = true`,
/// `***` (nothing of it) for `mask = "all"`, the text itself when not masked.
pub fn field_text(style: MaskStyle, text: &str) -> std::borrow::Cow<'_, str> {
    match style {
        MaskStyle::None => std::borrow::Cow::Borrowed(text),
        MaskStyle::Partial => std::borrow::Cow::Owned(mask_text(text)),
        MaskStyle::All => std::borrow::Cow::Borrowed("***"),
    }
}

/// How a value must be shown. Ordered: combining two values keeps the stricter mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Mask {
    /// Reads no masked field, or is a boolean: shown as it is.
    #[default]
    Clear,
    /// The value of a masked field (possibly passed through `coalesce` or `if`): shown by
    /// [`mask_text`].
    Field,
    /// Computed from a masked field: none of its characters are shown.
    Derived,
}

/// A value as a report shows it: the value itself, or its masked text.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown<'a> {
    /// Not masked (or unknown).
    Value(Value<'a>),
    /// The masked text.
    Masked(String),
}

impl Mask {
    /// The stricter of two masks: what a value computed from both operands needs.
    #[must_use]
    pub fn join(self, other: Mask) -> Mask {
        self.max(other)
    }

    /// The mask of a value computed (not merely passed through) from operands masked `self`.
    #[must_use]
    pub fn derive(self) -> Mask {
        match self {
            Mask::Clear => Mask::Clear,
            Mask::Field | Mask::Derived => Mask::Derived,
        }
    }

    /// Whether the value needs masking.
    #[must_use]
    pub fn is_masked(self) -> bool {
        self != Mask::Clear
    }

    /// How `value` is shown under this mask.
    #[must_use]
    pub fn show(self, value: Value<'_>) -> Shown<'_> {
        match (self, value) {
            (Mask::Clear, v) | (_, v @ Value::Unknown) => Shown::Value(v),
            (Mask::Field, Value::Text(t)) => Shown::Masked(mask_text(t)),
            (_, Value::Date(_)) => Shown::Masked("****-**-**".to_owned()),
            (_, Value::Month(_)) => Shown::Masked("****-**".to_owned()),
            (_, Value::DateTime(_)) => Shown::Masked("****-**-**T**:**:**".to_owned()),
            (_, _) => Shown::Masked("***".to_owned()),
        }
    }

    /// `value` as trace JSON under this mask.
    pub fn to_json(self, value: Value<'_>) -> serde_json::Value {
        match self.show(value) {
            Shown::Value(v) => v.to_json(),
            Shown::Masked(s) => serde_json::Value::String(s),
        }
    }

    /// `value` as message text under this mask.
    pub fn to_text(self, value: Value<'_>) -> String {
        match self.show(value) {
            Shown::Value(v) => v.to_string(),
            Shown::Masked(s) => s,
        }
    }
}

/// The documented mask of a masked field's text: more than 7 characters keep the first 3 and the
/// last 4, every other character becomes `*`; at most 7 characters keep only the last.
#[must_use]
pub fn mask_text(s: &str) -> String {
    crate::builtins::id_card::mask(s)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::builtins::dates::{parse_date, parse_datetime, YearMonth};

    #[test]
    fn field_text_keeps_the_documented_characters() {
        let v = Value::Text("430102199805140318");
        assert_eq!(Mask::Field.to_text(v), "430***********0318");
        assert_eq!(Mask::Clear.to_text(v), "430102199805140318");
    }

    #[test]
    fn derived_values_show_no_character() {
        let date = Value::Date(parse_date("1998-05-14").unwrap());
        assert_eq!(Mask::Derived.to_text(date), "****-**-**");
        assert_eq!(Mask::Field.to_text(date), "****-**-**");
        let month = Value::Month(YearMonth::parse("1998-05").unwrap());
        assert_eq!(Mask::Derived.to_text(month), "****-**");
        let at = Value::DateTime(parse_datetime("2024-01-25T10:15:00+08:00").unwrap());
        assert_eq!(Mask::Derived.to_text(at), "****-**-**T**:**:**");
        assert_eq!(Mask::Derived.to_text(Value::Text("430102")), "***");
        assert_eq!(
            Mask::Derived.to_json(Value::Int(18)),
            serde_json::json!("***")
        );
        assert_eq!(
            Mask::Derived.to_json(Value::Unknown),
            serde_json::Value::Null
        );
        assert_eq!(Mask::Derived.to_text(Value::Unknown), "—");
    }

    #[test]
    fn join_keeps_the_stricter_and_derive_never_shows_a_field() {
        assert_eq!(Mask::Clear.join(Mask::Field), Mask::Field);
        assert_eq!(Mask::Field.join(Mask::Derived), Mask::Derived);
        assert_eq!(Mask::Field.derive(), Mask::Derived);
        assert_eq!(Mask::Clear.derive(), Mask::Clear);
    }
}
