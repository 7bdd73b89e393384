// baokao — validate physician licensing exam registrations in the browser and in Node.
//
// The public API of the npm package `baokao` (an ES module). It wraps the raw wasm-bindgen
// exports of `baokao_wasm.js`:
//   * applications go in as JSON text — the caller's own string or bytes (UTF-8), or an object
//     written here by `jsonText`, which refuses (with a coded error and the path) what
//     `JSON.stringify` would silently change: NaN and infinities (`null`), integers beyond
//     ±(2^53−1) that a number cannot hold exactly, binary data and Maps — so the Rust core sees
//     the application the caller meant, and applies its size and depth limits before parsing;
//   * reports come back as the core's JSON text, parsed with `JSON.parse` into plain objects —
//     the same bytes the Rust API, the CLI and the Python binding produce;
//   * errors are thrown as plain `{code, message, path}` objects with the core's stable codes;
//   * a trap (a Rust panic aborts the WebAssembly instance, as does running out of memory) is
//     caught here: the instance is re-created from the same compiled module, every Engine
//     recompiles its bundle lazily on its next call, and the failed call throws
//     `{code: "engine_trapped"}`. The module stays usable.
// See README.md beside package.json.

import initGlue, {
  initSync as initGlueSync,
  RawEngine,
  __wbg_reset_state as resetInstance,
  __panicForTest as rawPanicForTest,
  __lastPanic as rawLastPanic,
} from './baokao_wasm.js';

const WASM_URL = new URL('./baokao_wasm_bg.wasm', import.meta.url);

let ready = false;
let initializing;
// Bumped each time the WebAssembly instance is re-created; engines compiled in an older
// instance recompile themselves from their bundle text.
let generation = 0;
let traps = 0;

/** The URL of a rule pack bundle shipped in this package (`packs/<id>.json`). */
export function packUrl(id = 'nmec-2024') {
  return new URL(`./packs/${id}.json`, import.meta.url);
}

function isFileUrl(source) {
  if (source instanceof URL) return source.protocol === 'file:';
  return typeof source === 'string' && source.startsWith('file:');
}

async function readFileUrl(url) {
  // Node (and Deno, Bun) read `file:` URLs from disk; `fetch` cannot.
  const { readFile } = await import('node:fs/promises');
  return readFile(url instanceof URL ? url : new URL(url));
}

/**
 * Load and instantiate the WebAssembly module once. Without an argument the `.wasm` file next
 * to this module is fetched (browsers) or read from disk (Node). Accepts a URL, a Response, the
 * bytes, or a compiled `WebAssembly.Module`.
 */
export async function init(source) {
  if (ready) return;
  if (!initializing) {
    initializing = (async () => {
      let input = source ?? WASM_URL;
      if (isFileUrl(input)) input = await readFileUrl(input);
      await initGlue({ module_or_path: input });
      ready = true;
    })();
    initializing.catch(() => {
      initializing = undefined;
    });
  }
  await initializing;
}

/** Instantiate synchronously from the bytes of the `.wasm` file or a compiled module. */
export function initSync(module) {
  if (ready) return;
  initGlueSync({ module });
  ready = true;
}

function error(code, message, path = '') {
  return { code, message, path };
}

function isTrap(e) {
  // A trap is a WebAssembly.RuntimeError (`unreachable` after a panic, out of bounds …); a
  // stack overflow inside WebAssembly surfaces as a RangeError.
  return e instanceof WebAssembly.RuntimeError || e instanceof RangeError;
}

function recover(e) {
  traps += 1;
  let detail = '';
  try {
    // The trapped instance can still be read: the panic hook left its message there.
    detail = rawLastPanic() ?? '';
  } catch {
    // Nothing to read; the trap message is enough.
  }
  try {
    resetInstance();
    generation += 1;
  } catch (again) {
    ready = false;
    initializing = undefined;
    return error(
      'engine_trapped',
      `the WebAssembly engine trapped (${e.message}) and could not be re-created (${again.message}); call init() again`,
    );
  }
  const why = detail ? `${e.message}: ${detail}` : e.message;
  return error(
    'engine_trapped',
    `the WebAssembly engine trapped (${why}); it was re-created and the next call will work`,
  );
}

function translate(e) {
  if (typeof e === 'string') {
    // The raw exports throw the JSON text of {code, message, path[, details]}.
    try {
      return JSON.parse(e);
    } catch {
      return error('internal_error', e);
    }
  }
  if (isTrap(e)) return recover(e);
  return e;
}

function guard(call) {
  try {
    return call();
  } catch (e) {
    throw translate(e);
  }
}

function assertReady() {
  if (!ready) {
    throw error('not_initialized', 'call `await init()` (or `initSync()`) before using baokao');
  }
}

// Deepest nesting of arrays and objects (the core's MAX_DOCUMENT_DEPTH).
const MAX_DEPTH = 64;
// Integers a BigInt may carry into the JSON text: those of 64 bits, as the Python binding accepts.
const INT_MIN = -(2n ** 63n);
const INT_MAX = 2n ** 64n - 1n;

/** The JSON pointer of the keys from the root. */
function pointerOf(keys) {
  return keys.map((k) => `/${String(k).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

function isBinary(value) {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function isBoxed(value) {
  return value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt;
}

function refuse(code, what, keys) {
  const path = pointerOf(keys);
  throw error(code, `${what} at \`${path}\``, path);
}

/**
 * Checks that `JSON.stringify` writes `value` (the member `key` of its holder) as the caller
 * meant it, throwing a coded error naming the path otherwise — never the value, which may be a
 * masked field such as an ID number:
 *   * a NaN or an infinity (`JSON.stringify` writes `null`, and a ban would vanish);
 *   * an integer beyond ±(2^53−1), which a JavaScript number cannot hold exactly (pass a BigInt
 *     or a string); a BigInt beyond 64 bits;
 *   * binary data, Maps and Sets (written as `{}` or as numbered keys), functions and symbols;
 *   * a cycle (`malformed_json`) and nesting deeper than the core accepts (`too_deep`).
 * Returns whether a BigInt was found (which `JSON.stringify` cannot write at all).
 */
function inspect(value, key, keys, depth, open) {
  // Primitives first: they are most of an application.
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return false;
    case 'number':
      if (!Number.isFinite(value)) refuse('unsupported_number', 'a NaN or infinite number is not JSON', keys);
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        refuse('unsupported_number', 'an integer beyond ±(2^53−1) cannot be held exactly by a JavaScript number (pass a BigInt or a string)', keys);
      }
      return false;
    case 'function':
    case 'symbol':
      return refuse('unsupported_type', `a ${typeof value} is not JSON`, keys);
    default:
      break;
  }
  if (value === null) return false;
  // Binary data first: a Buffer's `toJSON` writes its bytes as a list of numbers.
  if (isBinary(value)) refuse('unsupported_type', 'binary data is not JSON', keys);
  // As JSON.stringify: `toJSON` once (a Date), then boxed primitives unwrapped.
  if (typeof value.toJSON === 'function') {
    value = value.toJSON(String(key));
    if (value === null || (typeof value !== 'object' && typeof value !== 'bigint')) {
      return inspect(value, key, keys, depth, open);
    }
  }
  if (isBoxed(value)) value = value.valueOf();
  if (typeof value === 'bigint') {
    if (value < INT_MIN || value > INT_MAX) refuse('unsupported_number', 'an integer that does not fit in 64 bits', keys);
    return true;
  }
  if (typeof value !== 'object') return inspect(value, key, keys, depth, open);
  if (isBinary(value)) refuse('unsupported_type', 'binary data is not JSON', keys);
  if (value instanceof Map || value instanceof Set || value instanceof WeakMap || value instanceof WeakSet) {
    refuse('unsupported_type', `a ${value.constructor.name} is not JSON`, keys);
  }
  if (depth >= MAX_DEPTH) refuse('too_deep', `arrays and objects nest deeper than ${MAX_DEPTH} levels`, keys);
  if (open.has(value)) refuse('malformed_json', 'the application contains a cycle', keys);
  open.add(value);
  let big = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      keys.push(i);
      big = inspect(value[i], i, keys, depth + 1, open) || big;
      keys.pop();
    }
  } else {
    for (const k of Object.keys(value)) {
      keys.push(k);
      big = inspect(value[k], k, keys, depth + 1, open) || big;
      keys.pop();
    }
  }
  open.delete(value);
  return big;
}

/**
 * JSON text of an application object: `JSON.stringify`, after `inspect` has refused what it
 * would silently change. BigInts (of up to 64 bits) are written exactly, digit for digit.
 * `toJSON` (a Date) and boxed primitives are honoured; `undefined` members are left out and
 * `undefined` items are `null`, as `JSON.stringify` does (absent and null mean the same).
 */
function jsonText(application) {
  const big = inspect(application, '', [], 0, new Set());
  if (!big) {
    // `undefined` has no JSON form: the core reports `not_an_object`.
    return JSON.stringify(application) ?? 'null';
  }
  // Rare: write each BigInt as a string holding a random tag and its digits, then unquote those.
  // The tag (some 20 random characters) makes a clash with the application's own text negligible.
  const random = () => Math.random().toString(36).slice(2, 12).padEnd(10, '0');
  const tag = `baokao-bigint-${random()}${random()}-`;
  const text = JSON.stringify(application, (_, v) => (typeof v === 'bigint' ? `${tag}${v}` : v)) ?? 'null';
  return text.replace(new RegExp(`"${tag}(-?[0-9]+)"`, 'g'), '$1');
}

function applicationText(application) {
  if (typeof application === 'string') return application;
  if (application instanceof Uint8Array || application instanceof ArrayBuffer) {
    // A Node Buffer is a Uint8Array: the bytes of JSON text, read as UTF-8.
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(application);
    } catch {
      throw error('malformed_json', 'the application bytes are not UTF-8 text');
    }
  }
  if (ArrayBuffer.isView(application)) {
    throw error('unsupported_type', 'an application is JSON text (a string, UTF-8 bytes) or an object');
  }
  return jsonText(application);
}

function bundleText(bundle) {
  if (typeof bundle === 'string') return bundle;
  if (bundle instanceof Uint8Array || bundle instanceof ArrayBuffer) {
    return new TextDecoder().decode(bundle);
  }
  if (bundle === null || typeof bundle !== 'object') {
    throw error('json_syntax', 'a bundle is the JSON text or the object written by `baokao bundle`');
  }
  return JSON.stringify(bundle);
}

function langOf(options) {
  if (options === undefined || options === null) return '';
  if (typeof options !== 'object') {
    throw error('invalid_option', 'options must be an object such as {lang: "en"}');
  }
  const { lang } = options;
  if (lang === undefined || lang === null) return '';
  if (typeof lang !== 'string') throw error('invalid_option', '`lang` must be "zh" or "en"');
  return lang;
}

function digestOf(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') {
    throw error('invalid_option', 'options must be an object such as {digest: "sha256:…"}');
  }
  const { digest } = options;
  if (digest === undefined || digest === null) return undefined;
  if (typeof digest !== 'string') {
    throw error('invalid_option', '`digest` must be a string such as "sha256:…"');
  }
  return digest;
}

const CONSTRUCT = Symbol('baokao.Engine');

/** A compiled rule pack. Create one with `Engine.fromBundle` (or `Engine.load`). */
export class Engine {
  #bundle;
  #digest;
  #raw;
  #generation;
  #form = new Map();

  constructor(token, bundle, digest, raw) {
    if (token !== CONSTRUCT) {
      throw new TypeError('use Engine.fromBundle(json) or Engine.load(url)');
    }
    this.#bundle = bundle;
    this.#digest = digest;
    this.#raw = raw;
    this.#generation = generation;
  }

  /**
   * Compile a bundle: its JSON text, the parsed object, or its bytes. `{digest: "sha256:…"}`
   * pins the pack: any other content throws `digest_mismatch`.
   */
  static fromBundle(bundle, options) {
    assertReady();
    const digest = digestOf(options);
    const text = bundleText(bundle);
    const raw = guard(() => RawEngine.fromBundle(text, digest));
    return new Engine(CONSTRUCT, text, digest, raw);
  }

  /** Initialise the module if needed, fetch (or read) a bundle and compile it (options as for `fromBundle`). */
  static async load(source = packUrl(), options = undefined) {
    digestOf(options);
    await init();
    let text;
    try {
      if (isFileUrl(source)) {
        text = new TextDecoder().decode(await readFileUrl(source));
      } else {
        const response = await fetch(source);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        text = await response.text();
      }
    } catch (e) {
      throw error('io_error', `cannot read the bundle ${source}: ${e.message}`);
    }
    return Engine.fromBundle(text, options);
  }

  #engine() {
    if (this.#raw === undefined) throw error('engine_freed', 'this Engine was freed');
    assertReady();
    if (this.#generation !== generation) {
      // The instance was re-created after a trap: compile this engine again in the new one.
      this.#raw = guard(() => RawEngine.fromBundle(this.#bundle, this.#digest));
      this.#generation = generation;
    }
    return this.#raw;
  }

  #run(application, options, step, explain) {
    const text = applicationText(application);
    const lang = langOf(options);
    const raw = this.#engine();
    return JSON.parse(guard(() => raw.run(text, lang, step, explain)));
  }

  /** Validate a whole application. */
  validate(application, options) {
    return this.#run(application, options, undefined, false);
  }

  /** Judge only what one step of the form can know (the form validating as the candidate goes). */
  validateStep(step, application, options) {
    if (typeof step !== 'string') throw error('unknown_step', 'the step must be a step id such as "basic"');
    return this.#run(application, options, step, false);
  }

  /** Validate with the trace of every rule and decision and the values they saw. */
  explain(application, options) {
    return this.#run(application, options, undefined, true);
  }

  /**
   * The printable registration success notice (报名成功通知单) of an application: one A4 HTML page,
   * identical to `baokao notice` and Python's `engine.notice()`. Throws `{code: 'notice_refused'}`
   * for an invalid, ineligible or undetermined application.
   */
  notice(application, options) {
    const text = applicationText(application);
    const lang = langOf(options);
    const raw = this.#engine();
    return guard(() => raw.notice(text, lang));
  }

  /**
   * What a live form shows next to one field: the diagnostics at the field's JSON pointer (and
   * eligibility findings pointing at it) from a step-wise validation of the field's step.
   * `path` is a JSON pointer (`/basic/id_number`, `/certificates/records/0/cert_no`) or a
   * dotted `step.field`.
   */
  validateField(path, application, options) {
    if (typeof path !== 'string') throw error('unknown_field', 'the path must be a string such as "/basic/name"');
    const text = applicationText(application);
    const lang = langOf(options);
    const raw = this.#engine();
    return JSON.parse(guard(() => raw.validateField(path, text, lang)));
  }

  /** The step ids in form order. */
  steps() {
    const raw = this.#engine();
    return JSON.parse(guard(() => raw.steps()));
  }

  /**
   * The form as the pack describes it, its texts in `options.lang` (docs/form.md): steps in order
   * and per field its type, label, help, options with labels, checks, and whether it is required,
   * masked, derived, measured from a file or filled from the clock. The same document as
   * `baokao form` and Python's `engine.form()`. A fresh copy on each call.
   */
  form(options) {
    const lang = langOf(options);
    const raw = this.#engine();
    // The form of a pack never changes: keep the core's JSON text per language.
    if (!this.#form.has(lang)) this.#form.set(lang, guard(() => raw.form(lang)));
    return JSON.parse(this.#form.get(lang));
  }

  /**
   * What an application (partial or whole) makes of the form: the JSON pointers of the fields
   * required now and the values of derived fields (gender and date of birth from a mainland ID
   * number), which a form fills in and locks.
   */
  formState(application) {
    const text = applicationText(application);
    const raw = this.#engine();
    return JSON.parse(guard(() => raw.formState(text)));
  }

  /** Release the compiled pack's memory now instead of when the Engine is garbage-collected. */
  free() {
    const raw = this.#raw;
    this.#raw = undefined;
    if (raw !== undefined && this.#generation === generation) {
      try {
        raw.free();
      } catch {
        // Already gone with an instance that was re-created.
      }
    }
  }
}

if (typeof Symbol.dispose === 'symbol') {
  Engine.prototype[Symbol.dispose] = Engine.prototype.free;
}

/** How many times the WebAssembly instance trapped and was re-created (for monitoring). */
export function trapCount() {
  return traps;
}

/** @internal Panics inside Rust, to test recovery from a trapped instance. */
export function __panicForTest() {
  assertReady();
  guard(() => rawPanicForTest());
}

export default init;
