//! `gen-fixtures [PATH] [--count N] [--seed S]`: write the shared benchmark fixtures.
//!
//! Writes the generated applications as JSON Lines to `PATH` (default
//! `target/bench-fixtures/applications-10k.jsonl` in the workspace) and the full application to
//! `full.json` beside it, then prints the mix of reports the 2024 pack gives them, so the Python
//! and Node benches measure exactly what the Rust benches measure.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use baokao_benches::{self as fx, FixtureError};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-fixtures: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut path = None;
    let mut count = fx::BATCH;
    let mut seed = fx::SEED;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--count" => count = args.next().ok_or("--count needs a number")?.parse()?,
            "--seed" => seed = args.next().ok_or("--seed needs a number")?.parse()?,
            "-h" | "--help" => {
                println!("usage: gen-fixtures [PATH] [--count N] [--seed S]");
                return Ok(());
            }
            _ if path.is_none() && !arg.starts_with('-') => path = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument `{arg}`").into()),
        }
    }
    let path = path.unwrap_or_else(|| {
        fx::workspace_dir()
            .join("target")
            .join("bench-fixtures")
            .join("applications-10k.jsonl")
    });
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), std::path::Path::to_path_buf);
    std::fs::create_dir_all(&dir)?;

    let engine = fx::engine().map_err(FixtureError::Engine)?;
    let apps = fx::generate_from(engine.pack(), count, seed)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut bytes = 0;
    for app in &apps {
        let line = fx::to_json(app)?;
        bytes += line.len() + 1;
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    let full = dir.join("full.json");
    std::fs::write(&full, fx::full_application_text()?)?;

    let mut mix: BTreeMap<String, usize> = BTreeMap::new();
    for app in &apps {
        let report = engine.validate(app)?;
        let key = format!(
            "{} {}",
            if report.valid { "valid" } else { "invalid" },
            report.eligibility.outcome.as_str()
        );
        *mix.entry(key).or_default() += 1;
    }
    println!(
        "wrote {} applications ({bytes} bytes, seed {seed}) to {}",
        apps.len(),
        path.display()
    );
    println!("wrote the full application to {}", full.display());
    println!("mix (validity, outcome):");
    for (key, n) in &mix {
        println!("  {key:<28} {n:>6}");
    }
    Ok(())
}
