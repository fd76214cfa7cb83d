'use strict';
// AbortSignal: a queued job is taken off the queue, a running one stops
// through the core's cancel flag, an already-aborted signal never starts a
// job; each rejects with an AbortError and nothing leaks.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const crypto = require('node:crypto');
const { tc, backendsUnderTest, collectGarbage } = require('./helpers');


function isAbort(err, signal) {
  assert.is(err.name, 'AbortError');
  assert.is(err.code, 'ABORT_ERR');
  assert.is(err.cause, signal.reason);
}

const Abort = suite('abort');

Abort('an aborted signal rejects before any work, on every backend', async () => {
  for (const backend of backendsUnderTest()) {
    for (const mode of ['copy', 'borrow', 'auto']) {
      const ac = new AbortController();
      ac.abort(new Error('changed my mind'));
      const a = new Int32Array([3, 2, 1]);
      try {
        await tc.sort(a, { backend, mode, signal: ac.signal });
        assert.unreachable();
      } catch (err) {
        isAbort(err, ac.signal);
      }
      assert.equal(Array.from(a), [3, 2, 1], `${backend}/${mode}: the array was not touched`);
    }
  }
});

Abort('a running job stops through the cancel flag', async () => {
  for (const backend of backendsUnderTest().filter((b) => b !== 'js')) {
    const data = tc.alloc('uint8', 128 << 20, { backend });
    const elapsed = async (signal) => {
      const t0 = process.hrtime.bigint();
      await tc.sha256(data, { backend, mode: 'borrow', signal });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    // Compared with an uncancelled run on the same machine, not with a
    // fixed bound: machines here are noisy.
    const full = await elapsed();
    const ac = new AbortController();
    // Timed from the abort, not from the call: a timer that fires late on
    // a loaded machine is not the job's time to stop.
    let t0 = 0n;
    setTimeout(() => {
      t0 = process.hrtime.bigint();
      ac.abort();
    }, 5);
    try {
      await elapsed(ac.signal);
      assert.unreachable();
    } catch (err) {
      isAbort(err, ac.signal);
    }
    const cancelled = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(cancelled < full / 2, `${backend}: rejected ${cancelled.toFixed(0)} ms after the abort; a full run takes ${full.toFixed(0)} ms`);
    tc.free(data);
  }
});

Abort('a queued job is dropped while the pool is busy', async () => {
  for (const backend of backendsUnderTest().filter((b) => b !== 'js')) {
    const threads = tc.backends()[backend].threads;
    const big = tc.alloc('uint8', 64 << 20, { backend });
    const want = crypto.createHash('sha256').update(big).digest('hex');
    const busy = Array.from({ length: threads }, () => tc.sha256(big, { backend, mode: 'borrow' }));
    const ac = new AbortController();
    const a = new Float64Array(1000).map(Math.random);
    const before = a.slice();
    const queued = tc.sort(a, { backend, mode: 'copy', signal: ac.signal });
    ac.abort();
    try {
      await queued;
      assert.unreachable();
    } catch (err) {
      isAbort(err, ac.signal);
    }
    assert.equal(a, before, `${backend}: the array was not touched`);
    // The busy jobs are unaffected.
    for (const d of await Promise.all(busy)) assert.is(Buffer.from(d).toString('hex'), want);
    tc.free(big);
  }
});

Abort('aborting after the result arrived changes nothing', async () => {
  for (const backend of backendsUnderTest()) {
    const ac = new AbortController();
    const out = await tc.sort(new Uint32Array([2, 1]), { backend, signal: ac.signal });
    ac.abort();
    assert.equal(Array.from(out), [1, 2]);
  }
});

Abort('nothing leaks: no job in flight, no copy alive', async () => {
  for (const backend of backendsUnderTest().filter((b) => b !== 'js')) {
    await collectGarbage(); // earlier tests' freed wasm arrays
    const heapBefore = tc.backends().wasm.heapUsed;
    const jobs = [];
    for (let i = 0; i < 200; i++) {
      const ac = new AbortController();
      jobs.push(tc.sha256(new Uint8Array(1 << 20), { backend, mode: 'copy', signal: ac.signal }).catch((e) => e));
      if (i % 2) ac.abort();
    }
    const results = await Promise.all(jobs);
    assert.ok(results.filter((r) => r instanceof Error).every((e) => e.name === 'AbortError'));
    // An aborted job that was still queued rejects at once, but its memory
    // goes only when the pool reaches and drops it, which a starved pool
    // thread may do after the last call settled: wait for that, not for a
    // fixed time (a job never given back keeps inflight above 0).
    for (let i = 0; i < 500 && tc.backends()[backend].inflight > 0; i++) await new Promise((r) => setTimeout(r, 10));
    await collectGarbage();
    const info = tc.backends()[backend];
    assert.is(info.inflight, 0);
    if (backend === 'native') assert.is(info.liveBytes, 0);
    if (backend === 'wasm') assert.is(info.heapUsed, heapBefore);
  }
});

Abort.run();
