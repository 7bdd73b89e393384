//! Runtime values and types of the expression language.
//!
//! [`Value`] is `Copy` and borrows its text from the application document or the compiled pack, so
//! evaluating a rule allocates nothing. [`Scalar`] is the owned form used for constants.

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::builtins::dates::YearMonth;

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `true` / `false`.
    Bool,
    /// Whole number.
    Int,
    /// Any number.
    Num,
    /// Text.
    Text,
    /// Calendar date.
    Date,
    /// Year and month.
    Month,
    /// A calendar date known to the day, or only to the month (the form may give either): the
    /// runtime value is a [`Value::Date`] or a [`Value::Month`]. It cannot be compared directly;
    /// rules say which end of the uncertainty they mean with `earliest`, `latest` or `to_month`.
    DateOrMonth,
    /// Timestamp with offset.
    DateTime,
    /// A list of scalars of the given item type (only as a source of `in` and quantifiers).
    List(ItemTy),
    /// A list of records (only in quantifiers, `len` and `present`).
    Records,
}

/// Item type of a list (a scalar [`Ty`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemTy {
    /// Bool items.
    Bool,
    /// Int items.
    Int,
    /// Number items.
    Num,
    /// Text items.
    Text,
    /// Date items.
    Date,
    /// Month items.
    Month,
    /// Timestamp items.
    DateTime,
}

impl ItemTy {
    /// The scalar type of an item.
    pub fn ty(self) -> Ty {
        match self {
            ItemTy::Bool => Ty::Bool,
            ItemTy::Int => Ty::Int,
            ItemTy::Num => Ty::Num,
            ItemTy::Text => Ty::Text,
            ItemTy::Date => Ty::Date,
            ItemTy::Month => Ty::Month,
            ItemTy::DateTime => Ty::DateTime,
        }
    }

    /// The item type of a scalar type, if it is one.
    pub fn of(ty: Ty) -> Option<ItemTy> {
        Some(match ty {
            Ty::Bool => ItemTy::Bool,
            Ty::Int => ItemTy::Int,
            Ty::Num => ItemTy::Num,
            Ty::Text => ItemTy::Text,
            Ty::Date => ItemTy::Date,
            Ty::Month => ItemTy::Month,
            Ty::DateTime => ItemTy::DateTime,
            Ty::DateOrMonth | Ty::List(_) | Ty::Records => return None,
        })
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Num => f.write_str("number"),
            Ty::Text => f.write_str("text"),
            Ty::Date => f.write_str("date"),
            Ty::Month => f.write_str("month"),
            Ty::DateOrMonth => f.write_str("date_or_month"),
            Ty::DateTime => f.write_str("datetime"),
            Ty::List(i) => write!(f, "list<{}>", i.ty()),
            Ty::Records => f.write_str("records"),
        }
    }
}

impl Ty {
    /// Whether a value of type `self` can be used where `want` is expected (`int` widens to `number`).
    pub fn fits(self, want: Ty) -> bool {
        self == want || (self == Ty::Int && want == Ty::Num)
    }

    /// The common type of two operands (of `if`, `coalesce`, or a comparison), if they have one.
    pub fn unify(a: Ty, b: Ty) -> Option<Ty> {
        match (a, b) {
            _ if a == b => Some(a),
            (Ty::Int, Ty::Num) | (Ty::Num, Ty::Int) => Some(Ty::Num),
            _ => None,
        }
    }
}

/// A runtime value. `Unknown` is the third truth value: a missing field, or a function that could
/// not produce a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Missing or undecidable.
    Unknown,
    /// Boolean.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Number.
    Num(f64),
    /// Text borrowed from the document or the pack.
    Text(&'a str),
    /// Date.
    Date(NaiveDate),
    /// Year and month.
    Month(YearMonth),
    /// Timestamp.
    DateTime(DateTime<FixedOffset>),
}

impl Value<'_> {
    /// Whether the value is known.
    pub fn is_known(&self) -> bool {
        !matches!(self, Value::Unknown)
    }

    /// Order two values of compatible types; `None` when either is unknown or they do not compare.
    pub fn compare(&self, other: &Value<'_>) -> Option<Ordering> {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Num(a), Value::Num(b)) => a.partial_cmp(b),
            #[expect(
                clippy::cast_precision_loss,
                reason = "int/number comparisons widen like JSON numbers do"
            )]
            (Value::Int(a), Value::Num(b)) => (*a as f64).partial_cmp(b),
            #[expect(
                clippy::cast_precision_loss,
                reason = "int/number comparisons widen like JSON numbers do"
            )]
            (Value::Num(a), Value::Int(b)) => a.partial_cmp(&(*b as f64)),
            (Value::Text(a), Value::Text(b)) => Some(a.cmp(b)),
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::Month(a), Value::Month(b)) => Some(a.cmp(b)),
            (Value::DateTime(a), Value::DateTime(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// Equality of two values of compatible types; `None` when either is unknown or they do not
    /// compare. Cheaper than [`Value::compare`] for text: lengths are compared before bytes.
    #[inline]
    pub fn equals(&self, other: &Value<'_>) -> Option<bool> {
        match (self, other) {
            (Value::Text(a), Value::Text(b)) => Some(a == b),
            (Value::Int(a), Value::Int(b)) => Some(a == b),
            (Value::Bool(a), Value::Bool(b)) => Some(a == b),
            (Value::Month(a), Value::Month(b)) => Some(a == b),
            (Value::Date(a), Value::Date(b)) => Some(a == b),
            _ => self.compare(other).map(Ordering::is_eq),
        }
    }

    /// The value as a JSON value, for traces.
    pub fn to_json(self) -> serde_json::Value {
        match self {
            Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(b),
            Value::Int(i) => serde_json::Value::from(i),
            Value::Num(n) => serde_json::Number::from_f64(n)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            other => serde_json::Value::String(other.to_string()),
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unknown => f.write_str("—"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Num(n) => write!(f, "{n}"),
            Value::Text(t) => f.write_str(t),
            Value::Date(d) => write_date(f, *d),
            Value::Month(m) => write!(f, "{m}"),
            Value::DateTime(t) => write!(f, "{}", t.to_rfc3339()),
        }
    }
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it (a year beyond 0–9999 with its sign and at least
/// four digits), without chrono's format-string machinery, which would add some 12 KB to the
/// WebAssembly build for this one use.
fn write_date(f: &mut fmt::Formatter<'_>, d: NaiveDate) -> fmt::Result {
    use chrono::Datelike as _;
    let year = d.year();
    if (0..=9999).contains(&year) {
        write!(f, "{year:04}-{:02}-{:02}", d.month(), d.day())
    } else {
        write!(f, "{year:+05}-{:02}-{:02}", d.month(), d.day())
    }
}

/// An owned constant: a literal, a parameter value, a table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// Boolean.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Number.
    Num(f64),
    /// Text.
    Text(Box<str>),
    /// Date.
    Date(NaiveDate),
    /// Year and month.
    Month(YearMonth),
    /// Timestamp.
    DateTime(DateTime<FixedOffset>),
}

impl Scalar {
    /// Borrow as a runtime value.
    #[inline]
    pub fn value(&self) -> Value<'_> {
        match self {
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Int(i) => Value::Int(*i),
            Scalar::Num(n) => Value::Num(*n),
            Scalar::Text(t) => Value::Text(t),
            Scalar::Date(d) => Value::Date(*d),
            Scalar::Month(m) => Value::Month(*m),
            Scalar::DateTime(t) => Value::DateTime(*t),
        }
    }

    /// The scalar's type.
    pub fn ty(&self) -> Ty {
        match self {
            Scalar::Bool(_) => Ty::Bool,
            Scalar::Int(_) => Ty::Int,
            Scalar::Num(_) => Ty::Num,
            Scalar::Text(_) => Ty::Text,
            Scalar::Date(_) => Ty::Date,
            Scalar::Month(_) => Ty::Month,
            Scalar::DateTime(_) => Ty::DateTime,
        }
    }

    /// Read a JSON value as a scalar of type `ty` (dates as strings); `None` if it does not fit.
    pub fn from_json(ty: Ty, v: &serde_json::Value) -> Option<Scalar> {
        use crate::builtins::dates;
        Some(match (ty, v) {
            (Ty::Bool, serde_json::Value::Bool(b)) => Scalar::Bool(*b),
            (Ty::Int, serde_json::Value::Number(n)) => Scalar::Int(n.as_i64()?),
            (Ty::Num, serde_json::Value::Number(n)) => Scalar::Num(n.as_f64()?),
            (Ty::Text, serde_json::Value::String(s)) => Scalar::Text(s.as_str().into()),
            (Ty::Date, serde_json::Value::String(s)) => Scalar::Date(dates::parse_date(s)?),
            (Ty::Month, serde_json::Value::String(s)) => Scalar::Month(YearMonth::parse(s)?),
            // A constant always says which it is: a date or a month.
            (Ty::DateOrMonth, serde_json::Value::String(s)) => match dates::parse_date(s) {
                Some(d) => Scalar::Date(d),
                None => Scalar::Month(YearMonth::parse(s)?),
            },
            (Ty::DateTime, serde_json::Value::String(s)) => {
                Scalar::DateTime(dates::parse_datetime(s)?)
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        for (y, m, d) in [
            (1, 1, 1),
            (1998, 5, 14),
            (9999, 12, 31),
            (0, 2, 29),
            (10_000, 1, 1),
            (-1, 3, 4),
            (-12_345, 6, 7),
            (262_142, 12, 31),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                Value::Date(date).to_string(),
                date.format("%Y-%m-%d").to_string(),
                "{y}-{m}-{d}"
            );
        }
    }
}
