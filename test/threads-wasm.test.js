'use strict';
// The wasm backend splits an async call into parts that run on several
// pool threads at once (options.threads): the same bits as a sync call for
// any number of parts, parts beyond the pool's size, many split calls at
// once, abort, a failing pool, and a heap left as it was.
//
// The facade's options.threads is read by js/validate.js; these tests set
// call.threads on a validated call and hand it to the backend, so that they
// do not depend on the option's spelling.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { child, backendsUnderTest } = require('./helpers');

const has = backendsUnderTest().includes('wasm');
const Split = suite('wasm split');

// The start of child scripts: the facade, its wasm backend and runtime,
// split(kernel, args, options, threads) (an async call of the backend with
// call.threads set) and sync(kernel, args) (the sync call it must equal),
// the parts each split job ran in (runs), same() (bitwise equality of two
// typed arrays), data generators seeded for reproducible failures, and
// settled(start): the heap's growth since start once freed arrays were
// collected and no job is in flight (the script runs with --expose-gc).
// A suspended async function may keep its dead locals alive, so the arrays
// a test frees live in a function of their own that has returned.
const PRELUDE = `
const tc = require(process.cwd());
const validate = require('./js/validate');
const wasm = require('./js/wasm');
const rt = require('./wasm/runtime').get();
const runs = [];
const runSplit = rt.runSplit;
rt.runSplit = function (job) {
  runs.push(rt.parts(job));
  return runSplit.call(this, job);
};
function split(kernel, args, options, threads) {
  const call = validate[kernel](...args, { backend: 'wasm', ...options }, false);
  call.threads = threads;
  return wasm.run(call);
}
function sync(kernel, args) {
  return wasm.runSync(validate[kernel](...args, { backend: 'wasm', mode: 'copy' }, true));
}
function same(a, b) {
  return a.byteLength === b.byteLength && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}
let seed = 7;
function u32() {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return seed >>> 0;
}
function f64s(n) {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i % 4099 === 0 ? [NaN, -0, 0, -Infinity][i % 4] : (u32() - 2 ** 31) * 2 ** (u32() % 40 - 20);
  return a;
}
function u32s(n) {
  const a = new Uint32Array(n);
  // Few distinct top bytes in a stretch, so that the top digit is equal in
  // many keys, as well as fully random ones.
  for (let i = 0; i < n; i++) a[i] = i < n / 2 ? u32() : (u32() & 0x00ffffff) | 0x7f000000;
  return a;
}
function f32s(n) {
  return new Float32Array(n).map(() => (u32() / 2 ** 32) - 0.5);
}
async function settled(start) {
  for (let i = 0; i < 100 && (rt.inflight > 0 || rt.heapUsed() !== start); i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return rt.heapUsed() - start;
}
function owned(v) {
  const type = { Float64Array: 'float64', Float32Array: 'float32', Uint32Array: 'uint32' }[v.constructor.name];
  const h = tc.alloc(type, v.length, { backend: 'wasm' });
  h.set(v);
  return h;
}
`;

Split('1, 2, 4 and 7 parts give the bits of a sync call: stats, sort (copy and in place in the heap), matmul', () => {
  if (!has) return;
  // A pool of 7 threads, so that no count is capped by the pool's size.
  const r = child(`${PRELUDE}
    (async () => {
      await split('sha256', [new Uint8Array(1)], {}, 1); // the pool is started
      const start = rt.heapUsed();
      await (async () => {
        const stats = f64s(2 << 20); // 16 MiB
        const sorts = [f64s(1 << 20), u32s(1 << 20)];
        const a = f32s(200 * 300), b = f32s(300 * 100);
        const want = {
          stats: sync('stats', [stats]),
          sort: sorts.map((v) => sync('sort', [v.slice()])),
          matmul: sync('matmul', [a, b, 200, 300, 100]),
        };
        const bad = [];
        const once = async (threads) => {
          runs.length = 0;
          const check = (what, got, w) => { if (!same(got, w)) bad.push(what + ' at ' + threads); };
          check('stats', await split('stats', [stats], { mode: 'copy' }, threads), want.stats);
          const heapStats = owned(stats);
          check('stats borrowed', await split('stats', [heapStats], { mode: 'borrow' }, threads), want.stats);
          tc.free(heapStats);
          for (const [i, v] of sorts.entries()) {
            const copy = v.slice();
            const out = await split('sort', [copy], { mode: 'copy' }, threads);
            if (out !== copy) bad.push('sort copy returned another array');
            check('sort copy ' + i, copy, want.sort[i]);
            const heap = owned(v);
            const inPlace = await split('sort', [heap], { mode: 'borrow' }, threads);
            if (inPlace !== heap) bad.push('sort borrow returned another array');
            check('sort borrow ' + i, heap, want.sort[i]);
            tc.free(heap);
          }
          check('matmul', await split('matmul', [a, b, 200, 300, 100], { mode: 'copy' }, threads), want.matmul);
          const ha = owned(a), hb = owned(b);
          const c = await split('matmul', [ha, hb, 200, 300, 100], { mode: 'borrow' }, threads);
          check('matmul borrowed', c, want.matmul);
          tc.free(c); tc.free(ha); tc.free(hb);
          // Every call above split into as many parts as asked for.
          console.log(threads, runs.join(' '));
        };
        for (const threads of [1, 2, 4, 7]) await once(threads);
        const before = runs.length;
        sync('sort', [sorts[0].slice()]);
        sync('stats', [stats]);
        console.log('sync splits:', runs.length > before ? 'some' : 'none');
        console.log(bad.join(', ') || 'same bits');
      })();
      console.log('heap', await settled(start), 'in flight', rt.inflight);
    })();`, { env: { TWINCORE_WASM_THREADS: '7' }, timeout: 300000, nodeArgs: ['--expose-gc'] });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), [
    '1 ',
    '2 2 2 2 2 2 2 2 2',
    '4 4 4 4 4 4 4 4 4',
    '7 7 7 7 7 7 7 7 7',
    'sync splits: none',
    'same bits',
    'heap 0 in flight 0',
  ].join('\n'));
});

Split('parts beyond the pool\'s size wait for a free thread: 4 parts on a pool of 1, 20 such jobs at once', () => {
  if (!has) return;
  // Through the runtime: the facade never asks for more parts than threads.
  const r = child(`${PRELUDE}
    const { KERNEL, DTYPE } = require('./js/constants');
    (async () => {
      const n = 1 << 20;
      await split('sha256', [new Uint8Array(1)], {}, 1); // the pool is started
      const start = rt.heapUsed();
      const one = async () => {
        const data = u32s(n);
        const p = rt.malloc(n * 4);
        new Uint32Array(rt.memory.buffer, p, n).set(data);
        const made = rt.makeJob(KERNEL.sort, DTYPE.uint32, p, n * 4, 0, 0, p, n * 4, [0, 0, 0], 4);
        const status = await rt.runSplit(made.job);
        const ok = status === 0 && same(new Uint32Array(rt.memory.buffer, p, n), data.sort());
        rt.freeJob(made.job);
        rt.free(p);
        return made.parts + ':' + ok;
      };
      console.log(rt.threads, await one());
      const all = await Promise.all(Array.from({ length: 20 }, one));
      console.log(new Set(all).size, all[0], await settled(start));
    })();`, { env: { TWINCORE_WASM_THREADS: '1' }, timeout: 120000, nodeArgs: ['--expose-gc'] });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '1 4:true\n1 4:true 0');
});

Split('100 split calls in flight at once all finish with the right results', () => {
  if (!has) return;
  const r = child(`${PRELUDE}
    (async () => {
      await split('sha256', [new Uint8Array(1)], {}, 1);
      const start = rt.heapUsed();
      const ok = await (async () => {
        const stats = owned(f64s(1 << 19)); // 4 MiB, read by every stats call at once
        const a = owned(f32s(96 * 64)), b = owned(f32s(64 * 80));
        const sorts = Array.from({ length: 34 }, () => u32s(1 << 18));
        const want = {
          stats: sync('stats', [stats]),
          matmul: sync('matmul', [a, b, 96, 64, 80]),
          sort: sorts.map((v) => sync('sort', [v.slice()])),
        };
        const calls = [];
        for (let i = 0; i < 100; i++) {
          const threads = [2, 'auto', 7][i % 3];
          const k = i % 3;
          if (k === 0) calls.push(split('stats', [stats], {}, threads).then((x) => same(x, want.stats)));
          if (k === 1) calls.push(split('matmul', [a, b, 96, 64, 80], {}, threads).then((x) => {
            // A zero-copy result this large stays in the heap: free it.
            const ok = same(x, want.matmul);
            tc.free(x);
            return ok;
          }));
          if (k === 2) {
            const j = (i - 2) / 3;
            calls.push(split('sort', [sorts[j]], { mode: 'copy' }, threads).then((x) => same(x, want.sort[j])));
          }
        }
        const all = await Promise.all(calls);
        tc.free(stats); tc.free(a); tc.free(b);
        return all;
      })();
      console.log(ok.filter(Boolean).length, runs.length > 0, rt.inflight, await settled(start));
    })();`, { timeout: 120000, nodeArgs: ['--expose-gc'] });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '100 true 0 0');
});

Split('more parts than the queue has slots (4,096) wait their turn', () => {
  if (!has) return;
  const r = child(`${PRELUDE}
    (async () => {
      await split('sha256', [new Uint8Array(1)], {}, 1);
      const start = rt.heapUsed();
      const [waited, ok] = await (async () => {
        const data = owned(f64s(1 << 19)); // 4 MiB: 4 blocks, 4 parts
        const want = sync('stats', [data]);
        // Every pool thread busy, so that the queue fills up.
        const big = tc.alloc('uint8', 64 << 20, { backend: 'wasm' });
        const busy = Array.from({ length: 4 }, () => split('sha256', [big], { mode: 'borrow' }, 1));
        const all = Array.from({ length: 1100 },
          () => split('stats', [data], { mode: 'borrow' }, 4).then((x) => same(x, want)));
        const waited = rt.waiting.length > 0;
        await Promise.all(busy);
        const ok = await Promise.all(all);
        tc.free(data);
        tc.free(big);
        return [waited, ok];
      })();
      console.log(waited, ok.filter(Boolean).length, runs.length, new Set(runs).size, rt.waiting.length, await settled(start));
    })();`, { env: { TWINCORE_WASM_THREADS: '4' }, timeout: 120000, nodeArgs: ['--expose-gc'] });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'true 1100 1100 1 0 0');
});

Split('an abort mid-way rejects with the abort error; a sort leaves a permutation of its input', () => {
  if (!has) return;
  const r = child(`${PRELUDE}
    const until = async (done) => { while (!done()) await new Promise((resolve) => setTimeout(resolve, 2)); };
    (async () => {
      await split('sha256', [new Uint8Array(1)], {}, 1);
      const start = rt.heapUsed();
      const input = f64s(4 << 20); // 32 MiB: a few tens of milliseconds
      const sorted = input.slice().sort();
      const seen = { rejected: { copy: 0, borrow: 0 }, bad: [] };
      const once = async (mode, delay) => {
        const arr = mode === 'copy' ? input.slice() : owned(input);
        const ac = new AbortController();
        const p = split('sort', [arr], { mode, signal: ac.signal }, 2);
        setTimeout(() => ac.abort(), delay);
        try {
          await p;
          if (!same(arr, sorted)) seen.bad.push(mode + ' ' + delay + ': resolved unsorted');
        } catch (e) {
          seen.rejected[mode]++;
          if (e.name !== 'AbortError' || e.code !== 'ABORT_ERR') seen.bad.push(mode + ' ' + delay + ': ' + e.code);
          // The parts of the current phase return at their next chunk;
          // only then is the array the job's no more.
          await until(() => rt.inflight === 0);
          if (mode === 'copy' && !same(arr, input) && !same(arr, sorted)) {
            seen.bad.push('copy ' + delay + ': neither unchanged nor sorted');
          }
          if (mode === 'borrow' && !same(arr.slice().sort(), sorted)) {
            seen.bad.push('borrow ' + delay + ': not a permutation');
          }
        }
        if (mode === 'borrow') tc.free(arr);
      };
      for (const mode of ['copy', 'borrow']) {
        for (const delay of [0, 1, 3, 6, 10, 20]) await once(mode, delay);
      }
      console.log(seen.rejected.copy > 0, seen.rejected.borrow > 0, seen.bad.join(', ') || 'ok', await settled(start));
    })();`, { timeout: 120000, nodeArgs: ['--expose-gc'] });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'true true ok 0');
});

Split('a split call rejects with ERR_TC_WASM_POOL when a pool thread dies under it', () => {
  if (!has) return;
  const r = child(`${PRELUDE}
    (async () => {
      // A thread terminated before it started exits with code 0: start the
      // pool first.
      await split('sha256', [new Uint8Array(1)], {}, 1);
      const p = split('sort', [u32s(8 << 20)], { mode: 'copy' }, 2);
      setTimeout(() => rt.pool.workers[0].terminate(), 5);
      try {
        await p;
        console.log('resolved');
      } catch (e) {
        console.log(e.code, rt.inflight);
      }
      try {
        await split('stats', [f64s(1 << 20)], {}, 2);
      } catch (e) {
        console.log(e.code);
      }
    })();`, { timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'ERR_TC_WASM_POOL 0\nERR_TC_WASM_POOL');
});

Split('a pool whose threads end by themselves rejects its jobs, whole and split, instead of hanging', () => {
  if (!has) return;
  // Worker is taken from node:worker_threads when the runtime loads: here
  // each pool thread runs an empty script, so it ends at once, with code
  // 0, before it takes anything off the queue.
  const r = child(`
    const wt = require('node:worker_threads');
    wt.Worker = class extends wt.Worker {
      constructor(file, options) {
        super('', { ...options, eval: true });
      }
    };
    ${PRELUDE}
    (async () => {
      const whole = split('sha256', [new Uint8Array(1)], {}, 1);
      const parts = split('sort', [u32s(8 << 20)], { mode: 'copy' }, 2);
      for (const p of [whole, parts]) {
        try {
          await p;
          console.log('resolved');
        } catch (e) {
          console.log(e.code, e.cause.message);
        }
      }
      // Sync calls run on the calling thread, without the pool.
      const data = new Uint8Array(100);
      console.log(rt.inflight, Buffer.from(sync('sha256', [data])).equals(require('node:crypto').createHash('sha256').update(data).digest()));
    })();`, { timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'ERR_TC_WASM_POOL a wasm pool thread ended\nERR_TC_WASM_POOL a wasm pool thread ended\n0 true');
});

Split('a pool thread that cannot be started fails the pool with ERR_TC_WASM_POOL, not a pool short of threads', () => {
  if (!has) return;
  // Worker is taken from node:worker_threads when the runtime loads: the
  // second thread's construction throws, as it does when the process is
  // out of threads or memory.
  const r = child(`
    const wt = require('node:worker_threads');
    let made = 0;
    wt.Worker = class extends wt.Worker {
      constructor(...args) {
        if (++made === 2) throw Object.assign(new Error('no thread for you'), { code: 'ERR_WORKER_INIT_FAILED' });
        super(...args);
      }
    };
    ${PRELUDE}
    (async () => {
      for (const threads of [2, 1]) {
        try {
          await split('sort', [u32s(8 << 20)], { mode: 'copy' }, threads);
          console.log('resolved');
        } catch (e) {
          console.log(e.code, e.cause && e.cause.code, rt.pool.workers.length);
        }
      }
      const data = new Uint8Array(100);
      console.log(Buffer.from(tc.sha256Sync(data, { backend: 'wasm' })).equals(require('node:crypto').createHash('sha256').update(data).digest()));
    })();`, { timeout: 60000, env: { TWINCORE_WASM_THREADS: '2' } });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'ERR_TC_WASM_POOL ERR_WORKER_INIT_FAILED 1\nERR_TC_WASM_POOL ERR_WORKER_INIT_FAILED 1\ntrue');
});

Split.run();
