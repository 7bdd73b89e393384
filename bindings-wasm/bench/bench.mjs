// Validation throughput of the WebAssembly binding in Node against the Rust core, same machine,
// same fixtures, one thread:
//
//   single  rules/nmec-2024/examples/a-clinical-bachelor.json validated N times
//   batch   N validations cycling through every example document of the pack (the conformance
//           vectors; step-wise where the example is)
//
// WebAssembly: `engine.validate(object)` — the API as used (JSON.stringify, the copy into wasm
// memory, the core's validate_json, the report's JSON, JSON.parse) — and `engine.validate(text)`.
// Native: the same work in Rust (bindings-wasm/examples/native_bench.rs): validate_json on the
// text + serde_json::to_string of the report, and run() on a parsed document.
//
//   node bench/bench.mjs [--iterations N] [--pkg DIR] [--no-native]
//
// Rates are the best of 5 rounds, on both sides. Prints a table and writes
// target/artifacts/bench-wasm.json.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { bindingDir, repoRoot, examplesDir, vectorsPath, vectors } from '../test/helpers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const iterations = Number(option('--iterations', '20000'));
const pkg = resolve(option('--pkg', join(bindingDir, 'pkg')));
const native = !args.includes('--no-native');

const { init, Engine } = await import(pathToFileURL(join(pkg, 'baokao.js')).href);
await init();
const bundlePath = join(pkg, 'packs', 'nmec-2024.json');
const bundle = readFileSync(bundlePath, 'utf8');
const engine = Engine.fromBundle(bundle);
const applicationPath = join(examplesDir, 'a-clinical-bachelor.json');
const applicationText = readFileSync(applicationPath, 'utf8');
const application = JSON.parse(applicationText);
const batch = vectors().map((v) => ({ document: v.document, text: JSON.stringify(v.document), step: v.step }));

/**
 * Operations per second of `fn`: after a warm-up of n / 10 calls, n calls in 5 rounds, the best
 * round (a shared machine's noise only ever slows a round down). Native does the same.
 */
function rate(n, fn) {
  let sink = 0;
  for (let i = 0; i < n / 10; i += 1) sink += fn(i) ? 1 : 0;
  const round = Math.max(1, Math.floor(n / 5));
  let best = 0;
  for (let r = 0; r < 5; r += 1) {
    const start = performance.now();
    for (let i = 0; i < round; i += 1) sink += fn(r * round + i) ? 1 : 0;
    best = Math.max(best, round / ((performance.now() - start) / 1000));
  }
  if (sink < 0) console.log(sink);
  return best;
}

const validateBatch = (useText) => (i) => {
  const v = batch[i % batch.length];
  const input = useText ? v.text : v.document;
  return v.step ? engine.validateStep(v.step, input).valid : engine.validate(input).valid;
};

const wasm = {
  single_object_ops: rate(iterations, () => engine.validate(application).valid),
  single_json_text_ops: rate(iterations, () => engine.validate(applicationText).valid),
  batch_object_ops: rate(iterations, validateBatch(false)),
  batch_json_text_ops: rate(iterations, validateBatch(true)),
  validate_field_ops: rate(iterations, () => engine.validateField('/basic/id_number', application).valid),
  explain_ops: rate(Math.ceil(iterations / 10), () => engine.explain(application).valid),
  batch_documents: batch.length,
};

// Builds with the `swb-bench` feature also export the serde-wasm-bindgen conversion
// (RawEngine.runValue), to compare it with the JSON text route the binding uses.
const raw = await import(pathToFileURL(join(pkg, 'baokao_wasm.js')).href);
if (typeof raw.RawEngine.prototype.runValue === 'function') {
  const rawEngine = raw.RawEngine.fromBundle(bundle);
  wasm.single_serde_wasm_bindgen_ops = rate(iterations, () => rawEngine.runValue(application, '', undefined, false).valid);
  wasm.batch_serde_wasm_bindgen_ops = rate(iterations, (i) => {
    const v = batch[i % batch.length];
    return rawEngine.runValue(v.document, '', v.step, false).valid;
  });
}

let rust;
if (native) {
  const out = execFileSync(
    'cargo',
    [
      'run', '--release', '-q', '-p', 'baokao-wasm', '--example', 'native_bench', '--',
      bundlePath, applicationPath, vectorsPath, String(iterations),
    ],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  rust = JSON.parse(out);
}

const fmt = (n) => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));
const pct = (a, b) => (a && b ? `${((100 * a) / b).toFixed(0)} %` : '—');
const rows = [
  ['single: wasm validate(object) vs native validate_json+to_string', wasm.single_object_ops, rust?.single_json_text_ops],
  ['single: wasm validate(JSON text) vs native validate_json+to_string', wasm.single_json_text_ops, rust?.single_json_text_ops],
  ['single: wasm validate(object) vs native run(parsed Value)', wasm.single_object_ops, rust?.single_parsed_value_ops],
  ['batch:  wasm validate(object) vs native validate_json+to_string', wasm.batch_object_ops, rust?.batch_json_text_ops],
  ['batch:  wasm validate(JSON text) vs native validate_json+to_string', wasm.batch_json_text_ops, rust?.batch_json_text_ops],
];
if (wasm.single_serde_wasm_bindgen_ops) {
  rows.push(['single: serde-wasm-bindgen route vs native', wasm.single_serde_wasm_bindgen_ops, rust?.single_json_text_ops]);
  rows.push(['batch:  serde-wasm-bindgen route vs native', wasm.batch_serde_wasm_bindgen_ops, rust?.batch_json_text_ops]);
}
console.log(`baokao wasm bench — ${iterations} iterations, Node ${process.version}, ${batch.length} batch documents`);
console.log(`${'comparison'.padEnd(70)} ${'wasm ops/s'.padStart(12)} ${'native ops/s'.padStart(13)}  wasm/native`);
for (const [name, a, b] of rows) {
  console.log(`${name.padEnd(70)} ${fmt(a).padStart(12)} ${fmt(b).padStart(13)}  ${pct(a, b).padStart(8)}`);
}
console.log(`validateField: ${fmt(wasm.validate_field_ops)} ops/s; explain: ${fmt(wasm.explain_ops)} ops/s`);

// What benches/report.py needs for the targets table of docs/benchmarks.md: the commit measured
// (scripts/commit-id.sh) and the size of this .wasm as the build's budget counts it (gzip -9).
const commit = execFileSync(join(repoRoot, 'scripts', 'commit-id.sh'), { encoding: 'utf8' }).trim();
const wasmFile = join(pkg, 'baokao_wasm_bg.wasm');
const wasmGzipBytes = Number(
  execFileSync('sh', ['-c', 'gzip -9 -c "$1" | wc -c', 'sh', wasmFile], { encoding: 'utf8' }).trim(),
);
console.log(`${wasmFile}: ${wasmGzipBytes.toLocaleString('en-US')} bytes gzip -9; commit ${commit}`);
mkdirSync(join(repoRoot, 'target', 'artifacts'), { recursive: true });
writeFileSync(
  join(repoRoot, 'target', 'artifacts', 'bench-wasm.json'),
  `${JSON.stringify({ commit, node: process.version, iterations, wasm_gzip_bytes: wasmGzipBytes, wasm, native: rust }, null, 2)}\n`,
);
