'use strict';
// The package as a user loads it: require and import give the same API,
// the JS constants match the C header, TWINCORE_BACKEND picks the backend.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const fs = require('node:fs');
const path = require('node:path');
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

Mod('TWINCORE_BACKEND sets what auto stands for', () => {
  const show = `const tc = require(process.cwd()); console.log(tc.backends().default);
    try { tc.sortSync(new Int32Array([2, 1])); console.log('ran'); } catch (e) { console.log(e.code); }`;
  assert.is(child(show, { env: { TWINCORE_BACKEND: 'js' } }).stdout.trim(), 'js\nran');
  const bad = child(show.replace('console.log(tc.backends().default);', ''), { env: { TWINCORE_BACKEND: 'gpu' } });
  assert.is(bad.stdout.trim(), 'ERR_INVALID_ARG_VALUE');
});

Mod.run();
