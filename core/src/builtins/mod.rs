//! Built-in functions of the expression language: their type signatures and their evaluation.
//!
//! One file per family holds the domain algorithms (`id_card`, `dates`, `text`); this module maps
//! names to [`Builtin`]s, checks argument types at compile time and dispatches at run time. Forms
//! that need more than values (`present`, `matches`, `lookup`, quantifiers …) are compiled by the
//! type checker itself.

pub mod dates;
pub mod id_card;
pub mod text;

use chrono::Datelike;

use crate::value::{Ty, Value};
use dates::YearMonth;

/// A pure built-in function over values. Any unknown argument makes the result unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `len(text)`: characters.
    Len,
    /// `is_han(text)`.
    IsHan,
    /// `is_halfwidth(text)`.
    IsHalfwidth,
    /// `contains(text, text)`.
    Contains,
    /// `starts_with(text, text)`.
    StartsWith,
    /// `ends_with(text, text)`.
    EndsWith,
    /// `months_between(a, b)` on dates.
    MonthsBetween,
    /// `months_between(a, b)` on months.
    MonthsBetweenYm,
    /// `years_between(a, b)` on dates.
    YearsBetween,
    /// `years_between(a, b)` on months.
    YearsBetweenYm,
    /// `add_months(date, n)`.
    AddMonths,
    /// `add_months(month, n)`.
    AddMonthsYm,
    /// `add_years(date, n)`.
    AddYears,
    /// `add_years(month, n)`.
    AddYearsYm,
    /// `age_on(birth, date)`.
    AgeOn,
    /// `year(x)`.
    Year,
    /// `month(x)`.
    MonthOf,
    /// `to_month(date)`.
    ToMonth,
    /// `first_day(month)`.
    FirstDay,
    /// `last_day(month)`.
    LastDay,
    /// `to_date(datetime)`.
    ToDate,
    /// `earliest(x)`: the first day a date, month or date-or-month can be.
    Earliest,
    /// `latest(x)`: the last day a date, month or date-or-month can be.
    Latest,
    /// `has_day(date_or_month)`: whether the value was given to the day.
    HasDay,
    /// `id_checksum_ok(text)`.
    IdChecksumOk,
    /// `id_birth_date(text)`.
    IdBirthDate,
    /// `id_gender(text)`.
    IdGender,
    /// `id_region(text)`.
    IdRegion,
    /// `hkid_checksum_ok(text)`.
    HkidChecksumOk,
}

/// Names of every built-in, including the special forms the checker compiles itself; used for
/// "did you mean" hints and the docs test.
pub const NAMES: &[&str] = &[
    "present",
    "absent",
    "is_dash",
    "coalesce",
    "if",
    "len",
    "matches",
    "is_han",
    "is_halfwidth",
    "contains",
    "starts_with",
    "ends_with",
    "months_between",
    "years_between",
    "add_months",
    "add_years",
    "age_on",
    "year",
    "month",
    "to_month",
    "first_day",
    "last_day",
    "to_date",
    "earliest",
    "latest",
    "has_day",
    "id_checksum_ok",
    "id_birth_date",
    "id_gender",
    "id_region",
    "hkid_checksum_ok",
    "lookup",
    "in_table",
    "decision",
    "any",
    "all",
    "count",
];

/// Resolve a call of a pure built-in by name and argument types: the function and its result type,
/// `Ok(None)` when the name is not a pure built-in, or `Err` with a message when the arguments do not fit.
pub fn resolve(name: &str, args: &[Ty]) -> Result<Option<(Builtin, Ty)>, String> {
    use Builtin as B;
    use Ty::{Bool, Date, DateOrMonth, DateTime, Int, Month, Text};
    let sig =
        |want: &[Ty]| args.len() == want.len() && args.iter().zip(want).all(|(a, w)| a.fits(*w));
    let found = match name {
        "len" if sig(&[Text]) => (B::Len, Int),
        "is_han" if sig(&[Text]) => (B::IsHan, Bool),
        "is_halfwidth" if sig(&[Text]) => (B::IsHalfwidth, Bool),
        "contains" if sig(&[Text, Text]) => (B::Contains, Bool),
        "starts_with" if sig(&[Text, Text]) => (B::StartsWith, Bool),
        "ends_with" if sig(&[Text, Text]) => (B::EndsWith, Bool),
        "months_between" if sig(&[Date, Date]) => (B::MonthsBetween, Int),
        "months_between" if sig(&[Month, Month]) => (B::MonthsBetweenYm, Int),
        "years_between" if sig(&[Date, Date]) => (B::YearsBetween, Int),
        "years_between" if sig(&[Month, Month]) => (B::YearsBetweenYm, Int),
        "add_months" if sig(&[Date, Int]) => (B::AddMonths, Date),
        "add_months" if sig(&[Month, Int]) => (B::AddMonthsYm, Month),
        "add_years" if sig(&[Date, Int]) => (B::AddYears, Date),
        "add_years" if sig(&[Month, Int]) => (B::AddYearsYm, Month),
        "age_on" if sig(&[Date, Date]) => (B::AgeOn, Int),
        "year" if sig(&[Date]) || sig(&[Month]) || sig(&[DateOrMonth]) || sig(&[DateTime]) => {
            (B::Year, Int)
        }
        "month" if sig(&[Date]) || sig(&[Month]) || sig(&[DateOrMonth]) || sig(&[DateTime]) => {
            (B::MonthOf, Int)
        }
        "to_month" if sig(&[Date]) || sig(&[DateOrMonth]) => (B::ToMonth, Month),
        "earliest" if sig(&[Date]) || sig(&[Month]) || sig(&[DateOrMonth]) => (B::Earliest, Date),
        "latest" if sig(&[Date]) || sig(&[Month]) || sig(&[DateOrMonth]) => (B::Latest, Date),
        "has_day" if sig(&[DateOrMonth]) => (B::HasDay, Bool),
        "first_day" if sig(&[Month]) => (B::FirstDay, Date),
        "last_day" if sig(&[Month]) => (B::LastDay, Date),
        "to_date" if sig(&[DateTime]) => (B::ToDate, Date),
        "id_checksum_ok" if sig(&[Text]) => (B::IdChecksumOk, Bool),
        "id_birth_date" if sig(&[Text]) => (B::IdBirthDate, Date),
        "id_gender" if sig(&[Text]) => (B::IdGender, Text),
        "id_region" if sig(&[Text]) => (B::IdRegion, Text),
        "hkid_checksum_ok" if sig(&[Text]) => (B::HkidChecksumOk, Bool),
        "len" | "is_han" | "is_halfwidth" | "id_checksum_ok" | "id_birth_date" | "id_gender"
        | "id_region" | "hkid_checksum_ok" | "year" | "month" | "to_month" | "first_day"
        | "last_day" | "to_date" | "earliest" | "latest" | "has_day"
            if args.len() != 1 =>
        {
            return Err(format!(
                "wrong_arity: `{name}` takes 1 argument, found {}",
                args.len()
            ));
        }
        "contains" | "starts_with" | "ends_with" | "months_between" | "years_between"
        | "add_months" | "add_years" | "age_on"
            if args.len() != 2 =>
        {
            return Err(format!(
                "wrong_arity: `{name}` takes 2 arguments, found {}",
                args.len()
            ));
        }
        "len" | "is_han" | "is_halfwidth" | "contains" | "starts_with" | "ends_with"
        | "months_between" | "years_between" | "add_months" | "add_years" | "age_on" | "year"
        | "month" | "to_month" | "first_day" | "last_day" | "to_date" | "earliest" | "latest"
        | "has_day" | "id_checksum_ok" | "id_birth_date" | "id_gender" | "id_region"
        | "hkid_checksum_ok" => {
            let shown: Vec<String> = args.iter().map(ToString::to_string).collect();
            return Err(format!(
                "`{name}` does not take ({}); see docs/expressions.md",
                shown.join(", ")
            ));
        }
        _ => return Ok(None),
    };
    Ok(Some(found))
}

fn int(v: i64) -> Value<'static> {
    Value::Int(v)
}

/// Evaluate a pure built-in. `args` were type-checked at compile time; anything unexpected
/// (including an unknown argument) yields `Unknown`.
pub fn call<'a>(f: Builtin, args: &[Value<'a>]) -> Value<'a> {
    use Builtin as B;
    use Value as V;
    match (f, args) {
        (B::Len, [V::Text(t)]) => i64::try_from(text::char_len(t)).map_or(V::Unknown, int),
        (B::IsHan, [V::Text(t)]) => V::Bool(text::is_han(t)),
        (B::IsHalfwidth, [V::Text(t)]) => V::Bool(text::is_halfwidth(t)),
        (B::Contains, [V::Text(t), V::Text(s)]) => V::Bool(t.contains(s)),
        (B::StartsWith, [V::Text(t), V::Text(s)]) => V::Bool(t.starts_with(s)),
        (B::EndsWith, [V::Text(t), V::Text(s)]) => V::Bool(t.ends_with(s)),
        (B::MonthsBetween, [V::Date(a), V::Date(b)]) => int(dates::months_between(*a, *b)),
        (B::MonthsBetweenYm, [V::Month(a), V::Month(b)]) => int(dates::months_between_ym(*a, *b)),
        (B::YearsBetween, [V::Date(a), V::Date(b)]) => int(dates::years_between(*a, *b)),
        (B::YearsBetweenYm, [V::Month(a), V::Month(b)]) => int(dates::years_between_ym(*a, *b)),
        (B::AddMonths, [V::Date(d), V::Int(n)]) => {
            dates::add_months(*d, *n).map_or(V::Unknown, V::Date)
        }
        (B::AddMonthsYm, [V::Month(m), V::Int(n)]) => m.add_months(*n).map_or(V::Unknown, V::Month),
        (B::AddYears, [V::Date(d), V::Int(n)]) => n
            .checked_mul(12)
            .and_then(|m| dates::add_months(*d, m))
            .map_or(V::Unknown, V::Date),
        (B::AddYearsYm, [V::Month(m), V::Int(n)]) => n
            .checked_mul(12)
            .and_then(|k| m.add_months(k))
            .map_or(V::Unknown, V::Month),
        (B::AgeOn, [V::Date(b), V::Date(d)]) => int(dates::age_on(*b, *d)),
        (B::Year, [V::Date(d)]) => int(i64::from(d.year())),
        (B::Year, [V::Month(m)]) => int(i64::from(m.year())),
        (B::Year, [V::DateTime(t)]) => int(i64::from(t.year())),
        (B::MonthOf, [V::Date(d)]) => int(i64::from(d.month())),
        (B::MonthOf, [V::Month(m)]) => int(i64::from(m.month())),
        (B::MonthOf, [V::DateTime(t)]) => int(i64::from(t.month())),
        (B::ToMonth, [V::Date(d)]) => V::Month(YearMonth::from_date(*d)),
        // A date-or-month given as a month is already one.
        (B::ToMonth, [V::Month(m)]) => V::Month(*m),
        (B::HasDay, [V::Date(_)]) => V::Bool(true),
        (B::HasDay, [V::Month(_)]) => V::Bool(false),
        (B::Earliest | B::Latest, [V::Date(d)]) => V::Date(*d),
        // The first / last day of a month, whether asked for as such or as the ends of a
        // date-or-month given only to the month.
        (B::FirstDay | B::Earliest, [V::Month(m)]) => m.first_day().map_or(V::Unknown, V::Date),
        (B::LastDay | B::Latest, [V::Month(m)]) => m.last_day().map_or(V::Unknown, V::Date),
        (B::ToDate, [V::DateTime(t)]) => V::Date(t.date_naive()),
        (B::IdChecksumOk, [V::Text(t)]) => V::Bool(id_card::gb11643_checksum_ok(t)),
        (B::IdBirthDate, [V::Text(t)]) => {
            id_card::gb11643_birth_date(t).map_or(V::Unknown, V::Date)
        }
        (B::IdGender, [V::Text(t)]) => id_card::gb11643_gender(t).map_or(V::Unknown, V::Text),
        (B::IdRegion, [V::Text(t)]) => id_card::gb11643_region(t).map_or(V::Unknown, V::Text),
        (B::HkidChecksumOk, [V::Text(t)]) => V::Bool(id_card::hkid_checksum_ok(t)),
        _ => V::Unknown,
    }
}
