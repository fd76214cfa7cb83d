'use strict';
// The tarball installed into fresh projects, as a user installs it:
//   (a) with a compiler and no prebuild that matches: the addon is built;
//   (b) with no compiler and no prebuild: install succeeds, 'auto' runs on
//       wasm, backends().native.error says why, one warning says so;
//   (c) with no compiler and the prebuild: native loads, nothing compiled.
// In each, every kernel runs on every available backend against
// node:crypto / TypedArray.prototype.sort / plain loops; (a) also
// compiles the types for every module setting and runs the CLI.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const fs = require('node:fs');
const path = require('node:path');
const { WORK, NO_CC, sh, must, pack, install, runIn } = require('./setup');
const { checkTypes } = require('../types/check');

function status(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'twincore', 'native', 'install-status.json'), 'utf8'));
}

function kernels(project, env) {
  const r = runIn(project.dir, 'check-kernels.js', { env: env || project.env });
  let out;
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    throw new Error(`check-kernels printed ${r.stdout}\n${r.stderr}`);
  }
  assert.is(out.error, undefined, out.error);
  assert.equal(out.failures, [], `kernels that disagree: ${out.failures.join(', ')}`);
  assert.ok(out.ran > 100, `ran ${out.ran} checks`);
  assert.is(r.status, 0, r.stderr);
  return out;
}

function node(project, script, { env = project.env, type = 'commonjs' } = {}) {
  const args = type === 'module' ? ['--input-type=module', '-e', script] : ['-e', script];
  return sh(process.execPath, args, { cwd: project.dir, env });
}

const WITH_CC = suite('install (a): a compiler, no matching prebuild');
let a;
WITH_CC('npm install builds the addon, and native is the default', () => {
  a = install('with-compiler', pack().noPrebuilds);
  assert.is(a.status, 0, a.stderr);
  const s = status(a.dir);
  assert.is(s.ok, true, JSON.stringify(s));
  assert.is(s.how, 'build');
  assert.ok(fs.existsSync(path.join(a.dir, 'node_modules', 'twincore', 'build', 'Release', 'twincore.node')));
  const out = kernels(a);
  assert.is(out.default, 'native');
  assert.equal(out.available, ['native', 'wasm', 'js']);
});

WITH_CC('import gives the same API as require, default and named', () => {
  const r = node(a, `
    import tc, { sha256Sync, backends } from 'twincore';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('twincore');
    const names = Object.keys(cjs).sort().join();
    const hex = Buffer.from(sha256Sync(new TextEncoder().encode('abc'))).toString('hex');
    console.log(tc === cjs, backends === cjs.backends, names, hex);
  `, { type: 'module' });
  assert.is(r.stderr, '');
  assert.is(r.stdout.trim(), 'true true alloc,backends,free,matmul,matmulSync,sha256,sha256Sync,sort,sortSync,stats,statsSync ' +
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const cjs = node(a, "const tc = require('twincore'); console.log(typeof tc.default, typeof tc.sha256)");
  assert.is(cjs.stdout.trim(), 'undefined function', 'require() has no default export, as the types say');
});

WITH_CC('TypeScript: every module setting compiles, and its output runs', () => {
  const results = checkTypes(a.dir);
  const bad = results.filter((r) => !r.ok);
  assert.equal(bad.map((r) => `${r.name}: ${r.detail}`), []);
  assert.ok(results.length >= 10);
});

WITH_CC('the CLI from node_modules/.bin: --version, info, sha256', () => {
  const bin = path.join(a.dir, 'node_modules', '.bin', 'twincore');
  const version = JSON.parse(fs.readFileSync(path.join(a.dir, 'node_modules', 'twincore', 'package.json'), 'utf8')).version;
  assert.is(must(sh(bin, ['--version'], { cwd: a.dir, env: a.env }), 'twincore --version').stdout.trim(), version);
  const info = must(sh(bin, ['info'], { cwd: a.dir, env: a.env }), 'twincore info').stdout;
  assert.match(info, /^native: available/m);
  assert.match(info, /code paths: sha256 (sha-ni|scalar), stats /);
  fs.writeFileSync(path.join(a.dir, 'hello.txt'), 'hello\n');
  const ours = must(sh(bin, ['sha256', 'hello.txt'], { cwd: a.dir, env: a.env }), 'twincore sha256').stdout;
  assert.is(ours, must(sh('sha256sum', ['hello.txt'], { cwd: a.dir }), 'sha256sum').stdout);
});

WITH_CC.run();

const NO_COMPILER = suite('install (b): no compiler, no matching prebuild');
let b;
NO_COMPILER('npm install exits 0 and records why the addon was not built', () => {
  b = install('no-compiler', pack().noPrebuilds, { path: NO_CC });
  assert.is(b.status, 0, b.stderr);
  const s = status(b.dir);
  assert.is(s.ok, false);
  assert.match(s.reason, /^no C compiler found/);
  assert.not.ok(fs.existsSync(path.join(b.dir, 'node_modules', 'twincore', 'build')), 'nothing was built');
});

NO_COMPILER("'auto' runs on wasm; backends().native.error names the cause and what to do", () => {
  const out = kernels(b);
  assert.is(out.default, 'wasm');
  assert.equal(out.available, ['wasm', 'js']);
  assert.is(out.native.available, false);
  assert.match(out.native.error, /no C compiler found/);
  assert.match(out.native.error, /npm rebuild twincore/);
});

NO_COMPILER("the first 'auto' call on wasm warns once; a chosen backend does not", () => {
  // Three calls large enough not to go to the baseline.
  const calls = (options) => `
    const tc = require('twincore');
    (async () => {
      tc.sortSync(new Int32Array(100000), ${options});
      await tc.sha256(new Uint8Array(1 << 20), ${options});
      await tc.stats(new Float64Array(100000), ${options});
      console.log(tc.backends().default);
    })();`;
  const count = (r) => (r.stderr.match(/TWINCORE_NATIVE_UNAVAILABLE/g) || []).length;
  const auto = node(b, calls('undefined'));
  assert.is(auto.stdout.trim(), 'wasm');
  assert.is(count(auto), 1, auto.stderr);
  assert.match(auto.stderr, /TwincoreWarning: the native addon was not built at install: no C compiler found/);
  const chosen = node(b, calls("{ backend: 'wasm' }"));
  assert.is(chosen.stdout.trim(), 'wasm');
  assert.is(count(chosen), 0, chosen.stderr);
  const env = node(b, calls('undefined'), { env: { ...b.env, TWINCORE_BACKEND: 'auto' } });
  assert.is(env.stdout.trim(), 'wasm');
  assert.is(count(env), 0, 'TWINCORE_BACKEND set');
});

NO_COMPILER('the CLI hashes on wasm and prints nothing but the digests', () => {
  const bin = path.join(b.dir, 'node_modules', '.bin', 'twincore');
  fs.writeFileSync(path.join(b.dir, 'hello.txt'), 'hello\n');
  const ours = sh(bin, ['sha256', 'hello.txt'], { cwd: b.dir, env: b.env });
  assert.is(ours.stderr, '');
  assert.is(ours.stdout, must(sh('sha256sum', ['hello.txt'], { cwd: b.dir }), 'sha256sum').stdout);
  const info = must(sh(bin, ['info'], { cwd: b.dir, env: b.env }), 'twincore info').stdout;
  assert.match(info, /^native: not available: the native addon was not built at install: no C compiler found/m);
  assert.match(info, /^default backend \('auto'\): wasm$/m);
});

NO_COMPILER('twincore bench says what it needs when benchmark.js is not installed', () => {
  const r = sh(path.join(b.dir, 'node_modules', '.bin', 'twincore'), ['bench', '--profile', 'smoke'], { cwd: b.dir, env: b.env });
  assert.is(r.status, 1);
  assert.match(r.stderr, /benchmark\.js, which is not installed here: npm install benchmark/);
});

NO_COMPILER.run();

const PREBUILT = suite('install (c): no compiler, a matching prebuild');
let c;
PREBUILT('npm install compiles nothing and native loads from prebuilds/', () => {
  c = install('prebuilt', pack().tarball, { path: NO_CC });
  assert.is(c.status, 0, c.stderr);
  const s = status(c.dir);
  assert.equal([s.ok, s.how, s.file], [true, 'prebuild', `prebuilds/${process.platform}-${process.arch}/twincore.glibc.node`]);
  assert.not.ok(fs.existsSync(path.join(c.dir, 'node_modules', 'twincore', 'build')), 'nothing was built');
  const out = kernels(c);
  assert.is(out.default, 'native');
  assert.equal(out.available, ['native', 'wasm', 'js']);
});

PREBUILT('twincore bench runs with benchmark.js installed and says which peers it skips', () => {
  must(sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', 'benchmark@^2.1.4'], { cwd: c.dir, env: c.env }),
    'npm install benchmark');
  const r = sh(path.join(c.dir, 'node_modules', '.bin', 'twincore'), ['bench', '--profile', 'smoke', '--kernel', 'sha256,dispatch'],
    { cwd: c.dir, env: c.env, timeout: 300000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /bench: hash-wasm is not installed: its rows are skipped/);
  assert.match(r.stdout, /bench: piscina is not installed: its rows are skipped/);
  assert.match(r.stdout, /bench: the bare Node-API peer is not built/);
  const md = fs.readFileSync(path.join(c.dir, 'twincore-bench', 'latest.md'), 'utf8');
  assert.match(md, /code paths picked at run time: native: sha256 /);
  assert.match(md, /native zero-copy async/);
});

PREBUILT.run();

process.on('exit', () => {
  if (process.env.TWINCORE_KEEP_PACKAGE_TESTS) console.log(`package tests kept in ${WORK}`);
});
