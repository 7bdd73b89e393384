// What goes into the engine from JavaScript is what the caller meant, and what comes out never
// shows a masked field beyond its mask.
//   * Objects are not routed silently through JSON.stringify: NaN and infinities, integers a
//     number cannot hold exactly, binary data and Maps throw coded errors with their path;
//     BigInts are written exactly; a Buffer, Uint8Array or ArrayBuffer is read as UTF-8 JSON text.
//   * Seeded random ID numbers, passwords and recovery answers go through every call (reports in
//     both languages, traces, step and field results) and every error: no run of 6 or more of
//     their characters appears (also after removing `-`, so an ID's birth date shown as
//     `1998-05-14` counts), beyond the documented mask (`430***********0318`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBaokao, bundleText, example, thrown } from './helpers.mjs';

const { Engine } = await loadBaokao();
const engine = Engine.fromBundle(bundleText());
const clinical = example('a-clinical-bachelor.json');

function assertCoded(e, code, path) {
  assert.equal(e instanceof Error, false, `a plain object, not an Error: ${e}`);
  assert.equal(e.code, code, JSON.stringify(e));
  assert.equal(e.path, path, JSON.stringify(e));
  assert.equal(typeof e.message, 'string');
}

function withRecord(record) {
  return { ...structuredClone(clinical), record };
}

test('a ban of 1e400 years is refused, not turned into null (which lifted the ban)', () => {
  const e = thrown(() => engine.validate(withRecord({ ban_until_year: 1e400 })));
  assertCoded(e, 'unsupported_number', '/record/ban_until_year');
  // The same document as text was already refused by the core.
  const text = JSON.stringify(withRecord({ ban_until_year: 0 })).replace('"ban_until_year":0', '"ban_until_year":1e400');
  assertCoded(thrown(() => engine.validate(text)), 'malformed_json', '');
  for (const bad of [NaN, Infinity, -Infinity]) {
    assertCoded(thrown(() => engine.validate(withRecord({ ban_until_year: bad }))), 'unsupported_number', '/record/ban_until_year');
  }
  // A ban that is a number works as before.
  assert.equal(engine.validate(withRecord({ ban_until_year: 2030 })).eligibility.outcome, 'ineligible');
});

test('integers a number cannot hold exactly are refused; BigInts are written exactly', () => {
  // 9223372036854775807 is 9223372036854775808 as a JavaScript number.
  const big = thrown(() => engine.validate(withRecord({ ban_until_year: 9223372036854775807 })));
  assertCoded(big, 'unsupported_number', '/record/ban_until_year');
  assertCoded(thrown(() => engine.validate({ basic: { photo_width: 2 ** 53 } })), 'unsupported_number', '/basic/photo_width');
  assertCoded(thrown(() => engine.validate({ training: { records: [{ x: -(2 ** 60) }] } })), 'unsupported_number', '/training/records/0/x');
  // Safe integers and fractions are written as JSON.stringify writes them.
  assert.deepStrictEqual(engine.validate({ basic: { photo_width: 2 ** 53 - 1, photo_kb: 24.6 } }), engine.validate('{"basic":{"photo_width":9007199254740991,"photo_kb":24.6}}'));
  // A BigInt reaches the core digit for digit, as the same text does.
  for (const [value, digits] of [[2030n, '2030'], [9223372036854775807n, '9223372036854775807'], [-9223372036854775808n, '-9223372036854775808'], [18446744073709551615n, '18446744073709551615']]) {
    const text = JSON.stringify(withRecord({ ban_until_year: 0 })).replace('"ban_until_year":0', `"ban_until_year":${digits}`);
    assert.deepStrictEqual(engine.validate(withRecord({ ban_until_year: value })), engine.validate(text), digits);
  }
  assertCoded(thrown(() => engine.validate(withRecord({ ban_until_year: 2n ** 64n }))), 'unsupported_number', '/record/ban_until_year');
});

test('a Buffer, Uint8Array or ArrayBuffer is the UTF-8 JSON text of the application', () => {
  const text = JSON.stringify(clinical);
  const expected = engine.validate(text);
  assert.equal(expected.valid, true);
  const bytes = new TextEncoder().encode(text);
  assert.deepStrictEqual(engine.validate(Buffer.from(text, 'utf8')), expected);
  assert.deepStrictEqual(engine.validate(bytes), expected);
  assert.deepStrictEqual(engine.validate(bytes.buffer), expected);
  assert.deepStrictEqual(engine.validateStep('basic', Buffer.from(text)), engine.validateStep('basic', text));
  assert.deepStrictEqual(engine.validateField('/basic/name', bytes), engine.validateField('/basic/name', text));
  assertCoded(thrown(() => engine.validate(new Uint8Array([0x7b, 0xff, 0x7d]))), 'malformed_json', '');
  assertCoded(thrown(() => engine.validate(new Uint16Array(4))), 'unsupported_type', '');
});

test('what JSON.stringify would drop or mangle inside an object is refused with its path', () => {
  const cases = [
    [{ basic: { name: new Map([['a', 1]]) } }, '/basic/name'],
    [{ basic: new Set(['x']) }, '/basic'],
    [{ basic: { name: new Uint8Array(3) } }, '/basic/name'],
    [{ basic: { name: Buffer.from('张三') } }, '/basic/name'],
    [{ basic: { name: () => '张三' } }, '/basic/name'],
    [{ basic: { name: Symbol('x') } }, '/basic/name'],
    [{ 'a/b': { '~': [1, NaN] } }, '/a~1b/~0/1'],
  ];
  for (const [doc, path] of cases) {
    const e = thrown(() => engine.validate(doc));
    assert.ok(['unsupported_type', 'unsupported_number'].includes(e.code), JSON.stringify(e));
    assert.equal(e.path, path);
  }
  // Dates (toJSON), boxed values and undefined members behave as in JSON.stringify.
  const when = new Date('2024-01-25T02:15:00Z');
  const doc = { ...structuredClone(clinical), submission: { ...clinical.submission, submitted_at: when } };
  doc.basic.nickname = undefined;
  doc.basic.photo_width = new Number(295);
  assert.deepStrictEqual(engine.validate(doc), engine.validate(JSON.stringify(doc)));
});

// --- masked values ---------------------------------------------------------------------------

const RUN = 6;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789';
const HAN = Array.from({ length: 400 }, (_, i) => String.fromCharCode(0x4e00 + i)).join('');

/** mulberry32: a seeded generator, so a failure can be replayed. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo));
  const pick = (xs) => xs[int(0, xs.length)];
  return { next, int, pick };
}

function randomId(r) {
  const pad = (n, w) => String(n).padStart(w, '0');
  const digits =
    r.pick(['11', '12', '31', '32', '37', '44', '51', '53', '61', '65', '81', '99']) +
    pad(r.int(0, 10000), 4) + pad(r.int(1940, 2010), 4) + pad(r.int(1, 13), 2) + pad(r.int(1, 29), 2) + pad(r.int(0, 1000), 3);
  const sum = [...digits].reduce((s, d, i) => s + Number(d) * WEIGHTS[i], 0);
  const good = '10X98765432'[sum % 11];
  return digits + (r.next() < 0.7 ? good : good === '0' ? '1' : '0');
}

const randomText = (r, alphabet, lo, hi) => Array.from({ length: r.int(lo, hi) }, () => r.pick([...alphabet])).join('');

function runs(secret) {
  const chars = [...secret];
  const out = new Set();
  for (let i = 0; i + RUN <= chars.length; i += 1) out.add(chars.slice(i, i + RUN).join(''));
  return out;
}

function leaks(secret, text) {
  const views = [text, text.replaceAll('-', '')];
  return [...runs(secret)].filter((r) => views.some((v) => v.includes(r)));
}

function application(r, secrets) {
  const doc = structuredClone(clinical);
  doc.basic.id_type = r.pick(['居民身份证', '居民身份证', '港澳台居民居住证', '外籍护照']);
  doc.basic.gender = r.pick(['男', '女']);
  doc.basic.birth_date = `${r.int(1950, 2005)}-${String(r.int(1, 13)).padStart(2, '0')}-${String(r.int(1, 29)).padStart(2, '0')}`;
  for (const [step, key] of [['basic', 'id_number'], ['account', 'password'], ['account', 'recovery_answer']]) {
    if (secrets) doc[step][key] = secrets[key];
    else delete doc[step][key];
  }
  return doc;
}

function errorText(call) {
  try {
    call();
  } catch (e) {
    return `${JSON.stringify(e)} ${String(e?.message)} ${e?.path}`;
  }
  return '';
}

function outputs(doc, secrets) {
  const out = [];
  for (const lang of ['zh', 'en']) {
    out.push(JSON.stringify(engine.validate(doc, { lang })));
    out.push(JSON.stringify(engine.explain(doc, { lang })));
    out.push(JSON.stringify(engine.validateStep('basic', doc, { lang })));
    out.push(JSON.stringify(engine.validateStep('account', doc, { lang })));
    out.push(JSON.stringify(engine.validateField('/basic/id_number', doc, { lang })));
    out.push(JSON.stringify(engine.validateField('/account/password', doc, { lang })));
    out.push(JSON.stringify(engine.explain(Buffer.from(JSON.stringify(doc)), { lang })));
  }
  const text = JSON.stringify(doc);
  for (const value of Object.values(secrets)) {
    const at = text.indexOf(value);
    if (at >= 0) out.push(errorText(() => engine.validate(text.slice(0, at + value.length))));
    if (/^[0-9]+$/.test(value)) {
      // The ID number given as a number JavaScript cannot hold exactly.
      const bad = structuredClone(doc);
      bad.basic.id_number = Number(`${value}1234`);
      out.push(errorText(() => engine.validate(bad)));
      bad.basic.id_number = BigInt(`${value}1234`);
      out.push(errorText(() => engine.validate(bad)));
    }
  }
  return out.join('\n');
}

test('no run of a masked value leaves the JavaScript binding', () => {
  const r = rng(20240612);
  for (let n = 0; n < 40; n += 1) {
    const secrets = {
      id_number: randomId(r),
      password: randomText(r, ALNUM + (r.next() < 0.3 ? '_!@#.-' : ''), 6, 25),
      recovery_answer: randomText(r, HAN + ALNUM, 6, 41),
    };
    const seed = r.int(0, 2 ** 31);
    const shown = outputs(application(rng(seed), secrets), secrets);
    const baseline = outputs(application(rng(seed), null), secrets);
    for (const value of Object.values(secrets)) {
      const before = new Set(leaks(value, baseline));
      const found = leaks(value, shown).filter((x) => !before.has(x));
      assert.deepEqual(found, [], `runs of the masked value ${value} appear in the binding's outputs`);
    }
  }
});
