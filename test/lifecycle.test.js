'use strict';
// The known dangers of borrowing, and of jobs that outlive their caller,
// each in a child process whose exit status, signal and output are
// asserted: every case ends in a correct result or a clear error, never a
// crash, a hang or silent corruption.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { child, backendsUnderTest, LOAD_BINDING } = require('./helpers');

const Life = suite('lifecycle (child processes)');
const native = backendsUnderTest().includes('native');

// Common prelude of the child scripts: the package, a sorted check, gc.
const PRELUDE = `
  const tc = require(process.cwd());
  const { Worker } = require('node:worker_threads');
  const sorted = (a) => a.every((v, i) => i === 0 || a[i - 1] <= v);
  const big = (n) => { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = Math.sin(i) * 1e6; return a; };
  const gcLoop = () => { const t = setInterval(() => global.gc(), 1); return () => clearInterval(t); };
`;

function expectClean(r, stdout, what) {
  assert.is(r.signal, null, `${what}: killed by ${r.signal}; stderr: ${r.stderr}`);
  assert.is(r.status, 0, `${what}: exit ${r.status}; stderr: ${r.stderr}`);
  assert.is(r.stdout.trim(), stdout, `${what}: stdout`);
  assert.not.match(r.stderr, /AddressSanitizer|Segmentation|Abort/);
}

Life('the input is detached mid-job (transfer, stream read) and the new owner collected', () => {
  if (!native) return;
  // Plain arrays ('auto' copies them) and alloc()'d ones (borrowed: the
  // addon keeps their memory alive); every way of detaching mid-job.
  for (const kind of ['plain', 'alloc']) {
    for (const how of ['structuredClone', 'postMessage', 'byob']) {
      const r = child(`${PRELUDE}
        (async () => {
          let a = big(1 << 22);
          if ('${kind}' === 'alloc') { const o = tc.alloc('float64', a.length, { backend: 'native' }); o.set(a); a = o; }
          const p = tc.sort(a, { backend: 'native' });
          if ('${how}' === 'structuredClone') structuredClone(a.buffer, { transfer: [a.buffer] });
          if ('${how}' === 'postMessage') {
            const { port1, port2 } = new MessageChannel();
            port1.postMessage(a.buffer, [a.buffer]);
            port1.close(); port2.close();
          }
          if ('${how}' === 'byob') {
            const rs = new ReadableStream({ type: 'bytes', pull(c) { c.byobRequest.view[0] = 1; c.byobRequest.respond(1); } });
            await rs.getReader({ mode: 'byob' }).read(new Uint8Array(a.buffer));
          }
          const stop = gcLoop();
          try {
            await p;
            console.log(a.length === 0 ? 'resolved but detached' : sorted(a) ? 'ok' : 'wrong');
          } catch (e) {
            console.log(e.code);
          }
          stop();
          console.log(sorted(await tc.sort(big(1000), { backend: 'native' })) ? 'healthy' : 'broken');
        })();`, { nodeArgs: ['--expose-gc'] });
      // A plain array is copied and then moved away: the result has nowhere
      // to go. The addon's own memory may refuse to move (a transfer then
      // copies it) and the job completes in place; if it does move, the
      // addon keeps it alive until the job ends.
      const first = r.stdout.split('\n')[0];
      const allowed = kind === 'plain' ? ['ERR_TC_DETACHED'] : ['ERR_TC_DETACHED', 'ok'];
      assert.ok(allowed.includes(first), `${kind} array, ${how}: ${first}`);
      expectClean(r, `${first}\nhealthy`, `${kind} array, ${how}`);
    }
  }
});

Life('the caller drops every reference to its input mid-job, then GC', () => {
  if (!native) return;
  const r = child(`${PRELUDE}
    (async () => {
      const stop = gcLoop();
      const owned = (a) => { const o = tc.alloc('float64', a.length, { backend: 'native' }); o.set(a); return o; };
      const results = await Promise.all([0, 1, 2, 3].map((i) =>
        tc.sort(i % 2 ? owned(big(1 << 21)) : big(1 << 21), { backend: 'native', mode: i % 2 ? 'borrow' : 'copy' }).then(sorted)));
      const digest = await tc.sha256(tc.alloc('uint8', 32 << 20, { backend: 'native' }).fill(7), { backend: 'native', mode: 'borrow' });
      stop();
      console.log(results.every(Boolean) && digest.length === 32 ? 'ok' : 'wrong');
    })();`, { nodeArgs: ['--expose-gc'] });
  expectClean(r, 'ok', 'dropped references');
});

Life('a resizable ArrayBuffer shrunk mid-job', () => {
  if (!native) return;
  const r = child(`${PRELUDE}
    (async () => {
      const n = 1 << 22;
      const buf = new ArrayBuffer(n * 8, { maxByteLength: n * 8 });
      const a = new Float64Array(buf);
      a.set(big(n));
      // 'auto' copies a resizable buffer; shrunk, it has no room for the result.
      const p = tc.sort(a, { backend: 'native' });
      buf.resize(8 * 10);
      try { await p; console.log('resolved'); } catch (e) { console.log(e.code); }
      // 'borrow' refuses it up front.
      try { await tc.sort(a, { backend: 'native', mode: 'borrow' }); console.log('resolved'); } catch (e) { console.log(e.code); }
      // Sync calls may borrow it: nothing can resize it meanwhile.
      console.log(sorted(tc.sortSync(a, { backend: 'native', mode: 'borrow' })) ? 'sync ok' : 'sync wrong');
    })();`);
  expectClean(r, 'ERR_TC_OUT_OF_BOUNDS\nERR_TC_BORROW\nsync ok', 'resizable');
});

Life('another thread writes a borrowed SharedArrayBuffer while it is sorted', () => {
  if (!native) return;
  // A data race: the result is the racer's business, but no write may
  // leave the array.
  const r = child(`${PRELUDE}
    (async () => {
      const n = 1 << 20;
      const guard = new Float64Array(new SharedArrayBuffer((n + 16) * 8));
      const a = guard.subarray(8, 8 + n);
      for (let i = 0; i < n; i++) a[i] = Math.sin(i) * 1e6;
      const w = new Worker(\`const { workerData } = require('node:worker_threads');
        const a = new Float64Array(workerData, 64, \${n}); const t = Date.now(); let k = 0;
        while (Date.now() - t < 300) a.fill(k++ % 2 ? -1e300 : 1e300);\`, { eval: true, workerData: guard.buffer });
      const exited = new Promise((resolve) => w.on('exit', resolve));
      for (let i = 0; i < 10; i++) await tc.sort(a, { backend: 'native', mode: 'borrow' });
      await exited;
      const untouched = [...guard.subarray(0, 8), ...guard.subarray(8 + n)].every((v) => v === 0);
      console.log(untouched ? 'guards intact' : 'guards overwritten');
    })();`);
  expectClean(r, 'guards intact', 'racing writer');
});

Life('the binding itself refuses to lend ordinary memory to an async job', () => {
  if (!native) return;
  const r = child(`
    const binding = require('node-gyp-build')(process.cwd());
    const a = new Float64Array(1 << 20);
    try { binding.runAsync(1, 2, 4, 1, a, null, 0, 0, 0, a); console.log('queued'); } catch (e) { console.log(e.code); }
    const r = new ArrayBuffer(64, { maxByteLength: 128 });
    try { binding.runAsync(2, 2, 4, 1, new Float64Array(r), null, 0, 0, 0, new Float64Array(r)); console.log('queued'); } catch (e) { console.log(e.code); }`);
  expectClean(r, 'ERR_TC_BORROW\nERR_TC_BORROW', 'direct binding call');
});

Life('alloc() larger than Node lets an external buffer be: a coded error, memory freed once', () => {
  // Node 20 refuses external buffers over 4 GiB; later ones take them.
  if (!native || require('node:buffer').constants.MAX_LENGTH > 2 ** 32) return;
  // Node runs the finalizer itself when it refuses to make the buffer;
  // the addon must not free the block a second time (ASan aborts if it
  // does, in the js-asan run).
  const r = child(`${LOAD_BINDING}
    try { binding.alloc(2 ** 32 + 64); console.log('made'); } catch (e) { console.log(e.code); }
    const tc = require(process.cwd());
    try { tc.alloc('uint32', 2 ** 31, { backend: 'native' }); console.log('made'); } catch (e) { console.log(e.code); }
    console.log(tc.alloc('uint8', 64, { backend: 'native' }).length);`);
  expectClean(r, 'ERR_TC_ENOMEM\nERR_TC_ENOMEM\n64', 'too large');
});

Life('a pooled Buffer (a view into a shared pool) is the input', () => {
  if (!native) return;
  const r = child(`${PRELUDE}
    const crypto = require('node:crypto');
    (async () => {
      const bufs = Array.from({ length: 50 }, (_, i) => Buffer.from('message number ' + i));
      const pooled = bufs.every((b) => b.buffer === bufs[0].buffer && b.byteLength < b.buffer.byteLength);
      const before = Buffer.from(bufs[0].buffer);
      const got = await Promise.all(bufs.map((b, i) => tc.sha256(b, { backend: 'native', mode: i % 2 ? 'copy' : 'auto' })));
      const sync = bufs.map((b) => tc.sha256Sync(b, { backend: 'native', mode: 'borrow' }));
      if (!sync.every((d, i) => Buffer.from(d).equals(Buffer.from(got[i])))) console.log('sync differs');
      const ok = got.every((d, i) => Buffer.from(d).equals(crypto.createHash('sha256').update(bufs[i]).digest()));
      console.log([pooled, ok, before.equals(Buffer.from(bufs[0].buffer))].join(' '));
    })();`);
  expectClean(r, 'true true true', 'pooled Buffer');
});

Life('the input is already detached', () => {
  for (const backend of backendsUnderTest()) {
    const r = child(`${PRELUDE}
      (async () => {
        const a = new Float64Array(8);
        structuredClone(a.buffer, { transfer: [a.buffer] });
        try { tc.sortSync(a, { backend: '${backend}' }); } catch (e) { console.log(e.code); }
        try { await tc.stats(a, { backend: '${backend}' }); } catch (e) { console.log(e.code); }
      })();`);
    expectClean(r, 'ERR_TC_DETACHED\nERR_TC_DETACHED', `detached, ${backend}`);
  }
});

Life('a worker that loaded the addon is terminated while its jobs run', () => {
  if (!native) return;
  const r = child(`${PRELUDE}
    (async () => {
      for (let round = 0; round < 3; round++) {
        const w = new Worker(\`
          const tc = require(process.cwd());
          const { parentPort } = require('node:worker_threads');
          const jobs = [];
          for (let i = 0; i < 6; i++) {
            jobs.push(tc.sha256(i % 2 ? new Uint8Array(64 << 20) : tc.alloc('uint8', 64 << 20, { backend: 'native' }), { backend: 'native', mode: i % 2 ? 'copy' : 'borrow' }));
            // Split in two: its parts are work items of their own.
            jobs.push(tc.sort(new Float64Array(1 << 21).map(Math.random), { backend: 'native', threads: 2 }));
          }
          parentPort.postMessage('started');
        \`, { eval: true });
        await new Promise((resolve) => w.once('message', resolve));
        await new Promise((resolve) => setTimeout(resolve, 20 * round));
        await w.terminate();
      }
      // The main thread's addon is unaffected.
      console.log(sorted(await tc.sort(big(100000), { backend: 'native' })) ? 'ok' : 'wrong');
    })();`);
  expectClean(r, 'ok', 'worker terminated');
});

Life('the process exits with jobs in flight', () => {
  if (!native) return;
  const exiting = child(`${PRELUDE}
    for (let i = 0; i < 8; i++) tc.sha256(i % 2 ? new Uint8Array(64 << 20) : tc.alloc('uint8', 64 << 20, { backend: 'native' }), { backend: 'native', mode: i % 2 ? 'copy' : 'borrow' });
    setTimeout(() => { console.log('exiting'); process.exit(0); }, 30);`);
  expectClean(exiting, 'exiting', 'process.exit() with jobs in flight');
  // Without an exit, pending jobs keep the process alive until they settle.
  const waiting = child(`${PRELUDE}
    tc.sort(big(1 << 20), { backend: 'native' }).then((a) => console.log(sorted(a) ? 'settled' : 'wrong'));`);
  expectClean(waiting, 'settled', 'natural exit waits for jobs');
});

Life('the native buffer cache: reused, bounded, given back when idle, never keeps the process alive', () => {
  if (!native) return;
  const r = child(`${PRELUDE}
    const cached = () => tc.backends().native.cachedBytes;
    const pause = (ms) => new Promise((r) => setTimeout(r, ms));
    (async () => {
      const a = big(1 << 17); // 1 MiB: copied into a cached buffer
      const stats = await tc.stats(a, { backend: 'native', mode: 'copy' });
      const once = cached();
      for (let i = 0; i < 3; i++) await tc.stats(a, { backend: 'native', mode: 'copy' });
      console.log('reused', once === a.byteLength, cached() === once);
      console.log('same result', (await tc.stats(a, { backend: 'native', mode: 'copy' })).mean === stats.mean);
      // A call of under half a cached buffer's size does not take it.
      const small = big(40000);
      await tc.stats(small, { backend: 'native', mode: 'copy' });
      // The cache's last use: from here, what it holds stays for at least
      // one whole trim period (5 s), however long the calls below take.
      const lastUse = Date.now();
      console.log('small', cached() === once + small.byteLength);
      // The trim timer is unref'd: it never shows as keeping the loop alive.
      console.log('timers', process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length);
      // Over the bound (256 MiB): freed at once, nothing else is evicted
      // (unless the call took so long that a trim may have come between).
      const huge = new Float64Array(300 << 17);
      await tc.stats(huge, { backend: 'native', mode: 'copy' });
      console.log('bounded', cached() === once + small.byteLength || Date.now() - lastUse >= 4900);
      while (cached() > 0 && Date.now() - lastUse < 30000) await pause(50);
      console.log('idle', cached(), Date.now() - lastUse >= 4900);
      // A worker's cached buffers go when the worker does.
      const w = new Worker(\`
        const tc = require(process.cwd());
        const { parentPort } = require('node:worker_threads');
        tc.stats(new Float64Array(1 << 17), { backend: 'native', mode: 'copy' })
          .then(() => parentPort.postMessage(tc.backends().native.cachedBytes));
      \`, { eval: true });
      const inWorker = await new Promise((r) => w.once('message', r));
      await w.terminate();
      console.log('worker', inWorker, cached());
    })();`);
  expectClean(r, ['reused true true', 'same result true', 'small true', 'timers 0', 'bounded true', 'idle 0 true',
    `worker ${1 << 20} 0`].join('\n'), 'buffer cache');
});

Life('big buffers are freed on a thread of their own, not on the JS thread: a trim, free(), a collected alloc()', () => {
  // Unmapping 128 MiB takes the thread that frees it about 10 ms: the
  // trim timer and the collector's finalizers land in whatever the JS
  // thread is doing, so the addon hands such memory to a thread of its
  // own, named twincore-free, which ends after a second with nothing to
  // free (Linux shows thread names). ASan keeps freed memory in
  // quarantine unless told not to.
  if (!native || process.platform !== 'linux') return;
  const env = process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: `${process.env.ASAN_OPTIONS}:quarantine_size_mb=0` } : {};
  const r = child(`${PRELUDE}${LOAD_BINDING}
    const fs = require('node:fs');
    const MIB = 1 << 20;
    const rss = () => process.memoryUsage.rss();
    const pause = (ms) => new Promise((r) => setTimeout(r, ms));
    // The freeing thread's id, if one runs; a thread's time on a CPU (ns).
    const freer = () => fs.readdirSync('/proc/self/task').find((t) => {
      try { return fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim() === 'twincore-free'; } catch { return false; }
    });
    const cpu = (t) => Number(fs.readFileSync('/proc/self/task/' + t + '/schedstat', 'utf8').split(' ')[0]);
    // With no freeing thread about, letGo() lets go of bytes: one starts,
    // and they go. Where letGo() is sync, it also compares the JS thread's
    // time on a CPU in letGo() with the freeing thread's (which did the
    // unmapping, if it ran at all).
    const check = async (what, bytes, letGo) => {
      for (const t0 = Date.now(); freer() && Date.now() - t0 < 5000;) await pause(20);
      const none = !freer();
      const before = rss();
      const main0 = cpu(process.pid);
      const wait = letGo();
      const main = cpu(process.pid) - main0;
      await wait;
      let seen;
      for (const t0 = Date.now(); Date.now() - t0 < 10000; await pause(2)) {
        seen = seen || freer();
        if (seen && rss() <= before - bytes / 2) break;
      }
      // A running thread's time on a CPU is brought up to date when it
      // stops (or at a scheduler tick): read it once the freeing thread,
      // done, sleeps (it lingers a second), not while it still unmaps.
      if (seen) await pause(50);
      const spent = seen && !(wait instanceof Promise) ? [main < cpu(seen)] : [];
      console.log(what, none, Boolean(seen), rss() <= before - bytes / 2, ...spent);
    };
    (async () => {
      const a = tc.alloc('float64', 8 * MIB, { backend: 'native' });
      a.set(big(8 * MIB));
      await tc.sort(a, { backend: 'native', mode: 'borrow', threads: 1 });
      const held = tc.backends().native.cachedBytes;
      console.log('cached', held >= 64 * MIB);
      binding.trim(); // the buffer is unused from this trim on
      await check('trim', held, () => console.log('taken out', binding.trim() === 0));
      const b = tc.alloc('float64', 16 * MIB, { backend: 'native' });
      b.fill(1);
      await check('free', b.byteLength, () => tc.free(b));
      let c = tc.alloc('float64', 16 * MIB, { backend: 'native' });
      c.fill(1);
      await check('collected', c.byteLength, async () => {
        c = null;
        global.gc();
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      });
    })();`, { env, nodeArgs: ['--expose-gc'] });
  expectClean(r, ['cached true', 'taken out true', 'trim true true true true', 'free true true true true',
    'collected true true true'].join('\n'), 'big buffers freed off the JS thread');
  // Node unloads an addon with the last worker that loaded it: the
  // freeing thread must not be left running code that is gone.
  const w = child(`
    const { Worker } = require('node:worker_threads');
    new Worker(\`
      const tc = require(\${JSON.stringify(process.cwd())});
      const a = tc.alloc('float64', 1 << 20, { backend: 'native' });
      a.fill(1);
      tc.free(a);
    \`, { eval: true }).on('exit', () => setTimeout(() => console.log('main thread on'), 1500));`, { env });
  expectClean(w, 'main thread on', 'a worker frees a big array and goes');
});

Life.run();
