'use strict';
// The native backend's job queue (native/addon.c): async calls go on a
// queue that a few runners on the threadpool share out. Many calls in
// flight on pools of 1, 2 and 4 threads all settle with the right results;
// a runner hands back what it ran as it goes, not only at the end; calls
// are not held behind a long one; a large call starts at once; calls
// queued in the turn the process or a worker ends in are dropped without
// a hang or a crash.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { backendsUnderTest, child, LOAD_BINDING } = require('./helpers');

const Q = suite('queue');
const NATIVE = backendsUnderTest().includes('native');

// Runs in a child process with the pool size given: 300 calls in flight
// (sha256, stats, sort, some split into 4 parts, every fifth aborted while
// queued), checked against node:crypto and plain JS.
const MANY = `
  const tc = require('./');
  const crypto = require('node:crypto');
  (async () => {
    const jobs = [];
    let bad = 0;
    for (let i = 0; i < 300; i++) {
      const ac = new AbortController();
      const n = 1 + ((i * 7919) % 5000);
      const signal = ac.signal;
      if (i % 3 === 0) {
        const d = new Uint8Array(n).map((_, j) => (i + j * 31) & 255);
        const want = crypto.createHash('sha256').update(d).digest('hex');
        jobs.push(tc.sha256(d, { backend: 'native', signal }).then((r) => {
          if (Buffer.from(r).toString('hex') !== want) bad++;
        }, (e) => (e.name === 'AbortError' && i % 5 === 0) || bad++));
      } else if (i % 3 === 1) {
        const x = new Float64Array(n).map((_, j) => (j * i) % 101);
        const sum = x.reduce((s, v) => s + v, 0);
        jobs.push(tc.stats(x, { backend: 'native', signal }).then((r) => {
          if (r.sum !== sum || r.count !== n) bad++;
        }, (e) => (e.name === 'AbortError' && i % 5 === 0) || bad++));
      } else {
        const big = i % 30 === 2;
        const len = big ? 1 << 19 : n;
        const a = tc.alloc('uint32', len, { backend: 'native' });
        for (let j = 0; j < len; j++) a[j] = (j * 2654435761 + i) >>> 0;
        const want = a.slice().sort();
        const threads = big ? 4 : 1;
        jobs.push(tc.sort(a, { backend: 'native', signal: big ? undefined : signal, threads }).then((r) => {
          if (!r.every((v, j) => v === want[j])) bad++;
        }, (e) => (e.name === 'AbortError' && i % 5 === 0 && !big) || bad++));
      }
      if (i % 5 === 0) ac.abort();
    }
    await Promise.all(jobs);
    console.log(bad === 0 && tc.backends().native.inflight === 0 ? 'ok' : 'bad ' + bad + ', in flight ' + tc.backends().native.inflight);
  })();`;

for (const pool of ['1', '2', '4']) {
  Q(`native: 300 calls in flight on a pool of ${pool}, some split, some aborted, all settle right`, () => {
    if (!NATIVE) return;
    const r = child(MANY, { env: { UV_THREADPOOL_SIZE: pool }, timeout: 120000 });
    assert.is(r.signal, null, `the child hung or died: ${r.stderr}`);
    assert.is(r.stdout.trim(), 'ok', r.stderr);
  });
}

Q('native: a runner hands back what it ran as it goes (a pool of 1, 24 calls of a few ms)', () => {
  if (!NATIVE) return;
  const r = child(`
    const tc = require('./');
    (async () => {
      const d = tc.alloc('uint8', 8 << 20, { backend: 'native' });
      const t0 = performance.now();
      const at = await Promise.all(Array.from({ length: 24 }, () =>
        tc.sha256(d, { backend: 'native', mode: 'borrow' }).then(() => performance.now() - t0)));
      at.sort((a, b) => a - b);
      console.log(JSON.stringify({ first: at[0], last: at[at.length - 1] }));
    })();`, { env: { UV_THREADPOOL_SIZE: '1' } });
  assert.is(r.signal, null, r.stderr);
  const { first, last } = JSON.parse(r.stdout);
  // One runner runs all 24 in turn; had it settled them only at the end,
  // the first would settle with the last.
  assert.ok(first < last / 3, `the first settled at ${first.toFixed(1)} ms, the last at ${last.toFixed(1)} ms`);
});

Q('native: calls are not held behind a long one (a pool of 2)', () => {
  if (!NATIVE) return;
  // While one pool thread runs the long call, the other takes the rest:
  // a single small call, a burst of them, and a large one.
  const r = child(`
    const tc = require('./');
    (async () => {
      const big = tc.alloc('uint8', 256 << 20, { backend: 'native' });
      let longDone = false;
      const before = [];
      const long = tc.sha256(big, { backend: 'native', mode: 'borrow' }).then(() => { longDone = true; });
      await new Promise((resolve) => setImmediate(resolve));
      const one = tc.sha256(new Uint8Array(64), { backend: 'native' }).then(() => before.push(!longDone));
      await one;
      const burst = Array.from({ length: 20 }, () => tc.sha256(new Uint8Array(64), { backend: 'native' })
        .then(() => before.push(!longDone)));
      const large = tc.sort(new Float64Array(1 << 18).map(Math.random), { backend: 'native', threads: 1 })
        .then(() => before.push(!longDone));
      await Promise.all([long, ...burst, large]);
      console.log(before.filter(Boolean).length + ' of ' + before.length);
    })();`, { env: { UV_THREADPOOL_SIZE: '2' } });
  assert.is(r.signal, null, r.stderr);
  assert.is(r.stdout.trim(), '22 of 22', r.stderr);
});

Q('native: backends().native.threads is the pool libuv starts, UV_THREADPOOL_SIZE read as libuv reads it', () => {
  if (!NATIVE) return;
  // libuv takes atoi() of the variable into an unsigned count: 0 (an empty
  // or non-numeric value too) is 1, a negative one wraps past the cap.
  const cases = [[undefined, 4], ['2', 2], ['', 1], ['0', 1], ['abc', 1], ['8x', 8], ['-1', 1024], ['5000', 1024]];
  for (const [value, want] of cases) {
    const env = value === undefined ? { UV_THREADPOOL_SIZE: undefined } : { UV_THREADPOOL_SIZE: value };
    // The threads the process gains when the pool starts (Linux: /proc)
    // are the pool's own count, beside the addon's.
    const r = child(`
      const fs = require('node:fs');
      const count = () => (fs.existsSync('/proc/self/task') ? fs.readdirSync('/proc/self/task').length : NaN);
      const tc = require('./');
      const before = count();
      require('node:crypto').pbkdf2('a', 'b', 1, 32, 'sha256', () => {
        setTimeout(() => console.log(tc.backends().native.threads, count() - before), 50);
      });`, { env });
    assert.is(r.status, 0, r.stderr);
    const [threads, started] = r.stdout.trim().split(' ').map(Number);
    if (!Number.isNaN(started)) assert.is(started, want, `UV_THREADPOOL_SIZE=${JSON.stringify(value)}: libuv started`);
    assert.is(threads, want, `UV_THREADPOOL_SIZE=${JSON.stringify(value)}: backends().native.threads`);
  }
});

Q('native: small calls queued just before a long one settle long before it (pools of 1 and 2)', () => {
  if (!NATIVE) return;
  // The runner that ran the small calls hands them back before it takes
  // the long one, rather than when it completes.
  for (const pool of ['1', '2']) {
    const r = child(`
      const tc = require('./');
      const big = tc.alloc('uint8', 256 << 20, { backend: 'native' });
      const t0 = performance.now();
      const small = Array.from({ length: ${pool} }, () =>
        tc.sha256(new Uint8Array(64), { backend: 'native' }).then(() => performance.now() - t0));
      const long = tc.sha256(big, { backend: 'native', mode: 'borrow' }).then(() => performance.now() - t0);
      Promise.all([Promise.all(small), long]).then(([s, l]) => console.log(JSON.stringify({ small: Math.max(...s), long: l })));`,
    { env: { UV_THREADPOOL_SIZE: pool } });
    assert.is(r.signal, null, r.stderr);
    const { small, long } = JSON.parse(r.stdout);
    assert.ok(small < long / 2, `pool ${pool}: the small calls settled at ${small.toFixed(1)} ms, the long one at ${long.toFixed(1)} ms`);
  }
});

Q('native: the pool goes on working while the JS thread is busy', () => {
  if (!NATIVE) return;
  // 16 borrowed sorts of 4 MiB, each whole on a pool thread, sort their
  // arrays in place: the caller, keeping its thread busy from the end of
  // the turn on, sees every array sorted before it lets go. No clock
  // decides it (up to 20 s are allowed): a pool that waited for the JS
  // thread would never get there.
  const r = child(`
    const tc = require('./');
    const sorted = (a) => { for (let i = 1; i < a.length; i++) if (a[i - 1] > a[i]) return false; return true; };
    const arrays = Array.from({ length: 16 }, (_, k) => {
      const a = tc.alloc('uint32', 1 << 20, { backend: 'native' });
      for (let i = 0; i < a.length; i++) a[i] = Math.imul(i + k, 2654435761) >>> 0;
      return a;
    });
    (async () => {
      const before = arrays.filter(sorted).length;
      const all = Promise.all(arrays.map((a) => tc.sort(a, { backend: 'native', mode: 'borrow', threads: 1 })));
      await new Promise((resolve) => setImmediate(resolve));
      const t0 = performance.now();
      let seen = false;
      while (!(seen = arrays.every(sorted)) && performance.now() - t0 < 20000) {}
      const results = await all;
      console.log(before, seen, results.every((x, i) => x === arrays[i]));
    })();`, { env: { UV_THREADPOOL_SIZE: '2' } });
  assert.is(r.signal, null, r.stderr);
  assert.is(r.stdout.trim(), '0 true true', r.stderr);
});

Q('native: a small call starts a runner by itself; flush() only ends the turn', () => {
  if (!NATIVE) return;
  // The binding used directly, with no flush() ever: the first small call
  // of a turn starts a runner at once, and the runner that waits for more
  // calls of the turn gives up by itself. Later calls, after a pause, are
  // run as well, and the process then exits on its own.
  const r = child(`${LOAD_BINDING}
    const crypto = require('node:crypto');
    const { KERNEL, DTYPE, MODE } = require('./js/constants');
    const hash = (data) => binding.runAsync(1, KERNEL.sha256, DTYPE.uint8, MODE.copy, data, null, 0, 0, 0, null)
      .then((out) => Buffer.from(out, 'latin1').equals(crypto.createHash('sha256').update(data).digest()));
    (async () => {
      const seen = [];
      for (let round = 0; round < 3; round++) {
        const all = await Promise.all(Array.from({ length: 8 }, (_, i) => hash(new Uint8Array(i * 100 + round))));
        seen.push(all.every(Boolean));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      console.log(seen.join(' '), binding.info().inflight);
    })();`, { timeout: 30000 });
  assert.is(r.signal, null, r.stderr);
  assert.is(r.stdout.trim(), 'true true true 0', r.stderr);
});

Q('native: a split call that fails at its start rejects cleanly (binding, output over its input)', () => {
  if (!NATIVE) return;
  const r = child(`${LOAD_BINDING}
    const m = 256, k = 64, n = 64;
    const sab = new SharedArrayBuffer(m * k * 4);
    const a = new Float32Array(sab);
    const bs = new Float32Array(new SharedArrayBuffer(k * n * 4));
    const out = new Float32Array(sab, 0, m * n);
    binding.runAsync(1, 3, 3, 1, a, bs, m, k, n, out, 4).then(() => console.log('resolved'), (e) => console.log(e.code));
    binding.flush();`);
  assert.is(r.signal, null, r.stderr);
  assert.is(r.stdout.trim(), 'ERR_TC_EALIAS', r.stderr);
});

Q('native: exiting with 50,000 small calls queued is quick', () => {
  if (!NATIVE) return;
  // Dropping them costs no more than queueing them did (not a scan of
  // the queue per call).
  const r = child(`
    const tc = require('./');
    const d = new Uint8Array(64);
    let t0 = performance.now();
    for (let i = 0; i < 50000; i++) tc.sha256(d, { backend: 'native' }).catch(() => {});
    const queueing = performance.now() - t0;
    process.on('exit', () => console.log(JSON.stringify({ queueing, exiting: performance.now() - t0 })));
    t0 = performance.now();
    process.exit(0);`, { timeout: 60000 });
  assert.is(r.signal, null, r.stderr);
  const { queueing, exiting } = JSON.parse(r.stdout);
  assert.ok(exiting < queueing, `exit handlers took ${exiting.toFixed(0)} ms; queueing took ${queueing.toFixed(0)} ms`);
});

Q('native: a large call starts at once, while the caller is still busy', () => {
  if (!NATIVE) return;
  // The caller does not yield after the call: the sort must still run,
  // on the pool, meanwhile (it writes the array in place).
  const r = child(`
    const tc = require('./');
    const n = 1 << 22;
    const a = tc.alloc('uint32', n, { backend: 'native' });
    for (let i = 0; i < n; i++) a[i] = n - i;
    const done = tc.sort(a, { backend: 'native', mode: 'borrow', threads: 1 });
    const t0 = Date.now();
    while (a[0] === n && Date.now() - t0 < 20000) {}
    console.log(a[0] === n ? 'not started' : 'started');
    done.then(() => console.log(a[0] === 1 && a[n - 1] === n ? 'sorted' : 'wrong'));`, { timeout: 60000 });
  assert.is(r.signal, null, r.stderr);
  assert.is(r.stdout.trim(), 'started\nsorted', r.stderr);
});

Q('native: calls queued in the turn the process exits in do not hold it up', () => {
  if (!NATIVE) return;
  const r = child(`
    const tc = require('./');
    const d = tc.alloc('uint8', 64 << 20, { backend: 'native' });
    for (let i = 0; i < 50; i++) tc.sha256(d, { backend: 'native', mode: 'borrow' }).catch(() => {});
    process.exit(0);`, { timeout: 30000 });
  assert.is(r.signal, null, `the child hung: ${r.stderr}`);
  assert.is(r.status, 0, r.stderr);
});

Q('native: a worker that ends in the turn it queued calls in leaves the process working', () => {
  if (!NATIVE) return;
  const r = child(`
    const tc = require('./');
    const { Worker } = require('node:worker_threads');
    const body = "const tc = require(" + JSON.stringify(process.cwd()) + ");" +
      "for (let i = 0; i < 40; i++) tc.sha256(new Uint8Array(1 << 16), { backend: 'native' }).catch(() => {});" +
      "process.exit(0);";
    (async () => {
      for (let i = 0; i < 5; i++) {
        const w = new Worker(body, { eval: true });
        await new Promise((resolve) => w.on('exit', resolve));
      }
      const d = await tc.sha256(new Uint8Array(3), { backend: 'native' });
      console.log(Buffer.from(d).toString('hex').slice(0, 8), tc.backends().native.inflight);
    })();`, { timeout: 60000 });
  assert.is(r.signal, null, `the child hung: ${r.stderr}`);
  // sha256 of three zero bytes
  assert.is(r.stdout.trim(), '709e80c8 0', r.stderr);
});

Q('native: calls back to back share one runner; calls further apart than its wait start one each', () => {
  if (!NATIVE) return;
  // A runner that ran a call which came soon after the one before it
  // settled hands back what it ran and waits a little (TC_LINGER_NS, 100 us)
  // for the next one: a run of calls one after another then needs only a
  // few work items, not one each. Calls 2 ms apart find no runner waiting
  // (the wait ended), and each starts one. Results are checked throughout,
  // and the process exits on its own after both runs.
  const r = child(`${LOAD_BINDING}
    const tc = require('./');
    const crypto = require('node:crypto');
    const started = () => binding.info().runnersStarted;
    (async () => {
      const d = tc.alloc('uint8', 16, { backend: 'native' });
      let bad = 0;
      const one = async (i) => {
        d[0] = i & 255;
        const want = crypto.createHash('sha256').update(d).digest('hex');
        const got = Buffer.from(await tc.sha256(d, { backend: 'native' })).toString('hex');
        if (got !== want) bad++;
      };
      let s0 = started();
      for (let i = 0; i < 3000; i++) await one(i);
      const backToBack = started() - s0;
      s0 = started();
      for (let i = 0; i < 40; i++) {
        await one(i);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const apart = started() - s0;
      console.log(JSON.stringify({ bad, backToBack, apart, inflight: binding.info().inflight }));
    })();`, { timeout: 60000 });
  assert.is(r.signal, null, `the child hung: ${r.stderr}`);
  const { bad, backToBack, apart, inflight } = JSON.parse(r.stdout);
  assert.is(bad, 0, 'wrong digests');
  assert.is(inflight, 0);
  assert.ok(backToBack < 1000, `3000 calls back to back started ${backToBack} runners`);
  assert.ok(apart >= 32, `40 calls 2 ms apart started ${apart} runners`);
});

Q('native: a worker that ends while a runner waits for its next call leaves the process working', () => {
  if (!NATIVE) return;
  // Each worker runs calls back to back and exits as soon as the last one
  // settles, while the runner that ran it waits for another.
  const r = child(`
    const tc = require('./');
    const { Worker } = require('node:worker_threads');
    const body = "const tc = require(" + JSON.stringify(process.cwd()) + ");" +
      "(async () => { const d = new Uint8Array(16); for (let i = 0; i < 500; i++) await tc.sha256(d, { backend: 'native' });" +
      "process.exit(0); })();";
    (async () => {
      for (let i = 0; i < 5; i++) {
        const w = new Worker(body, { eval: true });
        const code = await new Promise((resolve) => w.on('exit', resolve));
        if (code !== 0) console.log('worker exit', code);
      }
      const d = await tc.sha256(new Uint8Array(3), { backend: 'native' });
      console.log(Buffer.from(d).toString('hex').slice(0, 8), tc.backends().native.inflight);
    })();`, { timeout: 60000 });
  assert.is(r.signal, null, `the child hung: ${r.stderr}`);
  assert.is(r.stdout.trim(), '709e80c8 0', r.stderr);
});

Q.run();
