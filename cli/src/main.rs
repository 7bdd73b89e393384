//! `baokao`: the command line over the engine — check applications, run a pack's examples, lint,
//! bundle, and export the application schema.
//!
//! Exit codes: 0 every application valid and eligible (or the command succeeded), 1 some
//! application not — a `conditional` candidate, who still has something due, included — (or a
//! test/lint failure), 2 a usage or load error.

use std::io::{BufRead, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;

use baokao::lint;
use baokao::testing;
use baokao::{Engine, Lang, Options, Outcome, Report};

const USAGE: &str = "\
baokao — exam registration and eligibility rules engine

usage:
  baokao check --pack <dir|bundle> [--lang zh|en] [--format text|json] [--step STEP] [--explain] <file|->...
      validate applications: a .json file holds one, a .jsonl/.ndjson file one per line; `-` reads stdin
      (one document, or JSON Lines); a record that cannot be read (not UTF-8, not JSON, over 1 MiB)
      is that record's error, and the others are still checked
  baokao explain --pack <dir|bundle> [--lang zh|en] [--format text|json] <file|->
      validate with a trace of every rule and decision and the values they saw
  baokao test <pack> [--allow-uncovered] [--write-vectors FILE] [--write-mutations FILE [--mutations N] [--seed S]]
      run the pack's example applications; fails on a failed example or an unexercised rule;
      --write-vectors writes each example with its zh and en reports as JSON Lines (the
      conformance vectors the Python and WebAssembly bindings are checked against);
      --write-mutations writes N (default 2000) seeded mutations of the examples with their
      reports, the same kind of vectors, and fails on any report that breaks the report contract
  baokao lint <pack>
      decision tables with unreachable, overlapping or missing rows; unused parameters and tables
  baokao notice --pack <dir|bundle> [--lang zh|en] [-o FILE] <file|->
      the printable registration success notice (报名成功通知单) of one application, as an A4 HTML
      page; refused (exit 1, code notice_refused) for an invalid, ineligible or undetermined one
  baokao bundle <pack> [-o FILE] [--with-examples]
      write the merged pack as one JSON document with a content digest
  baokao schema <pack>
      print the application format as JSON Schema (draft 2020-12)
  baokao doc <pack> [-o FILE | --check FILE]
      the rule catalogue (Markdown) for reviewers; --check fails if FILE is not up to date

exit codes: 0 all valid and eligible, 1 some not (conditional included: something is still due),
  or test/lint failures, 2 usage or load error";

/// A failure that ends the command with exit code 2.
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(Fatal(message)) => {
            eprintln!("baokao: {message}");
            ExitCode::from(2)
        }
    }
}

/// Parsed flags of `check`/`explain`.
struct CheckArgs {
    pack: String,
    options: Options,
    json: bool,
    inputs: Vec<String>,
}

fn value<'a>(args: &'a [String], i: &mut usize, flag: &str) -> Result<&'a str, Fatal> {
    *i += 1;
    args.get(*i)
        .map(String::as_str)
        .ok_or_else(|| Fatal(format!("`{flag}` needs a value")))
}

fn parse_check(args: &[String], explain: bool) -> Result<CheckArgs, Fatal> {
    let mut pack = None;
    let mut options = Options::default().with_explain(explain);
    let mut json = false;
    let mut inputs = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args.get(i).map_or("", String::as_str);
        match a {
            "--pack" => pack = Some(value(args, &mut i, a)?.to_owned()),
            "--lang" => {
                let l = value(args, &mut i, a)?;
                options.lang = Lang::parse(l)
                    .ok_or_else(|| Fatal(format!("unknown language `{l}` (zh or en)")))?;
            }
            "--format" => match value(args, &mut i, a)? {
                "json" => json = true,
                "text" => json = false,
                other => return Err(Fatal(format!("unknown format `{other}` (text or json)"))),
            },
            "--step" => options.step = Some(value(args, &mut i, a)?.to_owned()),
            "--explain" => options.explain = true,
            "-" => inputs.push(a.to_owned()),
            flag if flag.starts_with('-') => {
                return Err(Fatal(format!("unknown option `{flag}`\n\n{USAGE}")))
            }
            file => inputs.push(file.to_owned()),
        }
        i += 1;
    }
    let pack = pack.ok_or_else(|| Fatal(format!("`--pack` is required\n\n{USAGE}")))?;
    if inputs.is_empty() {
        return Err(Fatal(format!(
            "no application given (a file, or `-` for stdin)\n\n{USAGE}"
        )));
    }
    Ok(CheckArgs {
        pack,
        options,
        json,
        inputs,
    })
}

fn load(pack: &str) -> Result<Engine, Fatal> {
    Engine::from_path(pack)
        .map_err(|e| Fatal(format!("cannot load pack `{pack}` [{}]: {e}", e.code())))
}

fn run(args: &[String]) -> Result<u8, Fatal> {
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return Ok(2);
    };
    let rest = args.get(1..).unwrap_or(&[]);
    match command.as_str() {
        "check" => check(&parse_check(rest, false)?),
        "explain" => check(&parse_check(rest, true)?),
        "test" => test(rest),
        "lint" => lint_cmd(rest),
        "bundle" => bundle(rest),
        "notice" => notice(rest),
        "schema" => schema(rest),
        "doc" => doc(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(0)
        }
        "--version" | "-V" => {
            println!("baokao {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        other => Err(Fatal(format!("unknown command `{other}`\n\n{USAGE}"))),
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
    fn emit(&mut self, label: &str, result: Result<Report, baokao::Error>) -> Result<(), Fatal> {
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
                    let err = serde_json::json!({"error": {"code": e.code(), "message": e.to_string(), "path": "", "input": label}});
                    writeln!(self.out, "{err}")?;
                } else {
                    writeln!(self.out, "== {label}\n  error   {} {e}", e.code())?;
                }
            }
        }
        if self.progress && (self.tally.total + self.tally.errors) % 1000 == 0 {
            eprint!("\r{} checked", self.tally.total + self.tally.errors);
        }
        Ok(())
    }
}

fn is_lines(name: &str) -> bool {
    let ext = std::path::Path::new(name)
        .extension()
        .map(std::ffi::OsStr::to_ascii_lowercase);
    ext.is_some_and(|e| e == "jsonl" || e == "ndjson")
}

/// The UTF-8 byte order mark a document may start with (the core skips it; it is not counted).
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Most bytes of one record the command holds: the document limit, a byte order mark and a
/// carriage return. A longer record is over the limit whatever it holds, so it is read through and
/// counted, never kept: memory stays bounded by the largest document accepted, whatever the input.
const HOLD: usize = baokao::MAX_DOCUMENT_BYTES + BYTE_ORDER_MARK.len() + 1;

/// Bytes read at a time while counting a record too large to hold.
const SKIP: u64 = 64 * 1024;

/// One record of an input, as read into the record buffer.
enum Record {
    /// The record is in the buffer, whole (a line without its `\n` or `\r\n`).
    Held,
    /// Too large to hold: its size in bytes (without line terminator and byte order mark).
    TooLarge(usize),
}

/// The size of a record too large to hold, of which `head` was read and `rest` bytes more counted,
/// without its byte order mark and, when `cr`, the carriage return of its line terminator.
fn oversize(head: &[u8], rest: u64, cr: bool) -> usize {
    let bom = if head.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len()
    } else {
        0
    };
    // INVARIANT: `head` holds `HOLD` bytes, more than a byte order mark and a carriage return.
    usize::try_from(rest)
        .map_or(usize::MAX, |rest| head.len().saturating_add(rest))
        .saturating_sub(bom + usize::from(cr))
}

fn too_large(size: usize) -> baokao::Error {
    baokao::ApplicationError::TooLarge {
        size,
        limit: baokao::MAX_DOCUMENT_BYTES,
    }
    .into()
}

/// Read a whole input (a `.json` file, stdin) as one record into `buf`.
fn read_document(r: &mut impl Read, buf: &mut Vec<u8>) -> std::io::Result<Record> {
    buf.clear();
    r.by_ref().take(HOLD as u64).read_to_end(buf)?;
    if buf.len() < HOLD {
        return Ok(Record::Held);
    }
    let rest = std::io::copy(r, &mut std::io::sink())?;
    Ok(Record::TooLarge(oversize(buf, rest, false)))
}

/// Read the next line into `buf`, without its terminator; `None` at the end of the input.
fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Option<Record>> {
    buf.clear();
    // One byte more than a held line: room for its `\n`.
    let n = r.by_ref().take(HOLD as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    let ended = buf.last() == Some(&b'\n');
    if ended || n <= HOLD {
        if ended {
            buf.pop();
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Some(Record::Held));
    }
    // Too long to be a document: count the rest of the line, `SKIP` bytes at a time.
    let mut rest = 0u64;
    let mut last = buf.last().copied();
    let mut chunk = Vec::new();
    loop {
        chunk.clear();
        if r.by_ref().take(SKIP).read_until(b'\n', &mut chunk)? == 0 {
            break;
        }
        let ended = chunk.last() == Some(&b'\n');
        if ended {
            chunk.pop();
        }
        rest += chunk.len() as u64;
        last = chunk.last().copied().or(last);
        if ended {
            break;
        }
    }
    let size = oversize(buf, rest, last == Some(b'\r'));
    buf.clear();
    Ok(Some(Record::TooLarge(size)))
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Whether stdin holds JSON Lines rather than one document, judged from its start `head` (all of
/// it when `complete`). A pretty-printed document's first line (`{`) is a JSON value cut short, and
/// so is its second; a JSON Lines record's line is a whole value, or wrong for another reason (not
/// UTF-8, say) — so one bad record, even the first, does not turn a batch into one error.
fn is_json_lines(head: &[u8], complete: bool) -> bool {
    let head = head.strip_prefix(BYTE_ORDER_MARK).unwrap_or(head);
    let mut lines: Vec<&[u8]> = head.split(|&b| b == b'\n').collect();
    if !complete {
        // The last piece was cut by the hold, not by its writer.
        lines.pop();
    }
    let mut lines = lines.into_iter().filter(|l| !is_blank(l));
    let Some(first) = lines.next() else {
        // A first line longer than the hold: a record of its own either way.
        return !complete;
    };
    let second = lines.next();
    if complete && second.is_none() {
        return false;
    }
    let parse = |line: &[u8]| serde_json::from_slice::<serde_json::Value>(line).map(|_| ());
    !parse(first).is_err_and(|e| e.is_eof()) || second.is_some_and(|l| parse(l).is_ok())
}

/// Validate every line of JSON Lines input; `label` names the input in the output (`file:line`).
fn check_lines(
    engine: &Engine,
    options: &Options,
    out: &mut Output<impl Write>,
    label: &str,
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> Result<(), Fatal> {
    let mut n = 0;
    loop {
        let record =
            read_line(reader, buf).map_err(|e| Fatal(format!("cannot read `{label}`: {e}")))?;
        n += 1;
        let result = match record {
            None => return Ok(()),
            Some(Record::Held) if is_blank(buf) => continue,
            Some(Record::Held) => engine.validate_json_bytes(buf, options),
            Some(Record::TooLarge(size)) => Err(too_large(size)),
        };
        out.emit(&format!("{label}:{n}"), result)?;
    }
}

/// Validate stdin: one document, or JSON Lines (see [`is_json_lines`]).
fn check_stdin(
    engine: &Engine,
    options: &Options,
    out: &mut Output<impl Write>,
    buf: &mut Vec<u8>,
) -> Result<(), Fatal> {
    let cannot = |e: std::io::Error| Fatal(format!("cannot read stdin: {e}"));
    let mut stdin = std::io::stdin().lock();
    buf.clear();
    stdin
        .by_ref()
        .take(HOLD as u64)
        .read_to_end(buf)
        .map_err(cannot)?;
    let complete = buf.len() < HOLD;
    if complete {
        let single = engine.validate_json_bytes(buf, options);
        let unread = single
            .as_ref()
            .is_err_and(|e| matches!(e.code(), "malformed_json" | "invalid_encoding" | "too_deep"));
        if !(unread && is_json_lines(buf, true)) {
            return out.emit("stdin", single);
        }
    } else if !is_json_lines(buf, false) {
        let rest = std::io::copy(&mut stdin, &mut std::io::sink()).map_err(cannot)?;
        return out.emit("stdin", Err(too_large(oversize(buf, rest, false))));
    }
    let head = std::mem::take(buf);
    let mut reader = std::io::Cursor::new(head).chain(stdin);
    check_lines(engine, options, out, "stdin", &mut reader, buf)
}

fn check(a: &CheckArgs) -> Result<u8, Fatal> {
    let engine = load(&a.pack)?;
    let stdout = std::io::stdout();
    let mut out = Output {
        out: BufWriter::new(stdout.lock()),
        json: a.json,
        tally: Tally::default(),
        progress: std::io::stderr().is_terminal(),
    };
    // The one record buffer: at most `HOLD` bytes, whatever the size of the input.
    let mut buf = Vec::new();
    for input in &a.inputs {
        if input == "-" {
            check_stdin(&engine, &a.options, &mut out, &mut buf)?;
            continue;
        }
        let cannot = |e: std::io::Error| Fatal(format!("cannot read `{input}`: {e}"));
        let mut file = std::fs::File::open(input).map_err(cannot)?;
        if is_lines(input) {
            let mut reader = std::io::BufReader::with_capacity(SKIP as usize, file);
            check_lines(&engine, &a.options, &mut out, input, &mut reader, &mut buf)?;
        } else {
            let result = match read_document(&mut file, &mut buf).map_err(cannot)? {
                Record::Held => engine.validate_json_bytes(&buf, &a.options),
                Record::TooLarge(size) => Err(too_large(size)),
            };
            out.emit(input, result)?;
        }
    }
    out.out.flush()?;
    if out.progress && out.tally.total + out.tally.errors >= 1000 {
        eprintln!();
    }
    eprintln!("{}", out.tally.summary());
    Ok(u8::from(
        out.tally.ok != out.tally.total || out.tally.errors > 0,
    ))
}

fn one_pack(args: &[String], flags: &[&str]) -> Result<(String, Vec<String>), Fatal> {
    let mut pack = None;
    let mut seen = Vec::new();
    for a in args {
        if flags.contains(&a.as_str()) {
            seen.push(a.clone());
        } else if a.starts_with('-') {
            return Err(Fatal(format!("unknown option `{a}`\n\n{USAGE}")));
        } else if pack.replace(a.clone()).is_some() {
            return Err(Fatal("give one pack".into()));
        }
    }
    Ok((
        pack.ok_or_else(|| Fatal(format!("a pack directory is required\n\n{USAGE}")))?,
        seen,
    ))
}

fn test(args: &[String]) -> Result<u8, Fatal> {
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
                    .map_err(|_| Fatal(format!("`--mutations` needs a number, not `{v}`")))?;
            }
            Some("--seed") => {
                let v = value(args, &mut i, "--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| Fatal(format!("`--seed` needs a number, not `{v}`")))?;
            }
            Some(a) => rest.push(a.to_owned()),
            None => {}
        }
        i += 1;
    }
    let (pack, flags) = one_pack(&rest, &["--allow-uncovered"])?;
    let engine = load(&pack)?;
    if let Some(path) = vectors {
        write_vectors(&engine, &path)?;
    }
    if let Some(path) = mutations {
        // Seeded mutations of the examples: the cross-runtime vectors, and the report contract.
        let inputs = testing::mutations::generate(&engine, seed, count);
        let (lines, violations) = testing::mutations::judge(&engine, &inputs);
        write_lines(&path, &lines)?;
        eprintln!(
            "wrote {} mutated applications (seed {seed}) to {path}",
            lines.len()
        );
        if !violations.is_empty() {
            for v in violations.iter().take(50) {
                println!("CONTRACT {v}");
            }
            println!("{} report contract violation(s)", violations.len());
            return Ok(1);
        }
    }
    let run = testing::run_examples(&engine);
    for r in &run.results {
        if !r.passed() {
            println!("FAIL {}", r.name);
            for f in &r.failures {
                println!("     {f}");
            }
        }
    }
    let rules = engine.program().rules.len();
    let rows: usize = engine
        .program()
        .decisions
        .iter()
        .map(|d| d.rows.len())
        .sum();
    println!(
        "{} rules, {} decisions ({rows} rows), {} examples",
        rules,
        engine.program().decisions.len(),
        run.results.len()
    );
    for (label, list) in [
        ("never fired", &run.never_fired),
        ("never passed", &run.never_passed),
        ("decision rows never hit", &run.rows_never_hit),
        ("materials never listed", &run.materials_never_listed),
    ] {
        if !list.is_empty() {
            println!("unexercised ({label}): {}", list.join(", "));
        }
    }
    if run.never_fired.is_empty()
        && run.never_passed.is_empty()
        && run.rows_never_hit.is_empty()
        && run.materials_never_listed.is_empty()
    {
        println!(
            "coverage: every rule fired and passed, every decision row hit, every material listed"
        );
    }
    println!("{} passed, {} failed", run.passed(), run.failed());
    let uncovered_ok = flags.iter().any(|f| f == "--allow-uncovered");
    Ok(u8::from(
        run.failed() > 0 || (!uncovered_ok && !run.is_complete()),
    ))
}

/// Write every example with its reports in both languages, one JSON object per line.
fn write_lines(path: &str, lines: &[serde_json::Value]) -> Result<(), Fatal> {
    if let Some(parent) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut out = BufWriter::new(
        std::fs::File::create(path).map_err(|e| Fatal(format!("cannot write `{path}`: {e}")))?,
    );
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

fn write_vectors(engine: &Engine, path: &str) -> Result<(), Fatal> {
    if let Some(parent) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut out = BufWriter::new(
        std::fs::File::create(path).map_err(|e| Fatal(format!("cannot write `{path}`: {e}")))?,
    );
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
                .map_err(|err| Fatal(format!("example `{}`: {err}", e.name)))?;
            reports.insert(name.to_owned(), serde_json::to_value(&report)?);
        }
        let line = serde_json::json!({"name": e.name, "step": e.step, "document": doc, "reports": reports});
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    eprintln!("wrote conformance vectors to {path}");
    Ok(())
}

fn lint_cmd(args: &[String]) -> Result<u8, Fatal> {
    let (pack, _) = one_pack(args, &[])?;
    let engine = load(&pack)?;
    let found = lint::lint(engine.program());
    let mut warnings = 0;
    for l in &found {
        let warning = matches!(l.code, "unreachable_row" | "missing_rows");
        warnings += usize::from(warning);
        println!(
            "{} {}: {} [{}]",
            if warning { "warning" } else { "info   " },
            l.item,
            l.message,
            l.code
        );
    }
    println!("{} finding(s), {warnings} warning(s)", found.len());
    Ok(u8::from(warnings > 0))
}

/// `baokao notice`: render one application's success notice.
fn notice(args: &[String]) -> Result<u8, Fatal> {
    let mut pack = None;
    let mut lang = Lang::Zh;
    let mut out_file = None;
    let mut input = None;
    let mut i = 0;
    while i < args.len() {
        let a = args.get(i).map_or("", String::as_str);
        match a {
            "--pack" => pack = Some(value(args, &mut i, a)?.to_owned()),
            "--lang" => {
                let l = value(args, &mut i, a)?;
                lang = Lang::parse(l)
                    .ok_or_else(|| Fatal(format!("unknown language `{l}` (zh or en)")))?;
            }
            "-o" | "--output" => out_file = Some(value(args, &mut i, a)?.to_owned()),
            flag if flag.starts_with('-') && flag != "-" => {
                return Err(Fatal(format!("unknown option `{flag}`\n\n{USAGE}")))
            }
            file if input.is_none() => input = Some(file.to_owned()),
            _ => return Err(Fatal(format!("`notice` takes one application\n\n{USAGE}"))),
        }
        i += 1;
    }
    let pack = pack.ok_or_else(|| Fatal(format!("`--pack` is required\n\n{USAGE}")))?;
    let input = input.ok_or_else(|| Fatal(format!("no application given\n\n{USAGE}")))?;
    let engine = load(&pack)?;
    // Read at most one byte more than a document may have (and a byte order mark).
    let limit = u64::try_from(baokao::MAX_DOCUMENT_BYTES + 4).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    let read = if input == "-" {
        std::io::stdin().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(&input).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| Fatal(format!("cannot read `{input}`: {e}")))?;
    let html = baokao::parse_application_bytes(&bytes)
        .map_err(baokao::Error::from)
        .and_then(|doc| engine.notice(&doc, lang));
    let html = match html {
        Ok(h) => h,
        Err(e @ baokao::Error::Application(baokao::ApplicationError::NoticeRefused { .. })) => {
            eprintln!("baokao: {input}: [{}] {e}", e.code());
            return Ok(1);
        }
        Err(e) => return Err(Fatal(format!("{input}: [{}] {e}", e.code()))),
    };
    match out_file {
        Some(f) => {
            std::fs::write(&f, html.as_bytes())
                .map_err(|e| Fatal(format!("cannot write `{f}`: {e}")))?;
            eprintln!("wrote {f} ({} bytes)", html.len());
        }
        None => print!("{html}"),
    }
    Ok(0)
}

fn bundle(args: &[String]) -> Result<u8, Fatal> {
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
    let engine = load(&pack)?;
    let bundle = engine.bundle(flags.iter().any(|f| f == "--with-examples"));
    let json = bundle.to_json();
    match out_file {
        Some(f) => {
            std::fs::write(&f, json.as_bytes())
                .map_err(|e| Fatal(format!("cannot write `{f}`: {e}")))?;
            eprintln!("wrote {f} ({} bytes, {})", json.len(), bundle.digest);
        }
        None => println!("{json}"),
    }
    Ok(0)
}

fn doc(args: &[String]) -> Result<u8, Fatal> {
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
    let engine = load(&pack)?;
    let run = testing::run_examples(&engine);
    let page = baokao::catalogue::render(&engine, &run);
    if let Some(f) = check_file {
        let current = std::fs::read_to_string(&f).unwrap_or_default();
        if current == page {
            println!("{f} is up to date");
            return Ok(0);
        }
        println!("{f} is out of date: run `baokao doc {pack} -o {f}`");
        return Ok(1);
    }
    match out_file {
        Some(f) => {
            if let Some(parent) = std::path::Path::new(&f).parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&f, page.as_bytes())
                .map_err(|e| Fatal(format!("cannot write `{f}`: {e}")))?;
            eprintln!("wrote {f}");
        }
        None => print!("{page}"),
    }
    Ok(0)
}

fn schema(args: &[String]) -> Result<u8, Fatal> {
    let (pack, _) = one_pack(args, &[])?;
    let engine = load(&pack)?;
    let schema = baokao::json_schema::export(&engine.program().schema, &engine.pack().pack.id);
    println!("{}", serde_json::to_string_pretty(&schema)?);
    Ok(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
mod tests {
    use super::*;

    /// Every line of `input` as `read_line` gives it: the held text, or `TooLarge(size)`.
    fn lines(input: &[u8]) -> Vec<Result<Vec<u8>, usize>> {
        // A small buffer, so that lines cross the reader's refills.
        let mut reader = std::io::BufReader::with_capacity(1000, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(record) = read_line(&mut reader, &mut buf).unwrap() {
            out.push(match record {
                Record::Held => Ok(buf.clone()),
                Record::TooLarge(size) => Err(size),
            });
        }
        out
    }

    #[test]
    fn lines_lose_their_terminator_and_long_ones_are_counted_not_kept() {
        let limit = baokao::MAX_DOCUMENT_BYTES;
        let x = |n: usize| vec![b'x'; n];
        let mut input = b"a\nb\r\n\n".to_vec();
        // Held: the longest line that can be a document (a byte order mark, `limit` bytes, `\r`).
        let longest = [BYTE_ORDER_MARK, &x(limit), b"\r"].concat();
        input.extend_from_slice(&[&longest[..], b"\n"].concat());
        // Counted: one byte more, with or without a mark or `\r`; 3 MiB; the last line without `\n`.
        for line in [
            [&x(limit + 4)[..], b"\r\n"].concat(),
            [BYTE_ORDER_MARK, &x(limit + 2), b"\r\r\n"].concat(),
            [&x(3 * limit)[..], b"\n"].concat(),
            x(limit + 10),
        ] {
            input.extend_from_slice(&line);
        }
        let got = lines(&input);
        assert_eq!(
            got[..3],
            [Ok(b"a".to_vec()), Ok(b"b".to_vec()), Ok(Vec::new())]
        );
        assert_eq!(got[3], Ok(longest[..longest.len() - 1].to_vec()));
        assert_eq!(
            got[4..],
            [
                Err(limit + 4),
                Err(limit + 3),
                Err(3 * limit),
                Err(limit + 10)
            ]
        );
    }

    #[test]
    fn a_document_is_held_or_counted() {
        let limit = baokao::MAX_DOCUMENT_BYTES;
        let mut buf = Vec::new();
        let held = [BYTE_ORDER_MARK, &vec![b' '; limit]].concat();
        assert!(matches!(
            read_document(&mut &held[..], &mut buf).unwrap(),
            Record::Held
        ));
        assert_eq!(buf, held);
        let big = [BYTE_ORDER_MARK, &vec![b' '; 5 * limit]].concat();
        assert!(matches!(
            read_document(&mut &big[..], &mut buf).unwrap(),
            Record::TooLarge(size) if size == 5 * limit
        ));
        assert!(buf.len() <= HOLD);
    }

    #[test]
    fn stdin_is_json_lines_when_its_lines_are_records() {
        let pretty = b"{\n  \"basic\": {\n    \"name\": \"\xD5\xC5\"\n  }\n}\n";
        let compact = b"{\"basic\": {\"name\": \"\xD5\xC5\"}}\n";
        for (input, complete, expected) in [
            // One document: on one line, or pretty-printed (even with an error in it).
            (&compact[..], true, false),
            (&pretty[..], true, false),
            (&pretty[..], false, false),
            (b"\xEF\xBB\xBF{\r\n\"a\": 1}\r\n", true, false),
            // JSON Lines: a whole first record, or a first record wrong other than cut short.
            (b"{}\n{}\n", true, true),
            (b"{}\n{\"a\"", false, true),
            (&[&compact[..], b"{}\n"].concat()[..], true, true),
            (b"[]\nnot json\n", true, true),
            // A first record cut short, followed by a whole one.
            (b"{\"basic\": {\n{}\n", true, true),
            // A first line longer than the hold.
            (b"{\"a\": \"xxxx", false, true),
        ] {
            assert_eq!(
                is_json_lines(input, complete),
                expected,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }
}
