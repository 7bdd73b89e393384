// Browser test of the demo registration page: Debian's chromium driven by playwright-core, the demo
// served by test/server.mjs on 127.0.0.1, at a phone's 390×844 and a desktop's 1280×900.
//
// A candidate walks all eleven steps with mistakes and fixes (nothing filled in, a short password,
// a PNG and an oversized photo, a wrong ID check digit); gender and date of birth fill themselves
// from the ID number and cannot be edited; the photo is measured from the chosen file; the
// submission time comes from the (test's fixed) clock; messages are words with dates for people,
// codes only behind a disclosure; the page never scrolls sideways; axe-core finds no serious or
// critical accessibility violation; the last page shows the decision with the route in words,
// the materials and the printable notice, which is printed to PDF and read back with pdftotext.
// Screenshots and the PDF are kept in target/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { bindingDir, repoRoot, example, requireBuilt } from './helpers.mjs';
import { jsBlocks, runnable } from './readme.mjs';

const CHROMIUM = process.env.BAOKAO_CHROMIUM ?? '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const artifacts = join(repoRoot, 'target', 'artifacts');
// The demo's pages after the intro, in order (the pack's steps minus the authority's `record`).
const STEPS = ['account', 'exam', 'notice', 'basic', 'work', 'education', 'training', 'certificates', 'submission'];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
// Inside the 2024 registration window (2024-01-22 00:00 to 02-04 24:00, Beijing time).
const IN_WINDOW = new Date('2024-01-25T10:15:00+08:00');

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
    viewport: DESKTOP,
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

async function openDemo({ viewport = DESKTOP, clock = IN_WINDOW, query = '' } = {}) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  if (clock) await page.clock.setFixedTime(clock);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${baseUrl}/demo/${query}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, problems };
}

const tag = (viewport) => `${viewport.width}x${viewport.height}`;
const control = (page, pointer) => page.locator(`[data-editable][data-for-pointer="${pointer}"]`);
const readonly = (page, pointer) => page.locator(`input.readonly[data-for-pointer="${pointer}"]`);
const messages = (page, pointer) => page.locator(`.msgs[data-for="${pointer}"] > li > .text`);
const currentPage = (page) => page.evaluate(() => document.body.dataset.page);

/** The page never scrolls sideways: nothing is wider than the viewport. */
async function assertNoOverflow(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${where}: the page is ${scroll}px wide in a ${client}px viewport`);
}

/** Fill the fields of one step the candidate types, with the example's values. */
async function fillStep(page, step, data = {}) {
  for (const [key, value] of Object.entries(data)) {
    if (value === null || typeof value === 'object') continue; // records: these examples have none
    const input = control(page, `/${step}/${key}`);
    // Derived, measured and clock fields are not typed (see the tests below).
    if ((await input.count()) === 0 || !(await input.isVisible())) continue;
    const type = await input.getAttribute('data-type');
    const tagName = await input.evaluate((node) => node.tagName);
    if (type === 'bool') await input.setChecked(value);
    else if (tagName === 'SELECT') await input.selectOption(String(value));
    else await input.fill(String(value));
  }
}

async function next(page, expected) {
  await page.click('#next');
  assert.equal(await currentPage(page), expected);
  await assertNoOverflow(page, expected);
  await assertNoJunk(page, expected);
}

/** No leftovers of the code that drew the page: `null`, `undefined`, `[object …]`, `{i}`, `{$…}`. */
async function assertNoJunk(page, where) {
  const text = await page.locator('body').innerText();
  const junk = text.match(/null|undefined|\[object |\{i\}|\{\$|NaN/);
  assert.equal(junk, null, `${where}: \`${junk?.[0]}\` on the page`);
}

/** Error messages shown on the current page. */
async function shownErrors(page) {
  return page.locator('#form .msgs li.error > .text').allInnerTexts();
}

/** Image bytes drawn by the browser: a plain portrait, or noise (large once compressed). */
async function image(page, { type, width, height, noise = false }) {
  const b64 = await page.evaluate(
    async ({ type, width, height, noise }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d');
      g.fillStyle = '#fff';
      g.fillRect(0, 0, width, height);
      if (noise) {
        const data = g.getImageData(0, 0, width, height);
        let seed = 2024;
        for (let i = 0; i < data.data.length; i += 1) {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          data.data[i] = i % 4 === 3 ? 255 : seed % 256;
        }
        g.putImageData(data, 0, 0);
      } else {
        g.fillStyle = '#345';
        g.beginPath();
        g.arc(width / 2, height / 2.6, width / 4.5, 0, 2 * Math.PI);
        g.fill();
        g.fillRect(width / 5, height * 0.62, (width * 3) / 5, height * 0.4);
      }
      const blob = await new Promise((done) => canvas.toBlob(done, type, 0.85));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    },
    { type, width, height, noise },
  );
  return Buffer.from(b64, 'base64');
}

/** Choose a photo file and wait until the page has measured it. */
async function choosePhoto(page, file) {
  const before = Number((await page.evaluate(() => document.body.dataset.measured)) ?? 0);
  await page.setInputFiles('input[type="file"][data-file="photo"]', file);
  await page.waitForFunction((n) => Number(document.body.dataset.measured ?? 0) > n, before);
}

/** Run axe-core on the page: no serious or critical violation. */
async function assertAccessible(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${where}: ${JSON.stringify(bad, null, 1)}`);
}

/** The text of a PDF (pdftotext from poppler-utils), whitespace removed (CJK lines break anywhere). */
function pdfText(path) {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
}

// ---------------------------------------------------------------------------------------------

test('the demo draws its pages from the pack, in Chinese and in English', async () => {
  const { page, problems } = await openDemo();
  const nav = await page.locator('#step-list li').allInnerTexts();
  assert.equal(nav.length, 11, nav.join(' | '));
  assert.match(nav[0], /进入网报系统/);
  assert.match(nav[4], /基本情况/);
  assert.match(nav[10], /打印成功通知单/);
  await next(page, 'account');
  await next(page, 'account'); // nothing filled in: the step is checked and stays
  await page.click('#step-list button'); // back to the intro through the step list
  assert.equal(await currentPage(page), 'intro');
  await next(page, 'account');
  await fillStep(page, 'account', example('a-clinical-bachelor.json').account);
  await next(page, 'exam');
  assert.equal(await page.locator('label[for="f-exam-level"]').innerText(), '级别*');
  const categories = await control(page, '/exam/category').locator('option').allInnerTexts();
  assert.ok(categories.includes('中西医结合'), categories.join(','));
  await control(page, '/exam/level').selectOption('执业医师');

  await page.click('.lang button[data-lang="en"]');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.locator('#page-title').innerText(), 'Choose exam');
  assert.equal(await page.locator('label[for="f-exam-level"]').innerText(), 'Level*');
  await page.screenshot({ path: join(artifacts, 'demo-1280x900-exam-en.png'), fullPage: true });
  const english = await control(page, '/exam/level').locator('option').allInnerTexts();
  assert.ok(english.includes('Medical practitioner'), english.join(','));
  // What was chosen survives the switch: the value is the pack's, only its label changes.
  assert.equal(await control(page, '/exam/level').inputValue(), '执业医师');
  await page.click('.lang button[data-lang="zh"]');
  assert.equal(await control(page, '/exam/level').inputValue(), '执业医师');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.deepEqual(problems, []);
  await page.close();
});

for (const viewport of [PHONE, DESKTOP]) {
  test(`a candidate walks all steps with mistakes and fixes (${tag(viewport)})`, async () => {
    const app = example('a-clinical-bachelor.json');
    const { page, problems } = await openDemo({ viewport });
    await assertNoOverflow(page, 'intro');
    await page.screenshot({ path: join(artifacts, `demo-${tag(viewport)}-intro.png`), fullPage: true });
    await next(page, 'account');

    // Nothing filled in: the step stays, each field says what is missing — in words, with the
    // code only behind the "details" disclosure — and the summary links to the fields.
    await page.click('#next');
    assert.equal(await currentPage(page), 'account');
    assert.deepEqual(await messages(page, '/account/username').allInnerTexts(), ['请填写用户名']);
    const banner = page.locator('#banner');
    assert.match(await banner.innerText(), /需要修改/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'banner');
    assert.equal(await control(page, '/account/username').getAttribute('aria-invalid'), 'true');
    const visibleText = await page.locator('#form').evaluate((form) => {
      const copy = form.cloneNode(true);
      copy.querySelectorAll('details').forEach((d) => d.remove());
      return copy.textContent;
    });
    assert.equal(/required_missing|C1-|XF-/.test(visibleText), false, 'no code outside the disclosures');
    const disclosure = page.locator('.msgs[data-for="/account/username"] details.support');
    assert.equal(await disclosure.count(), 1);
    await disclosure.locator('summary').click();
    assert.match(await disclosure.innerText(), /required_missing/);
    await assertNoOverflow(page, 'account with messages');
    await page.screenshot({ path: join(artifacts, `demo-${tag(viewport)}-account-errors.png`), fullPage: true });

    // A field is checked as it is typed; the summary's link goes to it.
    await banner.locator('a').first().click();
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.forPointer), '/account/username');
    await control(page, '/account/password').fill('abc');
    assert.match((await messages(page, '/account/password').allInnerTexts()).join(), /密码/);
    await fillStep(page, 'account', app.account);
    assert.deepEqual(await shownErrors(page), []);
    await next(page, 'exam');
    await fillStep(page, 'exam', app.exam);
    await next(page, 'notice');
    assert.match(await page.locator('.step-help').innerText(), /如实填写报名信息/);
    await fillStep(page, 'notice', app.notice);
    await next(page, 'basic');

    // Gender and date of birth come from the ID number: filled in and locked.
    await fillStep(page, 'basic', app.basic);
    for (const [pointer, shown] of [
      ['/basic/gender', '男'],
      ['/basic/birth_date', '1998年5月14日'],
    ]) {
      const locked = readonly(page, pointer);
      assert.equal(await locked.isVisible(), true, pointer);
      assert.equal(await locked.inputValue(), shown, pointer);
      assert.equal(await locked.isEditable(), false, pointer);
      assert.equal(await control(page, pointer).isVisible(), false, `${pointer}: no editable control`);
    }
    assert.match(await page.locator('#f-basic-gender-note').innerText(), /证件号码.*自动生成，不可修改/);

    // The photo is a file, measured in the browser: format from the bytes (a PNG named .jpg),
    // size, pixels. A PNG and an oversized JPEG are refused with words; a good JPEG passes.
    await choosePhoto(page, { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await image(page, { type: 'image/png', width: 300, height: 400 }) });
    assert.equal(await readonly(page, '/basic/photo_format').inputValue(), 'png');
    assert.deepEqual(await messages(page, '/basic/photo_format').allInnerTexts(), ['照片须为jpg格式。']);
    await choosePhoto(page, { name: 'big.jpg', mimeType: 'image/jpeg', buffer: await image(page, { type: 'image/jpeg', width: 600, height: 800, noise: true }) });
    assert.equal(await readonly(page, '/basic/photo_format').inputValue(), 'jpg');
    assert.match((await messages(page, '/basic/photo_kb').allInnerTexts()).join(), /照片文件须小于30KB/);
    const photo = await image(page, { type: 'image/jpeg', width: 358, height: 441 });
    assert.ok(photo.length < 30 * 1024, `${photo.length} bytes`);
    await choosePhoto(page, { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photo });
    assert.equal(await readonly(page, '/basic/photo_width').inputValue(), '358');
    assert.equal(await readonly(page, '/basic/photo_height').inputValue(), '441');
    assert.equal(await readonly(page, '/basic/photo_kb').inputValue(), String(Math.ceil((photo.length * 100) / 1024) / 100));
    assert.equal(await readonly(page, '/basic/photo_kb').isEditable(), false);
    assert.equal(await page.locator('img.preview').isVisible(), true);
    assert.deepEqual(await shownErrors(page), []);

    // A wrong check digit is reported next to the ID number, masked, while typing; the derived
    // fields follow the number; correcting it clears the message.
    await control(page, '/basic/id_number').fill('430102199805140319');
    const idMessages = await messages(page, '/basic/id_number').allInnerTexts();
    assert.ok(idMessages.length > 0);
    assert.equal(idMessages.join().includes('430102199805140319'), false, 'the ID number is masked');
    await control(page, '/basic/id_number').fill('43010219980514');
    assert.equal(await readonly(page, '/basic/gender').inputValue(), '', 'incomplete: empty and locked');
    assert.equal(await readonly(page, '/basic/gender').isEditable(), false);
    await control(page, '/basic/id_number').fill(app.basic.id_number);
    assert.equal(await readonly(page, '/basic/gender').inputValue(), '男');
    assert.deepEqual(await messages(page, '/basic/id_number').allInnerTexts(), []);
    assert.deepEqual(await shownErrors(page), []);
    await assertNoOverflow(page, 'basic');
    await assertNoJunk(page, 'basic');
    await page.screenshot({ path: join(artifacts, `demo-${tag(viewport)}-basic.png`), fullPage: true });
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
    // The submission time is not typed: the clock gives it when the candidate submits.
    assert.equal(await control(page, '/submission/submitted_at').count(), 0);
    assert.equal(await readonly(page, '/submission/submitted_at').isEditable(), false);
    // The registration window in the step's help, for people.
    assert.match(await page.locator('.step-help').innerText(), /2024年1月22日 00:00至2024年2月4日 23:59:59/);
    await fillStep(page, 'submission', app.submission);
    await page.screenshot({ path: join(artifacts, `demo-${tag(viewport)}-submission.png`), fullPage: true });
    await next(page, 'result');

    const panel = page.locator('#eligibility');
    assert.equal(await panel.getAttribute('data-outcome'), 'eligible');
    assert.equal(await panel.locator('.outcome').innerText(), '符合报考条件');
    const route = await panel.locator('.route strong').innerText();
    assert.match(route, /报考执业医师/);
    assert.equal(/R-LV/.test(route), false, 'the route in words, not its id');
    assert.ok((await panel.locator('.materials li').count()) > 0, 'the materials checklist');
    assert.match(await page.locator('#step-list li.current').innerText(), /打印成功通知单/);
    const notice = page.frameLocator('#notice-frame');
    assert.match(await notice.locator('body').innerText(), /2024年1月25日|2024-01-25/);
    // The print button prints the notice frame.
    await page.evaluate(() => {
      document.querySelector('#notice-frame').contentWindow.print = () => {
        document.body.dataset.printed = 'true';
      };
    });
    await page.click('#print');
    assert.equal(await page.evaluate(() => document.body.dataset.printed), 'true');
    await assertNoOverflow(page, 'result');
    await assertNoJunk(page, 'result');
    await page.screenshot({ path: join(artifacts, `demo-${tag(viewport)}-result.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('a passport holder types gender and date of birth (the derivation does not apply)', async () => {
  const { page, problems } = await openDemo({ viewport: PHONE });
  const app = example('a-clinical-bachelor.json');
  await next(page, 'account');
  await fillStep(page, 'account', app.account);
  await next(page, 'exam');
  await fillStep(page, 'exam', app.exam);
  await next(page, 'notice');
  await fillStep(page, 'notice', app.notice);
  await next(page, 'basic');
  await control(page, '/basic/id_type').selectOption('外籍护照');
  await control(page, '/basic/id_number').fill('E12345678');
  assert.equal(await control(page, '/basic/gender').isVisible(), true);
  assert.equal(await readonly(page, '/basic/gender').isVisible(), false);
  await control(page, '/basic/gender').selectOption('女');
  assert.equal(await control(page, '/basic/birth_date').isEditable(), true);
  // Required now: the travel permit of a non-mainland document (required_when).
  assert.equal(await page.locator('[data-required-mark="/basic/travel_permit_no"]').isVisible(), true);
  await control(page, '/basic/id_type').selectOption('居民身份证');
  assert.equal(await page.locator('[data-required-mark="/basic/travel_permit_no"]').isVisible(), false);
  assert.deepEqual(problems, []);
  await page.close();
});

test('ineligible candidate (护理学): the reason at the field, after the step, and no notice — in words', async () => {
  const app = example('c-nursing-ineligible.json');
  const { page, problems } = await openDemo({ viewport: PHONE });
  await next(page, 'account');
  for (const step of STEPS.slice(0, 3)) {
    await fillStep(page, step, app[step]);
    await next(page, STEPS[STEPS.indexOf(step) + 1]);
  }
  await fillStep(page, 'basic', app.basic);
  await choosePhoto(page, { name: 'p.jpg', mimeType: 'image/jpeg', buffer: await image(page, { type: 'image/jpeg', width: 300, height: 400 }) });
  await next(page, 'work');
  await fillStep(page, 'work', app.work);
  await next(page, 'education');
  await fillStep(page, 'education', app.education);
  // validateField: the eligibility finding at the major appears as it is chosen.
  const major = await page.locator('.msgs[data-for="/education/major"] li.reason > .text').allInnerTexts();
  assert.ok(major.some((m) => m.includes('护理学')), major.join(' | '));
  await page.screenshot({ path: join(artifacts, 'demo-390x844-field-finding.png'), fullPage: true });
  // validateStep: the form is valid, but the step already makes the candidate ineligible.
  await next(page, 'training');
  assert.match(await page.locator('#banner').innerText(), /不符合报考条件[\s\S]*护理学/);
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
  const reasons = await panel.locator('.findings.reasons li > .text').allInnerTexts();
  assert.ok(reasons.some((r) => r.includes('护理学')), reasons.join(' | '));
  // The rule id and the regulation only in the disclosure.
  assert.equal(reasons.join().includes('R-EDU-0'), false);
  assert.match(await panel.locator('.findings.reasons details').first().evaluate((d) => d.textContent), /R-EDU-0/);
  // Nothing to bring to a review that will not accept the registration.
  assert.equal(await panel.locator('.materials').count(), 0);
  // No notice: the refusal in words.
  assert.equal(await page.locator('#notice-frame').count(), 0);
  const refused = page.locator('#notice-refused');
  const words = await refused.evaluate((node) => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('details').forEach((d) => d.remove());
    return copy.textContent;
  });
  assert.match(words, /不能打印报名成功通知单/);
  assert.match(words, /不符合报考条件/);
  assert.match(words, /护理学/);
  assert.equal(/notice_refused|R-EDU/.test(words), false, words);
  await assertNoOverflow(page, 'ineligible result');
  await page.screenshot({ path: join(artifacts, 'demo-390x844-ineligible.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('conditional candidate: the due date for people, the notice printed to PDF with the route, a due date and a material', async () => {
  // Spec R-TR-3 / XF-11: trial_start + 12 months <= 08-31. A trial from 2023-08 (any day) reaches
  // 12 months by 2024-08-31 at the latest: after registration but by the trial cutoff, so the
  // candidate registers on condition of handing in the one-year pass certificate by that date.
  const app = example('b-trial-conditional.json');
  const { page, problems } = await openDemo({ viewport: DESKTOP });
  await next(page, 'account');
  for (const step of STEPS) {
    await fillStep(page, step, app[step]);
    if (step === 'basic') {
      await choosePhoto(page, { name: 'p.jpg', mimeType: 'image/jpeg', buffer: await image(page, { type: 'image/jpeg', width: 300, height: 400 }) });
    }
    assert.deepEqual(await shownErrors(page), [], step);
    await next(page, STEPS[STEPS.indexOf(step) + 1] ?? 'result');
  }
  const panel = page.locator('#eligibility');
  assert.equal(await panel.getAttribute('data-outcome'), 'conditional');
  assert.equal(await panel.locator('.outcome').innerText(), '有条件符合报考条件');
  const condition = panel.locator('.findings.conditions li[data-rule="XF-11.a"]');
  assert.equal(await condition.count(), 1);
  const text = await condition.innerText();
  assert.match(text, /考核合格证明/);
  assert.match(text, /截止日期：2024年8月31日/);
  assert.equal(text.includes('2024-08-31'), false, 'dates for people');
  const routeLabel = await panel.locator('.route strong').innerText();
  const material = await panel.locator('.materials li > .text').first().innerText();

  // The notice the page shows, printed to A4 PDF by Chromium and read back.
  const html = await page.locator('#notice-frame').getAttribute('srcdoc');
  const printer = await context.newPage();
  await printer.setContent(html);
  const pdf = join(artifacts, 'notice-conditional.pdf');
  await printer.pdf({ path: pdf, format: 'A4', printBackground: true });
  await printer.screenshot({ path: join(artifacts, 'notice-conditional.png'), fullPage: true });
  await printer.close();
  const printed = pdfText(pdf);
  for (const [what, words] of [
    ['the route in words', routeLabel],
    ['a due date', '2024-08-31'],
    ['a material', material],
  ]) {
    assert.ok(printed.includes(words.replace(/\s+/g, '')), `${what} (${words}) is not in the PDF: ${printed.slice(0, 400)}`);
  }
  writeFileSync(join(artifacts, 'notice-conditional.txt'), printed);
  await page.screenshot({ path: join(artifacts, 'demo-1280x900-conditional.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the clock outside the registration window: not eligible for this exam, the window in words, no notice', async () => {
  // XF-21 is an eligibility requirement: an application submitted outside the window is not
  // registered for this year's exam, so the decision says so (it no longer stops at the step as a
  // form error and leaves the candidate "eligible").
  const app = example('a-clinical-bachelor.json');
  const { page, problems } = await openDemo({ viewport: PHONE, clock: new Date('2025-03-01T09:00:00+08:00') });
  await next(page, 'account');
  for (const step of STEPS) {
    await fillStep(page, step, app[step]);
    if (step === 'basic') {
      await choosePhoto(page, { name: 'p.jpg', mimeType: 'image/jpeg', buffer: await image(page, { type: 'image/jpeg', width: 300, height: 400 }) });
    }
    if (step === 'submission') break;
    await next(page, STEPS[STEPS.indexOf(step) + 1]);
  }
  // Submitting stamps the time from the clock (2025-03-01 09:00, Beijing), and the decision follows.
  await next(page, 'result');
  const panel = page.locator('#eligibility');
  assert.equal(await panel.getAttribute('data-outcome'), 'ineligible');
  const reasons = (await panel.locator('.findings.reasons li > .text').allInnerTexts()).join(' | ');
  assert.match(reasons, /2024年1月22日 00:00至2024年2月4日 23:59:59/);
  assert.match(reasons, /2025年3月1日 09:00/);
  assert.equal(reasons.includes('T00:00:00'), false, reasons);
  assert.equal(reasons.includes('XF-21'), false, reasons);
  assert.equal(await page.locator('#notice-frame').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard: the steps are reached and left with the keyboard, focus follows', async () => {
  const { page, problems } = await openDemo({ viewport: DESKTOP });
  await page.focus('#next');
  await page.keyboard.press('Enter');
  assert.equal(await currentPage(page), 'account');
  // The new page's heading has the focus, so a screen reader starts there.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'page-title');
  // Tab reaches the first field of the step.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.forPointer), '/account/username');
  // Back to the intro through the step list, with the keyboard.
  await page.locator('#step-list button').first().focus();
  await page.keyboard.press('Enter');
  assert.equal(await currentPage(page), 'intro');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'page-title');
  // On a phone the step list opens and closes from a button that says so.
  await page.setViewportSize(PHONE);
  const toggle = page.locator('#nav-toggle');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('#step-list').isVisible(), false);
  await toggle.focus();
  await page.keyboard.press('Enter');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  assert.equal(await page.locator('#step-list').isVisible(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

for (const viewport of [PHONE, DESKTOP]) {
  test(`axe-core: no serious or critical violation (${tag(viewport)})`, async () => {
    const app = example('b-trial-conditional.json');
    const { page, problems } = await openDemo({ viewport });
    await assertAccessible(page, 'intro');
    await next(page, 'account');
    await page.click('#next'); // the step's errors shown
    await assertAccessible(page, 'account with errors');
    await fillStep(page, 'account', app.account);
    await next(page, 'exam');
    await fillStep(page, 'exam', app.exam);
    await next(page, 'notice');
    await fillStep(page, 'notice', app.notice);
    await next(page, 'basic');
    await fillStep(page, 'basic', app.basic);
    await control(page, '/basic/email').fill('not an address');
    await assertAccessible(page, 'basic with derived fields and a message');
    await control(page, '/basic/email').fill(app.basic.email);
    await choosePhoto(page, { name: 'p.jpg', mimeType: 'image/jpeg', buffer: await image(page, { type: 'image/jpeg', width: 300, height: 400 }) });
    for (const step of STEPS.slice(4)) {
      await next(page, step);
      await fillStep(page, step, app[step]);
    }
    await page.click('.lang button[data-lang="en"]');
    await assertAccessible(page, 'submission in English');
    await page.click('.lang button[data-lang="zh"]');
    await next(page, 'result');
    await assertAccessible(page, 'result');
    assert.deepEqual(problems, []);
    await page.close();
  });
}

// The READMEs' browser examples (those that fetch the bundle) run in the page as shown; the others
// run in Node (test/readme.test.mjs).
for (const block of jsBlocks().filter((b) => b.browser)) {
  test(`README block ${block.name} runs in Chromium`, async () => {
    const { page, problems } = await openDemo();
    const code = `${runnable(block.code, '/pkg/baokao.js', example('a-clinical-bachelor.json'))}\nwindow.readmeDone = true;`;
    await page.addScriptTag({ type: 'module', content: code });
    await page.waitForFunction(() => window.readmeDone === true, null, { timeout: 20_000 }).catch(() => {});
    assert.deepEqual(problems, [], block.name);
    assert.equal(await page.evaluate(() => window.readmeDone), true, block.name);
    await page.close();
  });
}
