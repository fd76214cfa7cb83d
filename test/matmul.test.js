'use strict';
// matmul on every backend x mode x sync/async against the naive triple
// loop in float32 arithmetic: the kernel promises that loop's order of
// additions, so the comparison is bit for bit.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { matrix, rng, sameBits, matmulOracle: oracle } = require('./helpers');

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
