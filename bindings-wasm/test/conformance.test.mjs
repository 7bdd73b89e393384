// Conformance: every example of the 2024 pack, validated by the WebAssembly engine, gives exactly
// the report of the Rust core (the conformance vectors written by `baokao test --write-vectors`),
// in Chinese and in English, whether the application is passed as an object or as JSON text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBaokao, bundleText, vectors, repoRoot } from './helpers.mjs';

const { Engine } = await loadBaokao();
const engine = Engine.fromBundle(bundleText());
const all = vectors();

test('the vectors hold the pack examples with both languages', () => {
  assert.ok(all.length >= 100, `only ${all.length} vectors`);
  for (const v of all) {
    assert.equal(typeof v.name, 'string');
    assert.ok(v.reports.zh && v.reports.en, v.name);
  }
});

for (const v of all) {
  test(`vector ${v.name}${v.step ? ` (step ${v.step})` : ''}`, () => {
    for (const lang of ['zh', 'en']) {
      const expected = v.reports[lang];
      const fromObject = v.step
        ? engine.validateStep(v.step, v.document, { lang })
        : engine.validate(v.document, { lang });
      assert.deepStrictEqual(fromObject, expected, `${v.name} ${lang}`);
      const text = JSON.stringify(v.document);
      const fromText = v.step
        ? engine.validateStep(v.step, text, { lang })
        : engine.validate(text, { lang });
      assert.deepStrictEqual(fromText, expected, `${v.name} ${lang} (JSON text)`);
    }
  });
}

test('2,000 seeded mutations give the core reports and error codes', () => {
  // Written by scripts/test-wasm.sh with `baokao test --write-mutations`: messy documents and
  // unreadable text, with the core's reports (or error code) in both languages. Documents are
  // judged from their JSON text: JSON.parse would round 9007199254740993 before the engine sees it.
  const path = join(repoRoot, 'target/conformance/mutations.jsonl');
  const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2000);
  for (const v of lines) {
    const app = v.json ?? v.text;
    for (const lang of ['zh', 'en']) {
      let report;
      try {
        report = v.step ? engine.validateStep(v.step, app, { lang }) : engine.validate(app, { lang });
      } catch (e) {
        assert.ok(v.error, `${v.name}: ${JSON.stringify(e)}`);
        assert.equal(e.code, v.error.code, v.name);
        continue;
      }
      assert.ok(v.reports, `${v.name}: the core could not judge it (${JSON.stringify(v.error)})`);
      assert.deepStrictEqual(report, v.reports[lang], `${v.name} ${lang}`);
    }
  }
});
