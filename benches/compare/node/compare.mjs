// baokao's WebAssembly package side by side with ajv, @gorules/zen-engine and json-logic-js, in Node.
//
//   node benches/compare/node/compare.mjs OUT.md [--quick]   (setup.sh installs the peers first)
//
// Three comparisons on the bench fixtures (target/bench-fixtures: full.json and the 10,000 generated
// applications of applications-10k.jsonl), on the invalid application of peers/README.md and on the
// variants of peers/variants.json (copies of full.json that make the compared rules fire):
//
// 1. structure: ajv (draft 2020-12, ajv-formats) on peers/application.schema.json, every error and
//    yes/no, against baokao's `engine.validate`;
// 2. eligibility: the ZEN decision graph peers/eligibility.zen.json against the report's route and
//    the rules the graph reproduces;
// 3. cross-field: the six JSONLogic rules of peers/cross-field.jsonlogic.json (json-logic-js)
//    against whether baokao's rule of the same id fired.
//
// baokao runs the shipped 2024 pack (bindings-wasm/pkg/packs/nmec-2024.json) and, where the Rust CLI
// can bundle them (target/release/baokao, else `cargo run -p baokao-cli`), the comparison overlays of
// benches/compare/packs/ that keep only the compared rules.
//
// Before timing, every answer is checked against baokao's on every timed input and on the probes of
// peers/variants.json (one structural change each, not timed): a disagreement prints the first ten,
// each with the application and both answers, and exits 1 (a comparison of engines that disagree is
// void). Then every compared rule must fire on some timed input and pass on another, and every route
// value must come out of one, or the harness names the rule and exits 1.
//
// Timing: one process; the candidates of a document are measured in turn within each round, after
// a warm-up round; the figure is the median over rounds of the mean time per call in a round.
// `--quick`: 3 rounds and a batch of 1,000 (a smoke run). Environment: COMPARE_ROUNDS (default 9),
// COMPARE_BATCH (default 10000), COMPARE_CHECK_ONLY=1.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import zenEngine from '@gorules/zen-engine';
import jsonLogic from 'json-logic-js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const peers = join(here, '..', 'peers');
const fixtures = join(root, 'target', 'bench-fixtures');
const pkg = join(root, 'bindings-wasm', 'pkg');
const require = createRequire(import.meta.url);

// `--quick` (scripts/compare.sh --quick): a smoke run, fewer rounds and a batch of 1,000.
const QUICK = process.argv.includes('--quick');
const ARGS = process.argv.slice(2).filter((a) => a !== '--quick');
const ROUNDS = Number(process.env.COMPARE_ROUNDS ?? (QUICK ? 3 : 9));
const BATCH_ROUNDS = 3;
const BATCH = Number(process.env.COMPARE_BATCH ?? (QUICK ? 1000 : 10000));

// Schema-stage diagnostic codes (docs/report.md); `unknown_field` is a warning.
const SCHEMA_CODES = new Set([
  'required_missing', 'type_mismatch', 'invalid_date', 'enum_mismatch', 'pattern_mismatch', 'too_short',
  'too_long', 'out_of_range', 'too_many_items', 'too_few_items', 'unknown_field',
]);

// The rules the ZEN graph reproduces and the key of its `fired` output (peers/README.md): the route
// table's rows that are findings and the trial-month and certificate-year rules.
const ELIGIBILITY_RULES = {
  'XF-17.a': 'xf_17_a', 'C6-LEVEL.route': 'c6_level_route', 'R-LV-7.b': 'r_lv_7_b', 'XF-11.a': 'xf_11_a',
  'R-TR-3': 'r_tr_3', 'R-TR-2': 'r_tr_2', 'XF-11.b': 'xf_11_b', 'R-PG-1': 'r_pg_1', 'XF-12.a': 'xf_12_a',
  'XF-12.b': 'xf_12_b',
};
// Every value the route decision can give (null: no route): each must come out of some timed input.
const ROUTES = ['R-LV-1', 'R-LV-2', 'R-LV-3', 'R-LV-4', 'R-LV-5', 'R-LV-6', 'R-LV-7', null];

function fail(message) {
  console.error(`compare: ${message}`);
  process.exit(1);
}

// --- fixtures ------------------------------------------------------------------------------------

function loadFixtures() {
  const fullPath = join(fixtures, 'full.json');
  const batchPath = join(fixtures, 'applications-10k.jsonl');
  if (!existsSync(fullPath) || !existsSync(batchPath)) {
    console.error('compare: writing the bench fixtures (cargo run -p baokao-benches --bin gen-fixtures)');
    execFileSync('cargo', ['run', '--release', '-q', '-p', 'baokao-benches', '--bin', 'gen-fixtures'], { cwd: root, stdio: 'inherit' });
  }
  const full = JSON.parse(readFileSync(fullPath, 'utf8'));
  const batch = readFileSync(batchPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  return { full, batch };
}

const clone = (doc) => structuredClone(doc);

/** The invalid application of peers/README.md (the Rust and Python harnesses build the same). */
function invalidApplication(full) {
  const doc = clone(full);
  const id = doc.basic.id_number;
  doc.basic.id_number = id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
  doc.basic.ethnicity = '火星族';
  doc.education.enrol_date = '2022-09';
  doc.work.on_post_status = '试用期';
  doc.work.trial_start = '2023-11';
  return doc;
}

/** A copy of `full` with the edits of one entry of peers/variants.json: {"set": pointer, "to": value}
 * (the key is created when its parent object exists) or {"remove": pointer}; as the Rust and Python
 * harnesses apply them. */
function applyEdits(full, label, edits) {
  const doc = clone(full);
  for (const edit of edits) {
    const pointer = edit.set ?? edit.remove;
    const parts = pointer.split('/').slice(1);
    const key = parts.pop();
    let parent = doc;
    for (const p of parts) parent = parent[p];
    if (!parent || typeof parent !== 'object' || Array.isArray(parent)) throw new Error(`variants.json \`${label}\`: the parent of \`${pointer}\` is not an object`);
    if ('set' in edit) parent[key] = clone(edit.to);
    else delete parent[key];
  }
  return doc;
}

/** The entries of peers/variants.json under `key` (`variants`: timed; `probes`: checked only). */
function derivedInputs(full, key) {
  const file = JSON.parse(readFileSync(join(peers, 'variants.json'), 'utf8'));
  return file[key].map((entry) => [entry.label, applyEdits(full, entry.label, entry.edits)]);
}

// --- the engines ---------------------------------------------------------------------------------

/** Bundles of the comparison overlays (benches/compare/packs), written by the Rust CLI; {} if it cannot. */
function overlayBundles() {
  const out = {};
  const dir = join(root, 'target', 'compare', 'bundles');
  mkdirSync(dir, { recursive: true });
  const cli = join(root, 'target', 'release', 'baokao');
  for (const name of ['schema-only', 'eligibility', 'cross-field']) {
    const path = join(dir, `${name}.json`);
    // The overlays extend rules/nmec-2024, outside the directory that holds them.
    const args = ['bundle', join(here, '..', 'packs', name), '--pack-root', join(root, 'rules'), '-o', path];
    try {
      if (existsSync(cli)) execFileSync(cli, args, { cwd: root, stdio: 'pipe' });
      else execFileSync('cargo', ['run', '--release', '-q', '-p', 'baokao-cli', '--', ...args], { cwd: root, stdio: 'pipe' });
      out[name] = readFileSync(path, 'utf8');
    } catch (e) {
      console.error(`compare: cannot bundle packs/${name} (${String(e.message).split('\n')[0]}); its rows are left out`);
    }
  }
  return out;
}

async function engines() {
  if (!existsSync(join(pkg, 'baokao.js'))) {
    fail('bindings-wasm/pkg is missing: run scripts/build-wasm.sh');
  }
  const { init, Engine } = await import(pathToFileURL(join(pkg, 'baokao.js')).href);
  await init();
  const bundle = readFileSync(join(pkg, 'packs', 'nmec-2024.json'), 'utf8');
  const baokao = { full: Engine.fromBundle(bundle) };
  for (const [name, text] of Object.entries(overlayBundles())) baokao[name] = Engine.fromBundle(text);

  const schema = JSON.parse(readFileSync(join(peers, 'application.schema.json'), 'utf8'));
  // Format assertion on (`date`, `date-time`), as baokao checks dates: ajv-formats (peers/README.md).
  const ajvAll = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajvAll);
  const ajvFirst = new Ajv2020({ allErrors: false, strict: false });
  addFormats(ajvFirst);
  const validateAll = ajvAll.compile(schema);
  const validateFirst = ajvFirst.compile(schema);

  const zen = new zenEngine.ZenEngine();
  const decision = zen.createDecision(JSON.parse(readFileSync(join(peers, 'eligibility.zen.json'), 'utf8')));
  decision.validate();

  const logic = JSON.parse(readFileSync(join(peers, 'cross-field.jsonlogic.json'), 'utf8'));
  return { baokao, schema, validateAll, validateFirst, zen, decision, logic, bundleDigest: JSON.parse(bundle).digest };
}

// --- answers, normalised so that the engines can be compared -------------------------------------

/** Rule ids that fired, as the core's `Report::fired` (and Python's `Report.fired()`) lists them: every
 * diagnostic's rule (or code), every finding's rule except the `undetermined` ones (a rule that could
 * not be decided did not fire). */
function firedRules(report) {
  const e = report.eligibility;
  const rules = new Set();
  for (const d of report.diagnostics) rules.add(d.rule ?? d.code);
  for (const f of [...e.reasons, ...e.conditions, ...e.restrictions]) if (f.code !== 'undetermined') rules.add(f.rule);
  return rules;
}

const sorted = (set) => [...set].sort();
/** JSON text with every object's keys sorted, so equal values compare equal whatever their key order. */
const canonical = (v) =>
  JSON.stringify(v, (_, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
const same = (a, b) => canonical(a) === canonical(b);

function baokaoSchemaPaths(report) {
  return sorted(new Set(report.diagnostics.filter((d) => d.severity === 'error' && SCHEMA_CODES.has(d.code)).map((d) => d.path)));
}

/** ajv's instance paths; a missing required key at the key's own path, as baokao reports it. */
function ajvPaths(errors) {
  return sorted(new Set((errors ?? []).map((e) => (e.keyword === 'required' ? `${e.instancePath}/${e.params.missingProperty}` : e.instancePath))));
}

function eligibilityAnswer(route, fired) {
  return { route: route ?? null, fired: Object.keys(ELIGIBILITY_RULES).filter((r) => fired.has(r)) };
}

// The route rows whose effect is `needs_review`: a report shows a review only when nothing makes the
// application ineligible, so whether they appear depends on every ineligibility rule that runs.
const REVIEW_RULES = new Set(['C6-LEVEL.route', 'R-LV-7.b']);

/** `answer` as a report with this outcome shows it: the reviews hidden when it is ineligible. */
function asShown(answer, outcome) {
  return { route: answer.route, fired: answer.fired.filter((r) => outcome !== 'ineligible' || !REVIEW_RULES.has(r)) };
}

function zenAnswer(result) {
  const flags = result.fired ?? {};
  for (const [rule, key] of Object.entries(ELIGIBILITY_RULES)) {
    if (typeof flags[key] !== 'boolean') throw new Error(`ZEN fired.${key} is not a boolean: ${flags[key]} (${rule})`);
  }
  return { route: result.route ?? null, fired: Object.keys(ELIGIBILITY_RULES).filter((r) => flags[ELIGIBILITY_RULES[r]]) };
}

function logicResults(logic, doc) {
  const out = {};
  for (const [id, rule] of Object.entries(logic)) out[id] = jsonLogic.apply(rule, doc);
  return out;
}

async function checkAgreement(e, named, limit = 5) {
  const out = [];
  const kinds = {};
  let current = null;
  const note = (kind, line) => {
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (kinds[kind] <= limit) out.push(`${line}\n    application: ${JSON.stringify(current)}`);
  };
  for (const [name, doc] of named) {
    current = doc;
    const rs = {};
    try {
      for (const [k, engine] of Object.entries(e.baokao)) rs[k] = engine.validate(doc);
    } catch (err) {
      note('unjudged', `${name}: baokao could not judge it: ${err.code ?? err}`);
      continue;
    }
    const full = rs.full;
    const fired = firedRules(full);

    const bPaths = baokaoSchemaPaths(full);
    if (rs['schema-only'] && !same(baokaoSchemaPaths(rs['schema-only']), bPaths)) {
      note('overlay', `${name}: baokao schema-only overlay ${baokaoSchemaPaths(rs['schema-only'])} vs full pack ${bPaths}`);
    }
    const allValid = e.validateAll(doc);
    const aPaths = ajvPaths(e.validateAll.errors);
    if (e.validateFirst(doc) !== allValid) note('ajv', `${name}: ajv with and without allErrors disagree`);
    if (allValid !== (aPaths.length === 0)) note('ajv', `${name}: ajv valid but with errors`);
    if (!same(bPaths, aPaths)) note('ajv', `${name}: structure: baokao ${bPaths.length ? bPaths : 'valid'}, ajv ${aPaths.length ? aPaths : 'valid'}`);

    // Eligibility: ZEN against the overlay exactly (the full pack, with the reviews hidden where it is
    // ineligible, when the overlay could not be bundled); the overlay against the full pack likewise.
    const bElig = eligibilityAnswer(full.eligibility.route, fired);
    const oElig = rs.eligibility ? eligibilityAnswer(rs.eligibility.eligibility.route, firedRules(rs.eligibility)) : null;
    if (oElig && !same(asShown(oElig, full.eligibility.outcome), bElig)) {
      note('overlay', `${name}: baokao eligibility overlay ${JSON.stringify(oElig)} vs full pack ${JSON.stringify(bElig)}`);
    }
    try {
      const zElig = zenAnswer((await e.decision.evaluate(doc)).result);
      const ours = oElig ?? bElig;
      const theirs = oElig ? zElig : asShown(zElig, full.eligibility.outcome);
      if (!same(theirs, ours)) note('zen', `${name}: eligibility: baokao ${oElig ? '(overlay) ' : ''}${JSON.stringify(ours)}, ZEN ${JSON.stringify(theirs)}`);
    } catch (err) {
      note('zen', `${name}: ZEN failed: ${err.message ?? err}`);
    }

    const bCross = Object.keys(e.logic).filter((r) => fired.has(r));
    if (rs['cross-field']) {
      const o = Object.keys(e.logic).filter((r) => firedRules(rs['cross-field']).has(r));
      if (!same(o, bCross)) note('overlay', `${name}: baokao cross-field overlay ${o} vs full pack ${bCross}`);
    }
    try {
      const results = logicResults(e.logic, doc);
      if (Object.values(results).some((v) => typeof v !== 'boolean')) note('logic', `${name}: JSONLogic results are not all booleans: ${JSON.stringify(results)}`);
      const lCross = Object.keys(results).filter((r) => results[r] === false);
      if (!same(lCross, bCross)) note('logic', `${name}: cross-field: baokao fired [${bCross}], JSONLogic false for [${lCross}]`);
    } catch (err) {
      note('logic', `${name}: json-logic-js failed: ${err.message ?? err}`);
    }
  }
  return out;
}

/** Every compared rule must fire on some timed input and not on another, and every route value must
 * come out of some timed input; otherwise a peer rule replaced by a constant would still agree. The
 * complaints, one per rule or route. */
function coverage(e, docs) {
  const out = [];
  // The overlays' answers (which the peers matched), or the full pack's where an overlay is missing.
  const elig = docs.map((d) => (e.baokao.eligibility ?? e.baokao.full).validate(d));
  const cross = docs.map((d) => (e.baokao['cross-field'] ?? e.baokao.full).validate(d));
  const rules = [
    ...Object.keys(ELIGIBILITY_RULES).map((r) => [r, elig]),
    ...Object.keys(e.logic).map((r) => [r, cross]),
  ];
  for (const [rule, reports] of rules) {
    const n = reports.filter((r) => firedRules(r).has(rule)).length;
    if (n === 0) out.push(`${rule} never fires on the timed inputs (${docs.length} applications, all pass)`);
    else if (n === docs.length) out.push(`${rule} fires on every timed input (${n} applications, none passes)`);
  }
  const routes = new Set(elig.map((r) => r.eligibility.route ?? null));
  for (const route of ROUTES) if (!routes.has(route)) out.push(`no timed input gets route ${route ?? 'null (none)'}`);
  return out;
}

/** This harness's answers for full and invalid against peers/expected.json, where it exists. */
async function checkExpected(e, full, invalid) {
  const path = join(peers, 'expected.json');
  if (!existsSync(path)) return [];
  const expected = JSON.parse(readFileSync(path, 'utf8'));
  const out = [];
  for (const [name, doc] of [['full', full], ['invalid', invalid]]) {
    const report = e.baokao.full.validate(doc);
    const fired = firedRules(report);
    const paths = baokaoSchemaPaths(report);
    const elig = eligibilityAnswer(report.eligibility.route, fired);
    const mine = {
      schema: { valid: paths.length === 0, error_paths: paths },
      eligibility: { route: elig.route, fired: elig.fired.sort(), trial_met: (await e.decision.evaluate(doc)).result.trial_met ?? null },
      cross_field: Object.fromEntries(Object.keys(e.logic).map((r) => [r, !fired.has(r)])),
    };
    const theirs = (expected[name] ?? [])[0];
    if (!theirs) {
      out.push(`peers/expected.json has no \`${name}\``);
      continue;
    }
    for (const [part, value] of Object.entries(mine)) {
      const t = theirs[part];
      const equal = part === 'cross_field' ? same(t, value) : same({ ...t, fired: t?.fired ? [...t.fired].sort() : t?.fired }, { ...value, fired: value.fired });
      if (!equal) out.push(`peers/expected.json \`${name}\` ${part}: ${JSON.stringify(t)}, this harness: ${JSON.stringify(value)}`);
    }
  }
  return out;
}

// --- timing --------------------------------------------------------------------------------------

/** A measurement: mean ns per call of `fn` over `docs`, `repeat` passes (awaiting async results). */
function perCall(fn, docs, repeat, isAsync) {
  if (isAsync) {
    return async () => {
      const start = process.hrtime.bigint();
      for (let r = 0; r < repeat; r += 1) for (const doc of docs) await fn(doc);
      return Number(process.hrtime.bigint() - start) / (repeat * docs.length);
    };
  }
  return async () => {
    let sink = 0;
    const start = process.hrtime.bigint();
    for (let r = 0; r < repeat; r += 1) for (const doc of docs) if (fn(doc)) sink += 1;
    const ns = Number(process.hrtime.bigint() - start) / (repeat * docs.length);
    if (sink < 0) console.log(sink);
    return ns;
  };
}

async function callsFor(fn, doc, isAsync, budgetNs) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < 10; i += 1) isAsync ? await fn(doc) : fn(doc);
  const each = Number(process.hrtime.bigint() - start) / 10;
  return Math.max(10, Math.floor(budgetNs / Math.max(each, 1)));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** {document: {candidate: median ns per call}}; a document is one application or an array (the batch). */
async function measureTable(candidates, documents) {
  const result = {};
  for (const [label, doc] of Object.entries(documents)) {
    const measures = {};
    let rounds = ROUNDS;
    for (const [name, { fn, isAsync }] of Object.entries(candidates)) {
      if (Array.isArray(doc) && doc.length >= 1000) {
        measures[name] = perCall(fn, doc, 1, isAsync);
        rounds = BATCH_ROUNDS;
      } else if (Array.isArray(doc)) {
        // The few variants: passes over them repeated, like one application.
        const passes = Math.max(1, Math.floor((await callsFor(fn, doc[0], isAsync, 30e6)) / doc.length));
        measures[name] = perCall(fn, doc, passes, isAsync);
      } else {
        measures[name] = perCall(fn, [doc], await callsFor(fn, doc, isAsync, 30e6), isAsync);
      }
    }
    for (const m of Object.values(measures)) await m();
    const samples = Object.fromEntries(Object.keys(measures).map((k) => [k, []]));
    for (let r = 0; r < rounds; r += 1) for (const [k, m] of Object.entries(measures)) samples[k].push(await m());
    result[label] = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    console.error(`compare: measured ${label}`);
  }
  return result;
}

function us(ns) {
  const v = ns / 1000;
  return v >= 1000 ? v.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function renderTable(medians, peerNames) {
  const docs = Object.keys(medians);
  const names = Object.keys(medians[docs[0]]);
  const lines = [`| Candidate | ${docs.map((d) => `${d} µs`).join(' | ')} |`, `|---|${'---:|'.repeat(docs.length)}`];
  for (const c of names) lines.push(`| ${c} | ${docs.map((d) => us(medians[d][c])).join(' | ')} |`);
  lines.push('', `| baokao / peer | ${docs.join(' | ')} |`, `|---|${'---:|'.repeat(docs.length)}`);
  for (const ours of names.filter((c) => c.startsWith('baokao'))) {
    for (const theirs of peerNames) {
      lines.push(`| ${ours} / ${theirs} | ${docs.map((d) => (medians[d][ours] / medians[d][theirs]).toFixed(2)).join(' | ')} |`);
    }
  }
  return lines;
}

const version = (name) => require(`${name}/package.json`).version;

// --- main ----------------------------------------------------------------------------------------

async function main() {
  const outPath = ARGS[0];
  if (!outPath || ARGS.length !== 1 || outPath.startsWith('-')) {
    console.error('usage: node compare.mjs OUT.md [--quick]');
    process.exit(2);
  }
  const loadStart = loadavg()[0];
  const { full, batch } = loadFixtures();
  const invalid = invalidApplication(full);
  const e = await engines();

  const variants = derivedInputs(full, 'variants');
  const probeDocs = derivedInputs(full, 'probes');

  // Agreement before any timing, on the timed inputs and the probes: any disagreement is fatal.
  const named = [
    ['full.json', full],
    ['invalid application', invalid],
    ...variants.map(([label, d]) => [`variant “${label}”`, d]),
    ...batch.map((d, i) => [`applications-10k.jsonl line ${i + 1}`, d]),
  ];
  const probeNamed = probeDocs.map(([label, doc]) => [`probe “${label}”`, doc]);
  const t0 = Date.now();
  const disagreements = [
    ...(await checkAgreement(e, named)),
    ...(await checkAgreement(e, probeNamed)),
    ...(await checkExpected(e, full, invalid)),
  ];
  const uncovered = coverage(e, named.map(([, d]) => d));
  console.error(`compare: checked ${(named.length + probeNamed.length).toLocaleString('en')} documents in ${Math.round((Date.now() - t0) / 1000)} s`);
  if (disagreements.length) {
    console.error(`compare: baokao and its peers disagree; no timing. The first ${Math.min(10, disagreements.length)}:`);
    for (const line of disagreements.slice(0, 10)) console.error(`  ${line}`);
  }
  if (uncovered.length) {
    console.error('compare: a compared rule does not fire both ways on the timed inputs, so a peer could replace it by a constant and still agree; no timing (add an input to peers/variants.json):');
    for (const line of uncovered) console.error(`  ${line}`);
  }
  if (disagreements.length || uncovered.length) process.exit(1);
  if (process.env.COMPARE_CHECK_ONLY) {
    console.error('compare: every input and probe agrees, every compared rule fires both ways (COMPARE_CHECK_ONLY: no timing)');
    return;
  }

  const invalidReport = e.baokao.full.validate(invalid);
  const zenOwn = [];
  for (let i = 0; i < 101; i += 1) {
    const p = (await e.decision.evaluate(full)).performance;
    const m = /^([\d.]+)(ms|µs|us|ns|s)$/.exec(p);
    zenOwn.push(m ? Number(m[1]) * { ms: 1e6, µs: 1e3, us: 1e3, ns: 1, s: 1e9 }[m[2]] : NaN);
  }
  const batchReports = batch.map((d) => e.baokao.full.validate(d));
  const tally = {};
  for (const r of named.map(([, d]) => e.baokao.full.validate(d))) {
    const keys = [`route ${r.eligibility.route}`, ...[...firedRules(r)].filter((x) => x in ELIGIBILITY_RULES || x in e.logic)];
    for (const k of keys) tally[k] = (tally[k] ?? 0) + 1;
  }
  const facts = {
    batchTally: Object.fromEntries(Object.entries(tally).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    batchStructInvalid: batchReports.filter((r) => baokaoSchemaPaths(r).length > 0).length,
    invalidPaths: baokaoSchemaPaths(invalidReport),
    invalidRoute: invalidReport.eligibility.route,
    invalidFired: sorted(firedRules(invalidReport)),
    zenOwnNs: median(zenOwn),
    expectedChecked: existsSync(join(peers, 'expected.json')),
  };

  const sub = batch.slice(0, BATCH);
  const docs = { full, invalid, [`variants (${variants.length})`]: variants.map(([, d]) => d), [`batch (${sub.length.toLocaleString('en')})`]: sub };
  const b = e.baokao;
  const sync = (fn) => ({ fn, isAsync: false });
  const overlay = (name, label, fn) => (b[name] ? { [label]: sync(fn) } : {});

  const structure = await measureTable(
    {
      'baokao `validate`, full pack': sync((d) => b.full.validate(d).valid),
      ...overlay('schema-only', 'baokao `validate`, schema-only overlay', (d) => b['schema-only'].validate(d).valid),
      'ajv, allErrors': sync((d) => e.validateAll(d) || e.validateAll.errors.length),
      'ajv, first error': sync((d) => e.validateFirst(d)),
    },
    docs,
  );
  const eligibility = await measureTable(
    {
      'baokao `validate`, full pack': sync((d) => b.full.validate(d).eligibility.route),
      ...overlay('eligibility', 'baokao `validate`, eligibility overlay', (d) => b.eligibility.validate(d).eligibility.route),
      'ZEN `await decision.evaluate(object)`': { fn: async (d) => (await e.decision.evaluate(d)).result, isAsync: true },
    },
    docs,
  );
  const cross = await measureTable(
    {
      'baokao `validate`, full pack': sync((d) => firedRules(b.full.validate(d)).size + 1),
      ...overlay('cross-field', 'baokao `validate`, cross-field overlay', (d) => firedRules(b['cross-field'].validate(d)).size + 1),
      'json-logic-js `apply` ×6': sync((d) => logicResults(e.logic, d)),
    },
    docs,
  );

  const loadEnd = loadavg()[0];
  const lines = [
    '### Node: baokao (WebAssembly) against ajv, ZEN and json-logic-js',
    '',
    (QUICK ? '**A `--quick` smoke run: not for publication.** ' : '') +
    `\`benches/compare/node/compare.mjs\`, one run on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ` +
      `${cpus().length} cores, load average ${loadStart.toFixed(1)} at the start and ${loadEnd.toFixed(1)} at the end. ` +
      `baokao ${JSON.parse(readFileSync(join(root, 'bindings-wasm', 'package.json'), 'utf8')).version} (bindings-wasm/pkg, ` +
      `bundle nmec-2024), ajv ${version('ajv')}, ajv-formats ${version('ajv-formats')}, @gorules/zen-engine ` +
      `${version('@gorules/zen-engine')}, json-logic-js ${version('json-logic-js')}.`,
    '',
    `µs per application: the median over ${ROUNDS} rounds (batch: ${BATCH_ROUNDS}) of the mean time per call within a ` +
      'round, after a warm-up round; the candidates of a document are measured in turn within each round. *full*: ' +
      'full.json (valid, eligible); *invalid*: the invalid application of peers/README.md; *batch*: one call per ' +
      `application on the first ${sub.length.toLocaleString('en')} of applications-10k.jsonl. Every input is a JavaScript ` +
      'object (already parsed).',
    '',
    'What each candidate does per call:',
    '',
    '- baokao `validate(object)`: `JSON.stringify` of the object, the copy into WebAssembly memory, the core ' +
      'parses and runs the pack (schema stage, rules, decisions, the eligibility decision), renders a report with ' +
      'Chinese messages and citations as JSON, and `JSON.parse` turns it into an object. *Full pack*: the shipped ' +
      '2024 bundle. *Overlays* (benches/compare/packs/, bundled by the Rust CLI; as in the Rust harness): every ' +
      'rule and decision disabled except those compared (the schema stage always runs).' +
      (Object.keys(b).length < 4 ? ' Some overlays could not be bundled here, so their rows are missing.' : ''),
    '- ajv: the schema compiled once (`ajv/dist/2020`, ajv-formats for `date` and `date-time`, `strict: false`); ' +
      '`allErrors: true` collects every error with its path, the default stops at the first.',
    '- ZEN: `await decision.evaluate(object)` on the decision created once (`new ZenEngine().createDecision`); ' +
      `the call is asynchronous (a promise per call). The graph's own \`performance\` field reported a median of ` +
      `${us(facts.zenOwnNs)} µs for full.json; the rest is the binding (conversion in and out, the promise).`,
    '- json-logic-js: `jsonLogic.apply(rule, object)` for each of the six rules (it interprets the rule each time; ' +
      'there is no compile step).',
    '',
    '#### Agreement (checked before timing)',
    '',
    `On all ${named.length.toLocaleString('en')} timed documents (full.json, the invalid application, the ${variants.length} ` +
      `variants, the 10,000 of applications-10k.jsonl) and on ${probeDocs.length} probes (copies of full.json with one ` +
      'structural change each, peers/variants.json; checked, not timed) every peer gave baokao\'s answer, and each ' +
      'overlay the full pack\'s; any difference would have stopped the run:',
    '',
    '- structure: the set of JSON pointers with an error — baokao\'s diagnostics of severity `error` with a schema ' +
      'code (docs/report.md) against ajv\'s `instancePath`s (a missing required key at its own path) — so ' +
      'valid/invalid too; ajv with and without `allErrors` agree on validity;',
    '- eligibility: ZEN\'s `route` = the report\'s `eligibility.route`, and ZEN\'s ten `fired.*` flags = whether ' +
      'each rule they name fired (a diagnostic\'s `rule`, or a reason, condition or restriction other than an ' +
      '`undetermined` one, as the core\'s `Report::fired`);',
    '- cross-field: each JSONLogic result is a boolean, `false` exactly for the rules baokao fired.',
    '',
    `The invalid application: schema errors at ${facts.invalidPaths.join(', ')}; route ${facts.invalidRoute}; fired (rule ids, or codes for schema diagnostics) ` +
      `${facts.invalidFired.join(', ')}. In the batch, ${facts.batchStructInvalid.toLocaleString('en')} applications have a ` +
      'schema error, so structural *invalidity* is exercised by the invalid application and the probes. Every compared ' +
      'rule fires on some timed input and passes on another, and every route value comes out of one (checked before ' +
      'timing: otherwise the harness refuses to time). What the timed inputs exercise (applications per route, and per ' +
      'compared rule that fired): ' +
      `${Object.entries(facts.batchTally).map(([k, n]) => `${k} ${n.toLocaleString('en')}`).join(', ')}.` +
      (facts.expectedChecked ? " baokao's answers for full and invalid also match peers/expected.json." : ''),
    '',
  ];
  for (const [title, medians, peerNames] of [
    ['1. Structural field checks: JSON Schema (ajv) against baokao', structure, ['ajv, allErrors', 'ajv, first error']],
    ['2. Eligibility decision: ZEN decision graph against baokao', eligibility, ['ZEN `await decision.evaluate(object)`']],
    ['3. Six cross-field rules: JSONLogic (json-logic-js) against baokao', cross, ['json-logic-js `apply` ×6']],
  ]) {
    lines.push(`#### ${title}`, '', ...renderTable(medians, peerNames), '');
  }
  const md = `${lines.join('\n')}\n`;
  mkdirSync(dirname(resolve(outPath)), { recursive: true });
  writeFileSync(outPath, md);
  console.log(md);
}

await main();
