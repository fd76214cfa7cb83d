'use strict';
// options.threads: one async call split across pool threads. Results are
// the same bits for any number of threads; a pool smaller than the parts,
// 100 split calls at once and an abort mid-way all end as they should.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { tc, rng, sameBits, backendsUnderTest, child } = require('./helpers');
const threads = require('../js/threads');

const T = suite('threads');
const BACKENDS = backendsUnderTest().filter((b) => b !== 'js');

function randomF64(r, n) {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = (r.float() - 0.5) * 2 ** (r.below(60) - 30);
  a[7] = -0;
  a[n - 5] = 0;
  return a;
}

function randomU32(r, n) {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = r.u32 ? r.u32() : (r.float() * 2 ** 32) >>> 0;
  return a;
}

function owned(a, backend) {
  const h = tc.alloc(a instanceof Float64Array ? 'float64' : a instanceof Uint32Array ? 'uint32' : 'float32',
    a.length, { backend });
  h.set(a);
  return h;
}

for (const backend of BACKENDS) {
  T(`${backend}: stats of 16 MiB gives the same bits with 1, 2, 3, 4 and 7 threads and 'auto'`, async () => {
    const x = owned(randomF64(rng(1), 2 << 20), backend);
    const want = tc.statsSync(x, { backend });
    for (const t of [1, 2, 3, 4, 7, 'auto']) {
      for (const mode of ['borrow', 'copy']) {
        const got = await tc.stats(x, { backend, mode, threads: t });
        for (const key of Object.keys(want)) {
          assert.ok(Object.is(got[key], want[key]), `${key} with threads ${t} (${mode}): ${got[key]} vs ${want[key]}`);
        }
      }
    }
    tc.free(x);
  });

  T(`${backend}: sort of 2^20 float64 and uint32 gives TypedArray.prototype.sort's bits with any threads`, async () => {
    const r = rng(2);
    for (const make of [randomF64, randomU32]) {
      const input = make(r, 1 << 20);
      const want = input.slice().sort();
      for (const t of [1, 2, 4, 7]) {
        const a = owned(input, backend);
        await tc.sort(a, { backend, mode: 'borrow', threads: t });
        assert.ok(sameBits(a, want), `${input.constructor.name} zero-copy, threads ${t}`);
        tc.free(a);
        const b = input.slice();
        await tc.sort(b, { backend, mode: 'copy', threads: t });
        assert.ok(sameBits(b, want), `${input.constructor.name} copy, threads ${t}`);
      }
    }
  });

  T(`${backend}: matmul 200x300x100 gives the same bits with any threads`, async () => {
    const r = rng(3);
    const a = new Float32Array(200 * 300).map(() => r.float() - 0.5);
    const b = new Float32Array(300 * 100).map(() => r.float() - 0.5);
    const want = tc.matmulSync(a, b, 200, 300, 100, { backend });
    for (const t of [1, 2, 4, 7]) {
      const c = await tc.matmul(a, b, 200, 300, 100, { backend, threads: t });
      assert.ok(sameBits(c, want), `threads ${t}`);
    }
  });

  T(`${backend}: 100 split calls in flight at once all finish, all correct`, async () => {
    const r = rng(4);
    const n = (1 << 18) + 99;
    const shared = owned(randomF64(r, 1 << 21), backend);
    const statsWant = tc.statsSync(shared, { backend });
    const jobs = [];
    for (let i = 0; i < 100; i++) {
      if (i % 2) {
        const input = randomU32(r, n);
        const want = input.slice().sort();
        const a = owned(input, backend);
        jobs.push(tc.sort(a, { backend, threads: 4 }).then((out) => {
          assert.ok(sameBits(out, want), `sort ${i}`);
          tc.free(a);
        }));
      } else {
        jobs.push(tc.stats(shared, { backend, threads: 4 }).then((s) => {
          assert.ok(Object.is(s.variance, statsWant.variance), `stats ${i}`);
        }));
      }
    }
    await Promise.all(jobs);
    tc.free(shared);
  });

  T(`${backend}: a split sort goes through its phases on the pool while the JS thread is busy`, () => {
    // A sort split in 2 runs three phases (count, move, sort the buckets);
    // the pool threads go from one to the next themselves. The caller,
    // keeping its thread busy from the end of the turn on, sees the array
    // sorted in place before it lets go. No clock decides it (up to 20 s
    // are allowed): a pool that needed the JS thread between phases would
    // never get there.
    const r = child(`
      const tc = require('./');
      const a = tc.alloc('uint32', 1 << 20, { backend: '${backend}' });
      for (let i = 0; i < a.length; i++) a[i] = Math.imul(i, 2654435761) >>> 0;
      const want = a.slice().sort();
      const same = () => { for (let i = 0; i < a.length; i++) if (a[i] !== want[i]) return false; return true; };
      (async () => {
        const done = tc.sort(a, { backend: '${backend}', mode: 'borrow', threads: 2 });
        await new Promise((resolve) => setImmediate(resolve));
        const t0 = performance.now();
        let seen = false;
        while (!(seen = same()) && performance.now() - t0 < 20000) {}
        console.log(seen, (await done) === a);
      })();`, { env: { UV_THREADPOOL_SIZE: '2', TWINCORE_WASM_THREADS: '2' } });
    assert.is(r.signal, null, r.stderr);
    assert.is(r.stdout.trim(), 'true true', r.stderr);
  });

  T(`${backend}: calls queued behind a split sort do not wait for all its phases`, () => {
    // Both pool threads take the sort's parts; 8 small hashes queued right
    // after it wait only until a thread's part is done (it then leaves the
    // rest of the sort to the other, or waits for the next phase on the
    // queue's behalf), not until the sort's three phases are over.
    const r = child(`
      const tc = require('./');
      const a = tc.alloc('uint32', 1 << 24, { backend: '${backend}' });
      for (let i = 0; i < a.length; i++) a[i] = Math.imul(i, 2654435761) >>> 0;
      const order = [];
      const sort = tc.sort(a, { backend: '${backend}', mode: 'borrow', threads: 2 }).then(() => order.push('sort'));
      const small = Array.from({ length: 8 }, (_, i) =>
        tc.sha256(new Uint8Array(100 + i), { backend: '${backend}', mode: 'copy' }).then(() => order.push('hash')));
      Promise.all([sort, ...small]).then(() => {
        let sorted = true;
        for (let i = 1; i < a.length; i++) if (a[i - 1] > a[i]) sorted = false;
        console.log(order.indexOf('sort'), sorted);
      });`, { env: { UV_THREADPOOL_SIZE: '2', TWINCORE_WASM_THREADS: '2' } });
    assert.is(r.signal, null, r.stderr);
    assert.is(r.stdout.trim(), '8 true', r.stderr);
  });

  T(`${backend}: an abort mid-way rejects with the AbortError and leaves a permutation`, async () => {
    const r = rng(5);
    const input = randomU32(r, 1 << 22);
    const sorted = input.slice().sort();
    let aborted = 0;
    for (let round = 0; round < 8; round++) {
      for (const mode of ['borrow', 'copy']) {
        const a = mode === 'borrow' ? owned(input, backend) : input.slice();
        const ac = new AbortController();
        const p = tc.sort(a, { backend, mode, threads: 2, signal: ac.signal });
        setTimeout(() => ac.abort(), round);
        try {
          await p;
          assert.ok(sameBits(a, sorted), 'finished before the abort: sorted');
        } catch (err) {
          assert.is(err.code, 'ABORT_ERR');
          aborted++;
          if (mode === 'copy') assert.ok(sameBits(a, input), 'copy mode: the array is as it was');
          else assert.ok(sameBits(a.slice().sort(), sorted), 'zero-copy: a permutation of the input');
        }
        if (mode === 'borrow') tc.free(a);
      }
    }
    assert.ok(aborted > 0, 'no call was aborted mid-way');
  });
}

if (BACKENDS.includes('native')) {
  T('native: a pool of one thread finishes calls split in 4 (no part waits for another)', () => {
    const script = `
      const { KERNEL, DTYPE, MODE } = require('./js/constants');
      const binding = require('node-gyp-build')(process.cwd());
      (async () => {
        const n = 1 << 20;
        const a = new Uint32Array(new SharedArrayBuffer(n * 4));
        for (let i = 0; i < n; i++) a[i] = (i * 2654435761) >>> 0;
        const want = a.slice().sort();
        const sorted = binding.runAsync(1, KERNEL.sort, DTYPE.uint32, MODE.borrow, a, null, 0, 0, 0, a, 4);
        binding.flush(); // runAsync() queues, flush() starts the pool on the queue
        await sorted;
        const x = new Float64Array(new SharedArrayBuffer(16 << 20)).map((_, i) => i % 1000);
        const stats = binding.runAsync(2, KERNEL.stats, DTYPE.float64, MODE.copy, x, null, 0, 0, 0, null, 4);
        binding.flush();
        // A result of at most 64 bytes comes back as a string of its bytes.
        const s = await stats;
        const ok = a.every((v, i) => v === want[i]) && Buffer.from(s, 'latin1').readDoubleLE(0) === x.length;
        console.log(ok ? 'ok' : 'wrong');
      })();`;
    const r = child(script, { env: { UV_THREADPOOL_SIZE: '1' }, timeout: 60000 });
    assert.is(r.signal, null, `the child hung or died: ${r.stderr}`);
    assert.is(r.stdout.trim(), 'ok', r.stderr);
  });
}

T('options.threads is checked, each value once, with a code', async () => {
  const x = new Float64Array(4);
  for (const [bad, code] of [[0, 'ERR_OUT_OF_RANGE'], [-1, 'ERR_OUT_OF_RANGE'], [1.5, 'ERR_OUT_OF_RANGE'],
    [NaN, 'ERR_OUT_OF_RANGE'], ['2', 'ERR_INVALID_ARG_TYPE'], [null, 'ERR_INVALID_ARG_TYPE'],
    ['all', 'ERR_INVALID_ARG_TYPE']]) {
    try {
      await tc.stats(x, { threads: bad });
      assert.unreachable(`threads ${String(bad)} was taken`);
    } catch (err) {
      assert.is(err.code, code, `threads ${String(bad)}`);
    }
  }
  assert.throws(() => tc.statsSync(x, { threads: 2 }), (err) => err.code === 'ERR_INVALID_ARG_TYPE');
  let reads = 0;
  const options = { get threads() { reads++; return 2; } };
  await tc.stats(x, options);
  assert.is(reads, 1);
  // sha256 takes the option and runs on one thread.
  const d = await tc.sha256(new Uint8Array(3), { threads: 8 });
  assert.is(d.length, 32);
});

T("'auto' splits only large calls, into no more parts than idle pool threads and cores", () => {
  const busy = new threads.Busy();
  const call = (kernel, bytes, t = 'auto', dims = [0, 0, 0]) => ({ kernel, threads: t, input: { byteLength: bytes }, dims });
  assert.is(threads.parts(call('stats', 1 << 20), 4, busy), 1);
  assert.is(threads.parts(call('stats', 64 << 20), 4, busy), Math.min(4, threads.CORES));
  assert.is(threads.parts(call('sha256', 64 << 20), 4, busy), 1);
  assert.is(threads.parts(call('sort', 64 << 20, 8), 4, busy), 4, 'a number is capped at the pool');
  assert.is(threads.parts(call('sort', 1024, 3), 4, busy), 3, 'a number is taken as it is (the core may cut it)');
  assert.is(threads.parts(call('matmul', 0, 'auto', [1024, 1024, 1024]), 4, busy), Math.min(4, threads.CORES));
  assert.is(threads.parts(call('matmul', 0, 'auto', [64, 64, 64]), 4, busy), 1);
  const give = busy.take(3);
  assert.is(threads.parts(call('stats', 64 << 20), 4, busy), 1, 'one pool thread idle');
  give();
  give();
  assert.is(busy.threads, 0, 'given back once');
});

T.run();
