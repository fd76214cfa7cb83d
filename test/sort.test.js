'use strict';
// sort on every backend x mode x sync/async against
// TypedArray.prototype.sort(): the same array comes back, sorted exactly
// as V8 sorts it (-0 before +0, NaN last), bit for bit.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { matrix, rng, sameBits } = require('./helpers');

const SIZES = [0, 1, 2, 3, 63, 64, 65, 1000, 65537, 300007];
const SPECIAL = {
  Float64Array: [NaN, -0, 0, Infinity, -Infinity, Number.MAX_VALUE, -Number.MIN_VALUE, 5e-324, 1, -1],
  Float32Array: [NaN, -0, 0, Infinity, -Infinity, 3.4e38, -1.4e-45, 1, -1],
  Int32Array: [-(2 ** 31), 2 ** 31 - 1, 0, -1, 1],
  Uint32Array: [0, 2 ** 32 - 1, 2 ** 31, 2 ** 31 - 1, 1],
};

function fill(Type, n, r) {
  const a = new Type(n);
  const specials = SPECIAL[Type.name];
  for (let i = 0; i < n; i++) {
    const pick = r.below(10);
    if (pick === 0) a[i] = specials[r.below(specials.length)];
    else if (pick === 1 && i > 0) a[i] = a[r.below(i)]; // duplicates
    else if (Type === Float64Array || Type === Float32Array) a[i] = (r.float() - 0.5) * 10 ** r.below(12);
    else a[i] = r.u32();
  }
  return a;
}

// Inputs and their V8-sorted twins, made once for the whole matrix.
const INPUTS = [];
{
  const r = rng(2);
  for (const Type of [Float64Array, Float32Array, Int32Array, Uint32Array]) {
    for (const n of SIZES) {
      const a = fill(Type, n, r);
      INPUTS.push({ a, want: a.slice().sort(), what: `${Type.name} n=${n}` });
    }
  }
}

const Oracle = suite('sort: random data with specials vs TypedArray.prototype.sort');
for (const m of matrix()) {
  Oracle(m.label, async () => {
    for (const { a, want, what } of INPUTS) {
      const mine = a.slice();
      const got = await m.call('sort', mine);
      assert.ok(got === mine || m.heap, 'sorts in place and returns the same array');
      assert.ok(sameBits(got, want), what);
    }
  });
}
Oracle.run();

const Views = suite('sort: views sort only their own elements');
for (const m of matrix()) {
  Views(m.label, async () => {
    const r = rng(3);
    const whole = fill(Float64Array, 5000, r);
    const copy = whole.slice();
    const view = whole.subarray(1000, 3000);
    const got = await m.call('sort', view);
    if (m.heap) view.set(got);
    assert.ok(sameBits(view, copy.subarray(1000, 3000).sort()));
    assert.ok(sameBits(whole.subarray(0, 1000), copy.subarray(0, 1000)), 'before the view');
    assert.ok(sameBits(whole.subarray(3000), copy.subarray(3000)), 'after the view');
  });
}
Views.run();

const Shared = suite('sort: SharedArrayBuffer and alloc() arrays');
for (const m of matrix()) {
  Shared(m.label, async () => {
    const r = rng(4);
    const src = fill(Int32Array, 70000, r);
    const shared = new Int32Array(new SharedArrayBuffer(src.byteLength));
    shared.set(src);
    const got = await m.call('sort', shared);
    assert.ok(sameBits(got, src.slice().sort()));
  });
}
Shared.run();

const Nans = suite('sort: NaNs of many payloads come out in the same bits on every backend');
Nans('small and large float arrays, every backend, mode and sync/async', async () => {
  const r = rng(9);
  const cases = [];
  for (const [Type, Bits] of [[Float32Array, Uint32Array], [Float64Array, BigUint64Array]]) {
    for (const n of [7, 300, 100000]) {
      const bits = new Bits(n);
      for (let i = 0; i < n; i++) {
        const nan = r.below(3) === 0;
        if (Bits === Uint32Array) {
          bits[i] = nan ? ((r.below(2) ? 0x7f800001 : 0xff800001) + r.below(0x7fffff)) >>> 0 : r.u32() & 0xbf7fffff;
        } else {
          const low = BigInt(r.u32()) | (BigInt(r.below(0x7ffff) + 1) << 32n);
          bits[i] = nan ? (r.below(2) ? 0x7ff0000000000000n : 0xfff0000000000000n) | low : BigInt(r.u32() & 0xbfefffff) << 32n;
        }
      }
      cases.push(new Type(bits.buffer));
    }
  }
  for (const input of cases) {
    let want = null;
    for (const m of matrix()) {
      const got = await m.call('sort', input.slice());
      const bytes = Buffer.from(got.buffer, got.byteOffset, got.byteLength);
      if (want === null) want = bytes;
      else assert.ok(bytes.equals(want), `${m.label}, ${input.constructor.name}(${input.length})`);
    }
  }
});
Nans.run();
