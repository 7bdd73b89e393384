//! Identity document numbers: the mainland resident identity number and the
//! Hong Kong identity card number.
//!
//! The mainland number follows GB 11643-1999 (公民身份号码): 18 characters made
//! of a 6-digit administrative region code, an 8-digit birth date `YYYYMMDD`,
//! a 3-digit sequence code whose last digit encodes gender (odd = male,
//! even = female), and a check character computed with ISO 7064 MOD 11-2
//! (`0`–`9` or upper-case `X` for the value 10).
//!
//! The Hong Kong number is one or two upper-case letters, six digits and a
//! check character (`0`–`9` or `A`), written here without the brackets that
//! usually surround the check character on the card.
//!
//! Every function is total: malformed input of any kind (wrong length,
//! non-ASCII characters, empty strings) yields `false` / `None`, never a panic.

use chrono::NaiveDate;

/// ISO 7064 MOD 11-2 weights for positions 1–17 of a GB 11643-1999 number
/// (`2^(18 - i) mod 11`).
const GB_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character for each remainder `0..=10` of the weighted sum mod 11.
const GB_CHECK_CHARS: &str = "10X98765432";

/// Splits an 18-character string whose first 17 characters are ASCII digits
/// into those 17 digit values and the final character (not validated).
fn gb_parts(id: &str) -> Option<([u32; 17], char)> {
    let mut chars = id.chars();
    let mut digits = [0_u32; 17];
    for slot in &mut digits {
        // `to_digit(10)` accepts only ASCII `0`–`9`, so full-width digits fail here.
        *slot = chars.next()?.to_digit(10)?;
    }
    let last = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    Some((digits, last))
}

/// Folds a run of decimal digits into a number.
fn digits_value(digits: &[u32]) -> u32 {
    digits.iter().fold(0, |acc, d| acc * 10 + d)
}

/// Whether `id` is a GB 11643-1999 resident identity number with a correct
/// ISO 7064 MOD 11-2 check character.
///
/// Requires exactly 18 characters: 17 ASCII digits followed by a digit or an
/// upper-case `X`. A lower-case `x` is rejected, as are 15-digit first
/// generation numbers. Only the check character is verified; see
/// [`gb11643_birth_date`] for the date portion.
#[must_use]
pub fn gb11643_checksum_ok(id: &str) -> bool {
    let Some((digits, last)) = gb_parts(id) else {
        return false;
    };
    let sum: u32 = digits.iter().zip(GB_WEIGHTS).map(|(d, w)| d * w).sum();
    let Ok(remainder) = usize::try_from(sum % 11) else {
        return false;
    };
    GB_CHECK_CHARS.chars().nth(remainder) == Some(last)
}

/// The birth date encoded in characters 7–14 (`YYYYMMDD`) of an 18-character
/// GB 11643-1999 number.
///
/// Returns `None` unless `id` has exactly 18 characters, the first 17 of them
/// ASCII digits, and the eight date digits form a valid calendar date. The
/// check character is not examined.
#[must_use]
pub fn gb11643_birth_date(id: &str) -> Option<NaiveDate> {
    let (digits, _) = gb_parts(id)?;
    let year = i32::try_from(digits_value(digits.get(6..10)?)).ok()?;
    let month = digits_value(digits.get(10..12)?);
    let day = digits_value(digits.get(12..14)?);
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The gender encoded in character 17 of an 18-character GB 11643-1999
/// number: `"男"` for an odd digit, `"女"` for an even one.
///
/// Returns `None` unless `id` has exactly 18 characters, the first 17 of them
/// ASCII digits. The check character is not examined.
#[must_use]
pub fn gb11643_gender(id: &str) -> Option<&'static str> {
    let (digits, _) = gb_parts(id)?;
    let digit = digits.get(16)?;
    Some(if digit % 2 == 1 { "男" } else { "女" })
}

/// The 6-digit administrative region code at the start of `id`, borrowed
/// from the input.
///
/// Returns `None` if `id` is shorter than 6 characters or any of the first
/// six is not an ASCII digit. The rest of the string is not examined.
#[must_use]
pub fn gb11643_region(id: &str) -> Option<&str> {
    let region = id.get(..6)?;
    region.bytes().all(|b| b.is_ascii_digit()).then_some(region)
}

/// Numeric value of a Hong Kong identity card character: `A`–`Z` are
/// 10–35, digits are their face value.
fn hkid_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
        _ => None,
    }
}

/// Whether `id` is a Hong Kong identity card number (written without the
/// brackets around the check character) with a correct check character.
///
/// Accepted shape: one or two upper-case letters, six ASCII digits, then a
/// check character that is a digit or `A` (8 or 9 characters in total).
/// The check is computed over eight values — a single-letter number is
/// prefixed with the value 36 for the blank position — weighted 9 down to 2;
/// the check value is `11 − (sum mod 11)`, written `A` for 10 and `0` for 11.
#[must_use]
pub fn hkid_checksum_ok(id: &str) -> bool {
    let bytes = id.as_bytes();
    let (letters, digits, check) = match *bytes {
        [l1, d1, d2, d3, d4, d5, d6, c] => ([None, Some(l1)], [d1, d2, d3, d4, d5, d6], c),
        [l1, l2, d1, d2, d3, d4, d5, d6, c] => ([Some(l1), Some(l2)], [d1, d2, d3, d4, d5, d6], c),
        _ => return false,
    };
    let mut values = [0_u32; 8];
    let mut slots = values.iter_mut();
    for letter in letters {
        let value = match letter {
            None => Some(36),
            Some(l) if l.is_ascii_uppercase() => hkid_value(l),
            Some(_) => None,
        };
        match (slots.next(), value) {
            (Some(slot), Some(v)) => *slot = v,
            _ => return false,
        }
    }
    for digit in digits {
        let value = if digit.is_ascii_digit() {
            hkid_value(digit)
        } else {
            None
        };
        match (slots.next(), value) {
            (Some(slot), Some(v)) => *slot = v,
            _ => return false,
        }
    }
    let sum: u32 = values.iter().zip((2..=9).rev()).map(|(v, w)| v * w).sum();
    let expected = match 11 - sum % 11 {
        10 => b'A',
        11 => b'0',
        // 1..=9: a single decimal digit.
        n => match u8::try_from(n) {
            Ok(n) => b'0' + n,
            Err(_) => return false,
        },
    };
    check == expected
}

/// Masks a sensitive value for display.
///
/// Strings longer than 7 characters keep their first 3 and last 4 characters
/// with every character in between replaced by `*`; strings of at most 7
/// characters are replaced by `*` except for the last character. Counting is
/// by Unicode scalar value, so multi-byte characters are handled safely.
#[must_use]
pub fn mask(s: &str) -> String {
    let len = s.chars().count();
    let (keep_head, keep_tail) = if len <= 7 { (0, 1) } else { (3, 4) };
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_head || i + keep_tail >= len {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]
mod tests {
    use super::*;

    /// Digits 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 times weights
    /// 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 give
    /// 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2;
    /// "10X98765432"[2] = 'X'.
    const VALID_X: &str = "11010519491231002X";

    /// Digits 4 4 0 5 2 4 1 8 8 0 0 1 0 1 0 0 1 give
    /// 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195; 195 mod 11 = 8;
    /// "10X98765432"[8] = '4'.
    const VALID_4: &str = "440524188001010014";

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn checksum_accepts_hand_computed_vectors() {
        assert!(gb11643_checksum_ok(VALID_X));
        assert!(gb11643_checksum_ok(VALID_4));
    }

    #[test]
    fn checksum_exactly_one_check_char_fits() {
        for body in ["11010519491231002", "44052418800101001"] {
            let fitting: Vec<char> = "0123456789Xx"
                .chars()
                .filter(|c| gb11643_checksum_ok(&format!("{body}{c}")))
                .collect();
            assert_eq!(fitting.len(), 1, "{body}: {fitting:?}");
        }
    }

    #[test]
    fn checksum_rejects_wrong_check_char() {
        assert!(!gb11643_checksum_ok("110105194912310020"));
        assert!(!gb11643_checksum_ok("440524188001010015"));
        // A transposition in the body changes the sum.
        assert!(!gb11643_checksum_ok("11010519491231020X"));
    }

    #[test]
    fn checksum_rejects_lower_case_x() {
        assert!(!gb11643_checksum_ok("11010519491231002x"));
    }

    #[test]
    fn checksum_rejects_bad_shapes() {
        assert!(!gb11643_checksum_ok(""));
        // First-generation 15-digit number.
        assert!(!gb11643_checksum_ok("110105491231002"));
        assert!(!gb11643_checksum_ok("11010519491231002X0"));
        assert!(!gb11643_checksum_ok("11010519491231002"));
        assert!(!gb11643_checksum_ok(" 11010519491231002X"));
        // X anywhere but last.
        assert!(!gb11643_checksum_ok("X10105194912310020"));
        // Full-width digits and other non-ASCII input.
        assert!(!gb11643_checksum_ok("１１０１０５１９４９１２３１００２Ｘ"));
        assert!(!gb11643_checksum_ok("11010519491231002中"));
        assert!(!gb11643_checksum_ok("中华人民共和国居民身份证号码一二三四"));
    }

    #[test]
    fn birth_date_extraction() {
        assert_eq!(gb11643_birth_date(VALID_X), Some(date(1949, 12, 31)));
        assert_eq!(gb11643_birth_date(VALID_4), Some(date(1880, 1, 1)));
        // Checksum is not examined, lower-case x included.
        assert_eq!(
            gb11643_birth_date("110105194912310020"),
            Some(date(1949, 12, 31))
        );
        assert_eq!(
            gb11643_birth_date("11010519491231002x"),
            Some(date(1949, 12, 31))
        );
    }

    #[test]
    fn birth_date_leap_days() {
        assert_eq!(gb11643_birth_date("110105199902290010"), None);
        assert_eq!(
            gb11643_birth_date("110105200002290010"),
            Some(date(2000, 2, 29))
        );
        assert_eq!(gb11643_birth_date("110105190002290010"), None);
    }

    #[test]
    fn birth_date_invalid_inputs() {
        assert_eq!(gb11643_birth_date("110105199913010010"), None);
        assert_eq!(gb11643_birth_date("110105199900010010"), None);
        assert_eq!(gb11643_birth_date("110105199904310010"), None);
        assert_eq!(gb11643_birth_date("110105491231002"), None);
        assert_eq!(gb11643_birth_date(""), None);
        assert_eq!(gb11643_birth_date("1101051949123100X2"), None);
        assert_eq!(
            gb11643_birth_date("１１０１０５１９４９１２３１００２Ｘ"),
            None
        );
    }

    #[test]
    fn gender_from_sequence_digit() {
        // Digit 17 of VALID_X is 2, of VALID_4 is 1.
        assert_eq!(gb11643_gender(VALID_X), Some("女"));
        assert_eq!(gb11643_gender(VALID_4), Some("男"));
        assert_eq!(gb11643_gender("110105194912310090"), Some("男"));
        assert_eq!(gb11643_gender("110105194912310000"), Some("女"));
        assert_eq!(gb11643_gender("110105491231002"), None);
        assert_eq!(gb11643_gender("1101051949123100X2"), None);
        assert_eq!(gb11643_gender(""), None);
    }

    #[test]
    fn region_prefix() {
        assert_eq!(gb11643_region(VALID_X), Some("110105"));
        assert_eq!(gb11643_region("440524"), Some("440524"));
        assert_eq!(gb11643_region("44052"), None);
        assert_eq!(gb11643_region("4405a4188001010014"), None);
        assert_eq!(gb11643_region(""), None);
        // A multi-byte character straddling byte 6 must not panic.
        assert_eq!(gb11643_region("11010中"), None);
        assert_eq!(gb11643_region("中华人民共和国"), None);
    }

    #[test]
    fn region_borrows_input() {
        let id = String::from(VALID_4);
        let region = gb11643_region(&id).unwrap();
        assert!(std::ptr::eq(region.as_ptr(), id.as_ptr()));
    }

    #[test]
    fn hkid_valid() {
        // A123456: 36*9 + 10*8 + 1*7 + 2*6 + 3*5 + 4*4 + 5*3 + 6*2
        // = 324+80+7+12+15+16+15+12 = 481; 481 mod 11 = 8; 11-8 = 3.
        assert!(hkid_checksum_ok("A1234563"));
        // AB987654: 10*9 + 11*8 + 9*7 + 8*6 + 7*5 + 6*4 + 5*3 + 4*2
        // = 90+88+63+48+35+24+15+8 = 371; 371 mod 11 = 8; 11-8 = 3.
        assert!(hkid_checksum_ok("AB9876543"));
        // A000002: 324+80+2*2 = 408; 408 mod 11 = 1; 11-1 = 10 -> 'A'.
        assert!(hkid_checksum_ok("A000002A"));
        // A000010: 324+80+1*3 = 407; 407 mod 11 = 0; 11-0 = 11 -> '0'.
        assert!(hkid_checksum_ok("A0000100"));
    }

    #[test]
    fn hkid_invalid() {
        // Wrong check digit.
        assert!(!hkid_checksum_ok("A1234564"));
        assert!(!hkid_checksum_ok("AB9876542"));
        // Flipped body digit.
        assert!(!hkid_checksum_ok("A1244563"));
        // 'A' where the check is a digit, digit where it is 'A' or '0'.
        assert!(!hkid_checksum_ok("A123456A"));
        assert!(!hkid_checksum_ok("A0000020"));
        assert!(!hkid_checksum_ok("A000010A"));
        // Shapes.
        assert!(!hkid_checksum_ok(""));
        assert!(!hkid_checksum_ok("a1234563"));
        assert!(!hkid_checksum_ok("A123456(3)"));
        assert!(!hkid_checksum_ok("1A234563"));
        assert!(!hkid_checksum_ok("ABC1234563"));
        assert!(!hkid_checksum_ok("A12345B3"));
        assert!(!hkid_checksum_ok("A12345"));
        assert!(!hkid_checksum_ok("A1234563a"));
        assert!(!hkid_checksum_ok(" A1234563"));
        assert!(!hkid_checksum_ok("Ａ1234563"));
        assert!(!hkid_checksum_ok("中12345"));
    }

    #[test]
    fn hkid_exactly_one_check_char_fits() {
        for body in ["A123456", "AB987654", "Z999999", "XY000000"] {
            let fitting = "0123456789ABX"
                .chars()
                .filter(|c| hkid_checksum_ok(&format!("{body}{c}")))
                .count();
            assert_eq!(fitting, 1, "{body}");
        }
    }

    #[test]
    fn mask_long_values() {
        assert_eq!(mask(VALID_X), "110***********002X");
        assert_eq!(mask("13812345678"), "138****5678");
        assert_eq!(mask("12345678"), "123*5678");
        assert_eq!(mask("张三丰李四王五赵六"), "张三丰**王五赵六");
    }

    #[test]
    fn mask_short_values() {
        assert_eq!(mask(""), "");
        assert_eq!(mask("a"), "a");
        assert_eq!(mask("ab"), "*b");
        assert_eq!(mask("1234567"), "******7");
        assert_eq!(mask("张三"), "*三");
    }

    #[test]
    fn mask_preserves_char_count() {
        for s in [
            "",
            "x",
            "中文字符串",
            "abcdefghijklmnop",
            "１２３４５６７８９",
        ] {
            assert_eq!(mask(s).chars().count(), s.chars().count());
        }
    }
}
