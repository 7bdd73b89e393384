// baokao — validate physician licensing exam registrations in the browser and in Node.
//
// The public API of the npm package `baokao` (an ES module). It wraps the raw wasm-bindgen
// exports of `baokao_wasm.js`:
//   * applications go in as JSON text (`JSON.stringify` here, or the caller's own string), so
//     the Rust core applies its size and depth limits before parsing anything;
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

function applicationText(application) {
  if (typeof application === 'string') return application;
  let text;
  try {
    text = JSON.stringify(application);
  } catch (e) {
    // A cycle, a BigInt, or nesting deeper than the JavaScript stack.
    const code = e instanceof RangeError ? 'too_deep' : 'malformed_json';
    throw error(code, `the application cannot be converted to JSON: ${e.message}`);
  }
  // `undefined` and functions have no JSON form: the core reports `not_an_object`.
  return text === undefined ? 'null' : text;
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

const CONSTRUCT = Symbol('baokao.Engine');

/** A compiled rule pack. Create one with `Engine.fromBundle` (or `Engine.load`). */
export class Engine {
  #bundle;
  #raw;
  #generation;
  #form;

  constructor(token, bundle, raw) {
    if (token !== CONSTRUCT) {
      throw new TypeError('use Engine.fromBundle(json) or Engine.load(url)');
    }
    this.#bundle = bundle;
    this.#raw = raw;
    this.#generation = generation;
  }

  /** Compile a bundle: its JSON text, the parsed object, or its bytes. */
  static fromBundle(bundle) {
    assertReady();
    const text = bundleText(bundle);
    const raw = guard(() => RawEngine.fromBundle(text));
    return new Engine(CONSTRUCT, text, raw);
  }

  /** Initialise the module if needed, fetch (or read) a bundle and compile it. */
  static async load(source = packUrl()) {
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
    return Engine.fromBundle(text);
  }

  #engine() {
    if (this.#raw === undefined) throw error('engine_freed', 'this Engine was freed');
    assertReady();
    if (this.#generation !== generation) {
      // The instance was re-created after a trap: compile this engine again in the new one.
      this.#raw = guard(() => RawEngine.fromBundle(this.#bundle));
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

  /** The form: the pack, its steps and every field with label, type and allowed values. */
  form() {
    if (this.#form === undefined) {
      const raw = this.#engine();
      this.#form = guard(() => raw.form());
    }
    return JSON.parse(this.#form);
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
