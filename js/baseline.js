'use strict';
// The 'js' backend: what a user would reach for without twincore
// (node:crypto, TypedArray.prototype.sort, plain loops). It runs on the
// calling thread, async calls included, and works on the caller's memory
// in place whatever the mode. It is the baseline the bench compares with,
// and a second, independent implementation for the tests.

const crypto = require('node:crypto');
const I = require('./intrinsics');
const ownership = require('./ownership');

function sha256(input) {
  const out = new Uint8Array(32);
  out.set(crypto.createHash('sha256').update(input).digest());
  return out;
}

// The README's definition, in the plainest loops: NaN anywhere makes every
// result but count NaN; Math.min/Math.max order -0 before +0.
function stats(x, n) {
  const out = new Float64Array(6);
  out[0] = n;
  if (n === 0) {
    out.fill(NaN, 2);
    return out;
  }
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    sum += x[i];
    min = Math.min(min, x[i]);
    max = Math.max(max, x[i]);
  }
  // Finite data whose sum overflowed on the way, as the core takes it: the
  // sum again from the values times 2^-64, in index order; the mean as the
  // midpoint of min and max plus the mean of the (scaled) offsets from it.
  let mean = sum / n;
  if (!Number.isFinite(sum) && Number.isFinite(min) && Number.isFinite(max)) {
    const c = min * 0.5 + max * 0.5;
    let q = 0;
    let d = 0;
    for (let i = 0; i < n; i++) {
      q += x[i] * 2 ** -64;
      d += (x[i] - c) * 2 ** -64;
    }
    sum = q * 2 ** 64;
    mean = c + (d / n) * 2 ** 64;
  }
  let m2 = 0;
  for (let i = 0; i < n; i++) m2 += (x[i] - mean) * (x[i] - mean);
  let variance = m2 / n;
  // Squared deviations that overflow the sum while the variance may not:
  // halved and scaled by 2^-511, as the core does.
  if (variance === Infinity && Number.isFinite(min) && Number.isFinite(max) && Number.isFinite(mean)) {
    let q = 0;
    for (let i = 0; i < n; i++) {
      const d = (x[i] * 0.5 - mean * 0.5) * 2 ** -511;
      q += d * d;
    }
    variance = (q / n) * 2 ** 512 * 2 ** 512;
  }
  out.set([sum, min, max, mean, variance], 1);
  if (Number.isNaN(min) || Number.isNaN(max)) out.fill(NaN, 1);
  return out;
}

// The engine's own sort, not one an array (a subclass) may define. It puts
// NaNs last and leaves their order open (input order for short arrays, none
// for long ones); the core orders them by their bits: sign bit clear first,
// ascending, then sign bit set, descending (sort.c). The NaNs are put in
// that order, so that every backend gives the same bits.
function sort(info) {
  I.typedSort(info.view);
  const { view, length } = info;
  if (!(info.dtype === 'float32' || info.dtype === 'float64') || length < 2 ||
      !Number.isNaN(view[length - 2])) return view;
  let start = length - 2;
  while (start > 0 && Number.isNaN(view[start - 1])) start--;
  // The NaNs' bits, split in place into sign clear then sign set, each
  // group sorted by the engine (no object per element, however many).
  const Bits = info.dtype === 'float64' ? BigUint64Array : Uint32Array;
  const bits = new Bits(info.buffer, info.byteOffset + start * Bits.BYTES_PER_ELEMENT, length - start);
  const sign = Bits === BigUint64Array ? 2n ** 63n : 2 ** 31;
  let clear = 0;
  for (let i = 0; i < bits.length; i++) {
    if (bits[i] < sign) {
      const t = bits[i];
      bits[i] = bits[clear];
      bits[clear++] = t;
    }
  }
  I.typedSort(bits.subarray(0, clear));
  I.typedSort(bits.subarray(clear)).reverse();
  return view;
}

// The kernel's order of operations: c = +0, then c + round(a*b) for
// ascending p, every step rounded to float32. The double product of two
// float32 values is exact and rounding a double sum of two float32 values
// to float32 rounds correctly, so this equals float32 arithmetic bit for
// bit. Computed into a new array: one given as options.out is written only
// at the end, so even an out that shares memory with a or b through
// another buffer object (which validate.js cannot see) gets the product.
function matmul(a, b, m, k, n) {
  const c = ownership.newArray('float32', m * n);
  // Nothing to add (k = 0: all +0) or nothing to hold: no loop over m,
  // which may be huge when n or k is 0.
  if (k === 0 || m * n === 0) return c;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      const brow = p * n;
      for (let j = 0; j < n; j++) c[row + j] = c[row + j] + Math.fround(av * b[brow + j]);
    }
  }
  // Every NaN as the canonical quiet NaN, as the core writes it (V8 keeps
  // payloads as they come).
  const bits = new Uint32Array(c.buffer);
  for (let i = 0; i < c.length; i++) if (c[i] !== c[i]) bits[i] = 0x7fc00000;
  return c;
}

// call.input and call.input2 are infos (validate.js): the arrays and what
// the engine says of them.
function runSync(call) {
  switch (call.kernel) {
    case 'sha256': return sha256(call.input.view);
    case 'stats': return stats(call.input.view, call.input.length);
    case 'sort': return sort(call.input);
    default: {
      const c = matmul(call.input.view, call.input2.view, ...call.dims);
      const out = call.output.info;
      if (!out) return c;
      I.typedSet(out.view, c);
      return out.view;
    }
  }
}

async function run(call) {
  return runSync(call);
}

function allocBuffer(bytes) {
  return new ArrayBuffer(bytes);
}

// Detach: a transfer moves the memory away and leaves the views empty.
function release(buffer) {
  structuredClone(buffer, { transfer: [buffer] });
}

module.exports = {
  name: 'js',
  available: true,
  runSync,
  run,
  allocBuffer,
  release,
  info: () => ({ available: true, threads: 0, crypto: process.versions.openssl }),
};
