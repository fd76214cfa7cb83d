'use strict';
// The 'wasm' backend: the core compiled with Emscripten, on a shared heap
// (wasm/runtime.js). It can only address its own heap, so:
//   copy    the input is copied into the heap and the result out of it;
//   borrow  the arrays already live in the heap (alloc(type, n, { backend:
//           'wasm' })) and are used in place; results come back as
//           ordinary arrays (copied out of the heap);
//   auto    borrow heap arrays, copy the rest.
// Sync calls compute on the calling thread, async ones on the pool, split
// into parts that run on several pool threads at once where the call asks
// for it (options.threads) or 'auto' finds it pays (js/threads.js).

const { KERNEL, DTYPE, STATUS, ARRAY_OF, simdOf } = require('./constants');
const { abortError, error, describe } = require('./errors');
const ownership = require('./ownership');
const validate = require('./validate');
const I = require('./intrinsics');
const { onAbort } = require('./signals');
const wasmRuntime = require('../wasm/runtime');
const simd = require('./simd');
const threads = require('./threads');

// Pool threads taken by the async calls in flight: what 'auto' sees as busy.
const busy = new threads.Busy();

// TWINCORE_SIMD=scalar: the module built without wasm SIMD. Any other cap
// allows simd128's 16-byte vectors, so it changes nothing here.
wasmRuntime.configure({ scalar: simd.cap === 'scalar' });

function runtime() {
  const rt = wasmRuntime.get();
  if (rt && rt.broken) throw rt.broken;
  if (!rt) {
    const cause = wasmRuntime.getLoadError();
    throw error('ERR_TC_BACKEND_UNAVAILABLE', `the wasm backend is not available: ${cause.message}`, cause);
  }
  return rt;
}

function statusError(rt, status, signal) {
  const name = STATUS[status] ?? 'UNKNOWN';
  if (name === 'CANCELED') return abortError(signal);
  const Ctor = name === 'ESIZE' || name === 'EOVERFLOW' || name === 'ENOMEM' ? RangeError : name === 'EDTYPE' ? TypeError : Error;
  const err = new Ctor(rt.strerror(status));
  err.code = `ERR_TC_${name}`;
  return err;
}

// alloc()'d heap arrays, by address: ptr -> entry. An entry counts the
// arrays that view its memory (the one alloc() returned and every
// subarray() of it), each refered to weakly; its memory goes back to the
// heap only once all of them are collected. Until then a freed entry is
// quarantined: no allocation can reuse its memory, so a write through a
// freed array lands where nobody else looks, and every call refuses it.
const live = new Map();
// The allocations that overlap each 64 KiB page of the heap, for finding
// the one an array lies in without a search over all of them.
const pages = new Map();
const registry = new FinalizationRegistry((e) => {
  e.views--;
  reclaim(e);
});

function index(e, add) {
  const last = (e.ptr + e.bytes - 1) >>> 16;
  for (let page = e.ptr >>> 16; page <= last; page++) {
    let set = pages.get(page);
    if (add) {
      if (!set) pages.set(page, (set = new Set()));
      set.add(e);
    } else if (set) {
      set.delete(e);
      if (set.size === 0) pages.delete(page);
    }
  }
}

function reclaim(e) {
  // A broken module (see runtime.js) takes nothing back: the entry stays,
  // so that its arrays are still known (and refused once freed).
  if (e.views > 0 || e.pins > 0 || !live.has(e.ptr) || e.rt.broken) return;
  live.delete(e.ptr);
  index(e, false);
  e.rt.free(e.ptr);
}

// The allocation an array info (validate.js) lies in, freed or not, if any
// (the ownership resolver).
function entryOfView(info) {
  const rt = wasmRuntime.get();
  if (!rt || live.size === 0 || !rt.owns(info.buffer)) return undefined;
  const at = info.byteOffset;
  const set = pages.get(at >>> 16);
  if (!set) return undefined;
  for (const e of set) {
    if (e.ptr <= at && at + info.byteLength <= e.ptr + e.bytes) return e;
  }
  return undefined;
}
ownership.addResolver(entryOfView);

// Count an array as a view of e's memory, and the subarrays it makes. The
// owner of a subarray is found from the subarray itself, whatever `this`
// the method was called on.
function track(e, view) {
  e.views++;
  registry.register(view, e);
  Object.defineProperty(view, 'subarray', { value: subarray, writable: true, configurable: true });
  return view;
}

function subarray(begin, end) {
  const sub = I.typedSubarray(this, begin, end);
  const owner = entryOfView({
    buffer: I.typedBuffer(sub), byteOffset: I.typedByteOffset(sub), byteLength: I.typedByteLength(sub),
  });
  return owner ? track(owner, sub) : sub;
}

function alloc(type, length) {
  const rt = runtime();
  const bytes = length * ARRAY_OF[type].BYTES_PER_ELEMENT;
  const ptr = rt.malloc(bytes);
  I.typedFill(rt.u8(), 0, ptr, ptr + bytes);
  return adopt(rt, type, ptr, length);
}

// An array of the heap memory at ptr, which it owns from now on as an
// alloc()'d array does: free() or the collector gives it back.
function adopt(rt, type, ptr, length) {
  const Ctor = ARRAY_OF[type];
  const bytes = length * Ctor.BYTES_PER_ELEMENT;
  const view = rt.view(Ctor, ptr, length);
  const ref = new WeakRef(view);
  const e = {
    backend: 'wasm', rt, ptr, bytes: Math.max(bytes, 1), pins: 0, views: 0, freed: false, hold: null,
    array: () => ref.deref(),
    release: () => reclaim(e),
    idle: () => reclaim(e),
  };
  live.set(ptr, e);
  index(e, true);
  return track(e, view);
}

// Whether an array can be borrowed: only one inside a live alloc()'d
// array can, not any other view of the heap's buffer (validate.js refused
// freed ones).
function inHeap(info) {
  return entryOfView(info) !== undefined;
}

function isResident(arrays) {
  return arrays.every(inHeap);
}

// Where a call's arrays are in the heap (stage()), and what to free after.
class Staged {
  constructor(mode, arrays) {
    this.mode = mode; // 'copy' or 'borrow'
    this.arrays = arrays; // the array infos of the call's arrays (validate.arraysOf)
    this.owned = []; // heap blocks the call allocated
    this.inPtr = 0;
    this.inLen = 0;
    this.in2Ptr = 0;
    this.in2Len = 0;
    this.outPtr = 0; // 0 for a small output, in the job's own block
    this.outLen = 0;
  }

  // A copy of an input in the heap, or the input itself if borrowed.
  place(rt, info) {
    if (this.mode === 'borrow') return info.byteOffset;
    const p = rt.malloc(info.byteLength);
    this.owned.push(p);
    I.typedSet(rt.u8(), new Uint8Array(info.buffer, info.byteOffset, info.byteLength), p);
    return p;
  }
}

// Put a call's arrays in the heap; returns where they are and what to free.
function stage(rt, call) {
  const arrays = validate.arraysOf(call);
  const resident = isResident(arrays);
  let mode = call.mode;
  if (mode === 'borrow' && !resident) {
    throw error('ERR_TC_BORROW',
      `the wasm backend can only borrow arrays that live in its heap (alloc(type, n, { backend: 'wasm' })); got ${
        arrays.filter((info) => !inHeap(info)).map((info) => describe(info.view)).join(' and ')
      }: use mode 'copy'`);
  }
  if (mode === 'auto') mode = resident ? 'borrow' : 'copy';
  const given = call.output.info;
  const s = new Staged(mode, arrays);
  try {
    s.inPtr = s.place(rt, call.input);
    s.inLen = call.input.byteLength;
    if (call.input2) {
      s.in2Ptr = s.place(rt, call.input2);
      s.in2Len = call.input2.byteLength;
    }
    s.outLen = call.output.length * ARRAY_OF[call.output.type].BYTES_PER_ELEMENT;
    if (given === call.input) {
      s.outPtr = s.inPtr;
    } else if (given && mode === 'borrow') {
      s.outPtr = given.byteOffset;
    } else {
      // A small output goes in the job's block (makeJob()).
      if (s.outLen === 0 || s.outLen > rt.smallOut) {
        s.outPtr = rt.malloc(s.outLen);
        s.owned.push(s.outPtr);
      }
    }
  } catch (err) {
    s.owned.forEach((p) => rt.free(p));
    throw err;
  }
  return s;
}

function makeJob(rt, call, s, parts = 1) {
  const made = rt.makeJob(KERNEL[call.kernel], DTYPE[call.dtype], s.inPtr, s.inLen, s.in2Ptr, s.in2Len,
    s.outPtr, s.outLen, call.dims, parts);
  s.outPtr = made.out;
  return made;
}

// A zero-copy call's result up to this size is copied out of the heap
// (cheaper than an array the heap has to track); a larger one stays there,
// like the native backend's.
const SMALL_OUTPUT = 4096;

// The result of a finished job.
function finish(rt, call, s, status) {
  if (status !== 0) throw statusError(rt, status, call.signal);
  const given = call.output.info;
  if (given) {
    if (s.mode === 'copy') {
      // The array may have been detached or shrunk meanwhile (grown is fine).
      validate.checkWriteBack(given, s.outLen, given === call.input ? 'array' : 'options.out');
      I.typedSet(new Uint8Array(given.buffer, given.byteOffset, s.outLen), heapBytes(rt, s.outPtr, s.outLen));
    }
    return given.view;
  }
  if (s.mode === 'borrow' && s.outLen > SMALL_OUTPUT) {
    // Zero-copy: the result stays where the job wrote it.
    s.owned.splice(s.owned.indexOf(s.outPtr), 1);
    return adopt(rt, call.output.type, s.outPtr, call.output.length);
  }
  const out = ownership.newArray(call.output.type, call.output.length);
  // Copied as bytes (a NaN keeps its payload), through the engine's own
  // set(), not one a caller may have put on the prototype, from a view of
  // the heap at outPtr: malloc()'d or the job block's small-output slot,
  // 8-byte aligned either way (wasm/runtime.js). A small array stays on
  // V8's heap where it was made: its .buffer would move it out.
  I.typedSet(out, new ARRAY_OF[call.output.type](I.typedBuffer(rt.u8()), s.outPtr, call.output.length));
  return out;
}

// A Uint8Array over bytes of the heap as it is now (it may have grown).
function heapBytes(rt, ptr, bytes) {
  return new Uint8Array(I.typedBuffer(rt.u8()), ptr, bytes);
}

// Bytes an async call copies on the calling thread: arrays that do not
// live in the heap go in and their result comes out; of a borrowed call,
// only a new result of up to SMALL_OUTPUT bytes is copied out (finish()).
function asyncCopyBytes(call) {
  if (!isResident(validate.arraysOf(call))) return validate.copiedBytes(call, validate.inputsOf(call));
  const out = call.output.info ? 0 : call.output.length * ARRAY_OF[call.output.type].BYTES_PER_ELEMENT;
  return out > SMALL_OUTPUT ? 0 : out;
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
  const pinned = ownership.pin(s.arrays);
  let job = 0;
  // Whether the memory must outlive this call: an aborted job still in the
  // queue or its parts still running, or a pool that failed while it ran.
  let keep = false;
  // Gives back the pool threads the job takes, once it no longer runs.
  let give = () => {};
  try {
    const made = makeJob(rt, call, s, threads.parts(call, rt.threads, busy));
    job = made.job;
    if (made.status !== 0) return finish(rt, call, s, made.status);
    give = busy.take(made.parts);
    const done = made.parts > 1 ? rt.runSplit(job) : rt.runAsync(job);
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
      if (status === 'aborted' && made.parts > 1) {
        // A split call rejects once every part has stopped: the current
        // phase's parts return at their next chunk, tc_next() ends the
        // job, and a sort has put its keys back (a permutation).
        const failed = await done.then(() => null, (err) => err);
        if (failed && failed.code === 'ERR_TC_WASM_POOL') {
          keep = true;
          give();
        }
        throw abortError(call.signal);
      }
      if (status === 'aborted') {
        // Settle now; the pool drops the job when it reaches it, and only
        // then is its memory given back.
        keep = true;
        done.then(() => {
          give();
          release(rt, job, s, pinned);
        }, () => {});
        throw abortError(call.signal);
      }
    } else {
      status = await done;
    }
    return finish(rt, call, s, status);
  } catch (err) {
    if (err.code === 'ERR_TC_WASM_POOL') {
      keep = true;
      give();
    }
    throw err;
  } finally {
    if (!keep) {
      give();
      release(rt, job, s, pinned);
    }
  }
}

function release(rt, job, s, pinned) {
  if (job) rt.freeJob(job);
  s.owned.forEach((p) => rt.free(p));
  ownership.unpin(pinned);
}

function info() {
  const rt = wasmRuntime.get();
  if (!rt || rt.broken) return { available: false, error: (rt ? rt.broken : wasmRuntime.getLoadError()).message };
  const paths = rt.paths();
  return {
    available: true,
    threads: rt.threads,
    simd: simdOf(paths),
    paths,
    simdCap: simd.cap,
    build: rt.build,
    compiler: rt.compiler(),
    heapSize: rt.heapSize,
    heapUsed: rt.heapUsed(),
    inflight: rt.inflight,
  };
}

module.exports = {
  name: 'wasm',
  get available() {
    const rt = wasmRuntime.get();
    return rt !== null && !rt.broken;
  },
  get loadError() {
    return wasmRuntime.get()?.broken ?? wasmRuntime.getLoadError();
  },
  runSync,
  run,
  asyncCopyBytes,
  alloc,
  info,
};
