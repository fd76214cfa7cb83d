'use strict';
// The wasm backend: bit-for-bit parity with native, its heap (growth,
// alloc/free, no leaks), its thread pool (queueing, exit, workers), and
// the fallback to it when the addon cannot load.
const { suite } = require('uvu');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('uvu/assert');
const { tc, rng, child, sameBits, backendsUnderTest, toOwned } = require('./helpers');

const has = backendsUnderTest();
const Wasm = suite('wasm');

// The start of child scripts about the wasm heap, run with --expose-gc:
// tc, the heap's used bytes, and collected(), which collects garbage until
// done() says so (a FinalizationRegistry callback runs a turn after
// collection), at most tries times.
const HEAP = `async function collected(done, tries = 50) {
  for (let i = 0; i < tries && !done(); i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const tc = require(process.cwd());
const used = () => tc.backends().wasm.heapUsed;`;

function inputs(r) {
  const f64 = new Float64Array(50000);
  for (let i = 0; i < f64.length; i++) f64[i] = i % 97 === 0 ? [NaN, -0, Infinity][i % 3] : (r.float() - 0.5) * 10 ** r.below(20);
  const f32 = new Float32Array(40000).map(() => (r.float() - 0.5) * 100);
  const i32 = new Int32Array(40000).map(() => r.u32() | 0);
  const u32 = new Uint32Array(40000).map(() => r.u32());
  const a = new Float32Array(37 * 300).map(() => r.float() - 0.5);
  const b = new Float32Array(300 * 41).map(() => r.float() - 0.5);
  return { bytes: r.bytes(100003), f64, f32, i32, u32, a, b };
}

// Every kernel on one backend and mode; results as plain arrays.
async function everything(backend, mode, sync, x) {
  const own = (v) => (mode === 'borrow' && (backend === 'wasm' || !sync) ? toOwned(v, backend) : v.slice());
  const call = (name, ...args) => (sync ? tc[`${name}Sync`](...args, { backend, mode }) : tc[name](...args, { backend, mode }));
  const out = [await call('sha256', own(x.bytes)), Float64Array.from(Object.values(await call('stats', own(x.f64))))];
  for (const arr of [x.f64, x.f32, x.i32, x.u32]) out.push((await call('sort', own(arr))).slice());
  out.push((await call('matmul', own(x.a), own(x.b), 37, 300, 41)).slice());
  return out;
}

Wasm('native and wasm give the same bits for every kernel, in every mode', async () => {
  if (!has.includes('native') || !has.includes('wasm')) return;
  const x = inputs(rng(9));
  const want = await everything('native', 'copy', true, x);
  for (const mode of ['copy', 'borrow', 'auto']) {
    for (const sync of [true, false]) {
      for (const backend of ['native', 'wasm']) {
        const got = await everything(backend, mode, sync, x);
        got.forEach((g, i) => assert.ok(sameBits(g, want[i]), `${backend}/${mode}/${sync ? 'sync' : 'async'}: output ${i}`));
      }
    }
  }
});

Wasm('a wasm heap array is borrowed in place by the native backend too', async () => {
  if (!has.includes('native') || !has.includes('wasm')) return;
  const v = tc.alloc('float64', 10000, { backend: 'wasm' });
  for (let i = 0; i < v.length; i++) v[i] = v.length - i;
  const out = await tc.sort(v, { backend: 'native', mode: 'borrow' });
  assert.is(out, v);
  assert.ok(v.every((x, i) => x === i + 1));
  tc.free(v);
});

Wasm('the heap grows under live arrays: old views stay valid, jobs stay right', async () => {
  if (!has.includes('wasm')) return;
  const before = tc.backends().wasm.heapSize;
  const small = tc.alloc('int32', 1000, { backend: 'wasm' });
  small.set(Array.from({ length: 1000 }, (_, i) => 1000 - i));
  const huge = tc.alloc('uint8', before + (64 << 20), { backend: 'wasm' });
  assert.ok(tc.backends().wasm.heapSize > before, 'the heap grew');
  huge[huge.length - 1] = 7;
  await tc.sort(small, { backend: 'wasm' });
  assert.ok(small.every((x, i) => x === i + 1), 'sorted through a view made before the growth');
  const copyJob = await tc.sort(new Float64Array([3, 2, 1]), { backend: 'wasm', mode: 'copy' });
  assert.equal(Array.from(copyJob), [1, 2, 3]);
  assert.is(huge[huge.length - 1], 7);
  tc.free(huge);
  tc.free(small);
});

Wasm('100,000 alloc/free cycles and 10,000 copy jobs leave the heap as it was', () => {
  if (!has.includes('wasm')) return;
  // In a child of its own, so that no other test's forgotten arrays are
  // reclaimed meanwhile.
  const r = child(`${HEAP}
    (async () => {
      await tc.sha256(new Uint8Array(1), { backend: 'wasm', mode: 'copy' }); // the pool is started
      const start = used();
      for (let i = 0; i < 100000; i++) tc.free(tc.alloc(['float64', 'uint8', 'int32'][i % 3], 1 + (i % 500), { backend: 'wasm' }));
      // Freed memory goes back to the heap once its arrays are collected.
      await collected(() => used() === start);
      const afterAlloc = used();
      // All in flight at once: more than the queue's 4,096 slots.
      const jobs = [];
      for (let i = 0; i < 10000; i++) {
        jobs.push(i % 2 ? tc.sha256(new Uint8Array(64 + (i % 100)), { backend: 'wasm', mode: 'copy' })
          : tc.sort(new Int32Array([3, 1, 2, i]), { backend: 'wasm', mode: 'copy' }));
      }
      const results = await Promise.all(jobs);
      const right = results.every((x, i) => (i % 2 ? x.length === 32 : x.join() === Int32Array.from([3, 1, 2, i]).sort().join()));
      console.log(afterAlloc - start, used() - start, right, tc.backends().wasm.inflight);
    })();`, { timeout: 120000, nodeArgs: ['--expose-gc'] });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '0 0 true 0', 'heap growth after alloc/free, after jobs; results right; in flight');
});

Wasm('a zero-copy result over 4 KiB stays in the heap, owned like an alloc()ed array', () => {
  if (!has.includes('wasm')) return;
  const r = child(`${HEAP}
    (async () => {
      const n = 64;
      const a = tc.alloc('float32', n * n, { backend: 'wasm' });
      for (let i = 0; i < a.length; i++) a[i] = (i % 7) - 3;
      const want = tc.matmulSync(Float32Array.from(a), Float32Array.from(a), n, n, n, { backend: 'wasm' });
      await tc.sha256(new Uint8Array(1), { backend: 'wasm', mode: 'copy' }); // the pool is started
      const start = used();
      const heap = a.buffer;
      // In a function of its own: a suspended async function may keep its
      // dead locals (the result) alive.
      const once = async (sync) => {
        const c = sync ? tc.matmulSync(a, a, n, n, n, { backend: 'wasm', mode: 'borrow' })
          : await tc.matmul(a, a, n, n, n, { backend: 'wasm', mode: 'borrow' });
        const same = c.buffer === heap && c.every((x, i) => Object.is(x, want[i]));
        // A job borrows it like any heap array; free() gives it back.
        const s = await tc.sha256(c.subarray(0, 8), { backend: 'wasm', mode: 'borrow' });
        tc.free(c);
        let refused = '';
        try { tc.sha256Sync(c, { backend: 'wasm' }); } catch (e) { refused = e.code; }
        console.log(same, s.length, refused);
      };
      await once(true);
      await once(false);
      // A small result is still copied out: nothing for the heap to track.
      const small = tc.matmulSync(a.subarray(0, 16), a.subarray(0, 16), 4, 4, 4, { backend: 'wasm', mode: 'borrow' });
      console.log(small.buffer === heap);
      await collected(() => used() === start);
      console.log(used() - start);
    })();`, { nodeArgs: ['--expose-gc'] });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'true 32 ERR_TC_FREED\ntrue 32 ERR_TC_FREED\nfalse\n0');
});

Wasm('a freed array is quarantined: writes through it or its subarrays reach no later allocation', () => {
  if (!has.includes('wasm')) return;
  const r = child(`${HEAP}
    (async () => {
      const start = used();
      let a = tc.alloc('int32', 1024, { backend: 'wasm' });
      let sub = a.subarray(10, 20);
      tc.free(a);
      const held = used() - start;
      // Fresh allocations never land on the freed memory: fill them all
      // with 7 and write through the freed array and its subarray.
      let fresh = Array.from({ length: 64 }, () => tc.alloc('int32', 1024, { backend: 'wasm' }).fill(7));
      a.fill(123);
      sub.fill(456);
      const untouched = fresh.every((b) => b.every((x) => x === 7));
      let refused = '';
      for (const f of [() => tc.statsSync(new Float64Array(a.buffer, a.byteOffset, 8)), () => tc.sortSync(sub), () => tc.sha256Sync(a)]) {
        try { f(); refused += 'ran '; } catch (e) { refused += e.code + ' '; }
      }
      fresh.forEach((b) => tc.free(b));
      fresh = null;
      // Collected: the memory goes back to the heap, the subarray too.
      a = null;
      await collected(() => false, 3);
      const stillHeld = used() - start >= held;
      sub = null;
      await collected(() => used() === start);
      console.log(held >= 4096, untouched, refused.trim(), stillHeld, used() - start);
    })();`, { nodeArgs: ['--expose-gc'] });
  assert.is(r.status, 0, r.stderr);
  // The Float64Array made over the freed range by hand lies in it: refused.
  assert.is(r.stdout.trim(), 'true true ERR_TC_FREED ERR_TC_FREED ERR_TC_FREED true 0');
});

Wasm('a subarray made with another array\'s method keeps that array\'s memory out of circulation', () => {
  if (!has.includes('wasm')) return;
  const r = child(`${HEAP}
    (async () => {
      const start = used();
      let a = tc.alloc('int32', 1024, { backend: 'wasm' });
      let b = tc.alloc('int32', 1024, { backend: 'wasm' });
      let sub = a.subarray.call(b, 10, 20);
      tc.free(b);
      b = null;
      await collected(() => false, 5);
      let fresh = Array.from({ length: 64 }, () => tc.alloc('int32', 1024, { backend: 'wasm' }).fill(7));
      sub.fill(456);
      const untouched = fresh.every((x) => x.every((y) => y === 7));
      fresh.forEach((x) => tc.free(x));
      fresh = null;
      tc.free(a);
      a = null;
      sub = null;
      await collected(() => used() === start);
      console.log(untouched, used() - start);
    })();`, { nodeArgs: ['--expose-gc'] });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'true 0');
});

Wasm('job addresses are reused without jobs taking each other\'s wake-ups', async () => {
  if (!has.includes('wasm')) return;
  // Each job's memory is freed as it settles and a later one is often
  // allocated at the same address, while the pool thread of the earlier
  // one may still be about to notify it. Waves of tiny jobs in flight.
  for (let wave = 0; wave < 300; wave++) {
    const outs = await Promise.all(Array.from({ length: 64 }, (_, i) =>
      tc.sort(new Int32Array([2, 1, i - 1]), { backend: 'wasm', mode: 'copy' })));
    outs.forEach((out, i) => {
      if (out[0] !== Math.min(1, i - 1)) assert.unreachable(`wave ${wave} job ${i}: ${out}`);
    });
  }
});

Wasm('heap arrays are borrowed by range and held while a job uses them', async () => {
  if (!has.includes('wasm')) return;
  const crypto = require('node:crypto');
  // sha256 sees the array's bytes through a view of its own: the job still
  // holds the array, so free() waits and the memory is not reused meanwhile.
  const v = tc.alloc('float64', 1 << 21, { backend: 'wasm' });
  v.fill(1.25);
  const want = crypto.createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex');
  const p = tc.sha256(v, { backend: 'wasm', mode: 'borrow' });
  tc.free(v);
  const other = tc.alloc('float64', 1 << 21, { backend: 'wasm' });
  other.fill(-7);
  assert.is(Buffer.from(await p).toString('hex'), want);
  tc.free(other);
  // A subarray lies in its parent's allocation: borrowed, and held.
  const w = tc.alloc('int32', 1000, { backend: 'wasm' });
  w.set(Array.from({ length: 1000 }, (_, i) => 1000 - i));
  const part = w.subarray(100, 900);
  const sorted = tc.sort(part, { backend: 'wasm', mode: 'borrow' });
  tc.free(w);
  assert.is(await sorted, part);
  assert.ok(part.every((x, i) => i === 0 || part[i - 1] <= x));
  // A view kept after free() views freed memory: every call refuses it.
  for (const mode of ['borrow', 'copy']) {
    let thrown = null;
    try {
      await tc.sort(part, { backend: 'wasm', mode });
    } catch (err) {
      thrown = err;
    }
    assert.is(thrown && thrown.code, 'ERR_TC_FREED', mode);
  }
  // Results come back as ordinary arrays, never as views of the heap.
  const a = tc.alloc('float32', 4, { backend: 'wasm' });
  a.set([1, 2, 3, 4]);
  const c = await tc.matmul(a, a, 2, 2, 2, { backend: 'wasm', mode: 'borrow' });
  assert.ok(!(c.buffer instanceof SharedArrayBuffer));
  assert.equal(Array.from(c), [7, 10, 15, 22]);
  tc.free(a);
});

Wasm('an allocation too large for the heap is refused without harm', () => {
  if (!has.includes('wasm')) return;
  const keep = tc.alloc('int32', 100, { backend: 'wasm' });
  keep.fill(42);
  // 4 GiB and 8 bytes: more than the heap can hold; 2^40 elements: more
  // than any typed array.
  for (const [n, code] of [[2 ** 29 + 1, 'ERR_TC_ENOMEM'], [2 ** 40, 'ERR_TC_ENOMEM']]) {
    let thrown = null;
    try {
      tc.alloc('float64', n, { backend: 'wasm' });
    } catch (err) {
      thrown = err;
    }
    assert.is(thrown && thrown.code, code);
  }
  assert.ok(keep.every((x) => x === 42), 'other arrays untouched');
  tc.free(keep);
});

Wasm('an aborted job waiting in the queue settles at once', async () => {
  if (!has.includes('wasm')) return;
  const threads = tc.backends().wasm.threads;
  const big = tc.alloc('uint8', 256 << 20, { backend: 'wasm' });
  const t0 = process.hrtime.bigint();
  const busy = Array.from({ length: threads }, () => tc.sha256(big, { backend: 'wasm' }));
  const ac = new AbortController();
  const queued = tc.sort(new Float64Array(1000), { backend: 'wasm', signal: ac.signal });
  let abortedAt = 0;
  const settled = queued.then(() => 'resolved', (e) => {
    abortedAt = process.hrtime.bigint();
    return e.name;
  });
  ac.abort();
  assert.is(await settled, 'AbortError');
  await Promise.all(busy);
  const busyDone = process.hrtime.bigint();
  assert.ok(abortedAt < busyDone, 'rejected before the pool was free');
  assert.ok(Number(abortedAt - t0) < Number(busyDone - t0) / 2);
  tc.free(big);
});

Wasm('loading the wasm backend leaves no global behind', () => {
  if (!has.includes('wasm')) return;
  const r = child(`const tc = require(process.cwd()); tc.backends();
    tc.sha256Sync(new Uint8Array(1), { backend: 'wasm' });
    console.log(typeof Worker, process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection'));`);
  assert.is(r.stdout.trim(), 'undefined 0 0');
});

Wasm('a process that used the wasm backend exits on its own', () => {
  if (!has.includes('wasm')) return;
  const r = child(`
    const tc = require(process.cwd());
    tc.sort(new Float64Array(1 << 20).map(Math.random), { backend: 'wasm' })
      .then((a) => console.log(a.every((v, i) => i === 0 || a[i - 1] <= v) ? 'done' : 'wrong'));`, { timeout: 30000 });
  assert.is(r.signal, null, `killed by ${r.signal}: it did not exit on its own`);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'done');
});

Wasm('TWINCORE_WASM_THREADS sets the pool size', () => {
  if (!has.includes('wasm')) return;
  const r = child(`const tc = require(process.cwd()); console.log(tc.backends().wasm.threads);`,
    { env: { TWINCORE_WASM_THREADS: '3' } });
  assert.is(r.stdout.trim(), '3');
});

Wasm('the facade in a worker_thread on wasm, terminated mid-job', () => {
  if (!has.includes('wasm')) return;
  const r = child(`
    const { Worker } = require('node:worker_threads');
    const tc = require(process.cwd());
    (async () => {
      for (let round = 0; round < 3; round++) {
        const w = new Worker(\`
          const tc = require(process.cwd());
          const { parentPort } = require('node:worker_threads');
          tc.sha256(new Uint8Array(8 << 20), { backend: 'wasm', mode: 'copy' }).then((d) => parentPort.postMessage(d.length));
          for (let i = 0; i < 8; i++) tc.sha256(new Uint8Array(32 << 20), { backend: 'wasm', mode: 'copy' });
        \`, { eval: true });
        const first = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
        if (first !== 32) console.log('wrong digest length');
        await w.terminate();
      }
      const d = await tc.sha256(new Uint8Array(10), { backend: 'wasm' });
      console.log(d.length === 32 ? 'ok' : 'wrong');
    })();`, { timeout: 60000 });
  assert.is(r.signal, null, `killed by ${r.signal}`);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'ok');
});

Wasm("an addon that cannot load: 'auto' falls back to wasm with the same results", () => {
  if (!has.includes('wasm')) return;
  const script = `
    const tc = require(process.cwd());
    (async () => {
      const a = new Float64Array(20000).map((_, i) => Math.sin(i));
      const sorted = await tc.sort(a.slice());
      const digest = Buffer.from(await tc.sha256(Buffer.from('twincore'))).toString('hex');
      const s = await tc.stats(a);
      console.log(tc.backends().default, tc.backends().native.available, digest, s.sum,
        Buffer.from(sorted.buffer).toString('base64').length, Buffer.from(sorted.buffer).equals(Buffer.from(a.slice().sort().buffer)));
    })();`;
  // A broken build: garbage where the shared object should be.
  const file = path.join(os.tmpdir(), `twincore-broken-${process.pid}.node`);
  fs.writeFileSync(file, 'not an ELF file');
  const broken = child(script, { env: { TWINCORE_NATIVE_ADDON: file } });
  fs.rmSync(file);
  assert.is(broken.status, 0, broken.stderr);
  const [backend, available, ...rest] = broken.stdout.trim().split(' ');
  assert.is(backend, 'wasm');
  assert.is(available, 'false');
  if (!has.includes('native')) return;
  const reference = child(script, { env: { TWINCORE_BACKEND: 'native' } });
  assert.equal(rest, reference.stdout.trim().split(' ').slice(2), 'same results as the native build');
});

Wasm.run();
