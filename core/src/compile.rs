//! Compilation: a merged [`Pack`] becomes the immutable program an [`Engine`](crate::Engine) runs.
//!
//! Every expression is parsed and type-checked here, every name resolved to an index, every
//! regular expression compiled once. All problems are collected, not just the first, so a pack
//! author sees the whole list in one run.

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;

use crate::error::CompileError;
use crate::expr::ast::{Ast, BinOp, Lit, Span};
use crate::expr::check::{compile_regex, hint, CheckError, Checker, Names, ParamValue, TableSig};
use crate::expr::eval::{Bound, Cx, KeyHash, TableData, Work};
use crate::expr::ir::{CmpOp, Node, SymSet};
use crate::expr::parser;
use crate::mask::Mask;
use crate::pack::locations::Locations;
use crate::pack::model::{
    Cell, DecisionDef, Effect, FieldDef, FieldType, FileDef, HitPolicy, Loc, Localized,
    MaterialDef, Measure, NoticeDef, Pack, RowDef, RuleDef, Severity, Source,
};
use crate::report::PackInfo;
use crate::schema::{
    ty_of, Constraints, Derived, FieldInfo, ListInfo, Member, RecordsInfo, Schema, StepInfo,
};
use crate::value::{ItemTy, Scalar, Ty};

/// Most inputs a decision table may have.
pub const MAX_DECISION_INPUTS: usize = 16;

/// An expression in its two compiled forms.
#[derive(Debug)]
pub struct CExpr {
    /// For validation.
    pub plain: Node,
    /// For `explain`, with traced sub-expressions.
    pub traced: Node,
    /// The source text (traces quote it).
    pub text: Arc<str>,
    /// How its value is shown (masked when computed from a field marked `mask`).
    pub mask: Mask,
}

/// A piece of a message template.
#[derive(Debug)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// A value to insert, shown as its mask says.
    Hole(Node, Mask),
}

/// What a rule does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A diagnostic of this severity.
    Validation(Severity),
    /// An eligibility finding.
    Eligibility(Effect),
}

/// A compiled rule.
#[derive(Debug)]
pub struct CRule {
    /// Id.
    pub id: Arc<str>,
    /// What it does.
    pub kind: Kind,
    /// Step index.
    pub step: u32,
    /// Precondition.
    pub when: Option<CExpr>,
    /// Condition.
    pub check: Option<CExpr>,
    /// Diagnostic code.
    pub code: Arc<str>,
    /// JSON pointer of the field concerned.
    pub path: String,
    /// Due date (conditional).
    pub due: Option<CExpr>,
    /// Open question (`needs_review`).
    pub question: Option<Arc<str>>,
    /// Message templates.
    pub message: Localized<Vec<Part>>,
    /// Citation.
    pub cite: Arc<str>,
    /// Slots of the fields it reads (to name what is missing).
    pub reads: Vec<u32>,
}

/// A compiled material of on-site review.
#[derive(Debug)]
pub struct CMaterial {
    /// Id.
    pub id: Arc<str>,
    /// When it applies (`None`: always).
    pub when: Option<CExpr>,
    /// The rule or route that calls for it.
    pub rule: Arc<str>,
    /// What to bring.
    pub label: Localized<Vec<Part>>,
    /// What the reviewer verifies on it (paper-only evidence).
    pub verify: Option<Localized<Vec<Part>>>,
    /// Citation.
    pub cite: Arc<str>,
}

/// The compiled `[notice]` of a pack.
#[derive(Debug, Default)]
pub struct CNotice {
    /// Title (default: the pack's title).
    pub title: Option<Localized<String>>,
    /// Steps whose captured data the notice shows, in order.
    pub steps: Vec<Arc<str>>,
    /// Lines of facts: label and value template.
    pub lines: Vec<(Localized<String>, Localized<Vec<Part>>)>,
}

/// A compiled decision-table cell.
#[derive(Debug)]
pub enum CCell {
    /// `-`.
    Any,
    /// Equal to one of these.
    In(Box<[Scalar]>, bool),
    /// Compare with an expression.
    Cmp(CmpOp, Node),
    /// [`CCell::In`] on an input that reads a field with an enumeration: the symbols of the
    /// set's values in it, compared with the field's symbol; the set for a value outside it.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Sym(SymSet, Box<[Scalar]>, bool),
}

/// A compiled row.
#[derive(Debug)]
pub struct CRow {
    /// One cell per input.
    pub cells: Vec<CCell>,
    /// Output.
    pub output: Option<Arc<str>>,
    /// The row in words (the route's label).
    pub label: Option<Localized<Arc<str>>>,
    /// Effect.
    pub effect: Option<Effect>,
    /// Rule id reported for the effect.
    pub rule: Arc<str>,
    /// Message.
    pub message: Option<Localized<Vec<Part>>>,
    /// Citation.
    pub cite: Arc<str>,
    /// Open question.
    pub question: Option<Arc<str>>,
    /// Due date.
    pub due: Option<CExpr>,
}

/// A compiled decision table.
#[derive(Debug)]
pub struct CDecision {
    /// Id.
    pub id: Arc<str>,
    /// Sets the route.
    pub route: bool,
    /// Hit policy.
    pub hit: HitPolicy,
    /// Precondition.
    pub when: Option<CExpr>,
    /// Inputs.
    pub inputs: Vec<CExpr>,
    /// Rows.
    pub rows: Vec<CRow>,
    /// Applied when no row hits.
    pub default: Option<CRow>,
    /// Step index.
    pub step: u32,
    /// Slots read (to name what is missing).
    pub reads: Vec<u32>,
    /// The finite domain of each input (its enumeration, or both booleans), for `lint`.
    pub domains: Vec<Option<Vec<Scalar>>>,
    /// Per input, the slot of the field with an enumeration that it reads, if it is one: its
    /// cells are [`CCell::Sym`].
    pub sym_slots: Vec<Option<u32>>,
}

/// The compiled program.
#[derive(Debug)]
pub struct Program {
    /// Identity for reports.
    pub info: PackInfo,
    /// Schema.
    pub schema: Schema,
    /// Regexes referenced by index.
    pub regexes: Vec<Regex>,
    /// Tables referenced by index.
    pub tables: Vec<TableData>,
    /// Decisions in order.
    pub decisions: Vec<CDecision>,
    /// Rules in order.
    pub rules: Vec<CRule>,
    /// Materials of on-site review, in checklist order.
    pub materials: Vec<CMaterial>,
    /// The printable success notice (`None` when the pack has no `[notice]`: defaults apply).
    pub notice: Option<CNotice>,
    /// The source pack (bundles, lint, catalogue, examples).
    pub pack: Pack,
}

/// The compile errors found so far, and where the pack's items are declared (to locate an error
/// that has no expression to point into: at the item's id).
struct Errors {
    list: Vec<CompileError>,
    locs: Locations,
}

impl Errors {
    /// Where the item an error names (`rule XF-01`, `decision route row 3`, `field basic.name
    /// required_when`) is declared.
    fn declared(&self, item: &str) -> Option<Loc> {
        if self.locs.is_empty() {
            return None;
        }
        let words: Vec<&str> = item.split(' ').collect();
        let found = match words.as_slice() {
            ["decision", id, "row", n, ..] => self
                .locs
                .get(&format!("decision {id}#{n}"))
                .or_else(|| self.locs.of("decision", id)),
            ["decision", id, "default", ..] => self
                .locs
                .get(&format!("decision {id}#default"))
                .or_else(|| self.locs.of("decision", id)),
            [kind, id, ..] => self.locs.of(kind, id),
            _ => None,
        };
        found.cloned()
    }

    fn at(&mut self, item: &str, src: Option<&Source>, e: CheckError) {
        let exact = src.and_then(|s| s.loc.clone()).map(|mut l| {
            // Columns inside the expression are exact for strings without escapes, which is how
            // the docs recommend writing them (TOML literal strings).
            if let Some(prefix) = src.and_then(|s| s.text.get(..e.span.start as usize)) {
                let lines = prefix.matches('\n').count();
                let tail = prefix.rsplit('\n').next().map_or(0, |t| t.chars().count());
                if lines > 0 {
                    l.line += u32::try_from(lines).unwrap_or(0);
                    l.column = u32::try_from(tail + 1).unwrap_or(1);
                } else {
                    l.column += u32::try_from(tail).unwrap_or(0);
                }
            }
            l
        });
        let loc = exact.or_else(|| self.declared(item));
        self.list.push(CompileError {
            code: e.code,
            item: item.to_owned(),
            loc,
            message: e.message,
        });
    }

    /// An error at a known place (an example's value).
    fn located(&mut self, code: &'static str, item: &str, loc: Option<Loc>, message: String) {
        let loc = loc.or_else(|| self.declared(item));
        self.list.push(CompileError {
            code,
            item: item.to_owned(),
            loc,
            message,
        });
    }

    fn plain(
        &mut self,
        code: &'static str,
        item: &str,
        src: Option<&Source>,
        message: impl Into<String>,
    ) {
        let loc = src
            .and_then(|s| s.loc.clone())
            .or_else(|| self.declared(item));
        self.list.push(CompileError {
            code,
            item: item.to_owned(),
            loc,
            message: message.into(),
        });
    }
}

/// Compile a merged pack.
pub fn compile(pack: Pack) -> Result<Program, Vec<CompileError>> {
    let digest = crate::pack::digest(&pack);
    compile_with_digest(pack, digest)
}

/// Compile a merged pack whose digest is already known (a loader that checked it).
pub fn compile_with_digest(pack: Pack, digest: String) -> Result<Program, Vec<CompileError>> {
    let mut errors = Errors {
        list: Vec::new(),
        locs: pack.locs.clone(),
    };
    let mut regexes = Vec::new();
    let (tables, table_sigs) = compile_tables(&pack, &mut errors);
    let params = compile_params(&pack, &mut errors);
    let mut schema = compile_schema(
        &pack,
        &tables,
        &table_sigs,
        &params,
        &mut regexes,
        &mut errors,
    );
    compile_form(
        &pack,
        &mut schema,
        &tables,
        &table_sigs,
        &params,
        &mut regexes,
        &mut errors,
    );
    let mut decision_ids: HashMap<String, (u32, u32)> = HashMap::new();
    let mut decisions = Vec::new();
    for d in &pack.decisions {
        let names = Names {
            schema: &schema,
            params: &params,
            tables: &table_sigs,
            decisions: &decision_ids,
        };
        let mut step = 0;
        if let Some(c) = compile_decision(d, &names, &mut regexes, &mut errors) {
            step = c.step;
            decisions.push(c);
        }
        let index = u32::try_from(decision_ids.len()).unwrap_or(u32::MAX);
        if decision_ids.insert(d.id.clone(), (index, step)).is_some() {
            errors.plain(
                "duplicate_id",
                &format!("decision {}", d.id),
                None,
                "decision id used twice",
            );
        }
    }
    let mut rules = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &pack.rules {
        if !seen.insert(r.id.clone()) {
            errors.plain(
                "duplicate_id",
                &format!("rule {}", r.id),
                r.message.zh.loc.as_ref().map(|_| &r.message.zh),
                "rule id used twice",
            );
            continue;
        }
        if decision_ids.contains_key(&r.id) {
            errors.plain(
                "duplicate_id",
                &format!("rule {}", r.id),
                Some(&r.message.zh),
                "a decision has the same id",
            );
        }
        let names = Names {
            schema: &schema,
            params: &params,
            tables: &table_sigs,
            decisions: &decision_ids,
        };
        if let Some(c) = compile_rule(r, &names, &mut regexes, &mut errors) {
            rules.push(c);
        }
    }
    let mut materials = Vec::new();
    let mut material_ids = std::collections::HashSet::new();
    for m in &pack.materials {
        let names = Names {
            schema: &schema,
            params: &params,
            tables: &table_sigs,
            decisions: &decision_ids,
        };
        if !material_ids.insert(m.id.clone()) {
            errors.plain(
                "duplicate_id",
                &format!("material {}", m.id),
                Some(&m.label.zh),
                "material id used twice",
            );
            continue;
        }
        materials.push(compile_material(m, &names, &mut regexes, &mut errors));
    }
    let notice = pack.notice.as_ref().map(|n| {
        let no_decisions = HashMap::new();
        let names = Names {
            schema: &schema,
            params: &params,
            tables: &table_sigs,
            decisions: &no_decisions,
        };
        compile_notice(n, &names, &mut regexes, &mut errors)
    });
    check_examples(&pack, &schema, &mut errors);
    if !errors.list.is_empty() {
        return Err(errors.list);
    }
    let info = PackInfo {
        id: pack.pack.id.as_str().into(),
        version: pack.pack.version.as_str().into(),
        digest: digest.into(),
    };
    Ok(Program {
        info,
        schema,
        regexes,
        tables,
        decisions,
        rules,
        materials,
        notice,
        pack,
    })
}

fn compile_notice(
    n: &NoticeDef<Source>,
    names: &Names<'_>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
) -> CNotice {
    let steps = n.steps.clone().unwrap_or_default();
    for step in &steps {
        if names.schema.step_index(step).is_none() {
            errors.plain(
                "unknown_step",
                "notice steps",
                None,
                format!("unknown step `{step}`"),
            );
        }
    }
    let mut reads = (Vec::new(), Vec::new());
    let lines = n
        .line
        .iter()
        .map(|l| {
            let item = format!("notice line {}", l.id);
            let value = Localized {
                zh: compile_template(
                    &l.value.zh,
                    &format!("{item} value.zh"),
                    names,
                    regexes,
                    errors,
                    &mut reads,
                ),
                en: compile_template(
                    &l.value.en,
                    &format!("{item} value.en"),
                    names,
                    regexes,
                    errors,
                    &mut reads,
                ),
            };
            (l.label.clone(), value)
        })
        .collect();
    CNotice {
        title: n.title.clone(),
        steps: steps.iter().map(|s| Arc::from(s.as_str())).collect(),
        lines,
    }
}

fn compile_material(
    m: &MaterialDef<Source>,
    names: &Names<'_>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
) -> CMaterial {
    let item = format!("material {}", m.id);
    if !m
        .id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || m.id.is_empty()
    {
        errors.plain(
            "invalid_material",
            &item,
            Some(&m.label.zh),
            "material ids are kebab-case (`trial-pass-certificate`)",
        );
    }
    let mut reads = (Vec::new(), Vec::new());
    let when = m.when.as_ref().and_then(|w| {
        compile_expr_reads(w, &format!("{item} when"), names, regexes, errors, true)
            .map(|(e, _, _)| e)
    });
    let mut template = |src: &Source, what: &str, regexes: &mut Vec<Regex>, errors: &mut Errors| {
        compile_template(
            src,
            &format!("{item} {what}"),
            names,
            regexes,
            errors,
            &mut reads,
        )
    };
    let label = Localized {
        zh: template(&m.label.zh, "label.zh", regexes, errors),
        en: template(&m.label.en, "label.en", regexes, errors),
    };
    let verify = m.verify.as_ref().map(|v| Localized {
        zh: template(&v.zh, "verify.zh", regexes, errors),
        en: template(&v.en, "verify.en", regexes, errors),
    });
    CMaterial {
        id: m.id.as_str().into(),
        when,
        rule: m.rule.as_str().into(),
        label,
        verify,
        cite: m.cite.as_str().into(),
    }
}

/// The outcomes an example may expect.
const OUTCOMES: [&str; 5] = [
    "eligible",
    "conditional",
    "ineligible",
    "needs_review",
    "undetermined",
];

/// The first part of `path` (an example's `set` key, set to `value`) that names no field of the
/// schema, with a hint: a step, a field of a step (`basic.name`), an item of a records field
/// (`certificates.records.0`, `certificates.records.0.cert_no`) — and, where the value is an object
/// or a list of objects, each of its keys.
#[cfg(feature = "pack-dir")]
fn unknown_path(
    schema: &Schema,
    path: &str,
    value: &serde_json::Value,
) -> Option<(String, String)> {
    use serde_json::Value as J;
    let keys = |v: &J| -> Vec<(String, J)> {
        v.as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let parts: Vec<&str> = path.split('.').collect();
    let index = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [step] => {
            if schema.step_index(step).is_none() {
                let steps = schema.steps.iter().map(|s| &*s.id);
                return Some((path.to_owned(), hint(step, steps.collect::<Vec<_>>())));
            }
            keys(value)
                .iter()
                .find_map(|(k, v)| unknown_path(schema, &format!("{step}.{k}"), v))
        }
        [step, key, rest @ ..] => {
            let field = format!("{step}.{key}");
            let Some(member) = schema.member(&field) else {
                if schema.step_index(step).is_none() {
                    return unknown_path(schema, step, &J::Null);
                }
                return Some((field.clone(), hint(&field, schema.paths())));
            };
            let Member::Records(r) = member else {
                // A scalar or list field has no members of its own.
                return (!rest.is_empty()).then(|| (path.to_owned(), String::new()));
            };
            let item_names: Vec<&str> = schema.item_names(r).collect();
            let item = |i: &str, v: &J| {
                keys(v)
                    .into_iter()
                    .find(|(k, _)| !item_names.contains(&k.as_str()))
                    .map(|(k, _)| (format!("{field}.{i}.{k}"), hint(&k, &item_names)))
            };
            match rest {
                [] => value.as_array().and_then(|items| {
                    items
                        .iter()
                        .enumerate()
                        .find_map(|(i, v)| item(&i.to_string(), v))
                }),
                [i] if index(i) => item(i, value),
                [i, name] if index(i) && item_names.contains(name) => None,
                [i, name] if index(i) => Some((path.to_owned(), hint(name, &item_names))),
                _ => Some((path.to_owned(), String::new())),
            }
        }
        [] => None,
    }
}

fn check_examples(pack: &Pack, schema: &Schema, errors: &mut Errors) {
    for e in &pack.examples {
        let item = format!("example {}", e.name);
        let at = |part: &str| pack.locs.example(&e.name, part).cloned();
        if let Some(step) = &e.step {
            if schema.step_index(step).is_none() {
                let steps: Vec<&str> = schema.steps.iter().map(|s| &*s.id).collect();
                errors.located(
                    "unknown_step",
                    &item,
                    at("step"),
                    format!("unknown step `{step}`{}", hint(step, &steps)),
                );
            }
        }
        if let Some(o) = &e.expect.outcome {
            if !OUTCOMES.contains(&o.as_str()) {
                errors.located(
                    "invalid_example",
                    &item,
                    at("outcome"),
                    format!(
                        "unknown outcome `{o}`{} (outcomes: {})",
                        hint(o, &OUTCOMES),
                        OUTCOMES.join(", ")
                    ),
                );
            }
        }
        for name in e.params.keys() {
            if !pack.params.contains_key(name) {
                errors.located(
                    "invalid_example",
                    &item,
                    at(&format!("params {name}")),
                    format!(
                        "`params` names `{name}`, which the pack does not have{}",
                        hint(name, pack.params.keys())
                    ),
                );
            }
        }
        // Pack directories only: a bundle's examples were checked when it was made (`baokao
        // bundle` compiles the pack), and the WebAssembly build, which loads bundles, stays small.
        #[cfg(feature = "pack-dir")]
        check_set_paths(e, schema, &item, &at, errors);
    }
}

/// An example's `set` paths against the schema.
#[cfg(feature = "pack-dir")]
fn check_set_paths(
    e: &crate::pack::model::ExampleDef,
    schema: &Schema,
    item: &str,
    at: &dyn Fn(&str) -> Option<Loc>,
    errors: &mut Errors,
) {
    // An example that means to set a field the schema does not have says so: it expects the
    // `unknown_field` warning. Any other unknown path is a typo, found here rather than as a
    // warning nobody expected (or, in a step the example does not judge, no warning at all) when
    // the example runs.
    let deliberate = e.expect.fired.as_ref().is_some_and(|f| {
        f.iter()
            .any(|id| id == "unknown_field" || id == "unknown_fields_omitted")
    });
    if deliberate {
        return;
    }
    // A step-wise example judges its step and the earlier ones: what it sets in a later step (or
    // at the top level) is there to show it is ignored.
    let judged = e.step.as_deref().and_then(|s| schema.step_index(s));
    let seen = |path: &str| {
        let step = path.split('.').next().unwrap_or_default();
        judged.is_none_or(|j| schema.step_index(step).is_some_and(|i| i <= j))
    };
    for (path, value) in e.set.iter().filter(|(p, _)| seen(p)) {
        if let Some((unknown, hint)) = unknown_path(schema, path, value) {
            let shown = if unknown == *path {
                format!("`{path}`")
            } else {
                format!("`{path}` (at `{unknown}`)")
            };
            errors.located(
                "unknown_field",
                &format!("{item} set"),
                at(&format!("set {path}")),
                format!(
                    "`set` path {shown} is no field of the schema{hint} (an example that means an unknown field expects `unknown_field` to fire)"
                ),
            );
        }
    }
}

fn compile_tables(pack: &Pack, errors: &mut Errors) -> (Vec<TableData>, HashMap<String, TableSig>) {
    let mut data = Vec::new();
    let mut sigs = HashMap::new();
    for (id, t) in &pack.tables {
        let item = format!("table {id}");
        if t.columns.is_empty() {
            errors.plain(
                "invalid_table",
                &item,
                None,
                "a table needs at least a key column",
            );
            continue;
        }
        if !t.types.is_empty() && t.types.len() != t.columns.len() {
            errors.plain(
                "invalid_table",
                &item,
                None,
                "`types` must give one type per column",
            );
            continue;
        }
        let types: Vec<Ty> = (0..t.columns.len())
            .map(|i| t.types.get(i).map_or(Ty::Text, |ft| ty_of(*ft)))
            .collect();
        if types.first() != Some(&Ty::Text) {
            errors.plain("invalid_table", &item, None, "the key column must be text");
            continue;
        }
        let mut rows = Vec::with_capacity(t.rows.len());
        let mut index = HashMap::with_hasher(crate::expr::eval::KeyHash::default());
        let mut ok = true;
        for (r, row) in t.rows.iter().enumerate() {
            // At the row (`table <id>#<n>`, 1-based), or else the table's key (bundles have
            // neither).
            let row_at = || pack.locs.row(&item, r + 1).cloned();
            if row.len() != t.columns.len() {
                errors.located(
                    "invalid_table",
                    &item,
                    row_at(),
                    format!(
                        "row {} has {} values for {} columns",
                        r + 1,
                        row.len(),
                        t.columns.len()
                    ),
                );
                ok = false;
                continue;
            }
            let mut cells = Vec::with_capacity(row.len());
            for ((v, ty), col) in row.iter().zip(&types).zip(&t.columns) {
                // An empty string is "no value" in a non-text column (a lookup of it is unknown);
                // in a text column it is the empty text, which rules may compare with `""`.
                if v.as_str() == Some("") && *ty != Ty::Text {
                    cells.push(None);
                    continue;
                }
                if let Some(s) = Scalar::from_json(*ty, v) {
                    cells.push(Some(s));
                } else {
                    errors.located(
                        "invalid_table",
                        &item,
                        row_at(),
                        format!("row {}: `{v}` is not a {ty} for column `{col}`", r + 1),
                    );
                    ok = false;
                }
            }
            if let Some(Some(Scalar::Text(key))) = cells.first() {
                if index.insert(key.clone(), rows.len()).is_some() {
                    errors.located(
                        "invalid_table",
                        &item,
                        row_at(),
                        format!("key `{key}` appears twice"),
                    );
                    ok = false;
                }
            }
            rows.push(cells);
        }
        if !ok {
            continue;
        }
        let index_no = u32::try_from(data.len()).unwrap_or(u32::MAX);
        sigs.insert(
            id.clone(),
            TableSig {
                index: index_no,
                columns: t.columns.clone(),
                types,
            },
        );
        data.push(TableData { rows, index });
    }
    (data, sigs)
}

fn compile_params(pack: &Pack, errors: &mut Errors) -> HashMap<String, ParamValue> {
    let mut out = HashMap::new();
    for (name, p) in &pack.params {
        let item = format!("param {name}");
        let v = if p.ty == FieldType::List {
            let item_ty = ty_of(p.items.unwrap_or(FieldType::Text));
            let Some(it) = ItemTy::of(item_ty) else {
                errors.plain("invalid_param", &item, None, "list items must be scalars");
                continue;
            };
            let values: Option<Vec<Scalar>> = p.value.as_array().map(|a| {
                a.iter()
                    .filter_map(|v| Scalar::from_json(item_ty, v))
                    .collect()
            });
            match values {
                Some(v) if Some(v.len()) == p.value.as_array().map(Vec::len) => {
                    ParamValue::List(it, v)
                }
                _ => {
                    errors.plain(
                        "invalid_param",
                        &item,
                        None,
                        format!("value does not fit list<{item_ty}>"),
                    );
                    continue;
                }
            }
        } else if let Some(s) = Scalar::from_json(ty_of(p.ty), &p.value) {
            ParamValue::Scalar(s)
        } else {
            errors.plain(
                "invalid_param",
                &item,
                None,
                format!("value `{}` does not fit {:?}", p.value, p.ty),
            );
            continue;
        };
        out.insert(name.clone(), v);
    }
    out
}

fn field_info(
    def: &FieldDef<Source>,
    key: &str,
    step: u32,
    tables: &[TableData],
    table_sigs: &HashMap<String, TableSig>,
    errors: &mut Errors,
) -> FieldInfo {
    let item = format!("field {}", def.path);
    let mut enumeration = def.enumeration.clone().map(|v| {
        v.into_iter()
            .map(String::into_boxed_str)
            .collect::<Vec<_>>()
    });
    if let Some(t) = &def.enum_table {
        match table_sigs.get(t).and_then(|s| tables.get(s.index as usize)) {
            Some(data) => {
                let keys = data.rows.iter().filter_map(|r| match r.first() {
                    Some(Some(Scalar::Text(k))) => Some(k.clone()),
                    _ => None,
                });
                enumeration.get_or_insert_with(Vec::new).extend(keys);
            }
            None => errors.plain(
                "unknown_table",
                &item,
                None,
                format!("unknown table `{t}`{}", hint(t, table_sigs.keys())),
            ),
        }
    }
    if enumeration.is_some() && !matches!(def.ty, FieldType::Text | FieldType::List) {
        errors.plain(
            "invalid_field",
            &item,
            None,
            "enumerations apply to text fields",
        );
    }
    let pattern = def
        .pattern
        .as_ref()
        .and_then(|p| match compile_regex(&p.text) {
            Ok(re) => Some((re, p.text.clone())),
            Err(m) => {
                errors.plain("bad_regex", &item, Some(p), m);
                None
            }
        });
    let allowed = enumeration.as_ref().map(|v| {
        let mut map = HashMap::with_capacity_and_hasher(v.len(), KeyHash::default());
        for (i, s) in v.iter().enumerate() {
            map.entry(Box::<str>::from(&**s)).or_insert(i);
        }
        map
    });
    FieldInfo {
        path: def.path.clone(),
        key: key.into(),
        step,
        ty: match (def.ty, def.items) {
            (FieldType::List, Some(i)) => {
                ItemTy::of(ty_of(i)).map_or(Ty::List(ItemTy::Text), Ty::List)
            }
            (t, _) => ty_of(t),
        },
        field_type: def.ty,
        enumeration,
        constraints: Constraints {
            allowed,
            pattern,
            min_length: def.min_length,
            max_length: def.max_length,
            min: def.min,
            max: def.max,
        },
        mask: def.mask,
        dash: def.dash,
        required: def.required,
        required_when: None,
        label: def.label.clone(),
        rule: def.rule.as_deref().map(Into::into),
        cite: def.cite.as_deref().map(Into::into),
        help: None,
        option_labels: None,
        derived: None,
        measure: None,
        clock: false,
    }
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn compile_schema(
    pack: &Pack,
    tables: &[TableData],
    table_sigs: &HashMap<String, TableSig>,
    params: &HashMap<String, ParamValue>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
) -> Schema {
    let mut schema = Schema::default();
    for s in &pack.steps {
        if !is_key(&s.id) || schema.step_index(&s.id).is_some() {
            errors.plain(
                "invalid_step",
                &format!("step {}", s.id),
                None,
                "step ids must be unique snake_case names",
            );
            continue;
        }
        schema.steps.push(StepInfo {
            id: s.id.as_str().into(),
            title: s.title.clone(),
            rule: s.rule.as_deref().map(Into::into),
            cite: s.cite.as_deref().map(Into::into),
            help: None,
            authority: s.authority,
            files: Vec::new(),
            members: Vec::new(),
            index: HashMap::default(),
        });
    }
    let mut items: Vec<(&FieldDef<Source>, String, String)> = Vec::new();
    for def in &pack.fields {
        let item = format!("field {}", def.path);
        if let Some((parent, sub)) = def.path.split_once("[].") {
            items.push((def, parent.to_owned(), sub.to_owned()));
            continue;
        }
        let Some((step, key)) = def
            .path
            .split_once('.')
            .filter(|(s, k)| is_key(s) && is_key(k))
        else {
            errors.plain(
                "invalid_field",
                &item,
                None,
                "a field path is `step.field` or `step.list[].field`",
            );
            continue;
        };
        let Some(step_index) = schema.step_index(step) else {
            errors.plain(
                "unknown_step",
                &item,
                None,
                format!("unknown step `{step}`"),
            );
            continue;
        };
        let info = field_info(def, key, step_index, tables, table_sigs, errors);
        let member = match def.ty {
            FieldType::Records => {
                schema.records.push(RecordsInfo {
                    field: info,
                    items: Vec::new(),
                });
                Member::Records(u32::try_from(schema.records.len() - 1).unwrap_or(u32::MAX))
            }
            FieldType::List => {
                let item_ty = def
                    .items
                    .map(ty_of)
                    .and_then(ItemTy::of)
                    .unwrap_or(ItemTy::Text);
                schema.lists.push(ListInfo {
                    field: info,
                    item: item_ty,
                });
                Member::List(u32::try_from(schema.lists.len() - 1).unwrap_or(u32::MAX))
            }
            _ => {
                schema.fields.push(info);
                Member::Scalar(u32::try_from(schema.fields.len() - 1).unwrap_or(u32::MAX))
            }
        };
        if let Some(st) = schema.steps.get_mut(step_index as usize) {
            st.members.push((key.into(), member));
        }
        schema.members.insert(def.path.clone(), member);
    }
    for (def, parent, sub) in items {
        let item = format!("field {}", def.path);
        let Some(Member::Records(r)) = schema.member(&parent) else {
            errors.plain(
                "invalid_field",
                &item,
                None,
                format!("`{parent}` is not a records field declared earlier"),
            );
            continue;
        };
        if !is_key(&sub) || matches!(def.ty, FieldType::Records | FieldType::List) {
            errors.plain(
                "invalid_field",
                &item,
                None,
                "record items hold scalar fields",
            );
            continue;
        }
        let step = schema.records.get(r as usize).map_or(0, |x| x.field.step);
        let info = field_info(def, &sub, step, tables, table_sigs, errors);
        if def.required_when.is_some() {
            errors.plain(
                "invalid_field",
                &item,
                def.required_when.as_ref(),
                "`required_when` is not supported on record items",
            );
        }
        if let Some(rec) = schema.records.get_mut(r as usize) {
            rec.items.push(info);
        }
    }
    for st in &mut schema.steps {
        st.members
            .sort_by(|a, b| crate::schema::key_cmp(&a.0, &b.0));
        st.index = st.members.iter().cloned().collect();
    }
    // `required_when` may read any field, so it is compiled once every field is known.
    let no_decisions = HashMap::new();
    let mut compiled = Vec::new();
    for def in &pack.fields {
        // Scalar fields, lists and records fields alike (record items were refused above).
        let (Some(src), Some(member)) = (&def.required_when, schema.member(&def.path)) else {
            continue;
        };
        let names = Names {
            schema: &schema,
            params,
            tables: table_sigs,
            decisions: &no_decisions,
        };
        let item = format!("field {} required_when", def.path);
        if let Some(e) = compile_expr(src, &item, &names, regexes, errors, true) {
            compiled.push((member, e.plain));
        }
    }
    for (member, node) in compiled {
        let field = match member {
            Member::Scalar(i) => schema.fields.get_mut(i as usize),
            Member::Records(i) => schema.records.get_mut(i as usize).map(|r| &mut r.field),
            Member::List(i) => schema.lists.get_mut(i as usize).map(|l| &mut l.field),
        };
        if let Some(f) = field {
            f.required_when = Some(node);
        }
    }
    schema
}

/// What the form description adds to the schema: help texts, option labels and derivations.
///
/// Help texts are rendered here, once: their holes may quote parameters (and tables of
/// constants), never a field, so the text is the same for every application. They are compiled
/// against a schema without fields, so a field in a hole is an `unknown_field` error.
fn compile_form(
    pack: &Pack,
    schema: &mut Schema,
    tables: &[TableData],
    table_sigs: &HashMap<String, TableSig>,
    params: &HashMap<String, ParamValue>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
) {
    let no_decisions = HashMap::new();
    let no_fields = Schema::default();
    let help =
        |text: &Localized<String>, item: &str, regexes: &mut Vec<Regex>, errors: &mut Errors| {
            let names = Names {
                schema: &no_fields,
                params,
                tables: table_sigs,
                decisions: &no_decisions,
            };
            let mut reads = (Vec::new(), Vec::new());
            let mut part =
                |text: &str, lang: &str, regexes: &mut Vec<Regex>, errors: &mut Errors| {
                    let src = Source::new(text);
                    let item = format!("{item} help.{lang}");
                    compile_template(&src, &item, &names, regexes, errors, &mut reads)
                };
            let zh = part(&text.zh, "zh", regexes, errors);
            let en = part(&text.en, "en", regexes, errors);
            let doc = Bound::empty();
            // No document: what a help text reads is bounded by the pack, so no budget.
            let work = Work::new(u64::MAX);
            let cx = Cx {
                doc: &doc,
                regexes,
                tables,
                decisions: &[],
                work: &work,
            };
            Localized {
                zh: crate::engine::render(&zh, &cx),
                en: crate::engine::render(&en, &cx),
            }
        };
    for def in &pack.steps {
        let Some(i) = schema.step_index(&def.id) else {
            continue;
        };
        let item = format!("step {}", def.id);
        let text = def.help.as_ref().map(|h| help(h, &item, regexes, errors));
        let mut files: Vec<(String, Localized<String>, Option<Localized<String>>)> = Vec::new();
        for f in &def.files {
            let item = format!("{item} file {}", f.id);
            if !is_key(&f.id) || files.iter().any(|(id, _, _)| *id == f.id) {
                errors.plain(
                    "invalid_step",
                    &item,
                    None,
                    "file ids are unique snake_case names within a step",
                );
            }
            let text = f.help.as_ref().map(|h| help(h, &item, regexes, errors));
            files.push((f.id.clone(), f.label.clone(), text));
        }
        if let Some(step) = schema.steps.get_mut(i as usize) {
            step.help = text;
            step.files = files;
        }
    }
    // Derivations read other fields, so they are compiled against the whole schema first and
    // attached afterwards.
    let mut derived = Vec::new();
    for def in &pack.fields {
        let item = format!("field {}", def.path);
        if let Some(d) = compile_derived(def, schema, table_sigs, params, regexes, errors) {
            derived.push((def.path.as_str(), d));
        }
        let text = def.help.as_ref().map(|h| help(h, &item, regexes, errors));
        let Some(info) = field_info_mut(schema, &def.path) else {
            continue;
        };
        info.help = text;
        info.option_labels = option_labels(def, info, tables, table_sigs, &item, errors);
        info.clock = def.clock;
        if def.clock && def.ty != FieldType::Datetime {
            errors.plain(
                "invalid_field",
                &item,
                None,
                "`clock` fills a `datetime` field",
            );
        }
        if let Some(m) = &def.measure {
            let step = schema_step_files(&pack.steps, &def.path);
            if !step.iter().any(|f| f.id == m.file) {
                errors.plain(
                    "invalid_field",
                    &item,
                    None,
                    format!(
                        "`measure` names `{}`, which is not a file of the field's step",
                        m.file
                    ),
                );
            }
            let want = match m.property {
                Measure::Format => FieldType::Text,
                Measure::Kb => FieldType::Number,
                Measure::Width | Measure::Height => FieldType::Int,
            };
            if def.ty != want || def.path.contains("[].") {
                errors.plain(
                    "type_mismatch",
                    &item,
                    None,
                    format!(
                        "`measure` fills a top-level `{}` field here",
                        type_word(want)
                    ),
                );
            }
        }
        if let Some(info) = field_info_mut(schema, &def.path) {
            info.measure.clone_from(&def.measure);
        }
    }
    for (path, d) in derived {
        if let Some(info) = field_info_mut(schema, path) {
            info.derived = Some(d);
        }
    }
}

/// The files declared on the step of a field path.
fn schema_step_files<'p>(steps: &'p [crate::pack::model::StepDef], path: &str) -> &'p [FileDef] {
    let step = path.split('.').next().unwrap_or("");
    steps
        .iter()
        .find(|s| s.id == step)
        .map_or(&[][..], |s| &s.files)
}

fn type_word(t: FieldType) -> &'static str {
    match t {
        FieldType::Text => "text",
        FieldType::Number => "number",
        _ => "int",
    }
}

/// The compiled field at a declared path (`step.field` or `step.list[].field`).
fn field_info_mut<'s>(schema: &'s mut Schema, path: &str) -> Option<&'s mut FieldInfo> {
    if let Some((parent, sub)) = path.split_once("[].") {
        let Some(Member::Records(r)) = schema.member(parent) else {
            return None;
        };
        let records = schema.records.get_mut(r as usize)?;
        return records.items.iter_mut().find(|f| &*f.key == sub);
    }
    match schema.member(path)? {
        Member::Scalar(i) => schema.fields.get_mut(i as usize),
        Member::Records(i) => schema.records.get_mut(i as usize).map(|r| &mut r.field),
        Member::List(i) => schema.lists.get_mut(i as usize).map(|l| &mut l.field),
    }
}

/// The labels of a field's allowed values, in their order: `enum_labels`, else the
/// `enum_label_column` of its table, else the value itself. `None` when the pack labels none.
fn option_labels(
    def: &FieldDef<Source>,
    info: &FieldInfo,
    tables: &[TableData],
    table_sigs: &HashMap<String, TableSig>,
    item: &str,
    errors: &mut Errors,
) -> Option<Vec<Localized<String>>> {
    if def.enum_labels.is_empty() && def.enum_label_column.is_none() {
        return None;
    }
    let Some(values) = &info.enumeration else {
        errors.plain(
            "invalid_field",
            item,
            None,
            "`enum_labels` and `enum_label_column` label the values of `enum` or `enum_table`",
        );
        return None;
    };
    // The label column's (key, label) pairs, looked up by a scan: compiling does it once, and a
    // map of string slices would add its hashing code to the WebAssembly build.
    let mut column: Vec<(&str, &str)> = Vec::new();
    if let Some(name) = &def.enum_label_column {
        let sig = def.enum_table.as_ref().and_then(|t| table_sigs.get(t));
        let at = sig.and_then(|s| s.columns.iter().position(|c| c == name));
        match (sig, at) {
            (Some(sig), Some(at)) => {
                let rows = tables.get(sig.index as usize).map_or(&[][..], |t| &t.rows);
                for row in rows {
                    if let (Some(Some(Scalar::Text(key))), Some(Some(Scalar::Text(label)))) =
                        (row.first(), row.get(at))
                    {
                        column.push((key, label));
                    }
                }
            }
            (None, _) => errors.plain(
                "invalid_field",
                item,
                None,
                "`enum_label_column` names a column of the field's `enum_table`",
            ),
            (Some(sig), None) => errors.plain(
                "unknown_column",
                item,
                None,
                format!(
                    "unknown column `{name}` of table `{}`{}",
                    def.enum_table.as_deref().unwrap_or(""),
                    hint(name, sig.columns.iter())
                ),
            ),
        }
    }
    let labels = &def.enum_labels;
    for (i, key) in labels.iter().map(|l| &l.value).enumerate() {
        if labels.iter().take(i).any(|l| l.value == *key) {
            errors.plain(
                "duplicate_id",
                item,
                None,
                format!("`enum_labels` labels `{key}` twice"),
            );
        }
        if !values.iter().any(|v| **v == **key) {
            errors.plain(
                "unknown_enum_value",
                item,
                None,
                format!(
                    "`enum_labels` labels `{key}`, which is not an allowed value{}",
                    hint(key, values.iter())
                ),
            );
        }
    }
    Some(
        values
            .iter()
            .map(|v| {
                let from_column = column.iter().find(|(k, _)| *k == &**v).map(|(_, l)| *l);
                let own = labels.iter().find(|l| *l.value == **v).map(|l| &l.label);
                match (own, from_column) {
                    (Some(l), _) => l.clone(),
                    (None, Some(c)) => Localized {
                        zh: c.to_owned(),
                        en: c.to_owned(),
                    },
                    (None, None) => Localized {
                        zh: v.to_string(),
                        en: v.to_string(),
                    },
                }
            })
            .collect(),
    )
}

/// A field's `derived` and `derived_when`: a value of the field's type, computed from other
/// fields. Only top-level scalar fields can be derived. A derivation that passes a masked field's
/// value into a field that is not masked is refused (`masked_value`): the form shows a derived
/// value as its own field is shown.
fn compile_derived(
    def: &FieldDef<Source>,
    schema: &Schema,
    table_sigs: &HashMap<String, TableSig>,
    params: &HashMap<String, ParamValue>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
) -> Option<Derived> {
    let item = format!("field {}", def.path);
    let Some(src) = &def.derived else {
        if def.derived_when.is_some() {
            errors.plain(
                "invalid_field",
                &item,
                def.derived_when.as_ref(),
                "`derived_when` needs `derived`",
            );
        }
        return None;
    };
    let Some(Member::Scalar(slot)) = schema.member(&def.path) else {
        errors.plain(
            "invalid_field",
            &item,
            Some(src),
            "only top-level scalar fields can be `derived`",
        );
        return None;
    };
    let field = schema.field(slot)?;
    let no_decisions = HashMap::new();
    let names = Names {
        schema,
        params,
        tables: table_sigs,
        decisions: &no_decisions,
    };
    let (value, (mut reads, _), ty) = compile_expr_reads(
        src,
        &format!("{item} derived"),
        &names,
        regexes,
        errors,
        false,
    )?;
    let fits =
        ty.fits(field.ty) || (field.ty == Ty::DateOrMonth && matches!(ty, Ty::Date | Ty::Month));
    if !fits {
        errors.plain(
            "type_mismatch",
            &format!("{item} derived"),
            Some(src),
            format!("`derived` is {ty}; the field is {}", field.ty),
        );
    }
    // A masked field's value passed on as it is, or anything computed from a secret
    // (`mask = "all"`), would be shown in a field that is not masked.
    let from_secret = reads.iter().any(|s| {
        schema
            .field(*s)
            .is_some_and(|f| f.mask == crate::pack::model::MaskStyle::All)
    });
    if !field.mask.is_masked() && (value.mask == Mask::Field || from_secret) {
        errors.plain(
            "masked_value",
            &format!("{item} derived"),
            Some(src),
            "`derived` would show a field marked `mask` (its value, or anything of a `mask = \"all\"` field) in a field that is not: mark this field `mask` too",
        );
    }
    let when = match &def.derived_when {
        Some(w) => {
            let (e, (r, _), _) = compile_expr_reads(
                w,
                &format!("{item} derived_when"),
                &names,
                regexes,
                errors,
                true,
            )?;
            reads.extend(r);
            Some((e, w.text.clone()))
        }
        None => None,
    };
    reads.sort_unstable();
    reads.dedup();
    Some(Derived {
        value: value.plain,
        value_text: src.text.clone(),
        when_text: when.as_ref().map(|(_, t)| t.clone()),
        when: when.map(|(e, _)| e.plain),
        reads,
    })
}

fn parse_src(src: &Source, item: &str, errors: &mut Errors) -> Option<Ast> {
    match parser::parse(&src.text) {
        Ok(a) => Some(a),
        Err(e) => {
            let span = Span {
                start: u32::try_from(e.offset).unwrap_or(0),
                end: u32::try_from(e.offset).unwrap_or(0),
            };
            errors.at(
                item,
                Some(src),
                CheckError {
                    code: "syntax_error",
                    span,
                    message: e.message,
                },
            );
            None
        }
    }
}

/// Slots of the scalar fields an expression reads, and the steps of the lists it reads.
type Reads = (Vec<u32>, Vec<u32>);

/// Parse and check one expression in both forms; `want_bool` requires a condition.
fn compile_expr(
    src: &Source,
    item: &str,
    names: &Names<'_>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
    want_bool: bool,
) -> Option<CExpr> {
    compile_expr_reads(src, item, names, regexes, errors, want_bool).map(|(e, _, _)| e)
}

/// As [`compile_expr`], also returning the slots read, the steps read and the type.
fn compile_expr_reads(
    src: &Source,
    item: &str,
    names: &Names<'_>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
    want_bool: bool,
) -> Option<(CExpr, Reads, Ty)> {
    let ast = parse_src(src, item, errors)?;
    let mut plain = Checker::new(names, regexes, false);
    let result = if want_bool {
        plain.check_bool(&ast).map(|n| (n, Ty::Bool, Mask::Clear))
    } else {
        plain.check(&ast).map(|t| (t.node, t.ty, t.mask))
    };
    let reads = (
        std::mem::take(&mut plain.reads),
        std::mem::take(&mut plain.read_steps),
    );
    let (node, ty, mask) = match result {
        Ok(x) => x,
        Err(e) => {
            errors.at(item, Some(src), e);
            return None;
        }
    };
    let mut traced_checker = Checker::new(names, regexes, true);
    let traced = if want_bool {
        traced_checker.check_bool(&ast).ok()
    } else {
        traced_checker.check(&ast).ok().map(|t| t.node)
    };
    Some((
        CExpr {
            plain: node,
            traced: traced?,
            text: src.text.as_str().into(),
            mask,
        },
        reads,
        ty,
    ))
}

fn compile_template(
    src: &Source,
    item: &str,
    names: &Names<'_>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
    reads: &mut (Vec<u32>, Vec<u32>),
) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let s = &src.text;
    let mut rest = s.as_str();
    let mut offset = 0usize;
    while let Some(i) = rest.find(['{', '}']) {
        let (before, tail) = rest.split_at(i);
        text.push_str(before);
        if tail.starts_with("{{") || tail.starts_with("}}") {
            text.push_str(tail.get(..1).unwrap_or(""));
            rest = tail.get(2..).unwrap_or("");
            offset += i + 2;
            continue;
        }
        if tail.starts_with('}') {
            errors.at(
                item,
                Some(src),
                CheckError {
                    code: "syntax_error",
                    span: span_at(offset + i),
                    message: "unmatched `}` (write `}}`)".into(),
                },
            );
            return parts;
        }
        let Some(end) = tail.find('}') else {
            errors.at(
                item,
                Some(src),
                CheckError {
                    code: "syntax_error",
                    span: span_at(offset + i),
                    message: "unclosed `{` (write `{{` for a brace)".into(),
                },
            );
            return parts;
        };
        let inner = tail.get(1..end).unwrap_or("");
        if !text.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut text)));
        }
        let hole_src = Source {
            text: inner.to_owned(),
            loc: src.loc.clone().map(|mut l| {
                l.column += u32::try_from(s.get(..offset + i + 1).map_or(0, |p| p.chars().count()))
                    .unwrap_or(0);
                l
            }),
        };
        if let Some(ast) = parse_src(&hole_src, item, errors) {
            let mut c = Checker::new(names, regexes, false);
            match c.check(&ast) {
                Ok(t) => {
                    if matches!(t.ty, Ty::List(_) | Ty::Records) {
                        errors.at(
                            item,
                            Some(&hole_src),
                            CheckError {
                                code: "type_mismatch",
                                span: ast.span(),
                                message: "a message hole needs a single value".into(),
                            },
                        );
                    }
                    reads.0.extend(c.reads.iter().copied());
                    reads.1.extend(c.read_steps.iter().copied());
                    parts.push(Part::Hole(t.node, t.mask));
                }
                Err(e) => errors.at(item, Some(&hole_src), e),
            }
        }
        rest = tail.get(end + 1..).unwrap_or("");
        offset += end + 1 + i;
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    parts
}

fn span_at(o: usize) -> Span {
    let o = u32::try_from(o).unwrap_or(0);
    Span { start: o, end: o }
}

fn infer_step(
    names: &Names<'_>,
    reads: &(Vec<u32>, Vec<u32>),
    explicit: Option<&str>,
    item: &str,
    errors: &mut Errors,
) -> u32 {
    let schema = names.schema;
    let inferred = reads
        .0
        .iter()
        .filter_map(|s| schema.field(*s).map(|f| f.step))
        .chain(reads.1.iter().copied())
        .max()
        .unwrap_or(0);
    match explicit {
        Some(s) => {
            if let Some(i) = schema.step_index(s) {
                i
            } else {
                errors.plain("unknown_step", item, None, format!("unknown step `{s}`"));
                inferred
            }
        }
        None => inferred,
    }
}

fn pointer(path: &str) -> String {
    format!("/{}", path.replace("[]", "").replace('.', "/"))
}

fn compile_rule(
    r: &RuleDef<Source>,
    names: &Names<'_>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
) -> Option<CRule> {
    let item = format!("rule {}", r.id);
    let kind = match (r.severity, r.effect) {
        (Some(s), None) => Kind::Validation(s),
        (None, Some(e)) => Kind::Eligibility(e),
        _ => {
            errors.plain(
                "invalid_rule",
                &item,
                Some(&r.message.zh),
                "give exactly one of `severity` (validation) and `effect` (eligibility)",
            );
            return None;
        }
    };
    if r.when.is_none() && r.check.is_none() {
        errors.plain(
            "invalid_rule",
            &item,
            Some(&r.message.zh),
            "a rule needs `when`, `check` or both",
        );
        return None;
    }
    if r.due.is_some() != (r.effect == Some(Effect::Conditional)) {
        errors.plain(
            "invalid_rule",
            &item,
            Some(&r.message.zh),
            "`due` goes with, and only with, `effect = \"conditional\"`",
        );
    }
    if !r.code.as_deref().is_none_or(is_key) {
        errors.plain(
            "invalid_rule",
            &item,
            Some(&r.message.zh),
            "codes are snake_case",
        );
    }
    let mut reads = (Vec::new(), Vec::new());
    let part = |src: &Option<Source>,
                what: &str,
                want_bool: bool,
                regexes: &mut Vec<Regex>,
                errors: &mut Errors,
                reads: &mut (Vec<u32>, Vec<u32>)| {
        src.as_ref().and_then(|s| {
            let (e, r, ty) = compile_expr_reads(
                s,
                &format!("{item} {what}"),
                names,
                regexes,
                errors,
                want_bool,
            )?;
            if !want_bool && ty != Ty::Date {
                errors.plain(
                    "type_mismatch",
                    &format!("{item} {what}"),
                    Some(s),
                    format!("`due` must be a date, found {ty}"),
                );
            }
            if !want_bool {
                refuse_masked_due(&e, &format!("{item} {what}"), s, errors);
            }
            reads.0.extend(r.0);
            reads.1.extend(r.1);
            Some(e)
        })
    };
    let when = part(&r.when, "when", true, regexes, errors, &mut reads);
    let check_reads_start = reads.0.len();
    let check = part(&r.check, "check", true, regexes, errors, &mut reads);
    let first_check_read = reads.0.get(check_reads_start).or(reads.0.first()).copied();
    let due = part(&r.due, "due", false, regexes, errors, &mut reads);
    let zh = compile_template(
        &r.message.zh,
        &format!("{item} message.zh"),
        names,
        regexes,
        errors,
        &mut reads,
    );
    let en = compile_template(
        &r.message.en,
        &format!("{item} message.en"),
        names,
        regexes,
        errors,
        &mut reads,
    );
    let step = infer_step(names, &reads, r.step.as_deref(), &item, errors);
    let path = match &r.path {
        Some(p) => {
            if names.schema.member(p).is_none() && !p.contains("[]") {
                errors.plain(
                    "unknown_field",
                    &item,
                    None,
                    format!(
                        "`path` names unknown field `{p}`{}",
                        hint(p, names.schema.paths())
                    ),
                );
            }
            pointer(p)
        }
        None => first_check_read
            .and_then(|s| names.schema.field(s))
            .map_or_else(
                || {
                    format!(
                        "/{}",
                        names.schema.steps.get(step as usize).map_or("", |s| &*s.id)
                    )
                },
                |f| pointer(&f.path),
            ),
    };
    let mut slots = reads.0;
    slots.sort_unstable();
    slots.dedup();
    Some(CRule {
        id: r.id.as_str().into(),
        kind,
        step,
        when,
        check,
        code: r.code.as_deref().unwrap_or("rule_failed").into(),
        path,
        due,
        question: r.question.as_deref().map(Into::into),
        message: Localized { zh, en },
        cite: r.cite.as_str().into(),
        reads: slots,
    })
}

/// A `due` date is shown in full in every report (`YYYY-MM-DD`), so it may not be computed from a
/// field marked `mask`: it would show what the mask hides (a birth date from an ID number).
fn refuse_masked_due(e: &CExpr, item: &str, src: &Source, errors: &mut Errors) {
    if e.mask.is_masked() {
        errors.plain(
            "masked_value",
            item,
            Some(src),
            "`due` is computed from a field marked `mask` and would show it; compute it from unmasked fields",
        );
    }
}

fn cell_op(text: &str) -> (Option<BinOp>, &str) {
    let t = text.trim_start();
    for (p, op) in [
        ("not in ", BinOp::NotIn),
        ("in ", BinOp::In),
        ("==", BinOp::Eq),
        ("!=", BinOp::Ne),
        ("<=", BinOp::Le),
        (">=", BinOp::Ge),
        ("<", BinOp::Lt),
        (">", BinOp::Gt),
    ] {
        if let Some(rest) = t.strip_prefix(p) {
            return (Some(op), rest);
        }
    }
    (None, t)
}

fn compile_cell(
    cell: &Cell,
    input: (&Ty, Option<&[Box<str>]>),
    item: &str,
    names: &Names<'_>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
) -> Option<CCell> {
    let (ty, enumeration) = input;
    let check_enum = |s: &Scalar, errors: &mut Errors| {
        if let (Scalar::Text(t), Some(values)) = (s, enumeration) {
            if !values.iter().any(|v| v == t) {
                errors.plain(
                    "unknown_enum_value",
                    item,
                    None,
                    format!(
                        "`{t}` is not a value of the input{}",
                        hint(t, values.iter().map(AsRef::as_ref))
                    ),
                );
            }
        }
    };
    let literal = |v: &serde_json::Value, errors: &mut Errors| -> Option<Scalar> {
        let s = Scalar::from_json(*ty, v);
        if s.is_none() {
            errors.plain(
                "invalid_decision",
                item,
                None,
                format!("cell `{v}` is not a {ty}"),
            );
        }
        s
    };
    match cell {
        Cell::Value(serde_json::Value::String(s)) if s == "-" => Some(CCell::Any),
        Cell::Value(serde_json::Value::Array(items)) => {
            let set: Option<Vec<Scalar>> = items.iter().map(|v| literal(v, errors)).collect();
            let set = set?;
            for s in &set {
                check_enum(s, errors);
            }
            Some(CCell::In(set.into(), false))
        }
        Cell::Value(v) => {
            let s = literal(v, errors)?;
            check_enum(&s, errors);
            Some(CCell::In(Box::new([s]), false))
        }
        Cell::Test { test } => {
            let test = &Source::new(test.as_str());
            let (op, rest) = cell_op(&test.text);
            let op = op.unwrap_or(BinOp::Eq);
            let rhs_src = Source {
                text: rest.to_owned(),
                loc: None,
            };
            let ast = parse_src(&rhs_src, item, errors)?;
            if matches!(op, BinOp::In | BinOp::NotIn) {
                let Ast::List(elems, _) = &ast else {
                    errors.plain(
                        "invalid_decision",
                        item,
                        Some(test),
                        "`in` cells take a list literal",
                    );
                    return None;
                };
                let mut set = Vec::new();
                for e in elems {
                    let Ast::Lit(l, span) = e else {
                        errors.plain(
                            "invalid_decision",
                            item,
                            Some(test),
                            "`in` cells take literals",
                        );
                        return None;
                    };
                    let s = crate::expr::check::literal(l, *span).ok()?;
                    if Ty::unify(s.ty(), *ty).is_none() {
                        errors.plain(
                            "type_mismatch",
                            item,
                            Some(test),
                            format!("`{l}` is not a {ty}"),
                        );
                        return None;
                    }
                    check_enum(&s, errors);
                    set.push(s);
                }
                return Some(CCell::In(set.into(), op == BinOp::NotIn));
            }
            if let (Ast::Lit(Lit::Text(t), _), BinOp::Eq | BinOp::Ne) = (&ast, op) {
                check_enum(&Scalar::Text(t.as_str().into()), errors);
            }
            let mut c = Checker::new(names, regexes, false);
            let t = match c.check(&ast) {
                Ok(t) => t,
                Err(e) => {
                    errors.at(item, Some(&rhs_src), e);
                    return None;
                }
            };
            if Ty::unify(t.ty, *ty).is_none() {
                errors.plain(
                    "type_mismatch",
                    item,
                    Some(test),
                    format!("cannot compare the input ({ty}) with {}", t.ty),
                );
                return None;
            }
            let cmp = match op {
                BinOp::Ne => CmpOp::Ne,
                BinOp::Lt => CmpOp::Lt,
                BinOp::Le => CmpOp::Le,
                BinOp::Gt => CmpOp::Gt,
                BinOp::Ge => CmpOp::Ge,
                _ => CmpOp::Eq,
            };
            Some(CCell::Cmp(cmp, t.node))
        }
    }
}

fn compile_row(
    row: &RowDef<Source>,
    number: Option<usize>,
    d: &DecisionDef<Source>,
    inputs: &[(Ty, Option<Vec<Box<str>>>)],
    names: &Names<'_>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
) -> Option<CRow> {
    let item = match number {
        Some(n) => format!("decision {} row {n}", d.id),
        None => format!("decision {} default", d.id),
    };
    if number.is_some() && row.when.len() != inputs.len() {
        errors.plain(
            "invalid_decision",
            &item,
            None,
            format!("{} cells for {} inputs", row.when.len(), inputs.len()),
        );
        return None;
    }
    if d.route && row.output.is_some() && row.label.is_none() {
        errors.plain(
            "invalid_decision",
            &item,
            None,
            "a row of the route table that gives a route needs a `label` (the route in words)",
        );
    }
    if row.effect.is_some() && row.message.is_none() {
        errors.plain(
            "invalid_decision",
            &item,
            None,
            "a row with an `effect` needs a `message`",
        );
    }
    if row.due.is_some() != (row.effect == Some(Effect::Conditional)) {
        errors.plain(
            "invalid_decision",
            &item,
            None,
            "`due` goes with, and only with, `effect = \"conditional\"`",
        );
    }
    let mut cells = Vec::new();
    for (cell, (ty, en)) in row.when.iter().zip(inputs) {
        cells.push(compile_cell(
            cell,
            (ty, en.as_deref()),
            &item,
            names,
            regexes,
            errors,
        )?);
    }
    let mut reads = (Vec::new(), Vec::new());
    let message = row.message.as_ref().map(|m| Localized {
        zh: compile_template(
            &m.zh,
            &format!("{item} message.zh"),
            names,
            regexes,
            errors,
            &mut reads,
        ),
        en: compile_template(
            &m.en,
            &format!("{item} message.en"),
            names,
            regexes,
            errors,
            &mut reads,
        ),
    });
    let due = row.due.as_ref().and_then(|s| {
        let e = compile_expr(s, &format!("{item} due"), names, regexes, errors, false)?;
        refuse_masked_due(&e, &format!("{item} due"), s, errors);
        Some(e)
    });
    let rule = row.rule.clone().unwrap_or_else(|| match number {
        Some(n) => format!("{}#{n}", d.id),
        None => format!("{}#default", d.id),
    });
    Some(CRow {
        cells,
        output: row.output.as_deref().map(Into::into),
        label: row.label.as_ref().map(|l| Localized {
            zh: l.zh.as_str().into(),
            en: l.en.as_str().into(),
        }),
        effect: row.effect,
        rule: rule.into(),
        message,
        cite: row.cite.as_deref().unwrap_or(&d.cite).into(),
        question: row.question.as_deref().map(Into::into),
        due,
    })
}

fn compile_decision(
    d: &DecisionDef<Source>,
    names: &Names<'_>,
    regexes: &mut Vec<Regex>,
    errors: &mut Errors,
) -> Option<CDecision> {
    let item = format!("decision {}", d.id);
    if d.inputs.is_empty() || d.inputs.len() > MAX_DECISION_INPUTS {
        errors.plain(
            "invalid_decision",
            &item,
            None,
            format!("a decision has 1 to {MAX_DECISION_INPUTS} inputs"),
        );
        return None;
    }
    let mut reads = (Vec::new(), Vec::new());
    let when = d.when.as_ref().and_then(|w| {
        let (e, r, _) =
            compile_expr_reads(w, &format!("{item} when"), names, regexes, errors, true)?;
        reads.0.extend(r.0);
        reads.1.extend(r.1);
        Some(e)
    });
    let mut inputs = Vec::new();
    let mut input_types = Vec::new();
    let mut domains = Vec::new();
    for (i, src) in d.inputs.iter().enumerate() {
        let input_item = format!("{item} input {}", i + 1);
        let Some(ast) = parse_src(src, &input_item, errors) else {
            continue;
        };
        let enumeration = enum_of_path(&ast, names.schema);
        let Some((e, r, ty)) = compile_expr_reads(src, &input_item, names, regexes, errors, false)
        else {
            continue;
        };
        if matches!(ty, Ty::List(_) | Ty::Records) {
            errors.plain(
                "type_mismatch",
                &input_item,
                Some(src),
                "decision inputs are single values",
            );
            continue;
        }
        reads.0.extend(r.0);
        reads.1.extend(r.1);
        inputs.push(e);
        domains.push(match (&enumeration, ty) {
            (Some(values), _) => Some(values.iter().map(|v| Scalar::Text(v.clone())).collect()),
            (None, Ty::Bool) => Some(vec![Scalar::Bool(false), Scalar::Bool(true)]),
            _ => None,
        });
        input_types.push((ty, enumeration));
    }
    if inputs.len() != d.inputs.len() {
        return None;
    }
    let mut rows = Vec::new();
    for (n, row) in d.rows.iter().enumerate() {
        if let Some(r) = compile_row(row, Some(n + 1), d, &input_types, names, regexes, errors) {
            rows.push(r);
        }
    }
    let default = d
        .default
        .as_ref()
        .and_then(|r| compile_row(r, None, d, &input_types, names, regexes, errors));
    let step = infer_step(names, &reads, d.step.as_deref(), &item, errors);
    let mut slots = reads.0;
    slots.sort_unstable();
    slots.dedup();
    let decision = CDecision {
        id: d.id.as_str().into(),
        route: d.route,
        hit: d.hit,
        when,
        inputs,
        rows,
        default,
        step,
        reads: slots,
        domains,
        sym_slots: Vec::new(),
    };
    // Not in the WebAssembly build, which has no room in its size budget for it (the cells stay
    // `In`: the same answers, by text).
    #[cfg(not(target_arch = "wasm32"))]
    let decision = {
        let mut d = decision;
        intern_cells(&mut d, names.schema);
        d
    };
    Some(decision)
}

/// Turn the `in` cells of inputs that read a field with an enumeration into [`CCell::Sym`].
#[cfg(not(target_arch = "wasm32"))]
fn intern_cells(d: &mut CDecision, schema: &Schema) {
    let allowed = |e: &CExpr| match e.plain {
        Node::Field(slot) => schema
            .field(slot)
            .and_then(|f| f.constraints.allowed.as_ref())
            .map(|a| (slot, a)),
        _ => None,
    };
    let per_input: Vec<_> = d.inputs.iter().map(allowed).collect();
    d.sym_slots = per_input.iter().map(|a| a.map(|(slot, _)| slot)).collect();
    for row in d.rows.iter_mut().chain(d.default.as_mut()) {
        for (cell, a) in row.cells.iter_mut().zip(&per_input) {
            let (Some((_, values)), CCell::In(set, negate)) = (a, &*cell) else {
                continue;
            };
            if let Some(syms) = crate::schema::symbols_of(values, set) {
                *cell = CCell::Sym(syms, set.clone(), *negate);
            }
        }
    }
}

fn enum_of_path(ast: &Ast, schema: &Schema) -> Option<Vec<Box<str>>> {
    let Ast::Path(parts, _) = ast else {
        return None;
    };
    let Member::Scalar(slot) = schema.member(&parts.join("."))? else {
        return None;
    };
    schema.field(slot)?.enumeration.clone()
}
