'use strict';
// The one error model: every public function x bad input gives the
// documented error class and code, an async call rejects with exactly what
// its sync twin throws, and the process stays healthy afterwards.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { spawnSync } = require('node:child_process');
const { constants: { MAX_LENGTH } } = require('node:buffer');
const { tc, backendsUnderTest } = require('./helpers');

function detached(Type, n) {
  const v = new Type(n);
  structuredClone(v.buffer, { transfer: [v.buffer] });
  return v;
}

const f32 = (n) => new Float32Array(n);
const u8 = new Uint8Array([1, 2, 3]);

// [function, arguments before options, options, error class, code]
const CASES = [
  ['sha256', [], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sha256', ['abc'], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sha256', [123], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sha256', [null], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sha256', [{ length: 3 }], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sha256', [[1, 2, 3]], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sha256', [detached(Uint8Array, 16)], undefined, Error, 'ERR_TC_DETACHED'],
  ['sha256', [u8], 'fast', TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sha256', [u8], { backend: 'gpu' }, TypeError, 'ERR_INVALID_ARG_VALUE'],
  ['sha256', [u8], { mode: 'steal' }, TypeError, 'ERR_INVALID_ARG_VALUE'],
  ['sha256', [u8], { signal: 'abort' }, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['stats', [], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['stats', [[1, 2]], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['stats', [f32(4)], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['stats', [new Int32Array(4)], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['stats', [detached(Float64Array, 4)], undefined, Error, 'ERR_TC_DETACHED'],
  ['sort', [], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sort', [[3, 1, 2]], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sort', [new Uint8Array(4)], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sort', [new Int16Array(4)], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sort', [new BigInt64Array(4)], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sort', [new DataView(new ArrayBuffer(8))], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['sort', [detached(Uint32Array, 4)], undefined, Error, 'ERR_TC_DETACHED'],
  ['matmul', [], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['matmul', [f32(4), f32(4)], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['matmul', [f32(4), f32(4), 2, 2], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['matmul', [new Float64Array(4), f32(4), 2, 2, 2], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['matmul', [f32(4), [1, 2, 3, 4], 2, 2, 2], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['matmul', [f32(4), f32(4), '2', 2, 2], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['matmul', [f32(4), f32(4), 2n, 2, 2], undefined, TypeError, 'ERR_INVALID_ARG_TYPE'],
  ['matmul', [f32(4), f32(4), -2, -2, 2], undefined, RangeError, 'ERR_OUT_OF_RANGE'],
  ['matmul', [f32(4), f32(4), 2, NaN, 2], undefined, RangeError, 'ERR_OUT_OF_RANGE'],
  ['matmul', [f32(4), f32(4), 2, 2, 1.5], undefined, RangeError, 'ERR_OUT_OF_RANGE'],
  ['matmul', [f32(4), f32(4), Infinity, 2, 2], undefined, RangeError, 'ERR_OUT_OF_RANGE'],
  ['matmul', [f32(6), f32(4), 2, 2, 2], undefined, RangeError, 'ERR_OUT_OF_RANGE'],
  ['matmul', [f32(4), f32(6), 2, 2, 2], undefined, RangeError, 'ERR_OUT_OF_RANGE'],
  ['matmul', [f32(0), f32(0), 2 ** 40, 0, 2 ** 40], undefined, RangeError, 'ERR_TC_ENOMEM'],
  ['matmul', [detached(Float32Array, 4), f32(4), 2, 2, 2], undefined, Error, 'ERR_TC_DETACHED'],
  ['matmul', [f32(4), detached(Float32Array, 4), 2, 2, 2], undefined, Error, 'ERR_TC_DETACHED'],
];

function check(err, Class, code, what) {
  assert.instance(err, Class, `${what}: ${err && err.name}`);
  assert.is(err.constructor, Class, `${what}: exactly a ${Class.name}`);
  assert.is(err.code, code, `${what}: code ${err.code}`);
  assert.type(err.message, 'string');
  assert.ok(err.message.length > 10, `${what}: message "${err.message}"`);
}

const Table = suite('errors: bad input table, sync throws and async rejects alike');
for (const backend of backendsUnderTest()) {
  Table(backend, async () => {
    for (const [fn, args, options, Class, code] of CASES) {
      const opts = options === undefined ? { backend } : typeof options === 'object' ? { backend, ...options } : options;
      const what = `${fn}(${args.map((a) => (ArrayBuffer.isView(a) ? a.constructor.name : String(a))).join(', ')})`;
      let syncErr;
      try {
        tc[`${fn}Sync`](...args, ...(args.length || options !== undefined ? [opts] : []));
        assert.unreachable(`${what} did not throw`);
      } catch (err) {
        syncErr = err;
      }
      // Sync calls refuse a signal outright; that case has its own test.
      if (options && options.signal !== undefined) syncErr = null;
      else check(syncErr, Class, code, `${what} sync`);
      try {
        await tc[fn](...args, ...(args.length || options !== undefined ? [opts] : []));
        assert.unreachable(`${what} did not reject`);
      } catch (err) {
        check(err, Class, code, `${what} async`);
        if (syncErr) {
          assert.is(err.message, syncErr.message, `${what}: same message`);
          assert.is(err.code, syncErr.code);
        }
      }
    }
    // Still healthy.
    assert.equal(Array.from(tc.sortSync(new Int32Array([3, 1, 2]), { backend })), [1, 2, 3]);
    assert.equal(Array.from(await tc.sort(new Int32Array([3, 1, 2]), { backend })), [1, 2, 3]);
  });
}

Table('a sync call refuses a signal', () => {
  try {
    tc.sha256Sync(u8, { signal: new AbortController().signal });
    assert.unreachable();
  } catch (err) {
    check(err, TypeError, 'ERR_INVALID_ARG_TYPE', 'signal on a sync call');
  }
});

Table('alloc and free', () => {
  const bad = [
    [['float16', 4], TypeError, 'ERR_INVALID_ARG_VALUE'],
    [[Float64Array, 4], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [[], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [['float64'], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [['float64', '4'], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [['float64', -1], RangeError, 'ERR_OUT_OF_RANGE'],
    [['float64', 1.5], RangeError, 'ERR_OUT_OF_RANGE'],
    [['float64', 4, { backend: 'gpu' }], TypeError, 'ERR_INVALID_ARG_VALUE'],
    [['uint8', MAX_LENGTH + 1], RangeError, 'ERR_TC_ENOMEM'],
    [['float64', 1e20], RangeError, 'ERR_TC_ENOMEM'],
    // Node 20 makes external buffers of at most 4 GiB; later ones, far more.
    ...(tc.backends().native.available && MAX_LENGTH <= 2 ** 32
      ? [[['float64', 2 ** 30, { backend: 'native' }], RangeError, 'ERR_TC_ENOMEM']] : []),
    ...(tc.backends().wasm.available ? [[['uint8', 2 ** 32, { backend: 'wasm' }], RangeError, 'ERR_TC_ENOMEM']] : []),
  ];
  for (const [args, Class, code] of bad) {
    try {
      tc.alloc(...args);
      assert.unreachable(`alloc(${args.join(', ')})`);
    } catch (err) {
      check(err, Class, code, `alloc(${args.join(', ')})`);
    }
  }
  const freedTwice = tc.alloc('float64', 4);
  tc.free(freedTwice);
  const frees = [
    [new Float64Array(4), Error, 'ERR_TC_NOT_OWNED', /got Float64Array\(4\), which it did not$/],
    [freedTwice, Error, 'ERR_TC_NOT_OWNED', /was freed already$/],
    [tc.alloc('float64', 4).subarray(1), Error, 'ERR_TC_NOT_OWNED', /not a view of it; got Float64Array\(3\)$/],
    ['x', TypeError, 'ERR_INVALID_ARG_TYPE', /got 'x'$/],
    [undefined, TypeError, 'ERR_INVALID_ARG_TYPE', /got undefined$/],
  ];
  for (const [v, Class, code, message] of frees) {
    try {
      tc.free(v);
      assert.unreachable('free of a foreign array');
    } catch (err) {
      check(err, Class, code, 'free of a foreign array');
      assert.match(err.message, message);
    }
  }
});

Table('an allocation the system cannot back is ERR_TC_ENOMEM (4 GiB asked, under 4 GB of address space)', () => {
  if (process.platform !== 'linux') return;
  // The plain addon (not the ASan one: ASan needs far more address space).
  const env = { ...process.env };
  for (const k of ['LD_PRELOAD', 'TWINCORE_NATIVE_ADDON', 'ASAN_OPTIONS']) delete env[k];
  const script = `const tc = require(${JSON.stringify(require.resolve('..'))});
    for (const backend of ['js', ...(tc.backends().native.available ? ['native'] : [])]) {
      try { tc.alloc('float64', 2 ** 29, { backend }); console.log('made'); } catch (e) { console.log(e.code); }
    }`;
  const r = spawnSync('sh', ['-c', `ulimit -v 4000000 && exec "${process.execPath}" -e "$0"`, script],
    { env, encoding: 'utf8', timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  const want = tc.backends().native.available ? 'ERR_TC_ENOMEM\nERR_TC_ENOMEM' : 'ERR_TC_ENOMEM';
  assert.is(r.stdout.trim(), want);
});

Table('an unavailable backend is a clear error', async () => {
  if (tc.backends().wasm.available) return;
  try {
    await tc.sha256(u8, { backend: 'wasm' });
    assert.unreachable();
  } catch (err) {
    check(err, Error, 'ERR_TC_BACKEND_UNAVAILABLE', 'wasm');
  }
});

Table.run();

const Shown = suite('errors: messages show the value they reject');

Shown('the value, read without running the caller\'s code', () => {
  const shadowed = new Float32Array(3);
  Object.defineProperty(shadowed, 'length', { get() { throw new Error('a getter ran'); } });
  const cases = [
    [() => tc.sha256Sync(u8, { backend: 'gpu' }), "got 'gpu'"],
    [() => tc.sha256Sync(u8, { mode: 'steal' }), "got 'steal'"],
    [() => tc.alloc('float64', -1), 'got -1'],
    [() => tc.alloc('float16', 4), "got 'float16'"],
    [() => tc.matmulSync(f32(4), f32(4), 2, 2, 1.5), 'got 1.5'],
    [() => tc.matmulSync(f32(4), f32(4), '2', 2, 2), "got '2'"],
    [() => tc.statsSync(f32(3)), 'got Float32Array(3)'],
    [() => tc.statsSync(shadowed), 'got Float32Array(3)'],
    [() => tc.sortSync(Buffer.alloc(5)), 'got Buffer(5)'],
    [() => tc.sortSync(new DataView(new ArrayBuffer(8))), 'got DataView(8)'],
    [() => tc.sha256Sync({ length: 3 }), 'got { length: 3 }'],
    [() => tc.sha256Sync([1, 2, 3]), 'got Array(3)'],
    [() => tc.sha256Sync(new Map()), 'got an instance of Map'],
    [() => tc.sha256Sync(new Proxy({}, { getPrototypeOf() { throw new Error('a trap ran'); } })), 'got a Proxy'],
    [() => tc.sha256Sync(null), 'got null'],
    [() => tc.statsSync(Object.setPrototypeOf(new Float32Array(3), Float64Array.prototype)), 'got Float32Array(3)'],
    [() => tc.sha256Sync(u8, 'fast'), "got 'fast'"],
  ];
  for (const [f, shown] of cases) {
    let thrown = null;
    try {
      f();
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown, `no error for ${shown}`);
    assert.type(thrown.code, 'string', `${thrown.message}: a code`);
    assert.ok(thrown.message.endsWith(shown), `"${thrown.message}" ends with "${shown}"`);
  }
});

Shown.run();
