//! Property tests of the expression parser: it never panics, and printing a syntax tree then
//! parsing it back gives the same tree. (Moved here from the tests crate when the parser became
//! internal; the engine's own "never panics" properties stay in `tests/tests/properties.rs`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;

use super::ast::{Ast, BinOp, Lit, Quant, Span};
use super::parser::parse;

// ---------------------------------------------------------------------------------------------
// (a) The parser never panics.
// ---------------------------------------------------------------------------------------------

/// Pieces of the expression language, so that random strings get past the lexer often.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "(",
            ")",
            "[",
            "]",
            ",",
            ".",
            "$",
            "@",
            "\"",
            "'",
            "\\",
            "-",
            "+",
            "*",
            "/",
            "%",
            "==",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            "=",
            "!",
            "and",
            "or",
            "not",
            "in",
            "not in",
            "true",
            "false",
            "any",
            "all",
            "count",
            "len",
            "present",
            "if",
            "coalesce",
            " ",
            "\n",
            "@2024-08-31",
            "@2024-08",
            "@2024-02-04T23:59:59+08:00",
            "@2024",
            "1.5",
            "0.",
            "99999999999999999999",
            "张三",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,4}",
        "[0-9]{1,3}",
        "\"[^\"\\\\]{0,4}\"",
    ]
}

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..24).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_any_string(s in any::<String>()) {
        if let Err(e) = parse(&s) {
            prop_assert!(e.offset <= s.len(), "offset {} beyond {} bytes", e.offset, s.len());
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn parse_never_panics_on_token_soup(s in token_soup()) {
        if let Err(e) = parse(&s) {
            prop_assert!(e.offset <= s.len(), "offset {} beyond {} bytes in {s:?}", e.offset, s.len());
        }
    }

    /// Whatever parses prints as text that parses to the same tree.
    #[test]
    fn printed_parse_reparses(s in token_soup()) {
        if let Ok(ast) = parse(&s) {
            let printed = ast.to_string();
            let again = parse(&printed);
            prop_assert!(again.is_ok(), "{s:?} printed as {printed:?} does not parse: {again:?}");
            prop_assert_eq!(again.unwrap().without_spans(), ast.without_spans(), "{:?} printed as {:?}", s, printed);
        }
    }
}

#[test]
fn parse_never_panics_on_deep_or_long_input() {
    for s in [
        "(".repeat(100_000),
        "-".repeat(100_000),
        "not ".repeat(50_000),
        "[".repeat(100_000),
        format!("{}1", "f(".repeat(50_000)),
        "a.".repeat(100_000),
        "x".repeat(1 << 20),
        format!("\"{}", "\\".repeat(100_001)),
        "1 + ".repeat(10_000) + "1",
    ] {
        assert!(parse(&s).is_err(), "{}…", &s[..20]);
    }
}

// ---------------------------------------------------------------------------------------------
// (b) Round trip: print(ast) parses back to ast.
// ---------------------------------------------------------------------------------------------

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "true", "false", "any", "all", "count",
];

fn z() -> Span {
    Span::default()
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,5}".prop_filter("keywords are not names", |s| {
        !KEYWORDS.contains(&s.as_str())
    })
}

fn path() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(ident(), 1..=3)
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1000u32..=9999, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        prop::sample::select(vec!["2024-02-29", "2023-08-31", "2000-12-31", "1900-01-31"])
            .prop_map(str::to_owned),
    ]
}

fn literal() -> impl Strategy<Value = Lit> {
    prop_oneof![
        any::<bool>().prop_map(Lit::Bool),
        (-1_000_000i64..=1_000_000).prop_map(Lit::Int),
        (-1000i32..=1000).prop_map(|n| Lit::Num(f64::from(n) / 4.0)),
        "[^\\p{Cc}]{0,8}".prop_map(Lit::Text),
        "[a\"'\\\\ 张{}@$]{0,6}".prop_map(Lit::Text),
        date().prop_map(Lit::Date),
        (1000u32..=9999, 1u32..=12).prop_map(|(y, m)| Lit::Month(format!("{y:04}-{m:02}"))),
        (
            date(),
            0u32..24,
            0u32..60,
            0u32..60,
            prop::sample::select(vec!["Z", "+08:00", "-05:00", "+00:00"])
        )
            .prop_map(|(d, h, mi, s, off)| Lit::DateTime(format!(
                "{d}T{h:02}:{mi:02}:{s:02}{off}"
            ))),
    ]
}

fn binop() -> impl Strategy<Value = BinOp> {
    prop::sample::select(vec![
        BinOp::Or,
        BinOp::And,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::In,
        BinOp::NotIn,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Rem,
    ])
}

/// Syntax trees of small depth. The parser folds `-<number literal>` into a negative literal, so
/// negation is only generated over non-literals (negative literals are generated directly).
fn ast() -> impl Strategy<Value = Ast> {
    let leaf = prop_oneof![
        literal().prop_map(|l| Ast::Lit(l, z())),
        path().prop_map(|p| Ast::Path(p, z())),
        ident().prop_map(|p| Ast::Param(p, z())),
    ];
    leaf.prop_recursive(4, 40, 3, |inner| {
        prop_oneof![
            (ident(), prop::collection::vec(inner.clone(), 0..=3)).prop_map(|(n, a)| Ast::Call(
                n,
                a,
                z()
            )),
            (
                prop::sample::select(vec![Quant::Any, Quant::All, Quant::Count]),
                ident(),
                path(),
                inner.clone()
            )
                .prop_map(|(kind, var, over, body)| Ast::Quant {
                    kind,
                    var,
                    over,
                    body: Box::new(body),
                    span: z()
                }),
            inner.clone().prop_map(|e| Ast::Not(Box::new(e), z())),
            inner
                .clone()
                .prop_filter("negation of a literal folds", |e| !matches!(
                    e,
                    Ast::Lit(..)
                ))
                .prop_map(|e| Ast::Neg(Box::new(e), z())),
            (binop(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| Ast::Binary(
                op,
                Box::new(l),
                Box::new(r),
                z()
            )),
            prop::collection::vec(inner, 0..=3).prop_map(|items| Ast::List(items, z())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity(tree in ast()) {
        let printed = tree.to_string();
        let parsed = parse(&printed);
        prop_assert!(parsed.is_ok(), "{printed:?} does not parse: {parsed:?}");
        prop_assert_eq!(parsed.unwrap().without_spans(), tree.without_spans(), "printed as {:?}", printed);
    }
}

#[test]
fn round_trip_examples() {
    for src in [
        "a.b == 1 or c.d < 2 and not e.f",
        "-3 + -x",
        "(a < b) == c",
        "not (a and b)",
        "x not in [\"a\", 'b', -1, 2.5]",
        "count(c in s.records, c.year >= @2015-01) > 0",
        "if(present(a.b), coalesce(a.b, $p), @2024-02-04T23:59:59+08:00)",
        "a - (b - c) * -(d % 2)",
    ] {
        let ast = parse(src).unwrap();
        assert_eq!(
            parse(&ast.to_string()).unwrap().without_spans(),
            ast.without_spans(),
            "{src}"
        );
    }
}

/// `parse(print(e)) == e` also for number literals whose digits overflow `f64`: such a literal must
/// either be rejected by the parser or print as something that reads back as the same literal.
#[test]
fn huge_number_literal_round_trips() {
    let src = format!("{}.5", "9".repeat(400));
    if let Ok(ast) = parse(&src) {
        let printed = ast.to_string();
        let again = parse(&printed).map(|a| a.without_spans());
        assert_eq!(
            again,
            Ok(ast.without_spans()),
            "{}… printed as {printed:?}",
            &src[..12]
        );
    }
}
