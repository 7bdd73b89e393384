//! Calendar arithmetic on the proleptic Gregorian calendar: strict ISO 8601
//! date parsing (`YYYY-MM-DD`, `YYYY-MM`), RFC 3339 timestamps, whole-month
//! and whole-year differences, and age in completed years.
//!
//! Month arithmetic clamps to the end of the target month
//! (2024-01-31 + 1 month = 2024-02-29), and differences count whole months in
//! the same sense: `months_between(a, b)` is the largest `n` with
//! `add_months(a, n) <= b`. Age follows the civil convention that a person
//! born on 29 February reaches their birthday on 1 March in common years.
//!
//! Every function is total: out-of-range input yields `None` (or a
//! well-defined number), never a panic.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

/// A calendar month of a particular year, such as `2024-08`.
///
/// Ordered by year, then month. Values built by [`YearMonth::new`],
/// [`YearMonth::parse`] and [`YearMonth::add_months`] have a year in
/// `1..=9999`; [`YearMonth::from_date`] carries the date's year through
/// unchanged. The month is always in `1..=12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// Builds a year-month, or `None` unless `year` is in `1..=9999` and
    /// `month` in `1..=12`.
    #[must_use]
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// The year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, `1..=12`.
    #[must_use]
    pub fn month(self) -> u32 {
        self.month
    }

    /// Parses exactly `YYYY-MM` (seven ASCII characters, zero-padded).
    ///
    /// Returns `None` for any other shape, a month outside `01..=12` or the
    /// year `0000`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let [y1, y2, y3, y4, b'-', m1, m2] = *s.as_bytes() else {
            return None;
        };
        let year = i32::try_from(ascii_number(&[y1, y2, y3, y4])?).ok()?;
        let month = ascii_number(&[m1, m2])?;
        Self::new(year, month)
    }

    /// The first day of the month, or `None` if the year is outside the range
    /// `chrono` can represent.
    #[must_use]
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    /// The last day of the month (28, 29, 30 or 31), or `None` if the year is
    /// outside the range `chrono` can represent.
    #[must_use]
    pub fn last_day(self) -> Option<NaiveDate> {
        last_day_of(self.year, self.month)
    }

    /// The month containing `d`.
    #[must_use]
    pub fn from_date(d: NaiveDate) -> Self {
        Self {
            year: d.year(),
            month: d.month(),
        }
    }

    /// The month `n` months later (earlier for negative `n`), or `None` if
    /// the result's year falls outside `1..=9999`.
    #[must_use]
    pub fn add_months(self, n: i64) -> Option<Self> {
        let (year, month) = from_index(self.index().checked_add(n)?)?;
        Self::new(year, month)
    }

    /// A linear month number, `year * 12 + (month - 1)`, so that the
    /// difference of two indices is the number of months between them.
    #[must_use]
    pub fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }
}

impl fmt::Display for YearMonth {
    /// Writes `YYYY-MM`, zero-padded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Interprets a run of ASCII digits as a number; `None` if any byte is not a
/// digit.
fn ascii_number(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0_u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Inverse of [`YearMonth::index`] without the year-range restriction.
fn from_index(index: i64) -> Option<(i32, u32)> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12) + 1).ok()?;
    Some((year, month))
}

/// The last day of `month` in `year`, if `chrono` can represent it.
fn last_day_of(year: i32, month: u32) -> Option<NaiveDate> {
    (28..=31)
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(year, month, day))
}

/// Parses exactly `YYYY-MM-DD` (ten ASCII characters, zero-padded) into a
/// valid calendar date.
///
/// Returns `None` for any other shape (`2024-1-05`, `2024/01/05`, trailing
/// time or whitespace), for impossible dates (`2023-02-29`) and for the year
/// `0000` — years are `0001` to `9999`, as for [`YearMonth::parse`], so a
/// date and a month of the same text agree.
#[must_use]
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *s.as_bytes() else {
        return None;
    };
    let year = i32::try_from(ascii_number(&[y1, y2, y3, y4])?).ok()?;
    let month = ascii_number(&[m1, m2])?;
    let day = ascii_number(&[d1, d2])?;
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Parses an RFC 3339 timestamp with an explicit offset, such as
/// `2024-08-01T09:00:00+08:00` or `2024-08-01T01:00:00Z`.
///
/// The separator is `T` or `t` (RFC 3339 reads its letters case-insensitively)
/// and the fraction of a second has any number of digits. Refused although
/// `chrono` accepts them: a space as the separator, the year `0000`, and the
/// second `60` — `chrono` takes it at any minute, where a leap second can only
/// end a UTC day, and timestamps of registration systems never carry one
/// (validators of JSON Schema's `date-time` refuse it too).
#[must_use]
pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    if !matches!(s.as_bytes().get(10), Some(b'T' | b't')) || s.get(17..19) == Some("60") {
        return None;
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .filter(|t| t.year() != 0)
}

/// `d` moved by `n` calendar months (backwards for negative `n`), with the
/// day clamped to the last day of the target month.
///
/// 2024-01-31 + 1 = 2024-02-29; 2023-01-31 + 1 = 2023-02-28;
/// 2024-03-31 − 1 = 2024-02-29. Returns `None` if the result is outside the
/// range `chrono` can represent.
#[must_use]
pub fn add_months(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    let (year, month) = from_index(YearMonth::from_date(d).index().checked_add(n)?)?;
    let last = last_day_of(year, month)?;
    NaiveDate::from_ymd_opt(year, month, d.day().min(last.day()))
}

/// Whole calendar months from `a` to `b`.
///
/// For `b >= a` this is the largest `n >= 0` with `add_months(a, n) <= b`;
/// for `b < a` it is `-months_between(b, a)`.
///
/// 2023-08-31 → 2024-08-31 = 12; 2023-09-01 → 2024-08-31 = 11;
/// 2024-01-31 → 2024-02-29 = 1; 2024-01-31 → 2024-02-28 = 0.
#[must_use]
pub fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    if b < a {
        return -months_between(b, a);
    }
    // Candidate: the month-number difference. `add_months(a, n)` lands in b's
    // month, so it is either <= b (answer n) or later in that month (answer
    // n - 1, which lands in the previous month and is therefore < b). In the
    // latter case a and b are in different months, so n >= 1.
    let n = YearMonth::from_date(b).index() - YearMonth::from_date(a).index();
    match add_months(a, n) {
        Some(landed) if landed <= b => n,
        _ => n - 1,
    }
}

/// Months from `a` to `b`: `b.index() - a.index()` (negative if `b` is
/// earlier).
#[must_use]
pub fn months_between_ym(a: YearMonth, b: YearMonth) -> i64 {
    b.index() - a.index()
}

/// Whole years from `a` to `b`: [`months_between`] divided by 12, truncated
/// toward zero.
#[must_use]
pub fn years_between(a: NaiveDate, b: NaiveDate) -> i64 {
    months_between(a, b) / 12
}

/// Whole years from `a` to `b`: [`months_between_ym`] divided by 12,
/// truncated toward zero.
#[must_use]
pub fn years_between_ym(a: YearMonth, b: YearMonth) -> i64 {
    months_between_ym(a, b) / 12
}

/// Age in completed years on the date `on` for someone born on `birth`.
///
/// The birthday is reached when `on`'s (month, day) is at or past `birth`'s;
/// a 29 February birthday therefore counts as reached on 1 March in common
/// years. If `on` is before `birth` the result is [`years_between`]`(birth,
/// on)`, which is zero or negative.
#[must_use]
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i64 {
    if on < birth {
        return years_between(birth, on);
    }
    let years = i64::from(on.year()) - i64::from(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years - 1
    } else {
        years
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn year_month_new_bounds() {
        assert!(YearMonth::new(1, 1).is_some());
        assert!(YearMonth::new(9999, 12).is_some());
        assert!(YearMonth::new(0, 1).is_none());
        assert!(YearMonth::new(10000, 1).is_none());
        assert!(YearMonth::new(-5, 6).is_none());
        assert!(YearMonth::new(2024, 0).is_none());
        assert!(YearMonth::new(2024, 13).is_none());
        let v = YearMonth::new(2024, 8).unwrap();
        assert_eq!((v.year(), v.month()), (2024, 8));
    }

    #[test]
    fn year_month_parse_strict() {
        assert_eq!(ym("2024-08"), YearMonth::new(2024, 8).unwrap());
        assert_eq!(ym("0001-01"), YearMonth::new(1, 1).unwrap());
        for bad in [
            "",
            "2024-8",
            "24-08",
            "2024-13",
            "2024-00",
            "0000-01",
            "2024/08",
            "2024-08-01",
            " 2024-08",
            "2024-08 ",
            "+024-08",
            "2024-+8",
            "２０２４-08",
            "2024—08",
            "2024-0８",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn year_month_display_round_trips() {
        for s in ["0001-01", "0999-09", "2024-08", "9999-12"] {
            assert_eq!(ym(s).to_string(), s);
        }
    }

    #[test]
    fn year_month_ordering() {
        assert!(ym("2023-12") < ym("2024-01"));
        assert!(ym("2024-01") < ym("2024-02"));
        assert!(ym("2024-10") > ym("2024-09"));
        assert_eq!(ym("2024-02").cmp(&ym("2024-02")), std::cmp::Ordering::Equal);
    }

    #[test]
    fn year_month_days() {
        assert_eq!(ym("2024-02").first_day(), Some(d("2024-02-01")));
        assert_eq!(ym("2024-02").last_day(), Some(d("2024-02-29")));
        assert_eq!(ym("2023-02").last_day(), Some(d("2023-02-28")));
        assert_eq!(ym("1900-02").last_day(), Some(d("1900-02-28")));
        assert_eq!(ym("2000-02").last_day(), Some(d("2000-02-29")));
        assert_eq!(ym("2024-04").last_day(), Some(d("2024-04-30")));
        assert_eq!(ym("2024-12").last_day(), Some(d("2024-12-31")));
        assert_eq!(ym("9999-12").last_day(), Some(d("9999-12-31")));
    }

    #[test]
    fn year_month_from_date_and_index() {
        let v = YearMonth::from_date(d("2024-08-31"));
        assert_eq!(v, ym("2024-08"));
        assert_eq!(v.index(), 2024 * 12 + 7);
        assert_eq!(ym("0001-01").index(), 12);
        // Years outside 1..=9999 carry through from_date.
        let far = YearMonth::from_date(NaiveDate::from_ymd_opt(-44, 3, 15).unwrap());
        assert_eq!((far.year(), far.month()), (-44, 3));
        assert!(far < ym("0001-01"));
    }

    #[test]
    fn year_month_add_months() {
        assert_eq!(ym("2024-01").add_months(1), Some(ym("2024-02")));
        assert_eq!(ym("2024-12").add_months(1), Some(ym("2025-01")));
        assert_eq!(ym("2024-01").add_months(-1), Some(ym("2023-12")));
        assert_eq!(ym("2024-08").add_months(-20), Some(ym("2022-12")));
        assert_eq!(ym("2024-08").add_months(0), Some(ym("2024-08")));
        assert_eq!(ym("2024-08").add_months(120), Some(ym("2034-08")));
        assert_eq!(ym("9999-12").add_months(1), None);
        assert_eq!(ym("0001-01").add_months(-1), None);
        assert_eq!(ym("2024-08").add_months(i64::MAX), None);
        assert_eq!(ym("2024-08").add_months(i64::MIN), None);
    }

    #[test]
    fn year_month_differences() {
        assert_eq!(months_between_ym(ym("2023-09"), ym("2024-08")), 11);
        assert_eq!(months_between_ym(ym("2024-08"), ym("2023-09")), -11);
        assert_eq!(months_between_ym(ym("2024-08"), ym("2024-08")), 0);
        assert_eq!(years_between_ym(ym("2023-09"), ym("2024-08")), 0);
        assert_eq!(years_between_ym(ym("2023-08"), ym("2024-08")), 1);
        assert_eq!(years_between_ym(ym("2024-08"), ym("2023-09")), 0);
        assert_eq!(years_between_ym(ym("2024-08"), ym("2021-09")), -2);
        assert_eq!(years_between_ym(ym("0001-01"), ym("9999-12")), 9998);
    }

    #[test]
    fn parse_date_strict() {
        assert_eq!(
            parse_date("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert_eq!(parse_date("0001-01-01"), NaiveDate::from_ymd_opt(1, 1, 1));
        for bad in [
            "",
            // Years run from 0001, as for months (`YearMonth::parse`).
            "0000-01-01",
            "0000-02-29",
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "2024-1-05",
            "2024-01-5",
            "24-01-05",
            "2024/01/05",
            "20240105",
            "2024-01-05T00:00:00",
            " 2024-01-05",
            "2024-01-05 ",
            "+024-01-05",
            "2024-01-+5",
            "２０２４-01-05",
            "2024-01-0５",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn parse_datetime_rfc3339() {
        let t = parse_datetime("2024-08-01T09:00:00+08:00").unwrap();
        let z = parse_datetime("2024-08-01T01:00:00Z").unwrap();
        assert_eq!(t, z);
        assert_eq!(t.offset().local_minus_utc(), 8 * 3600);
        assert!(parse_datetime("2024-08-01T09:00:00.250+08:00").is_some());
        assert!(parse_datetime("2024-08-01T09:00:00").is_none());
        assert!(parse_datetime("2024-08-01").is_none());
        assert!(parse_datetime("").is_none());
        assert!(parse_datetime("2024-02-30T00:00:00Z").is_none());
        // RFC 3339: `t` and `z` in either case, any fraction; no space, no year 0, no second 60.
        assert_eq!(parse_datetime("2024-08-01t01:00:00z"), Some(z));
        assert!(parse_datetime("2024-08-01T23:59:60Z").is_none());
        assert!(parse_datetime("2024-08-01T23:59:59Z").is_some());
        assert!(parse_datetime("2024-08-01T09:00:00.123456789123+08:00").is_some());
        assert!(parse_datetime("2024-08-01 09:00:00+08:00").is_none());
        assert!(parse_datetime("0000-08-01T09:00:00+08:00").is_none());
        assert!(parse_datetime("0001-01-01T00:00:00Z").is_some());
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        assert_eq!(add_months(d("2024-01-31"), 1), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2023-01-31"), 1), Some(d("2023-02-28")));
        assert_eq!(add_months(d("2024-03-31"), -1), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2024-05-31"), 1), Some(d("2024-06-30")));
        assert_eq!(add_months(d("2024-02-29"), 12), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2024-02-29"), 48), Some(d("2028-02-29")));
        assert_eq!(add_months(d("2024-02-29"), -12), Some(d("2023-02-28")));
        assert_eq!(add_months(d("2024-01-15"), 0), Some(d("2024-01-15")));
        assert_eq!(add_months(d("2024-11-30"), 3), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2024-01-10"), -13), Some(d("2022-12-10")));
    }

    #[test]
    fn add_months_overflow_is_none() {
        assert_eq!(add_months(d("2024-01-31"), i64::MAX), None);
        assert_eq!(add_months(d("2024-01-31"), i64::MIN), None);
        assert_eq!(add_months(NaiveDate::MAX, 1), None);
        assert_eq!(add_months(NaiveDate::MIN, -1), None);
        assert_eq!(add_months(d("2024-01-31"), 10_000_000), None);
        // Beyond 9999 is fine for dates as long as chrono can represent it.
        assert!(add_months(d("9999-12-31"), 1).is_some());
    }

    #[test]
    fn months_between_examples() {
        assert_eq!(months_between(d("2023-08-31"), d("2024-08-31")), 12);
        assert_eq!(months_between(d("2023-09-01"), d("2024-08-31")), 11);
        assert_eq!(months_between(d("2024-01-31"), d("2024-02-29")), 1);
        assert_eq!(months_between(d("2024-01-31"), d("2024-02-28")), 0);
        assert_eq!(months_between(d("2023-01-31"), d("2023-02-28")), 1);
        assert_eq!(months_between(d("2024-05-15"), d("2024-05-15")), 0);
        assert_eq!(months_between(d("2024-05-15"), d("2024-05-31")), 0);
        assert_eq!(months_between(d("2024-05-15"), d("2024-06-14")), 0);
        assert_eq!(months_between(d("2024-05-15"), d("2024-06-15")), 1);
        assert_eq!(months_between(d("2024-02-29"), d("2025-02-28")), 12);
        assert_eq!(months_between(d("2024-02-29"), d("2025-02-27")), 11);
    }

    #[test]
    fn months_between_negative() {
        assert_eq!(months_between(d("2024-08-31"), d("2023-08-31")), -12);
        assert_eq!(months_between(d("2024-08-31"), d("2023-09-01")), -11);
        assert_eq!(months_between(d("2024-02-29"), d("2024-01-31")), -1);
        assert_eq!(months_between(d("2024-02-28"), d("2024-01-31")), 0);
    }

    #[test]
    fn months_between_extremes() {
        let m = months_between(NaiveDate::MIN, NaiveDate::MAX);
        assert!(m > 0);
        assert_eq!(months_between(NaiveDate::MAX, NaiveDate::MIN), -m);
    }

    #[test]
    fn years_between_truncates_toward_zero() {
        assert_eq!(years_between(d("2023-08-31"), d("2024-08-31")), 1);
        assert_eq!(years_between(d("2023-09-01"), d("2024-08-31")), 0);
        assert_eq!(years_between(d("2024-08-31"), d("2023-09-01")), 0);
        assert_eq!(years_between(d("2024-08-31"), d("2021-09-01")), -2);
        assert_eq!(years_between(d("2019-07-01"), d("2024-06-30")), 4);
        assert_eq!(years_between(d("2019-07-01"), d("2024-07-01")), 5);
    }

    #[test]
    fn age_on_ordinary_birthdays() {
        assert_eq!(age_on(d("2000-08-15"), d("2024-08-14")), 23);
        assert_eq!(age_on(d("2000-08-15"), d("2024-08-15")), 24);
        assert_eq!(age_on(d("2000-08-15"), d("2000-08-15")), 0);
        assert_eq!(age_on(d("2000-12-31"), d("2001-12-30")), 0);
        assert_eq!(age_on(d("2000-12-31"), d("2001-12-31")), 1);
    }

    #[test]
    fn age_on_leap_day_birthday() {
        let birth = d("2000-02-29");
        assert_eq!(age_on(birth, d("2001-02-28")), 0);
        assert_eq!(age_on(birth, d("2001-03-01")), 1);
        assert_eq!(age_on(birth, d("2004-02-28")), 3);
        assert_eq!(age_on(birth, d("2004-02-29")), 4);
        assert_eq!(age_on(birth, d("2018-02-28")), 17);
        assert_eq!(age_on(birth, d("2018-03-01")), 18);
        // Unlike years_between, which clamps to 28 February.
        assert_eq!(years_between(birth, d("2018-02-28")), 18);
    }

    #[test]
    fn age_on_before_birth() {
        assert_eq!(age_on(d("2000-01-01"), d("1999-06-01")), 0);
        assert_eq!(age_on(d("2000-01-01"), d("1999-01-01")), -1);
        assert_eq!(age_on(d("2000-01-01"), d("1998-12-31")), -1);
        assert_eq!(age_on(d("2000-01-01"), d("1997-01-01")), -3);
    }

    /// Every day in a window spanning two leap days and all month lengths.
    fn window() -> impl Iterator<Item = NaiveDate> {
        d("2019-11-20")
            .iter_days()
            .take_while(|x| *x <= d("2021-04-10"))
    }

    #[test]
    fn property_months_between_brackets_b() {
        let mut checked = 0_u32;
        for a in window() {
            let offsets = (0..=70_u64).chain((71..=1500).step_by(17));
            for k in offsets {
                let b = a.checked_add_days(chrono::Days::new(k)).unwrap();
                let n = months_between(a, b);
                assert!(n >= 0);
                assert!(add_months(a, n).unwrap() <= b, "{a} {b} {n}");
                assert!(add_months(a, n + 1).unwrap() > b, "{a} {b} {n}");
                assert_eq!(months_between(b, a), -n, "{a} {b}");
                assert_eq!(years_between(a, b), n / 12);
                if (a.month(), a.day()) != (2, 29) {
                    assert_eq!(age_on(a, b), years_between(a, b), "{a} {b}");
                }
                checked += 1;
            }
        }
        assert!(checked > 50_000);
    }

    #[test]
    fn property_add_months_round_trip() {
        for a in window() {
            for n in -30..=30 {
                let there = add_months(a, n).unwrap();
                assert_eq!(
                    YearMonth::from_date(there),
                    YearMonth::from_date(a).add_months(n).unwrap()
                );
                let back = add_months(there, -n).unwrap();
                // Clamping can only move the day earlier.
                assert!(back <= a, "{a} {n}");
                assert_eq!(YearMonth::from_date(back), YearMonth::from_date(a));
                if a.day() <= 28 {
                    assert_eq!(back, a);
                }
            }
        }
    }
}
