'use strict';
// Many jobs at once: 1,000 async jobs in flight, and the addon loaded at
// once in the main thread and 4 worker_threads, each running jobs.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const crypto = require('node:crypto');
const { Worker } = require('node:worker_threads');
const { tc, rng, sameBits, backendsUnderTest, toOwned, ROOT } = require('./helpers');

const Many = suite('concurrency');

for (const backend of backendsUnderTest().filter((b) => b !== 'js')) {
  for (const mode of ['copy', 'borrow']) {
    Many(`${backend}/${mode}: 1,000 async jobs in flight, all correct`, async () => {
      const r = rng(8);
      // Async calls borrow only alloc()'d memory.
      const own = mode === 'borrow' ? (a) => toOwned(a, backend) : (a) => a;
      const jobs = [];
      const checks = [];
      for (let i = 0; i < 1000; i++) {
        const n = 1 + r.below(20000);
        switch (i % 4) {
          case 0: {
            const data = r.bytes(n);
            const want = crypto.createHash('sha256').update(data).digest('hex');
            jobs.push(tc.sha256(own(data), { backend, mode }));
            checks.push((d) => assert.is(Buffer.from(d).toString('hex'), want));
            break;
          }
          case 1: {
            const a = new Float64Array(n).map(() => r.float() - 0.5);
            const want = a.slice().sort();
            jobs.push(tc.sort(own(a), { backend, mode }));
            checks.push((d) => assert.ok(sameBits(d, want)));
            break;
          }
          case 2: {
            const a = new Float64Array(n).map(() => r.below(100));
            const sum = a.reduce((s, v) => s + v, 0);
            jobs.push(tc.stats(own(a), { backend, mode }));
            checks.push((s) => assert.is(s.sum, sum));
            break;
          }
          default: {
            const m = 1 + r.below(20);
            const a = new Float32Array(m * m).map(() => r.below(5));
            const want = tc.matmulSync(a, a, m, m, m, { backend: 'js' });
            const h = own(a);
            jobs.push(tc.matmul(h, h, m, m, m, { backend, mode }));
            checks.push((c) => assert.ok(sameBits(c, want)));
          }
        }
      }
      const results = await Promise.all(jobs);
      results.forEach((res, i) => checks[i](res));
      if (backend === 'native') assert.is(tc.backends().native.inflight, 0);
    });
  }
}

Many('the addon in the main thread and 4 workers at once', async () => {
  if (!backendsUnderTest().includes('native')) return;
  const script = `
    const { parentPort, workerData } = require('node:worker_threads');
    const crypto = require('node:crypto');
    const tc = require(workerData.root);
    (async () => {
      let ok = 0;
      for (let round = 0; round < 25; round++) {
        const data = crypto.randomBytes(50000 + round);
        const want = crypto.createHash('sha256').update(data).digest('hex');
        const a = new Float64Array(30000).map(Math.random);
        const sorted = a.slice().sort();
        // Async calls borrow only alloc()'d memory.
        const owned = tc.alloc('uint8', data.length, { backend: 'native' });
        owned.set(data);
        const [d, s, st] = await Promise.all([
          tc.sha256(round % 2 ? data : owned, { backend: 'native', mode: round % 2 ? 'copy' : 'borrow' }),
          tc.sort(a, { backend: 'native' }),
          tc.stats(sorted, { backend: 'native' }),
        ]);
        if (Buffer.from(d).toString('hex') === want && s.every((v, i) => v === sorted[i]) && st.count === 30000) ok++;
        if (tc.sha256Sync(data, { backend: 'native' }).length === 32) ok++;
      }
      parentPort.postMessage(ok);
    })();
  `;
  const workers = Array.from({ length: 4 }, () => new Worker(script, { eval: true, workerData: { root: ROOT } }));
  const done = workers.map((w) => new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  }));
  // The main thread works at the same time.
  const main = [];
  for (let i = 0; i < 50; i++) main.push(tc.sort(new Int32Array(20000).map((_, j) => (j * 7919) % 20000), { backend: 'native' }));
  for (const s of await Promise.all(main)) assert.ok(s.every((v, i) => i === 0 || s[i - 1] <= v));
  assert.equal(await Promise.all(done), [50, 50, 50, 50]);
  await Promise.all(workers.map((w) => w.terminate()));
});

Many.run();
