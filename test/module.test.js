'use strict';
// The package as a user loads it: require and import give the same API,
// the JS constants match the C header, TWINCORE_BACKEND picks the backend.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { tc, child, ROOT } = require('./helpers');
const { KERNEL, DTYPE, STATUS } = require('../js/constants');

const Mod = suite('module');

const API = ['sha256', 'sha256Sync', 'stats', 'statsSync', 'sort', 'sortSync', 'matmul', 'matmulSync',
  'alloc', 'free', 'backends'];

Mod('require exposes the whole API', () => {
  assert.equal(Object.keys(tc).sort(), [...API].sort());
  for (const name of API) assert.type(tc[name], 'function');
});

Mod('import gives the same functions, default and named', () => {
  const r = child(`
    import tc, { sha256Sync, sort } from 'twincore';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('twincore');
    const hex = Buffer.from(sha256Sync(new TextEncoder().encode('abc'))).toString('hex');
    console.log(tc.sha256Sync === cjs.sha256Sync, sort === cjs.sort, hex);
  `, { nodeArgs: ['--input-type=module'] });
  assert.is(r.stderr, '');
  assert.is(r.stdout.trim(), 'true true ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

Mod('the JS constants match core/tc.h', () => {
  const header = fs.readFileSync(path.join(ROOT, 'core', 'tc.h'), 'utf8');
  const map = (name) => {
    const body = header.match(new RegExp(`#define ${name}\\(XX\\)([\\s\\S]*?)\\n\\n`))[1];
    return [...body.matchAll(/XX\((\w+)/g)].map((m) => m[1]);
  };
  assert.equal(map('TC_STATUS_MAP'), [...STATUS]);
  assert.equal(map('TC_KERNEL_MAP').map((k) => k.toLowerCase()), Object.keys(KERNEL));
  assert.equal(Object.values(KERNEL), [0, 1, 2, 3]);
  const dtypes = { U8: 'uint8', I32: 'int32', U32: 'uint32', F32: 'float32', F64: 'float64' };
  assert.equal(map('TC_DTYPE_MAP').map((d) => DTYPE[dtypes[d]]), [0, 1, 2, 3, 4]);
});

Mod('backends() never throws: a bad or unavailable TWINCORE_BACKEND is its error field', () => {
  const show = 'console.log(JSON.stringify(require(process.cwd()).backends()))';
  const bad = child(show, { env: { TWINCORE_BACKEND: 'gpu' } });
  assert.is(bad.status, 0, bad.stderr);
  const b = JSON.parse(bad.stdout);
  assert.is(b.default, null);
  assert.is(b.error, "TWINCORE_BACKEND must be one of auto, native, wasm, js; got 'gpu'");
  assert.is(b.js.available, true);
  const missing = child(show, { env: { TWINCORE_BACKEND: 'native', TWINCORE_NATIVE_ADDON: 'no-such-addon.node' } });
  const m = JSON.parse(missing.stdout);
  assert.is(m.default, 'native');
  assert.match(m.error, /^TWINCORE_BACKEND is native, which is not available here: TWINCORE_NATIVE_ADDON did not load/);
  const fine = JSON.parse(child(show).stdout);
  assert.is(fine.error, undefined);
});

Mod('an addon older than the package (no trim(), no paths or threads in info()) is not loaded, and says so', () => {
  // TWINCORE_NATIVE_ADDON may name any module: here one that has every
  // entry point but an info() of an older build.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-old-addon-'));
  const fns = ['run', 'runAsync', 'flush', 'cancel', 'cancelAll', 'alloc', 'detach', 'trim'];
  const olds = {
    'no-trim': `${fns.filter((f) => f !== 'trim').map((f) => `exports.${f} = () => {};`).join(' ')} exports.info = () => ({ paths: {}, threads: 4 });`,
    'no-paths': `${fns.map((f) => `exports.${f} = () => {};`).join(' ')} exports.info = () => ({ threads: 4 });`,
    'no-threads': `${fns.map((f) => `exports.${f} = () => {};`).join(' ')} exports.info = () => ({ paths: {} });`,
  };
  try {
    for (const [name, source] of Object.entries(olds)) {
      const file = path.join(dir, `${name}.js`);
      fs.writeFileSync(file, source);
      const r = child('console.log(JSON.stringify(require(process.cwd()).backends().native))', { env: { TWINCORE_NATIVE_ADDON: file } });
      assert.is(r.status, 0, r.stderr);
      const native = JSON.parse(r.stdout);
      assert.is(native.available, false, name);
      assert.match(native.error, /older than this package; rebuild it/, name);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Mod('backends() reports the code paths the core picked at run time', () => {
  const b = tc.backends();
  for (const name of ['native', 'wasm']) {
    if (!b[name].available) continue;
    assert.equal(Object.keys(b[name].paths), ['sha256', 'stats', 'sort', 'matmul']);
    assert.equal(b[name].simd, [...new Set(Object.values(b[name].paths))].filter((p) => p !== 'scalar'));
  }
  if (b.wasm.available) assert.equal(b.wasm.paths, { sha256: 'scalar', stats: 'simd128', sort: 'scalar', matmul: 'simd128' });
  if (b.native.available) {
    assert.is(b.native.napiVersion, 8, 'the Node-API version the addon was built against');
    // What this CPU has, from /proc/cpuinfo, decides what native runs.
    const flags = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m) : null;
    if (flags && process.arch === 'x64') {
      const has = new Set(flags[1].trim().split(/\s+/));
      const widest = has.has('avx512f') ? 'avx512f' : has.has('avx2') ? 'avx2' : 'sse2';
      assert.is(b.native.paths.matmul, widest);
      assert.is(b.native.paths.stats, widest);
      assert.is(b.native.paths.sha256, has.has('sha_ni') ? 'sha-ni' : 'scalar');
    }
  }
});

Mod('TWINCORE_BACKEND sets what auto stands for', () => {
  const show = `const tc = require(process.cwd()); console.log(tc.backends().default);
    try { tc.sortSync(new Int32Array([2, 1])); console.log('ran'); } catch (e) { console.log(e.code); }`;
  assert.is(child(show, { env: { TWINCORE_BACKEND: 'js' } }).stdout.trim(), 'js\nran');
  const bad = child(show.replace('console.log(tc.backends().default);', ''), { env: { TWINCORE_BACKEND: 'gpu' } });
  assert.is(bad.stdout.trim(), 'ERR_INVALID_ARG_VALUE');
});

Mod.run();
