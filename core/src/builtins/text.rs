//! Character-level text checks for form fields: Chinese (Han) characters,
//! full-width punctuation and forms, and length in characters.
//!
//! Ranges follow the Unicode blocks "CJK Unified Ideographs" and its
//! extensions A–H, "CJK Compatibility Ideographs", "CJK Symbols and
//! Punctuation" and "Halfwidth and Fullwidth Forms". Lengths are counted in
//! Unicode scalar values (`char`s), never bytes.

/// Whether `c` is a CJK ideograph in the ranges accepted by [`is_han`].
fn is_han_char(c: char) -> bool {
    matches!(
        c,
        // CJK Unified Ideographs.
        '\u{4E00}'..='\u{9FFF}'
        // Extension A.
        | '\u{3400}'..='\u{4DBF}'
        // Extensions B–F.
        | '\u{20000}'..='\u{2EBEF}'
        // Extensions G–H.
        | '\u{30000}'..='\u{323AF}'
        // CJK Compatibility Ideographs.
        | '\u{F900}'..='\u{FAFF}'
    )
}

/// Whether `s` is non-empty and every character is a CJK ideograph:
/// U+4E00–U+9FFF, extension A U+3400–U+4DBF, extensions B–F
/// U+20000–U+2EBEF, extensions G–H U+30000–U+323AF, or a compatibility
/// ideograph U+F900–U+FAFF.
///
/// Spaces, punctuation (including the middle dot `·`), `〇` (U+3007),
/// digits and Latin letters all make the result `false`.
#[must_use]
pub fn is_han(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_han_char)
}

/// Whether `c` is a full-width symbol, punctuation mark or ASCII-like form.
fn is_fullwidth_char(c: char) -> bool {
    matches!(
        c,
        // CJK Symbols and Punctuation, including the ideographic space.
        '\u{3000}'..='\u{303F}'
        // Full-width ASCII variants and full-width brackets.
        | '\u{FF01}'..='\u{FF60}'
        // Full-width currency and other symbol forms.
        | '\u{FFE0}'..='\u{FFE6}'
    )
}

/// Whether `s` contains no full-width punctuation, letters, digits or
/// symbols: nothing in U+3000–U+303F (CJK symbols and punctuation, including
/// the ideographic space U+3000), U+FF01–U+FF60 (full-width ASCII forms) or
/// U+FFE0–U+FFE6 (full-width symbol forms).
///
/// Han characters themselves are allowed, as is the empty string.
#[must_use]
pub fn is_halfwidth(s: &str) -> bool {
    !s.chars().any(is_fullwidth_char)
}

/// The number of Unicode scalar values (`char`s) in `s`.
#[must_use]
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn han_accepts_common_names() {
        assert!(is_han("张三"));
        assert!(is_han("欧阳娜娜"));
        assert!(is_han("中"));
        assert!(is_han("龘"));
    }

    #[test]
    fn han_accepts_range_boundaries() {
        for c in [
            '\u{4E00}',
            '\u{9FFF}',
            '\u{3400}',
            '\u{4DBF}',
            '\u{20000}',
            '\u{2A6DF}',
            '\u{2EBEF}',
            '\u{30000}',
            '\u{323AF}',
            '\u{F900}',
            '\u{FAFF}',
        ] {
            assert!(is_han(&c.to_string()), "U+{:04X}", u32::from(c));
        }
        // 𠀀 (U+20000) and 𪚥 (U+2A6A5) in a name.
        assert!(is_han("王\u{20000}\u{2A6A5}"));
    }

    #[test]
    fn han_rejects_just_outside_ranges() {
        for c in [
            '\u{4DFF}',
            '\u{A000}',
            '\u{33FF}',
            '\u{4DC0}',
            '\u{1FFFF}',
            '\u{2EBF0}',
            '\u{2FFFF}',
            '\u{323B0}',
            '\u{F8FF}',
            '\u{FB00}',
        ] {
            assert!(!is_han(&c.to_string()), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn han_rejects_mixed_and_empty() {
        assert!(!is_han(""));
        assert!(!is_han("张 三"));
        assert!(!is_han("张三 "));
        assert!(!is_han("阿依古丽·买买提"));
        assert!(!is_han("张3"));
        assert!(!is_han("Zhang"));
        assert!(!is_han("张三，"));
        assert!(!is_han("〇"));
        assert!(!is_han("\u{3000}"));
        assert!(!is_han("カタカナ"));
        assert!(!is_han("한국"));
    }

    #[test]
    fn halfwidth_accepts_plain_text() {
        assert!(is_halfwidth(""));
        assert!(is_halfwidth("Hello, world! 123"));
        assert!(is_halfwidth("张三"));
        assert!(is_halfwidth("北京市海淀区1号(东门)"));
        assert!(is_halfwidth("阿依古丽·买买提"));
        // Just outside the full-width ranges.
        assert!(is_halfwidth(
            "\u{2FFF}\u{3040}\u{FF00}\u{FF61}\u{FFDF}\u{FFE7}"
        ));
    }

    #[test]
    fn halfwidth_rejects_fullwidth_forms() {
        assert!(!is_halfwidth("张三，李四"));
        assert!(!is_halfwidth("北京市。"));
        assert!(!is_halfwidth("张\u{3000}三"));
        assert!(!is_halfwidth("１２３"));
        assert!(!is_halfwidth("ＡＢＣ"));
        assert!(!is_halfwidth("（东门）"));
        assert!(!is_halfwidth("《内科学》"));
        assert!(!is_halfwidth("￥100"));
        for c in [
            '\u{3000}', '\u{303F}', '\u{FF01}', '\u{FF60}', '\u{FFE0}', '\u{FFE6}',
        ] {
            assert!(!is_halfwidth(&c.to_string()), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn char_len_counts_scalars() {
        assert_eq!(char_len(""), 0);
        assert_eq!(char_len("abc"), 3);
        assert_eq!(char_len("张三"), 2);
        assert_eq!(char_len("王\u{20000}"), 2);
        assert_eq!(char_len("ｅ\u{301}"), 2);
        assert_eq!("张三".len(), 6);
    }
}
