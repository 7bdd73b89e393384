// Demo: the 2024 NMEC online registration as an 11-step form, validated in the browser by baokao.
//
// The form is drawn from `engine.form()` alone (docs/form.md): steps, titles, help, fields, labels,
// options, which fields are derived (gender and date of birth from a mainland ID number), measured
// from a file (the photo) or filled from the clock (the submission time). `engine.formState()` says
// which fields are required now and what the derived ones hold. Each field is validated as it is
// typed (`validateField`), each step before moving on (`validateStep`), the application at
// submission (`validate`); the last page shows the decision and the printable notice
// (`engine.notice`). This file knows nothing of the pack: only the words of its own buttons.
import { init, Engine, packUrl } from '../pkg/baokao.js';

// ---------------------------------------------------------------------------------------------
// The demo's own words (the form's words all come from the pack)

const UI = {
  zh: {
    htmlLang: 'zh-CN',
    docTitle: '医师资格考试网上报名（baokao 演示）',
    appTitle: '医师资格考试网上报名',
    demoNote: '演示 · 校验由 baokao（WebAssembly）在浏览器内完成',
    skip: '跳到主要内容',
    navLabel: '报名步骤',
    allSteps: '全部步骤',
    loading: '正在加载规则包…',
    loadFailed: '加载失败：',
    intro: '进入网报系统',
    introText: '请按步骤如实填写。每个字段在输入时即时校验，每一步在进入下一步前校验；提交后显示报考资格和报名成功通知单。',
    introSteps: '报名步骤：',
    result: '打印成功通知单',
    resultTitle: '报名结果',
    prev: '上一步',
    next: '下一步',
    start: '开始报名',
    submit: '提交报名',
    progress: (i, n, title) => `第 ${i} 步，共 ${n} 步：${title}`,
    choose: '请选择',
    required: '（必填）',
    dash: '不适用时填“-”',
    dateOrMonth: '如 2023-07 或 2023-07-15',
    derivedFrom: (labels) => `根据${labels.map((l) => `“${l}”`).join('、')}自动生成，不可修改。`,
    derivedPending: '填写完整后自动生成。',
    measuredFrom: (label) => `以下各项从所选${label}文件自动读取，不可修改。`,
    chooseFile: '选择文件',
    measuredSummary: (m) =>
      `格式 ${m.format} · ${m.kb} KB${m.width ? ` · ${m.width} × ${m.height} 像素` : ' · 无法读取图像尺寸'}`,
    preview: (label) => `${label}预览`,
    clockNote: '提交时按当前时间自动记录。',
    clockPending: '尚未提交',
    add: (label) => `添加${label}`,
    remove: '删除',
    removeEntry: (label, i) => `删除${label} ${i}`,
    entry: (label, i) => `${label} ${i}`,
    emptyRecords: '没有可不填。',
    stepErrors: (n) => `本步骤有 ${n} 处需要修改，请按提示修改后再进入下一步：`,
    submitErrors: (n) => `还有 ${n} 处需要修改，无法提交：`,
    ineligibleNow: '根据已填写的信息，您不符合报考条件：',
    details: '详情（供技术支持）',
    outcome: {
      eligible: '符合报考条件',
      conditional: '有条件符合报考条件',
      ineligible: '不符合报考条件',
      needs_review: '需现场审核确认',
      undetermined: '尚无法判断',
    },
    outcomeLabel: '报考资格：',
    route: '报考途径：',
    noRoute: '无',
    reasons: { ineligible: '不符合报考条件的原因', needs_review: '现场审核时须确认的问题', undetermined: '尚缺的信息' },
    conditions: '须满足的条件',
    due: (date) => `截止日期：${date}`,
    restrictions: '执业限制',
    materials: '现场审核须携带的材料',
    verify: (text) => `审核要点：${text}`,
    warnings: '提示',
    notice: '报名成功通知单',
    print: '打印通知单',
    noticeRefused: '不能打印报名成功通知单：',
    refused: {
      invalid: '报名信息还有需要修改的地方。',
      ineligible: '根据所填信息，您不符合报考条件。',
      undetermined: '报考资格尚无法判断。',
    },
    pack: (p) => `规则包 ${p.id} · 版本 ${p.version}`,
    rule: '规则',
    code: '代码',
    cite: '依据',
    question: '待定问题',
    detail: '说明',
  },
  en: {
    htmlLang: 'en',
    docTitle: 'Medical licensing exam registration (baokao demo)',
    appTitle: 'Medical licensing exam registration',
    demoNote: 'Demo · validated in your browser by baokao (WebAssembly)',
    skip: 'Skip to the form',
    navLabel: 'Registration steps',
    allSteps: 'All steps',
    loading: 'Loading the rule pack…',
    loadFailed: 'Could not load: ',
    intro: 'Enter the portal',
    introText: 'Fill in each step truthfully. Fields are checked as you type, each step before you go on; after submitting you see your eligibility and the registration success notice.',
    introSteps: 'The steps:',
    result: 'Print the notice',
    resultTitle: 'Registration result',
    prev: 'Back',
    next: 'Next',
    start: 'Start',
    submit: 'Submit',
    progress: (i, n, title) => `Step ${i} of ${n}: ${title}`,
    choose: 'Choose…',
    required: ' (required)',
    dash: 'Write “-” when it does not apply',
    dateOrMonth: 'e.g. 2023-07 or 2023-07-15',
    derivedFrom: (labels) => `Filled in from ${labels.map((l) => `“${l}”`).join(' and ')}; it cannot be changed.`,
    derivedPending: 'Filled in once that is complete.',
    measuredFrom: (label) => `Read from the ${label.toLowerCase()} file you choose; they cannot be changed.`,
    chooseFile: 'Choose a file',
    measuredSummary: (m) =>
      `Format ${m.format} · ${m.kb} KB${m.width ? ` · ${m.width} × ${m.height} pixels` : ' · not an image it can read'}`,
    preview: (label) => `${label} preview`,
    clockNote: 'Recorded from the clock when you submit.',
    clockPending: 'Not submitted yet',
    add: (label) => `Add: ${label}`,
    remove: 'Remove',
    removeEntry: (label, i) => `Remove ${label} ${i}`,
    entry: (label, i) => `${label} ${i}`,
    emptyRecords: 'Leave it empty if you have none.',
    stepErrors: (n) => `${n} thing(s) on this step need changing before you go on:`,
    submitErrors: (n) => `${n} thing(s) still need changing before you can submit:`,
    ineligibleNow: 'From what you have entered, you are not eligible:',
    details: 'Details (for support staff)',
    outcome: {
      eligible: 'Eligible',
      conditional: 'Eligible on conditions',
      ineligible: 'Not eligible',
      needs_review: 'To be confirmed at on-site review',
      undetermined: 'Cannot be decided yet',
    },
    outcomeLabel: 'Eligibility: ',
    route: 'Route: ',
    noRoute: 'none',
    reasons: { ineligible: 'Why you are not eligible', needs_review: 'To be confirmed at on-site review', undetermined: 'Still missing' },
    conditions: 'Conditions to meet',
    due: (date) => `due ${date}`,
    restrictions: 'Practice restrictions',
    materials: 'Bring to on-site review',
    verify: (text) => `Checked: ${text}`,
    warnings: 'Notes',
    notice: 'Registration success notice',
    print: 'Print the notice',
    noticeRefused: 'The registration success notice cannot be printed:',
    refused: {
      invalid: 'Some of your registration data still needs changing.',
      ineligible: 'From what you have entered, you are not eligible.',
      undetermined: 'Your eligibility cannot be decided yet.',
    },
    pack: (p) => `Rule pack ${p.id} · version ${p.version}`,
    rule: 'Rule',
    code: 'Code',
    cite: 'Basis',
    question: 'Open question',
    detail: 'Detail',
  },
};

// ---------------------------------------------------------------------------------------------
// State

const params = new URLSearchParams(window.location.search);
let lang = params.get('lang') === 'en' ? 'en' : 'zh';
let engine;
let form;
let pages = [];
let current = 0;
let furthest = 0;
/** The application: the one source of the form's values. */
let app = {};
/** Pointers of the fields the candidate has touched (their messages are kept up to date). */
const touched = new Set();
/** The last form state: required pointers and derived values. */
let state = { required: [], derived: [] };
/** The whole-application report of the submission (the last page). */
let submitted;
/** What was measured of each chosen file, by file id; and its preview URL. */
const files = new Map();

const t = () => UI[lang];
const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) node.dataset[k] = v;
    }
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** An element id from a JSON pointer. */
const idOf = (pointer) => `f${pointer.replaceAll('/', '-')}`;

// ---------------------------------------------------------------------------------------------
// Dates and times for people

const DATE_TIME = /(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2})|(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])|(?<![\d-])(\d{4})-(\d{2})(?![\d-])/g;

function dateFormat(options) {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', options);
}

/** A timestamp in Beijing time, a date or a month, as people write them. */
function humanDate(text) {
  return text.replace(DATE_TIME, (match, ...g) => {
    if (g[0] !== undefined) {
      const at = new Date(match);
      if (Number.isNaN(at.getTime())) return match;
      const withSeconds = g[5] !== '00';
      return dateFormat({
        year: 'numeric',
        month: 'long',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: withSeconds ? '2-digit' : undefined,
        hourCycle: 'h23',
        timeZone: 'Asia/Shanghai',
      }).format(at);
    }
    if (g[7] !== undefined) {
      const [y, m, d] = [g[7], g[8], g[9]].map(Number);
      const at = new Date(Date.UTC(y, m - 1, d));
      if (at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) return match;
      return dateFormat({ year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(at);
    }
    const [y, m] = [g[10], g[11]].map(Number);
    if (m < 1 || m > 12) return match;
    return dateFormat({ year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
  });
}

/** Now, in Beijing time, as the application holds a timestamp (RFC 3339 with its offset). */
function nowInBeijing() {
  // `?now=` sets the demo's clock: the 2024 registration window is over, and a demonstration of a
  // submission needs a time inside it. Without it, the browser's clock.
  const given = params.get('now');
  const ms = given && !Number.isNaN(Date.parse(given)) ? Date.parse(given) : Date.now();
  return `${new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 19)}+08:00`;
}

// ---------------------------------------------------------------------------------------------
// The application object

function getAt(pointer) {
  let node = app;
  for (const key of pointer.slice(1).split('/')) {
    if (node === undefined || node === null) return undefined;
    node = node[key];
  }
  return node;
}

function setAt(pointer, value) {
  const keys = pointer.slice(1).split('/');
  let node = app;
  keys.slice(0, -1).forEach((key, i) => {
    node[key] ??= /^\d+$/.test(keys[i + 1]) ? [] : {};
    node = node[key];
  });
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** The JSON value of an editable control, or undefined when it is empty (absent). */
function readValue(control) {
  const type = control.dataset.type;
  if (type === 'bool') return control.checked;
  const raw = control.value.trim();
  if (raw === '') return undefined;
  switch (type) {
    case 'int':
    case 'number':
      return Number(raw);
    case 'datetime':
      // <input type="datetime-local"> has no offset: the form is in Beijing time.
      return raw.length === 16 ? `${raw}:00+08:00` : `${raw}+08:00`;
    default:
      return raw;
  }
}

/** Show a value in an editable control. */
function writeValue(control, value) {
  if (control.dataset.type === 'bool') control.checked = value === true;
  else if (control.dataset.type === 'datetime' && typeof value === 'string') control.value = value.slice(0, 16);
  else control.value = value === undefined || value === null ? '' : String(value);
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Code, rule and citation of a message, behind a disclosure for support staff. */
function details(item) {
  const rows = [
    item.rule ? [t().rule, item.rule] : null,
    item.code ? [t().code, item.code] : null,
    item.question ? [t().question, item.question] : null,
    item.cite ? [t().cite, item.cite] : null,
    item.detail ? [t().detail, item.detail] : null,
  ].filter(Boolean);
  if (!rows.length) return null;
  return el(
    'details',
    { class: 'support' },
    el('summary', { text: t().details }),
    el('dl', {}, rows.map(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })])),
  );
}

function messageItem(kind, item) {
  return el('li', { class: kind, dataset: { code: item.code, rule: item.rule } }, el('span', { class: 'text', text: humanDate(item.message) }), details(item));
}

/** Show what concerns one field: its diagnostics and the eligibility findings at it. */
function showField(pointer, diagnostics, findings = []) {
  const box = document.getElementById(`${idOf(pointer)}-msgs`);
  if (!box) return false;
  box.replaceChildren(
    ...diagnostics.map((d) => messageItem(d.severity, d)),
    ...findings.map((f) => messageItem(f.kind, f)),
  );
  const invalid = diagnostics.some((d) => d.severity === 'error') || findings.some((f) => f.kind === 'reason');
  for (const control of document.querySelectorAll(`[data-for-pointer="${CSS.escape(pointer)}"]`)) {
    control.setAttribute('aria-invalid', String(invalid));
  }
  box.closest('.field')?.classList.toggle('ok', !invalid && diagnostics.length === 0 && findings.length === 0);
  return true;
}

/** Validate the fields the candidate has touched on this page (cross-field rules change too). */
function validateTouched() {
  for (const pointer of touched) {
    if (!document.getElementById(`${idOf(pointer)}-msgs`)) continue;
    const result = engine.validateField(pointer, app, { lang });
    showField(pointer, result.diagnostics, result.findings);
  }
}

function banner(kind, title, items = []) {
  const box = $('#banner');
  box.className = `banner ${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.replaceChildren(el('p', { class: 'banner-title', text: title }));
  if (items.length) box.append(el('ul', {}, items));
  box.hidden = false;
  return box;
}

function clearBanner() {
  $('#banner').hidden = true;
}

/** A banner item linking to the field it is about (or plain text when it has no field here). */
function bannerItem(item, prefix = '') {
  const target = document.querySelector(`[data-for-pointer="${CSS.escape(item.path ?? '')}"]:not([hidden])`);
  const text = `${prefix}${humanDate(item.message)}`;
  if (!target) return el('li', {}, text);
  const link = el('a', { href: `#${target.id}`, text });
  link.addEventListener('click', (e) => {
    e.preventDefault();
    target.focus();
  });
  return el('li', {}, link);
}

// ---------------------------------------------------------------------------------------------
// The form state: required now, derived values

function updateState() {
  state = engine.formState(app);
  const derived = new Map(state.derived.map((d) => [d.path, d.value]));
  for (const box of document.querySelectorAll('.field[data-derived]')) {
    const pointer = box.dataset.pointer;
    const editable = box.querySelector('[data-editable]');
    const locked = box.querySelector('[data-locked]');
    const note = box.querySelector('.derived-note');
    const help = box.querySelector('.help');
    const label = box.querySelector('label');
    if (derived.has(pointer)) {
      const value = derived.get(pointer);
      setAt(pointer, value === null ? undefined : value);
      locked.value = value === null ? '' : optionLabel(box.field, value);
      locked.placeholder = value === null ? t().derivedPending : '';
      editable.hidden = true;
      locked.hidden = false;
      note.hidden = false;
      // The note says where the value comes from; the help says what it is when typed.
      if (help) help.hidden = true;
      label.htmlFor = locked.id;
      writeValue(editable, value ?? undefined);
    } else {
      editable.hidden = false;
      locked.hidden = true;
      note.hidden = true;
      if (help) help.hidden = false;
      label.htmlFor = editable.id;
    }
  }
  const required = new Set(state.required);
  for (const mark of document.querySelectorAll('[data-required-mark]')) {
    const pointer = mark.dataset.requiredMark;
    mark.hidden = !required.has(pointer);
    for (const control of document.querySelectorAll(`[data-for-pointer="${CSS.escape(pointer)}"]`)) {
      if (control.type !== 'file') control.setAttribute('aria-required', String(required.has(pointer)));
    }
  }
}

function refresh() {
  updateState();
  validateTouched();
}

// ---------------------------------------------------------------------------------------------
// Drawing the fields

function optionLabel(field, value) {
  return field.options?.find((o) => o.value === value)?.label ?? (typeof value === 'string' ? humanDate(value) : String(value));
}

function editableControl(field, pointer, id) {
  const common = { id, dataset: { type: field.type, forPointer: pointer, editable: '' }, name: pointer };
  if (field.options) {
    return el(
      'select',
      common,
      el('option', { value: '', text: t().choose }),
      field.options.map((o) => el('option', { value: o.value, text: o.label })),
    );
  }
  switch (field.type) {
    case 'bool':
      return el('input', { ...common, type: 'checkbox' });
    case 'int':
      return el('input', { ...common, type: 'number', step: '1', inputmode: 'numeric', min: field.min, max: field.max });
    case 'number':
      return el('input', { ...common, type: 'number', step: 'any', inputmode: 'decimal', min: field.min, max: field.max });
    case 'date':
      return el('input', { ...common, type: 'date' });
    case 'month':
      return el('input', { ...common, type: 'month' });
    case 'date_or_month':
      // The form asks for the month; the day is welcome where a cutoff falls inside a month.
      return el('input', { ...common, type: 'text', inputmode: 'numeric', placeholder: t().dateOrMonth });
    case 'datetime':
      return el('input', { ...common, type: 'datetime-local' });
    default:
      return el('input', {
        ...common,
        type: field.mask && field.key.includes('password') ? 'password' : 'text',
        maxlength: field.max_length,
        placeholder: field.dash ? t().dash : undefined,
        autocomplete: 'off',
        spellcheck: 'false',
      });
  }
}

/** A read-only control: derived, measured or clock values are shown, never typed. */
function readonlyControl(id, pointer, extra = {}) {
  return el('input', { id, type: 'text', readonly: true, class: 'readonly', dataset: { forPointer: pointer, ...extra } });
}

function fieldBox(field, pointer) {
  const id = idOf(pointer);
  const helpId = field.help ? `${id}-help` : undefined;
  const noteId = `${id}-note`;
  const msgId = `${id}-msgs`;
  const label = el(
    'label',
    { for: id },
    field.label,
    el('span', { class: 'req', dataset: { requiredMark: pointer }, hidden: true }, el('span', { 'aria-hidden': 'true', text: '*' })),
  );
  const box = el('div', {
    class: `field ${field.type === 'bool' ? 'bool' : ''}`,
    dataset: { path: field.path, pointer, derived: field.derived ? '' : undefined },
  });
  box.field = field;
  let controls;
  let note = null;
  if (field.measure) {
    // The file box says once that these are read from the file (its note, `measuredNoteId`).
    controls = [readonlyControl(id, pointer, { measured: field.measure.property })];
  } else if (field.clock) {
    controls = [readonlyControl(id, pointer, { clock: '' })];
    // The pack's help usually says it already; the demo's note is for a pack that does not.
    if (!field.help) note = el('p', { class: 'note', id: noteId, text: t().clockNote });
  } else if (field.derived) {
    const from = field.derived.from.map((p) => fieldSpec(p)?.label ?? p);
    const editable = editableControl(field, pointer, id);
    const locked = readonlyControl(`${id}-locked`, pointer, { locked: '' });
    locked.hidden = true;
    controls = [editable, locked];
    note = el('p', { class: 'note derived-note', id: noteId, text: t().derivedFrom(from), hidden: true });
  } else {
    controls = [editableControl(field, pointer, id)];
  }
  const fileNote = field.measure ? measuredNoteId(field.measure.file) : undefined;
  const describedBy = [helpId, note ? noteId : undefined, fileNote, msgId].filter(Boolean).join(' ');
  for (const control of controls) {
    control.setAttribute('aria-describedby', describedBy);
    if (control.dataset.editable === undefined) continue;
    writeValue(control, getAt(pointer));
    const onEdit = () => {
      setAt(pointer, readValue(control));
      touched.add(pointer);
      refresh();
    };
    control.addEventListener(field.type === 'bool' || control.tagName === 'SELECT' ? 'change' : 'input', onEdit);
    control.addEventListener('blur', () => {
      if (!touched.has(pointer) && getAt(pointer) !== undefined) {
        touched.add(pointer);
        refresh();
      }
    });
  }
  showReadonly(controls, field, pointer);
  box.append(
    ...[
      label,
      ...controls,
      field.help ? el('p', { class: 'help', id: helpId, text: humanDate(field.help) }) : null,
      note,
      el('ul', { class: 'msgs', id: msgId, dataset: { for: pointer }, 'aria-live': 'polite' }),
    ].filter(Boolean),
  );
  return box;
}

/** Fill the read-only controls of a field with its value, as people read it. */
function showReadonly(controls, field, pointer) {
  for (const control of controls) {
    if (control.dataset.measured !== undefined) {
      const value = getAt(pointer);
      control.value = value === undefined ? '' : String(value);
    } else if (control.dataset.clock !== undefined) {
      const value = getAt(pointer);
      control.value = value === undefined ? '' : humanDate(value);
      control.placeholder = t().clockPending;
    }
  }
}

function fieldSpec(path) {
  for (const step of form.steps) {
    for (const field of step.fields) {
      if (field.path === path) return field;
      const item = field.fields?.find((f) => f.path === path);
      if (item) return item;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Files: chosen, measured in the browser, their measurements filling the fields

/** The format of a file from its first bytes (never its name). */
function formatOf(head) {
  const starts = (...bytes) => bytes.every((b, i) => head[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'jpg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && head[8] === 0x57 && head[9] === 0x45 && head[10] === 0x42 && head[11] === 0x50) return 'webp';
  if (starts(0x42, 0x4d)) return 'bmp';
  return 'unknown';
}

/** Format, size in KB (rounded up to two decimals) and, for an image, its pixel size. */
async function measure(file) {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const measured = { format: formatOf(head), kb: Math.ceil((file.size * 100) / 1024) / 100 };
  try {
    const image = await createImageBitmap(file);
    measured.width = image.width;
    measured.height = image.height;
    image.close();
  } catch {
    // Not an image the browser can decode: no pixel size (the width and height stay empty).
  }
  return measured;
}

const measuredNoteId = (file) => `file-${file}-measured-note`;

function fileBox(step, file, fields) {
  const id = `file-${step.id}-${file.id}`;
  const helpId = file.help ? `${id}-help` : undefined;
  const summaryId = `${id}-summary`;
  const input = el('input', {
    id,
    type: 'file',
    accept: 'image/*',
    'aria-describedby': [helpId, summaryId].filter(Boolean).join(' '),
    dataset: { file: file.id },
  });
  const known = files.get(`${step.id}/${file.id}`);
  const preview = el('img', { class: 'preview', alt: t().preview(file.label), hidden: !known?.url, src: known?.url });
  const summary = el('p', { class: 'measured', id: summaryId, 'aria-live': 'polite', text: known ? t().measuredSummary(known.measured) : '' });
  input.addEventListener('change', async () => {
    const chosen = input.files?.[0];
    if (!chosen) return;
    const measured = await measure(chosen);
    const old = files.get(`${step.id}/${file.id}`);
    if (old?.url) URL.revokeObjectURL(old.url);
    const url = measured.width ? URL.createObjectURL(chosen) : undefined;
    files.set(`${step.id}/${file.id}`, { measured, url });
    for (const field of fields) {
      setAt(field.pointer, measured[field.measure.property]);
      touched.add(field.pointer);
      showReadonly(document.querySelectorAll(`[data-for-pointer="${CSS.escape(field.pointer)}"]`), field, field.pointer);
    }
    summary.textContent = t().measuredSummary(measured);
    preview.hidden = !url;
    if (url) preview.src = url;
    refresh();
    document.body.dataset.measured = String(Number(document.body.dataset.measured ?? 0) + 1);
  });
  return el(
    'fieldset',
    { class: 'file-box' },
    el('legend', { text: file.label }),
    el('div', { class: 'file-row' },
      preview,
      el('div', { class: 'file-input' },
        el('label', { for: id, class: 'file-label', text: t().chooseFile }),
        input,
        file.help ? el('p', { class: 'help', id: helpId, text: humanDate(file.help) }) : null,
        summary,
      ),
    ),
    el('p', { class: 'note', id: measuredNoteId(file.id), text: t().measuredFrom(file.label) }),
    el('div', { class: 'fields measured-fields' }, fields.map((f) => fieldBox(f, f.pointer))),
  );
}

// ---------------------------------------------------------------------------------------------
// Records

function recordsBox(field) {
  const base = field.pointer;
  const list = el('div', { class: 'entries' });
  const group = el('fieldset', { class: 'records', dataset: { records: base } }, el('legend', { text: field.label }));
  if (field.help) group.append(el('p', { class: 'help', text: humanDate(field.help) }));
  const draw = () => {
    const entries = getAt(base) ?? [];
    list.replaceChildren(
      ...entries.map((_, i) => {
        const title = t().entry(field.label, i + 1);
        const remove = el('button', { type: 'button', class: 'remove', text: t().remove, 'aria-label': t().removeEntry(field.label, i + 1) });
        remove.addEventListener('click', () => {
          getAt(base).splice(i, 1);
          if (!getAt(base).length) setAt(base, undefined);
          for (const p of [...touched]) if (p.startsWith(`${base}/`)) touched.delete(p);
          draw();
          refresh();
          add.focus();
        });
        return el(
          'fieldset',
          { class: 'record-entry' },
          el('legend', { class: 'entry-title', text: title }),
          remove,
          el('div', { class: 'fields' }, (field.fields ?? []).map((f) => fieldBox(f, f.pointer.replace('{i}', String(i))))),
        );
      }),
    );
    if (!entries.length) list.append(el('p', { class: 'help', text: t().emptyRecords }));
  };
  const add = el('button', { type: 'button', class: 'add', text: `＋ ${t().add(field.label)}` });
  add.addEventListener('click', () => {
    const entries = getAt(base) ?? [];
    entries.push({});
    setAt(base, entries);
    draw();
    refresh();
    list.querySelector('.record-entry:last-of-type [data-editable]')?.focus();
  });
  draw();
  group.append(list, add, el('ul', { class: 'msgs', id: `${idOf(base)}-msgs`, dataset: { for: base }, 'aria-live': 'polite' }));
  return group;
}

// ---------------------------------------------------------------------------------------------
// Pages

function stepPage(step) {
  const section = el('section', { class: 'page', dataset: { step: step.id }, 'aria-labelledby': 'page-title' });
  section.append(el('h1', { id: 'page-title', tabindex: '-1', text: step.title }));
  if (step.help) {
    section.append(el('div', { class: 'step-help' }, step.help.split('\n').map((p) => el('p', { text: humanDate(p) }))));
  }
  const measured = step.fields.filter((f) => f.measure);
  for (const file of step.files ?? []) {
    section.append(fileBox(step, file, measured.filter((f) => f.measure.file === file.id)));
  }
  const grid = el('div', { class: 'fields' });
  for (const field of step.fields) {
    if (field.measure) continue;
    grid.append(field.type === 'records' ? recordsBox(field) : fieldBox(field, field.pointer));
  }
  section.append(grid);
  return section;
}

function introPage() {
  return el(
    'section',
    { class: 'page intro', dataset: { step: 'intro' }, 'aria-labelledby': 'page-title' },
    el('h1', { id: 'page-title', tabindex: '-1', text: t().intro }),
    el('p', { class: 'pack-title', text: form.title }),
    el('p', { text: t().introText }),
    el('p', { text: t().introSteps }),
    el('ol', { class: 'intro-steps' }, pages.slice(1).map((p) => el('li', { text: p.title }))),
  );
}

function findingList(title, findings, kind) {
  if (!findings.length) return null;
  return el(
    'section',
    { class: `findings ${kind}`, dataset: { kind } },
    el('h3', { text: title }),
    el(
      'ul',
      {},
      findings.map((f) =>
        el(
          'li',
          { dataset: { rule: f.rule } },
          el('span', { class: 'text', text: humanDate(f.message) }),
          f.due ? el('span', { class: 'due', text: ` ${t().due(humanDate(f.due))}` }) : null,
          details(f),
        ),
      ),
    ),
  );
}

function noticeSection(report) {
  const section = el('section', { class: 'notice', 'aria-labelledby': 'notice-title' }, el('h2', { id: 'notice-title', text: t().notice }));
  let html;
  try {
    html = engine.notice(app, { lang });
  } catch (e) {
    if (e?.code !== 'notice_refused') throw e;
    const e2 = report.eligibility;
    const why = !report.valid ? t().refused.invalid : t().refused[e2.outcome] ?? '';
    const reasons = ['ineligible', 'undetermined'].includes(e2.outcome) ? e2.reasons : [];
    section.append(
      el(
        'div',
        { id: 'notice-refused', class: 'refused', role: 'status' },
        el('p', {}, el('strong', { text: t().noticeRefused }), ` ${why}`),
        reasons.length ? el('ul', {}, reasons.map((r) => el('li', { text: humanDate(r.message) }))) : null,
        details({ code: e.code, detail: e.message }),
      ),
    );
    return section;
  }
  const frame = el('iframe', { id: 'notice-frame', title: t().notice, srcdoc: html });
  frame.addEventListener('load', () => {
    const doc = frame.contentDocument;
    if (doc) frame.style.height = `${doc.documentElement.scrollHeight + 4}px`;
  });
  const print = el('button', { type: 'button', id: 'print', class: 'primary', text: t().print });
  print.addEventListener('click', () => frame.contentWindow?.print());
  section.append(el('p', { class: 'print-row' }, print), frame);
  return section;
}

function resultPage() {
  const report = submitted;
  const e = report.eligibility;
  const section = el('section', { class: 'page result', dataset: { step: 'result' }, 'aria-labelledby': 'page-title' });
  section.append(el('h1', { id: 'page-title', tabindex: '-1', text: t().resultTitle }));
  const notes = report.diagnostics.filter((d) => d.severity !== 'error');
  section.append(
    el(
      'section',
      { id: 'eligibility', dataset: { outcome: e.outcome }, 'aria-labelledby': 'outcome-title' },
      el('h2', { id: 'outcome-title' }, t().outcomeLabel, el('span', { class: 'outcome', text: t().outcome[e.outcome] })),
      el('p', { class: 'route' }, t().route, el('strong', { text: e.route_label ?? t().noRoute })),
      findingList(t().reasons[e.outcome] ?? '', ['ineligible', 'needs_review', 'undetermined'].includes(e.outcome) ? e.reasons : [], 'reasons'),
      findingList(t().conditions, e.conditions, 'conditions'),
      findingList(t().restrictions, e.restrictions, 'restrictions'),
      // What to bring to on-site review matters once the registration stands.
      report.materials.length && report.valid && ['eligible', 'conditional', 'needs_review'].includes(e.outcome)
        ? el(
            'section',
            { class: 'materials', 'aria-labelledby': 'materials-title' },
            el('h3', { id: 'materials-title', text: t().materials }),
            el('ul', {}, report.materials.map((m) => el('li', { dataset: { material: m.id } }, el('span', { class: 'text', text: humanDate(m.label) }), m.verify ? el('span', { class: 'verify', text: t().verify(humanDate(m.verify)) }) : null, details({ rule: m.rule, cite: m.cite })))),
          )
        : null,
      notes.length
        ? el('section', { class: 'warnings' }, el('h3', { text: t().warnings }), el('ul', {}, notes.map((d) => messageItem(d.severity, d))))
        : null,
      details({ code: `${report.pack.id} ${report.pack.version}`, cite: report.pack.digest }),
    ),
    noticeSection(report),
  );
  return section;
}

function buildPages() {
  const steps = form.steps.filter((s) => !s.authority);
  pages = [
    { id: 'intro', title: t().intro },
    ...steps.map((step) => ({ id: step.id, title: step.title, step })),
    { id: 'result', title: t().result },
  ];
}

function renderPage() {
  const page = pages[current];
  let node;
  if (page.id === 'intro') node = introPage();
  else if (page.id === 'result') node = resultPage();
  else node = stepPage(page.step);
  $('#form').replaceChildren(node);
  updateState();
  validateTouched();
}

// ---------------------------------------------------------------------------------------------
// Navigation

function renderNav() {
  const list = $('#step-list');
  list.replaceChildren(
    ...pages.map((page, i) => {
      const reachable = i <= furthest && (page.id !== 'result' || submitted);
      const content = [el('span', { class: 'num', 'aria-hidden': 'true', text: String(i + 1) }), el('span', { class: 'name', text: page.title })];
      const item = el('li', { class: i === current ? 'current' : i < furthest ? 'done' : '', dataset: { page: page.id } });
      if (reachable && i !== current) {
        const go = el('button', { type: 'button', class: 'nav-step' }, content);
        go.addEventListener('click', () => {
          clearBanner();
          show(i, true);
        });
        item.append(go);
      } else {
        item.append(el('span', { class: 'nav-step', 'aria-current': i === current ? 'step' : undefined }, content));
      }
      return item;
    }),
  );
  $('#progress').textContent = t().progress(current + 1, pages.length, pages[current].title);
}

function show(index, focus = false) {
  current = index;
  furthest = Math.max(furthest, index);
  const page = pages[index];
  renderPage();
  $('#prev').disabled = index === 0;
  $('#prev').hidden = page.id === 'result';
  $('#next').hidden = page.id === 'result';
  $('#next').textContent = page.id === 'intro' ? t().start : page.id === 'submission' ? t().submit : t().next;
  document.body.dataset.page = page.id;
  renderNav();
  closeNav();
  window.scrollTo(0, 0);
  if (focus) $('#page-title')?.focus();
}

/** Validate the current step; show its problems; true when the candidate may move on. */
function checkStep(page) {
  const report = engine.validateStep(page.id, app, { lang });
  const shown = new Set();
  for (const control of document.querySelectorAll('#form [data-for-pointer]')) {
    const pointer = control.dataset.forPointer;
    if (shown.has(pointer)) continue;
    shown.add(pointer);
    touched.add(pointer);
  }
  for (const box of document.querySelectorAll('#form .msgs[data-for]')) touched.add(box.dataset.for);
  validateTouched();
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const box = banner('error', t().stepErrors(errors.length), errors.map((d) => bannerItem(d)));
    box.focus();
    return false;
  }
  if (report.eligibility.outcome === 'ineligible') {
    banner('warning', t().ineligibleNow, report.eligibility.reasons.map((r) => bannerItem(r)));
  } else {
    clearBanner();
  }
  return true;
}

function submit() {
  const report = engine.validate(app, { lang });
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const titles = Object.fromEntries(form.steps.map((s) => [s.id, s.title]));
    const box = banner('error', t().submitErrors(errors.length), errors.map((d) => bannerItem(d, d.step ? `【${titles[d.step] ?? d.step}】` : '')));
    box.focus();
    return;
  }
  clearBanner();
  submitted = report;
  show(pages.length - 1, true);
}

function next() {
  const page = pages[current];
  if (page.step) {
    if (page.id === 'submission') {
      // The submission time is the clock's, taken when the candidate submits.
      for (const field of page.step.fields.filter((f) => f.clock)) {
        setAt(field.pointer, nowInBeijing());
        showReadonly(document.querySelectorAll(`[data-for-pointer="${CSS.escape(field.pointer)}"]`), field, field.pointer);
      }
    }
    if (!checkStep(page)) return;
    if (page.id === 'submission') {
      submit();
      return;
    }
  } else {
    clearBanner();
  }
  touched.clear();
  show(current + 1, true);
}

function prev() {
  clearBanner();
  touched.clear();
  show(Math.max(0, current - 1), true);
}

function closeNav() {
  $('#steps').classList.remove('open');
  $('#nav-toggle').setAttribute('aria-expanded', 'false');
}

// ---------------------------------------------------------------------------------------------
// Language

function applyUiWords() {
  document.documentElement.lang = t().htmlLang;
  document.title = t().docTitle;
  for (const node of document.querySelectorAll('[data-ui]')) node.textContent = t()[node.dataset.ui];
  $('#steps').setAttribute('aria-label', t().navLabel);
  for (const button of document.querySelectorAll('.lang button')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  }
  $('#pack-info').textContent = t().pack(form.pack);
}

function setLang(next) {
  if (next === lang) return;
  lang = next;
  form = engine.form({ lang });
  if (submitted) submitted = engine.validate(app, { lang });
  const id = pages[current].id;
  buildPages();
  applyUiWords();
  clearBanner();
  show(Math.max(0, pages.findIndex((p) => p.id === id)));
  const url = new URL(window.location.href);
  url.searchParams.set('lang', lang);
  window.history.replaceState(null, '', url);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  $('#pack-info').textContent = t().loading;
  try {
    await init();
    engine = Engine.fromBundle(await (await fetch(packUrl())).text());
    form = engine.form({ lang });
    buildPages();
    applyUiWords();
    $('#next').addEventListener('click', next);
    $('#prev').addEventListener('click', prev);
    $('#nav-toggle').addEventListener('click', () => {
      const open = !$('#steps').classList.contains('open');
      $('#steps').classList.toggle('open', open);
      $('#nav-toggle').setAttribute('aria-expanded', String(open));
    });
    for (const button of document.querySelectorAll('.lang button')) {
      button.addEventListener('click', () => setLang(button.dataset.lang));
    }
    show(0);
    document.body.dataset.ready = 'true';
  } catch (e) {
    banner('error', `${t().loadFailed}${e.message ?? e.code ?? e}`);
    document.body.dataset.ready = 'error';
    throw e;
  }
}

main();
