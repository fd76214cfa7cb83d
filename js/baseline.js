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
  const mean = sum / n;
  let m2 = 0;
  for (let i = 0; i < n; i++) m2 += (x[i] - mean) * (x[i] - mean);
  out.set([sum, min, max, mean, m2 / n], 1);
  if (Number.isNaN(min) || Number.isNaN(max)) out.fill(NaN, 1);
  return out;
}

// The engine's own sort, not one an array (a subclass) may define.
function sort(array) {
  return I.typedSort(array);
}

// The kernel's order of operations: c = +0, then c + round(a*b) for
// ascending p, every step rounded to float32. The double product of two
// float32 values is exact and rounding a double sum of two float32 values
// to float32 rounds correctly, so this equals float32 arithmetic bit for
// bit.
function matmul(a, b, m, k, n) {
  const c = ownership.newArray('float32', m * n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      const brow = p * n;
      for (let j = 0; j < n; j++) c[row + j] = c[row + j] + Math.fround(av * b[brow + j]);
    }
  }
  return c;
}

// call.input and call.input2 are infos (validate.js): the arrays and what
// the engine says of them.
function runSync(call) {
  switch (call.kernel) {
    case 'sha256': return sha256(call.input.view);
    case 'stats': return stats(call.input.view, call.input.length);
    case 'sort': return sort(call.input.view);
    default: return matmul(call.input.view, call.input2.view, ...call.dims);
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
