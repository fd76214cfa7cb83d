'use strict';
// The wasm backend's split calls, measured on their own (the bench suite
// proper does not set options.threads yet).
//
//   node bench/split-wasm.js speed
//     wall time of stats (64 MiB), sort (16M uint32) and matmul (1024^3)
//     at 1 and 2 threads, interleaved, best of 5. Arrays are alloc()'d in
//     the heap and borrowed, so that no copy hides the compute.
//
//   TWINCORE_WASM_THREADS=1 node bench/split-wasm.js cost
//     what a split job costs the calling thread: event-loop active time
//     per job of the runtime alone (makeJob, runAsync or runSplit,
//     freeJob), whole and in 2 and 4 parts, for stats (4 MiB, one phase)
//     and sort (2^19 uint32, three phases); median of 5 rounds. A pool of
//     one thread leaves the calling thread a core of its own on a machine
//     of two, so that its time is its own work rather than waiting for a
//     CPU. (Its thread CPU time is no better a measure here: an idle Node
//     main thread accrues some CPU time per millisecond it waits.)

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

async function cost() {
  const n = 1 << 19;
  const keys = filled('uint32', n, (u) => u);
  const f = filled('float64', n, (u) => u / 2 ** 32 - 0.5);
  const one = tc.alloc('uint8', 1, { backend: 'wasm' });
  const out = rt.malloc(64);
  const make = {
    sha256: () => rt.makeJob(KERNEL.sha256, DTYPE.uint8, one.byteOffset, 1, 0, 0, out, 32, [0, 0, 0], 1),
    stats: (parts) => rt.makeJob(KERNEL.stats, DTYPE.float64, f.byteOffset, n * 8, 0, 0, out, 48, [0, 0, 0], parts),
    // The keys are sorted after the first call: a radix sort takes the
    // same steps on them.
    sort: (parts) => rt.makeJob(KERNEL.sort, DTYPE.uint32, keys.byteOffset, n * 4, 0, 0, keys.byteOffset, n * 4,
      [0, 0, 0], parts),
  };
  const cases = [['sha256', 1], ['stats', 1], ['stats', 2], ['stats', 4], ['sort', 1], ['sort', 2], ['sort', 4]];
  const times = cases.map(() => []);
  for (let round = 0; round < 5; round++) {
    for (const [c, [kernel, parts]] of cases.entries()) {
      const calls = kernel === 'sort' ? 100 : 300;
      const e0 = performance.eventLoopUtilization();
      for (let i = 0; i < calls; i++) {
        const made = make[kernel](parts);
        if (made.status !== 0 || made.parts !== parts) throw new Error(`${kernel}: plan ${made.status}, ${made.parts} parts`);
        const status = await (parts > 1 ? rt.runSplit(made.job) : rt.runAsync(made.job));
        rt.freeJob(made.job);
        if (status !== 0) throw new Error(`${kernel}: status ${status}`);
      }
      times[c].push((performance.eventLoopUtilization(e0).active / calls) * 1000);
    }
  }
  console.log(`event-loop active time per job, median of 5 rounds (pool of ${rt.threads})`);
  for (const [c, [kernel, parts]] of cases.entries()) {
    const t = times[c].sort((x, y) => x - y);
    console.log(`  ${kernel.padEnd(7)} ${parts} part(s): ${t[2].toFixed(1)} µs   (${t[0].toFixed(1)} to ${t[4].toFixed(1)})`);
  }
  rt.free(out);
}

const what = process.argv[2];
let done;
if (what === 'speed') done = speed();
else if (what === 'cost') done = cost();
else {
  console.error('usage: node bench/split-wasm.js speed|cost');
  process.exit(2);
}
done.catch((err) => {
  console.error(err);
  process.exit(1);
});
