//! Loading a pack directory: read every TOML file, merge the packs it extends, resolve examples.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::locations::{self, Locations};
use super::model::{
    DecisionDef, ExampleDef, FieldDef, FieldType, Loc, MaterialDef, NoticeDef, NoticeLineDef, Pack,
    PackFile, ParamDef, RowDef, RuleDef, Source,
};
use crate::builtins::dates;
use crate::error::LoadError;

/// Deepest chain of `extends`.
pub const MAX_EXTENDS_DEPTH: usize = 8;
/// Largest TOML file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

fn invalid(code: &'static str, loc: Option<Loc>, message: impl Into<String>) -> LoadError {
    LoadError::Invalid {
        code,
        loc,
        message: message.into(),
    }
}

/// A location naming only a file (line 0: no particular line).
#[expect(
    clippy::unnecessary_wraps,
    reason = "locations are optional everywhere they are used"
)]
fn file_loc(file: &str) -> Option<Loc> {
    Some(Loc {
        file: file.to_owned(),
        line: 0,
        column: 0,
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// Turn a spanned TOML string into a [`Source`] whose location is the first character inside the quotes.
fn source(file: &str, text: &str, s: toml::Spanned<String>) -> Source {
    let span = s.span();
    let raw = text.get(span.start..).unwrap_or("");
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
    let (line, column) = line_col(text, span.start + skip);
    Source {
        text: s.into_inner(),
        loc: Some(Loc {
            file: file.to_owned(),
            line,
            column,
        }),
    }
}

fn read(path: &Path, shown: &str) -> Result<String, LoadError> {
    let io = |e: std::io::Error| LoadError::Io {
        path: shown.to_owned(),
        message: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(invalid(
            "file_too_large",
            file_loc(shown),
            format!("file is larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    std::fs::read_to_string(path).map_err(io)
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<(), LoadError> {
    if depth > 8 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| LoadError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    for entry in entries {
        let entry = entry.map_err(|e| LoadError::Io {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let ty = entry.file_type().map_err(|e| LoadError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if ty.is_dir() {
            toml_files(&path, out, depth + 1)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// A file of a pack as locations show it: the path the loader read — the pack directory as given,
/// joined with the file's path in it — with `.` and `..` resolved lexically, so a base pack reached
/// through `extends = "../nmec-2024"` shows as `rules/nmec-2024/…`, relative to the working directory
/// when the pack's path is.
pub fn shown(path: &Path) -> String {
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
    let joined: PathBuf = parts.iter().collect();
    let text = joined.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

/// Where an id is declared, for messages: `` (first declared at `file:line:column`)``.
fn first_at(loc: Option<&Loc>) -> String {
    loc.map(|l| format!(" (first declared at {l})"))
        .unwrap_or_default()
}

/// Load the pack in directory `dir`, merged with the packs it extends.
pub fn load_dir(dir: &Path) -> Result<Pack, LoadError> {
    load_dir_inner(dir, &mut Vec::new())
}

fn load_dir_inner(dir: &Path, chain: &mut Vec<PathBuf>) -> Result<Pack, LoadError> {
    let canonical = dir.canonicalize().map_err(|e| LoadError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    if chain.contains(&canonical) {
        return Err(invalid(
            "extends_cycle",
            None,
            format!("`{}` extends itself through its bases", dir.display()),
        ));
    }
    if chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(invalid(
            "extends_too_deep",
            None,
            format!("more than {MAX_EXTENDS_DEPTH} levels of `extends`"),
        ));
    }
    chain.push(canonical);
    let mut files = Vec::new();
    toml_files(dir, &mut files, 0)?;
    files.sort();
    let mut parsed = Vec::new();
    for path in &files {
        let shown = shown(path);
        let text = read(path, &shown)?;
        let file: PackFile = toml::from_str(&text).map_err(|e| {
            let loc = e.span().map(|s| {
                let (line, column) = line_col(&text, s.start);
                Loc {
                    file: shown.clone(),
                    line,
                    column,
                }
            });
            LoadError::Toml {
                loc,
                message: e.message().trim().to_owned(),
            }
        })?;
        let locs = locations::locate(&shown, &text);
        parsed.push((shown, text, file, locs));
    }
    let meta_count = parsed
        .iter()
        .filter(|(_, _, f, _)| f.pack.is_some())
        .count();
    let Some(meta) = parsed.iter_mut().find_map(|(_, _, f, _)| f.pack.take()) else {
        return Err(invalid(
            "missing_pack_table",
            None,
            format!(
                "no `[pack]` table in any file of `{}` (put it in pack.toml)",
                dir.display()
            ),
        ));
    };
    if meta_count > 1 {
        return Err(invalid(
            "duplicate_pack_table",
            None,
            "more than one file has a `[pack]` table",
        ));
    }
    let mut pack = match &meta.extends {
        Some(base) => {
            let base_dir = dir.join(base);
            let mut base = load_dir_inner(&base_dir, chain)?;
            if !meta.inherit_examples {
                base.examples.clear();
            }
            let mut lineage = std::mem::take(&mut base.pack.lineage);
            lineage.push(base.pack.id.clone());
            base.pack = meta.clone();
            base.pack.lineage = lineage;
            base
        }
        None => Pack {
            pack: meta.clone(),
            params: BTreeMap::new(),
            steps: Vec::new(),
            fields: Vec::new(),
            tables: BTreeMap::new(),
            rules: Vec::new(),
            decisions: Vec::new(),
            examples: Vec::new(),
            omissions: Vec::new(),
            form_checks: Vec::new(),
            materials: Vec::new(),
            notice: None,
            locs: Locations::default(),
        },
    };
    let inherited_rules: HashSet<String> = pack.rules.iter().map(|r| r.id.clone()).collect();
    let inherited_decisions: HashSet<String> =
        pack.decisions.iter().map(|d| d.id.clone()).collect();
    let inherited_tables: HashSet<String> = pack.tables.keys().cloned().collect();
    let inherited_materials: HashSet<String> =
        pack.materials.iter().map(|m| m.id.clone()).collect();
    let inherited_steps = !pack.steps.is_empty();
    // This pack's own declarations by id, with where the first one is: a second is `duplicate_id`.
    let mut own_rules: HashMap<String, Option<Loc>> = HashMap::new();
    let mut own_decisions: HashMap<String, Option<Loc>> = HashMap::new();
    let mut own_fields: HashMap<String, Option<Loc>> = HashMap::new();
    let mut own_materials: HashMap<String, Option<Loc>> = HashMap::new();
    let mut own_tables: HashMap<String, Option<Loc>> = HashMap::new();
    let mut own_examples: HashMap<String, Option<Loc>> = HashMap::new();
    let mut examples = Vec::new();
    for (shown, text, file, locs) in parsed {
        for (name, raw) in file.params {
            let at = locs.params.get(&name).cloned().or_else(|| file_loc(&shown));
            let def = param(&name, raw).map_err(|m| invalid("invalid_param", at.clone(), m))?;
            if let Some(old) = pack.params.get(&name) {
                if old.ty != def.ty {
                    return Err(invalid(
                        "invalid_param",
                        at,
                        format!(
                            "parameter `{name}` overrides a {:?} with a {:?}",
                            old.ty, def.ty
                        ),
                    ));
                }
            }
            if let Some(loc) = at {
                pack.locs.insert(format!("param {name}"), loc);
            }
            pack.params.insert(name, def);
        }
        if !file.step.is_empty() {
            if inherited_steps {
                return Err(invalid(
                    "invalid_step",
                    file_loc(&shown),
                    "an extending pack cannot redefine the steps",
                ));
            }
            for (s, loc) in file.step.iter().zip(&locs.steps) {
                if let Some(loc) = loc {
                    pack.locs.insert(format!("step {}", s.id), loc.clone());
                }
            }
            pack.steps.extend(file.step);
        }
        for (i, f) in file.field.into_iter().enumerate() {
            let f = map_field(f, &|s| source(&shown, &text, s));
            let at = locs.fields.get(i).cloned().flatten();
            // A field is declared once, in the base pack or in this one.
            let first = own_fields.get(&f.path).cloned().or_else(|| {
                pack.fields
                    .iter()
                    .any(|g| g.path == f.path)
                    .then(|| pack.locs.of("field", &f.path).cloned())
            });
            if let Some(first) = first {
                return Err(invalid(
                    "duplicate_id",
                    at.or_else(|| file_loc(&shown)),
                    format!(
                        "field `{}` is declared twice{}",
                        f.path,
                        first_at(first.as_ref())
                    ),
                ));
            }
            own_fields.insert(f.path.clone(), at.clone());
            if let Some(loc) = at {
                pack.locs.insert(format!("field {}", f.path), loc);
            }
            pack.fields.push(f);
        }
        for (id, t) in file.table {
            let at = locs.tables.get(&id).cloned();
            if pack.tables.contains_key(&id) && !inherited_tables.contains(&id) {
                let first = own_tables.get(&id).cloned().flatten();
                return Err(invalid(
                    "duplicate_id",
                    at.or_else(|| file_loc(&shown)),
                    format!("table `{id}` is declared twice{}", first_at(first.as_ref())),
                ));
            }
            own_tables.insert(id.clone(), at.clone());
            if let Some(loc) = at {
                pack.locs.insert(format!("table {id}"), loc);
            }
            pack.tables.insert(id, t);
        }
        for (i, r) in file.rule.into_iter().enumerate() {
            let r = map_rule(r, &|s| source(&shown, &text, s));
            let at = locs.rules.get(i).cloned().flatten();
            if let Some(first) = own_rules.get(&r.id) {
                return Err(invalid(
                    "duplicate_id",
                    at.or_else(|| r.message.zh.loc.clone()),
                    format!(
                        "rule `{}` is declared twice{}",
                        r.id,
                        first_at(first.as_ref())
                    ),
                ));
            }
            own_rules.insert(r.id.clone(), at.clone());
            if let Some(loc) = at {
                pack.locs.insert(format!("rule {}", r.id), loc);
            }
            match pack
                .rules
                .iter_mut()
                .find(|old| old.id == r.id)
                .filter(|_| inherited_rules.contains(&r.id))
            {
                Some(old) => *old = r,
                None => pack.rules.push(r),
            }
        }
        for (i, d) in file.decision.into_iter().enumerate() {
            let d = map_decision(d, &|s| source(&shown, &text, s));
            let (at, rows, default) = locs.decisions.get(i).cloned().unwrap_or_default();
            if let Some(first) = own_decisions.get(&d.id) {
                return Err(invalid(
                    "duplicate_id",
                    at.or_else(|| file_loc(&shown)),
                    format!(
                        "decision `{}` is declared twice{}",
                        d.id,
                        first_at(first.as_ref())
                    ),
                ));
            }
            own_decisions.insert(d.id.clone(), at.clone());
            if let Some(loc) = at {
                pack.locs.insert(format!("decision {}", d.id), loc);
            }
            for (n, row) in rows.into_iter().enumerate() {
                if let Some(loc) = row {
                    pack.locs
                        .insert(format!("decision {}#{}", d.id, n + 1), loc);
                }
            }
            if let Some(loc) = default {
                pack.locs.insert(format!("decision {}#default", d.id), loc);
            }
            match pack
                .decisions
                .iter_mut()
                .find(|old| old.id == d.id)
                .filter(|_| inherited_decisions.contains(&d.id))
            {
                Some(old) => *old = d,
                None => pack.decisions.push(d),
            }
        }
        for (i, e) in file.example.into_iter().enumerate() {
            let (at, parts) = locs.examples.get(i).cloned().unwrap_or_default();
            let at = at.or_else(|| file_loc(&shown));
            if let Some(first) = own_examples.get(&e.name) {
                return Err(invalid(
                    "duplicate_id",
                    at,
                    format!(
                        "example `{}` is declared twice{}",
                        e.name,
                        first_at(first.as_ref())
                    ),
                ));
            }
            own_examples.insert(e.name.clone(), at.clone());
            if let Some(loc) = at {
                pack.locs.insert(format!("example {}", e.name), loc);
            }
            for (part, loc) in parts {
                pack.locs.insert(format!("example {} {part}", e.name), loc);
            }
            examples.push(e);
        }
        for o in file.omission {
            // An overlay may restate an inherited omission (e.g. with a provincial reason).
            pack.omissions.retain(|old| old.id != o.id);
            pack.omissions.push(o);
        }
        for (i, m) in file.material.into_iter().enumerate() {
            let m = map_material(m, &|s| source(&shown, &text, s));
            let at = locs.materials.get(i).cloned().flatten();
            if let Some(first) = own_materials.get(&m.id) {
                return Err(invalid(
                    "duplicate_id",
                    at.or_else(|| m.label.zh.loc.clone()),
                    format!(
                        "material `{}` is declared twice{}",
                        m.id,
                        first_at(first.as_ref())
                    ),
                ));
            }
            own_materials.insert(m.id.clone(), at.clone());
            if let Some(loc) = at {
                pack.locs.insert(format!("material {}", m.id), loc);
            }
            // An overlay relabels an inherited material by declaring it again: it replaces it in place.
            match pack
                .materials
                .iter_mut()
                .find(|old| old.id == m.id)
                .filter(|_| inherited_materials.contains(&m.id))
            {
                Some(old) => *old = m,
                None => pack.materials.push(m),
            }
        }
        if let Some(n) = file.notice {
            let n = map_notice(n, &|s| source(&shown, &text, s));
            let merged = pack.notice.get_or_insert_with(NoticeDef::default);
            if n.title.is_some() {
                merged.title = n.title;
            }
            if n.steps.is_some() {
                merged.steps = n.steps;
            }
            for line in n.line {
                match merged.line.iter_mut().find(|old| old.id == line.id) {
                    Some(old) => *old = line,
                    None => merged.line.push(line),
                }
            }
        }
        for c in file.form_check {
            pack.form_checks.retain(|old| old.id != c.id);
            pack.form_checks.push(c);
        }
    }
    for id in &meta.disable {
        let before = pack.rules.len() + pack.decisions.len() + pack.materials.len();
        pack.rules.retain(|r| &r.id != id);
        pack.decisions.retain(|d| &d.id != id);
        pack.materials.retain(|m| &m.id != id);
        if pack.rules.len() + pack.decisions.len() + pack.materials.len() == before {
            return Err(invalid(
                "unknown_disable",
                None,
                format!("`disable` names `{id}`, which no base pack defines"),
            ));
        }
    }
    let inherited = std::mem::take(&mut pack.examples);
    pack.examples = resolve_examples(dir, examples, inherited, &pack.locs)?;
    chain.pop();
    Ok(pack)
}

fn map_field(
    f: FieldDef<toml::Spanned<String>>,
    src: &dyn Fn(toml::Spanned<String>) -> Source,
) -> FieldDef<Source> {
    FieldDef {
        path: f.path,
        ty: f.ty,
        items: f.items,
        label: f.label,
        required: f.required,
        required_when: f.required_when.map(src),
        enumeration: f.enumeration,
        enum_table: f.enum_table,
        pattern: f.pattern.map(src),
        min_length: f.min_length,
        max_length: f.max_length,
        min: f.min,
        max: f.max,
        mask: f.mask,
        dash: f.dash,
        rule: f.rule,
        cite: f.cite,
        doc: f.doc,
        help: f.help,
        enum_labels: f.enum_labels,
        enum_label_column: f.enum_label_column,
        derived: f.derived.map(src),
        derived_when: f.derived_when.map(src),
        measure: f.measure,
        clock: f.clock,
    }
}

fn map_rule(
    r: RuleDef<toml::Spanned<String>>,
    src: &dyn Fn(toml::Spanned<String>) -> Source,
) -> RuleDef<Source> {
    RuleDef {
        id: r.id,
        summary: r.summary,
        step: r.step,
        severity: r.severity,
        effect: r.effect,
        when: r.when.map(src),
        check: r.check.map(src),
        code: r.code,
        path: r.path,
        due: r.due.map(src),
        question: r.question,
        message: super::model::Localized {
            zh: src(r.message.zh),
            en: src(r.message.en),
        },
        cite: r.cite,
        confidence: r.confidence,
    }
}

fn map_notice(
    n: NoticeDef<toml::Spanned<String>>,
    src: &dyn Fn(toml::Spanned<String>) -> Source,
) -> NoticeDef<Source> {
    NoticeDef {
        title: n.title,
        steps: n.steps,
        line: n
            .line
            .into_iter()
            .map(|l| NoticeLineDef {
                id: l.id,
                label: l.label,
                value: super::model::Localized {
                    zh: src(l.value.zh),
                    en: src(l.value.en),
                },
                cite: l.cite,
            })
            .collect(),
    }
}

fn map_material(
    m: MaterialDef<toml::Spanned<String>>,
    src: &dyn Fn(toml::Spanned<String>) -> Source,
) -> MaterialDef<Source> {
    MaterialDef {
        id: m.id,
        label: super::model::Localized {
            zh: src(m.label.zh),
            en: src(m.label.en),
        },
        when: m.when.map(src),
        rule: m.rule,
        verify: m.verify.map(|v| super::model::Localized {
            zh: src(v.zh),
            en: src(v.en),
        }),
        cite: m.cite,
        confidence: m.confidence,
    }
}

fn map_row(
    r: RowDef<toml::Spanned<String>>,
    src: &dyn Fn(toml::Spanned<String>) -> Source,
) -> RowDef<Source> {
    RowDef {
        when: r.when,
        output: r.output,
        label: r.label,
        rule: r.rule,
        effect: r.effect,
        message: r.message.map(|m| super::model::Localized {
            zh: src(m.zh),
            en: src(m.en),
        }),
        cite: r.cite,
        question: r.question,
        due: r.due.map(src),
    }
}

fn map_decision(
    d: DecisionDef<toml::Spanned<String>>,
    src: &dyn Fn(toml::Spanned<String>) -> Source,
) -> DecisionDef<Source> {
    DecisionDef {
        id: d.id,
        summary: d.summary,
        hit: d.hit,
        route: d.route,
        when: d.when.map(src),
        inputs: d.inputs.into_iter().map(src).collect(),
        rows: d.rows.into_iter().map(|r| map_row(r, src)).collect(),
        default: d.default.map(|r| map_row(r, src)),
        step: d.step,
        cite: d.cite,
        confidence: d.confidence,
    }
}

/// Read a `[params]` entry: a plain value or `{ value, type, doc, cite, confidence }`.
fn param(name: &str, raw: toml::Value) -> Result<ParamDef, String> {
    let (value, ty, doc, cite, confidence) = match raw {
        toml::Value::Table(mut t) if t.contains_key("value") => {
            let value = t.remove("value").unwrap_or(toml::Value::Boolean(false));
            let ty = match t.remove("type") {
                Some(toml::Value::String(s)) => Some(
                    serde_json::from_value::<FieldType>(serde_json::Value::String(s.clone()))
                        .map_err(|_| format!("parameter `{name}`: unknown type `{s}`"))?,
                ),
                Some(_) => return Err(format!("parameter `{name}`: `type` must be a string")),
                None => None,
            };
            let text = |t: &mut toml::Table, k: &str| -> Result<Option<String>, String> {
                match t.remove(k) {
                    Some(toml::Value::String(s)) => Ok(Some(s)),
                    Some(_) => Err(format!("parameter `{name}`: `{k}` must be a string")),
                    None => Ok(None),
                }
            };
            let doc = text(&mut t, "doc")?;
            let cite = text(&mut t, "cite")?;
            let confidence = text(&mut t, "confidence")?
                .map(|c| {
                    serde_json::from_value(serde_json::Value::String(c.clone())).map_err(|_| {
                        format!("parameter `{name}`: confidence `{c}` is not H, M or L")
                    })
                })
                .transpose()?;
            if let Some(k) = t.keys().next() {
                return Err(format!("parameter `{name}`: unknown key `{k}`"));
            }
            (value, ty, doc, cite, confidence)
        }
        other => (other, None, None, None, None),
    };
    let (ty, items, json) = param_value(name, &value, ty)?;
    Ok(ParamDef {
        ty,
        items,
        value: json,
        doc,
        cite,
        confidence,
    })
}

fn scalar(
    name: &str,
    v: &toml::Value,
    want: Option<FieldType>,
) -> Result<(FieldType, serde_json::Value), String> {
    let bad = |what: &str| Err(format!("parameter `{name}`: {what}"));
    Ok(match (v, want) {
        (toml::Value::Integer(i), None | Some(FieldType::Int)) => (FieldType::Int, (*i).into()),
        (toml::Value::Integer(i), Some(FieldType::Number)) => (FieldType::Number, (*i).into()),
        (toml::Value::Float(f), None | Some(FieldType::Number)) => {
            match serde_json::Number::from_f64(*f) {
                Some(n) => (FieldType::Number, serde_json::Value::Number(n)),
                None => return bad("numbers must be finite"),
            }
        }
        (toml::Value::Boolean(b), None | Some(FieldType::Bool)) => (FieldType::Bool, (*b).into()),
        (toml::Value::String(s), None | Some(FieldType::Text)) => {
            (FieldType::Text, s.clone().into())
        }
        (toml::Value::String(s), Some(FieldType::Month))
            if dates::YearMonth::parse(s).is_some() =>
        {
            (FieldType::Month, s.clone().into())
        }
        (toml::Value::String(s), Some(FieldType::Date)) if dates::parse_date(s).is_some() => {
            (FieldType::Date, s.clone().into())
        }
        (toml::Value::String(s), Some(FieldType::Datetime))
            if dates::parse_datetime(s).is_some() =>
        {
            (FieldType::Datetime, s.clone().into())
        }
        (toml::Value::Datetime(d), None | Some(FieldType::Date | FieldType::Datetime)) => {
            let s = d.to_string();
            match (d.date, d.time, d.offset) {
                (Some(_), None, None) if want != Some(FieldType::Datetime) => (FieldType::Date, s.into()),
                (Some(_), Some(_), Some(_)) if want != Some(FieldType::Date) && dates::parse_datetime(&s).is_some() => {
                    (FieldType::Datetime, s.into())
                }
                _ => return bad("a date is `2024-08-31`; a timestamp needs an offset, e.g. `2024-01-22T00:00:00+08:00`"),
            }
        }
        (_, Some(t)) => return bad(&format!("value does not fit type {t:?}")),
        _ => return bad("unsupported value"),
    })
}

fn param_value(
    name: &str,
    v: &toml::Value,
    want: Option<FieldType>,
) -> Result<(FieldType, Option<FieldType>, serde_json::Value), String> {
    if let toml::Value::Array(items) = v {
        let mut item_ty = None;
        let mut out = Vec::new();
        for item in items {
            let (t, j) = scalar(
                name,
                item,
                item_ty.or(want.filter(|w| *w != FieldType::List)),
            )?;
            if item_ty.is_some_and(|it| it != t) {
                return Err(format!(
                    "parameter `{name}`: list items must all have one type"
                ));
            }
            item_ty = Some(t);
            out.push(j);
        }
        return Ok((
            FieldType::List,
            Some(item_ty.unwrap_or(FieldType::Text)),
            serde_json::Value::Array(out),
        ));
    }
    let (t, j) = scalar(name, v, want)?;
    Ok((t, None, j))
}

/// Set (or with `value == None` remove) a dotted path in a JSON document; numeric segments index arrays.
pub fn set_path(
    doc: &mut serde_json::Value,
    path: &str,
    value: Option<serde_json::Value>,
) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = parts.split_last() else {
        return Err("empty path".into());
    };
    let mut cur = doc;
    for p in parents {
        cur = match cur {
            serde_json::Value::Object(m) => m
                .entry((*p).to_owned())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new())),
            serde_json::Value::Array(a) => match p.parse::<usize>().ok().and_then(|i| a.get_mut(i))
            {
                Some(v) => v,
                None => return Err(format!("`{path}`: no item `{p}`")),
            },
            _ => return Err(format!("`{path}`: `{p}` is not an object")),
        };
    }
    match (cur, value) {
        (serde_json::Value::Object(m), Some(v)) => {
            m.insert((*last).to_owned(), v);
        }
        (serde_json::Value::Object(m), None) => {
            if m.remove(*last).is_none() {
                return Err(format!("`{path}` is not in the base document"));
            }
        }
        (serde_json::Value::Array(a), v) => {
            let Some(i) = last.parse::<usize>().ok().filter(|i| *i < a.len()) else {
                return Err(format!("`{path}`: no item `{last}`"));
            };
            match v {
                Some(v) => {
                    if let Some(slot) = a.get_mut(i) {
                        *slot = v;
                    }
                }
                None => {
                    a.remove(i);
                }
            }
        }
        _ => {
            let parent = parents.last().copied().unwrap_or_default();
            return Err(format!("`{path}`: `{parent}` is not an object"));
        }
    }
    Ok(())
}

fn resolve_examples(
    dir: &Path,
    raw: Vec<ExampleDef>,
    mut inherited: Vec<ExampleDef>,
    locs: &Locations,
) -> Result<Vec<ExampleDef>, LoadError> {
    // INVARIANT: the loader refused an example name declared twice in this pack.
    let names: HashSet<String> = raw.iter().map(|e| e.name.clone()).collect();
    // Inherited examples are the starting point: an own example may build on one, or replace it.
    let mut done: BTreeMap<String, serde_json::Value> = inherited
        .iter()
        .filter_map(|e| e.document.clone().map(|d| (e.name.clone(), d)))
        .collect();
    // An example inherits the `params` of its base (its own override them, name by name).
    let mut params_of: BTreeMap<String, BTreeMap<String, serde_json::Value>> = inherited
        .iter()
        .map(|e| (e.name.clone(), e.params.clone()))
        .collect();
    inherited.retain(|e| !names.contains(&e.name));
    let mut out = inherited;
    out.reserve(raw.len());
    // Examples may build on examples declared later: resolve in passes until nothing changes.
    let mut pending = raw;
    while !pending.is_empty() {
        let before = pending.len();
        let mut next = Vec::new();
        for mut e in pending {
            let at = |part: &str| locs.example(&e.name, part).cloned();
            let restated = done
                .get(&e.name)
                .filter(|_| e.application.is_none() && e.base.is_none())
                .cloned();
            let is_restatement = restated.is_some();
            let mut doc = match (&e.application, &e.base) {
                (None, None) if restated.is_some() => restated.unwrap_or_default(),
                (Some(app), None) => {
                    let path = dir.join(app);
                    let file = shown(&path);
                    let text = read(&path, &file)?;
                    serde_json::from_str(&text).map_err(|err| LoadError::Json {
                        loc: Some(Loc {
                            file,
                            line: u32::try_from(err.line()).unwrap_or(0),
                            column: u32::try_from(err.column()).unwrap_or(0),
                        }),
                        message: err.to_string(),
                    })?
                }
                (None, Some(base)) => match done.get(base) {
                    Some(d) => d.clone(),
                    None if names.contains(base) => {
                        next.push(e);
                        continue;
                    }
                    None => {
                        let known = done.keys().chain(names.iter());
                        return Err(invalid(
                            "unknown_example",
                            at("base"),
                            format!(
                                "example `{}` is based on unknown example `{base}`{}",
                                e.name,
                                crate::expr::check::hint(base, known)
                            ),
                        ));
                    }
                },
                _ => {
                    return Err(invalid(
                        "invalid_example",
                        at(if e.application.is_some() { "base" } else { "" }),
                        format!(
                            "example `{}` needs exactly one of `application` and `base`",
                            e.name
                        ),
                    ))
                }
            };
            for path in &e.remove {
                set_path(&mut doc, path, None).map_err(|m| {
                    invalid(
                        "invalid_example",
                        at(&format!("remove {path}")),
                        format!("example `{}`: `remove`: {m}", e.name),
                    )
                })?;
            }
            for (path, value) in &e.set {
                set_path(&mut doc, path, Some(value.clone())).map_err(|m| {
                    invalid(
                        "invalid_example",
                        at(&format!("set {path}")),
                        format!("example `{}`: `set`: {m}", e.name),
                    )
                })?;
            }
            let inherited_params = match (&e.base, is_restatement) {
                (Some(base), _) => params_of.get(base).cloned(),
                (None, true) => params_of.get(&e.name).cloned(),
                (None, false) => None,
            };
            if let Some(mut params) = inherited_params {
                params.append(&mut e.params);
                e.params = params;
            }
            params_of.insert(e.name.clone(), e.params.clone());
            done.insert(e.name.clone(), doc.clone());
            e.document = Some(doc);
            out.push(e);
        }
        if next.len() == before {
            let names: Vec<&str> = next.iter().map(|e| e.name.as_str()).collect();
            return Err(invalid(
                "example_cycle",
                next.first()
                    .and_then(|e| locs.example(&e.name, "base").cloned()),
                format!(
                    "examples based on each other in a cycle: {}",
                    names.join(", ")
                ),
            ));
        }
        pending = next;
    }
    Ok(out)
}
