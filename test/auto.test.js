'use strict';
// Where 'auto' runs a call (js/auto.js): the choice from fitted costs, and
// the calls it makes on this machine after calibrating.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { tc, backendsUnderTest, sameBits } = require('./helpers');
const auto = require('../js/auto');

const Decide = suite("'auto': the choice from fitted costs");

// Per byte: an in-cache copy 20 ps; stats 30 ps (memory-bound), sha256
// 600 ps; a call 3 µs; the round trip auto.ROUND_TRIP (40 µs).
const copy = { a: 0, b: 20e-12 };
const stats = { own: { a: 3e-6, b: 30e-12 }, js: { a: 0, b: 0.5e-9 } };
const sha = { own: { a: 3e-6, b: 600e-12 }, js: null };
const MIB = 1 << 20;

Decide('small calls run on the calling thread, the baseline where it beats the call', () => {
  assert.is(auto.decide(stats, copy, 1024, 1024 + 48, false), 'baseline');
  assert.is(auto.decide(stats, copy, 1024, 0, true), 'baseline');
  assert.is(auto.decide(stats, copy, 65536, 0, true), 'sync');
  assert.is(auto.decide(sha, copy, 4096, 4096 + 32, false), 'sync');
});

Decide('an async call goes to the pool when the round trip and its copies cost less than the work', () => {
  assert.is(auto.decide(sha, copy, MIB, MIB + 32, false), 'async');
  // Borrowed: nothing to copy.
  assert.is(auto.decide(stats, copy, 64 * MIB, 0, false), 'async');
});

Decide('out of cache, copying costs a memory-bound kernel at least its own pass', () => {
  // In cache the copy (20 ps/B) would look cheaper than stats (30 ps/B).
  for (const bytes of [MIB, 16 * MIB, 64 * MIB]) {
    assert.is(auto.decide(stats, copy, bytes, bytes + 48, false), 'sync', `${bytes} bytes`);
  }
  // sha256 is far from memory-bound: the copy stays cheap.
  assert.is(auto.decide(sha, copy, 64 * MIB, 64 * MIB + 32, false), 'async');
});

Decide('the calibration times each function after its warm-up, not from its first calls', () => {
  const spin = (s) => {
    const t0 = performance.now();
    while ((performance.now() - t0) / 1e3 < s);
  };
  // Slow for its first 50 ms, as a JS path is until the engine has
  // optimized it: 100 µs a call, then 5.
  const warming = () => {
    let first = null;
    return () => {
      const now = performance.now();
      if (first === null) first = now;
      spin(now - first < 50 ? 100e-6 : 5e-6);
    };
  };
  // Timed from its first calls, every round falls in the slow spell...
  const [cold] = auto.seconds([warming()], { ...auto.CALIBRATION, warm: 0 });
  assert.ok(cold >= 100e-6, `${cold * 1e6} µs per call`);
  // ...and after a warm-up longer than the spell, none does.
  const [warm] = auto.seconds([warming()], { ...auto.CALIBRATION, warm: 60e-3 });
  assert.ok(warm < 50e-6, `${warm * 1e6} µs per call`);
});

Decide('a fit holds both its points, a comparison sort\'s n log n too', () => {
  const near = (x, y) => Math.abs(x / y - 1) < 1e-9;
  // A call: 2 µs fixed, 1 ns a byte.
  const call = auto.fit(1024, 2e-6 + 1024e-9, 16384, 2e-6 + 16384e-9);
  assert.ok(near(auto.at(call, 4096), 2e-6 + 4096e-9), JSON.stringify(call));
  // V8's sort of 256 and 4096 new keys each call: 6.2 and 150 µs. A line
  // with no fixed part cannot hold both: through the larger it put the
  // smaller at 9.6 µs.
  const sort = auto.fit(1024, 6.2e-6, 16384, 150e-6);
  assert.ok(near(auto.at(sort, 1024), 6.2e-6) && near(auto.at(sort, 16384), 150e-6), JSON.stringify(sort));
  // n log n below the points: 64 keys take 1.2 µs here.
  assert.ok(auto.at(sort, 256) > 1.1e-6 && auto.at(sort, 256) < 1.4e-6, `${auto.at(sort, 256)}`);
  // So the addon's sort (2 µs a call, 1 ns a byte) wins from a few hundred
  // bytes on, and the baseline below.
  const f = { own: call, js: sort };
  assert.is(auto.decide(f, copy, 1024, 0, true), 'sync');
  assert.is(auto.decide(f, copy, 128, 0, true), 'baseline');
});

Decide('a sort\'s calibration sorts new keys each call, 64K keys in turn', () => {
  for (const dtype of ['uint32', 'int32', 'float32', 'float64']) {
    for (const w of [1024, 16384]) {
      const make = auto.sample('sort', dtype, w);
      const n = w / (dtype === 'float64' ? 8 : 4);
      const cycle = Math.floor(65536 / n);
      const seen = new Set();
      let first;
      for (let i = 0; i < cycle; i++) {
        const v = make().input.view;
        assert.is(v.length, n, `${dtype} ${w} B`);
        const head = Array.from(v.subarray(0, 4)).join();
        if (i === 0) first = head;
        seen.add(head);
      }
      assert.is(seen.size, cycle, `${dtype} ${w} B: ${seen.size} sets of keys in ${cycle} calls`);
      assert.is(Array.from(make().input.view.subarray(0, 4)).join(), first, `${dtype} ${w} B: then the first again`);
    }
  }
  // More keys than the run holds: each call still sorts all of them.
  const big = auto.sample('sort', 'uint32', 4 << 17);
  for (let i = 0; i < 3; i++) assert.is(big().input.view.length, 1 << 17);
});

const native = backendsUnderTest().includes('native');
const Live = suite("'auto' on this machine (native)");

const inflight = () => tc.backends().native.inflight;
// Jobs a call queued: none if it ran on the calling thread. (No job can
// complete in between: completions run on a later turn.)
function queued(start) {
  const before = inflight();
  const p = start();
  return { p, queued: inflight() - before };
}

Live('an async stats of an ordinary array runs on the calling thread, small or from 1 MiB on', async () => {
  if (!native) return;
  // (In between, in cache, a copy can cost about what the pass does.)
  // From 1 MiB on it stays here because the calibration found stats
  // memory-bound (its pass within NEAR_COPY of a copy's, per byte), as it
  // is on an idle machine; a pass timed so slow under load that it is not
  // rightly goes to the pool.
  const fit = () => auto.calibration().fits['native:stats:float64'];
  for (const n of [128, 1 << 17, 1 << 20]) {
    const a = new Float64Array(n).map((_, i) => Math.sin(i));
    const r = queued(() => tc.stats(a));
    const f = fit();
    const memoryBound = f.perUnit < auto.NEAR_COPY * f.copyPerByte;
    if (!memoryBound) console.log(`  (stats timed as far from memory-bound, so it went to the pool: ${JSON.stringify(f)})`);
    assert.is(r.queued, n === 128 || memoryBound ? 0 : 1, `${n} elements: ${JSON.stringify(f)}`);
    assert.equal(await r.p, tc.statsSync(a));
  }
});

Live('a large sha256 of an ordinary array, and a large stats of shared memory, go to the pool', async () => {
  if (!native) return;
  const bytes = new Uint8Array(4 * MIB).map((_, i) => i * 7);
  const h = queued(() => tc.sha256(bytes));
  // sha256 is far from memory-bound: copying 4 MiB costs less than
  // hashing it, so it goes to the pool. Under ASan (the js-asan run) the
  // engine's copies go through ASan's memmove, at times within NEAR_COPY
  // of the instrumented sha256 per byte: there the fits take it for
  // memory-bound, a copy then costs what the pass does, and it rightly
  // runs here.
  const fit = auto.calibration().fits['native:sha256:uint8'];
  const memoryBound = fit.perUnit < auto.NEAR_COPY * fit.copyPerByte;
  if (!/asan/.test(process.env.LD_PRELOAD || '')) assert.not.ok(memoryBound, JSON.stringify(fit));
  assert.is(h.queued, memoryBound ? 0 : 1, `sha256 4 MiB copied and queued where not memory-bound: ${JSON.stringify(fit)}`);
  assert.ok(sameBits(await h.p, tc.sha256Sync(bytes, { backend: 'native' })));
  const shared = new Float64Array(new SharedArrayBuffer(4 * MIB)).fill(2.5);
  const s = queued(() => tc.stats(shared));
  assert.is(s.queued, 1, 'stats 4 MiB borrowed and queued');
  assert.is((await s.p).mean, 2.5);
});

Live('the calibration is measured once per kernel and type, and shown', async () => {
  if (!native) return;
  tc.sortSync(new Int32Array([3, 1, 2]));
  const fit = auto.calibration().fits['native:sort:int32'];
  assert.ok(fit && fit.perUnit > 0 && fit.perCall >= 0 && fit.copyPerByte > 0, JSON.stringify(fit));
  // V8's sort is timed too, not taken from a constant.
  assert.ok(fit.baselinePerUnit > 0 && fit.baselinePerCall >= 0, JSON.stringify(fit));
  tc.sortSync(new Int32Array([5, 4]));
  assert.equal(auto.calibration().fits['native:sort:int32'], fit);
});

Decide.run();
Live.run();
