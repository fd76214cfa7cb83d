'use strict';
// The 'wasm' backend: the core compiled with Emscripten, on a shared heap
// (wasm/runtime.js). It can only address its own heap, so:
//   copy    the input is copied into the heap and the result out of it;
//   borrow  the arrays already live in the heap (alloc(type, n, { backend:
//           'wasm' })) and are used in place; matmul then returns its
//           result as a heap array too, free()able like an alloc()'d one;
//   auto    borrow heap arrays, copy the rest.
// Sync calls compute on the calling thread, async ones on the pool.

const { KERNEL, DTYPE, STATUS, ARRAY_OF } = require('./constants');
const { abortError, error } = require('./errors');
const ownership = require('./ownership');
const { onAbort } = require('./signals');
const wasmRuntime = require('../wasm/runtime');

// Heap arrays that are forgotten instead of freed.
const registry = new FinalizationRegistry(({ rt, ptr }) => rt.free(ptr));

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

// A heap array owned by the library: freed by free() or, if forgotten, by
// the garbage collector.
function adoptHeapArray(rt, Ctor, ptr, length) {
  const view = rt.view(Ctor, ptr, length);
  registry.register(view, { rt, ptr }, view);
  return ownership.adopt(view, view, 'wasm', () => {
    registry.unregister(view);
    rt.free(ptr);
  });
}

function alloc(type, length) {
  const rt = runtime();
  const Ctor = ARRAY_OF[type];
  const bytes = length * Ctor.BYTES_PER_ELEMENT;
  const ptr = rt.malloc(bytes);
  rt.u8().fill(0, ptr, ptr + bytes);
  return adoptHeapArray(rt, Ctor, ptr, length);
}

// Put a call's arrays in the heap; returns where they are and what to free.
function stage(rt, call) {
  const inputs = [call.input, call.input2].filter(Boolean);
  const resident = inputs.every((v) => rt.owns(v));
  let mode = call.mode;
  if (mode === 'borrow' && !resident) {
    throw error('ERR_TC_BORROW',
      "the wasm backend can only borrow arrays that live in its heap (alloc(type, n, { backend: 'wasm' })); use mode 'copy'");
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
  if (s.mode === 'borrow' && call.kernel === 'matmul') {
    // Zero-copy: the result stays in the heap, handed over to the caller.
    s.owned.splice(s.owned.indexOf(s.out[0]), 1);
    return adoptHeapArray(rt, Ctor, s.out[0], call.output.length);
  }
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
  const views = [call.input, call.input2].filter(Boolean);
  let job = 0;
  let poolFailed = false;
  ownership.pin(views);
  try {
    const made = makeJob(rt, call, s);
    job = made.job;
    if (made.status !== 0) return finish(rt, call, s, made.status);
    let status;
    const forget = onAbort(call.signal, () => rt.cancel(job));
    try {
      status = await rt.runAsync(job);
    } catch (err) {
      // A pool thread may still hold the job: leave its memory alone.
      poolFailed = err.code === 'ERR_TC_WASM_POOL';
      throw err;
    } finally {
      forget();
    }
    return finish(rt, call, s, status);
  } finally {
    if (!poolFailed) {
      if (job) rt.freeJob(job);
      s.owned.forEach((p) => rt.free(p));
    }
    ownership.unpin(views);
  }
}

function info() {
  const rt = wasmRuntime.get();
  if (!rt) return { available: false, error: wasmRuntime.getLoadError().message };
  return {
    available: true,
    threads: rt.threads,
    simd: 'simd128',
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
