//! `baokao`: the command line over the engine — check applications, compare two packs, run a
//! pack's examples, lint, bundle, and export the application schema.
//!
//! Exit codes: 0 every application valid and eligible (or the command succeeded; `diff`: no
//! change), 1 some application not — a `conditional` candidate, who still has something due,
//! included — (or a test/lint failure; `diff`: something changed), 2 a usage or load error. A
//! closed pipe (`baokao schema … | head`) ends the command quietly with 141, as a process killed
//! by `SIGPIPE` does.

mod input;

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use baokao::diff::{self, ApplicationsDiff};
use baokao::testing;
use baokao::{Engine, Lang, LoadOptions, Options, Outcome, Report};

use input::{Decoding, Problem};

const USAGE: &str = "\
baokao — exam registration and eligibility rules engine

usage:
  baokao check --pack <dir|bundle> [options] <file|->...   validate applications
  baokao explain --pack <dir|bundle> [options] <file|->    validate with a trace of every rule
  baokao diff <old> <new> [--apps <file|->...]             what changed between two packs, and whom it affects
  baokao test <pack>                                        run the pack's example applications
  baokao lint <pack>                                        decision tables and unused parameters
  baokao notice --pack <dir|bundle> [-o FILE] <file|->      the printable registration success notice
  baokao form --pack <dir|bundle> [--state <file|->]       the form, and what an application makes of it
  baokao bundle <pack> [-o FILE]                            the pack as one JSON document
  baokao schema <pack>                                      the application format as JSON Schema
  baokao doc <pack> [-o FILE | --check FILE]                the rule catalogue (Markdown)

`baokao <command> --help` says more about each.

options of every command that loads a pack:
  --expect-digest sha256:HEX   refuse the pack unless its content digest is this one (pinning;
                               not with diff, which loads two)
  --pack-root DIR              also let `extends` and example applications lead into DIR
                               (by default they stay inside the directory that holds the pack)

exit codes: 0 all valid and eligible, 1 some not (conditional included: something is still due),
  or test/lint failures, or (diff) a change, 2 usage or load error";

const CHECK_HELP: &str = "\
usage: baokao check --pack <dir|bundle> [--lang TAG] [--format text|json] [--step STEP]
                    [--explain] [--encoding LABEL] <file|->...

Validate applications: a .json file holds one, a .jsonl/.ndjson file one per line; `-` reads
stdin (one document, or JSON Lines). A record that cannot be read (not in the encoding, not JSON,
over 1 MiB) is that record's error, and the others are still checked.

  --pack PATH        the rule pack: a directory or a bundle file
  --lang TAG         language of messages: a tag starting with zh or en (zh, zh-CN, en-US …); default zh
  --format FORMAT    text (default) or json: one report per line
  --step STEP        judge only what this step of the form can know
  --explain          add the trace of every rule and decision
  --encoding LABEL   encoding of the inputs: utf-8 (default; a byte order mark is skipped), gb18030,
                     gbk, big5 … (WHATWG labels; any encoding whose newline is the byte \\n)

exit codes: 0 all valid and eligible, 1 some not (conditional included: something is still due)
  or unreadable, 2 usage or load error";

const EXPLAIN_HELP: &str = "\
usage: baokao explain --pack <dir|bundle> [--lang TAG] [--format text|json] [--step STEP]
                      [--encoding LABEL] <file|->...

As `check`, with the trace of every rule and decision and the values they saw.";

const DIFF_HELP: &str = "\
usage: baokao diff <old> <new> [--apps <file|->...] [--format text|json] [--lang TAG]
                   [--encoding LABEL]

What changed between two packs (directories or bundles), as a reviewer reads it: the pack's
identity, parameters (old -> new value, with source and confidence), steps, fields, tables (rows by
key), rules (when, check, effect, message, citation …), decisions (row by row), materials, omissions
and form checks — each item added (+), removed (-), changed (~) or moved (>).

  --apps FILE...     also judge these applications (.json, .jsonl/.ndjson, - for stdin) with both
                     packs and list every one whose report changes: validity, outcome, route, rules
                     that newly fire or stop firing, materials, due dates; with counts by kind.
                     CSV and Excel exports: `python -m baokao diff`, which reads them by the schema
  --format FORMAT    text (default) or json (docs/diff.md)
  --lang TAG         language of the reports compared (messages); default zh
  --encoding LABEL   encoding of the applications, as for `check`

exit codes: 0 no change, 1 something changed, 2 usage or load error";

const TEST_HELP: &str = "\
usage: baokao test <pack> [--allow-uncovered] [--write-vectors FILE]
                   [--write-mutations FILE [--mutations N] [--seed S]]

Run the pack's example applications; fails on a failed example or an unexercised rule, decision
row or material. Each failure is located `file:line:column` at the example.
  --allow-uncovered        do not fail on unexercised rules
  --write-vectors FILE     write each example with its zh and en reports as JSON Lines (the
                           conformance vectors the Python and WebAssembly bindings are checked against)
  --write-mutations FILE   write N (default 2000) seeded mutations of the examples with their
                           reports, the same kind of vectors, and fail on any report that breaks the
                           report contract";

const LINT_HELP: &str = "\
usage: baokao lint <pack>

Decision tables with unreachable, overlapping or missing rows; unused parameters and tables. Each
finding is located `file:line:column`. Exit 1 when there is a warning.";

const NOTICE_HELP: &str = "\
usage: baokao notice --pack <dir|bundle> [--lang TAG] [-o FILE] <file|->

The printable registration success notice (报名成功通知单) of one application, as an A4 HTML page
(stdout without -o). Refused (exit 1, code notice_refused) for an invalid, ineligible or
undetermined application.";

const FORM_HELP: &str = "\
usage: baokao form --pack <dir|bundle> [--lang TAG] [--state <file|->]

The form as the pack describes it (steps, fields, labels, options, checks, derived fields) as JSON;
with --state, what an application makes of it: the fields required now and the values of derived
fields (docs/form.md).";

const BUNDLE_HELP: &str = "\
usage: baokao bundle <pack> [-o FILE] [--with-examples]

Write the merged pack as one JSON document with a content digest (stdout without -o).";

const SCHEMA_HELP: &str = "\
usage: baokao schema <pack>

Print the application format as JSON Schema (draft 2020-12).";

const DOC_HELP: &str = "\
usage: baokao doc <pack> [-o FILE | --check FILE]

The rule catalogue (Markdown) for reviewers; --check exits 1 if FILE is not up to date.";

/// The help text of a command.
fn help_of(command: &str) -> Option<&'static str> {
    Some(match command {
        "check" => CHECK_HELP,
        "explain" => EXPLAIN_HELP,
        "diff" => DIFF_HELP,
        "test" => TEST_HELP,
        "lint" => LINT_HELP,
        "notice" => NOTICE_HELP,
        "form" => FORM_HELP,
        "bundle" => BUNDLE_HELP,
        "schema" => SCHEMA_HELP,
        "doc" => DOC_HELP,
        _ => return None,
    })
}

/// Exit status of a command ended by a closed pipe, as of a process killed by `SIGPIPE`.
const CLOSED_PIPE: u8 = 141;

/// Why a command ends early.
enum Fatal {
    /// The command line is wrong: one line on stderr, exit 2.
    Usage(String),
    /// The command could not do its job (a pack that does not load, a file that cannot be read).
    Failed(String),
    /// Whoever read the output has gone (`| head`): end quietly.
    Pipe,
}

impl From<std::io::Error> for Fatal {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Fatal::Pipe
        } else {
            Fatal::Failed(format!("cannot write the output: {e}"))
        }
    }
}

impl From<serde_json::Error> for Fatal {
    fn from(e: serde_json::Error) -> Self {
        match e.io_error_kind() {
            Some(std::io::ErrorKind::BrokenPipe) => Fatal::Pipe,
            _ => Fatal::Failed(format!("cannot write the output: {e}")),
        }
    }
}

/// A line on stderr; a closed stderr is no reason to fail.
macro_rules! note {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(Fatal::Usage(message)) => {
            let command = args.first().filter(|c| help_of(c).is_some());
            let more = command.map_or_else(
                || "see `baokao --help`".to_owned(),
                |c| format!("see `baokao {c} --help`"),
            );
            note!("baokao: {message} ({more})");
            ExitCode::from(2)
        }
        Err(Fatal::Failed(message)) => {
            note!("baokao: {message}");
            ExitCode::from(2)
        }
        Err(Fatal::Pipe) => ExitCode::from(CLOSED_PIPE),
    }
}

fn usage(message: impl Into<String>) -> Fatal {
    Fatal::Usage(message.into())
}

fn value<'a>(args: &'a [String], i: &mut usize, flag: &str) -> Result<&'a str, Fatal> {
    *i += 1;
    args.get(*i)
        .map(String::as_str)
        .ok_or_else(|| usage(format!("`{flag}` needs a value")))
}

fn lang(tag: &str) -> Result<Lang, Fatal> {
    Lang::parse(tag).ok_or_else(|| usage(format!("unknown language `{tag}`: {}", Lang::EXPECTED)))
}

fn json_format(format: &str) -> Result<bool, Fatal> {
    match format {
        "json" => Ok(true),
        "text" => Ok(false),
        other => Err(usage(format!("unknown format `{other}` (text or json)"))),
    }
}

/// Parsed flags of `check`/`explain`.
struct CheckArgs {
    pack: String,
    options: Options,
    json: bool,
    decoding: Decoding,
    inputs: Vec<String>,
}

fn parse_check(args: &[String], explain: bool) -> Result<CheckArgs, Fatal> {
    let mut pack = None;
    let mut options = Options::default().with_explain(explain);
    let mut json = false;
    let mut decoding = Decoding::Utf8;
    let mut inputs = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args.get(i).map_or("", String::as_str);
        match a {
            "--pack" => pack = Some(value(args, &mut i, a)?.to_owned()),
            "--lang" => options.lang = lang(value(args, &mut i, a)?)?,
            "--format" => json = json_format(value(args, &mut i, a)?)?,
            "--step" => options.step = Some(value(args, &mut i, a)?.to_owned()),
            "--explain" => options.explain = true,
            "--encoding" => decoding = Decoding::parse(value(args, &mut i, a)?).map_err(usage)?,
            "-" => inputs.push(a.to_owned()),
            flag if flag.starts_with('-') => return Err(usage(format!("unknown option `{flag}`"))),
            file => inputs.push(file.to_owned()),
        }
        i += 1;
    }
    let pack = pack.ok_or_else(|| usage("`--pack` is required"))?;
    if inputs.is_empty() {
        return Err(usage("no application given (a file, or `-` for stdin)"));
    }
    Ok(CheckArgs {
        pack,
        options,
        json,
        decoding,
        inputs,
    })
}

/// Take the options of loading a pack (`--expect-digest`, `--pack-root`) out of `args`.
fn load_options(args: &[String]) -> Result<(LoadOptions, Vec<String>), Fatal> {
    let mut options = LoadOptions::default();
    let mut rest = Vec::with_capacity(args.len());
    let mut i = 0;
    while i < args.len() {
        match args.get(i).map(String::as_str) {
            Some(flag @ "--expect-digest") => {
                options = options.with_digest(value(args, &mut i, flag)?);
            }
            Some(flag @ "--pack-root") => {
                options = options.with_pack_root(value(args, &mut i, flag)?);
            }
            Some(a) => rest.push(a.to_owned()),
            None => {}
        }
        i += 1;
    }
    Ok((options, rest))
}

fn load(pack: &str, options: &LoadOptions) -> Result<Engine, Fatal> {
    Engine::from_path_with(pack, options)
        .map_err(|e| Fatal::Failed(format!("cannot load pack `{pack}` [{}]: {e}", e.code())))
}

fn run(args: &[String]) -> Result<u8, Fatal> {
    let Some(command) = args.first() else {
        note!("{USAGE}");
        return Ok(2);
    };
    let (options, rest) = load_options(args.get(1..).unwrap_or(&[]))?;
    let (rest, o) = (rest.as_slice(), &options);
    // `--help` anywhere after a command asks for that command's help, before anything is checked.
    if let Some(help) = help_of(command) {
        if rest.iter().any(|a| a == "--help" || a == "-h") {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{help}")?;
            return Ok(0);
        }
    }
    match command.as_str() {
        "check" => check(&parse_check(rest, false)?, o),
        "explain" => check(&parse_check(rest, true)?, o),
        "diff" => diff_cmd(rest, o),
        "test" => test(rest, o),
        "lint" => lint_cmd(rest, o),
        "bundle" => bundle(rest, o),
        "notice" => notice(rest, o),
        "form" => form(rest, o),
        "schema" => schema(rest, o),
        "doc" => doc(rest, o),
        "help" | "--help" | "-h" => {
            let text = rest.first().and_then(|c| help_of(c)).unwrap_or(USAGE);
            let mut out = std::io::stdout().lock();
            writeln!(out, "{text}")?;
            Ok(0)
        }
        "--version" | "-V" => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "baokao {}", env!("CARGO_PKG_VERSION"))?;
            Ok(0)
        }
        other => Err(usage(format!("unknown command `{other}`"))),
    }
}

/// Counts for the summary line.
#[derive(Default)]
struct Tally {
    total: usize,
    ok: usize,
    invalid: usize,
    errors: usize,
    outcomes: [usize; 5],
}

impl Tally {
    fn add(&mut self, r: &Report) {
        self.total += 1;
        if r.is_ok() {
            self.ok += 1;
        }
        if !r.valid {
            self.invalid += 1;
        }
        let i = match r.eligibility.outcome {
            Outcome::Eligible => 0,
            Outcome::Conditional => 1,
            Outcome::Ineligible => 2,
            Outcome::NeedsReview => 3,
            Outcome::Undetermined => 4,
        };
        if let Some(n) = self.outcomes.get_mut(i) {
            *n += 1;
        }
    }

    fn summary(&self) -> String {
        let [e, c, i, r, u] = self.outcomes;
        format!(
            "checked {} application(s): {} ok, {} invalid, {} error(s); eligible {e}, conditional {c}, ineligible {i}, needs_review {r}, undetermined {u}",
            self.total + self.errors,
            self.ok,
            self.invalid,
            self.errors
        )
    }
}

struct Output<W: Write> {
    out: W,
    json: bool,
    tally: Tally,
    progress: bool,
}

impl<W: Write> Output<W> {
    fn emit(&mut self, label: &str, result: Result<Report, Problem>) -> Result<(), Fatal> {
        match result {
            Ok(report) => {
                self.tally.add(&report);
                if self.json {
                    serde_json::to_writer(&mut self.out, &report)?;
                    writeln!(self.out)?;
                } else {
                    writeln!(self.out, "== {label}")?;
                    write!(self.out, "{}", report.to_text())?;
                    for t in report.trace.iter().flatten() {
                        let row = t.row.map(|r| format!(" row {r}")).unwrap_or_default();
                        writeln!(self.out, "  trace   {:<10} {}{row}", t.rule, t.result)?;
                        for v in &t.values {
                            writeln!(self.out, "            {} = {}", v.expr, v.value)?;
                        }
                    }
                }
            }
            Err(e) => {
                self.tally.errors += 1;
                if self.json {
                    let err = serde_json::json!({"error": {"code": e.code, "message": e.message, "path": "", "input": label}});
                    writeln!(self.out, "{err}")?;
                } else {
                    writeln!(self.out, "== {label}\n  error   {} {}", e.code, e.message)?;
                }
            }
        }
        if self.progress && (self.tally.total + self.tally.errors) % 1000 == 0 {
            let _ = write!(
                std::io::stderr(),
                "\r{} checked",
                self.tally.total + self.tally.errors
            );
        }
        Ok(())
    }
}

fn check(a: &CheckArgs, load_options: &LoadOptions) -> Result<u8, Fatal> {
    let engine = load(&a.pack, load_options)?;
    let stdout = std::io::stdout();
    let mut out = Output {
        out: BufWriter::new(stdout.lock()),
        json: a.json,
        tally: Tally::default(),
        progress: std::io::stderr().is_terminal(),
    };
    input::each_record(&a.inputs, &a.decoding, &mut |label, doc| {
        let result = doc.and_then(|d| engine.run(&d, &a.options).map_err(Problem::from));
        out.emit(label, result)
    })?;
    out.out.flush()?;
    if out.progress && out.tally.total + out.tally.errors >= 1000 {
        note!();
    }
    note!("{}", out.tally.summary());
    Ok(u8::from(
        out.tally.ok != out.tally.total || out.tally.errors > 0,
    ))
}

fn diff_cmd(args: &[String], load_options: &LoadOptions) -> Result<u8, Fatal> {
    if load_options.digest.is_some() {
        return Err(usage(
            "`--expect-digest` pins one pack, and `diff` compares two (pin them with `check`)",
        ));
    }
    let mut packs = Vec::new();
    let mut apps = None::<Vec<String>>;
    let mut json = false;
    let mut options = Options::default();
    let mut decoding = Decoding::Utf8;
    let mut i = 0;
    while i < args.len() {
        let a = args.get(i).map_or("", String::as_str);
        match a {
            "--apps" => {
                apps.get_or_insert_with(Vec::new);
            }
            "--format" => json = json_format(value(args, &mut i, a)?)?,
            "--lang" => options.lang = lang(value(args, &mut i, a)?)?,
            "--encoding" => decoding = Decoding::parse(value(args, &mut i, a)?).map_err(usage)?,
            "-" if apps.is_some() => apps.get_or_insert_with(Vec::new).push(a.to_owned()),
            flag if flag.starts_with('-') => return Err(usage(format!("unknown option `{flag}`"))),
            file => match &mut apps {
                Some(list) => list.push(file.to_owned()),
                None => packs.push(file.to_owned()),
            },
        }
        i += 1;
    }
    let [old, new] = packs.as_slice() else {
        return Err(usage(format!(
            "give two packs, the old and the new (got {})",
            packs.len()
        )));
    };
    if apps.as_ref().is_some_and(Vec::is_empty) {
        return Err(usage("`--apps` needs at least one file (or `-` for stdin)"));
    }
    for file in apps.iter().flatten() {
        if input::is_table(file) {
            return Err(usage(format!(
                "`{file}`: CSV and Excel exports are read by `python -m baokao diff`, which types their cells by the pack's schema"
            )));
        }
    }
    let (old_engine, new_engine) = (load(old, load_options)?, load(new, load_options)?);
    let mut result = diff::diff(&old_engine, &new_engine);
    if let Some(files) = &apps {
        let mut compared = ApplicationsDiff::default();
        input::each_record(files, &decoding, &mut |label, doc| {
            match doc {
                Ok(d) => compared.compare(&old_engine, &new_engine, Some(label), &d, &options),
                Err(p) => compared.unreadable(Some(label), &p.code, &p.message),
            }
            Ok(())
        })?;
        result = result.with_applications(compared);
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer(&mut out, &result)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", result.to_text())?;
    }
    out.flush()?;
    Ok(u8::from(result.changed))
}

fn one_pack(args: &[String], flags: &[&str]) -> Result<(String, Vec<String>), Fatal> {
    let mut pack = None;
    let mut seen = Vec::new();
    for a in args {
        if flags.contains(&a.as_str()) {
            seen.push(a.clone());
        } else if a.starts_with('-') {
            return Err(usage(format!("unknown option `{a}`")));
        } else if pack.replace(a.clone()).is_some() {
            return Err(usage("give one pack"));
        }
    }
    Ok((
        pack.ok_or_else(|| usage("a pack directory is required"))?,
        seen,
    ))
}

fn test(args: &[String], load_options: &LoadOptions) -> Result<u8, Fatal> {
    let mut vectors = None;
    let mut mutations = None;
    let mut count = 2000usize;
    let mut seed = 20_240_122u64;
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args.get(i).map(String::as_str) {
            Some("--write-vectors") => {
                vectors = Some(value(args, &mut i, "--write-vectors")?.to_owned());
            }
            Some("--write-mutations") => {
                mutations = Some(value(args, &mut i, "--write-mutations")?.to_owned());
            }
            Some("--mutations") => {
                let v = value(args, &mut i, "--mutations")?;
                count = v
                    .parse()
                    .map_err(|_| usage(format!("`--mutations` needs a number, not `{v}`")))?;
            }
            Some("--seed") => {
                let v = value(args, &mut i, "--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| usage(format!("`--seed` needs a number, not `{v}`")))?;
            }
            Some(a) => rest.push(a.to_owned()),
            None => {}
        }
        i += 1;
    }
    let (pack, flags) = one_pack(&rest, &["--allow-uncovered"])?;
    let engine = load(&pack, load_options)?;
    if let Some(path) = vectors {
        write_vectors(&engine, &path)?;
    }
    if let Some(path) = mutations {
        // Seeded mutations of the examples: the cross-runtime vectors, and the report contract.
        let inputs = testing::mutations::generate(&engine, seed, count);
        let (lines, violations) = testing::mutations::judge(&engine, &inputs);
        write_lines(&path, &lines)?;
        note!(
            "wrote {} mutated applications (seed {seed}) to {path}",
            lines.len()
        );
        if !violations.is_empty() {
            let mut out = BufWriter::new(std::io::stdout().lock());
            for v in violations.iter().take(50) {
                writeln!(out, "CONTRACT {v}")?;
            }
            writeln!(out, "{} report contract violation(s)", violations.len())?;
            out.flush()?;
            return Ok(1);
        }
    }
    let run = testing::run_examples(&engine);
    let mut out = BufWriter::new(std::io::stdout().lock());
    // One line per problem, `file:line:column: …` first, as compilers write them: editors and CI
    // annotations jump to the example.
    for r in &run.results {
        for f in &r.failures {
            writeln!(out, "{}FAIL example `{}`: {f}", at(r.loc.as_ref()), r.name)?;
        }
    }
    let rules = engine.pack().rules.len();
    let rows: usize = engine.pack().decisions.iter().map(|d| d.rows.len()).sum();
    writeln!(
        out,
        "{} rules, {} decisions ({rows} rows), {} examples",
        rules,
        engine.pack().decisions.len(),
        run.results.len()
    )?;
    let locs = &engine.pack().locs;
    for (label, list) in [
        ("never fired", &run.never_fired),
        ("never passed", &run.never_passed),
        ("decision row never hit", &run.rows_never_hit),
        ("material never listed", &run.materials_never_listed),
    ] {
        for id in list {
            let loc = locs
                .of("rule", id)
                .or_else(|| locs.of("decision", id))
                .or_else(|| locs.of("material", id))
                .or_else(|| row_of(engine.pack(), id).and_then(|r| locs.get(&r)));
            writeln!(out, "{}unexercised ({label}): `{id}`", at(loc))?;
        }
    }
    if run.never_fired.is_empty()
        && run.never_passed.is_empty()
        && run.rows_never_hit.is_empty()
        && run.materials_never_listed.is_empty()
    {
        writeln!(
            out,
            "coverage: every rule fired and passed, every decision row hit, every material listed"
        )?;
    }
    writeln!(out, "{} passed, {} failed", run.passed(), run.failed())?;
    out.flush()?;
    let uncovered_ok = flags.iter().any(|f| f == "--allow-uncovered");
    Ok(u8::from(
        run.failed() > 0 || (!uncovered_ok && !run.is_complete()),
    ))
}

/// Write JSON values, one per line.
fn write_lines(path: &str, lines: &[serde_json::Value]) -> Result<(), Fatal> {
    let cannot = |e: std::io::Error| Fatal::Failed(format!("cannot write `{path}`: {e}"));
    if let Some(parent) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(parent).map_err(cannot)?;
    }
    let mut out = BufWriter::new(std::fs::File::create(path).map_err(cannot)?);
    for line in lines {
        writeln!(out, "{line}").map_err(cannot)?;
    }
    out.flush().map_err(cannot)
}

/// `file:line:column: ` of a pack location (nothing without one), as compilers start a message.
fn at(loc: Option<&baokao::model::Loc>) -> String {
    loc.map(|l| format!("{l}: ")).unwrap_or_default()
}

/// The decision row (`decision route#3`, or `#default`) whose `rule` is `id`, for a row's effect
/// that no example made fire.
fn row_of(pack: &baokao::Pack, id: &str) -> Option<String> {
    pack.decisions.iter().find_map(|d| {
        let numbered = d
            .rows
            .iter()
            .enumerate()
            .map(|(n, r)| (format!("{}", n + 1), r));
        numbered
            .chain(d.default.iter().map(|r| ("default".to_owned(), r)))
            .find(|(_, r)| r.rule.as_deref() == Some(id))
            .map(|(n, _)| format!("decision {}#{n}", d.id))
    })
}

/// Write every example with its reports in both languages, one JSON object per line.
fn write_vectors(engine: &Engine, path: &str) -> Result<(), Fatal> {
    let cannot = |e: std::io::Error| Fatal::Failed(format!("cannot write `{path}`: {e}"));
    if let Some(parent) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(parent).map_err(cannot)?;
    }
    let mut out = BufWriter::new(std::fs::File::create(path).map_err(cannot)?);
    for e in &engine.pack().examples {
        // An example with its own `params` is judged by a variant of the pack, not the one the
        // bindings load: it is no conformance vector.
        let (Some(doc), true) = (&e.document, e.params.is_empty()) else {
            continue;
        };
        let mut reports = serde_json::Map::new();
        for (name, lang) in [("zh", Lang::Zh), ("en", Lang::En)] {
            let mut options = Options::default().with_lang(lang);
            options.step.clone_from(&e.step);
            let report = engine
                .run(doc, &options)
                .map_err(|err| Fatal::Failed(format!("example `{}`: {err}", e.name)))?;
            let value = serde_json::to_value(&report)
                .map_err(|err| Fatal::Failed(format!("example `{}`: {err}", e.name)))?;
            reports.insert(name.to_owned(), value);
        }
        let line = serde_json::json!({"name": e.name, "step": e.step, "document": doc, "reports": reports});
        writeln!(out, "{line}").map_err(cannot)?;
    }
    out.flush().map_err(cannot)?;
    note!("wrote conformance vectors to {path}");
    Ok(())
}

fn lint_cmd(args: &[String], load_options: &LoadOptions) -> Result<u8, Fatal> {
    let (pack, _) = one_pack(args, &[])?;
    let engine = load(&pack, load_options)?;
    let found = engine.lint();
    let mut warnings = 0;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for l in &found {
        let warning = matches!(l.code, "unreachable_row" | "missing_rows");
        warnings += usize::from(warning);
        writeln!(
            out,
            "{}{}: {}: {} [{}]",
            at(l.loc.as_ref()),
            if warning { "warning" } else { "info" },
            l.item,
            l.message,
            l.code
        )?;
    }
    writeln!(out, "{} finding(s), {warnings} warning(s)", found.len())?;
    out.flush()?;
    Ok(u8::from(warnings > 0))
}

/// `baokao notice`: render one application's success notice.
fn notice(args: &[String], load_options: &LoadOptions) -> Result<u8, Fatal> {
    let mut pack = None;
    let mut lang_of = Lang::Zh;
    let mut out_file = None;
    let mut input = None;
    let mut i = 0;
    while i < args.len() {
        let a = args.get(i).map_or("", String::as_str);
        match a {
            "--pack" => pack = Some(value(args, &mut i, a)?.to_owned()),
            "--lang" => lang_of = lang(value(args, &mut i, a)?)?,
            "-o" | "--output" => out_file = Some(value(args, &mut i, a)?.to_owned()),
            flag if flag.starts_with('-') && flag != "-" => {
                return Err(usage(format!("unknown option `{flag}`")))
            }
            file if input.is_none() => input = Some(file.to_owned()),
            _ => return Err(usage("`notice` takes one application")),
        }
        i += 1;
    }
    let pack = pack.ok_or_else(|| usage("`--pack` is required"))?;
    let input = input.ok_or_else(|| usage("no application given (a file, or `-` for stdin)"))?;
    let engine = load(&pack, load_options)?;
    let bytes = read_document(&input)?;
    let html = baokao::parse_application_bytes(&bytes)
        .map_err(baokao::Error::from)
        .and_then(|doc| engine.notice(&doc, lang_of));
    let html = match html {
        Ok(h) => h,
        Err(e @ baokao::Error::Application(baokao::ApplicationError::NoticeRefused { .. })) => {
            note!("baokao: {input}: [{}] {e}", e.code());
            return Ok(1);
        }
        Err(e) => return Err(Fatal::Failed(format!("{input}: [{}] {e}", e.code()))),
    };
    write_out(out_file.as_deref(), &html)?;
    if let Some(f) = out_file {
        note!("wrote {f} ({} bytes)", html.len());
    }
    Ok(0)
}

/// Write `text` to `file`, or to stdout without one.
fn write_out(file: Option<&str>, text: &str) -> Result<(), Fatal> {
    let Some(f) = file else {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        return Ok(());
    };
    let cannot = |e: std::io::Error| Fatal::Failed(format!("cannot write `{f}`: {e}"));
    if let Some(parent) = std::path::Path::new(f).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(cannot)?;
        }
    }
    std::fs::write(f, text.as_bytes()).map_err(cannot)
}

/// One application's bytes from a file or stdin (`-`), read at most a few bytes beyond the
/// largest document (and a byte order mark): the core refuses larger ones with its own code.
fn read_document(input: &str) -> Result<Vec<u8>, Fatal> {
    use std::io::Read;
    let limit = u64::try_from(baokao::MAX_DOCUMENT_BYTES + 4).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    let read = if input == "-" {
        std::io::stdin().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(input).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| Fatal::Failed(format!("cannot read `{input}`: {e}")))?;
    Ok(bytes)
}

/// `baokao form`: the form description, or with `--state` what an application makes of it.
fn form(args: &[String], load_options: &LoadOptions) -> Result<u8, Fatal> {
    let mut pack = None;
    let mut lang_of = Lang::Zh;
    let mut state = None;
    let mut i = 0;
    while i < args.len() {
        let a = args.get(i).map_or("", String::as_str);
        match a {
            "--pack" => pack = Some(value(args, &mut i, a)?.to_owned()),
            "--lang" => lang_of = lang(value(args, &mut i, a)?)?,
            "--state" => state = Some(value(args, &mut i, a)?.to_owned()),
            other => return Err(usage(format!("unknown argument `{other}`"))),
        }
        i += 1;
    }
    let pack = pack.ok_or_else(|| usage("`--pack` is required"))?;
    let engine = load(&pack, load_options)?;
    let Some(input) = state else {
        write_out(
            None,
            &(serde_json::to_string(&engine.form(lang_of))? + "\n"),
        )?;
        return Ok(0);
    };
    let bytes = read_document(&input)?;
    let found = baokao::parse_application_bytes(&bytes)
        .map_err(baokao::Error::from)
        .and_then(|doc| engine.form_state(&doc))
        .map_err(|e| Fatal::Failed(format!("{input}: [{}] {e}", e.code())))?;
    write_out(None, &(serde_json::to_string(&found)? + "\n"))?;
    Ok(0)
}

fn bundle(args: &[String], load_options: &LoadOptions) -> Result<u8, Fatal> {
    let mut out_file = None;
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args.get(i).map(String::as_str) {
            Some("-o" | "--output") => out_file = Some(value(args, &mut i, "-o")?.to_owned()),
            Some(a) => rest.push(a.to_owned()),
            None => {}
        }
        i += 1;
    }
    let (pack, flags) = one_pack(&rest, &["--with-examples"])?;
    let engine = load(&pack, load_options)?;
    let bundle = engine.bundle(flags.iter().any(|f| f == "--with-examples"));
    let json = bundle.to_json();
    match out_file {
        Some(f) => {
            write_out(Some(&f), &json)?;
            note!("wrote {f} ({} bytes, {})", json.len(), bundle.digest);
        }
        None => write_out(None, &format!("{json}\n"))?,
    }
    Ok(0)
}

fn doc(args: &[String], load_options: &LoadOptions) -> Result<u8, Fatal> {
    let mut out_file = None;
    let mut check_file = None;
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args.get(i).map(String::as_str) {
            Some("-o" | "--output") => out_file = Some(value(args, &mut i, "-o")?.to_owned()),
            Some("--check") => check_file = Some(value(args, &mut i, "--check")?.to_owned()),
            Some(a) => rest.push(a.to_owned()),
            None => {}
        }
        i += 1;
    }
    let (pack, _) = one_pack(&rest, &[])?;
    let engine = load(&pack, load_options)?;
    let run = testing::run_examples(&engine);
    let page = testing::catalogue(&engine, &run);
    if let Some(f) = check_file {
        let current = std::fs::read_to_string(&f).unwrap_or_default();
        let (message, status) = if current == page {
            (format!("{f} is up to date"), 0)
        } else {
            (
                format!("{f} is out of date: run `baokao doc {pack} -o {f}`"),
                1,
            )
        };
        write_out(None, &format!("{message}\n"))?;
        return Ok(status);
    }
    write_out(out_file.as_deref(), &page)?;
    if let Some(f) = out_file {
        note!("wrote {f}");
    }
    Ok(0)
}

fn schema(args: &[String], load_options: &LoadOptions) -> Result<u8, Fatal> {
    let (pack, _) = one_pack(args, &[])?;
    let engine = load(&pack, load_options)?;
    let schema = engine.json_schema();
    let text = serde_json::to_string_pretty(&schema)
        .map_err(|e| Fatal::Failed(format!("cannot write the schema: {e}")))?;
    write_out(None, &format!("{text}\n"))?;
    Ok(0)
}
