//! `profile [validate|parse|validate_json|explain|batch] [N]`: run one operation on the full
//! application `N` times (default 10,000), or (`batch`) validate the first `N` applications of
//! the shared generated set once each, as a steady target for `valgrind --tool=callgrind`.
//!
//! Build it with line tables so callgrind can name the functions:
//! `CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release -p baokao-benches --bin profile`.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use baokao::Options;
use baokao_benches::{self as fx, FixtureError};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("profile: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let op = args.next().unwrap_or_else(|| "validate".to_owned());
    let n: usize = args.next().map_or(Ok(10_000), |s| s.parse())?;
    let engine = fx::engine().map_err(FixtureError::Engine)?;
    let text = fx::full_application_text()?;
    let doc: serde_json::Value = serde_json::from_str(&text)?;
    let options = Options::default();
    let mut ok = 0usize;
    if op == "batch" {
        let apps = fx::generate_from(engine.pack(), n, fx::SEED)?;
        let start = Instant::now();
        for app in &apps {
            ok += usize::from(engine.run(black_box(app), &options)?.is_ok());
        }
        report(&op, ok, n, start);
        return Ok(());
    }
    let start = Instant::now();
    for _ in 0..n {
        let passed = match op.as_str() {
            "validate" => engine.run(black_box(&doc), &options)?.is_ok(),
            "explain" => engine.explain(black_box(&doc))?.is_ok(),
            "validate_json" => engine.validate_json(black_box(&text), &options)?.is_ok(),
            "parse" => serde_json::from_str::<serde_json::Value>(black_box(&text))?.is_object(),
            _ => return Err(format!("unknown operation `{op}`").into()),
        };
        ok += usize::from(passed);
    }
    report(&op, ok, n, start);
    Ok(())
}

/// Print the count and the mean wall-clock time of the loop (a sanity check, not a benchmark).
fn report(op: &str, ok: usize, n: usize, start: Instant) {
    let per = start.elapsed().as_nanos() / u128::try_from(n.max(1)).unwrap_or(1);
    println!("{op}: {ok} of {n} ok, {per} ns each");
}
