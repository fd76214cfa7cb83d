'use strict';
// What the bench measures: kernel x size x backend x mode x sync/async,
// the peers of each kernel, and the dispatch floor. A case is plain data
// plus make(inputs), which returns the function to time (async cases
// take benchmark.js's deferred).

const { parseBytes } = require('./stats');

const KIB = 1024;
const MIB = 1024 * KIB;

const PROFILES = {
  // About five minutes on 2 cores: every kernel at the sizes the targets
  // need, every backend and mode.
  default: {
    sha256: [1 * KIB, 64 * KIB, 1 * MIB, 16 * MIB],
    stats: [1 * KIB, 64 * KIB, 1 * MIB, 16 * MIB, 64 * MIB],
    sort: [1 * KIB, 64 * KIB, 1 * MIB, 16 * MIB, 64 * MIB],
    matmul: [64, 256, 512, 1024],
    // 16M elements of each of these, for the sort targets.
    sortTypes: ['int32', 'float64'],
    sortDists: ['log-uniform', 'clustered'],
    simd: { sha256: 1 * MIB, stats: 16 * MIB, matmul: 1024 },
    // One call on several pool threads: these sizes, at 2 threads and at
    // the pool's size (1 thread is the main sweep's zero-copy async row).
    threads: { sort: [['uint32', 64 * MIB], ['float64', 128 * MIB]], stats: 64 * MIB, matmul: 1024 },
    // Independent jobs (64 hashes of 64 KiB in flight) at these pool sizes,
    // each in a child process of its own.
    pools: [1, 2],
    maxTime: 0.4,
  },
  full: {
    sha256: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536].map((k) => k * KIB),
    stats: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536].map((k) => k * KIB),
    sort: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536].map((k) => k * KIB),
    matmul: [32, 64, 128, 256, 512, 1024, 2048],
    sortTypes: ['int32', 'float32', 'float64'],
    sortDists: ['log-uniform', 'clustered'],
    simd: { sha256: 1 * MIB, stats: 16 * MIB, matmul: 1024 },
    threads: { sort: [['uint32', 64 * MIB], ['float64', 128 * MIB]], stats: 64 * MIB, matmul: 1024 },
    pools: [1, 2, 4],
    maxTime: 1,
  },
  // A few seconds: what `make test` runs to check the report end to end.
  smoke: {
    sha256: [1 * KIB, 64 * KIB],
    stats: [1 * KIB, 64 * KIB],
    sort: [1 * KIB, 64 * KIB],
    matmul: [16, 64],
    sortTypes: [],
    sortDists: [],
    simd: { sha256: 64 * KIB, stats: 64 * KIB, matmul: 64 },
    threads: { sort: [['uint32', 1 * MIB]], stats: 16 * MIB, matmul: 64 },
    pools: [1],
    maxTime: 0.02,
  },
};

const TYPE_BYTES = { uint8: 1, int32: 4, uint32: 4, float32: 4, float64: 8 };
const ARRAYS = { uint8: Uint8Array, int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array };

// Deterministic data, so that runs compare. Floats come from one of
// three distributions: 'random' (uniform in ±5e5), 'log-uniform' (random
// sign, magnitude 2^e with e uniform in ±1000: the top bits of the keys
// vary, the low ones too) and 'clustered' (256 centres, each value within
// ±1 of one: few distinct top digits).
function fill(type, n, dist = 'random') {
  const a = new ARRAYS[type](n);
  let s = 0x2545f491;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const centres = dist === 'clustered' ? Array.from({ length: 256 }, () => (next() - 0.5) * 1e6) : [];
  for (let i = 0; i < n; i++) {
    const u = next();
    if (type !== 'float64' && type !== 'float32') a[i] = s;
    else if (dist === 'log-uniform') a[i] = (u < 0.5 ? -1 : 1) * 2 ** ((next() - 0.5) * 2000);
    else if (dist === 'clustered') a[i] = centres[Math.floor(u * 256)] + next() * 2 - 1;
    else a[i] = (u - 0.5) * 1e6;
  }
  return a;
}

// One backend/mode pairing of twincore: how to hold the data and which
// options to pass.
const VARIANTS = [
  { backend: 'native', mode: 'copy', memory: 'plain' },
  { backend: 'native', mode: 'zero-copy', memory: 'native' },
  { backend: 'wasm', mode: 'copy', memory: 'plain' },
  { backend: 'wasm', mode: 'zero-copy', memory: 'wasm' },
];

function label(backend, mode, sync) {
  return `${backend}${mode ? ` ${mode}` : ''} ${sync ? 'sync' : 'async'}`;
}

/**
 * The cases of a profile, filtered.
 * @param {object} o
 * @param {string} o.profile   'default' | 'full' | 'smoke'
 * @param {string[]} [o.kernels]  only these kernels
 * @param {string[]} [o.backends] only these backends ('native', 'wasm', 'js', 'auto', 'peer')
 * @param {string[]} [o.sizes]    only these sizes ('16MiB', or a matmul n)
 * @param {object} o.available   { native, wasm, bare, 'hash-wasm', piscina }: booleans
 * @param {object} [o.pools]     { native, wasm }: each backend's pool size
 */
function cases(o) {
  const p = PROFILES[o.profile];
  if (!p) throw new Error(`unknown profile "${o.profile}"; profiles: ${Object.keys(PROFILES).join(', ')}`);
  const out = [];
  // A zero-copy matmul writes into an array of the same memory as its
  // inputs (options.out), as a caller who wants no copies and no new
  // memory per call would: `out: true`.
  const add = (c) => out.push({ maxTime: p.maxTime, ...c, ...(c.kernel === 'matmul' && c.mode === 'zero-copy' ? { out: true } : {}) });
  const twincore = (kernel, input, size, work, unit, extra = {}) => {
    for (const v of VARIANTS) {
      if (!o.available[v.backend]) continue;
      for (const sync of [true, false]) {
        add({ kernel, input, size, work, unit, backend: v.backend, mode: v.mode, memory: v.memory, sync,
          series: label(v.backend, v.mode, sync), ...extra });
      }
    }
  };
  // 'auto' on ordinary arrays, sync then async: after the calls of the
  // same kernel and size that it is compared with (the copy modes above,
  // the baselines), so that it is timed in turns with them (run.js).
  const auto = (kernel, input, size, work, unit, extra = {}) => {
    for (const sync of [true, false]) {
      add({ kernel, input, size, work, unit, backend: 'auto', mode: 'auto', memory: 'plain', sync,
        series: label('auto', '', sync), ...extra });
    }
  };

  for (const size of p.sha256) {
    const input = { type: 'uint8', length: size };
    twincore('sha256', input, size, size, 'B');
    add({ kernel: 'sha256', input, size, work: size, unit: 'B', backend: 'js', mode: '-', memory: 'plain', sync: true, series: 'node:crypto createHash' });
    add({ kernel: 'sha256', input, size, work: size, unit: 'B', backend: 'peer', peer: 'subtle', mode: '-', memory: 'plain', sync: false, series: 'crypto.subtle.digest' });
    if (o.available['hash-wasm']) add({ kernel: 'sha256', input, size, work: size, unit: 'B', backend: 'peer', peer: 'hash-wasm', mode: '-', memory: 'plain', sync: true, series: 'hash-wasm' });
    auto('sha256', input, size, size, 'B');
  }
  for (const size of p.stats) {
    const input = { type: 'float64', length: size / 8 };
    twincore('stats', input, size, size, 'B');
    add({ kernel: 'stats', input, size, work: size, unit: 'B', backend: 'js', mode: '-', memory: 'plain', sync: true, series: 'js loops' });
    add({ kernel: 'stats', input, size, work: size, unit: 'B', backend: 'peer', peer: 'memcpy', mode: '-', memory: 'plain', sync: true, series: 'memcpy (TypedArray.set)' });
    auto('stats', input, size, size, 'B');
  }
  const sortCase = (type, size) => {
    const input = { type, length: size / TYPE_BYTES[type] };
    const extra = { restore: true, dtype: type };
    twincore('sort', input, size, input.length, 'elem', extra);
    add({ kernel: 'sort', input, size, work: input.length, unit: 'elem', backend: 'js', mode: '-', memory: 'plain', sync: true, series: 'TypedArray.prototype.sort', ...extra });
    auto('sort', input, size, input.length, 'elem', extra);
  };
  for (const size of p.sort) sortCase('uint32', size);
  for (const type of p.sortTypes) sortCase(type, (16 * MIB) * TYPE_BYTES[type]);
  // float64 on two more kinds of data: zero-copy async and V8's sort.
  for (const dist of p.sortDists) {
    const size = 16 * MIB * 8;
    const input = { type: 'float64', length: size / 8, dist };
    const extra = { restore: true, dtype: 'float64', dist };
    for (const backend of ['native', 'wasm']) {
      if (!o.available[backend]) continue;
      add({ kernel: 'sort', input, size, work: input.length, unit: 'elem', backend, mode: 'zero-copy', memory: backend,
        sync: false, series: label(backend, 'zero-copy', false), ...extra });
    }
    add({ kernel: 'sort', input, size, work: input.length, unit: 'elem', backend: 'js', mode: '-', memory: 'plain', sync: true, series: 'TypedArray.prototype.sort', ...extra });
  }
  for (const n of p.matmul) {
    const input = { type: 'float32', length: n * n };
    twincore('matmul', input, n, 2 * n ** 3, 'FLOP');
    add({ kernel: 'matmul', input, size: n, work: 2 * n ** 3, unit: 'FLOP', backend: 'js', mode: '-', memory: 'plain', sync: true, series: 'js loops' });
    auto('matmul', input, n, 2 * n ** 3, 'FLOP');
  }
  // The SIMD paths, one size per kernel: native capped by TWINCORE_SIMD at
  // scalar, 128- and 256-bit vectors, and the scalar wasm build. Each cap
  // runs in a child process of its own (run.js), since the core reads the
  // variable once; the widest native path and wasm simd128 are the main
  // sweep's zero-copy sync rows at the same size.
  const SIMD_INPUT = {
    sha256: (size) => ({ input: { type: 'uint8', length: size }, work: size, unit: 'B' }),
    stats: (size) => ({ input: { type: 'float64', length: size / 8 }, work: size, unit: 'B' }),
    matmul: (n) => ({ input: { type: 'float32', length: n * n }, work: 2 * n ** 3, unit: 'FLOP' }),
  };
  for (const [kernel, size] of Object.entries(p.simd)) {
    const k = { kernel, size, ...SIMD_INPUT[kernel](size), mode: 'zero-copy', sync: true };
    for (const cap of ['scalar', 'sse2', 'avx2']) {
      if (o.available.native) add({ ...k, backend: 'native', memory: 'native', simd: cap, series: `native ${cap} zero-copy sync` });
    }
    if (o.available.wasm) add({ ...k, backend: 'wasm', memory: 'wasm', simd: 'scalar', series: 'wasm scalar zero-copy sync' });
  }
  // One call split across pool threads (options.threads), zero-copy async
  // on each backend, at 2 threads and at the pool's size.
  const THREAD_INPUT = {
    stats: (size) => [{ input: { type: 'float64', length: size / 8 }, size, work: size, unit: 'B' }],
    matmul: (n) => [{ input: { type: 'float32', length: n * n }, size: n, work: 2 * n ** 3, unit: 'FLOP' }],
    sort: (list) => list.map(([type, size]) => ({ input: { type, length: size / TYPE_BYTES[type] }, size,
      work: size / TYPE_BYTES[type], unit: 'elem', restore: true, dtype: type })),
  };
  for (const [kernel, sizes] of Object.entries(p.threads || {})) {
    for (const k of THREAD_INPUT[kernel](sizes)) {
      for (const backend of ['native', 'wasm']) {
        if (!o.available[backend]) continue;
        const pool = (o.pools && o.pools[backend]) || 2;
        for (const threads of [...new Set([2, pool])]) {
          add({ kernel, ...k, backend, mode: 'zero-copy', memory: backend, sync: false, threads,
            series: `${label(backend, 'zero-copy', false)}, ${threads} threads` });
        }
      }
    }
  }
  // Independent jobs: 64 hashes of 64 KiB in flight, zero-copy (piscina's
  // task hashes a copy with node:crypto), for each pool size in a child
  // process whose pools have that many threads (run.js).
  for (const pool of p.pools || []) {
    const input = { type: 'uint8', length: 64 * KIB };
    const common = { kernel: 'jobs', input, size: pool, work: 64 * 64 * KIB, unit: 'B', sync: false, batch: 64, pool };
    for (const backend of ['native', 'wasm']) {
      if (o.available[backend]) add({ ...common, backend, mode: 'zero-copy', memory: backend, series: `twincore ${backend}` });
    }
    if (o.available.piscina) add({ ...common, backend: 'peer', peer: 'piscina-hash', mode: '-', memory: 'plain', series: 'piscina (node:crypto)' });
  }
  // The dispatch floor: a tiny job's round trip, one at a time and 64 in
  // flight (then a call of the case is a batch of 64).
  for (const batch of [1, 64]) {
    const input = { type: 'uint8', length: 16 };
    const common = { kernel: 'dispatch', input, size: batch, work: batch, unit: 'call', mode: '-', memory: 'plain', sync: false, batch };
    for (const backend of ['native', 'wasm']) {
      if (o.available[backend]) add({ ...common, backend, mode: 'zero-copy', memory: backend, series: `twincore ${backend}` });
    }
    if (o.available.bare) add({ ...common, backend: 'peer', peer: 'bare', series: 'bare napi_create_async_work' });
    if (o.available.piscina) add({ ...common, backend: 'peer', peer: 'piscina', series: 'piscina empty task' });
  }
  // Where a sequential call's time goes: the facade's validation alone,
  // and the whole sync call (validation, the binding, the 16-byte hash);
  // the async call less the sync one is the pool's round trip and the
  // promise's settling.
  {
    const input = { type: 'uint8', length: 16 };
    const common = { kernel: 'dispatch', input, size: 1, work: 1, unit: 'call', memory: 'plain', sync: true, batch: 1 };
    for (const backend of ['native', 'wasm']) {
      if (!o.available[backend]) continue;
      add({ ...common, backend, mode: 'zero-copy', memory: backend, series: `twincore ${backend} sync` });
      add({ ...common, backend: 'peer', peer: 'facade', target: backend, mode: '-', memory: backend, series: `facade validation (${backend})` });
    }
  }
  // A zero-copy async call on the largest input of stats, sort (uint32)
  // and matmul also times the same call on the smallest input made right
  // after the main thread idled as long (measure.js): the main-thread
  // growth targets compare the two.
  const growth = (c) => ['stats', 'sort', 'matmul'].includes(c.kernel) && c.mode === 'zero-copy' && !c.sync
    && !c.threads && !c.dist && (c.kernel !== 'sort' || c.dtype === 'uint32');
  for (const c of out.filter(growth)) {
    const least = Math.min(...p[c.kernel]);
    if (c.size !== Math.max(...p[c.kernel]) || c.size === least) continue;
    const small = out.find((x) => growth(x) && x.series === c.series && x.kernel === c.kernel && x.size === least);
    c.afterIdle = { input: small.input, size: small.size };
  }
  const sizeOk = (c) => !o.sizes || o.sizes.some((s) => (['matmul', 'dispatch', 'jobs'].includes(c.kernel) ? Number(s) === c.size : parseBytes(s) === c.size));
  return out
    .filter((c) => !o.kernels || o.kernels.includes(c.kernel))
    .filter((c) => !o.backends || o.backends.includes(c.backend))
    .filter(sizeOk)
    .map((c, i) => ({ ...c, id: `${c.kernel}/${c.kernel === 'sort' ? `${c.dtype}${c.dist ? ` ${c.dist}` : ''}/` : ''}${c.size}/${c.series}`, index: i }));
}

module.exports = { cases, fill, PROFILES, ARRAYS, TYPE_BYTES };
