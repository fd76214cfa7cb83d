'use strict';
// The command line (js/cli.js): `twincore sha256` prints exactly what
// coreutils' sha256sum prints, on every backend; errors name the file and
// set the exit status; every command has --help.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, backendsUnderTest } = require('./helpers');

const CLI = path.join(ROOT, 'js', 'cli.js');
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'twincore-cli-'));
process.on('exit', () => fs.rmSync(DIR, { recursive: true, force: true }));

function run(cmd, args, { input, env = {} } = {}) {
  const r = spawnSync(cmd, args, {
    cwd: DIR, input, encoding: 'utf8', timeout: 120000, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
const twincore = (args, o) => run(process.execPath, [CLI, ...args], o);
const sha256sum = (args, o) => run('sha256sum', args, o);

// Files of 0 B, 1 B and 100 MiB (written in 1 MiB pieces of a seeded
// generator), and names sha256sum escapes.
const FILES = { empty: 0, one: 1, big: 100 * 1024 * 1024 };
for (const [name, size] of Object.entries(FILES)) {
  const fd = fs.openSync(path.join(DIR, name), 'w');
  let seed = crypto.createHash('sha256').update(name).digest();
  for (let left = size; left > 0;) {
    const n = Math.min(left, 1 << 20);
    const piece = Buffer.alloc(n);
    for (let o = 0; o < n; o += 32) {
      seed = crypto.createHash('sha256').update(seed).digest();
      seed.copy(piece, o);
    }
    fs.writeSync(fd, piece);
    left -= n;
  }
  fs.closeSync(fd);
}
fs.writeFileSync(path.join(DIR, 'back\\slash'), 'x');
fs.writeFileSync(path.join(DIR, 'new\nline'), 'y');
fs.writeFileSync(path.join(DIR, 'carriage\rreturn'), 'z');
fs.mkdirSync(path.join(DIR, 'a-directory'));

const Sha = suite('twincore sha256 against sha256sum');

Sha('the same lines for 0 B, 1 B and 100 MiB files and escaped names, on every backend', () => {
  const names = ['empty', 'one', 'big', 'back\\slash', 'new\nline', 'carriage\rreturn'];
  const want = sha256sum(names);
  assert.is(want.status, 0, want.stderr);
  for (const backend of ['auto', ...backendsUnderTest()]) {
    const got = twincore(['sha256', '--backend', backend, ...names]);
    // On a mismatch, what the command said and how it ended: the stdout
    // of a run that stopped early says nothing of why.
    assert.is(got.stdout, want.stdout, `${backend}: status ${got.status}, signal ${got.signal}, stderr ${JSON.stringify(got.stderr)}`);
    assert.is(got.status, 0, got.stderr);
    assert.is(got.stderr, '');
  }
});

Sha('standard input: no file, and -', () => {
  const input = fs.readFileSync(path.join(DIR, 'one'));
  const want = sha256sum(['-'], { input });
  assert.is(twincore(['sha256'], { input }).stdout, want.stdout);
  assert.is(twincore(['sha256', '-'], { input }).stdout, want.stdout);
  const big = fs.readFileSync(path.join(DIR, 'big'));
  assert.is(twincore(['sha256', '--backend', 'wasm'], { input: big }).stdout, sha256sum([], { input: big }).stdout, 'a large pipe');
  assert.is(twincore(['sha256', 'one', '-', 'empty'], { input }).stdout, sha256sum(['one', '-', 'empty'], { input }).stdout);
});

Sha('a missing file and a directory: a message each, the other files still hashed, exit status 1', () => {
  const args = ['one', 'no-such-file', 'a-directory', 'empty'];
  const want = sha256sum(args);
  const got = twincore(['sha256', ...args]);
  assert.is(want.status, 1);
  assert.is(got.status, 1);
  assert.is(got.stdout, want.stdout);
  assert.is(got.stderr, want.stderr.replace(/^sha256sum: /gm, 'twincore sha256: '));
  assert.match(got.stderr, /^twincore sha256: no-such-file: No such file or directory$/m);
  assert.match(got.stderr, /^twincore sha256: a-directory: Is a directory$/m);
});

Sha('an unreadable file', () => {
  if (process.getuid && process.getuid() === 0) {
    // root reads anything; a FIFO with no writer would hang instead, so
    // take a path through a file that is not a directory.
    const got = twincore(['sha256', 'one/inside']);
    assert.is(got.status, 1);
    assert.is(got.stderr, 'twincore sha256: one/inside: Not a directory\n');
    return;
  }
  fs.writeFileSync(path.join(DIR, 'secret'), 'z', { mode: 0o000 });
  const got = twincore(['sha256', 'secret']);
  assert.is(got.status, 1);
  assert.is(got.stderr, 'twincore sha256: secret: Permission denied\n');
});

Sha('a file larger than the library holds (4 GiB + 1 byte) is hashed as it streams', () => {
  // Sparse: 4 GiB of zeros and an 'x'. Its digest, from sha256sum.
  const file = path.join(DIR, 'huge');
  fs.closeSync(fs.openSync(file, 'w'));
  fs.truncateSync(file, 2 ** 32);
  fs.appendFileSync(file, 'x');
  const line = '07d357bda5c988a206bb478ade5af844c26eaf242e951e5ac4d4f85b417ed69f  huge\n';
  for (const backend of ['auto', 'wasm']) {
    if (backend !== 'auto' && !backendsUnderTest().includes(backend)) continue;
    const got = twincore(['sha256', '--backend', backend, 'huge']);
    assert.is(got.stderr, '', backend);
    assert.is(got.stdout, line, backend);
  }
  fs.rmSync(file);
});

Sha('past what alloc() can hold, a pipe or a file is hashed as it streams, from the first byte or midway', () => {
  // alloc() fails above 256 KiB here (test/fixtures/small-alloc.js).
  const limit = ['-r', path.join(ROOT, 'test', 'fixtures', 'small-alloc.js')];
  const input = fs.readFileSync(path.join(DIR, 'big')).subarray(0, 3 << 20);
  fs.writeFileSync(path.join(DIR, 'three'), input);
  const want = sha256sum(['-', 'three', 'one'], { input }).stdout;
  for (const backend of ['auto', ...backendsUnderTest()]) {
    const got = run(process.execPath, [...limit, CLI, 'sha256', '--backend', backend, '-', 'three', 'one'], { input });
    assert.is(got.stderr, '', backend);
    assert.is(got.stdout, want, backend);
  }
});

Sha('a reader that goes away (| head -1) ends the run quietly', () => {
  const many = Array.from({ length: 3000 }, () => 'one').join(' ');
  const r = run('sh', ['-c', `"${process.execPath}" "${CLI}" sha256 ${many} | head -1`]);
  assert.is(r.stdout, sha256sum(['one']).stdout);
  assert.is(r.stderr, '');
});

Sha('a failed write (a full disk) is reported, exit status 1', () => {
  if (!fs.existsSync('/dev/full')) return;
  const r = run('sh', ['-c', `"${process.execPath}" "${CLI}" sha256 one > /dev/full`]);
  assert.is(r.status, 1);
  assert.is(r.stderr, 'twincore sha256: write error: No space left on device\n');
});

Sha('a bad TWINCORE_BACKEND is a usage error; the fallback warning never shows', () => {
  const bad = twincore(['sha256', 'one'], { env: { TWINCORE_BACKEND: 'gpu' } });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /TWINCORE_BACKEND must be one of auto, native, wasm, js; got 'gpu'/);
  const wasmOnly = twincore(['sha256', 'one'], { env: { TWINCORE_NATIVE_ADDON: path.join(DIR, 'no-such.node') } });
  assert.is(wasmOnly.stdout, sha256sum(['one']).stdout);
  assert.is(wasmOnly.stderr, '', 'no warning');
});

Sha('-- ends the options', () => {
  fs.writeFileSync(path.join(DIR, '--help'), 'h');
  assert.is(twincore(['sha256', '--', '--help']).stdout, sha256sum(['--', '--help']).stdout);
});

Sha.run();

const Cmd = suite('twincore: commands, help, version, usage errors');

Cmd('--version prints the package version', () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const flag of ['--version', '-v']) {
    const r = twincore([flag]);
    assert.is(r.stdout, `${version}\n`);
    assert.is(r.status, 0);
  }
});

Cmd('--help on every command', () => {
  assert.match(twincore(['--help']).stdout, /^usage: twincore <command>/);
  for (const command of ['info', 'sha256', 'bench']) {
    for (const args of [[command, '--help'], [command, '-h'], ['help', command]]) {
      const r = twincore(args);
      assert.is(r.status, 0, args.join(' '));
      assert.match(r.stdout, new RegExp(`^usage: twincore ${command}`), args.join(' '));
    }
  }
  const none = twincore([]);
  assert.is(none.status, 2, 'no command: usage, exit status 2');
  assert.match(none.stderr, /^usage:/);
  assert.is(none.stdout, '');
});

Cmd('usage errors exit 2 and say what was wrong', () => {
  const cases = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['sha256', '--backend', 'gpu', 'one'], /--backend must be one of auto, native, wasm, js; got "gpu"/],
    [['sha256', '--fast'], /unknown option --fast/],
    [['info', '--yaml'], /unknown argument --yaml/],
  ];
  const benchCases = [
    [['bench', 'gpu'], /"gpu" is not a kernel \(sha256, stats, sort, matmul, dispatch, jobs\), a backend/],
    [['bench', '--kernel', 'foo'], /unknown kernel foo; kernels: sha256, stats, sort, matmul, dispatch/],
    [['bench', '--profile', 'nope'], /unknown profile "nope"; profiles: default, full, smoke/],
    [['bench', '--size', '-1'], /not a size: -1/],
    [['bench', '--out'], /--out needs a value/],
    [['bench', '--profile', 'smoke', 'matmul', '1KiB'], /no case of the smoke profile matches these filters/],
  ];
  for (const [args, message] of benchCases) {
    const r = twincore(args);
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
  for (const [args, message] of cases) {
    const r = twincore(args);
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Try 'twincore --help'/);
  }
});

Cmd('info: each backend with the code paths picked at run time; --json is backends()', () => {
  const r = twincore(['info']);
  assert.is(r.status, 0, r.stderr);
  const tc = require('..');
  const b = tc.backends();
  for (const name of ['native', 'wasm']) {
    if (b[name].available) {
      const paths = Object.entries(b[name].paths).map(([k, v]) => `${k} ${v}`).join(', ');
      assert.ok(r.stdout.includes(`code paths: ${paths}`), `${name} paths`);
    } else {
      assert.ok(r.stdout.includes(`${name}: not available: ${b[name].error}`));
    }
  }
  const json = JSON.parse(twincore(['info', '--json']).stdout);
  assert.is(json.default, b.default);
  assert.equal(json.native.paths, b.native.paths);
  const bad = twincore(['info'], { env: { TWINCORE_BACKEND: 'gpu' } });
  assert.is(bad.status, 0, 'info works when TWINCORE_BACKEND is bad');
  assert.match(bad.stdout, /error: TWINCORE_BACKEND must be one of auto, native, wasm, js; got 'gpu'/);
  const capped = twincore(['info'], { env: { TWINCORE_SIMD: 'scalar' } });
  assert.is(capped.status, 0, capped.stderr);
  for (const name of ['native', 'wasm']) {
    if (!b[name].available) continue;
    assert.match(capped.stdout, new RegExp(`${name}: available.*\\n  code paths: sha256 scalar, stats scalar, ` +
      'sort scalar, matmul scalar \\(TWINCORE_SIMD=scalar\\)'));
  }
});

Cmd('bench: a smoke run filtered by words, into --out', () => {
  const out = path.join(DIR, 'bench-out');
  const r = twincore(['bench', '--profile', 'smoke', 'sha256', '1KiB', '--out', out]);
  assert.is(r.status, 0, r.stderr);
  const md = fs.readFileSync(path.join(out, 'latest.md'), 'utf8');
  assert.match(md, /^# twincore bench/);
  assert.match(md, /code paths picked at run time/);
});

Cmd.run();
