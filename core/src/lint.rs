//! Static checks of a compiled pack that are not errors: decision tables with unreachable,
//! overlapping or missing rows, and parameters or tables nothing uses.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::compile::{CCell, CDecision, Program};
use crate::pack::locations::Locations;
use crate::pack::model::{HitPolicy, Loc};
use crate::value::Scalar;

/// Largest input space `lint` enumerates when looking for missing rows.
pub const MAX_COMBINATIONS: usize = 200_000;

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lint {
    /// Stable code: `unreachable_row`, `overlapping_rows`, `missing_rows`, `not_analysed`,
    /// `unused_param`, `unused_table`, `unicode_class`.
    pub code: &'static str,
    /// The decision, parameter or table concerned.
    pub item: String,
    /// What was found.
    pub message: String,
    /// Where: the row a row finding is about, else the decision's id, the parameter or the table
    /// (a pack directory's files; none for a bundle).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Loc>,
}

/// The values a cell accepts, when known exactly: `None` is "any value".
type CellSet<'a> = Option<&'a [Scalar]>;

/// A cell's accepted values, or `None` when they cannot be known statically (comparisons).
fn cell_set(cell: &CCell) -> Option<CellSet<'_>> {
    match cell {
        CCell::Any => Some(None),
        CCell::In(set, false) | CCell::Sym(_, set, false) => Some(Some(set)),
        CCell::In(_, true) | CCell::Sym(_, _, true) | CCell::Cmp(..) => None,
    }
}

fn covers(a: CellSet<'_>, b: CellSet<'_>) -> bool {
    match (a, b) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => b.iter().all(|x| a.contains(x)),
    }
}

fn intersects(a: CellSet<'_>, b: CellSet<'_>) -> bool {
    match (a, b) {
        (None, _) | (_, None) => true,
        (Some(a), Some(b)) => b.iter().any(|x| a.contains(x)),
    }
}

fn lint_decision(d: &CDecision, locs: &Locations, out: &mut Vec<Lint>) {
    let item = format!("decision {}", d.id);
    let decision = locs.of("decision", &d.id).cloned();
    let row = |n: usize| {
        locs.get(&format!("decision {}#{n}", d.id))
            .cloned()
            .or_else(|| decision.clone())
    };
    let sets: Vec<Option<Vec<CellSet<'_>>>> = d
        .rows
        .iter()
        .map(|r| r.cells.iter().map(cell_set).collect::<Option<Vec<_>>>())
        .collect();
    for (j, row_j) in sets.iter().enumerate() {
        let Some(row_j) = row_j else { continue };
        for (i, row_i) in sets.iter().enumerate().take(j) {
            let Some(row_i) = row_i else { continue };
            let all_cover = row_i.iter().zip(row_j).all(|(a, b)| covers(*a, *b));
            let overlap = row_i.iter().zip(row_j).all(|(a, b)| intersects(*a, *b));
            if all_cover && d.hit == HitPolicy::First {
                out.push(Lint {
                    code: "unreachable_row",
                    item: item.clone(),
                    message: format!(
                        "row {} can never hit: row {} matches everything it matches",
                        j + 1,
                        i + 1
                    ),
                    loc: row(j + 1),
                });
                break;
            } else if overlap && d.hit == HitPolicy::First {
                out.push(Lint {
                    code: "overlapping_rows",
                    item: item.clone(),
                    message: format!(
                        "rows {} and {} overlap; row {} wins where both match",
                        i + 1,
                        j + 1,
                        i + 1
                    ),
                    loc: row(j + 1),
                });
            }
        }
    }
    if d.default.is_some() {
        return;
    }
    let Some(domains) = d
        .domains
        .iter()
        .map(Option::as_ref)
        .collect::<Option<Vec<_>>>()
    else {
        out.push(Lint {
            code: "not_analysed",
            item,
            message: "some input has no finite domain; missing rows were not checked".into(),
            loc: decision.clone(),
        });
        return;
    };
    if sets.iter().any(Option::is_none) {
        out.push(Lint {
            code: "not_analysed",
            item,
            message: "some cell is a comparison; missing rows were not checked".into(),
            loc: decision.clone(),
        });
        return;
    }
    let total = domains
        .iter()
        .try_fold(1usize, |acc, d| acc.checked_mul(d.len().max(1)));
    if total.is_none_or(|t| t > MAX_COMBINATIONS) {
        out.push(Lint {
            code: "not_analysed",
            item,
            message: format!("more than {MAX_COMBINATIONS} input combinations"),
            loc: decision.clone(),
        });
        return;
    }
    let rows: Vec<&Vec<CellSet<'_>>> = sets.iter().flatten().collect();
    let mut missing = Vec::new();
    let mut count = 0usize;
    let mut index = vec![0usize; domains.len()];
    'outer: loop {
        let combo: Vec<&Scalar> = index
            .iter()
            .zip(&domains)
            .filter_map(|(i, d)| d.get(*i))
            .collect();
        let hit = rows.iter().any(|r| {
            r.iter()
                .zip(&combo)
                .all(|(cell, v)| cell.is_none_or(|s| s.contains(v)))
        });
        if !hit {
            count += 1;
            if missing.len() < 5 {
                let shown: Vec<String> = combo.iter().map(|v| v.value().to_string()).collect();
                missing.push(format!("({})", shown.join(", ")));
            }
        }
        for (pos, i) in index.iter_mut().enumerate().rev() {
            *i += 1;
            if *i < domains.get(pos).map_or(0, |d| d.len()) {
                continue 'outer;
            }
            *i = 0;
        }
        break;
    }
    if count > 0 {
        out.push(Lint {
            code: "missing_rows",
            item,
            message: format!(
                "{count} input combination(s) match no row and there is no default, e.g. {}",
                missing.join(", ")
            ),
            loc: decision.clone(),
        });
    }
}

impl crate::engine::Engine {
    /// Static checks that are not errors (`baokao lint`): decision tables with unreachable,
    /// overlapping or missing rows, parameters and tables nothing uses.
    pub fn lint(&self) -> Vec<Lint> {
        lint(self.program())
    }
}

/// Lint a compiled pack.
fn lint(program: &Program) -> Vec<Lint> {
    let mut out = Vec::new();
    for d in &program.decisions {
        lint_decision(d, &program.pack.locs, &mut out);
    }
    // Parameters and tables are referenced by name in expression text; a textual search over the
    // pack's sources is enough to find the ones nothing mentions.
    let pack = &program.pack;
    let mut texts: Vec<&str> = Vec::new();
    for r in &pack.rules {
        texts.extend(
            [&r.when, &r.check, &r.due]
                .into_iter()
                .flatten()
                .map(|s| s.text.as_str()),
        );
        texts.push(&r.message.zh.text);
        texts.push(&r.message.en.text);
    }
    for d in &pack.decisions {
        texts.extend(d.inputs.iter().map(|s| s.text.as_str()));
        texts.extend(d.when.iter().map(|s| s.text.as_str()));
        for row in d.rows.iter().chain(d.default.iter()) {
            texts.extend(row.due.iter().map(|s| s.text.as_str()));
            texts.extend(
                row.message
                    .iter()
                    .flat_map(|m| [m.zh.text.as_str(), m.en.text.as_str()]),
            );
            for c in &row.when {
                if let crate::pack::model::Cell::Test { test } = c {
                    texts.push(test);
                }
            }
        }
    }
    texts.extend(
        pack.fields
            .iter()
            .filter_map(|f| f.required_when.as_ref())
            .map(|s| s.text.as_str()),
    );
    let used_tables: BTreeSet<&str> = pack
        .fields
        .iter()
        .filter_map(|f| f.enum_table.as_deref())
        .collect();
    for name in pack.params.keys() {
        let needle = format!("${name}");
        let used = texts.iter().any(|t| {
            t.match_indices(&needle).any(|(i, _)| {
                !t.get(i + needle.len()..)
                    .and_then(|r| r.chars().next())
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        });
        if !used {
            out.push(Lint {
                code: "unused_param",
                item: format!("param {name}"),
                message: "no rule, decision or field reads it".into(),
                loc: pack.locs.of("param", name).cloned(),
            });
        }
    }
    for name in pack.tables.keys() {
        let quoted = [format!("\"{name}\""), format!("'{name}'")];
        if !used_tables.contains(name.as_str())
            && !texts
                .iter()
                .any(|t| quoted.iter().any(|q| t.contains(q.as_str())))
        {
            out.push(Lint {
                code: "unused_table",
                item: format!("table {name}"),
                message: "no field or expression uses it".into(),
                loc: pack.locs.of("table", name).cloned(),
            });
        }
    }
    for f in &pack.fields {
        if let Some(pattern) = &f.pattern {
            lint_pattern(
                &pattern.text,
                &format!("field {}", f.path),
                pattern.loc.clone(),
                &mut out,
            );
        }
    }
    let expression_patterns: BTreeSet<&str> =
        program.regexes.iter().map(regex::Regex::as_str).collect();
    for pattern in expression_patterns {
        lint_pattern(pattern, "expression", None, &mut out);
    }
    out
}

/// The Perl classes a pattern uses: under the regex crate's Unicode mode `\d` is any decimal digit
/// of any script (fullwidth ４, Arabic-Indic ٤…), `\w` any letter or digit, `\s` any space (the
/// ideographic space U+3000), `\b` a boundary between them. A pattern that turns Unicode mode off
/// anywhere (`(?-u`) is left alone: telling which classes that reaches would need the parser.
fn unicode_classes(pattern: &str) -> BTreeSet<char> {
    let mut found = BTreeSet::new();
    if pattern.contains("(?-u") {
        return found;
    }
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(e @ ('d' | 'D' | 'w' | 'W' | 's' | 'S' | 'b' | 'B')) = chars.next() {
                found.insert(e);
            }
        }
    }
    found
}

/// `unicode_class`: a pattern whose `\d`, `\w`, `\s` or `\b` accepts more than ASCII, which an
/// identifier, code or number field rarely wants (write `[0-9]`, `[A-Za-z0-9_]`, `[ ]`).
fn lint_pattern(pattern: &str, item: &str, loc: Option<Loc>, out: &mut Vec<Lint>) {
    let classes = unicode_classes(pattern);
    if classes.is_empty() {
        return;
    }
    let list: Vec<String> = classes.iter().map(|c| format!("\\{c}")).collect();
    out.push(Lint {
        code: "unicode_class",
        item: item.to_owned(),
        message: format!(
            "pattern `{pattern}` uses {}, which match(es) any script under Unicode (`\\d` accepts \
             fullwidth and Arabic-Indic digits): write the ASCII class ([0-9] for digits) unless \
             other scripts are wanted",
            list.join(", ")
        ),
        loc,
    });
}
