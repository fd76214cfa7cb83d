#!/usr/bin/env node
// Runs twincore's test suites, each in a child process with a time limit,
// and ends with one line: "N passed, N failed". Exits non-zero if any test
// failed or any suite crashed, hung or printed no summary.
//
//   node test/run.js            every suite
//   node test/run.js NAME...    the named suites (see SUITES)
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BUILD = process.env.BUILD || 'build';
const FIXTURES = path.join('test', 'fixtures');
// A suite's time limit, unless SUITES gives it its own (timeoutMin).
const SUITE_TIMEOUT_MIN = 15;

const coreNative = [path.join(BUILD, 'native', 'test_core')];
const coreAsan = [path.join(BUILD, 'asan', 'test_core')];
const coreWasm = [process.execPath, path.join(BUILD, 'wasm', 'test_core.js')];
// The same tests built with emcc without -msimd128: the scalar wasm module's
// core.
const coreWasmScalar = [process.execPath, path.join(BUILD, 'wasm-scalar', 'test_core.js')];

const ASAN_ENV = {
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:exitcode=23',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};

// --expose-gc: tests that count memory collect garbage first
// (helpers.collectGarbage), since freed wasm arrays are held back until
// the collector has taken them.
const UVU = [process.execPath, '--expose-gc', path.join('node_modules', 'uvu', 'bin.js')];
// test/*.test.js (not the package tests in test/package/).
const uvu = [...UVU, 'test', '^[\\w.-]+\\.test\\.js$'];
// The ASan run skips the tests of the bench, the CLI and the install step
// (they exercise JS and npm, not the addon) and the soak (RSS under ASan
// measures ASan's own quarantine).
const uvuAsan = [...UVU, 'test', '^(?!bench|cli|install|soak)[\\w.-]+\\.test\\.js$'];
// The packed tarball installed into fresh projects (test/package/).
const uvuPackage = [...UVU, path.join('test', 'package'), '\\.test\\.js$'];
const UVU_ENV = { NO_COLOR: '1', FORCE_COLOR: '0' };

// The addon built with ASan+UBSan, loaded by a node that preloads libasan.
// Node and V8 keep memory until exit by design, so leak checking is off
// here (the C tests check leaks); use-after-free, overflows and undefined
// behaviour in the addon and the core are still fatal.
function asanAddonEnv() {
  const lib = spawnSync(process.env.CC || 'cc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout.trim();
  return {
    ...UVU_ENV,
    LD_PRELOAD: lib,
    // An allocation the system cannot back fails as it would without
    // ASan (the tests ask for some on purpose) instead of aborting.
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0:exitcode=23:allocator_may_return_null=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    TWINCORE_NATIVE_ADDON: path.join(BUILD, 'asan', 'twincore.node'),
    TWINCORE_TEST_BACKENDS: 'native',
  };
}

const SUITES = {
  'core-native': { cmd: [...coreNative, FIXTURES] },
  'core-asan': { cmd: [...coreAsan, FIXTURES], env: ASAN_ENV },
  'core-wasm': { cmd: [...coreWasm, FIXTURES] },
  'core-wasm-scalar': { cmd: [...coreWasmScalar, FIXTURES] },
  digest: { run: digestParity },
  // Every test file in one process: about 4 minutes here, so a machine
  // several times slower still has room.
  js: { cmd: uvu, env: UVU_ENV, timeoutMin: 30 },
  'js-asan': { cmd: uvuAsan, env: asanAddonEnv },
  types: { run: typecheck },
  fuzz: { run: fuzz },
  // Longer than pack.test.js gives `npm pack` (which builds everything).
  package: { cmd: uvuPackage, env: UVU_ENV, timeoutMin: 30 },
};

// Run a command; resolve with its exit status and output. Output is echoed
// as it arrives when echo is set.
function exec(cmd, { env = {}, echo = true, timeoutMin = SUITE_TIMEOUT_MIN } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMin * 60 * 1000);
    child.stdout.on('data', (d) => {
      out += d;
      if (echo) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      err += d;
      if (echo) process.stderr.write(d);
    });
    child.on('error', (e) => {
      err += `${e.message}\n`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

function describe(r) {
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
}

// Counts from the summary a suite prints: "N passed, N failed", or uvu's
// "Total: N / Passed: N / Skipped: N".
function summaryOf(out) {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const lines = [...plain.matchAll(/^(\d+) passed, (\d+) failed/gm)];
  if (lines.length > 0) {
    const last = lines[lines.length - 1];
    return { passed: Number(last[1]), failed: Number(last[2]) };
  }
  const total = plain.match(/^\s*Total:\s+(\d+)/m);
  const passed = plain.match(/^\s*Passed:\s+(\d+)/m);
  const skipped = plain.match(/^\s*Skipped:\s+(\d+)/m);
  if (!total || !passed) return null;
  const t = Number(total[1]);
  const p = Number(passed[1]);
  return { passed: p, failed: t - p - (skipped ? Number(skipped[1]) : 0) };
}

// A suite that prints its own summary.
async function runCounted(name, suite) {
  const env = typeof suite.env === 'function' ? suite.env() : suite.env;
  const r = await exec(suite.cmd, { env, timeoutMin: suite.timeoutMin });
  const counts = summaryOf(r.out);
  if (counts === null) {
    console.log(`not ok ${name}: no summary line (${describe(r)})`);
    return { passed: 0, failed: 1 };
  }
  if ((r.code !== 0 || r.signal) && counts.failed === 0) {
    console.log(`not ok ${name}: ${describe(r)} after its summary`);
    counts.failed = 1;
  }
  return counts;
}

// The same kernels on the same inputs must give the same bits in every
// build and on every code path: one test per kernel and size, comparing the
// native digest (no TWINCORE_SIMD cap: the widest paths) with the ASan
// build's, the native build's under each lower cap, and the simd128 and
// scalar wasm builds'; and for any number of parts (jobs split in 2 and 4).
async function digestParity() {
  const builds = {
    native: { cmd: coreNative, env: { TWINCORE_SIMD: '' } },
    asan: { cmd: coreAsan, env: { ...ASAN_ENV, TWINCORE_SIMD: '' } },
    'native-avx2': { cmd: coreNative, env: { TWINCORE_SIMD: 'avx2' } },
    'native-sse2': { cmd: coreNative, env: { TWINCORE_SIMD: 'sse2' } },
    'native-scalar': { cmd: coreNative, env: { TWINCORE_SIMD: 'scalar' } },
    wasm: { cmd: coreWasm },
    'wasm-scalar': { cmd: coreWasmScalar },
  };
  const outputs = {};
  for (const [name, { cmd, env = {} }] of Object.entries(builds)) {
    const r = await exec([...cmd, '--digest'], { env, echo: false });
    if (r.code !== 0 || r.signal) {
      console.log(`not ok digest: the ${name} build ${describe(r)}`);
      process.stderr.write(r.err);
      return { passed: 0, failed: 1 };
    }
    outputs[name] = r.out.trim().split('\n');
  }
  let passed = 0;
  let failed = 0;
  const base = outputs.native;
  if (base.length < 10) {
    console.log(`not ok digest: only ${base.length} lines`);
    return { passed: 0, failed: 1 };
  }
  for (let i = 0; i < base.length; i++) {
    const [kernel, size, status] = base[i].split(' ');
    const differ = Object.keys(builds).filter((b) => outputs[b][i] !== base[i]);
    if (status !== 'OK' || differ.length > 0) {
      failed++;
      console.log(`not ok digest ${kernel} ${size}`);
      for (const b of Object.keys(builds)) console.log(`  ${b}: ${outputs[b][i]}`);
    } else {
      passed++;
      console.log(`ok digest ${kernel} ${size} ${base[i].split(' ')[3].slice(0, 16)}`);
    }
  }
  // A split job gives the bits of the whole one: "name/parts" lines
  // against "name" of the same size.
  const whole = new Map(base.map((l) => l.split(' ')).map(([k, size, , hash]) => [`${k} ${size}`, hash]));
  for (const line of base) {
    const [kernel, size, , hash] = line.split(' ');
    if (!kernel.includes('/')) continue;
    const want = whole.get(`${kernel.split('/')[0]} ${size}`);
    if (hash === want) {
      passed++;
      console.log(`ok digest ${kernel} ${size} is the whole job's`);
    } else {
      failed++;
      console.log(`not ok digest ${kernel} ${size}: ${hash} vs the whole job's ${want}`);
    }
  }
  for (const b of Object.keys(builds)) {
    if (outputs[b].length !== base.length) {
      failed++;
      console.log(`not ok digest: ${b} printed ${outputs[b].length} lines, native ${base.length}`);
    }
  }
  return { passed, failed };
}

// The types, as a project that depends on this checkout uses them: every
// module setting, compiled and run (test/types/check.js).
async function typecheck() {
  const fs = require('node:fs');
  const os = require('node:os');
  const { checkTypes } = require('./types/check');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'twincore-types-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'twincore'));
  let passed = 0;
  let failed = 0;
  try {
    for (const r of checkTypes(dir)) {
      console.log(`${r.ok ? 'ok' : 'not ok'} types: ${r.name}: ${r.detail}`);
      if (r.ok) passed++;
      else failed++;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { passed, failed };
}

// The core's fuzzer (test/fuzz/fuzz_core.c) for FUZZ_SECONDS (60), from the
// checked-in corpus; what it finds new goes to a scratch folder, a crash
// to build/fuzz/ (its path in the output).
async function fuzz() {
  const fs = require('node:fs');
  const os = require('node:os');
  const seconds = Number(process.env.TWINCORE_FUZZ_SECONDS || 60);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'twincore-fuzz-'));
  try {
    const r = await exec([path.join(BUILD, 'fuzz', 'fuzz_core'), `-max_total_time=${seconds}`, '-seed=1',
      '-print_final_stats=1', `-artifact_prefix=${path.join(BUILD, 'fuzz')}${path.sep}`, scratch,
      path.join('test', 'fuzz', 'corpus')], { echo: false });
    const runs = (r.err.match(/stat::number_of_executed_units:\s+(\d+)/) || [])[1];
    const ok = r.code === 0 && !r.signal;
    if (!ok) process.stderr.write(r.err.split('\n').slice(-60).join('\n'));
    console.log(`${ok ? 'ok' : 'not ok'} fuzz: ${runs ?? '?'} inputs in ${seconds} s (${describe(r)})`);
    return { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  const names = process.argv.slice(2);
  for (const n of names) {
    if (!SUITES[n]) {
      console.error(`unknown suite "${n}"; suites: ${Object.keys(SUITES).join(', ')}`);
      process.exit(2);
    }
  }
  let passed = 0;
  let failed = 0;
  for (const name of names.length ? names : Object.keys(SUITES)) {
    const suite = SUITES[name];
    console.log(`\n# ${name}`);
    const t0 = Date.now();
    const r = suite.run ? await suite.run() : await runCounted(name, suite);
    console.log(`# ${name}: ${r.passed} passed, ${r.failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    passed += r.passed;
    failed += r.failed;
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main();
