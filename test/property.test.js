'use strict';
// A property test of the public API: seeded random calls (kernel, element
// type, length, offset, kind of memory, backend, mode, sync or async) with
// random detaches, transfers, resizes, frees and aborts before and during
// the calls. Every outcome must be the oracle's answer or an error with a
// string code; nothing may crash, hang, or write outside the array.
//
//   TWINCORE_SEED=123 node --expose-gc node_modules/uvu/bin.js test property
//   TWINCORE_PROPERTY_CALLS=20000 ...   more calls (default 1200)
//
// A failure names the seed and the call number, which reproduce it.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const crypto = require('node:crypto');
const { tc, backendsUnderTest, rng, matmulOracle } = require('./helpers');

const SEED = Number(process.env.TWINCORE_SEED || 20261121);
const CALLS = Number(process.env.TWINCORE_PROPERTY_CALLS || 1200);
const BACKENDS = ['auto', ...backendsUnderTest()];
const ARRAYS = { float64: Float64Array, float32: Float32Array, int32: Int32Array, uint32: Uint32Array, uint8: Uint8Array };
const SORTABLE = ['float64', 'float32', 'int32', 'uint32'];

// --- oracles ----------------------------------------------------------

// TypedArray.prototype.sort()'s order with NaNs in the README's order: sign
// clear ascending bits, then sign set descending.
function sortOracle(a) {
  const type = Object.keys(ARRAYS).find((t) => a instanceof ARRAYS[t]);
  if (type === 'int32' || type === 'uint32') return a.slice().sort();
  const wide = type === 'float64';
  const Bits = wide ? BigUint64Array : Uint32Array;
  const bits = new Bits(a.slice().buffer);
  const sign = wide ? 2n ** 63n : 2 ** 31;
  const items = Array.from(a, (v, i) => ({ v, b: bits[i] }));
  items.sort((x, y) => {
    const xn = Number.isNaN(x.v);
    const yn = Number.isNaN(y.v);
    if (xn !== yn) return xn ? 1 : -1;
    if (xn) {
      const xs = x.b >= sign;
      const ys = y.b >= sign;
      if (xs !== ys) return xs ? 1 : -1;
      if (x.b === y.b) return 0;
      return (x.b < y.b) === !xs ? -1 : 1;
    }
    if (x.v !== y.v) return x.v < y.v ? -1 : 1;
    return Object.is(x.v, -0) === Object.is(y.v, -0) ? 0 : Object.is(x.v, -0) ? -1 : 1;
  });
  const out = new Bits(items.length);
  items.forEach((it, i) => { out[i] = it.b; });
  return new ARRAYS[type](out.buffer);
}

// Whether got agrees with the exact stats of x to rounding. Data beyond
// 2^500 is scaled by 2^-600 first, so that no sum, square or deviation
// here overflows: the sum and the variance are Infinity exactly where the
// exact values leave the double range, and finite otherwise.
function statsAgree(got, x) {
  const n = x.length;
  if (got.count !== n) return false;
  if (n === 0 || x.some(Number.isNaN)) {
    return [got.min, got.max, got.mean, got.variance].every(Number.isNaN) && (n === 0 ? got.sum === 0 : Number.isNaN(got.sum));
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    if (v < min || (v === min && Object.is(v, -0))) min = v;
    if (v > max || (v === max && Object.is(max, -0))) max = v;
  }
  if (!Object.is(got.min, min) || !Object.is(got.max, max)) return false;
  // An infinity: the variance is NaN (sum and mean follow IEEE).
  if (!Number.isFinite(min) || !Number.isFinite(max)) return Number.isNaN(got.variance);
  const f = Math.max(-min, max) > 2 ** 500 ? 2 ** -600 : 1;
  let sum = 0;
  let abs = 0;
  for (const v of x) {
    sum += v * f;
    abs += Math.abs(v * f);
  }
  const mean = sum / n;
  let m2 = 0;
  let squares = 0;
  for (const v of x) {
    m2 += (v * f - mean) * (v * f - mean);
    squares += (v * f) * (v * f);
  }
  // got (unscaled) against want (scaled by f, or f^2): within tol, or both
  // beyond the double range.
  const near = (value, scale, want, tol) => {
    const limit = Number.MAX_VALUE * scale;
    if (!Number.isFinite(value)) return Math.abs(want) >= limit * (1 - 1e-9) && Math.sign(value) === Math.sign(want);
    return Math.abs(value * scale - want) <= tol;
  };
  return near(got.sum, f, sum, 1e-9 * abs) &&
    Number.isFinite(got.mean) && Math.abs(got.mean * f - mean) <= 1e-9 * (abs / n) &&
    near(got.variance, f * f, m2 / n, 1e-9 * (squares / n));
}

// --- memory of every kind ---------------------------------------------

// An array of `type` holding `values`, in memory of `kind`, possibly a view
// at an offset into a larger buffer. Returns { view, buffer, rab, sab,
// owned, whole } where whole views the entire buffer (for checking that
// nothing outside the view changed).
function place(r, type, values, kind) {
  const Ctor = ARRAYS[type];
  const pad = r.below(3) === 0 ? r.below(8) : 0;
  const len = values.length;
  let buffer;
  let owned = null;
  let rab = null;
  let sab = null;
  if (kind === 'plain') buffer = new ArrayBuffer((len + 2 * pad) * Ctor.BYTES_PER_ELEMENT);
  if (kind === 'shared') buffer = new SharedArrayBuffer((len + 2 * pad) * Ctor.BYTES_PER_ELEMENT);
  if (kind === 'resizable') {
    rab = new ArrayBuffer((len + 2 * pad) * Ctor.BYTES_PER_ELEMENT, { maxByteLength: (len + 2 * pad + 8) * Ctor.BYTES_PER_ELEMENT });
    buffer = rab;
  }
  if (kind === 'growable') {
    sab = new SharedArrayBuffer((len + 2 * pad) * Ctor.BYTES_PER_ELEMENT, { maxByteLength: (len + 2 * pad + 64) * Ctor.BYTES_PER_ELEMENT });
    buffer = sab;
  }
  if (kind.startsWith('alloc:')) {
    owned = tc.alloc(type, len + 2 * pad, { backend: kind.slice(6) });
    buffer = owned.buffer;
    const view = pad || r.below(2) ? owned.subarray(pad, pad + len) : owned;
    view.set(values);
    return { view, buffer, owned, whole: owned, rab, sab };
  }
  const whole = new Ctor(buffer, 0, len + 2 * pad);
  for (let i = 0; i < whole.length; i++) whole[i] = (i * 31 + 7) % 251;
  const view = new Ctor(buffer, pad * Ctor.BYTES_PER_ELEMENT, len);
  view.set(values);
  return { view, buffer, owned, whole, rab, sab };
}

function randomValues(r, type, n) {
  const Ctor = ARRAYS[type];
  const a = new Ctor(n);
  const special = type.startsWith('float') ? [NaN, -0, 0, Infinity, -Infinity, 1e308, -1e-300] : [0, -1, 2 ** 31 - 1];
  for (let i = 0; i < n; i++) {
    const pick = r.below(20);
    if (pick === 0) a[i] = special[r.below(special.length)];
    else if (type === 'uint8') a[i] = r.below(256);
    else if (type.startsWith('float')) a[i] = (r.float() - 0.5) * 10 ** r.below(8);
    else a[i] = r.u32();
  }
  if (type === 'float64' && r.below(8) === 0) {
    // Finite values near the top of the range, whose sums overflow.
    for (let i = 0; i < n; i++) a[i] = (r.float() * 2 - 1) * 1.7e308;
    return a;
  }
  if (type.startsWith('float') && r.below(4) === 0) {
    // NaNs of random payloads.
    const bits = type === 'float32' ? new Uint32Array(a.buffer) : null;
    for (let i = 0; bits && i < n; i += 1 + r.below(7)) bits[i] = (r.below(2) ? 0x7f800001 : 0xff800001) + r.below(0x7ffffe);
  }
  return a;
}

// Something done to the memory: detach (transfer), shrink, grow, free.
// Returns whether it did anything.
function disturb(r, m) {
  const what = r.below(4);
  if (what === 0 && m.buffer instanceof ArrayBuffer && !m.owned && !m.rab) {
    structuredClone(m.buffer, { transfer: [m.buffer] });
  } else if (what === 1 && m.rab) {
    m.rab.resize(r.below(m.rab.byteLength + 1));
  } else if (what === 2 && m.sab) {
    m.sab.grow(m.sab.maxByteLength);
  } else if (what === 3 && m.owned && m.owned.length && !m.freed) {
    tc.free(m.owned);
    m.freed = true;
  } else {
    return false;
  }
  m.disturbed = true;
  return true;
}

// The bytes of a memory's whole buffer range, copied.
function snapshot(m) {
  return Buffer.from(new Uint8Array(m.whole.buffer, m.whole.byteOffset, m.whole.byteLength));
}

function timeout(ms) {
  let timer;
  const p = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no outcome within ${ms} ms: a hang`)), ms);
  });
  return { p, clear: () => clearTimeout(timer) };
}

const Prop = suite(`property: ${CALLS} random calls, seed ${SEED}`);

Prop('every outcome is the oracle\'s answer or a coded error; nothing outside the array changes', async () => {
  const r = rng(SEED);
  const kinds = ['plain', 'shared', 'resizable', 'growable',
    ...backendsUnderTest().map((b) => `alloc:${b}`)];
  const modes = ['auto', 'copy', 'borrow'];
  let answered = 0;
  let refused = 0;
  for (let call = 0; call < CALLS; call++) {
    const where = `seed ${SEED}, call ${call}`;
    const kernel = ['sha256', 'stats', 'sort', 'matmul'][r.below(4)];
    const backend = BACKENDS[r.below(BACKENDS.length)];
    const mode = modes[r.below(3)];
    const sync = r.below(2) === 0;
    const kind = kinds[r.below(kinds.length)];
    const n = r.below(10) === 0 ? r.below(200000) : r.below(600);
    let args;
    let mems;
    let want;
    if (kernel === 'matmul') {
      const m = r.below(12);
      const k = r.below(12);
      const nn = r.below(12);
      const a = randomValues(r, 'float32', m * k);
      const b = randomValues(r, 'float32', k * nn);
      mems = [place(r, 'float32', a, kind), place(r, 'float32', b, kinds[r.below(kinds.length)])];
      args = [mems[0].view, mems[1].view, m, k, nn];
      want = () => matmulOracle(a, b, m, k, nn);
    } else {
      const type = kernel === 'sha256' ? Object.keys(ARRAYS)[r.below(5)] : kernel === 'stats' ? 'float64' : SORTABLE[r.below(4)];
      const values = randomValues(r, type, kernel === 'sha256' ? Math.min(n, 50000) : n);
      mems = [place(r, type, values, kind)];
      args = [mems[0].view];
      want = kernel === 'sha256'
        ? () => new Uint8Array(crypto.createHash('sha256').update(new Uint8Array(values.buffer)).digest())
        : kernel === 'sort' ? () => sortOracle(values) : () => values;
    }
    const before = mems.map(snapshot);
    const ac = !sync && r.below(6) === 0 ? new AbortController() : null;
    let aborted = false;
    const options = { backend, mode, ...(ac ? { signal: ac.signal } : {}) };
    if (r.below(12) === 0) disturb(r, mems[0]);
    let result;
    let error = null;
    try {
      if (sync) {
        result = tc[`${kernel}Sync`](...args, options);
      } else {
        const pending = tc[kernel](...args, options);
        if (ac && r.below(2)) {
          ac.abort();
          aborted = true;
        }
        if (r.below(10) === 0) disturb(r, mems[0]);
        const t = timeout(30000);
        try {
          result = await Promise.race([pending, t.p]);
        } finally {
          t.clear();
        }
      }
    } catch (err) {
      error = err;
    }
    if (error) {
      assert.ok(error instanceof Error, `${where}: ${kernel} threw a non-Error ${error}`);
      assert.not.match(error.message, /no outcome within/, `${where}: ${kernel} ${backend}/${mode}/${sync ? 'sync' : 'async'} hung`);
      assert.type(error.code, 'string', `${where}: ${kernel} ${backend}/${mode}: an error without a code: ${error.stack}`);
      // Undisturbed and not aborted, a call may refuse only to borrow
      // memory it cannot hold.
      if (!aborted && !mems.some((mm) => mm.disturbed)) {
        assert.ok(mode === 'borrow' && error.code === 'ERR_TC_BORROW',
          `${where}: ${kernel} ${backend}/${mode}/${sync ? 'sync' : 'async'} on ${kind} refused: ${error.code} ${error.message}`);
      }
      refused++;
    } else {
      const expected = want();
      if (kernel === 'stats') {
        assert.ok(statsAgree(result, expected), `${where}: stats ${backend}/${mode} ${JSON.stringify(result)}`);
      } else if (!(kernel === 'sort' && mems[0].disturbed)) {
        // (A sort that finished before its array was then detached, shrunk
        // or freed answered into memory the caller has since given away.)
        const gb = Buffer.from(result.buffer, result.byteOffset, result.byteLength);
        const wb = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
        assert.ok(gb.equals(wb), `${where}: ${kernel} ${backend}/${mode}/${sync ? 'sync' : 'async'} differs from the oracle`);
      }
      answered++;
    }
    // Nothing outside the array changed: sort writes its array (where it
    // answered), the other kernels write nothing of the caller's.
    mems.forEach((mm, i) => {
      if (mm.disturbed) return;
      const now = snapshot(mm);
      const lo = mm.view.byteOffset - mm.whole.byteOffset;
      // An aborted sort may stop mid-way: its array then holds a
      // permutation of the input.
      const wrote = kernel === 'sort' && i === 0 && (!error || error.code === 'ABORT_ERR');
      const hi = wrote ? lo + mm.view.byteLength : lo;
      for (let j = 0; j < now.length; j++) {
        if (j >= lo && j < hi) continue;
        if (now[j] !== before[i][j]) {
          assert.unreachable(`${where}: ${kernel} ${backend}/${mode} changed byte ${j} (array at ${lo}..${hi}; ${error ? error.code : 'answered'})`);
        }
      }
      if (wrote && error) {
        const sorted = (b) => sortOracle(new mm.view.constructor(b.buffer.slice(b.byteOffset + lo, b.byteOffset + hi)));
        assert.ok(Buffer.from(sorted(now).buffer).equals(Buffer.from(sorted(before[i]).buffer)), `${where}: an aborted sort lost elements`);
      }
    });
    for (const mm of mems) {
      if (mm.owned && mm.owned.length && r.below(2)) {
        try {
          tc.free(mm.owned);
        } catch (err) {
          assert.is(err.code, 'ERR_TC_NOT_OWNED', where);
        }
      }
    }
  }
  assert.ok(answered > CALLS / 3, `${answered} answered, ${refused} refused`);
});

Prop.run();
