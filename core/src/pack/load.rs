//! Loading a pack directory: read every TOML file, merge the packs it extends, resolve examples.
//!
//! Packs may come from a shared drive or a download, so everything a pack directory can make the
//! loader do is bounded, and every refusal is an error with a code (never a silent skip):
//!
//! - only regular files are read (a device, a FIFO or a socket is `not_a_file`, checked on the
//!   opened file too, and never read beyond [`MAX_FILE_BYTES`] + 1 bytes even if it changes
//!   under us); each file is at most [`MAX_FILE_BYTES`], all files of the pack and the packs it
//!   extends together at most [`MAX_PACK_BYTES`];
//! - the walk goes at most [`MAX_DIR_DEPTH`] directories down and visits at most
//!   [`MAX_PACK_ENTRIES`] entries;
//! - `extends` chains at most [`MAX_EXTENDS_DEPTH`] packs, and every path the pack leads to
//!   (`extends`, example applications, symbolic links) must resolve inside a *pack root*: the
//!   directory that holds the pack directory, or one the caller allows
//!   ([`LoadOptions::with_pack_root`]);
//! - the example documents, once resolved, add up to at most [`MAX_EXAMPLE_BYTES`].
//!
//! The work is linear in the size of the pack: locations (of expressions here, of ids and values
//! in [`super::locations`]) come from a per-file line index, and ids are matched through hash
//! maps.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::locations::{self, Locations};
use super::model::{
    DecisionDef, ExampleDef, FieldDef, FieldType, Loc, MaterialDef, NoticeDef, NoticeLineDef, Pack,
    PackFile, ParamDef, RowDef, RuleDef, Source,
};
use super::options::LoadOptions;
use super::MAX_BUNDLE_BYTES;
use crate::builtins::dates;
use crate::error::LoadError;

/// Longest chain of `extends`, the pack itself included.
pub const MAX_EXTENDS_DEPTH: usize = 8;
/// Largest file read (a TOML file or an example application), in bytes.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Largest total of the files read for one pack and the packs it extends, in bytes.
pub const MAX_PACK_BYTES: u64 = 16 * 1024 * 1024;
/// Deepest directory read below a pack directory (`tables/` is 1).
pub const MAX_DIR_DEPTH: usize = 8;
/// Most directory entries (files and directories, hidden or not) visited for one pack and the
/// packs it extends.
pub const MAX_PACK_ENTRIES: usize = 10_000;
/// Largest total size of the resolved example documents, in bytes of JSON (estimated as the
/// application file's size plus the size of each `set` value).
pub const MAX_EXAMPLE_BYTES: u64 = 16 * 1024 * 1024;

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
    Lines::new(text).line_col(text, offset)
}

/// The byte offsets where the lines of a text start, so a location costs a binary search and a
/// count within one line — not a scan from the top of the file (which made loading quadratic in
/// the number of rules of a file).
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines(starts)
    }

    /// 1-based line and column (in characters) of a byte offset of `text`, the text indexed.
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        // INVARIANT: `self.0` starts with 0, so at least one line starts at or before `offset`.
        let line = self.0.partition_point(|&s| s <= offset).max(1);
        let start = self.0.get(line - 1).copied().unwrap_or(0);
        let column = text.get(start..offset).map_or(0, |l| l.chars().count()) + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }
}

/// Turn a spanned TOML string into a [`Source`] whose location is the first character inside the quotes.
fn source(file: &str, text: &str, lines: &Lines, s: toml::Spanned<String>) -> Source {
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
    let (line, column) = lines.line_col(text, span.start + skip);
    Source {
        text: s.into_inner(),
        loc: Some(Loc {
            file: file.to_owned(),
            line,
            column,
        }),
    }
}

/// Open a file for reading without blocking on a FIFO that appeared after the metadata check
/// (`O_NONBLOCK`; it changes nothing for regular files).
fn open(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Read a regular file of at most `limit` bytes; `too_large` is the code for a larger one.
fn read_regular(
    path: &Path,
    shown: &str,
    limit: u64,
    too_large: &'static str,
) -> Result<Vec<u8>, LoadError> {
    let io = |e: std::io::Error| LoadError::Io {
        path: shown.to_owned(),
        message: e.to_string(),
    };
    let not_a_file = || {
        invalid(
            "not_a_file",
            file_loc(shown),
            "only regular files are read (this is a device, a FIFO, a socket or a directory)",
        )
    };
    let larger = || {
        invalid(
            too_large,
            file_loc(shown),
            format!("file is larger than {limit} bytes"),
        )
    };
    // Refuse before opening: opening a FIFO would block, reading a device would not end.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(not_a_file());
    }
    if meta.len() > limit {
        return Err(larger());
    }
    // And check what was opened, in case the path changed in between; the `take` bounds the
    // read whatever happens to the file meanwhile.
    let file = open(path).map_err(io)?;
    if !file.metadata().map_err(io)?.is_file() {
        return Err(not_a_file());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(larger());
    }
    Ok(bytes)
}

/// Read a bundle file: a regular file of at most [`MAX_BUNDLE_BYTES`] of UTF-8 text.
pub fn read_bundle(path: &Path) -> Result<String, LoadError> {
    let shown = path.display().to_string();
    let bytes = read_regular(path, &shown, MAX_BUNDLE_BYTES as u64, "bundle_too_large")?;
    String::from_utf8(bytes).map_err(|e| LoadError::Json {
        loc: Some(Loc {
            file: shown,
            line: 0,
            column: 0,
        }),
        message: format!(
            "the bundle is not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        ),
    })
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

/// One TOML file of a pack as read: its path as shown, its text and line index, its content and
/// where its declarations are.
struct ParsedFile {
    shown: String,
    text: String,
    lines: Lines,
    data: PackFile,
    locs: locations::FileLocations,
}

/// The state of one load: the pack roots, what has been spent of the limits, the `extends` chain.
struct Loader {
    roots: Vec<PathBuf>,
    bytes: u64,
    entries: usize,
    example_bytes: u64,
    chain: Vec<PathBuf>,
}

/// Load the pack in directory `dir`, merged with the packs it extends.
pub fn load_dir(dir: &Path) -> Result<Pack, LoadError> {
    load_dir_with(dir, &LoadOptions::default())
}

/// Load the pack in directory `dir` with options: the pack roots its paths may lead into. (The
/// expected digest is checked by [`Engine::from_dir_with`](crate::Engine::from_dir_with).)
pub fn load_dir_with(dir: &Path, options: &LoadOptions) -> Result<Pack, LoadError> {
    let io = |path: &Path, e: std::io::Error| LoadError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let canonical = dir.canonicalize().map_err(|e| io(dir, e))?;
    // The default pack root: the directory that holds the pack directory (`rules/`), so an
    // overlay can extend its national pack and nothing else.
    let mut roots = vec![canonical
        .parent()
        .map_or_else(|| canonical.clone(), Path::to_path_buf)];
    for r in &options.pack_roots {
        roots.push(r.canonicalize().map_err(|e| io(r, e))?);
    }
    let mut loader = Loader {
        roots,
        bytes: 0,
        entries: 0,
        example_bytes: 0,
        chain: Vec::new(),
    };
    loader.load(dir, canonical)
}

impl Loader {
    fn inside(&self, real: &Path) -> bool {
        self.roots.iter().any(|r| real.starts_with(r))
    }

    fn outside(&self, what: &str, real: &Path, loc: Option<Loc>) -> LoadError {
        let roots: Vec<String> = self
            .roots
            .iter()
            .map(|r| format!("`{}`", r.display()))
            .collect();
        invalid(
            "path_outside_root",
            loc,
            format!(
                "{what} leads to `{}`, outside the pack root ({}); a caller may allow another root",
                real.display(),
                roots.join(", ")
            ),
        )
    }

    /// Read a file the pack names or holds: a regular file inside a pack root, within the limits.
    /// `named_at` is where the pack names it (an example's `application`), if anywhere.
    fn read(
        &mut self,
        path: &Path,
        shown: &str,
        named_at: Option<Loc>,
    ) -> Result<String, LoadError> {
        let io = |e: std::io::Error| LoadError::Io {
            path: shown.to_owned(),
            message: e.to_string(),
        };
        let at = || file_loc(shown);
        let real = path.canonicalize().map_err(io)?;
        if !self.inside(&real) {
            return Err(self.outside(&format!("`{shown}`"), &real, named_at.or_else(at)));
        }
        let bytes = read_regular(&real, shown, MAX_FILE_BYTES, "file_too_large")?;
        let len = bytes.len() as u64;
        self.bytes += len;
        if self.bytes > MAX_PACK_BYTES {
            return Err(invalid(
                "pack_too_large",
                at(),
                format!(
                    "the files of the pack (and the packs it extends) add up to more than {MAX_PACK_BYTES} bytes"
                ),
            ));
        }
        String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes());
            let (line, column) = line_col(&text, valid);
            invalid(
                "not_utf8",
                Some(Loc {
                    file: shown.to_owned(),
                    line,
                    column,
                }),
                "the file is not UTF-8 text",
            )
        })
    }

    /// Every `*.toml` file under `dir`, in no particular order; hidden entries (`.git`) are
    /// skipped.
    fn toml_files(
        &mut self,
        dir: &Path,
        out: &mut Vec<PathBuf>,
        depth: usize,
    ) -> Result<(), LoadError> {
        let io = |path: &Path, e: std::io::Error| LoadError::Io {
            path: shown(path),
            message: e.to_string(),
        };
        let entries = std::fs::read_dir(dir).map_err(|e| io(dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io(dir, e))?;
            self.entries += 1;
            if self.entries > MAX_PACK_ENTRIES {
                return Err(invalid(
                    "too_many_files",
                    file_loc(&shown(dir)),
                    format!(
                        "more than {MAX_PACK_ENTRIES} files and directories in the pack (and the packs it extends)"
                    ),
                ));
            }
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let mut ty = entry.file_type().map_err(|e| io(&path, e))?;
            if ty.is_symlink() {
                // A link is followed, within the pack roots: to a file (read below, with the
                // same checks) or to a directory (walked like one).
                let real = path.canonicalize().map_err(|e| io(&path, e))?;
                if !self.inside(&real) {
                    let shown = shown(&path);
                    return Err(self.outside(&format!("`{shown}`"), &real, file_loc(&shown)));
                }
                ty = std::fs::metadata(&real)
                    .map_err(|e| io(&path, e))?
                    .file_type();
            }
            if ty.is_dir() {
                if depth >= MAX_DIR_DEPTH {
                    return Err(invalid(
                        "directory_too_deep",
                        file_loc(&shown(&path)),
                        format!(
                            "directory is more than {MAX_DIR_DEPTH} levels below the pack directory; its files would not be read"
                        ),
                    ));
                }
                self.toml_files(&path, out, depth + 1)?;
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
        Ok(())
    }

    /// Read and parse every TOML file of the pack in `dir`, in path order.
    fn parse_files(&mut self, dir: &Path) -> Result<Vec<ParsedFile>, LoadError> {
        let mut files = Vec::new();
        self.toml_files(dir, &mut files, 0)?;
        files.sort();
        let mut parsed = Vec::with_capacity(files.len());
        for path in &files {
            let shown = shown(path);
            let text = self.read(path, &shown, None)?;
            let lines = Lines::new(&text);
            let data: PackFile = toml::from_str(&text).map_err(|e| {
                let loc = e.span().map(|s| {
                    let (line, column) = lines.line_col(&text, s.start);
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
            let locs = locations::locate(&shown, &text, &lines);
            parsed.push(ParsedFile {
                shown,
                text,
                lines,
                data,
                locs,
            });
        }
        Ok(parsed)
    }

    /// Load the pack in `dir` (canonically `canonical`), merged with the packs it extends.
    fn load(&mut self, dir: &Path, canonical: PathBuf) -> Result<Pack, LoadError> {
        self.chain.push(canonical);
        let mut parsed = self.parse_files(dir)?;
        let mut metas = parsed
            .iter_mut()
            .filter_map(|f| f.data.pack.take().map(|m| (m, f)));
        let Some((meta, first)) = metas.next() else {
            return Err(invalid(
                "missing_pack_table",
                None,
                format!(
                    "no `[pack]` table in any file of `{}` (put it in pack.toml)",
                    dir.display()
                ),
            ));
        };
        if let Some((_, second)) = metas.next() {
            return Err(invalid(
                "duplicate_pack_table",
                second.locs.pack.clone().or_else(|| file_loc(&second.shown)),
                "more than one file has a `[pack]` table",
            ));
        }
        drop(metas);
        // Where `[pack]`, its `extends` and each `disable` entry are written, for errors about them.
        let pack_at = first.locs.pack.clone().or_else(|| file_loc(&first.shown));
        let extends_at = first.locs.extends.clone().or_else(|| pack_at.clone());
        let disable_at = std::mem::take(&mut first.locs.disable);
        let mut pack = match &meta.extends {
            Some(base) => {
                let at = extends_at;
                let base_dir = dir.join(base);
                let real = base_dir.canonicalize().map_err(|e| {
                    invalid(
                        "io_error",
                        at.clone(),
                        format!("cannot read `{base}` (named by `extends`): {e}"),
                    )
                })?;
                if !self.inside(&real) {
                    return Err(self.outside(&format!("`extends = \"{base}\"`"), &real, at));
                }
                if self.chain.contains(&real) {
                    return Err(invalid(
                        "extends_cycle",
                        at,
                        format!("`{base}` extends this pack through its bases"),
                    ));
                }
                if self.chain.len() >= MAX_EXTENDS_DEPTH {
                    return Err(invalid(
                        "extends_too_deep",
                        at,
                        format!("more than {MAX_EXTENDS_DEPTH} levels of `extends`"),
                    ));
                }
                let mut base = self.load(&base_dir, real)?;
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
        // Positions of inherited ids, so an overlay replaces in place at the cost of a lookup.
        let inherited_rules = positions(pack.rules.iter().map(|r| &r.id));
        let inherited_decisions = positions(pack.decisions.iter().map(|d| &d.id));
        let inherited_materials = positions(pack.materials.iter().map(|m| &m.id));
        let inherited_tables: HashSet<String> = pack.tables.keys().cloned().collect();
        let inherited_fields: HashSet<String> =
            pack.fields.iter().map(|f| f.path.clone()).collect();
        let inherited_steps = !pack.steps.is_empty();
        // This pack's own declarations by id, with where the first one is: a second is
        // `duplicate_id`.
        let mut own_rules: HashMap<String, Option<Loc>> = HashMap::new();
        let mut own_decisions: HashMap<String, Option<Loc>> = HashMap::new();
        let mut own_fields: HashMap<String, Option<Loc>> = HashMap::new();
        let mut own_materials: HashMap<String, Option<Loc>> = HashMap::new();
        let mut own_tables: HashMap<String, Option<Loc>> = HashMap::new();
        let mut own_examples: HashMap<String, Option<Loc>> = HashMap::new();
        let mut examples = Vec::new();
        let mut omissions = Vec::new();
        let mut form_checks = Vec::new();
        for file in parsed {
            let ParsedFile {
                shown,
                text,
                lines,
                data,
                locs,
            } = file;
            let src = |s| source(&shown, &text, &lines, s);
            for (name, raw) in data.params {
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
            if !data.step.is_empty() {
                if inherited_steps {
                    return Err(invalid(
                        "invalid_step",
                        locs.steps
                            .first()
                            .cloned()
                            .flatten()
                            .or_else(|| file_loc(&shown)),
                        "an extending pack cannot redefine the steps",
                    ));
                }
                for (s, loc) in data.step.iter().zip(&locs.steps) {
                    if let Some(loc) = loc {
                        pack.locs.insert(format!("step {}", s.id), loc.clone());
                    }
                }
                pack.steps.extend(data.step);
            }
            for (i, f) in data.field.into_iter().enumerate() {
                let f = map_field(f, &src);
                let at = locs.fields.get(i).cloned().flatten();
                // A field is declared once, in the base pack or in this one.
                let first = own_fields.get(&f.path).cloned().or_else(|| {
                    inherited_fields
                        .contains(&f.path)
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
            for (id, t) in data.table {
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
                for (n, loc) in locs.table_rows.get(&id).into_iter().flatten().enumerate() {
                    pack.locs
                        .insert(format!("table {id}#{}", n + 1), loc.clone());
                }
                pack.tables.insert(id, t);
            }
            for (i, r) in data.rule.into_iter().enumerate() {
                let r = map_rule(r, &src);
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
                match inherited_rules
                    .get(&r.id)
                    .and_then(|&i| pack.rules.get_mut(i))
                {
                    Some(old) => *old = r,
                    None => pack.rules.push(r),
                }
            }
            for (i, d) in data.decision.into_iter().enumerate() {
                let d = map_decision(d, &src);
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
                match inherited_decisions
                    .get(&d.id)
                    .and_then(|&i| pack.decisions.get_mut(i))
                {
                    Some(old) => *old = d,
                    None => pack.decisions.push(d),
                }
            }
            for (i, e) in data.example.into_iter().enumerate() {
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
            omissions.extend(data.omission);
            for (i, m) in data.material.into_iter().enumerate() {
                let m = map_material(m, &src);
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
                // An overlay relabels an inherited material by declaring it again: it replaces
                // it in place.
                match inherited_materials
                    .get(&m.id)
                    .and_then(|&i| pack.materials.get_mut(i))
                {
                    Some(old) => *old = m,
                    None => pack.materials.push(m),
                }
            }
            if let Some(n) = data.notice {
                let n = map_notice(n, &src);
                let merged = pack.notice.get_or_insert_with(NoticeDef::default);
                if n.title.is_some() {
                    merged.title = n.title;
                }
                if n.steps.is_some() {
                    merged.steps = n.steps;
                }
                // Lines with an id already there replace it in place (found through an index).
                let mut at: HashMap<String, usize> = merged
                    .line
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (l.id.clone(), i))
                    .collect();
                for line in n.line {
                    if let Some(old) = at.get(&line.id).and_then(|&i| merged.line.get_mut(i)) {
                        *old = line;
                    } else {
                        at.insert(line.id.clone(), merged.line.len());
                        merged.line.push(line);
                    }
                }
            }
            form_checks.extend(data.form_check);
        }
        // An overlay may restate an inherited omission (e.g. with a provincial reason); the last
        // statement of an id wins, in its position.
        let last: HashMap<&str, usize> = omissions
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.as_str(), i))
            .collect();
        pack.omissions.retain(|o| !last.contains_key(o.id.as_str()));
        let own: Vec<_> = omissions
            .iter()
            .enumerate()
            .filter(|(i, o)| last.get(o.id.as_str()) == Some(i))
            .map(|(_, o)| o.clone())
            .collect();
        pack.omissions.extend(own);
        // Form checks likewise: the last statement of an id wins.
        let last: HashMap<&str, usize> = form_checks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        pack.form_checks
            .retain(|c| !last.contains_key(c.id.as_str()));
        let own: Vec<_> = form_checks
            .iter()
            .enumerate()
            .filter(|(i, c)| last.get(c.id.as_str()) == Some(i))
            .map(|(_, c)| c.clone())
            .collect();
        pack.form_checks.extend(own);
        if !meta.disable.is_empty() {
            let disabled: HashSet<&str> = meta.disable.iter().map(String::as_str).collect();
            let mut found = HashSet::new();
            pack.rules.retain(|r| {
                let off = disabled.contains(r.id.as_str());
                if off {
                    found.insert(r.id.clone());
                }
                !off
            });
            pack.decisions.retain(|d| {
                let off = disabled.contains(d.id.as_str());
                if off {
                    found.insert(d.id.clone());
                }
                !off
            });
            pack.materials.retain(|m| {
                let off = disabled.contains(m.id.as_str());
                if off {
                    found.insert(m.id.clone());
                }
                !off
            });
            if let Some(id) = meta.disable.iter().find(|id| !found.contains(*id)) {
                return Err(invalid(
                    "unknown_disable",
                    disable_at.get(id).cloned().or(pack_at),
                    format!("`disable` names `{id}`, which no base pack defines"),
                ));
            }
        }
        let inherited = std::mem::take(&mut pack.examples);
        pack.examples = self.resolve_examples(dir, examples, inherited, &pack.locs)?;
        self.chain.pop();
        Ok(pack)
    }
}

/// Where each id is in a list, for replacing an inherited item in place.
fn positions<'a>(ids: impl Iterator<Item = &'a String>) -> HashMap<String, usize> {
    ids.enumerate().map(|(i, id)| (id.clone(), i)).collect()
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

/// The size of a JSON value as compact text, for the example budget.
fn json_size(v: &serde_json::Value) -> u64 {
    serde_json::to_vec(v).map_or(0, |b| b.len() as u64)
}

impl Loader {
    /// Resolve the examples of one pack: read their applications, apply `base`, `remove`, `set`.
    ///
    /// Examples may build on examples declared later. They are resolved in the order the pack
    /// has always given them — by "pass" (an example whose base is declared after it comes one
    /// pass after that base), then declaration order — which is computed in one walk, not by
    /// repeated passes over the examples left (quadratic in a long chain).
    fn resolve_examples(
        &mut self,
        dir: &Path,
        raw: Vec<ExampleDef>,
        mut inherited: Vec<ExampleDef>,
        locs: &Locations,
    ) -> Result<Vec<ExampleDef>, LoadError> {
        // INVARIANT: the loader refused an example name declared twice in this pack.
        let own: HashMap<&str, usize> = raw
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.as_str(), i))
            .collect();
        let base_of = |e: &ExampleDef| match (&e.application, &e.base) {
            (None, Some(b)) => own.get(b.as_str()).copied(),
            _ => None,
        };
        let mut pass: Vec<Option<u32>> = vec![None; raw.len()];
        let mut visiting = vec![false; raw.len()];
        for start in 0..raw.len() {
            let mut stack = vec![start];
            while let Some(&i) = stack.last() {
                if pass.get(i).copied().flatten().is_some() {
                    stack.pop();
                    continue;
                }
                let Some(e) = raw.get(i) else { break };
                // An example without an own base (an application, an inherited base, a restated
                // inherited example) resolves in the first pass.
                let Some(j) = base_of(e) else {
                    if let Some(slot) = pass.get_mut(i) {
                        *slot = Some(1);
                    }
                    stack.pop();
                    continue;
                };
                match pass.get(j).copied().flatten() {
                    Some(p) => {
                        if let Some(slot) = pass.get_mut(i) {
                            *slot = Some(p + u32::from(j > i));
                        }
                        stack.pop();
                    }
                    None if visiting.get(j).copied().unwrap_or(false) => {
                        // The cycle is the stack from `j` on: named from `j`, and pointed at its
                        // `base`.
                        let at = stack.iter().position(|&k| k == j).unwrap_or(0);
                        let names: Vec<&str> = stack
                            .get(at..)
                            .unwrap_or(&[])
                            .iter()
                            .filter_map(|&k| raw.get(k).map(|e| e.name.as_str()))
                            .collect();
                        let first = raw.get(j).map_or("", |e| e.name.as_str());
                        return Err(invalid(
                            "example_cycle",
                            locs.example(first, "base").cloned(),
                            format!(
                                "examples based on each other in a cycle: {}",
                                names.join(", ")
                            ),
                        ));
                    }
                    None => {
                        if let Some(v) = visiting.get_mut(i) {
                            *v = true;
                        }
                        stack.push(j);
                    }
                }
            }
        }
        let mut order: Vec<usize> = (0..raw.len()).collect();
        order.sort_by_key(|&i| (pass.get(i).copied().flatten(), i));
        // Inherited examples are the starting point: an own example may build on one, or
        // replace it.
        let mut done: HashMap<String, (serde_json::Value, Option<u64>)> = inherited
            .iter()
            .filter_map(|e| e.document.clone().map(|d| (e.name.clone(), (d, None))))
            .collect();
        // An example inherits the `params` of its base (its own override them, name by name).
        let mut params_of: HashMap<String, BTreeMap<String, serde_json::Value>> = inherited
            .iter()
            .map(|e| (e.name.clone(), e.params.clone()))
            .collect();
        inherited.retain(|e| !own.contains_key(e.name.as_str()));
        let mut out = inherited;
        out.reserve(raw.len());
        let mut raw: Vec<Option<ExampleDef>> = raw.into_iter().map(Some).collect();
        for i in order {
            let Some(mut e) = raw.get_mut(i).and_then(Option::take) else {
                continue;
            };
            let at = |part: &str| locs.example(&e.name, part).cloned();
            let restated = done
                .get_mut(&e.name)
                .filter(|_| e.application.is_none() && e.base.is_none());
            let is_restatement = restated.is_some();
            let (mut doc, mut size) = match (&e.application, &e.base) {
                (None, None) if restated.is_some() => match restated {
                    Some((d, size)) => {
                        let size = *size.get_or_insert_with(|| json_size(d));
                        (d.clone(), size)
                    }
                    None => (serde_json::Value::Null, 0),
                },
                (Some(app), None) => {
                    let path = dir.join(app);
                    let file = shown(&path);
                    let text = self.read(&path, &file, at("application"))?;
                    let doc = serde_json::from_str(&text).map_err(|err| LoadError::Json {
                        loc: Some(Loc {
                            file,
                            line: u32::try_from(err.line()).unwrap_or(0),
                            column: u32::try_from(err.column()).unwrap_or(0),
                        }),
                        message: err.to_string(),
                    })?;
                    (doc, text.len() as u64)
                }
                (None, Some(base)) => {
                    if let Some((d, size)) = done.get_mut(base) {
                        let size = *size.get_or_insert_with(|| json_size(d));
                        (d.clone(), size)
                    } else {
                        // Known: those resolved, and those not yet.
                        let pending = raw.iter().flatten().map(|x| x.name.as_str());
                        let known = done.keys().map(String::as_str).chain(pending);
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
                }
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
                size += json_size(value);
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
            // Every example holds its own copy of its document: bound what they add up to.
            self.example_bytes += size;
            if self.example_bytes > MAX_EXAMPLE_BYTES {
                return Err(invalid(
                    "pack_too_large",
                    locs.of("example", &e.name).cloned(),
                    format!("the example documents add up to more than {MAX_EXAMPLE_BYTES} bytes"),
                ));
            }
            done.insert(e.name.clone(), (doc.clone(), Some(size)));
            e.document = Some(doc);
            out.push(e);
        }
        Ok(out)
    }
}
