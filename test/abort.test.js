'use strict';
// AbortSignal: a queued job is taken off the queue, a running one stops
// through the core's cancel flag, an already-aborted signal never starts a
// job; each rejects with an AbortError and nothing leaks.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const crypto = require('node:crypto');
const { tc, backendsUnderTest } = require('./helpers');

const native = backendsUnderTest().includes('native');

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
  if (!native) return;
  for (const mode of ['copy', 'borrow']) {
    // About a second of hashing; the abort comes after 20 ms.
    const data = new Uint8Array(256 << 20);
    const ac = new AbortController();
    const t0 = process.hrtime.bigint();
    const p = tc.sha256(data, { backend: 'native', mode, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    try {
      await p;
      assert.unreachable();
    } catch (err) {
      isAbort(err, ac.signal);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // A generous bound: the kernel looks at the flag every 256 KiB.
    assert.ok(ms < 600, `${mode}: rejected after ${ms.toFixed(0)} ms`);
  }
});

Abort('a queued job is taken off the queue while the pool is busy', async () => {
  if (!native) return;
  const threads = tc.backends().native.threads;
  const big = new Uint8Array(64 << 20);
  const want = crypto.createHash('sha256').update(big).digest('hex');
  const busy = Array.from({ length: threads }, () => tc.sha256(big, { backend: 'native', mode: 'borrow' }));
  const ac = new AbortController();
  const queued = tc.sort(new Float64Array(1000).map(Math.random), { backend: 'native', mode: 'copy', signal: ac.signal });
  ac.abort();
  let settled = false;
  try {
    await queued;
    assert.unreachable();
  } catch (err) {
    isAbort(err, ac.signal);
    settled = true;
  }
  // The busy jobs are unaffected.
  for (const d of await Promise.all(busy)) assert.is(Buffer.from(d).toString('hex'), want);
  assert.ok(settled);
});

Abort('aborting after the result arrived changes nothing', async () => {
  for (const backend of backendsUnderTest()) {
    const ac = new AbortController();
    const out = await tc.sort(new Uint32Array([2, 1]), { backend, mode: 'borrow', signal: ac.signal });
    ac.abort();
    assert.equal(Array.from(out), [1, 2]);
  }
});

Abort('nothing leaks: no job in flight, no copy alive', async () => {
  if (!native) return;
  const jobs = [];
  for (let i = 0; i < 200; i++) {
    const ac = new AbortController();
    jobs.push(tc.sha256(new Uint8Array(1 << 20), { backend: 'native', mode: 'copy', signal: ac.signal }).catch((e) => e));
    if (i % 2) ac.abort();
  }
  await Promise.all(jobs);
  const info = tc.backends().native;
  assert.is(info.inflight, 0);
  assert.is(info.liveBytes, 0);
});

Abort.run();
