'use strict';
// How the wasm backend learns that async calls finished: pool threads put
// each finished job (or split phase) on a completion queue in the heap,
// and the calling thread waits on that queue once for all the calls in
// flight, settling every finished one when it wakes (wasm/runtime.js).
// Results checked against node:crypto and sync calls; calls that finish
// out of order, an abort among many, split and whole calls mixed.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { child, backendsUnderTest } = require('./helpers');

const has = backendsUnderTest().includes('wasm');
const Dispatch = suite('wasm dispatch');

// The start of child scripts: the facade, the wasm runtime, and
// settled(start), the heap's growth since start once no call is in
// flight and freed arrays were collected (run with --expose-gc).
const PRELUDE = `
const tc = require(process.cwd());
const crypto = require('node:crypto');
const rt = require('./wasm/runtime').get();
const hex = (d) => Buffer.from(d).toString('hex');
const digest = (v) => crypto.createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex');
async function settled(start) {
  for (let i = 0; i < 100 && (rt.inflight > 0 || rt.heapUsed() !== start); i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return rt.heapUsed() - start;
}`;

Dispatch('waves of tiny calls in flight: every digest right, fewer waits than calls, nothing left over', () => {
  if (!has) return;
  const r = child(`${PRELUDE}
    (async () => {
      await tc.sha256(new Uint8Array(1), { backend: 'wasm' }); // the pool is started
      const start = rt.heapUsed();
      // Count the waits for completions: one per wake-up, not one per call.
      let waits = 0;
      const waitAsync = Atomics.waitAsync;
      Atomics.waitAsync = (...args) => { waits++; return waitAsync(...args); };
      let wrong = 0;
      let calls = 0;
      await (async () => {
        const heap = Array.from({ length: 64 }, (_, i) => {
          const v = tc.alloc('uint8', 16 + (i % 5), { backend: 'wasm' });
          v.forEach((_, j) => { v[j] = (i * 31 + j * 7) & 255; });
          return v;
        });
        const want = heap.map(digest);
        for (let wave = 0; wave < 100; wave++) {
          const n = 1 + ((wave * 13) % 64);
          const mode = wave % 3 === 0 ? 'copy' : 'borrow';
          const outs = await Promise.all(heap.slice(0, n).map((v) => tc.sha256(v, { backend: 'wasm', mode })));
          calls += n;
          outs.forEach((d, i) => { if (hex(d) !== want[i]) wrong++; });
        }
        heap.forEach((v) => tc.free(v));
      })();
      Atomics.waitAsync = waitAsync;
      console.log(wrong, waits < calls / 2 ? 'batched' : 'waits ' + waits + ' for ' + calls + ' calls',
        rt.inflight, rt.waiters.size, await settled(start));
    })();`, { nodeArgs: ['--expose-gc'], timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '0 batched 0 0 0');
});

Dispatch('a call on heap arrays with a small result and no scratch allocates nothing in the heap; past the spare job blocks it still works', () => {
  if (!has) return;
  const r = child(`${PRELUDE}
    (async () => {
      await tc.sha256(new Uint8Array(1), { backend: 'wasm' });
      const start = rt.heapUsed();
      const out = await (async () => {
        const v = tc.alloc('uint8', 16, { backend: 'wasm' });
        v.set([...Array(16).keys()]);
        const f = tc.alloc('float64', 100, { backend: 'wasm' });
        f.forEach((_, i) => { f[i] = i / 3; });
        const m = tc.alloc('float32', 4, { backend: 'wasm' });
        m.set([1, 2, 3, 4]);
        const wantStats = tc.statsSync(f, { backend: 'wasm' });
        let mallocs = 0;
        const malloc = rt.M._malloc;
        rt.M._malloc = (n) => { mallocs++; return malloc(n); };
        let wrong = 0;
        const opts = { backend: 'wasm', mode: 'borrow' };
        for (let wave = 0; wave < 20; wave++) {
          const calls = [];
          for (let i = 0; i < 64; i++) {
            calls.push(tc.sha256(v, opts).then((d) => hex(d) === digest(v)));
            calls.push(tc.stats(f, opts).then((s) => s.mean === wantStats.mean && s.variance === wantStats.variance));
          }
          wrong += (await Promise.all(calls)).filter((ok) => !ok).length;
        }
        const quiet = mallocs;
        // 1,000 in flight: more than the spare blocks; the rest are
        // allocated, and freed again. A matmul allocates its scratch.
        const many = await Promise.all(Array.from({ length: 1000 }, (_, i) => (i % 2
          ? tc.sha256(v, opts).then((d) => hex(d) === digest(v))
          : tc.matmul(m, m, 2, 2, 2, opts).then((c) => c.join() === '7,10,15,22'))));
        wrong += many.filter((ok) => !ok).length;
        rt.M._malloc = malloc;
        [v, f, m].forEach((a) => tc.free(a));
        return [wrong, quiet, mallocs > 0];
      })();
      console.log(...out, rt.jobs.size, await settled(start));
    })();`, { nodeArgs: ['--expose-gc'], timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '0 0 true 0 0');
});

Dispatch('calls awaited one by one wake at most one pool thread each', () => {
  if (!has) return;
  // The calling thread notifies pool threads only (wasm/runtime.js wake());
  // a thread it woke counts as awake at once, so that a call never wakes
  // a second thread for the one address it queued.
  const r = child(`${PRELUDE}
    (async () => {
      await tc.sha256(new Uint8Array(1), { backend: 'wasm' });
      let woken = 0;
      const notify = Atomics.notify;
      Atomics.notify = (...args) => { const n = notify(...args); woken += n; return n; };
      const v = tc.alloc('uint8', 16, { backend: 'wasm' });
      let wrong = 0;
      for (let i = 0; i < 300; i++) {
        v[0] = i;
        if (hex(await tc.sha256(v, { backend: 'wasm', mode: 'borrow' })) !== digest(v)) wrong++;
        // Now and then a pause, so that the pool is asleep for the next.
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      }
      Atomics.notify = notify;
      console.log(wrong, woken <= 300 ? 'at most one each' : woken + ' threads woken for 300 calls', woken > 0);
    })();`, { env: { TWINCORE_WASM_THREADS: '3' }, timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '0 at most one each true');
});

Dispatch('calls settle as they finish, not in the order they were made', () => {
  if (!has) return;
  // Two pool threads: one hashes 256 MiB while the other runs the small
  // calls queued after it; each small call settles long before the big one.
  const r = child(`${PRELUDE}
    (async () => {
      const big = tc.alloc('uint8', 256 << 20, { backend: 'wasm' });
      let bigDone = 0;
      const slow = tc.sha256(big, { backend: 'wasm' }).then(() => { bigDone = performance.now(); });
      const small = new Uint8Array(100).map((_, i) => i);
      const smallDone = [];
      await Promise.all(Array.from({ length: 50 }, () => tc.sha256(small, { backend: 'wasm', mode: 'copy' })
        .then((d) => smallDone.push(hex(d) === digest(small) ? performance.now() : NaN))));
      await slow;
      console.log(smallDone.length, smallDone.every((t) => t < bigDone));
      tc.free(big);
    })();`, { env: { TWINCORE_WASM_THREADS: '2' }, timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '50 true');
});

Dispatch('calls of a fraction of a millisecond in flight wake the calling thread every millisecond or so, not once each', () => {
  if (!has) return;
  // 64 hashes of 64 KiB (0.1-0.3 ms each) on 2 pool threads: a thread
  // that ends one while more wait on the queue holds its completion back
  // for up to HAND_BACK_MS (1 ms), so the calling thread wakes a few
  // times a wave: 10-12 times a wave of 7-8 ms here, 34 when each
  // completion woke it. Counted: its Atomics.waitAsync calls. Digests
  // checked.
  const r = child(`${PRELUDE}
    (async () => {
      const heap = Array.from({ length: 64 }, (_, i) => {
        const v = tc.alloc('uint8', 64 << 10, { backend: 'wasm' });
        v.fill(i);
        return v;
      });
      const want = heap.map(digest);
      await Promise.all(heap.map((v) => tc.sha256(v, { backend: 'wasm' })));
      let waits = 0;
      const waitAsync = Atomics.waitAsync;
      Atomics.waitAsync = (...args) => { waits++; return waitAsync(...args); };
      let wrong = 0;
      const waves = 10;
      const t0 = performance.now();
      for (let wave = 0; wave < waves; wave++) {
        const outs = await Promise.all(heap.map((v) => tc.sha256(v, { backend: 'wasm' })));
        outs.forEach((d, i) => { if (hex(d) !== want[i]) wrong++; });
      }
      const waveMs = (performance.now() - t0) / waves;
      Atomics.waitAsync = waitAsync;
      console.log(JSON.stringify({ wrong, perWave: waits / waves, waveMs, inflight: rt.inflight }));
      heap.forEach((v) => tc.free(v));
    })();`, { env: { TWINCORE_WASM_THREADS: '2' }, timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  const { wrong, perWave, waveMs, inflight } = JSON.parse(r.stdout);
  assert.is(wrong, 0, 'wrong digests');
  assert.is(inflight, 0);
  // Each of the 2 threads wakes it about once a millisecond, and once at
  // the end of the wave.
  assert.ok(perWave <= 2 * waveMs + 4, `the calling thread waited ${perWave} times a wave of 64 calls (${waveMs.toFixed(1)} ms)`);
});

Dispatch('calls that ended before a long one on the same pool thread settle long before it', () => {
  if (!has) return;
  // One pool thread: eight hashes of 64 KiB, then one of 256 MiB, queued
  // in one turn. The thread holds the small ones' completions back while
  // the long one waits on the queue, but wakes the calling thread for them
  // before it takes the long one (SLOW_WORK).
  const r = child(`${PRELUDE}
    (async () => {
      const big = tc.alloc('uint8', 256 << 20, { backend: 'wasm' });
      const small = tc.alloc('uint8', 64 << 10, { backend: 'wasm' });
      await tc.sha256(small, { backend: 'wasm' }); // the pool is started
      const t0 = performance.now();
      const smalls = Array.from({ length: 8 }, () => tc.sha256(small, { backend: 'wasm' }).then(() => performance.now() - t0));
      const long = tc.sha256(big, { backend: 'wasm' }).then(() => performance.now() - t0);
      const [s, l] = await Promise.all([Promise.all(smalls), long]);
      console.log(JSON.stringify({ small: Math.max(...s), long: l }));
      tc.free(big);
      tc.free(small);
    })();`, { env: { TWINCORE_WASM_THREADS: '1' }, timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  const { small, long } = JSON.parse(r.stdout);
  assert.ok(small < long / 2, `the small calls settled at ${small.toFixed(1)} ms, the long one at ${long.toFixed(1)} ms`);
});

Dispatch('a call made while a pool thread runs a long one wakes another thread; it does not wait behind it', () => {
  if (!has) return;
  // Two pool threads: one hashes 256 MiB; a single small call made in a
  // later turn, and then a second long one, each go to the thread that
  // sleeps, rather than wait on the queue for the busy one.
  const r = child(`${PRELUDE}
    (async () => {
      const big = tc.alloc('uint8', 256 << 20, { backend: 'wasm' });
      const big2 = tc.alloc('uint8', 64 << 20, { backend: 'wasm' });
      await tc.sha256(new Uint8Array(1), { backend: 'wasm' }); // the pool is started
      await new Promise((resolve) => setTimeout(resolve, 20)); // and asleep
      const t0 = performance.now();
      const slow = tc.sha256(big, { backend: 'wasm', mode: 'borrow' }).then(() => performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const small = new Uint8Array(100).map((_, i) => i);
      const d = await tc.sha256(small, { backend: 'wasm' });
      const smallAt = performance.now() - t0;
      await tc.sha256(big2, { backend: 'wasm', mode: 'borrow' });
      const secondAt = performance.now() - t0;
      const bigAt = await slow;
      console.log(JSON.stringify({ right: hex(d) === digest(small), smallAt, secondAt, bigAt }));
      tc.free(big);
      tc.free(big2);
    })();`, { env: { TWINCORE_WASM_THREADS: '2' }, timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  const { right, smallAt, secondAt, bigAt } = JSON.parse(r.stdout);
  assert.ok(right, 'the small call\'s digest');
  assert.ok(smallAt < bigAt / 2, `the small call settled at ${smallAt.toFixed(1)} ms, the long one at ${bigAt.toFixed(1)} ms`);
  assert.ok(secondAt < bigAt, `a 64 MiB hash made after the small call settled at ${secondAt.toFixed(1)} ms, the 256 MiB one at ${bigAt.toFixed(1)} ms`);
});

Dispatch('an abort among many calls in flight rejects that call at once; the others resolve right', () => {
  if (!has) return;
  const r = child(`${PRELUDE}
    (async () => {
      await tc.sha256(new Uint8Array(1), { backend: 'wasm' });
      const start = rt.heapUsed();
      const out = await (async () => {
        // Every pool thread busy, so that the small calls wait in the queue.
        const big = tc.alloc('uint8', 128 << 20, { backend: 'wasm' });
        const busy = Array.from({ length: rt.threads }, () => tc.sha256(big, { backend: 'wasm' }));
        const data = Array.from({ length: 200 }, (_, i) => new Uint8Array(32 + i).fill(i));
        const controllers = data.map(() => new AbortController());
        const calls = data.map((v, i) => tc.sha256(v, { backend: 'wasm', mode: 'copy', signal: controllers[i].signal }));
        const t0 = performance.now();
        controllers[77].abort();
        let abortedAfter = -1;
        let name = '';
        try {
          await calls[77];
        } catch (e) {
          abortedAfter = performance.now() - t0;
          name = e.name + ' ' + e.code;
        }
        const busyLeft = rt.inflight > data.length - 1;
        const rest = await Promise.all(calls.map((p, i) => (i === 77 ? null : p)));
        await Promise.all(busy);
        tc.free(big);
        const wrong = rest.filter((d, i) => i !== 77 && hex(d) !== digest(data[i])).length;
        return [name, busyLeft, abortedAfter < 1000, wrong];
      })();
      // settled() first: the aborted call's job goes once a pool thread
      // reaches and drops it, which may come after the others settled.
      const heap = await settled(start);
      console.log(...out, rt.inflight, heap);
    })();`, { nodeArgs: ['--expose-gc'], timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'AbortError ABORT_ERR true true 0 0 0');
});

Dispatch('split and whole calls in flight together give the results of sync calls', () => {
  if (!has) return;
  const r = child(`${PRELUDE}
    const validate = require('./js/validate');
    const wasm = require('./js/wasm');
    const same = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
    (async () => {
      await tc.sha256(new Uint8Array(1), { backend: 'wasm' });
      const start = rt.heapUsed();
      const bad = await (async () => {
        let seed = 3;
        const next = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed; };
        const f64 = new Float64Array(3 << 18).map(() => next() / 2 ** 16 - 32768); // 6 MiB: split by 1 MiB blocks
        const u32 = new Uint32Array(1 << 19).map(() => next());
        const wantStats = tc.statsSync(f64, { backend: 'wasm' });
        const wantSort = u32.slice().sort();
        const split = (kernel, args, threads) => {
          const call = validate[kernel](...args, { backend: 'wasm', mode: 'copy' }, false);
          call.threads = threads;
          return wasm.run(call);
        };
        const checks = [];
        for (let i = 0; i < 60; i++) {
          if (i % 3 === 0) {
            checks.push(split('stats', [f64], 2 + (i % 4)).then((s) => s[4] === wantStats.mean && s[5] === wantStats.variance));
          } else if (i % 3 === 1) {
            checks.push(split('sort', [u32.slice()], 2 + (i % 3)).then((s) => same(s, wantSort)));
          } else {
            const v = new Uint8Array(1000 + i).fill(i);
            checks.push(tc.sha256(v, { backend: 'wasm' }).then((d) => hex(d) === digest(v)));
          }
        }
        return (await Promise.all(checks)).map((ok, i) => (ok ? '' : i)).filter(String);
      })();
      console.log(bad.join(',') || 'ok', rt.inflight, await settled(start));
    })();`, { nodeArgs: ['--expose-gc'], env: { TWINCORE_WASM_THREADS: '3' }, timeout: 120000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'ok 0 0');
});

Dispatch('calls made in one run of code, with the pool asleep again between them, all settle', () => {
  if (!has) return;
  // Calls made in one go wake the pool once; a thread that ran the first
  // and went back to sleep before the next was queued must still be woken
  // for the next. A busy pause between the calls lets the threads sleep.
  const r = child(`${PRELUDE}
    (async () => {
      await tc.sha256(new Uint8Array(1), { backend: 'wasm' });
      const pause = (ms) => { const t = performance.now() + ms; while (performance.now() < t); };
      for (let round = 0; round < 5; round++) {
        const v = new Uint8Array(64).fill(round);
        const calls = [];
        for (let i = 0; i < 4; i++) {
          calls.push(tc.sha256(v, { backend: 'wasm', mode: 'copy' }));
          pause(20);
        }
        const outs = await Promise.race([Promise.all(calls), new Promise((r) => setTimeout(r, 5000, null))]);
        console.log(outs === null ? 'stuck' : outs.every((d) => hex(d) === digest(v)) ? 'ok' : 'wrong');
      }
      process.exit(0);
    })();`, { timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim().split('\n').join(' '), 'ok ok ok ok ok');
});

Dispatch('the process stays alive while calls are in flight and exits once they settle', () => {
  if (!has) return;
  // Nothing but the pending calls keeps the loop alive: it must wait for
  // them, then exit on its own with the pool idle.
  const r = child(`
    const tc = require(process.cwd());
    let n = 0;
    for (let round = 0; round < 3; round++) {
      setTimeout(() => {
        for (let i = 0; i < 64; i++) tc.sha256(new Uint8Array(1 << 16), { backend: 'wasm', mode: 'copy' }).then(() => n++);
      }, 20 * round);
    }
    process.on('exit', () => console.log(n));`, { timeout: 30000 });
  assert.is(r.signal, null, `killed by ${r.signal}: it did not exit on its own`);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '192');
});

Dispatch('calls back to back find a pool thread waiting for them; calls further apart wake one each', () => {
  if (!has) return;
  // While calls come one after another, the pool thread that ran one
  // waits a little (WARM_MS, 0.1 ms) for the next, awake: the calling
  // thread then has no sleeping thread to notify. Calls 2 ms apart find
  // every pool thread asleep, and notify one each. Counted: the calling
  // thread's Atomics.notify calls. Digests checked throughout.
  const r = child(`${PRELUDE}
    (async () => {
      const v = tc.alloc('uint8', 16, { backend: 'wasm' });
      await tc.sha256(v, { backend: 'wasm' }); // the pool is started
      let notifies = 0;
      const notify = Atomics.notify;
      Atomics.notify = (...args) => { notifies++; return notify(...args); };
      let wrong = 0;
      const one = async (i) => {
        v[0] = i & 255;
        const want = digest(v);
        if (hex(await tc.sha256(v, { backend: 'wasm' })) !== want) wrong++;
      };
      for (let i = 0; i < 3000; i++) await one(i);
      const backToBack = notifies;
      notifies = 0;
      for (let i = 0; i < 40; i++) {
        await one(i);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const apart = notifies;
      Atomics.notify = notify;
      console.log(JSON.stringify({ wrong, backToBack, apart, inflight: rt.inflight }));
    })();`, { timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  const { wrong, backToBack, apart, inflight } = JSON.parse(r.stdout);
  assert.is(wrong, 0, 'wrong digests');
  assert.is(inflight, 0);
  assert.ok(backToBack < 1000, `3000 calls back to back notified ${backToBack} times`);
  assert.ok(apart >= 32, `40 calls 2 ms apart notified ${apart} times`);
});

Dispatch.run();
