// Shared fixtures of the node tests: the built package, the 2024 bundle, the example applications
// and the conformance vectors (written by `baokao test --write-vectors`, see scripts/test-wasm.sh).
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const here = fileURLToPath(new URL('.', import.meta.url));
export const bindingDir = join(here, '..');
export const repoRoot = join(bindingDir, '..');
export const pkgDir = join(bindingDir, 'pkg');
export const bundlePath = join(pkgDir, 'packs', 'nmec-2024.json');
export const examplesDir = join(repoRoot, 'rules', 'nmec-2024', 'examples');
export const vectorsPath =
  process.env.BAOKAO_VECTORS ?? join(repoRoot, 'target', 'conformance', 'nmec-2024.jsonl');
// The bundle of tests/limits/work (nested quantifiers that reach the work limit), written by
// scripts/test-wasm.sh with the CLI.
export const workBundlePath =
  process.env.BAOKAO_WORK_BUNDLE ?? join(repoRoot, 'target', 'conformance', 'limits-work.bundle.json');

export function requireBuilt() {
  if (!existsSync(join(pkgDir, 'baokao.js'))) {
    throw new Error('bindings-wasm/pkg is missing: run scripts/build-wasm.sh first');
  }
}

export async function loadBaokao() {
  requireBuilt();
  const baokao = await import('../pkg/baokao.js');
  await baokao.init();
  return baokao;
}

export function bundleText() {
  return readFileSync(bundlePath, 'utf8');
}

export function workBundleText() {
  if (!existsSync(workBundlePath)) {
    throw new Error(
      `${workBundlePath} is missing: run \`cargo run --release -p baokao-cli -- bundle tests/limits/work -o ${workBundlePath}\``,
    );
  }
  return readFileSync(workBundlePath, 'utf8');
}

export function example(name) {
  return JSON.parse(readFileSync(join(examplesDir, name), 'utf8'));
}

export function vectors() {
  if (!existsSync(vectorsPath)) {
    throw new Error(
      `${vectorsPath} is missing: run \`cargo run --release -p baokao-cli -- test rules/nmec-2024 --write-vectors ${vectorsPath}\``,
    );
  }
  return readFileSync(vectorsPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** Calls `fn` and returns what it threw (failing when it throws nothing). */
export function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception');
}
