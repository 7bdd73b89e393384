// Conformance: every example of the 2024 pack, validated by the WebAssembly engine, gives exactly
// the report of the Rust core (the conformance vectors written by `baokao test --write-vectors`),
// in Chinese and in English, whether the application is passed as an object or as JSON text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBaokao, bundleText, vectors } from './helpers.mjs';

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
