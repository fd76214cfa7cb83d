'use strict';
// The wasm backend's split calls, measured on their own (the bench suite
// proper does not set options.threads yet).
//
//   node bench/split-wasm.js speed
//     wall time of stats (64 MiB), sort (16M uint32) and matmul (1024^3)
//     at 1 and 2 threads, interleaved, best of 5. Arrays are alloc()'d in
//     the heap and borrowed, so that no copy hides the compute.
//
//   node bench/split-wasm.js jobs KERNEL PARTS CALLS
//     CALLS jobs of the runtime alone (makeJob, runAsync or runSplit,
//     freeJob) in a row, KERNEL stats (4 MiB) or sort (2^19 uint32), in
//     PARTS parts: for counting what a part costs the calling thread,
//     which timers on this machine cannot resolve. Under callgrind, the
//     calling thread's count is in the file ending -01:
//       TWINCORE_WASM_THREADS=4 valgrind --tool=callgrind --separate-threads=yes \
//         --callgrind-out-file=cg node --no-liftoff --single-threaded \
//         bench/split-wasm.js jobs sort 4 22
//     and (count at 22 calls - count at 2) / 20 is one call's.

const tc = require('..');
const validate = require('../js/validate');
const wasm = require('../js/wasm');
const { KERNEL, DTYPE } = require('../js/constants');
const rt = require('../wasm/runtime').get();

// An async call of the wasm backend with call.threads set.
function run(kernel, args, threads) {
  const call = validate[kernel](...args, { backend: 'wasm', mode: 'borrow' }, false);
  call.threads = threads;
  return wasm.run(call);
}

// A heap array of n values from a seeded xorshift.
function filled(type, n, fill) {
  const v = tc.alloc(type, n, { backend: 'wasm' });
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    v[i] = fill(x >>> 0);
  }
  return v;
}

async function speed() {
  const stats = filled('float64', 8 << 20, (u) => u / 2 ** 32 - 0.5);
  const keys = filled('uint32', 16 << 20, (u) => u);
  const sortArr = tc.alloc('uint32', keys.length, { backend: 'wasm' });
  const a = filled('float32', 1024 * 1024, (u) => u / 2 ** 32 - 0.5);
  const b = filled('float32', 1024 * 1024, (u) => u / 2 ** 32 - 0.5);
  // reset() before each call (the sort sorts in place); done() after it
  // (a large zero-copy result stays in the heap).
  const cases = {
    'stats 64 MiB': { args: () => [stats], reset() {}, done() {}, kernel: 'stats' },
    'sort 16M uint32': { args: () => [sortArr], reset: () => sortArr.set(keys), done() {}, kernel: 'sort' },
    'matmul 1024^3': { args: () => [a, b, 1024, 1024, 1024], reset() {}, done: (c) => tc.free(c), kernel: 'matmul' },
  };
  console.log(`wall time, best of 5, 1 and 2 threads interleaved (pool of ${rt.threads})`);
  for (const [label, c] of Object.entries(cases)) {
    const best = { 1: Infinity, 2: Infinity };
    for (let i = 0; i < 6; i++) {
      for (const threads of [1, 2]) {
        c.reset();
        const t0 = performance.now();
        const out = await run(c.kernel, c.args(), threads);
        const ms = performance.now() - t0;
        c.done(out);
        if (i > 0) best[threads] = Math.min(best[threads], ms); // the first round warms up
      }
    }
    console.log(`  ${label.padEnd(16)} 1: ${best[1].toFixed(1)} ms   2: ${best[2].toFixed(1)} ms   ` +
      `speed-up ${(best[1] / best[2]).toFixed(2)}x`);
  }
}

async function jobs(kernel, parts, calls) {
  const n = 1 << 19;
  const keys = filled('uint32', n, (u) => u);
  const f = filled('float64', n, (u) => u / 2 ** 32 - 0.5);
  const out = rt.malloc(64);
  for (let i = 0; i < calls; i++) {
    const made = kernel === 'sort'
      ? rt.makeJob(KERNEL.sort, DTYPE.uint32, keys.byteOffset, n * 4, 0, 0, keys.byteOffset, n * 4, [0, 0, 0], parts)
      : rt.makeJob(KERNEL.stats, DTYPE.float64, f.byteOffset, n * 8, 0, 0, out, 48, [0, 0, 0], parts);
    if (made.status !== 0 || made.parts !== parts) throw new Error(`${kernel}: plan ${made.status}, ${made.parts} parts`);
    const status = await (parts > 1 ? rt.runSplit(made.job) : rt.runAsync(made.job));
    rt.freeJob(made.job);
    if (status !== 0) throw new Error(`${kernel}: status ${status}`);
  }
}

const [what, ...rest] = process.argv.slice(2);
let done;
if (what === 'speed') done = speed();
else if (what === 'jobs' && ['stats', 'sort'].includes(rest[0])) done = jobs(rest[0], Number(rest[1]), Number(rest[2]));
else {
  console.error('usage: node bench/split-wasm.js speed | jobs stats|sort PARTS CALLS');
  process.exit(2);
}
done.catch((err) => {
  console.error(err);
  process.exit(1);
});
