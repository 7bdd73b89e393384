//! Broken packs: `tests/errors/<name>/pack/` must fail to load or compile with the error that
//! `tests/errors/<name>/expected.toml` names — its `code`, and when given the `file` (relative to the
//! pack directory; the error names it as the loader read it, the pack's path joined with it), `line`
//! and `column` (1-based, columns in characters) of the first error, and words its `message`
//! contains. For compile errors that is the first `CompileError`'s `loc`; for load errors
//! `LoadError::loc()`.
//!
//! `expected.toml` sits beside the pack directory, not in it, because the loader reads every `*.toml`
//! of a pack directory. Packs that extend another keep it in a sibling directory (`base/`, `other/`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use baokao::model::Loc;
use baokao::{Engine, Error};

fn errors_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("errors")
}

/// `expected.toml` is flat `key = "text"` / `key = 123` lines with `#` comments.
fn read_expected(dir: &Path) -> BTreeMap<String, String> {
    let path = dir.join("expected.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{}: bad line `{line}`", path.display()));
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        out.insert(key.trim().to_owned(), value.to_owned());
    }
    for key in out.keys() {
        assert!(
            ["code", "file", "line", "column", "message"].contains(&key.as_str()),
            "{}: unknown key `{key}`",
            path.display()
        );
    }
    assert!(out.contains_key("code"), "{}: no `code`", path.display());
    out
}

fn first_loc(e: &Error) -> Option<&Loc> {
    match e {
        Error::Load(l) => l.loc(),
        Error::Compile(v) => v.first().and_then(|c| c.loc.as_ref()),
        Error::Application(_) => None,
    }
}

fn check(name: &str) {
    let dir = errors_root().join(name);
    let expected = read_expected(&dir);
    let Err(err) = Engine::from_dir(dir.join("pack")) else {
        panic!(
            "{name}: the pack loaded and compiled, expected `{}`",
            expected["code"]
        );
    };
    let mut problems = Vec::new();
    if err.code() != expected["code"] {
        problems.push(format!(
            "code `{}`, expected `{}`",
            err.code(),
            expected["code"]
        ));
    }
    let loc = first_loc(&err);
    let got = |what: &str| -> Option<String> {
        loc.map(|l| match what {
            "file" => l.file.clone(),
            "line" => l.line.to_string(),
            _ => l.column.to_string(),
        })
    };
    for key in ["file", "line", "column"] {
        if let Some(want) = expected.get(key) {
            let want = if key == "file" {
                lexical(&dir.join("pack").join(want))
            } else {
                want.clone()
            };
            let have = got(key);
            if have.as_deref() != Some(want.as_str()) {
                problems.push(format!("{key} {have:?}, expected {want}"));
            }
        }
    }
    if let Some(words) = expected.get("message") {
        let message = match &err {
            Error::Compile(v) => v.first().map(ToString::to_string).unwrap_or_default(),
            other => other.to_string(),
        };
        if !message.contains(words.as_str()) {
            problems.push(format!("message `{message}` does not say `{words}`"));
        }
    }
    assert!(
        problems.is_empty(),
        "{name}: {}\n  the error was: {err}",
        problems.join("; ")
    );
}

macro_rules! error_cases {
    ($($name:ident),* $(,)?) => {
        const CASES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*
    };
}

error_cases! {
    toml_syntax,
    compare_date_or_month,
    route_row_without_label,
    toml_unknown_key,
    duplicate_rule_id,
    missing_pack_table,
    extends_cycle,
    param_type_override,
    unknown_disable,
    unknown_field,
    unknown_param,
    unknown_function,
    type_mismatch,
    unknown_enum_value,
    bad_regex,
    bad_regex_size,
    wrong_arity,
    wrong_arity_builtin,
    unknown_table,
    unknown_column,
    unknown_decision,
    syntax_error_chain,
    bad_literal,
    message_hole_unknown_field,
    invalid_rule,
    decision_cells,
    unknown_enum_value_in_list,
    decision_cell_enum,
    decision_reads_later_decision,
    shadowed_name,
    masked_due,
    duplicate_example,
    duplicate_field,
    example_unknown_outcome,
    example_unknown_base,
    example_set_unknown_field,
    example_set_into_scalar,
    example_remove_missing,
    example_unknown_step,
    example_unknown_param,
    extends_outside_root,
    extends_too_deep,
    directory_too_deep,
    invalid_table_row,
}

#[test]
fn every_error_dir_has_a_test() {
    let found: BTreeSet<String> = std::fs::read_dir(errors_root())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = CASES.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        found, listed,
        "tests/errors/ and error_cases! must list the same cases"
    );
}

/// The brief's minimum: each broken pack is an `Err`, also when compiled from its bundle form is not
/// possible (it never loads), and compile errors list every problem, not only the first.
#[test]
fn compile_errors_are_all_listed() {
    let dir = errors_root().join("unknown_field").join("pack");
    let mut pack = baokao::Pack::from_dir(&dir).expect("loads");
    // Add a second broken rule: both errors are reported, in pack order.
    let mut second = pack.rules[0].clone();
    second.id = "E-2".into();
    second.check = Some(baokao::model::Source::new("e.agge > 0"));
    pack.rules.push(second);
    match Engine::from_pack(pack) {
        Err(Error::Compile(v)) => {
            let codes: Vec<&str> = v.iter().map(|e| e.code).collect();
            assert_eq!(codes, ["unknown_field", "unknown_field"], "{v:?}");
            assert!(v[1].item.contains("E-2"), "{v:?}");
            assert!(
                v[1].loc.is_none(),
                "a Source without location has no loc: {v:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// `path` with `.` and `..` resolved lexically, `/`-separated: how the loader shows a file it read
/// (a base pack reached through `extends = "../base"` is `…/base/pack.toml`).
fn lexical(path: &std::path::Path) -> String {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts
        .iter()
        .collect::<std::path::PathBuf>()
        .to_string_lossy()
        .replace('\\', "/")
}
