//! Criterion benches of the engine: loading a pack, validating one application, validating a
//! batch, compiling packs of many rules, and the evaluation work limit. Fixtures come from `baokao_benches` (see its docs); `docs/benchmarks.md` has the method,
//! the numbers and how to regenerate them.

#![expect(
    clippy::expect_used,
    reason = "a bench whose fixtures do not load has nothing to measure: stopping with the error is right"
)]

use std::hint::black_box;

use baokao::{Bundle, Engine, Options};
use baokao_benches as fx;
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use serde_json::Value;

/// Loading and compiling the 2024 pack, three ways.
fn load(c: &mut Criterion) {
    let dir = fx::pack_dir();
    let engine = fx::engine().expect("the 2024 pack loads");
    // The bundle a browser fetches: `baokao bundle`'s default, without the example applications.
    let bundle = engine.bundle(false).to_json();
    // The bundle's pack, so `compile` is `from_bundle` minus reading the JSON and its digest.
    let pack = Bundle::from_json(&bundle).expect("the bundle loads").pack;

    let mut g = c.benchmark_group("load");
    // Milliseconds per iteration: flat sampling keeps the run inside the measurement time.
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(20);
    // Read the TOML files, merge, resolve examples, type-check and compile every expression.
    g.bench_function("from_dir", |b| b.iter(|| Engine::from_dir(black_box(&dir))));
    // Parse the bundle JSON, check its digest, compile.
    g.bench_function("from_bundle", |b| {
        b.iter(|| Engine::from_bundle(black_box(&bundle)));
    });
    // Compile an already-loaded pack (cloning it is outside the timing).
    g.bench_function("compile", |b| {
        b.iter_batched(|| pack.clone(), Engine::from_pack, BatchSize::SmallInput);
    });
    g.finish();
}

/// One full application: the target is `validate` <= `parse`.
fn validate_one(c: &mut Criterion) {
    let engine = fx::engine().expect("the 2024 pack loads");
    let text = fx::full_application_text().expect("the full application loads");
    let doc: Value = serde_json::from_str(&text).expect("the full application parses");
    let options = Options::default();
    let report = engine
        .run(&doc, &options)
        .expect("the full application validates");
    assert!(report.is_ok(), "the full application is valid and eligible");

    let mut g = c.benchmark_group("validate_one");
    g.throughput(Throughput::Elements(1));
    // JSON text -> serde_json::Value, nothing else.
    g.bench_function("parse", |b| {
        b.iter(|| serde_json::from_str::<Value>(black_box(&text)));
    });
    // The parsed application -> Report (messages in Chinese, no trace).
    g.bench_function("validate", |b| {
        b.iter(|| engine.run(black_box(&doc), &options));
    });
    // JSON text -> Report: the size and depth checks, parse and validate.
    g.bench_function("validate_json", |b| {
        b.iter(|| engine.validate_json(black_box(&text), &options));
    });
    // The parsed application -> Report with the trace of every rule and decision.
    g.bench_function("explain", |b| b.iter(|| engine.explain(black_box(&doc))));
    g.finish();
}

/// The shared batch of generated applications (valid, invalid and ineligible mixed).
fn batch(c: &mut Criterion) {
    let engine = fx::engine().expect("the 2024 pack loads");
    let apps = fx::generate_from(engine.pack(), fx::BATCH, fx::SEED).expect("fixtures generate");
    let texts: Vec<String> = apps
        .iter()
        .map(|a| fx::to_json(a).expect("fixtures serialise"))
        .collect();
    let options = Options::default();

    let mut g = c.benchmark_group("batch_10k");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    g.throughput(Throughput::Elements(apps.len() as u64));
    g.bench_function("validate", |b| {
        b.iter(|| {
            for app in &apps {
                black_box(engine.run(black_box(app), &options)).ok();
            }
        });
    });
    g.bench_function("parse", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(serde_json::from_str::<Value>(black_box(text))).ok();
            }
        });
    });
    g.finish();
}

/// Loading and compiling packs of 1,000 / 10,000 / 50,000 trivial rules: compile time must grow
/// linearly with the rule count (issue 12; it grew with its square).
fn compile_rules(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile_rules");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    for rules in [1_000, 10_000, 50_000] {
        let dir = std::env::temp_dir().join(format!("baokao-bench-rules-{rules}"));
        fx::write_synthetic_pack(&dir, rules).expect("the synthetic pack is written");
        let engine = Engine::from_dir(&dir).expect("the synthetic pack loads");
        let bundle = engine.bundle(false).to_json();
        g.throughput(Throughput::Elements(rules as u64));
        // Read the TOML files, merge, type-check and compile every rule.
        g.bench_with_input(BenchmarkId::new("from_dir", rules), &dir, |b, dir| {
            b.iter(|| Engine::from_dir(black_box(dir)));
        });
        // Parse the bundle JSON, check its digest, compile.
        g.bench_with_input(
            BenchmarkId::new("from_bundle", rules),
            &bundle,
            |b, json| {
                b.iter(|| Engine::from_bundle(black_box(json)));
            },
        );
    }
    g.finish();
}

/// The evaluation work limit: a pairwise check of 1,000 records within the default limit, and
/// three nested quantifiers over them, which stop at the limit with `work_limit_exceeded` — the
/// longest a document can keep a validation busy in quantifiers.
fn work_limit(c: &mut Criterion) {
    let engine = Engine::from_dir(fx::work_pack_dir()).expect("the work pack loads");
    let options = Options::default();
    let pairwise = fx::certificates(1000, false);
    let nested = fx::certificates(1000, true);
    assert!(engine.run(&pairwise, &options).is_ok_and(|r| r.valid));
    assert_eq!(
        engine
            .run(&nested, &options)
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("work_limit_exceeded")
    );
    let mut g = c.benchmark_group("work_limit");
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(20);
    g.bench_function("pairwise_1000", |b| {
        b.iter(|| engine.run(black_box(&pairwise), &options));
    });
    g.bench_function("nested_1000_exceeded", |b| {
        b.iter(|| engine.run(black_box(&nested), &options));
    });
    g.finish();
}

criterion_group!(
    benches,
    load,
    validate_one,
    batch,
    compile_rules,
    work_limit
);
criterion_main!(benches);
