//! Where a pack's items are declared: the file, line and column of each id, key and example value,
//! so every diagnostic about a pack — a load or compile error, a failing example, a lint finding —
//! can say `file:line:column` and an editor or a CI annotation can jump to it.
//!
//! The loader takes them from the spans of each TOML file (a bundle has none). A location's file is
//! the path the loader read, as the pack directory was given joined with the file's path in it
//! (`rules/nmec-2024/rules/basic.toml` for the pack `rules/nmec-2024`): relative to the working
//! directory when the pack's path is.

#[cfg(feature = "pack-dir")]
use std::collections::BTreeMap;

use super::model::Loc;

/// The declarations of a merged pack, by what they are: `rule XF-01`, `decision route`,
/// `decision route#3` (a row, 1-based; `#default`), `param trial_cutoff`, `table majors`,
/// `table majors#3` (a row, 1-based), `field basic.name`, `step basic`, `material trial-pass-certificate`, `example a-clinical`, and
/// an example's values: `example a-clinical outcome` (`expect.outcome`), `… base`, `… application`,
/// `… step`, `… set basic.name`, `… remove basic.name`, `… params trial_cutoff`.
///
/// An overlay's declaration of an id replaces its base's, as the item itself does. Only pack
/// directories have locations: without the `pack-dir` feature (the WebAssembly build, which loads
/// bundles) this is empty and takes no code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locations(#[cfg(feature = "pack-dir")] BTreeMap<String, Loc>);

#[cfg(feature = "pack-dir")]
impl Locations {
    /// Where `what` (`rule XF-01`, `example x outcome` …) is declared, when known.
    pub fn get(&self, what: &str) -> Option<&Loc> {
        self.0.get(what)
    }

    /// Where the item `kind id` is declared (`("rule", "XF-01")`).
    pub fn of(&self, kind: &str, id: &str) -> Option<&Loc> {
        self.0.get(&format!("{kind} {id}"))
    }

    /// Where a value of an example is written (`("x", "outcome")`, `("x", "set basic.name")`), or
    /// else the example itself.
    pub fn example(&self, name: &str, part: &str) -> Option<&Loc> {
        self.0
            .get(&format!("example {name} {part}"))
            .or_else(|| self.of("example", name))
    }

    /// Where row `n` (1-based) of `item` (`table majors`, `decision route`) is written.
    pub fn row(&self, item: &str, n: usize) -> Option<&Loc> {
        self.0.get(&format!("{item}#{n}"))
    }

    /// Record a declaration.
    pub fn insert(&mut self, what: String, loc: Loc) {
        self.0.insert(what, loc);
    }

    /// Whether nothing is known (a bundle, a pack built in memory).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Without pack directories there are no locations: every lookup is `None`.
#[cfg(not(feature = "pack-dir"))]
impl Locations {
    /// Where `what` is declared: never known without pack directories.
    pub fn get(&self, _what: &str) -> Option<&Loc> {
        None
    }

    /// Where the item `kind id` is declared: never known without pack directories.
    pub fn of(&self, _kind: &str, _id: &str) -> Option<&Loc> {
        None
    }

    /// Where a value of an example is written: never known without pack directories.
    pub fn example(&self, _name: &str, _part: &str) -> Option<&Loc> {
        None
    }

    /// Where a row is written: never known without pack directories.
    pub fn row(&self, _item: &str, _n: usize) -> Option<&Loc> {
        None
    }

    /// Always empty without pack directories.
    pub fn is_empty(&self) -> bool {
        true
    }
}

/// Where a `[[decision]]` is declared: its `id`, the start of each of its rows, and of its
/// `default`.
#[cfg(feature = "pack-dir")]
pub(crate) type DecisionLocations = (Option<Loc>, Vec<Option<Loc>>, Option<Loc>);

/// The declarations of one TOML file, in file order, as the loader merges them.
#[cfg(feature = "pack-dir")]
#[derive(Debug, Default)]
pub(crate) struct FileLocations {
    /// The key of the `[pack]` table.
    pub pack: Option<Loc>,
    /// The value of `[pack]`'s `extends`.
    pub extends: Option<Loc>,
    /// Each entry of `[pack]`'s `disable`, by the id it names.
    pub disable: BTreeMap<String, Loc>,
    /// The `id` of each `[[rule]]`.
    pub rules: Vec<Option<Loc>>,
    /// The `id` of each `[[decision]]`, the start of each of its rows, and of its `default`.
    pub decisions: Vec<DecisionLocations>,
    /// The `id` of each `[[material]]`.
    pub materials: Vec<Option<Loc>>,
    /// The `path` of each `[[field]]`.
    pub fields: Vec<Option<Loc>>,
    /// The `id` of each `[[step]]`.
    pub steps: Vec<Option<Loc>>,
    /// The key of each `[table.<id>]`.
    pub tables: BTreeMap<String, Loc>,
    /// The start of each row of each `[table.<id>]`, in row order.
    pub table_rows: BTreeMap<String, Vec<Loc>>,
    /// The key of each parameter.
    pub params: BTreeMap<String, Loc>,
    /// Each `[[example]]`: its `name` and the parts written, by part (`outcome`, `set basic.name` …).
    pub examples: Vec<(Option<Loc>, BTreeMap<String, Loc>)>,
}

#[cfg(feature = "pack-dir")]
mod file {
    use std::collections::BTreeMap;

    use toml::de::{DeTable, DeValue};
    use toml::Spanned;

    use super::FileLocations;
    use crate::pack::load::Lines;
    use crate::pack::model::Loc;

    /// Locations in one file's text.
    struct Text<'a> {
        file: &'a str,
        source: &'a str,
        lines: &'a Lines,
    }

    impl Text<'_> {
        /// The location of a byte offset; for a string value, the first character inside its quotes
        /// (where an expression's own columns start counting).
        fn at(&self, start: usize) -> Loc {
            let raw = self.source.get(start..).unwrap_or("");
            let skip = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
                let after = raw.get(3..).unwrap_or("");
                3 + if after.starts_with("\r\n") {
                    2
                } else {
                    usize::from(after.starts_with('\n'))
                }
            } else {
                usize::from(raw.starts_with('"') || raw.starts_with('\''))
            };
            let (line, column) = self.lines.line_col(self.source, start + skip);
            Loc {
                file: self.file.to_owned(),
                line,
                column,
            }
        }

        fn value(&self, v: &Spanned<DeValue<'_>>) -> Loc {
            self.at(v.span().start)
        }
    }

    fn table<'t, 'i>(v: &'t Spanned<DeValue<'i>>) -> Option<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The tables of an array of tables (`[[rule]]`), in order.
    fn tables<'t, 'i>(root: &'t DeTable<'i>, key: &str) -> Vec<&'t DeTable<'i>> {
        match root.get(key).map(Spanned::get_ref) {
            Some(DeValue::Array(items)) => items.iter().filter_map(table).collect(),
            _ => Vec::new(),
        }
    }

    /// The keys of a table with where each is written.
    fn keys(t: &Text<'_>, table: Option<&DeTable<'_>>) -> BTreeMap<String, Loc> {
        table
            .into_iter()
            .flatten()
            .map(|(k, _)| (k.get_ref().to_string(), t.at(k.span().start)))
            .collect()
    }

    fn id(t: &Text<'_>, table: &DeTable<'_>, key: &str) -> Option<Loc> {
        table.get(key).map(|v| t.value(v))
    }

    /// The declarations of one file (`lines` is the index of its text). A text that does not parse
    /// has none (the loader reports it).
    pub(crate) fn locate(file: &str, text: &str, lines: &Lines) -> FileLocations {
        let Ok(root) = DeTable::parse(text) else {
            return FileLocations::default();
        };
        let root = root.get_ref();
        let t = Text {
            file,
            source: text,
            lines,
        };
        let meta = root.get("pack").and_then(table);
        let disable = match meta.and_then(|m| m.get("disable")).map(Spanned::get_ref) {
            Some(DeValue::Array(ids)) => ids
                .iter()
                .filter_map(|v| match v.get_ref() {
                    DeValue::String(s) => Some((s.to_string(), t.value(v))),
                    _ => None,
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        let mut out = FileLocations {
            pack: root
                .get_key_value("pack")
                .map(|(k, _)| t.at(k.span().start)),
            extends: meta.and_then(|m| id(&t, m, "extends")),
            disable,
            rules: tables(root, "rule")
                .iter()
                .map(|r| id(&t, r, "id"))
                .collect(),
            materials: tables(root, "material")
                .iter()
                .map(|m| id(&t, m, "id"))
                .collect(),
            fields: tables(root, "field")
                .iter()
                .map(|f| id(&t, f, "path"))
                .collect(),
            steps: tables(root, "step")
                .iter()
                .map(|s| id(&t, s, "id"))
                .collect(),
            tables: keys(&t, root.get("table").and_then(table)),
            params: keys(&t, root.get("params").and_then(table)),
            ..FileLocations::default()
        };
        for (id, rows) in root.get("table").and_then(table).into_iter().flatten() {
            if let Some(DeValue::Array(rows)) = table(rows)
                .and_then(|r| r.get("rows"))
                .map(Spanned::get_ref)
            {
                let rows = rows.iter().map(|r| t.value(r)).collect();
                out.table_rows.insert(id.get_ref().to_string(), rows);
            }
        }
        for d in tables(root, "decision") {
            let rows = match d.get("rows").map(Spanned::get_ref) {
                Some(DeValue::Array(rows)) => rows.iter().map(|r| Some(t.value(r))).collect(),
                _ => Vec::new(),
            };
            let default = d.get("default").map(|v| t.value(v));
            out.decisions.push((id(&t, d, "id"), rows, default));
        }
        for e in tables(root, "example") {
            let mut parts = BTreeMap::new();
            for key in ["base", "application", "step"] {
                if let Some(loc) = id(&t, e, key) {
                    parts.insert(key.to_owned(), loc);
                }
            }
            if let Some(outcome) = e
                .get("expect")
                .and_then(table)
                .and_then(|x| id(&t, x, "outcome"))
            {
                parts.insert("outcome".to_owned(), outcome);
            }
            for (what, key) in [("set", "set"), ("params", "params")] {
                for (k, loc) in keys(&t, e.get(key).and_then(table)) {
                    parts.insert(format!("{what} {k}"), loc);
                }
            }
            if let Some(DeValue::Array(paths)) = e.get("remove").map(Spanned::get_ref) {
                for p in &**paths {
                    if let DeValue::String(s) = p.get_ref() {
                        parts.insert(format!("remove {s}"), t.value(p));
                    }
                }
            }
            out.examples.push((id(&t, e, "name"), parts));
        }
        out
    }
}

#[cfg(feature = "pack-dir")]
pub(crate) use file::locate;
