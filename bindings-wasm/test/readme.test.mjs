// The JavaScript blocks of the READMEs run in Node as shown (see test/readme.mjs; the blocks that
// fetch run in Chromium, in test/browser.test.mjs), from a directory holding `app.json`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { example, pkgDir, requireBuilt } from './helpers.mjs';
import { jsBlocks, runnable } from './readme.mjs';

requireBuilt();
const blocks = jsBlocks();
const application = example('a-clinical-bachelor.json');

test('each README has JavaScript for Node and for the browser', () => {
  for (const readme of ['README.md', 'bindings-wasm/README.md']) {
    const mine = blocks.filter((b) => b.name.startsWith(`${readme}#`));
    assert.ok(mine.some((b) => !b.browser), `${readme}: a Node block`);
    assert.ok(mine.some((b) => b.browser), `${readme}: a browser block`);
  }
});

for (const block of blocks.filter((b) => !b.browser)) {
  test(`README block ${block.name} runs in Node`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'baokao-readme-'));
    try {
      writeFileSync(join(dir, 'app.json'), JSON.stringify(application));
      const file = join(dir, 'block.mjs');
      writeFileSync(file, runnable(block.code, pathToFileURL(join(pkgDir, 'baokao.js')).href, application));
      const run = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' });
      assert.equal(run.status, 0, `${block.name}\n${run.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
