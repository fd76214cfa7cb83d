'use strict';
// Shared by the uvu tests: the matrix of backends x modes x sync/async that
// every kernel test loops over, a seeded random source, and a child-process
// runner for tests that expect a crash, a hang or an exit.

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const tc = require('..');

const ROOT = path.resolve(__dirname, '..');

// Backends available in this build; TWINCORE_TEST_BACKENDS narrows them.
function backendsUnderTest() {
  const info = tc.backends();
  const all = ['native', 'wasm', 'js'].filter((b) => info[b].available);
  const only = process.env.TWINCORE_TEST_BACKENDS;
  return only ? all.filter((b) => only.split(',').includes(b)) : all;
}

const MODES = ['copy', 'borrow', 'auto'];

const TYPE_OF = new Map([[Float64Array, 'float64'], [Float32Array, 'float32'], [Int32Array, 'int32'],
  [Uint32Array, 'uint32'], [Uint8Array, 'uint8']]);

// A copy of an array (or of any bytes) in memory alloc() made for a
// backend: what an async call (and any wasm call) can borrow.
function toOwned(v, backend) {
  if (!ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer) && !(v instanceof SharedArrayBuffer)) return v;
  const type = ArrayBuffer.isView(v) ? TYPE_OF.get(v.constructor) : undefined;
  const src = type ? v : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
  const h = tc.alloc(type ?? 'uint8', src.length, { backend });
  h.set(src);
  return h;
}

// Every way to make a call: { label, backend, mode, sync, heap,
// call(name, ...args) } where call(name) runs tc[name] or tc[name + 'Sync']
// and always returns a Promise, so one test body covers both. With heap
// set (borrow where only alloc()'d memory can be borrowed: wasm, and any
// async call), the arrays are first copied into alloc()'d memory, and a
// sort returns that array instead of the one passed in.
function matrix() {
  const out = [];
  for (const backend of backendsUnderTest()) {
    for (const mode of MODES) {
      for (const sync of [true, false]) {
        const options = { backend, mode };
        const heap = mode === 'borrow' && (backend === 'wasm' || (backend === 'native' && !sync));
        out.push({
          label: `${backend}/${mode}/${sync ? 'sync' : 'async'}`,
          backend,
          mode,
          sync,
          heap,
          options,
          call(name, ...given) {
            const args = heap ? given.map((v) => toOwned(v, backend)) : given;
            if (sync) {
              try {
                return Promise.resolve(tc[`${name}Sync`](...args, options));
              } catch (err) {
                return Promise.reject(err);
              }
            }
            return tc[name](...args, options);
          },
        });
      }
    }
  }
  return out;
}

// sfc32: a fast seeded generator in 32-bit integer steps, so failures
// reproduce.
function rng(seed) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const u32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  return {
    u32,
    below: (n) => Math.floor((u32() / 2 ** 32) * n),
    float: () => ((u32() >>> 5) * 2 ** 26 + (u32() >>> 6)) / 2 ** 53,
    bytes(n) {
      const words = new Uint32Array(Math.ceil(n / 4));
      for (let i = 0; i < words.length; i++) words[i] = u32();
      return new Uint8Array(words.buffer, 0, n);
    },
  };
}

// Lines of a child script that load the addon the facade would load
// (TWINCORE_NATIVE_ADDON, or the build's) as `binding`, for a test that
// calls it directly, and `path`.
const LOAD_BINDING = `
  const path = require('node:path');
  const file = process.env.TWINCORE_NATIVE_ADDON;
  const binding = file ? require(path.resolve(file)) : require('node-gyp-build')(process.cwd());
`;

// Run a script in a child node with a time limit; returns
// { status, signal, stdout, stderr }.
function child(script, { args = [], env = {}, timeout = 60000, nodeArgs = [] } = {}) {
  // Plain output whatever the parent's terminal settings.
  const childEnv = { ...process.env, NODE_DISABLE_COLORS: '1', ...env };
  delete childEnv.FORCE_COLOR;
  const r = spawnSync(process.execPath, [...nodeArgs, '-e', script, ...args], {
    cwd: ROOT,
    env: childEnv,
    timeout,
    encoding: 'utf8',
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

// Bitwise equality of two typed arrays, NaN payloads included.
function sameBits(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// Collect garbage and let FinalizationRegistry callbacks run (they come a
// turn later), so that memory freed arrays held back is given back.
// Needs node --expose-gc (test/run.js passes it); a no-op without.
async function collectGarbage() {
  if (typeof global.gc !== 'function') return;
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// The naive triple loop in float32 arithmetic, every NaN written as the
// canonical quiet NaN: what matmul promises, bit for bit.
function matmulOracle(a, b, m, k, n) {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(a[i * k + p] * b[p * n + j]));
      c[i * n + j] = s;
    }
  }
  const bits = new Uint32Array(c.buffer);
  for (let i = 0; i < c.length; i++) if (Number.isNaN(c[i])) bits[i] = 0x7fc00000;
  return c;
}

module.exports = {
  tc, ROOT, MODES, matrix, rng, child, LOAD_BINDING, sameBits, backendsUnderTest, toOwned, collectGarbage, matmulOracle,
};
