// Demo: the 2024 NMEC online registration as an 11-step form, validated in the browser by baokao.
//
// Everything about the form — steps, field lists, labels, types, allowed values, the registration
// dates — comes from the rule pack (engine.form() and the bundle's params and tables); this file
// only lays it out. Each field is validated as it is typed (engine.validateField), each step
// before moving on (engine.validateStep), and the whole application at submission
// (engine.validate), whose eligibility decision the last page shows.
import { init, Engine, packUrl } from '../pkg/baokao.js';

// Page 1 of the walkthrough (entering the portal) and page 11 (the success notice) have no fields;
// pages 2–10 are the pack's steps. `record` holds authority data (bans), never typed by candidates.
const AUTHORITY_STEPS = new Set(['record']);

const OUTCOME_TEXT = {
  eligible: '符合报考条件',
  conditional: '有条件符合报考条件',
  ineligible: '不符合报考条件',
  needs_review: '需人工审核',
  undetermined: '尚无法判断',
};

const NOTICE_TEXT = [
  '考生须如实填写报名信息，并对所填信息的真实性负责；弄虚作假者按《医师资格考试违纪违规处理规定》处理。',
  '考生只能选择一个符合《医师资格考试报名资格规定（2014版）》的学历报名。',
  '网上报名后，须在规定时间内到考点办理现场审核，审核时提交《报名成功通知单》等材料。',
  '试用期考生须在规定日期前取得试用期考核合格证明。',
];

const $ = (selector, root = document) => root.querySelector(selector);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

let engine;
let bundle;
let formSpec;
let pages = [];
let current = 0;
let furthest = 0;
const touched = new Set();

// ---------------------------------------------------------------------------------------------
// Reading the form into an application

/** The JSON value of one input, or undefined for "not filled in" (null = absent). */
function readValue(input) {
  const type = input.dataset.type;
  if (type === 'bool') return input.checked;
  const raw = input.value.trim();
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

function setAt(target, pointer, value) {
  const keys = pointer.slice(1).split('/');
  let node = target;
  keys.slice(0, -1).forEach((key, i) => {
    const nextIsIndex = /^\d+$/.test(keys[i + 1]);
    node[key] ??= nextIsIndex ? [] : {};
    node = node[key];
  });
  node[keys[keys.length - 1]] = value;
}

/** The application as the form holds it now. */
function collect() {
  const app = {};
  for (const step of formSpec.steps) {
    if (!AUTHORITY_STEPS.has(step.id)) app[step.id] = {};
  }
  for (const group of document.querySelectorAll('[data-records]')) {
    setAt(app, group.dataset.records, []);
  }
  for (const input of document.querySelectorAll('[data-pointer]')) {
    const value = readValue(input);
    if (value !== undefined) setAt(app, input.dataset.pointer, value);
  }
  return app;
}

// ---------------------------------------------------------------------------------------------
// Showing messages

function messageItem(className, text, rule) {
  return el('li', { class: className }, text, rule ? el('span', { class: 'rule', text: rule }) : null);
}

function showField(pointer, diagnostics, findings = []) {
  const box = document.querySelector(`.msgs[data-for="${CSS.escape(pointer)}"]`);
  if (!box) return false;
  const field = box.closest('.field');
  const input = field.querySelector('[data-pointer]');
  box.replaceChildren(
    ...diagnostics.map((d) => messageItem(d.severity, d.message, d.rule ?? d.code)),
    ...findings.map((f) => messageItem(f.kind, f.message, f.rule)),
  );
  const invalid = diagnostics.some((d) => d.severity === 'error') || findings.some((f) => f.kind === 'reason');
  input.setAttribute('aria-invalid', String(invalid));
  field.classList.toggle('ok', !invalid && diagnostics.length === 0 && findings.length === 0);
  return true;
}

/** Validate the fields the candidate has touched on this page (cross-field rules change too). */
function validateTouched() {
  const app = collect();
  for (const pointer of touched) {
    if (!document.querySelector(`[data-pointer="${CSS.escape(pointer)}"]`)) continue;
    const result = engine.validateField(pointer, app);
    showField(pointer, result.diagnostics, result.findings);
  }
}

function banner(kind, title, items = []) {
  const box = $('#banner');
  box.className = `banner ${kind}`;
  box.replaceChildren(el('strong', { text: title }));
  if (items.length) box.append(el('ul', {}, ...items.map((t) => el('li', { text: t }))));
  box.hidden = false;
}

function clearBanner() {
  $('#banner').hidden = true;
}

// ---------------------------------------------------------------------------------------------
// Building the pages from the pack

function optionLabel(field, value) {
  const table = field.enumTable ? bundle.pack.tables[field.enumTable] : undefined;
  if (!table) return value;
  const nameColumn = table.columns.indexOf('name');
  if (nameColumn <= 0) return value;
  const row = table.rows.find((r) => r[0] === value);
  return row ? `${row[nameColumn]}（${value}）` : value;
}

function inputFor(field, pointer) {
  const id = `f${pointer.replaceAll('/', '-')}`;
  const common = { id, dataset: { pointer, type: field.type }, name: pointer };
  if (field.enum) {
    return el(
      'select',
      common,
      el('option', { value: '', text: '请选择' }),
      ...field.enum.map((v) => el('option', { value: v, text: optionLabel(field, v) })),
    );
  }
  switch (field.type) {
    case 'bool':
      return el('input', { ...common, type: 'checkbox' });
    case 'int':
      return el('input', { ...common, type: 'number', step: '1', min: field.min, max: field.max });
    case 'number':
      return el('input', { ...common, type: 'number', step: 'any', min: field.min, max: field.max });
    case 'date':
      return el('input', { ...common, type: 'date' });
    case 'month':
      return el('input', { ...common, type: 'month', placeholder: 'YYYY-MM' });
    case 'date_or_month':
      // The form asks for the month; the day is welcome where a cutoff falls inside a month.
      return el('input', { ...common, type: 'text', inputmode: 'numeric', placeholder: 'YYYY-MM 或 YYYY-MM-DD' });
    case 'datetime':
      return el('input', { ...common, type: 'datetime-local' });
    default:
      return el('input', {
        ...common,
        type: field.key === 'password' ? 'password' : 'text',
        maxlength: field.maxLength,
        placeholder: field.dash ? '不适用时填“-”' : undefined,
      });
  }
}

function fieldBox(field, pointer) {
  const input = inputFor(field, pointer);
  const label = el(
    'label',
    { for: input.id },
    field.label.zh,
    field.required ? el('span', { class: 'req', text: '*' }) : null,
    !field.required && field.requiredWhen ? el('span', { class: 'cond', text: '（视情况必填）' }) : null,
  );
  const box = el(
    'div',
    { class: `field ${field.type === 'bool' ? 'bool' : ''}`, dataset: { path: field.path } },
    label,
    input,
    el('ul', { class: 'msgs', dataset: { for: pointer }, 'aria-live': 'polite' }),
  );
  const onEdit = () => {
    touched.add(pointer);
    validateTouched();
  };
  input.addEventListener('input', onEdit);
  input.addEventListener('change', onEdit);
  input.addEventListener('blur', onEdit);
  return box;
}

function recordsBox(records, items) {
  const base = records.pointer;
  const list = el('div', { class: 'entries' });
  const group = el(
    'div',
    { class: 'records', dataset: { records: base } },
    el('h3', {}, records.label.zh, el('span', { class: 'cond', text: '（没有可不填，直接下一步）' })),
    list,
  );
  const renumber = () => {
    [...list.children].forEach((entry, i) => {
      entry.querySelector('.entry-title').textContent = `${records.label.zh} ${i + 1}`;
      for (const input of entry.querySelectorAll('[data-pointer]')) {
        const key = input.dataset.key;
        input.dataset.pointer = `${base}/${i}/${key}`;
        input.id = `f${input.dataset.pointer.replaceAll('/', '-')}`;
        input.closest('.field').querySelector('label').setAttribute('for', input.id);
        input.closest('.field').querySelector('.msgs').dataset.for = input.dataset.pointer;
      }
    });
  };
  const add = el('button', { type: 'button', class: 'add', text: `＋ 添加${records.label.zh}` });
  add.addEventListener('click', () => {
    const i = list.children.length;
    const remove = el('button', { type: 'button', class: 'remove', text: '删除' });
    const entry = el(
      'div',
      { class: 'record-entry' },
      remove,
      el('div', { class: 'entry-title' }),
      el(
        'div',
        { class: 'fields' },
        ...items.map((f) => {
          const box = fieldBox(f, f.pointer.replace('{i}', String(i)));
          box.querySelector('[data-pointer]').dataset.key = f.key;
          return box;
        }),
      ),
    );
    remove.addEventListener('click', () => {
      entry.remove();
      touched.clear();
      renumber();
      validateTouched();
    });
    list.append(entry);
    renumber();
  });
  group.append(add);
  return group;
}

function stepPage(step, fields) {
  const section = el('section', { class: 'page', dataset: { step: step.id } });
  section.append(el('h2', { text: step.title.zh }));
  if (step.id === 'notice') {
    section.append(el('div', { class: 'notice-text' }, ...NOTICE_TEXT.map((t) => el('p', { text: t }))));
  }
  const grid = el('div', { class: 'fields' });
  for (const field of fields) {
    if (field.records) continue;
    if (field.type === 'records') {
      const items = fields.filter((f) => f.records === field.path);
      grid.append(recordsBox(field, items));
    } else {
      grid.append(fieldBox(field, field.pointer));
    }
  }
  section.append(grid);
  return section;
}

function param(name) {
  return bundle.pack.params[name]?.value;
}

function beijing(datetime) {
  return String(datetime ?? '').replace('T', ' ').replace(/\+08:00$/, '');
}

function introPage() {
  return el(
    'section',
    { class: 'page intro', dataset: { step: 'intro' } },
    el('h2', { text: '进入网报系统' }),
    el('p', { class: 'step-hint', text: formSpec.title.zh }),
    el(
      'dl',
      {},
      el('dt', { text: '网上报名时间' }),
      el('dd', { text: `${beijing(param('reg_open'))} 至 ${beijing(param('reg_close'))}（北京时间）` }),
      el('dt', { text: '现场审核时间' }),
      el('dd', { text: `${param('onsite_open')} 至 ${param('onsite_close')}` }),
      el('dt', { text: '考试年度' }),
      el('dd', { text: String(param('exam_year')) }),
    ),
    el('p', {
      text: '请按步骤如实填写。每个字段在输入时即时校验，每一步在进入下一步前校验；提交后显示报考资格判断结果。',
    }),
  );
}

function resultPage() {
  return el(
    'section',
    { class: 'page result', dataset: { step: 'result' } },
    el('h2', { text: '报名结果（成功通知单）' }),
    el('div', { id: 'result' }),
  );
}

function buildPages() {
  const steps = formSpec.steps.filter((s) => !AUTHORITY_STEPS.has(s.id));
  pages = [
    { id: 'intro', title: '进入网报系统', node: introPage() },
    ...steps.map((step) => ({
      id: step.id,
      title: step.title.zh,
      node: stepPage(
        step,
        formSpec.fields.filter((f) => f.step === step.id),
      ),
      step: true,
    })),
    { id: 'result', title: '打印成功通知单', node: resultPage() },
  ];
  $('#form').replaceChildren(...pages.map((p) => p.node));
}

// ---------------------------------------------------------------------------------------------
// Navigation

function renderNav() {
  const list = el('ol');
  pages.forEach((page, i) => {
    const item = el(
      'li',
      {
        class: i === current ? 'current' : i < furthest || (i <= furthest && i !== current) ? 'done' : '',
        dataset: { page: page.id },
      },
      el('span', { class: 'num', text: String(i + 1) }),
      page.title,
    );
    if (i <= furthest && i !== current) item.addEventListener('click', () => show(i));
    list.append(item);
  });
  $('#steps').replaceChildren(list);
}

function show(index) {
  current = index;
  furthest = Math.max(furthest, index);
  pages.forEach((p, i) => {
    p.node.hidden = i !== index;
  });
  const page = pages[index];
  $('#prev').disabled = index === 0;
  $('#next').hidden = page.id === 'result';
  $('#next').textContent = page.id === 'intro' ? '开始报名' : page.id === 'submission' ? '提交报名' : '下一步';
  document.body.dataset.page = page.id;
  renderNav();
  window.scrollTo(0, 0);
}

/** Validate the current step; show its problems; true when the candidate may move on. */
function checkStep(page) {
  const report = engine.validateStep(page.id, collect());
  const byPointer = new Map();
  for (const d of report.diagnostics) {
    if (!byPointer.has(d.path)) byPointer.set(d.path, []);
    byPointer.get(d.path).push(d);
  }
  const orphans = [];
  for (const input of page.node.querySelectorAll('[data-pointer]')) {
    const pointer = input.dataset.pointer;
    touched.add(pointer);
    showField(pointer, byPointer.get(pointer) ?? []);
  }
  for (const d of report.diagnostics) {
    if (!page.node.querySelector(`[data-pointer="${CSS.escape(d.path)}"]`)) orphans.push(d);
  }
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  if (report.eligibility.outcome === 'ineligible') {
    banner(
      'error',
      `根据已填写的信息，您${OUTCOME_TEXT.ineligible}：`,
      report.eligibility.reasons.map((r) => r.message),
    );
  } else if (errors.length) {
    banner('error', `本步骤有 ${errors.length} 处需要修改，请按提示修改后再进入下一步。`, orphans.map((d) => d.message));
  } else {
    clearBanner();
  }
  return errors.length === 0;
}

function listSection(title, findings, kind) {
  if (!findings.length) return null;
  return el(
    'div',
    { class: `findings ${kind}`, dataset: { kind } },
    el('h4', { text: title }),
    el(
      'ul',
      {},
      ...findings.map((f) =>
        el(
          'li',
          { dataset: { rule: f.rule } },
          f.message,
          f.due ? el('span', { class: 'due', text: `（截止日期：${f.due}）` }) : null,
          f.question ? el('span', { class: 'rule', text: `待定问题 ${f.question}` }) : null,
          el('span', { class: 'rule', text: f.rule }),
          f.cite ? el('cite', { text: `依据：${f.cite}` }) : null,
        ),
      ),
    ),
  );
}

/** Who applied for what, as the candidate typed it (labels and option names from the pack). */
function candidateSummary(app) {
  const byPath = Object.fromEntries(formSpec.fields.map((f) => [f.path, f]));
  const shown = ['basic.name', 'basic.gender', 'exam.level', 'exam.category', 'education.major', 'submission.exam_area'];
  return el(
    'dl',
    { class: 'summary' },
    ...shown.flatMap((path) => {
      const [step, key] = path.split('.');
      const value = app[step]?.[key];
      const field = byPath[path];
      if (value === undefined || !field) return [];
      return [el('dt', { text: field.label.zh }), el('dd', { text: optionLabel(field, String(value)) })];
    }),
  );
}

function renderResult(report, app) {
  const e = report.eligibility;
  const cites = [...new Set([...e.reasons, ...e.conditions, ...e.restrictions].map((f) => f.cite).filter(Boolean))];
  const warnings = report.diagnostics;
  const panel = el(
    'section',
    { id: 'eligibility', dataset: { outcome: e.outcome } },
    el('h3', {}, '报考资格：', el('span', { class: 'outcome', text: OUTCOME_TEXT[e.outcome] })),
    el('p', { class: 'route' }, '适用报考途径：', el('strong', { text: e.route ?? '无' })),
    listSection('不符合报考条件的原因', e.outcome === 'ineligible' ? e.reasons : [], 'reasons'),
    listSection('需审核的问题', e.outcome === 'needs_review' ? e.reasons : [], 'reasons'),
    listSection('尚缺的信息', e.outcome === 'undetermined' ? e.reasons : [], 'reasons'),
    listSection('须满足的条件', e.conditions, 'conditions'),
    listSection('执业限制', e.restrictions, 'restrictions'),
    cites.length
      ? el('div', { class: 'cites' }, el('h4', { text: '政策依据' }), el('ul', {}, ...cites.map((c) => el('li', { text: c }))))
      : null,
    warnings.length
      ? el(
          'div',
          { class: 'warnings' },
          el('h4', { text: '提示' }),
          el('ul', {}, ...warnings.map((d) => el('li', { text: d.message }))),
        )
      : null,
    el('p', { class: 'digest', text: `规则包 ${report.pack.id} ${report.pack.version} · ${report.pack.digest}` }),
  );
  const print = el('button', { type: 'button', class: 'primary', text: '打印通知单' });
  print.addEventListener('click', () => window.print());
  $('#result').replaceChildren(candidateSummary(app), panel, el('p', {}, print));
}

function submit() {
  const app = collect();
  const report = engine.validate(app);
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const titles = Object.fromEntries(formSpec.steps.map((s) => [s.id, s.title.zh]));
    banner(
      'error',
      `还有 ${errors.length} 处需要修改，无法提交：`,
      errors.map((d) => `${d.step ? `【${titles[d.step] ?? d.step}】` : ''}${d.message}`),
    );
    for (const d of errors) showField(d.path, [d]);
    return;
  }
  clearBanner();
  renderResult(report, app);
  show(pages.length - 1);
}

function next() {
  const page = pages[current];
  if (page.id === 'submission') {
    if (checkStep(page)) submit();
    return;
  }
  if (page.step && !checkStep(page)) return;
  if (page.step && !$('#banner').classList.contains('error')) clearBanner();
  touched.clear();
  show(current + 1);
}

function prev() {
  clearBanner();
  touched.clear();
  show(Math.max(0, current - 1));
}

async function main() {
  try {
    await init();
    const text = await (await fetch(packUrl())).text();
    bundle = JSON.parse(text);
    engine = Engine.fromBundle(text);
    formSpec = engine.form();
    $('#pack-info').textContent = `规则包 ${formSpec.pack.id} · 版本 ${formSpec.pack.version}`;
    buildPages();
    $('#next').addEventListener('click', next);
    $('#prev').addEventListener('click', prev);
    show(0);
    document.body.dataset.ready = 'true';
  } catch (e) {
    banner('error', `加载失败：${e.message ?? e.code ?? e}`);
    document.body.dataset.ready = 'error';
    throw e;
  }
}

main();
