'use strict';
// Leaks and soak: 10,000 calls of every kernel in every mode on each
// backend, and 100,000 alloc/free cycles, leave nothing behind (no job in
// flight, no copy alive, the wasm heap as it was, RSS within a bound); a
// short run under valgrind finds no definite leak in the addon.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { tc, backendsUnderTest, collectGarbage, ROOT } = require('./helpers');

const CALLS = 10000;
// What RSS may grow by over a soak. A wasm heap only grows, and freed wasm
// memory is held back until the collector has taken its arrays, so a tight
// alloc/free loop takes the heap up before the collector catches up (by
// 136 MiB for 100,000 cycles of up to 4 KiB here): its bound is larger.
const RSS_BOUND = { native: 96 * 2 ** 20, js: 96 * 2 ** 20, wasm: 256 * 2 ** 20 };
const BACKENDS = backendsUnderTest().filter((b) => b !== 'js');

const Soak = suite('soak');

function inputs(backend, owned) {
  const make = (type, n, fill) => {
    const a = owned ? tc.alloc(type, n, { backend }) : new (type === 'float64' ? Float64Array : type === 'float32' ? Float32Array : type === 'int32' ? Int32Array : Uint8Array)(n);
    for (let i = 0; i < n; i++) a[i] = fill(i);
    return a;
  };
  return {
    bytes: make('uint8', 1000, (i) => i * 7),
    f64: make('float64', 256, (i) => Math.sin(i)),
    i32: make('int32', 256, (i) => (i * 7919) % 257),
    f32: make('float32', 64, (i) => (i % 9) - 4),
  };
}

// In a function of its own: a loop variable of the async test would stay
// in its suspended frame and keep the last array alive.
function freeAll(x) {
  for (const v of Object.values(x)) tc.free(v);
}

const ORACLE = {
  sha256: (x) => crypto.createHash('sha256').update(x.bytes).digest('hex'),
};

Soak('10,000 calls of every kernel in every mode on each backend leave nothing behind', async () => {
  // The pools started: their threads and stacks are not a leak.
  for (const backend of BACKENDS) await tc.sha256(new Uint8Array(64), { backend, mode: 'copy' });
  for (const backend of BACKENDS) {
    for (const mode of ['copy', 'borrow', 'auto']) {
      await collectGarbage();
      const heapBefore = tc.backends().wasm.available ? tc.backends().wasm.heapUsed : 0;
      // Async calls borrow only library memory: alloc() it for 'borrow'.
      let x = inputs(backend, mode === 'borrow' || backend === 'wasm');
      const want = ORACLE.sha256(x);
      const o = { backend, mode };
      let calls = {
        sha256: (s) => (s ? tc.sha256Sync(x.bytes, o) : tc.sha256(x.bytes, o)),
        stats: (s) => (s ? tc.statsSync(x.f64, o) : tc.stats(x.f64, o)),
        sort: (s) => (s ? tc.sortSync(x.i32, o) : tc.sort(x.i32, o)),
        matmul: (s) => (s ? tc.matmulSync(x.f32, x.f32, 8, 8, 8, o) : tc.matmul(x.f32, x.f32, 8, 8, 8, o)),
      };
      const rssBefore = process.memoryUsage().rss;
      for (const [kernel, call] of Object.entries(calls)) {
        for (let i = 0; i < CALLS; i += 100) {
          // 50 sync calls, then 50 async ones in flight at once.
          for (let j = 0; j < 50; j++) call(true);
          const results = await Promise.all(Array.from({ length: 50 }, () => call(false)));
          if (kernel === 'sha256' && Buffer.from(results[49]).toString('hex') !== want) {
            assert.unreachable(`${backend}/${mode}: a wrong digest after ${i} calls`);
          }
        }
      }
      await collectGarbage();
      const info = tc.backends();
      assert.is(info[backend].inflight, 0, `${backend}/${mode}: jobs in flight`);
      if (backend === 'native') assert.is(info.native.liveBytes, 0, `${backend}/${mode}: copies alive`);
      if (mode === 'borrow' || backend === 'wasm') freeAll(x);
      x = null;
      calls = null;
      await collectGarbage();
      if (backend === 'wasm') {
        const after = tc.backends().wasm.heapUsed;
        assert.is(after, heapBefore, `${mode}: wasm heap in use ${after - heapBefore} bytes more`);
      }
      const grown = process.memoryUsage().rss - rssBefore;
      assert.ok(grown < RSS_BOUND[backend], `${backend}/${mode}: RSS grew by ${(grown / 2 ** 20).toFixed(0)} MiB`);
    }
  }
});

Soak('100,000 alloc/free cycles on every backend leave nothing behind', async () => {
  for (const backend of backendsUnderTest()) {
    await collectGarbage();
    const heapBefore = tc.backends().wasm.available ? tc.backends().wasm.heapUsed : 0;
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 100000; i++) {
      const a = tc.alloc(['float64', 'uint8', 'int32'][i % 3], 1 + (i % 500), { backend });
      a[0] = i;
      tc.free(a);
    }
    await collectGarbage();
    if (tc.backends().wasm.available) assert.is(tc.backends().wasm.heapUsed, heapBefore, `${backend}: wasm heap`);
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < RSS_BOUND[backend], `${backend}: RSS grew by ${(grown / 2 ** 20).toFixed(0)} MiB`);
  }
});

// valgrind runs node and the addon on a virtual CPU (without AVX-512: the
// core then picks AVX2), some thirty times slower: a short run.
Soak('a short run under valgrind: no definite leak, no invalid access', () => {
  // (The ASan run, TWINCORE_NATIVE_ADDON, has its own leak check.)
  if (!BACKENDS.includes('native') || process.env.TWINCORE_NATIVE_ADDON) return;
  const valgrind = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  // make test installs it on Linux; elsewhere it may be missing.
  if (valgrind.status !== 0 && process.platform !== 'linux') return;
  assert.is(valgrind.status, 0, 'valgrind is not installed: make deps-valgrind installs it');
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'twincore-vg-')), 'run.js');
  fs.writeFileSync(script, `
    const tc = require(${JSON.stringify(ROOT)});
    (async () => {
      for (let i = 0; i < 30; i++) {
        for (const mode of ['copy', 'borrow']) {
          const a = tc.alloc('float64', 1000, { backend: 'native' });
          a.fill(i);
          await tc.stats(a, { backend: 'native', mode });
          tc.statsSync(a, { backend: 'native', mode });
          await tc.sort(tc.alloc('int32', 500, { backend: 'native' }), { backend: 'native', mode });
          await tc.sha256(new Uint8Array(1000), { backend: 'native', mode: 'copy' });
          await tc.matmul(new Float32Array(64), new Float32Array(64), 8, 8, 8, { backend: 'native', mode: 'copy' });
          tc.free(a);
        }
      }
      const ac = new AbortController();
      const p = tc.sha256(new Uint8Array(1 << 20), { backend: 'native', mode: 'copy', signal: ac.signal });
      ac.abort();
      await p.catch(() => {});
      try { tc.alloc('uint8', 2 ** 32 + 1, { backend: 'native' }); } catch {}
      console.log('done');
    })();`);
  const r = spawnSync('valgrind', ['--leak-check=full', '--errors-for-leak-kinds=definite', '--show-leak-kinds=definite',
    '--error-exitcode=99', process.execPath, script], {
    encoding: 'utf8', timeout: 300000, env: { ...process.env, TWINCORE_BACKEND: 'native' },
  });
  fs.rmSync(path.dirname(script), { recursive: true, force: true });
  assert.is(r.stdout.trim(), 'done', r.stderr.slice(-3000));
  assert.match(r.stderr, /definitely lost: 0 bytes in 0 blocks/);
  assert.is(r.status, 0, `valgrind found errors:\n${r.stderr.slice(-3000)}`);
});

Soak.run();
