// The JavaScript code blocks of the READMEs (the top-level one and bindings-wasm/README.md), for the
// tests that run them: in Node (test/readme.test.mjs) the blocks that do not `fetch`, in Chromium
// (test/browser.test.mjs) those that do — `fetch` cannot read the `file:` URL of a bundle in Node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bindingDir, repoRoot } from './helpers.mjs';

export const READMES = [join(repoRoot, 'README.md'), join(bindingDir, 'README.md')];

/** Every ```js block: {name, code, browser}. */
export function jsBlocks() {
  const blocks = [];
  for (const file of READMES) {
    const text = readFileSync(file, 'utf8');
    let n = 0;
    for (const match of text.matchAll(/^```js\n([\s\S]*?)^```$/gm)) {
      n += 1;
      const code = match[1];
      blocks.push({ name: `${file.slice(repoRoot.length + 1)}#${n}`, code, browser: code.includes('fetch(') });
    }
  }
  return blocks;
}

/**
 * What a block takes for granted, declared before it: the application (the pack's first example),
 * the page's own `show`/`showNextToField`, `readFileSync`, and an `engine` when the block does not
 * make one. `pkg` is where the block's `'baokao'` import is found.
 */
export function runnable(code, pkg, application) {
  const prelude = [
    `const application = ${JSON.stringify(application)};`,
    'const show = () => {};',
    'const showNextToField = () => {};',
  ];
  if (code.includes('readFileSync') && !code.includes('import { readFileSync')) {
    prelude.unshift("import { readFileSync } from 'node:fs';");
  }
  if (!/const engine\b/.test(code)) {
    prelude.unshift(`import { Engine as ReadmeEngine } from ${JSON.stringify(pkg)};`);
    prelude.push('const engine = await ReadmeEngine.load();');
  }
  // Imports must come first in a module: hoist the block's own.
  const lines = code.split('\n');
  const imports = lines.filter((l) => l.startsWith('import '));
  const body = lines.filter((l) => !l.startsWith('import '));
  return [...imports, ...prelude, ...body]
    .join('\n')
    .replaceAll("from 'baokao'", `from ${JSON.stringify(pkg)}`);
}
