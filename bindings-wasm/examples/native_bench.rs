//! The native side of `bench/bench.mjs`: the Rust core's single-thread throughput on the same
//! fixtures, doing the same work as one call of the WebAssembly binding — application JSON text
//! in (`Engine::validate_json`, limits and parse included), report JSON text out
//! (`serde_json::to_string`). Also times `Engine::run` on an already parsed document.
//!
//! `cargo run --release -p baokao-wasm --example native_bench -- BUNDLE APPLICATION VECTORS [ITERATIONS]`
//! prints one JSON object.

use std::time::Instant;

use baokao::{Engine, Options};
use serde_json::Value;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Operations per second of `f`: after a warm-up of `n / 10` calls, `n` calls in 5 rounds, the
/// best round (as `bench.mjs` does).
fn rate(n: usize, mut f: impl FnMut() -> Result<usize>) -> Result<f64> {
    let mut sink = 0usize;
    for _ in 0..n / 10 {
        sink = sink.wrapping_add(f()?);
    }
    let round = (n / 5).max(1);
    let mut best = 0f64;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..round {
            sink = sink.wrapping_add(f()?);
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "iteration counts are far below 2^52"
        )]
        let ops = round as f64 / start.elapsed().as_secs_f64();
        best = best.max(ops);
    }
    std::hint::black_box(sink);
    Ok(best)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [bundle, application, vectors, rest @ ..] = args.as_slice() else {
        return Err("usage: native_bench BUNDLE APPLICATION VECTORS [ITERATIONS]".into());
    };
    let iterations: usize = rest.first().map_or(Ok(20_000), |s| s.parse())?;
    let engine = Engine::from_bundle(&std::fs::read_to_string(bundle)?)?;
    let text = std::fs::read_to_string(application)?;
    let options = Options::default();

    let single_text = rate(iterations, || {
        let report = engine.validate_json(&text, &options)?;
        Ok(serde_json::to_string(&report)?.len())
    })?;
    let parsed: Value = serde_json::from_str(&text)?;
    let single_value = rate(iterations, || {
        Ok(engine.run(&parsed, &options)?.diagnostics.len())
    })?;

    // The batch: every example document of the pack (step-wise where the example is).
    let mut batch: Vec<(String, Options)> = Vec::new();
    for line in std::fs::read_to_string(vectors)?.lines() {
        let v: Value = serde_json::from_str(line)?;
        let step = v.get("step").and_then(Value::as_str).map(str::to_owned);
        let document = v
            .get("document")
            .ok_or("a vector without document")?
            .to_string();
        batch.push((
            document,
            Options {
                step,
                ..Options::default()
            },
        ));
    }
    let mut next = batch.iter().cycle();
    let batch_text = rate(iterations, || {
        let (doc, opts) = next.next().ok_or("empty batch")?;
        let report = engine.validate_json(doc, opts)?;
        Ok(serde_json::to_string(&report)?.len())
    })?;
    println!(
        "{}",
        serde_json::json!({
            "iterations": iterations,
            "single_json_text_ops": single_text,
            "single_parsed_value_ops": single_value,
            "batch_json_text_ops": batch_text,
            "batch_documents": batch.len(),
        })
    );
    Ok(())
}
