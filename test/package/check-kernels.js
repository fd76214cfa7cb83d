'use strict';
// Copied into a project that installed the tarball and run there: every
// kernel on every backend available, sync and async, against what a user
// would otherwise use (node:crypto, TypedArray.prototype.sort, plain
// loops). Prints one JSON line: { default, available, ran, failures,
// native, wasm }; exits 1 if anything disagrees.

const crypto = require('node:crypto');
const tc = require('twincore');

const failures = [];
let ran = 0;

function rand(n, seed) {
  let s = seed >>> 0 || 1;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s >>> 0;
  }
  return out;
}

const sameBits = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength),
  Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

function check(what, ok) {
  ran++;
  if (!ok) failures.push(what);
}

function statsOracle(x) {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / x.length;
  let m2 = 0;
  for (const v of x) m2 += (v - mean) ** 2;
  return { count: x.length, sum, min, max, mean, variance: m2 / x.length };
}

const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

function matmulOracle(a, b, m, k, n) {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      for (let j = 0; j < n; j++) c[i * n + j] = Math.fround(c[i * n + j] + Math.fround(a[i * k + p] * b[p * n + j]));
    }
  }
  return c;
}

async function call(name, sync, args, options) {
  return sync ? tc[`${name}Sync`](...args, options) : tc[name](...args, options);
}

async function main() {
  const info = tc.backends();
  const backends = ['auto', 'native', 'wasm', 'js'].filter((b) => b === 'auto' || info[b].available);
  for (const backend of backends) {
    for (const sync of [true, false]) {
      const o = { backend };
      const tag = `${backend}/${sync ? 'sync' : 'async'}`;
      for (const n of [0, 1, 1000, 1 << 20]) {
        const data = new Uint8Array(rand(Math.ceil(n / 4), n + 7).buffer, 0, n);
        const got = await call('sha256', sync, [data], o);
        check(`sha256 ${tag} ${n}`, Buffer.from(got).equals(crypto.createHash('sha256').update(data).digest()));
      }
      for (const n of [1, 1000, 300000]) {
        const x = Float64Array.from(rand(n, n), (u) => (u / 2 ** 32 - 0.5) * 1e3);
        const got = await call('stats', sync, [x], o);
        const want = statsOracle(x);
        check(`stats ${tag} ${n}`, Object.keys(want).every((k) => close(got[k], want[k])));
      }
      for (const Type of [Float64Array, Float32Array, Int32Array, Uint32Array]) {
        for (const n of [0, 5, 100000]) {
          const bits = rand(n * (Type.BYTES_PER_ELEMENT / 4), n + 3);
          const x = new Type(bits.buffer);
          if (Type === Float64Array || Type === Float32Array) x.forEach((v, i) => { if (Number.isNaN(v)) x[i] = i % 2 ? -0 : 0; });
          const want = x.slice().sort();
          const got = await call('sort', sync, [x], o);
          check(`sort ${tag} ${Type.name} ${n}`, got === x && sameBits(got, want));
        }
      }
      for (const [m, k, n] of [[1, 1, 1], [7, 5, 3], [64, 48, 80]]) {
        const a = Float32Array.from(rand(m * k, m), (u) => (u % 2001) / 100 - 10);
        const b = Float32Array.from(rand(k * n, n), (u) => (u % 2001) / 100 - 10);
        const got = await call('matmul', sync, [a, b, m, k, n], o);
        check(`matmul ${tag} ${m}x${k}x${n}`, sameBits(got, matmulOracle(a, b, m, k, n)));
      }
    }
    if (backend !== 'auto') {
      const v = tc.alloc('float64', 1000, { backend });
      v.set(Float64Array.from(rand(1000, 9), (u) => u / 7));
      const s = await tc.stats(v, { backend, mode: 'borrow' });
      check(`alloc ${backend}`, close(s.sum, statsOracle(v).sum));
      tc.free(v);
    }
  }
  const summary = {
    default: info.default,
    available: ['native', 'wasm', 'js'].filter((b) => info[b].available),
    ran,
    failures,
    native: info.native,
    wasm: info.wasm.available ? { threads: info.wasm.threads, paths: info.wasm.paths } : info.wasm,
  };
  console.log(JSON.stringify(summary));
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((err) => {
  console.log(JSON.stringify({ error: err.stack }));
  process.exitCode = 1;
});
