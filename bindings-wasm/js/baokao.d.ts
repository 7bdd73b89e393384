// Type declarations of the npm package `baokao` (hand-written; the build copies this file to
// pkg/baokao.d.ts). The report types mirror `docs/report.md`, the contract shared with the Rust
// core, the CLI and the Python binding. The tests check that no exported declaration uses `any`
// and that every runtime export is declared.

/** A JSON value, as found in applications and trace values. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}

/**
 * A value of an application object: JSON, plus BigInts of up to 64 bits (written exactly). A
 * number must be finite, and an integer number within ±(2^53−1) (`Number.isSafeInteger`);
 * otherwise the call throws `unsupported_number` with the value's path. `undefined` members are
 * left out (absent and null mean the same).
 */
export type ApplicationValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Date
  | ApplicationValue[]
  | { [key: string]: ApplicationValue | undefined };

/**
 * An application: one member per form step (`account`, `exam`, `basic` …), see
 * `docs/application-format.md`. A string is taken as the application's JSON text, and a
 * `Uint8Array` (a Node `Buffer`) or an `ArrayBuffer` as the UTF-8 bytes of that text.
 */
export type Application = { [step: string]: ApplicationValue | undefined } | string | Uint8Array | ArrayBuffer;

/** Language of messages. */
export type Lang = 'zh' | 'en';

/**
 * A language tag: a BCP 47 tag whose primary subtag is `zh` or `en`, in any case (`zh`, `zh-CN`,
 * `zh-Hans-CN`, `EN`, `en-US`; `_` as in `zh_CN` too). Any other throws `invalid_option`.
 */
export type LangTag =
  | Lang
  | Uppercase<Lang>
  | `${Lang}-${string}`
  | `${Lang}_${string}`
  | `${Uppercase<Lang>}-${string}`;

/** Options of a validation. */
export interface ValidateOptions {
  /** Language of messages: a tag starting with `zh` (default) or `en` (`zh-CN`, `en-US` …). */
  lang?: LangTag;
}

/** Severity of a diagnostic: only `error` makes a form invalid. */
export type Severity = 'error' | 'warning' | 'info';

/** The eligibility outcome, by precedence. */
export type Outcome = 'eligible' | 'conditional' | 'ineligible' | 'needs_review' | 'undetermined';

/** Which pack produced a report. */
export interface PackInfo {
  /** Pack id (`nmec-2024`). */
  id: string;
  /** Pack version. */
  version: string;
  /** `sha256:` digest of the pack's canonical content. */
  digest: string;
}

/** One problem found in the application's data. */
export interface Diagnostic {
  /** Stable snake_case code (`required_missing`, or the rule's own code). */
  code: string;
  /** Rule id (`XF-01`), when a rule (or a field with a spec rule) produced it. */
  rule?: string;
  /** JSON pointer of the field (`/basic/id_number`). */
  path: string;
  /** `error` blocks submission. */
  severity: Severity;
  /**
   * The form step the diagnostic belongs to; absent for a diagnostic of the whole document (an
   * unknown top-level key, `unknown_fields_omitted`).
   */
  step?: string;
  /** Message in the requested language; never contains a full ID number. */
  message: string;
  /** The regulation the check implements. */
  cite?: string;
}

/** A reason, condition or restriction of the eligibility decision. */
export interface Finding {
  /** Rule id; for a step still pending in step-wise validation, the step id (`work`). */
  rule: string;
  /** Stable code (`undetermined` for what is missing to decide). */
  code: string;
  /** Message in the requested language. */
  message: string;
  /** The regulation. */
  cite?: string;
  /** Field most concerned, as a JSON pointer. */
  path?: string;
  /** For conditions: the date by which it must be met (`YYYY-MM-DD`). */
  due?: string;
  /** For reviews: the open question of the spec (`Q5`). */
  question?: string;
}

/** The eligibility decision. */
export interface Eligibility {
  outcome: Outcome;
  /** The statutory route that applies (`R-LV-1`), or null. */
  route: string | null;
  /** The route in words, in the requested language (show this to candidates, not the id). */
  route_label: string | null;
  /** What must still be supplied, and by when. */
  conditions: Finding[];
  /** Practice restrictions that come with the qualification. */
  restrictions: Finding[];
  /** Every reason for `ineligible`; the open questions for `needs_review`; what is missing for `undetermined`. */
  reasons: Finding[];
}

/** A document to bring to on-site review (现场审核). */
export interface Material {
  id: string;
  /** What to bring, in the requested language. */
  label: string;
  /** The rule or route that calls for it (`R-TR-2`). */
  rule: string;
  /** For evidence only paper can show: what the reviewer checks on it. */
  verify?: string;
  cite: string;
}

/** Result of a rule (`passed` … ), a decision (`hit`, `no_hit` …) or a material (`listed`) in a trace. */
export type TraceResult = 'passed' | 'fired' | 'not_applicable' | 'undetermined' | 'hit' | 'no_hit' | 'listed';

/** A sub-expression and the value it had (`null` = unknown). */
export interface TraceValue {
  expr: string;
  value: JsonValue;
}

/** One evaluated rule or decision of an `explain` trace. */
export interface TraceEntry {
  /** Rule or decision id. */
  rule: string;
  result: TraceResult;
  /** 1-based row of a decision that hit. */
  row?: number;
  /** Every traced sub-expression, in evaluation order. */
  values: TraceValue[];
}

/** The result of validating an application: the report of `docs/report.md`. */
export interface Report {
  pack: PackInfo;
  /** No diagnostic of severity `error`. */
  valid: boolean;
  /** The step judged, for step-wise validation. */
  step?: string;
  /** Problems in the data, in form order. */
  diagnostics: Diagnostic[];
  eligibility: Eligibility;
  /** What to bring to on-site review, in checklist order (empty for a step-wise check). */
  materials: Material[];
  /** Only from `explain`. */
  trace?: TraceEntry[];
}

/** The report of `validateStep`: `step` is always present. */
export interface StepReport extends Report {
  step: string;
}

/** The report of `explain`: `trace` is always present. */
export interface ExplainReport extends Report {
  trace: TraceEntry[];
}

/** A finding shown at a field, with the list of the report it came from. */
export interface FieldFinding extends Finding {
  kind: 'reason' | 'condition' | 'restriction';
}

/** What a live form shows next to one field (`validateField`). */
export interface FieldResult {
  /** The field's JSON pointer. */
  path: string;
  /** The step that was validated: the field's step. */
  step: string;
  /** No error-severity diagnostic at this field. */
  valid: boolean;
  /** The step report's diagnostics at the field (or below it, for a records field). */
  diagnostics: Diagnostic[];
  /** The step report's eligibility findings pointing at the field. */
  findings: FieldFinding[];
}

/** Declared type of a field. */
export type FieldType =
  | 'bool'
  | 'int'
  | 'number'
  | 'text'
  | 'date'
  | 'month'
  | 'date_or_month'
  | 'datetime'
  | 'list'
  | 'records';

/** An allowed value (what the application holds) and its label (what a candidate reads). */
export interface FormOption {
  value: string;
  label: string;
}

/** A file the candidate chooses on a step (the photo). */
export interface FormFile {
  /** Named by the `measure` of the fields it fills. */
  id: string;
  label: string;
  help?: string;
}

/** How a derived field is computed. */
export interface FormDerived {
  /** The expression of the value (`id_gender(basic.id_number)`). */
  value: string;
  /** When the derivation applies (absent: always); otherwise the candidate types the value. */
  when?: string;
  /** The dotted paths of the fields it reads: ask `formState` again when one changes. */
  from: string[];
}

/** Which file, and which of its measurements, fills a field. */
export interface FormMeasure {
  file: string;
  /**
   * `format`: from the file's first bytes, lower case (`jpg` for JPEG); `kb`: size in KB rounded
   * up to two decimals; `width`, `height`: pixels of the decoded image.
   */
  property: 'format' | 'kb' | 'width' | 'height';
}

/** One field of the form (docs/form.md). */
export interface FormField {
  /** Dotted path (`basic.id_number`, `certificates.records[].cert_no`). */
  path: string;
  /** JSON pointer; `{i}` stands for the entry index of a records item field. */
  pointer: string;
  /** Key inside the step or the records entry. */
  key: string;
  type: FieldType;
  /** Item type of a list. */
  item_type?: FieldType;
  label: string;
  /** Help for candidates. */
  help?: string;
  /** Always required. */
  required: boolean;
  /** Required when this expression holds (`formState` evaluates it). */
  required_when?: string;
  /** Allowed values with labels, in order (a table's keys included). */
  options?: FormOption[];
  /** Regular expression (Rust syntax) the whole value must match. */
  pattern?: string;
  min_length?: number;
  max_length?: number;
  min?: number;
  max?: number;
  /** Never echoed in full in reports. */
  mask: boolean;
  /** Accepts the placeholder `-`. */
  dash: boolean;
  /** Filled from the clock when the candidate submits. */
  clock: boolean;
  /** Computed from other fields: filled in and locked. */
  derived?: FormDerived;
  /** Measured from a file the candidate chooses. */
  measure?: FormMeasure;
  /** The fields of each entry of a records field. */
  fields?: FormField[];
}

/** One step of the form. */
export interface FormStep {
  id: string;
  title: string;
  /** Help at the top of the step, one paragraph a line. */
  help?: string;
  /** Data the authority supplies, never typed by the candidate: not shown by forms. */
  authority: boolean;
  files?: FormFile[];
  fields: FormField[];
}

/** The form of a pack in one language (`engine.form()`, docs/form.md). */
export interface Form {
  pack: PackInfo;
  lang: 'zh' | 'en';
  title: string;
  steps: FormStep[];
}

/** The value of a derived field; `null` while it cannot be computed (show it empty and locked). */
export interface DerivedValue {
  path: string;
  value: JsonValue;
}

/** What an application makes of the form (`engine.formState()`). */
export interface FormState {
  /** JSON pointers of the fields required now, in form order. */
  required: string[];
  /** The derived fields whose derivation applies now. */
  derived: DerivedValue[];
}

/** Options of loading a bundle. */
export interface LoadOptions {
  /**
   * The content digest the pack must have (`sha256:` and 64 hex digits, as `Engine.bundle`'s
   * `digest` and every report's `pack.digest` show it). Pin it in a portal, so a bundle edited on
   * the server or the CDN — even with its own digest recomputed — is refused.
   */
  digest?: string;
}

/** Codes of errors loading or compiling a pack (see `docs/errors.md`). */
export type PackErrorCode =
  | 'io_error'
  | 'json_syntax'
  | 'toml_syntax'
  | 'not_utf8'
  | 'not_a_file'
  | 'file_too_large'
  | 'pack_too_large'
  | 'too_many_files'
  | 'directory_too_deep'
  | 'path_outside_root'
  | 'bundle_too_large'
  | 'missing_pack_table'
  | 'duplicate_pack_table'
  | 'extends_cycle'
  | 'extends_too_deep'
  | 'invalid_param'
  | 'invalid_step'
  | 'duplicate_id'
  | 'unknown_disable'
  | 'invalid_example'
  | 'unknown_example'
  | 'example_cycle'
  | 'bundle_format'
  | 'digest_mismatch'
  | 'invalid_digest'
  | 'syntax_error'
  | 'unknown_field'
  | 'unknown_param'
  | 'unknown_function'
  | 'unknown_table'
  | 'unknown_column'
  | 'unknown_decision'
  | 'unknown_step'
  | 'unknown_enum_value'
  | 'type_mismatch'
  | 'wrong_arity'
  | 'bad_regex'
  | 'bad_literal'
  | 'too_complex'
  | 'shadowed_name'
  | 'masked_value'
  | 'invalid_rule'
  | 'invalid_field'
  | 'invalid_table'
  | 'invalid_decision'
  | 'compile_error';

/** Codes of errors reading an application. */
export type ApplicationErrorCode =
  | 'malformed_json'
  | 'document_too_large'
  | 'too_deep'
  | 'not_an_object'
  | 'unknown_step'
  | 'unknown_field'
  | 'notice_refused'
  | 'work_limit_exceeded';

/** Codes of the binding's own errors. */
export type BindingErrorCode =
  | 'invalid_option'
  | 'unsupported_number'
  | 'unsupported_type'
  | 'not_initialized'
  | 'engine_freed'
  | 'engine_trapped'
  | 'internal_error';

export type ErrorCode = PackErrorCode | ApplicationErrorCode | BindingErrorCode;

/** One problem of a bundle that does not compile. */
export interface CompileErrorDetail {
  code: PackErrorCode;
  /** The rule, field or decision concerned (`rule XF-01 check`). */
  item: string;
  message: string;
}

/**
 * What every function throws: a plain object (not an `Error`). An ineligible candidate or an
 * invalid form is a report, never an error.
 */
export interface BaokaoError {
  /** Stable snake_case code. */
  code: ErrorCode;
  /** For people; may change. */
  message: string;
  /** JSON pointer of the problem; `""` for the whole document or bundle. */
  path: string;
  /** For a bundle that does not compile: every problem. */
  details?: CompileErrorDetail[];
}

/** What `init` accepts: the `.wasm` file's URL, a Response, its bytes, or a compiled module. */
export type InitInput = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/**
 * Load and instantiate the WebAssembly module (once; later calls return at once). Without an
 * argument the `.wasm` file next to the module is fetched (browsers) or read from disk (Node).
 */
export function init(source?: InitInput | Promise<InitInput>): Promise<void>;
export default init;

/** Instantiate synchronously from the `.wasm` file's bytes or a compiled module. */
export function initSync(module: BufferSource | WebAssembly.Module): void;

/** URL of a rule pack bundle shipped with the package (`packs/<id>.json`; default `nmec-2024`). */
export function packUrl(id?: string): URL;

/** How many times the WebAssembly instance trapped and was re-created. */
export function trapCount(): number;

/** A compiled rule pack. Immutable; validate as many applications as you like. */
export class Engine {
  private constructor();
  /**
   * Compile a bundle: its JSON text, the parsed object, or its bytes. Requires `init()`.
   * `{digest}` pins the pack: any other content throws `digest_mismatch`.
   */
  static fromBundle(bundle: string | JsonObject | Uint8Array | ArrayBuffer, options?: LoadOptions): Engine;
  /** `init()`, then fetch (or, for a `file:` URL, read) a bundle and compile it. */
  static load(source?: string | URL, options?: LoadOptions): Promise<Engine>;
  /** Validate a whole application. */
  validate(application: Application, options?: ValidateOptions): Report;
  /** Judge only what one step of the form can know. */
  validateStep(step: string, application: Application, options?: ValidateOptions): StepReport;
  /** Validate with the trace of every rule and decision. */
  explain(application: Application, options?: ValidateOptions): ExplainReport;
  /**
   * The printable registration success notice: one A4 HTML page, identical to `baokao notice` and
   * Python's `engine.notice()`. Throws `{code: 'notice_refused'}` for an invalid, ineligible or
   * undetermined application.
   */
  notice(application: Application, options?: ValidateOptions): string;
  /** What a live form shows next to one field; `path` is a JSON pointer or `step.field`. */
  validateField(path: string, application: Application, options?: ValidateOptions): FieldResult;
  /** Step ids in form order. */
  steps(): string[];
  /** The form as the pack describes it, its texts in `options.lang` (docs/form.md). */
  form(options?: ValidateOptions): Form;
  /** The fields an application makes required now, and the values of derived fields. */
  formState(application: Application): FormState;
  /** Release the compiled pack now rather than at garbage collection. */
  free(): void;
  [Symbol.dispose](): void;
}

/** @internal Panics inside the engine, to test recovery from a trap. Always throws `engine_trapped`. */
export function __panicForTest(): never;
