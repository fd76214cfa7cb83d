'use strict';
// The 'wasm' backend: the core compiled with Emscripten, on a shared heap
// (wasm/runtime.js). It can only address its own heap, so:
//   copy    the input is copied into the heap and the result out of it;
//   borrow  the arrays already live in the heap (alloc(type, n, { backend:
//           'wasm' })) and are used in place; results come back as
//           ordinary arrays (copied out of the heap);
//   auto    borrow heap arrays, copy the rest.
// Sync calls compute on the calling thread, async ones on the pool.

const { KERNEL, DTYPE, STATUS, ARRAY_OF, simdOf } = require('./constants');
const { abortError, error, describe } = require('./errors');
const ownership = require('./ownership');
const { onAbort } = require('./signals');
const wasmRuntime = require('../wasm/runtime');

function runtime() {
  const rt = wasmRuntime.get();
  if (!rt) {
    const cause = wasmRuntime.getLoadError();
    throw error('ERR_TC_BACKEND_UNAVAILABLE', `the wasm backend is not available: ${cause.message}`, cause);
  }
  return rt;
}

function statusError(rt, status, signal) {
  const name = STATUS[status] ?? 'UNKNOWN';
  if (name === 'CANCELED') return abortError(signal);
  const Ctor = name === 'ESIZE' || name === 'EOVERFLOW' ? RangeError : name === 'EDTYPE' ? TypeError : Error;
  const err = new Ctor(rt.strerror(status));
  err.code = `ERR_TC_${name}`;
  return err;
}

// alloc()'d heap arrays, by address: ptr -> entry, with the addresses
// sorted for finding the allocation a view lies in. An entry refers to its
// array weakly, so that a forgotten array can be collected (and its memory
// reclaimed through the registry), and strongly while a job holds it.
const live = new Map();
let starts = [];
const registry = new FinalizationRegistry((ptr) => {
  const e = live.get(ptr);
  if (e && !e.freed) forget(e);
});

function forget(e) {
  live.delete(e.ptr);
  starts = starts.filter((p) => p !== e.ptr);
  e.rt.free(e.ptr);
}

// The live allocation a view lies in, if any (the ownership resolver).
function entryOfView(view) {
  const rt = wasmRuntime.get();
  if (!rt || live.size === 0 || !rt.owns(view)) return undefined;
  let lo = 0;
  let hi = starts.length - 1;
  const at = view.byteOffset;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= at) lo = mid + 1;
    else hi = mid - 1;
  }
  const e = hi >= 0 ? live.get(starts[hi]) : undefined;
  if (!e || e.freed || at + view.byteLength > e.ptr + e.bytes || !e.array()) return undefined;
  return e;
}
ownership.addResolver(entryOfView);

function alloc(type, length) {
  const rt = runtime();
  const Ctor = ARRAY_OF[type];
  const bytes = length * Ctor.BYTES_PER_ELEMENT;
  const ptr = rt.malloc(bytes);
  rt.u8().fill(0, ptr, ptr + bytes);
  const view = rt.view(Ctor, ptr, length);
  const ref = new WeakRef(view);
  const e = {
    backend: 'wasm', rt, ptr, bytes: Math.max(bytes, 1), pins: 0, freed: false, hold: null,
    array: () => ref.deref(),
    release: () => {
      registry.unregister(e);
      forget(e);
    },
  };
  live.set(ptr, e);
  const i = starts.findIndex((p) => p > ptr);
  if (i < 0) starts.push(ptr);
  else starts.splice(i, 0, ptr);
  registry.register(view, ptr, e);
  return view;
}

// Put a call's arrays in the heap; returns where they are and what to free.
function stage(rt, call) {
  const inputs = [call.input, call.input2].filter(Boolean);
  // Only views inside a live alloc()'d array are borrowed: not a stale view
  // of freed memory, nor any other view of the heap's buffer.
  const resident = inputs.every((v) => entryOfView(v) !== undefined);
  let mode = call.mode;
  if (mode === 'borrow' && !resident) {
    throw error('ERR_TC_BORROW',
      `the wasm backend can only borrow arrays that live in its heap (alloc(type, n, { backend: 'wasm' })); got ${
        inputs.map(describe).join(' and ')}: use mode 'copy'`);
  }
  if (mode === 'auto') mode = resident ? 'borrow' : 'copy';
  const s = { mode, owned: [], in: [0, 0], in2: [0, 0], out: [0, 0] };
  const place = (v) => {
    if (!v) return [0, 0];
    if (mode === 'borrow') return [v.byteOffset, v.byteLength];
    const p = rt.malloc(v.byteLength);
    s.owned.push(p);
    rt.u8().set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), p);
    return [p, v.byteLength];
  };
  try {
    s.in = place(call.input);
    s.in2 = place(call.input2);
    if (call.output === 'input') {
      s.out = s.in;
    } else {
      const bytes = call.output.length * ARRAY_OF[call.output.type].BYTES_PER_ELEMENT;
      s.out = [rt.malloc(bytes), bytes];
      s.owned.push(s.out[0]);
    }
  } catch (err) {
    s.owned.forEach((p) => rt.free(p));
    throw err;
  }
  return s;
}

function makeJob(rt, call, s) {
  return rt.makeJob(KERNEL[call.kernel], DTYPE[call.dtype], s.in[0], s.in[1], s.in2[0], s.in2[1],
    s.out[0], s.out[1], call.dims);
}

// The result of a finished job, out of the heap.
function finish(rt, call, s, status) {
  if (status !== 0) throw statusError(rt, status, call.signal);
  if (call.output === 'input') {
    if (s.mode === 'copy') {
      if (call.input.byteLength !== s.in[1]) {
        throw error('ERR_TC_DETACHED', 'output was detached or resized while the job ran');
      }
      new Uint8Array(call.input.buffer, call.input.byteOffset, s.in[1]).set(rt.u8().subarray(s.in[0], s.in[0] + s.in[1]));
    }
    return call.input;
  }
  const Ctor = ARRAY_OF[call.output.type];
  const out = new Ctor(call.output.length);
  new Uint8Array(out.buffer).set(rt.u8().subarray(s.out[0], s.out[0] + s.out[1]));
  return out;
}

function runSync(call) {
  const rt = runtime();
  const s = stage(rt, call);
  let job = 0;
  try {
    const made = makeJob(rt, call, s);
    job = made.job;
    return finish(rt, call, s, made.status !== 0 ? made.status : rt.runSync(job));
  } finally {
    if (job) rt.freeJob(job);
    s.owned.forEach((p) => rt.free(p));
  }
}

async function run(call) {
  const rt = runtime();
  const s = stage(rt, call);
  const pinned = ownership.pin([call.input, call.input2].filter(Boolean));
  let job = 0;
  // Whether the memory must outlive this call: an aborted job still in the
  // queue, or a pool that failed while it ran.
  let keep = false;
  try {
    const made = makeJob(rt, call, s);
    job = made.job;
    if (made.status !== 0) return finish(rt, call, s, made.status);
    const done = rt.runAsync(job);
    let status;
    if (call.signal) {
      let forget = () => {};
      const aborted = new Promise((resolve) => {
        forget = onAbort(call.signal, () => {
          rt.cancel(job);
          resolve('aborted');
        });
      });
      try {
        status = await Promise.race([done, aborted]);
      } finally {
        forget();
      }
      if (status === 'aborted') {
        // Settle now; the pool drops the job when it reaches it, and only
        // then is its memory given back.
        keep = true;
        done.then(() => release(rt, job, s, pinned), () => {});
        throw abortError(call.signal);
      }
    } else {
      status = await done;
    }
    return finish(rt, call, s, status);
  } catch (err) {
    if (err.code === 'ERR_TC_WASM_POOL') keep = true;
    throw err;
  } finally {
    if (!keep) release(rt, job, s, pinned);
  }
}

function release(rt, job, s, pinned) {
  if (job) rt.freeJob(job);
  s.owned.forEach((p) => rt.free(p));
  ownership.unpin(pinned);
}

function info() {
  const rt = wasmRuntime.get();
  if (!rt) return { available: false, error: wasmRuntime.getLoadError().message };
  const paths = rt.paths();
  return {
    available: true,
    threads: rt.threads,
    simd: simdOf(paths),
    paths,
    compiler: rt.compiler(),
    heapSize: rt.heapSize,
    heapUsed: rt.heapUsed(),
    inflight: rt.inflight,
  };
}

module.exports = {
  name: 'wasm',
  get available() {
    return wasmRuntime.get() !== null;
  },
  get loadError() {
    return wasmRuntime.getLoadError();
  },
  runSync,
  run,
  alloc,
  info,
};
