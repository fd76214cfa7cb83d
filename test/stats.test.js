'use strict';
// stats on every backend x mode x sync/async against straightforward JS,
// and the special values the README defines.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { matrix, rng } = require('./helpers');

function oracle(x) {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / x.length;
  let m2 = 0;
  for (const v of x) m2 += (v - mean) ** 2;
  return { count: x.length, sum, min, max, mean, variance: m2 / x.length };
}

const close = (got, want, scale, rel) => Math.abs(got - want) <= rel * Math.abs(scale);

// Inputs and their expected results, made once for the whole matrix.
const INPUTS = [];
{
  const r = rng(5);
  for (const n of [1, 2, 3, 7, 2047, 2048, 2049, 100003, 1 << 20]) {
    for (const kind of ['uniform', 'offset', 'wide']) {
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const u = r.float();
        x[i] = kind === 'uniform' ? 2000 * u - 1000 : kind === 'offset' ? 1e9 + u : (2 * u - 1) * 10 ** r.below(30);
      }
      let absSum = 0;
      for (let i = 0; i < n; i++) absSum += Math.abs(x[i]);
      INPUTS.push({ x, n, kind, want: oracle(x), absSum });
    }
  }
}

const Oracle = suite('stats: random data vs straightforward JS');
for (const m of matrix()) {
  Oracle(m.label, async () => {
    for (const { x, n, kind, want, absSum } of INPUTS) {
      {
        const got = await m.call('stats', x);
        const what = `n=${n} ${kind}`;
        assert.equal(Object.keys(got), ['count', 'sum', 'min', 'max', 'mean', 'variance']);
        assert.is(got.count, n, what);
        assert.ok(Object.is(got.min, want.min) && Object.is(got.max, want.max), `${what}: min/max`);
        assert.ok(close(got.sum, want.sum, absSum, 1e-12), `${what}: sum ${got.sum} vs ${want.sum}`);
        assert.ok(close(got.mean, want.mean, absSum / n, 1e-12), `${what}: mean`);
        assert.ok(close(got.variance, want.variance, want.variance, 1e-6) || (n === 1 && got.variance === 0),
          `${what}: variance ${got.variance} vs ${want.variance}`);
      }
    }
  });
}
Oracle.run();

const Special = suite('stats: special values as the README defines them');
const CASES = [
  ['empty', [], { count: 0, sum: 0, min: NaN, max: NaN, mean: NaN, variance: NaN }],
  ['1..4', [1, 2, 3, 4], { count: 4, sum: 10, min: 1, max: 4, mean: 2.5, variance: 1.25 }],
  ['one value', [7.5], { count: 1, sum: 7.5, min: 7.5, max: 7.5, mean: 7.5, variance: 0 }],
  ['NaN', [1, NaN, 3], { count: 3, sum: NaN, min: NaN, max: NaN, mean: NaN, variance: NaN }],
  ['+Infinity', [Infinity, 1], { count: 2, sum: Infinity, min: 1, max: Infinity, mean: Infinity, variance: NaN }],
  ['both infinities', [-Infinity, Infinity, 3], { count: 3, sum: NaN, min: -Infinity, max: Infinity, mean: NaN, variance: NaN }],
  ['signed zeros', [0, -0], { count: 2, sum: 0, min: -0, max: 0, mean: 0, variance: 0 }],
  ['negative zeros', [-0, -0], { count: 2, sum: 0, min: -0, max: -0, mean: 0, variance: 0 }],
];
for (const m of matrix()) {
  Special(m.label, async () => {
    for (const [name, data, want] of CASES) {
      const got = await m.call('stats', new Float64Array(data));
      for (const key of Object.keys(want)) {
        assert.ok(Object.is(got[key], want[key]), `${name}: ${key} is ${got[key]}, expected ${want[key]}`);
      }
    }
    const late = new Float64Array(5000).map((_, i) => i + 1);
    late[4321] = NaN;
    assert.ok(Number.isNaN((await m.call('stats', late)).min), 'NaN in a later chunk');
  });
}
Special.run();

const Overflow = suite('stats: finite data whose sum overflows keeps a finite mean');
for (const m of matrix()) {
  Overflow(m.label, async () => {
    const s = await m.call('stats', new Float64Array([1.5e308, 1.5e308]));
    assert.equal([s.sum, s.mean, s.variance, s.min, s.max], [Infinity, 1.5e308, 0, 1.5e308, 1.5e308]);
    const t = await m.call('stats', new Float64Array(5000).fill(-1.5e308));
    assert.equal([t.sum, t.mean, t.variance], [-Infinity, -1.5e308, 0]);
    const both = await m.call('stats', new Float64Array([1.7e308, 1.7e308, -1.7e308, -1.7e308]));
    assert.equal([both.sum, both.mean, both.variance], [0, 0, Infinity]);
    const u = await m.call('stats', new Float64Array([1.5e308, 1.5e308, Infinity]));
    assert.equal([u.sum, u.mean], [Infinity, Infinity]);
    assert.ok(Number.isNaN(u.variance));
  });
}
Overflow.run();
