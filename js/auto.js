'use strict';
// Where 'auto' runs a call, from measurements of this machine: the
// calling thread (the backend's sync call, or the platform baseline for
// stats and sort) or the backend's pool.
//
// The first 'auto' call of a kernel (and element type) on a backend times
// the backend's sync call at two small sizes, and a memcpy in turns with
// it (and for sort, V8's sort at the same sizes), a few times each (3 to
// 8 ms here, once), each fitted as a + b·work, V8's sort as b·work^p where
// its larger call costs more than its share of work (see fit()). Then:
//   - a sync call runs on the baseline (stats, sort) where that is faster
//     than the call's fixed cost plus its work (BASELINE_PER_BYTE);
//   - an async call costs the calling thread the round trip (ROUND_TRIP)
//     plus copying what it cannot borrow, and the sync call costs it the
//     whole work: whichever is less runs. So an 'auto' async call never
//     costs the main thread more than its sync twin would.

const crypto = require('node:crypto');
const { performance } = require('node:perf_hooks');
const validate = require('./validate');
const baseline = require('./baseline');

// What an async call costs the calling thread besides copies: queueing
// the job, the wake-up and settling its promise. The bench's zero-copy
// 1 KiB rows measure 10-50 µs of main-thread CPU on 2 cores (the thread's
// own clock, waiting excluded); this is not measured at run time, since
// JS has no clock for one thread's CPU time.
const ROUND_TRIP = 40e-6;

// The two calibration sizes, as work (bytes; flops for matmul).
const POINTS = {
  sha256: [1024, 65536], stats: [1024, 65536], sort: [1024, 16384], matmul: [2 * 16 ** 3, 2 * 64 ** 3],
};
// The stats baseline's time per byte (the bench's js rows on 1-4 KiB:
// plain loops read about 1-2.4 GB/s). A constant, not measured at run
// time: a JS loop's speed on its first calls is the interpreter's, not
// what it settles at. V8's sort is a builtin, as fast on its first call
// as later: it is timed with the backend's sort.
const BASELINE_PER_BYTE = { stats: 0.5e-9 };
// Copies from this size on leave the core's own caches.
const OUT_OF_CACHE = 1 << 20;
// A kernel within this factor of an in-cache copy's time per byte is
// memory-bound: out of cache it reads about as fast as a copy moves.
const NEAR_COPY = 4;


// Seconds per call of each of fns: the best of o.rounds rounds, each call
// repeated until a round takes some o.window seconds, the functions taking
// turns round by round so that a slow spell (another process, a
// collection) does not fall on one of them only. Each first runs for
// o.warm seconds on its own: the engine optimizes a JS path after its first
// calls (the facade's, and the baseline's whole call), and timed before
// that, V8's sort of 1 KiB came out at up to 4x its settled time. Without
// the warm-up, and with 5 rounds of 20 µs, 9 of 30 processes here took
// the addon's sort of 1 KiB for faster than V8's (6 µs against 3.3 when
// settled, both on the same keys every call, which flattered V8's: see
// sample()); with it, 1 of 30, in a process that ran slow throughout its
// calibration (the addon's sort at 1.8x its usual time, V8's at 3.5x).
// A warm-up of 250 µs was still too short for the addon's calls: in 8
// fresh processes, 4 fitted its sort of 256 uint32 keys at 8.5-13.8 µs,
// above V8's, and sent it to V8's sort (settled: 4.8 µs against 7.3);
// where the addon's sort took over from V8's ranged over 176-544 keys in
// 6 more. With 2 ms, 8 of 8 fitted it at 4.2-7.8 µs, and it took over
// from 128-224 keys (6 processes). It costs each kernel's first call
// about 8 ms more (sort's 22 ms here, the others' 10).
// (The window's repeat count doubles until it fills the window, not
// quadruples: the windows come out nearer their length.)
const CALIBRATION = Object.freeze({ warm: 2e-3, window: 30e-6, rounds: 7 });

function seconds(fns, o = CALIBRATION) {
  const reps = fns.map((fn) => {
    const w0 = performance.now();
    do fn(); while ((performance.now() - w0) / 1e3 < o.warm);
    let n = 1;
    for (;;) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      if ((performance.now() - t0) / 1e3 >= o.window || n >= 256) return n;
      n *= 2;
    }
  });
  const best = fns.map(() => Infinity);
  for (let round = 0; round < o.rounds; round++) {
    fns.forEach((fn, k) => {
      const t0 = performance.now();
      for (let i = 0; i < reps[k]; i++) fn();
      best[k] = Math.min(best[k], (performance.now() - t0) / 1e3 / reps[k]);
    });
  }
  return best;
}

// Seconds of work w as a + b·w^p, through two points (w0 < w1): a line
// (p = 1, b > 0, a >= 0) where the calls cost something fixed on top of
// their work. However noisy the points, the work is taken to be at least a
// quarter of the larger call. Where the larger call costs more than its
// share of work would (t1/t0 > w1/w0, as a comparison sort's n log n
// does), no such line holds both points: a line clamped to a = 0 through
// the larger one put V8's sort of 1 KiB at 1.5x its measured time, and
// below the points, where the baseline wins, at up to 2x. There the fit is
// t0·(w/w0)^p through both (V8's sort timed at 256 and 4096 keys put 64
// keys within 5% of their measured time). Only the baseline's sort is
// fitted so: the backend's calls cost a fixed part and work in proportion
// (a radix sort's passes), and an exponent fitted to its noise would,
// carried up to 16M keys, have put them on V8's sort.
function fit(w0, t0, w1, t1) {
  if (!(t0 > 0 && t1 * w0 > t0 * w1)) return line(w0, t0, w1, t1);
  const p = Math.log(t1 / t0) / Math.log(w1 / w0);
  return { a: 0, b: t0 / w0 ** p, p };
}

// The line alone: the backend's calls and a copy, whatever their points.
function line(w0, t0, w1, t1) {
  const b = Math.max((t1 - t0) / (w1 - w0), t1 / w1 / 4);
  return { a: Math.max(t0 - b * w0, 0), b, p: 1 };
}

const at = (c, w) => c.a + c.b * (c.p > 1 ? w ** c.p : w);

// Keys a sort's calibration draws its calls' keys from (see sample()):
// at least SORT_KEYS, and at least count, random 32-bit integers (of both
// signs, but for uint32), made once per type by builtins: a JS loop
// making them ran in the interpreter, at 100 ns a key.
const SORT_KEYS = 65536;
const sortKeysBy = new Map();
function sortKeys(Ctor, count) {
  let keys = sortKeysBy.get(Ctor);
  if (!keys || keys.length < count) {
    const bits = crypto.randomFillSync(new Int32Array(Math.max(SORT_KEYS, count)));
    keys = Ctor === Int32Array ? bits : Ctor === Uint32Array ? new Uint32Array(bits.buffer) : Ctor.from(bits);
    sortKeysBy.set(Ctor, keys);
  }
  return keys;
}

const ARRAYS = { uint8: Uint8Array, int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array };

// A valid call of kernel with work w.
function sample(kernel, dtype, w) {
  if (kernel === 'matmul') {
    const n = Math.round(Math.cbrt(w / 2));
    const a = new Float32Array(n * n).fill(0.5);
    return () => validate.matmul(a, a, n, n, n, undefined, true);
  }
  const Ctor = ARRAYS[kernel === 'sha256' ? 'uint8' : kernel === 'stats' ? 'float64' : dtype];
  const n = w / Ctor.BYTES_PER_ELEMENT;
  // Only a sort's speed depends on the values: the others get a fill.
  if (kernel !== 'sort') {
    const data = new Ctor(n).fill(3);
    return () => validate[kernel](data, undefined, true);
  }
  // A sort works in place, and a comparison sort given the same keys call
  // after call runs as if it knew them: the CPU's branch predictor learns
  // its branches. Here V8's sort of one set of 256 keys, over and over,
  // took 0.8 µs a call, against 6.2 µs for new keys each call, and even
  // 16 sets in turn were learnt (64 were not); from 16K keys on, one set
  // is not. So each call sorts a copy of the next window of n keys of one
  // run of SORT_KEYS keys or more (the copy timed too, as a small share
  // of the sort).
  const keys = sortKeys(Ctor, n);
  const windows = Math.floor(keys.length / n);
  let k = 0;
  return () => {
    const a = keys.slice(k * n, k * n + n);
    k = k + 1 === windows ? 0 : k + 1;
    return validate.sort(a, undefined, true);
  };
}



// An in-cache memcpy's time per byte, timed in turns with a kernel's
// calibration so that both see the same machine: TypedArray.set of 1 KiB
// and 64 KiB.
const copySrc = new Uint8Array(65536);
const copyDst = new Uint8Array(65536);
const copyHead = copySrc.subarray(0, 1024);
const COPIES = [() => copyDst.set(copyHead), () => copyDst.set(copySrc)];

// The fits, by backend, then kernel, then dtype: no key string built per
// call.
const fitsBy = new Map();

function fitOf(backend, kernel, dtype) {
  let byKernel = fitsBy.get(backend);
  if (!byKernel) fitsBy.set(backend, (byKernel = Object.create(null)));
  const byType = byKernel[kernel] || (byKernel[kernel] = Object.create(null));
  let f = byType[dtype];
  if (!f) {
    const [w0, w1] = POINTS[kernel];
    const make0 = sample(kernel, dtype, w0);
    const make1 = sample(kernel, dtype, w1);
    const sorts = kernel === 'sort' ? [() => baseline.runSync(make0()), () => baseline.runSync(make1())] : [];
    const [t0, t1, c0, c1, j0, j1] = seconds([() => backend.runSync(make0()), () => backend.runSync(make1()),
      ...COPIES, ...sorts]);
    f = {
      own: line(w0, t0, w1, t1),
      copy: line(1024, c0, 65536, c1),
      js: kernel === 'sort' ? fit(w0, j0, w1, j1)
        : kernel in BASELINE_PER_BYTE ? { a: 0, b: BASELINE_PER_BYTE[kernel] } : null,
    };
    byType[dtype] = f;
  }
  return f;
}

// A copy of this many bytes, for a kernel fitted as f. In cache a copy
// runs several times faster than a memory-bound kernel reads; out of
// cache, where the copy reads the same bytes and writes them too, it is
// never faster than that kernel's pass over them.
function copyCost(bytes, f, copy) {
  if (bytes === 0) return 0;
  if (bytes >= OUT_OF_CACHE && f.own.b < NEAR_COPY * copy.b) return copy.a + Math.max(copy.b, f.own.b) * bytes;
  return at(copy, bytes);
}

/**
 * Where an 'auto' call runs.
 * @param {object} backend  the backend 'auto' stands for
 * @param {object} call     a validated call
 * @return {'baseline'|'sync'|'async'}  the baseline or the backend's sync
 *   call on the calling thread, or the backend's async call
 */
function choose(backend, call) {
  const f = fitOf(backend, call.kernel, call.dtype);
  const w = validate.workOf(call);
  // What an async call would copy matters only where running here costs
  // more than the round trip alone: a small call need not work it out.
  const here = Math.min(at(f.own, w), f.js ? at(f.js, w) : Infinity);
  const bytes = call.sync || here <= ROUND_TRIP ? 0 : backend.asyncCopyBytes(call);
  return decide(f, f.copy, w, bytes, call.sync);
}

/**
 * The choice itself, from fits (pure; the tests drive it).
 * @param {object} f      { own: {a, b}, js: {a, b, p} | null }: seconds =
 *                        a + b·work (b·work^p where p > 1)
 * @param {object} copy   { a, b }: an in-cache memcpy, per byte
 * @param {number} w      the call's work
 * @param {number} bytes  what its async call would copy
 * @param {boolean} sync
 */
function decide(f, copy, w, bytes, sync) {
  const own = at(f.own, w);
  const js = f.js ? at(f.js, w) : Infinity;
  const here = js < own ? 'baseline' : 'sync';
  if (sync) return here;
  return Math.min(own, js) <= ROUND_TRIP + copyCost(bytes, f, copy) ? here : 'async';
}

// What the calibration found (the tests read it).
function calibration() {
  const out = {};
  for (const [backend, byKernel] of fitsBy) {
    for (const kernel of Object.keys(byKernel)) {
      for (const [dtype, f] of Object.entries(byKernel[kernel])) {
        out[`${backend.name}:${kernel}:${dtype}`] = {
          perCall: f.own.a, perUnit: f.own.b, baselinePerCall: f.js ? f.js.a : undefined,
          baselinePerUnit: f.js ? f.js.b : undefined, baselineExponent: f.js ? f.js.p : undefined,
          copyPerByte: f.copy.b,
        };
      }
    }
  }
  return { roundTrip: ROUND_TRIP, fits: out };
}

module.exports = { choose, decide, calibration, seconds, fit, at, sample, CALIBRATION, ROUND_TRIP, NEAR_COPY };
