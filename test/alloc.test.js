'use strict';
// alloc()/free(): library-owned arrays, zero-copy on their backend,
// released by free() now or when the last job using them completes.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { tc, backendsUnderTest } = require('./helpers');

const Alloc = suite('alloc');

Alloc('every type, zero-filled, usable by every kernel, then freed', async () => {
  for (const backend of backendsUnderTest()) {
    for (const [type, Ctor] of [['float64', Float64Array], ['float32', Float32Array], ['int32', Int32Array],
      ['uint32', Uint32Array], ['uint8', Uint8Array]]) {
      const v = tc.alloc(type, 1000, { backend });
      assert.instance(v, Ctor);
      assert.is(v.length, 1000);
      assert.ok(v.every((x) => x === 0));
      if (type !== 'uint8') {
        for (let i = 0; i < v.length; i++) v[i] = (i * 7919) % 1000;
        await tc.sort(v, { backend });
        for (let i = 1; i < v.length; i++) assert.ok(v[i - 1] <= v[i]);
      }
      tc.free(v);
      // A view of the shared heap cannot be emptied (its memory is held
      // back until the array is collected: see wasm.test.js); the others
      // are detached.
      if (backend !== 'wasm') assert.is(v.length, 0, 'freed: the view is empty');
      try {
        tc.free(v);
        assert.unreachable();
      } catch (err) {
        assert.is(err.code, 'ERR_TC_NOT_OWNED');
      }
    }
  }
});

Alloc('free() during a job waits for the job', async () => {
  if (!backendsUnderTest().includes('native')) return;
  const v = tc.alloc('float64', 1 << 22, { backend: 'native' });
  for (let i = 0; i < v.length; i++) v[i] = v.length - i;
  const p = tc.sort(v, { backend: 'native' });
  tc.free(v);
  assert.is(v.length, 1 << 22, 'still attached while the job runs');
  const out = await p;
  assert.is(out, v);
  assert.is(v.length, 0, 'released once the job completed');
});

Alloc('alloc()d arrays are borrowed: the native backend sorts them in place', async () => {
  if (!backendsUnderTest().includes('native')) return;
  const v = tc.alloc('int32', 5, { backend: 'native' });
  v.set([5, 4, 3, 2, 1]);
  const out = await tc.sort(v, { backend: 'native', mode: 'borrow' });
  assert.is(out, v);
  assert.equal(Array.from(v), [1, 2, 3, 4, 5]);
  tc.free(v);
});

Alloc.run();
