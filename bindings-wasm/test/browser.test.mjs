// Browser test of the demo form: Debian's chromium driven by playwright-core, the demo served by
// test/server.mjs on 127.0.0.1. Fills the whole 11-step form for an eligible candidate
// (examples/a-clinical-bachelor.json), an ineligible one (c-nursing-ineligible.json, 护理学) and a
// conditional one (b-trial-conditional.json, trial period completing after registration), checking the live field messages, the step checks and the eligibility panel, and saves
// screenshots to target/artifacts/demo-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { bindingDir, repoRoot, example, requireBuilt } from './helpers.mjs';

const CHROMIUM = process.env.BAOKAO_CHROMIUM ?? '/usr/bin/chromium';
const artifacts = join(repoRoot, 'target', 'artifacts');
// The demo's pages after the intro, in order (the pack's steps minus the authority's `record`).
const STEPS = ['account', 'exam', 'notice', 'basic', 'work', 'education', 'training', 'certificates', 'submission'];

let server;
let baseUrl;
let context;
let userDataDir;

before(async () => {
  requireBuilt();
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/setup-wasm.sh`);
  mkdirSync(artifacts, { recursive: true });
  ({ server, url: baseUrl } = await serve(bindingDir));
  userDataDir = mkdtempSync(join(tmpdir(), 'baokao-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--lang=zh-CN',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'zh-CN',
    // Chromium takes the format of <input type=date|month> from the process locale, not --lang.
    env: { ...process.env, LANG: 'zh_CN.UTF-8', LANGUAGE: 'zh_CN:zh' },
    timezoneId: 'Asia/Shanghai',
  });
});

after(async () => {
  await context?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

async function openDemo() {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${baseUrl}/demo/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, problems };
}

const field = (page, pointer) => page.locator(`[data-pointer="${pointer}"]`);
const messages = (page, pointer) => page.locator(`.msgs[data-for="${pointer}"] li`);
const currentPage = (page) => page.evaluate(() => document.body.dataset.page);

/** Fill the scalar fields of one step with the example's values. */
async function fillStep(page, step, data = {}) {
  for (const [key, value] of Object.entries(data)) {
    if (value === null || typeof value === 'object') continue; // records: both examples have none
    const input = field(page, `/${step}/${key}`);
    const type = await input.getAttribute('data-type');
    const tag = await input.evaluate((node) => node.tagName);
    if (type === 'bool') await input.setChecked(value);
    else if (tag === 'SELECT') await input.selectOption(String(value));
    else if (type === 'datetime') await input.fill(String(value).slice(0, 16));
    else await input.fill(String(value));
  }
}

async function next(page, expected) {
  await page.click('#next');
  assert.equal(await currentPage(page), expected);
}

/**
 * Fill `steps` in form order with the example's values: each shows no error, then moves on to the
 * page after it (the result after the last step).
 */
async function fillSteps(page, app, steps) {
  for (const step of steps) {
    await fillStep(page, step, app[step]);
    assert.deepEqual(await shownErrors(page), [], step);
    await next(page, STEPS[STEPS.indexOf(step) + 1] ?? 'result');
  }
}

/** Error messages shown on the current page. */
async function shownErrors(page) {
  return page.locator('section.page:not([hidden]) .msgs li.error').allInnerTexts();
}

test('the demo builds its pages from the pack', async () => {
  const { page, problems } = await openDemo();
  const nav = await page.locator('nav#steps li').allInnerTexts();
  assert.equal(nav.length, 11, nav.join(' | '));
  assert.match(nav[0], /进入网报系统/);
  assert.match(nav[4], /基本情况/);
  assert.match(nav[10], /打印成功通知单/);
  // Labels and options come from the pack.
  assert.equal(await page.locator('label[for="f-basic-name"]').innerText(), '姓名*');
  const options = await field(page, '/work/unit_province').locator('option').allInnerTexts();
  assert.ok(options.includes('湖南省（430000）'), options.join(','));
  assert.deepEqual(problems, []);
  await page.close();
});

test('eligible candidate: live field checks, step checks, and an eligible result', async () => {
  const app = example('a-clinical-bachelor.json');
  const { page, problems } = await openDemo();
  await next(page, 'account');

  // The step is checked before moving on: nothing filled in, so it stays, with messages.
  await page.click('#next');
  assert.equal(await currentPage(page), 'account');
  assert.deepEqual(await messages(page, '/account/username').allInnerTexts(), ['请填写用户名required_missing']);
  assert.match(await page.locator('#banner').innerText(), /需要修改/);

  // Each field is checked as it is typed.
  await field(page, '/account/password').fill('abc');
  assert.match((await messages(page, '/account/password').allInnerTexts()).join(), /密码/);
  await fillStep(page, 'account', app.account);
  assert.deepEqual(await shownErrors(page), []);
  await next(page, 'exam');

  await fillStep(page, 'exam', app.exam);
  await next(page, 'notice');
  await fillStep(page, 'notice', app.notice);
  await next(page, 'basic');

  // A wrong check digit in the ID number is reported next to the field, masked, while typing;
  // correcting it clears the message.
  await fillStep(page, 'basic', app.basic);
  assert.deepEqual(await shownErrors(page), []);
  await field(page, '/basic/id_number').fill('430102199805140319');
  const idMessages = await messages(page, '/basic/id_number').allInnerTexts();
  assert.ok(idMessages.length > 0);
  assert.equal(idMessages.join().includes('430102199805140319'), false, 'the ID number is masked');
  await page.screenshot({ path: join(artifacts, 'demo-live-validation.png') });
  await field(page, '/basic/id_number').fill(app.basic.id_number);
  assert.deepEqual(await messages(page, '/basic/id_number').allInnerTexts(), []);
  assert.deepEqual(await shownErrors(page), []);
  await next(page, 'work');

  for (const [step, nextStep] of [
    ['work', 'education'],
    ['education', 'training'],
    ['training', 'certificates'],
    ['certificates', 'submission'],
  ]) {
    await fillStep(page, step, app[step]);
    assert.deepEqual(await shownErrors(page), [], step);
    await next(page, nextStep);
  }
  await fillStep(page, 'submission', app.submission);
  await next(page, 'result');

  const panel = page.locator('#eligibility');
  assert.equal(await panel.getAttribute('data-outcome'), 'eligible');
  assert.equal(await panel.locator('.outcome').innerText(), '符合报考条件');
  assert.match(await panel.locator('.route').innerText(), /R-LV-1/);
  assert.match(await panel.locator('.digest').innerText(), /nmec-2024/);
  assert.match(await page.locator('nav#steps li.current').innerText(), /打印成功通知单/);
  await page.screenshot({ path: join(artifacts, 'demo-eligible.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('ineligible candidate (护理学): the reason shows at the field, after the step, and in the result', async () => {
  const app = example('c-nursing-ineligible.json');
  const { page, problems } = await openDemo();
  await next(page, 'account');
  await fillSteps(page, app, STEPS.slice(0, 5));
  await fillStep(page, 'education', app.education);
  // validateField: the eligibility finding at the major appears as it is chosen.
  const majorMessages = await page.locator('.msgs[data-for="/education/major"] li.reason').allInnerTexts();
  assert.ok(majorMessages.some((m) => m.includes('护理学')), majorMessages.join(' | '));
  await page.screenshot({ path: join(artifacts, 'demo-field-finding.png') });
  // validateStep: the form is valid, but the step already makes the candidate ineligible.
  await next(page, 'training');
  const banner = await page.locator('#banner').innerText();
  assert.match(banner, /不符合报考条件/);
  assert.match(banner, /护理学/);

  for (const [step, nextStep] of [
    ['training', 'certificates'],
    ['certificates', 'submission'],
  ]) {
    await fillStep(page, step, app[step]);
    await next(page, nextStep);
  }
  await fillStep(page, 'submission', app.submission);
  await next(page, 'result');

  const panel = page.locator('#eligibility');
  assert.equal(await panel.getAttribute('data-outcome'), 'ineligible');
  assert.equal(await panel.locator('.outcome').innerText(), '不符合报考条件');
  const reasons = await panel.locator('.findings.reasons li').allInnerTexts();
  assert.ok(reasons.length >= 1);
  assert.ok(reasons.some((r) => r.includes('护理学') && r.includes('R-EDU-0')), reasons.join(' | '));
  assert.match(await panel.locator('.cites').innerText(), /医师资格考试报名资格规定/);
  await page.screenshot({ path: join(artifacts, 'demo-ineligible.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('conditional candidate (试用期 from 2023-08): the condition, its due date and its citation in the result', async () => {
  // Spec R-TR-3 / XF-11: trial_start + 12 months <= 08-31. A trial from 2023-08 (any day) reaches
  // 12 months by 2024-08-31 at the latest: after registration but by the trial cutoff, so the
  // candidate may register on condition of handing in the one-year pass certificate by that date.
  // Route R-LV-1 (clinical bachelor, mainland ID).
  const app = example('b-trial-conditional.json');
  const { page, problems } = await openDemo();
  await next(page, 'account');
  await fillSteps(page, app, STEPS);
  const panel = page.locator('#eligibility');
  assert.equal(await panel.getAttribute('data-outcome'), 'conditional');
  assert.equal(await panel.locator('.outcome').innerText(), '有条件符合报考条件');
  assert.match(await panel.locator('.route').innerText(), /R-LV-1/);
  assert.equal(await panel.locator('.findings.reasons').count(), 0, 'a conditional candidate has no reasons shown');
  const condition = panel.locator('.findings.conditions li[data-rule="XF-11.a"]');
  assert.equal(await condition.count(), 1);
  const text = await condition.innerText();
  assert.match(text, /2023-08/);
  assert.match(text, /考核合格证明/);
  assert.match(text, /截止日期：2024-08-31/);
  assert.match(await panel.locator('.cites').innerText(), /\S/);
  await page.screenshot({ path: join(artifacts, 'demo-conditional.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
