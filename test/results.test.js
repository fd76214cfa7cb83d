'use strict';
// Results of 64 bytes and under (a digest, the stats, a small product),
// which the native binding hands back as a string of their bytes and the
// facade turns into an array (native/addon.c, TC_INLINE_OUTPUT): on every
// backend x mode x sync/async each is a right answer in an array of its
// own, at the limit and one element past it, whatever a caller changed in
// the built-ins afterwards.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const crypto = require('node:crypto');
const { matrix, sameBits, matmulOracle, backendsUnderTest, child, LOAD_BINDING } = require('./helpers');

const digest = (u8) => new Uint8Array(crypto.createHash('sha256').update(u8).digest());

// matmul shapes whose product is 16 floats (64 bytes: the limit) and 17.
const LIMIT = [4, 3, 4];
const PAST = [1, 2, 17];

function floats(n, seed) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i * 7 + seed) % 13) - 6.5;
  return x;
}

const Own = suite('small results: right, typed, and each in memory of its own');

for (const m of matrix()) {
  Own(m.label, async () => {
    const one = new Uint8Array([1, 2, 3]);
    const two = new Uint8Array([4, 5, 6, 7]);
    const d1 = await m.call('sha256', one);
    const d2 = await m.call('sha256', two);
    assert.instance(d1, Uint8Array);
    assert.is(d1.length, 32);
    assert.ok(sameBits(d1, digest(one)), 'the first digest, after a second call');
    assert.ok(sameBits(d2, digest(two)), 'the second digest');
    d2.fill(0);
    assert.ok(sameBits(d1, digest(one)), 'writing one result changed another');

    const s = await m.call('stats', new Float64Array([1, 2, 3, 4.5]));
    assert.equal(s, { count: 4, sum: 10.5, min: 1, max: 4.5, mean: 2.625, variance: 1.671875 });

    for (const [M, K, N] of [LIMIT, PAST]) {
      const a = floats(M * K, 1);
      const b = floats(K * N, 2);
      const a2 = floats(M * K, 3);
      const b2 = floats(K * N, 4);
      const c1 = await m.call('matmul', a, b, M, K, N);
      const c2 = await m.call('matmul', a2, b2, M, K, N);
      assert.instance(c1, Float32Array);
      assert.is(c1.length, M * N);
      assert.is(c1.byteLength, M * N * 4);
      assert.ok(sameBits(c1, matmulOracle(a, b, M, K, N)), `${M}x${K}x${N}`);
      assert.ok(sameBits(c2, matmulOracle(a2, b2, M, K, N)), `${M}x${K}x${N}, second`);
      assert.is.not(c1.buffer, c2.buffer);
    }
  });
}
Own.run();

const Builtins = suite('small results: a caller that changes the built-ins after loading');

// The 'js' backend is what a user would write, prototype methods and all:
// not its business.
const OURS = backendsUnderTest().filter((b) => b !== 'js');

Builtins('charCodeAt, set, fill, subarray and the constructors replaced: the same results, native and wasm', () => {
  const r = child(`
    const tc = require(process.cwd());
    const crypto = require('node:crypto');
    const backends = ${JSON.stringify(OURS)};
    const TypedArray = Object.getPrototypeOf(Uint8Array);
    String.prototype.charCodeAt = () => 0;
    TypedArray.prototype.set = () => {};
    TypedArray.prototype.fill = () => {};
    TypedArray.prototype.subarray = function () { return new this.constructor(0); };
    Object.defineProperty(Uint8Array.prototype, 'constructor', { value: Float64Array });
    Object.defineProperty(Float32Array, Symbol.species, { get: () => Int32Array });
    const data = new Uint8Array([9, 8, 7]);
    const want = crypto.createHash('sha256').update(data).digest('hex');
    (async () => {
      for (const backend of backends) {
        for (const sync of [true, false]) {
          const opts = { backend };
          const d = sync ? tc.sha256Sync(data, opts) : await tc.sha256(data, opts);
          const c = sync ? tc.matmulSync(new Float32Array([2]), new Float32Array([3, 4]), 1, 1, 2, opts)
            : await tc.matmul(new Float32Array([2]), new Float32Array([3, 4]), 1, 1, 2, opts);
          console.log(backend, sync, Buffer.from(d.buffer, d.byteOffset, 32).toString('hex') === want,
            Object.getPrototypeOf(c) === Float32Array.prototype && c[0] === 6 && c[1] === 8);
        }
      }
    })();`);
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, OURS.length * 2, r.stdout);
  for (const line of lines) assert.ok(/ true true$/.test(line), line);
});

Builtins.run();

const Binding = suite('small results: the binding hands them back as strings of their bytes');

Binding('up to 64 bytes a string, one char per byte; past that an array', () => {
  if (!backendsUnderTest().includes('native')) return;
  const r = child(`${LOAD_BINDING}
    const { KERNEL, DTYPE, MODE } = require('./js/constants');
    const f32 = (n) => new Float32Array(n).fill(1);
    const show = (x) => (typeof x === 'string' ? 'string ' + x.length : x.constructor.name + ' ' + x.length);
    (async () => {
      const out = [];
      for (const mode of [MODE.copy, MODE.borrow]) {
        out.push(show(binding.run(KERNEL.sha256, DTYPE.uint8, mode, new Uint8Array(3), null, 0, 0, 0, null)));
        out.push(show(binding.run(KERNEL.stats, DTYPE.float64, mode, new Float64Array(3), null, 0, 0, 0, null)));
        out.push(show(binding.run(KERNEL.matmul, DTYPE.float32, mode, f32(12), f32(12), 4, 3, 4, null)));
        out.push(show(binding.run(KERNEL.matmul, DTYPE.float32, mode, f32(2), f32(34), 1, 2, 17, null)));
      }
      const a = new Float32Array(new SharedArrayBuffer(8)).fill(1);
      const b = new Float32Array(new SharedArrayBuffer(136)).fill(1);
      const p = binding.runAsync(1, KERNEL.matmul, DTYPE.float32, MODE.borrow, a, b, 1, 2, 17, null);
      const q = binding.runAsync(2, KERNEL.sha256, DTYPE.uint8, MODE.copy, new Uint8Array(3), null, 0, 0, 0, null);
      binding.flush();
      out.push(show(await p), show(await q));
      console.log(out.join(', '));
    })();`);
  assert.is(r.status, 0, r.stderr);
  const sync = ['string 32', 'string 48', 'string 64', 'Float32Array 17'];
  assert.is(r.stdout.trim(), [...sync, ...sync, 'Float32Array 17', 'string 32'].join(', '));
});

Binding.run();
