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
  baokao explain --pack <dir|bundle> [--lang zh|en] [--format text|json] <file|->
      validate with a trace of every rule and decision and the values they saw
  baokao test <pack> [--allow-uncovered] [--write-vectors FILE]
      run the pack's example applications; fails on a failed example or an unexercised rule;
      --write-vectors writes each example with its zh and en reports as JSON Lines (the
      conformance vectors the Python and WebAssembly bindings are checked against)
  baokao lint <pack>
      decision tables with unreachable, overlapping or missing rows; unused parameters and tables
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

fn check(a: &CheckArgs) -> Result<u8, Fatal> {
    let engine = load(&a.pack)?;
    let stdout = std::io::stdout();
    let mut out = Output {
        out: BufWriter::new(stdout.lock()),
        json: a.json,
        tally: Tally::default(),
        progress: std::io::stderr().is_terminal(),
    };
    for input in &a.inputs {
        if input == "-" {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            let single = baokao::parse_application(&text);
            let many_lines = text.lines().filter(|l| !l.trim().is_empty()).count() > 1;
            match single {
                Err(e) if many_lines && e.code() == "malformed_json" => {
                    for (n, line) in text.lines().enumerate() {
                        if !line.trim().is_empty() {
                            out.emit(
                                &format!("stdin:{}", n + 1),
                                engine.validate_json(line, &a.options),
                            )?;
                        }
                    }
                }
                Ok(doc) => out.emit("stdin", engine.run(&doc, &a.options))?,
                Err(e) => out.emit("stdin", Err(e.into()))?,
            }
        } else if is_lines(input) {
            let file = std::fs::File::open(input)
                .map_err(|e| Fatal(format!("cannot read `{input}`: {e}")))?;
            for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
                let line = line.map_err(|e| Fatal(format!("cannot read `{input}`: {e}")))?;
                if !line.trim().is_empty() {
                    out.emit(
                        &format!("{input}:{}", n + 1),
                        engine.validate_json(&line, &a.options),
                    )?;
                }
            }
        } else {
            let text = std::fs::read_to_string(input)
                .map_err(|e| Fatal(format!("cannot read `{input}`: {e}")))?;
            out.emit(input, engine.validate_json(&text, &a.options))?;
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
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args.get(i).map(String::as_str) {
            Some("--write-vectors") => {
                vectors = Some(value(args, &mut i, "--write-vectors")?.to_owned());
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
