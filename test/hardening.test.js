'use strict';
// Inputs a caller should never send, each ending in a right answer or an
// error with a code, on every backend, sync and async: detached and
// out-of-bounds arrays, freed arrays, sizes past what can be allocated,
// typed-array subclasses whose getters lie, options whose getters act,
// a wasm module that trapped, a growable buffer that grew mid-job.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { constants: { MAX_LENGTH } } = require('node:buffer');
const { tc, backendsUnderTest, child, LOAD_BINDING } = require('./helpers');

const BACKENDS = backendsUnderTest();

// The error a call throws (sync) or rejects with (async), or null.
async function outcome(fn, args, options, sync) {
  try {
    if (sync) tc[`${fn}Sync`](...args, options);
    else await tc[fn](...args, options);
    return null;
  } catch (err) {
    return err;
  }
}

async function expectError(fn, args, options, Class, code, what) {
  for (const sync of [true, false]) {
    const err = await outcome(fn, args, options, sync);
    const label = `${what}, ${sync ? 'sync' : 'async'}`;
    assert.ok(err, `${label}: no error`);
    assert.is(err.code, code, `${label}: ${err.code} ${err.message}`);
    assert.is(err.constructor, Class, `${label}: a ${Class.name}`);
  }
}

function detachedBuffer(bytes) {
  const b = new ArrayBuffer(bytes);
  structuredClone(b, { transfer: [b] });
  return b;
}

const Bad = suite('hardening: detached, out of bounds, freed');

Bad('a detached input of any kind is ERR_TC_DETACHED', async () => {
  const kinds = {
    ArrayBuffer: () => detachedBuffer(16),
    Buffer: () => { const b = new ArrayBuffer(16); const v = Buffer.from(b); structuredClone(b, { transfer: [b] }); return v; },
    DataView: () => { const b = new ArrayBuffer(16); const v = new DataView(b); structuredClone(b, { transfer: [b] }); return v; },
    Float64Array: () => { const b = new ArrayBuffer(16); const v = new Float64Array(b); structuredClone(b, { transfer: [b] }); return v; },
  };
  for (const backend of BACKENDS) {
    for (const [name, make] of Object.entries(kinds)) {
      await expectError('sha256', [make()], { backend }, Error, 'ERR_TC_DETACHED', `sha256 ${name} ${backend}`);
    }
  }
});

// Views whose resizable buffer shrank under them: a fixed-length view past
// the end, a length-tracking view whose offset is past it, a view left
// with one element, or none.
function shrunk(Type) {
  const n = Type.BYTES_PER_ELEMENT;
  const views = [];
  for (const [length, offset, to] of [[4, 0, 3 * n], [undefined, 2 * n, n], [2, 0, n], [1, 0, 0]]) {
    const rab = new ArrayBuffer(4 * n, { maxByteLength: 8 * n });
    views.push(new Type(rab, offset, length));
    rab.resize(to);
  }
  return views;
}

Bad('a view out of its resizable buffer\'s bounds is ERR_TC_OUT_OF_BOUNDS, every kernel', async () => {
  for (const backend of BACKENDS) {
    const o = { backend };
    for (const v of shrunk(Float64Array)) await expectError('stats', [v], o, TypeError, 'ERR_TC_OUT_OF_BOUNDS', `stats ${backend}`);
    for (const Type of [Float64Array, Float32Array, Int32Array, Uint32Array]) {
      for (const v of shrunk(Type)) await expectError('sort', [v], o, TypeError, 'ERR_TC_OUT_OF_BOUNDS', `sort ${Type.name} ${backend}`);
    }
    for (const v of shrunk(Uint8Array)) await expectError('sha256', [v], o, TypeError, 'ERR_TC_OUT_OF_BOUNDS', `sha256 ${backend}`);
    const rab = new ArrayBuffer(16, { maxByteLength: 32 });
    const dv = new DataView(rab, 0, 16);
    rab.resize(8);
    await expectError('sha256', [dv], o, TypeError, 'ERR_TC_OUT_OF_BOUNDS', `sha256 DataView ${backend}`);
    for (const a of shrunk(Float32Array)) {
      await expectError('matmul', [a, new Float32Array(4), 2, 2, 2], o, TypeError, 'ERR_TC_OUT_OF_BOUNDS', `matmul ${backend}`);
    }
  }
});

Bad('an in-bounds view of a resizable buffer works, and so does one of a grown buffer', async () => {
  for (const backend of BACKENDS) {
    const rab = new ArrayBuffer(16, { maxByteLength: 64 });
    const tracking = new Int32Array(rab);
    tracking.set([4, 3, 2, 1]);
    rab.resize(32);
    tracking.set([8, 7, 6, 5], 4);
    assert.equal(Array.from(tc.sortSync(tracking, { backend })), [1, 2, 3, 4, 5, 6, 7, 8], backend);
  }
});

Bad('a copy-mode result whose array shrank mid-job is ERR_TC_OUT_OF_BOUNDS; one that grew is written', async () => {
  for (const backend of BACKENDS.filter((b) => b !== 'js')) {
    const rab = new ArrayBuffer(1 << 22, { maxByteLength: 1 << 22 });
    const a = new Float64Array(rab).fill(1);
    const p = tc.sort(a, { backend, mode: 'copy' });
    rab.resize(64);
    const err = await p.then(() => null, (e) => e);
    assert.is(err && err.code, 'ERR_TC_OUT_OF_BOUNDS', backend);
    assert.instance(err, TypeError);
    // A length-tracking view of a growable SharedArrayBuffer, grown while
    // a copy of it was sorted: the job's elements come back sorted.
    const gsab = new SharedArrayBuffer(32, { maxByteLength: 64 });
    const g = new Int32Array(gsab);
    g.set([8, 6, 4, 2, 7, 5, 3, 1]);
    const q = tc.sort(g, { backend, mode: 'copy' });
    gsab.grow(64);
    assert.is(await q, g);
    assert.equal(Array.from(g.subarray(0, 8)), [1, 2, 3, 4, 5, 6, 7, 8], `${backend} grown`);
  }
  if (BACKENDS.includes('native')) {
    // Borrowed in place: growth never invalidates the job's range.
    const gsab = new SharedArrayBuffer(1 << 22, { maxByteLength: 1 << 23 });
    const g = new Float64Array(gsab);
    for (let i = 0; i < g.length; i++) g[i] = g.length - i;
    const q = tc.sort(g, { backend: 'native', mode: 'borrow' });
    gsab.grow(1 << 23);
    assert.is(await q, g);
    assert.ok(g.subarray(0, 1 << 19).every((x, i) => x === i + 1));
  }
});

Bad('a freed array is ERR_TC_FREED in every call, on every backend, and so are its views', async () => {
  for (const backend of BACKENDS) {
    const a = tc.alloc('float64', 16, { backend });
    const sub = a.subarray(2, 6);
    tc.free(a);
    for (const v of [a, sub]) {
      for (const [fn, args] of [['stats', [v]], ['sort', [v]], ['sha256', [v]]]) {
        for (const on of BACKENDS) await expectError(fn, args, { backend: on }, Error, 'ERR_TC_FREED', `${fn} of a ${backend} array on ${on}`);
      }
    }
  }
});

Bad.run();

const Size = suite('hardening: sizes past what can be had are ERR_TC_ENOMEM, before the engine is asked');

Size('alloc() at every boundary: 2^31, 2^32, 2^53, and length times element size', () => {
  const cases = [
    ['uint8', MAX_LENGTH + 1, 'any'],
    ['uint8', 2 ** 53, 'any'],
    ['float64', 2 ** 53 - 1, 'any'],
    ['float64', 1e300, 'any'],
    ...(MAX_LENGTH <= 2 ** 32 ? [['float64', 2 ** 31, 'native'], ['uint32', 2 ** 30 + 1, 'native']] : []),
    ['float32', 2 ** 30, 'wasm'], // 4 GiB: the heap's whole address space
    ['float64', 2 ** 31, 'wasm'],
  ];
  for (const [type, length, only] of cases) {
    for (const backend of only === 'any' ? BACKENDS : BACKENDS.filter((b) => b === only)) {
      let thrown = null;
      try {
        tc.alloc(type, length, { backend });
      } catch (err) {
        thrown = err;
      }
      assert.is(thrown && thrown.code, 'ERR_TC_ENOMEM', `alloc('${type}', ${length}) on ${backend}`);
      assert.instance(thrown, RangeError);
    }
  }
});

Size('a result too large to allocate (matmul m*n) is ERR_TC_ENOMEM on every backend', async () => {
  for (const backend of BACKENDS) {
    const z = new Float32Array(0);
    await expectError('matmul', [z, z, 2 ** 26, 0, 2 ** 26], { backend }, RangeError, 'ERR_TC_ENOMEM', backend);
  }
});

Size('the binding called directly with sizes nothing can hold: a coded error, never an abort', () => {
  if (!BACKENDS.includes('native')) return;
  const r = child(`${LOAD_BINDING}
    const z = new Float32Array(0);
    for (const f of [
      () => binding.run(3, 3, 1, z, z, 2 ** 30, 0, 2 ** 30, null),
      () => binding.run(3, 3, 0, z, z, 2 ** 31, 0, 2 ** 31, null),
      () => binding.alloc(2 ** 53 - 1),
      () => binding.alloc(2 ** 40),
    ]) {
      try { f(); console.log('made'); } catch (e) { console.log(e.constructor.name, e.code); }
    }`);
  assert.is(r.signal, null, r.stderr);
  assert.is(r.status, 0, r.stderr);
  // 2^31 x 2^31 floats is 2^64 bytes: a size that does not even compute.
  assert.is(r.stdout.trim(), ['RangeError ERR_TC_ENOMEM', 'RangeError ERR_TC_EOVERFLOW', 'RangeError ERR_TC_ENOMEM',
    'RangeError ERR_TC_ENOMEM'].join('\n'));
});

Size('free() gives native memory back at once: 600 x alloc(1 MiB) + free()', () => {
  // Under ASan (the js-asan run) freed memory sits in ASan's own quarantine.
  if (!BACKENDS.includes('native') || /asan/.test(process.env.LD_PRELOAD || '')) return;
  const r = child(`
    const tc = require(process.cwd());
    for (let i = 0; i < 20; i++) tc.free(tc.alloc('uint8', 1 << 20, { backend: 'native' }));
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 600; i++) tc.free(tc.alloc('uint8', 1 << 20, { backend: 'native' }));
    console.log(Math.round((process.memoryUsage().rss - before) / 2 ** 20));`);
  assert.is(r.status, 0, r.stderr);
  const grown = Number(r.stdout.trim());
  assert.ok(grown < 64, `RSS grew by ${grown} MiB`);
});

Size.run();

const Lies = suite('hardening: arrays and options that lie or act');

Lies('typed-array subclasses whose length, byteLength or buffer getters lie are read from the engine', async () => {
  for (const backend of BACKENDS) {
    // byteLength honest twice, then 256 bytes more: a borrow on the heap
    // must not reach the neighbouring allocation.
    const a = tc.alloc('float64', 8, { backend });
    const neighbour = tc.alloc('float64', 64, { backend }).fill(-1);
    a.set([8, 7, 6, 5, 4, 3, 2, 1]);
    let reads = 0;
    const honest = a.byteLength;
    Object.defineProperty(a, 'byteLength', { get: () => (++reads > 2 ? honest + 256 : honest) });
    Object.defineProperty(a, 'length', { get: () => 2 ** 52 });
    Object.defineProperty(a, 'buffer', { get: () => { throw new Error('the buffer getter ran'); } });
    Object.defineProperty(a, 'byteOffset', { get: () => 0 });
    for (const sync of [true, false]) {
      const sorted = sync ? tc.sortSync(a, { backend, mode: 'borrow' }) : await tc.sort(a, { backend, mode: 'borrow' });
      assert.is(sorted, a);
      const s = sync ? tc.statsSync(a, { backend }) : await tc.stats(a, { backend });
      assert.is(s.count, 8, `${backend}: the engine's length`);
    }
    assert.ok(neighbour.every((x) => x === -1), `${backend}: the neighbour is untouched`);
    tc.free(neighbour);
  }
  // A subclass whose byteLength getter detaches the buffer: never called.
  class Sneaky extends Float64Array {
    get byteLength() {
      structuredClone(this.buffer, { transfer: [this.buffer] });
      return 0;
    }
  }
  for (const backend of BACKENDS) {
    const s = new Sneaky([3, 1, 2]);
    assert.equal(Array.from(tc.sortSync(s, { backend })), [1, 2, 3], backend);
  }
});

Lies('options are read once, before the arrays: a getter that frees or detaches the input cannot act between check and use', async () => {
  for (const backend of BACKENDS) {
    const a = tc.alloc('int32', 4, { backend });
    a.set([4, 3, 2, 1]);
    let reads = 0;
    const options = { get backend() { if (++reads === 2) tc.free(a); return backend; }, mode: 'auto' };
    assert.equal(Array.from(tc.sortSync(a, options)), [1, 2, 3, 4], backend);
    assert.is(reads, 1, 'backend read once');
    // Freed on the first read: the call sees a freed array.
    const b = tc.alloc('int32', 4, { backend });
    let freed = false;
    const freeing = {
      get backend() {
        if (!freed) tc.free(b);
        freed = true;
        return backend;
      },
    };
    await expectError('sort', [b], freeing, Error, 'ERR_TC_FREED', `${backend}: freed by the options getter`);
    tc.free(a);
  }
});

Lies('an options getter or Proxy trap that throws is ERR_INVALID_ARG_VALUE, its error the cause, in every call and alloc()', async () => {
  const boom = new Error('boom');
  const getter = { get backend() { throw boom; } };
  const trap = new Proxy({}, { get() { throw boom; } });
  for (const options of [getter, trap]) {
    for (const [fn, args] of [['sort', [new Int32Array([2, 1])]], ['stats', [new Float64Array(3)]],
      ['sha256', [new Uint8Array(3)]], ['matmul', [new Float32Array(1), new Float32Array(1), 1, 1, 1]]]) {
      for (const sync of [true, false]) {
        const err = await outcome(fn, args, options, sync);
        assert.is(err && err.code, 'ERR_INVALID_ARG_VALUE', `${fn} ${sync ? 'sync' : 'async'}`);
        assert.is(err.cause, boom);
      }
    }
    try {
      tc.alloc('uint8', 4, options);
      assert.unreachable('alloc() read a throwing option');
    } catch (err) {
      assert.is(err.code, 'ERR_INVALID_ARG_VALUE');
      assert.is(err.cause, boom);
    }
  }
});

Lies('a call never runs the global SharedArrayBuffer getter or Symbol.hasInstance (they could free the array it holds)', async () => {
  const Shared = globalThis.SharedArrayBuffer;
  const hasInstance = Object.getOwnPropertyDescriptor(Function.prototype, Symbol.hasInstance);
  for (const backend of BACKENDS) {
    const a = tc.alloc('int32', 1 << 16, { backend });
    for (let i = 0; i < a.length; i++) a[i] = a.length - i;
    let ran = 0;
    Object.defineProperty(globalThis, 'SharedArrayBuffer', {
      get() { ran++; tc.free(a); return Shared; }, configurable: true,
    });
    Object.defineProperty(Shared, Symbol.hasInstance, { value() { ran++; tc.free(a); return false; }, configurable: true });
    try {
      const sorted = await tc.sort(a, { backend, mode: 'borrow' });
      assert.is(ran, 0, `${backend}: the caller's code ran`);
      assert.ok(sorted.every((x, i) => x === i + 1), `${backend}: sorted`);
    } finally {
      Object.defineProperty(globalThis, 'SharedArrayBuffer', { value: Shared, writable: true, configurable: true });
      delete Shared[Symbol.hasInstance];
    }
    assert.equal(Object.getOwnPropertyDescriptor(Function.prototype, Symbol.hasInstance), hasInstance);
    tc.free(a);
  }
});

Lies('subarray called on another array belongs to that array: freed with it, refused with it', async () => {
  for (const backend of BACKENDS) {
    const a = tc.alloc('float64', 8, { backend });
    const b = tc.alloc('float64', 8, { backend });
    const sub = a.subarray.call(b, 2, 6);
    tc.free(b);
    await expectError('stats', [sub], { backend }, Error, 'ERR_TC_FREED', `${backend}: a's subarray of b after free(b)`);
    // Of an ordinary array: an ordinary subarray, nobody's to free.
    const plain = a.subarray.call(new Float64Array([4, 3, 2, 1]), 1, 3);
    assert.equal(Array.from(tc.sortSync(plain, { backend })), [2, 3]);
    assert.is(tc.statsSync(a.subarray(0, 4), { backend }).count, 4);
    tc.free(a);
  }
});

Lies('matmul with m*n or k zero on the js backend returns at once, however large the other sides', () => {
  const none = tc.matmulSync(new Float32Array(0), new Float32Array(0), 2 ** 40, 0, 0, { backend: 'js' });
  assert.is(none.length, 0);
  const zeros = tc.matmulSync(new Float32Array(0), new Float32Array(0), 3, 0, 4, { backend: 'js' });
  assert.equal(Array.from(zeros), new Array(12).fill(0));
});

Lies('absurd arguments end at once in a TypeError', async () => {
  for (const backend of BACKENDS) {
    for (const v of [Infinity, -1, 2 ** 60, { length: Infinity }, new Proxy([], {})]) {
      await expectError('sort', [v], { backend }, TypeError, 'ERR_INVALID_ARG_TYPE', `sort(${typeof v}) ${backend}`);
      await expectError('stats', [v], { backend }, TypeError, 'ERR_INVALID_ARG_TYPE', `stats(${typeof v}) ${backend}`);
    }
  }
});

Lies.run();

const Trap = suite('hardening: a trap inside the wasm module');

Trap('leaves the backend refusing every call at once with a code; nothing blocks; auto moves on', () => {
  if (!BACKENDS.includes('wasm')) return;
  const r = child(`
    const tc = require(process.cwd());
    const runtime = require(process.cwd() + '/wasm/runtime').get();
    (async () => {
      const a = tc.alloc('int32', 4, { backend: 'wasm' });
      // The runtime's own entry points refuse what is not theirs.
      for (const f of [() => runtime.cancel(), () => runtime.freeJob(1), () => runtime.runSync(12345)]) {
        try { f(); console.log('ran'); } catch (e) { console.log(e.code); }
      }
      // A write far past the heap, inside the module: a trap.
      try { runtime.M._tc_job_init(2 ** 32 - 16); console.log('no trap'); } catch (e) { console.log(e.code); }
      for (const f of [() => tc.alloc('int32', 4, { backend: 'wasm' }), () => tc.sortSync(a, { backend: 'wasm' })]) {
        try { f(); console.log('ran'); } catch (e) { console.log(e.code, e.cause && e.cause.code); }
      }
      try { await tc.sort(new Int32Array([2, 1]), { backend: 'wasm', mode: 'copy' }); console.log('ran'); } catch (e) { console.log(e.code); }
      const info = tc.backends();
      console.log(info.wasm.available, /trapped/.test(info.wasm.error));
      console.log(Array.from(await tc.sort(new Int32Array(5000).fill(3), { backend: 'auto' }).then((x) => x.subarray(0, 2))).join());
    })();`, { env: { TWINCORE_NATIVE_ADDON: 'no-such-addon.node' }, timeout: 30000 });
  assert.is(r.signal, null, `killed: ${r.stderr}`);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), [
    'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_VALUE',
    'ERR_TC_WASM_BROKEN',
    'ERR_TC_BACKEND_UNAVAILABLE ERR_TC_WASM_BROKEN', 'ERR_TC_BACKEND_UNAVAILABLE ERR_TC_WASM_BROKEN',
    'ERR_TC_BACKEND_UNAVAILABLE',
    'false true',
    '3,3',
  ].join('\n'));
});

Trap.run();
