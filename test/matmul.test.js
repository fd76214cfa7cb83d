'use strict';
// matmul on every backend x mode x sync/async against the naive triple
// loop in float32 arithmetic: the kernel promises that loop's order of
// additions, so the comparison is bit for bit.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { tc, matrix, rng, sameBits, matmulOracle: oracle, toOwned, backendsUnderTest, child } = require('./helpers');

const SHAPES = [[0, 3, 2], [2, 0, 3], [3, 2, 0], [1, 1, 1], [2, 3, 2], [3, 5, 7], [4, 8, 8], [5, 9, 17],
  [17, 257, 33], [2, 3, 513], [130, 70, 3], [64, 300, 520]];

function random(n, r) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (r.float() * 2 - 1) * 2 ** (r.below(17) - 8);
  return x;
}

const Oracle = suite('matmul: random shapes vs the naive loop, bit for bit');
for (const m of matrix()) {
  Oracle(m.label, async () => {
    const r = rng(6);
    for (const [M, K, N] of SHAPES) {
      const a = random(M * K, r);
      const b = random(K * N, r);
      const got = await m.call('matmul', a, b, M, K, N);
      assert.instance(got, Float32Array);
      assert.is(got.length, M * N);
      assert.ok(sameBits(got, oracle(a, b, M, K, N)), `${M}x${K}x${N}`);
    }
  });
}
Oracle.run();

const Known = suite('matmul: known products');
for (const m of matrix()) {
  Known(m.label, async () => {
    const c = await m.call('matmul', new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array([7, 8, 9, 10, 11, 12]), 2, 3, 2);
    assert.equal(Array.from(c), [58, 64, 139, 154]);
    const a = random(9, rng(7));
    const same = await m.call('matmul', a, a, 3, 3, 3);
    assert.ok(sameBits(same, oracle(a, a, 3, 3, 3)), 'A times itself');
    const specials = new Float32Array([NaN, Infinity, -0, 1]);
    const s = await m.call('matmul', specials, new Float32Array([1, 0, 2, 3]), 2, 2, 2);
    assert.ok(sameBits(s.map((v) => (Number.isNaN(v) ? NaN : v)), oracle(specials, new Float32Array([1, 0, 2, 3]), 2, 2, 2)));
  });
}
Known.run();

const Nan = suite('matmul: NaN payloads give the same bits on every backend');

Nan('every NaN in a result is the canonical quiet NaN, whatever payloads went in', async () => {
  const f32 = (...words) => new Float32Array(new Uint32Array(words).buffer);
  const NAN5 = 0x7fc00005;
  const NAN9 = 0x7fc00009;
  const SNAN = 0x7fa00001;
  const INF = 0x7f800000;
  const NINF = 0xff800000;
  const cases = [
    [f32(NAN5), f32(NAN9), 1, 1, 1],
    [f32(INF, NAN5, NINF, SNAN, 0x3f800000, NAN9, 0, SNAN), f32(NAN9, INF, 0, NINF, SNAN, 0x40000000, NINF, NAN5), 4, 2, 4],
  ];
  for (const [a, b, m, k, n] of cases) {
    for (const t of matrix()) {
      const c = await t.call('matmul', a, b, m, k, n);
      const bits = Array.from(new Uint32Array(c.buffer, c.byteOffset, c.length));
      for (let i = 0; i < c.length; i++) {
        if (Number.isNaN(c[i])) assert.is(bits[i], 0x7fc00000, `${t.label} ${m}x${k}x${n}[${i}]: 0x${bits[i].toString(16)}`);
      }
      assert.ok(bits.some((x) => x === 0x7fc00000), 'a NaN came out');
    }
  }
});

Nan.run();

// options.out: the product written into the caller's array.
const Out = suite('matmul: options.out takes the result, on every backend x mode x sync/async');

// A call of m with options.out, out in the memory m's arrays are in.
function callOut(m, a, b, M, K, N, extra = {}) {
  const out = m.heap ? tc.alloc('float32', M * N, { backend: m.backend }) : new Float32Array(M * N);
  out.fill(NaN);
  const args = m.heap ? [toOwned(a, m.backend), toOwned(b, m.backend)] : [a, b];
  const options = { ...m.options, ...extra, out };
  const result = m.sync ? Promise.resolve().then(() => tc.matmulSync(...args, M, K, N, options))
    : tc.matmul(...args, M, K, N, options);
  return result.then((c) => ({ c, out }));
}

for (const m of matrix()) {
  Out(m.label, async () => {
    const r = rng(11);
    for (const [M, K, N] of [[2, 3, 2], [3, 5, 7], [1, 1, 1], [0, 3, 2], [2, 0, 3], [17, 257, 33], [64, 300, 520]]) {
      const a = random(M * K, r);
      const b = random(K * N, r);
      const { c, out } = await callOut(m, a, b, M, K, N);
      assert.is(c, out, `${M}x${K}x${N}: the call returns options.out itself`);
      assert.ok(sameBits(out, oracle(a, b, M, K, N)), `${M}x${K}x${N}`);
    }
    if (!m.sync) {
      // Split across pool threads: each part writes its band of rows.
      const a = random(96 * 200, r);
      const b = random(200 * 300, r);
      const { out } = await callOut(m, a, b, 96, 200, 300, { threads: 2 });
      assert.ok(sameBits(out, oracle(a, b, 96, 200, 300)), 'threads: 2');
    }
  });
}
Out.run();

const OutErr = suite('matmul: options.out refused with a code');
const BACKENDS = backendsUnderTest();

async function outcome(sync, ...args) {
  try {
    if (sync) tc.matmulSync(...args);
    else await tc.matmul(...args);
    return null;
  } catch (err) {
    return err;
  }
}

async function refused(args, Class, code, what) {
  for (const sync of [true, false]) {
    const err = await outcome(sync, ...args);
    const label = `${what}, ${sync ? 'sync' : 'async'}`;
    assert.ok(err, `${label}: no error`);
    assert.is(err.code, code, `${label}: ${err.code} ${err.message}`);
    assert.instance(err, Class, label);
  }
}

OutErr('the wrong type or length, or an out that overlaps a or b in the same buffer', async () => {
  const a = new Float32Array(6).fill(1);
  const b = new Float32Array(6).fill(2);
  for (const backend of BACKENDS) {
    for (const mode of ['copy', 'auto']) {
      const o = (out) => ({ backend, mode, out });
      await refused([a, b, 2, 3, 2, o(new Float64Array(4))], TypeError, 'ERR_INVALID_ARG_TYPE', `${backend} Float64Array out`);
      await refused([a, b, 2, 3, 2, o([0, 0, 0, 0])], TypeError, 'ERR_INVALID_ARG_TYPE', `${backend} plain array out`);
      await refused([a, b, 2, 3, 2, o(null)], TypeError, 'ERR_INVALID_ARG_TYPE', `${backend} null out`);
      await refused([a, b, 2, 3, 2, o(new Float32Array(5))], RangeError, 'ERR_OUT_OF_RANGE', `${backend} 5 elements for 2x2`);
      const err = await outcome(true, a, b, 2, 3, 2, o(new Float32Array(5)));
      assert.match(err.message, 'options.out must hold m*n = 2*2 = 4 elements, has 5');
      // Sharing bytes with a or b (the same buffer): refused in every
      // mode, even copy, which could give the product, so that no
      // backend or mode differs.
      const mem = new Float32Array(16);
      const ma = mem.subarray(0, 6);
      const mb = mem.subarray(10, 16);
      ma.fill(1);
      mb.fill(2);
      await refused([ma, mb, 2, 3, 2, o(mem.subarray(5, 9))], Error, 'ERR_TC_EALIAS', `${backend} ${mode} out over a's end`);
      await refused([ma, mb, 2, 3, 2, o(mem.subarray(9, 13))], Error, 'ERR_TC_EALIAS', `${backend} ${mode} out over b's start`);
      await refused([ma, ma, 2, 3, 2, o(ma.subarray(0, 4))], Error, 'ERR_TC_EALIAS', `${backend} ${mode} out inside a`);
      const overA = await outcome(true, ma, mb, 2, 3, 2, o(mem.subarray(5, 9)));
      assert.match(overA.message, 'options.out overlaps a');
      const overB = await outcome(true, ma, mb, 2, 3, 2, o(mem.subarray(9, 13)));
      assert.match(overB.message, 'options.out overlaps b');
      // Next to each other is fine, and a and b may be the same array.
      const between = tc.matmulSync(ma, mb, 2, 3, 2, o(mem.subarray(6, 10)));
      assert.equal(Array.from(between), [6, 6, 6, 6], `${backend} ${mode}: out between a and b`);
      assert.equal(Array.from(ma), [1, 1, 1, 1, 1, 1], 'a untouched');
      const sq = new Float32Array([1, 2, 3, 4]);
      assert.equal(Array.from(await tc.matmul(sq, sq, 2, 2, 2, o(new Float32Array(4)))), [7, 10, 15, 22]);
    }
  }
});

OutErr('a freed, detached or unborrowable out', async () => {
  const a = new Float32Array(4).fill(1);
  for (const backend of BACKENDS) {
    const freed = tc.alloc('float32', 4, { backend });
    tc.free(freed);
    await refused([a, a, 2, 2, 2, { backend, out: freed }], Error, 'ERR_TC_FREED', `${backend} freed out`);
    const gone = new Float32Array(4);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    await refused([a, a, 2, 2, 2, { backend, out: gone }], Error, 'ERR_TC_DETACHED', `${backend} detached out`);
    if (backend === 'js') continue;
    // Borrowed inputs with an ordinary out: 'borrow' refuses the call
    // (async on native; sync and async on wasm), naming out alone; 'auto'
    // copies it.
    const ha = toOwned(a, backend);
    const plain = new Float32Array(4);
    for (const sync of backend === 'wasm' ? [true, false] : [false]) {
      const err = await outcome(sync, ha, ha, 2, 2, 2, { backend, mode: 'borrow', out: plain });
      assert.is(err && err.code, 'ERR_TC_BORROW', `${backend}: borrow into an ordinary array`);
      assert.match(err.message, /got Float32Array\(4\)[: ]/, err.message);
      assert.not.match(err.message, 'and', `${backend}: only out is named`);
    }
    const c = await tc.matmul(ha, ha, 2, 2, 2, { backend, out: plain });
    assert.is(c, plain);
    assert.equal(Array.from(plain), [2, 2, 2, 2], `${backend}: 'auto' copies into an ordinary out`);
  }
});

OutErr('options.out is read once, with the other options, before the arrays', async () => {
  for (const backend of BACKENDS) {
    const a = new Float32Array([1, 2, 3, 4]);
    const out = new Float32Array(4);
    let reads = 0;
    const options = { backend, get out() { reads++; return out; } };
    assert.is(tc.matmulSync(a, a, 2, 2, 2, options), out);
    assert.is(reads, 1, `${backend}: read once`);
    assert.equal(Array.from(out), [7, 10, 15, 22]);
    // A getter that detaches a: the call sees it detached, never stale.
    const b = new Float32Array([1, 2, 3, 4]);
    const detaching = { backend, get out() { structuredClone(b.buffer, { transfer: [b.buffer] }); return out; } };
    await refused([b, a, 2, 2, 2, detaching], Error, 'ERR_TC_DETACHED', `${backend}: a detached by the out getter`);
  }
});

OutErr('an out detached while a copy-mode job runs is ERR_TC_DETACHED, nothing written elsewhere', async () => {
  for (const backend of BACKENDS.filter((x) => x !== 'js')) {
    const a = new Float32Array(256 * 256).fill(1);
    const out = new Float32Array(256 * 256);
    const p = tc.matmul(a, a, 256, 256, 256, { backend, mode: 'copy', out });
    const moved = structuredClone(out.buffer, { transfer: [out.buffer] });
    const err = await p.then(() => null, (e) => e);
    assert.is(err && err.code, 'ERR_TC_DETACHED', `${backend}: ${err && err.message}`);
    assert.ok(new Float32Array(moved).every((v) => v === 0), `${backend}: the moved memory is untouched`);
  }
});

OutErr('copy mode into an alloc()ed out; native borrowing a SharedArrayBuffer out', async () => {
  const r = rng(12);
  const a = random(40 * 30, r);
  const b = random(30 * 20, r);
  const want = oracle(a, b, 40, 30, 20);
  for (const backend of BACKENDS) {
    for (const sync of [true, false]) {
      const out = tc.alloc('float32', 40 * 20, { backend });
      const c = sync ? tc.matmulSync(a, b, 40, 30, 20, { backend, mode: 'copy', out })
        : await tc.matmul(a, b, 40, 30, 20, { backend, mode: 'copy', out });
      assert.is(c, out);
      assert.ok(sameBits(out, want), `${backend} ${sync ? 'sync' : 'async'} copy into alloc()`);
      tc.free(out);
    }
  }
  if (!BACKENDS.includes('native')) return;
  const sa = new Float32Array(new SharedArrayBuffer(a.byteLength));
  const sb = new Float32Array(new SharedArrayBuffer(b.byteLength));
  const so = new Float32Array(new SharedArrayBuffer(40 * 20 * 4));
  sa.set(a);
  sb.set(b);
  assert.is(await tc.matmul(sa, sb, 40, 30, 20, { backend: 'native', mode: 'borrow', out: so }), so);
  assert.ok(sameBits(so, want), 'native async borrow into a SharedArrayBuffer');
});

OutErr('free(out) while an async call borrows it waits for the call', async () => {
  for (const backend of BACKENDS.filter((x) => x !== 'js')) {
    const a = toOwned(new Float32Array(128 * 128).fill(1), backend);
    const out = tc.alloc('float32', 128 * 128, { backend });
    const p = tc.matmul(a, a, 128, 128, 128, { backend, mode: 'borrow', out });
    tc.free(out);
    const c = await p;
    assert.is(c, out, `${backend}: the call resolves with out`);
    // Native: free() detached it once the call settled; wasm: a freed heap
    // array stays readable (quarantined), with the product in it.
    if (backend === 'wasm') assert.ok(out.every((v) => v === 128), 'wasm: the product was written');
    else assert.is(out.length, 0, 'native: released once the call settled');
    const err = await outcome(true, a, a, 128, 128, 128, { backend, out });
    assert.is(err && err.code, 'ERR_TC_FREED', `${backend}: freed once the call settled`);
    tc.free(a);
  }
});

OutErr('an out over a through another SharedArrayBuffer object: the core refuses it where it works in place, a copy gives the product', async () => {
  const sab = new SharedArrayBuffer(16);
  const alias = structuredClone(sab);
  assert.is.not(alias, sab);
  new Float32Array(alias)[0] = 5;
  assert.is(new Float32Array(sab)[0], 5, 'the same memory');
  const a = new Float32Array(sab).fill(1);
  const b = new Float32Array(new SharedArrayBuffer(16));
  b.set([1, 2, 3, 4]);
  for (const backend of BACKENDS) {
    for (const mode of ['borrow', 'copy']) {
      a.fill(1);
      if (backend === 'native' && mode === 'borrow') {
        await refused([a, b, 2, 2, 2, { backend, mode, out: new Float32Array(alias) }], Error, 'ERR_TC_EALIAS',
          'native borrow: the core compares addresses');
      } else if (!(backend === 'wasm' && mode === 'borrow')) {
        // Copies never alias, and js computes into its own array first.
        const c = tc.matmulSync(a, b, 2, 2, 2, { backend, mode, out: new Float32Array(alias) });
        assert.equal(Array.from(c), [4, 6, 4, 6], `${backend} ${mode}`);
      }
    }
  }
});

OutErr('wasm: an out over a heap array made before the heap grew is ERR_TC_EALIAS (the core compares addresses)', () => {
  if (!BACKENDS.includes('wasm')) return;
  // In a fresh process, whose heap is small enough to grow.
  const r = child(`
    const tc = require('./');
    const a = tc.alloc('float32', 4, { backend: 'wasm' });
    a.set([1, 2, 3, 4]);
    const { heapSize, heapUsed } = tc.backends().wasm;
    const grow = tc.alloc('uint8', heapSize - heapUsed + 2 ** 20, { backend: 'wasm' });
    if (grow.buffer === a.buffer) throw new Error('the heap did not grow');
    const alias = new Float32Array(grow.buffer, a.byteOffset, 4);
    const codes = [];
    try { tc.matmulSync(a, a, 2, 2, 2, { backend: 'wasm', mode: 'borrow', out: alias }); } catch (e) { codes.push(e.code); }
    tc.matmul(a, a, 2, 2, 2, { backend: 'wasm', mode: 'borrow', out: alias }).catch((e) => e).then((e) => {
      codes.push(e && e.code);
      console.log(JSON.stringify({ codes, a: Array.from(a) }));
    });`);
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { codes: ['ERR_TC_EALIAS', 'ERR_TC_EALIAS'], a: [1, 2, 3, 4] });
});
OutErr.run();
