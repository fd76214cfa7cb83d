'use strict';
// The 'native' backend: the Node-API addon (native/), loaded with
// node-gyp-build so that prebuilt binaries work too. Sync calls run on the
// calling thread; async calls run on the libuv threadpool
// (UV_THREADPOOL_SIZE threads) and settle a Promise.

const fs = require('node:fs');
const path = require('node:path');
const { KERNEL, DTYPE, MODE, ARRAY_OF, simdOf } = require('./constants');
const I = require('./intrinsics');
const validate = require('./validate');
const { abortError } = require('./errors');
const { constants: { MAX_LENGTH: MAX_BUFFER } } = require('node:buffer');
const ownership = require('./ownership');
const { onAbort } = require('./signals');
const { setTimeout: later } = require('node:timers');
const threads = require('./threads');

const busy = new threads.Busy();

// TWINCORE_NATIVE_ADDON names a .node file to load instead (the tests use
// it for the AddressSanitizer build).
let binding = null;
let loadError = null;
// The libuv threadpool's size, read by the addon as libuv reads
// UV_THREADPOOL_SIZE (native/addon.c): what options.threads is capped at,
// and the most runners the addon starts. 0 without an addon.
let POOL = 0;
try {
  const file = process.env.TWINCORE_NATIVE_ADDON;
  binding = file ? require(path.resolve(file)) : require('node-gyp-build')(path.resolve(__dirname, '..'));
  for (const fn of ['run', 'runAsync', 'flush', 'cancel', 'cancelAll', 'alloc', 'detach', 'info']) {
    if (typeof binding[fn] !== 'function') throw new Error(`the loaded addon has no ${fn}(): not twincore's`);
  }
  const about = binding.info();
  if (typeof binding.trim !== 'function' || typeof about.paths !== 'object' || typeof about.threads !== 'number') {
    throw new Error('the loaded addon is older than this package; rebuild it with `npm rebuild twincore`');
  }
  POOL = about.threads;
} catch (err) {
  binding = null;
  loadError = new Error(whyNotLoaded(err), { cause: err });
}

// Why no addon loaded, in words and with what to do: the cause the install
// step recorded (native/build.js), else what the loader said.
function whyNotLoaded(err) {
  const said = String(err && err.message).split('\n')[0];
  if (process.env.TWINCORE_NATIVE_ADDON) return `TWINCORE_NATIVE_ADDON did not load: ${said}`;
  const { STATUS_FILE, HINT } = require('../native/build');
  let status = null;
  try {
    status = JSON.parse(fs.readFileSync(STATUS_FILE, 'utf8'));
  } catch {
    // no record: the install step did not run
  }
  if (status && status.ok === false) return `the native addon was not built at install: ${status.reason}. ${status.hint || HINT}`;
  if (status && status.ok) {
    return `the native addon that install found (${status.file}) does not load: ${said}. ` +
      'Run `npm rebuild twincore` to build it again.';
  }
  return `no native addon was found for ${process.platform}-${process.arch} and the install step did not ` +
    `build one (was npm run with --ignore-scripts?): ${said}. ${HINT}`;
}

let lastId = 0;
let exitHook = false;

// Node finishes queued threadpool work before the process exits; stop
// ours instead of making exit wait for it.
function cancelAllOnExit() {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => binding.cancelAll());
}

const lendable = (info) => ownership.ownerOf(info) === 'native';

// runAsync() queues a job (the first of a turn starts a pool thread at
// once); flush() ends the turn: once per turn, after every call of the
// turn is queued, it starts more pool threads if the calls outnumber those
// taking them, and the one waiting for more calls stops (native/addon.c).
let flushing = false;
// A resolved promise's reaction is a microtask too, without the async
// resource queueMicrotask() makes for each callback.
const RESOLVED = Promise.resolve();
function flush() {
  flushing = false;
  binding.flush();
}

// The addon keeps large copy and scratch buffers for the next call
// (native/cache.h). While it holds any, an unref'd timer trims it every
// TRIM_MS: a buffer no call took for a whole period is given back, so an
// idle process holds none after two periods, and the timer stops. Large
// calls a few seconds apart keep theirs: given back after one to two
// seconds (a period of 1 s), a 16M-element sort's 64 MiB scratch was
// faulted in afresh by a call 2.5 s after the one before, which took
// 140-195 ms against 100-139 (the bench's sort rows, whose rounds put a
// second or two of V8's sort between two calls, paid it in every round).
const TRIM_MS = 5000;
let trimTimer = null;

function trimLater() {
  if (trimTimer === null) trimTimer = later(trimNow, TRIM_MS).unref();
}

function trimNow() {
  trimTimer = null;
  if (binding.trim() > 0) trimLater();
}

// The arrays a call reads, and its output: the input itself for sort,
// options.out for matmul, else null: the binding makes the output array
// (writing into it in place, or copying the result into it). The binding
// reads each array's type, length and memory from the engine itself.
function args(call, mode) {
  return [KERNEL[call.kernel], DTYPE[call.dtype], MODE[mode], call.input.view,
    call.input2 ? call.input2.view : null, call.dims[0], call.dims[1], call.dims[2],
    call.output.info ? call.output.info.view : null];
}

// Bytes an async 'auto' call would copy on the calling thread: none when
// it borrows (a small result copied out aside), else its inputs, and its
// result copied back (sort, options.out) or out.
function asyncCopyBytes(call) {
  if (ownership.resolveMode(call, validate.arraysOf(call), lendable) === 'borrow') return 0;
  return validate.copiedBytes(call, validate.inputsOf(call));
}

// A result the binding made of at most 64 bytes (a digest, the stats, a
// small product) comes back as a string of its bytes, one char per byte:
// far cheaper for the binding to make than an ArrayBuffer (native/addon.c,
// TC_INLINE_OUTPUT). Its array is made here, one V8 keeps on its own heap
// at this size; the bytes go through BYTES, a scratch of 64 bytes, and
// are copied as bytes (a NaN keeps its payload).
const BYTES = new Uint8Array(64);
const BYTES_BUFFER = I.typedBuffer(BYTES);

function resultOf(out, type) {
  if (typeof out !== 'string') return out;
  const n = out.length;
  for (let i = 0; i < n; i++) BYTES[i] = I.charCodeAt(out, i);
  const count = n / ARRAY_OF[type].BYTES_PER_ELEMENT;
  const result = new ARRAY_OF[type](count);
  I.typedSet(result, new ARRAY_OF[type](BYTES_BUFFER, 0, count));
  return result;
}

function runSync(call) {
  try {
    return resultOf(binding.run(...args(call, ownership.resolveMode(call, validate.arraysOf(call), lendable))),
      call.output.type);
  } finally {
    trimLater();
  }
}

// Not an async function: a call in flight costs one promise reaction
// (the cleanup below), not the extra promises and ticks of an await, which
// show when many small calls are in flight at once.
function run(call) {
  const { signal } = call;
  const views = validate.arraysOf(call);
  const mode = ownership.resolveMode(call, views, lendable);
  const id = ++lastId;
  cancelAllOnExit();
  // Pinned before the job exists: nothing between may free its memory.
  const pinned = ownership.pin(views);
  const parts = threads.parts(call, POOL, busy);
  const give = busy.take(parts);
  let promise;
  try {
    promise = binding.runAsync(id, ...args(call, mode), parts);
  } catch (err) {
    give();
    ownership.unpin(pinned);
    throw err;
  }
  if (!flushing) {
    flushing = true;
    RESOLVED.then(flush);
  }
  const forget = onAbort(signal, () => binding.cancel(id));
  const done = () => {
    give();
    forget();
    ownership.unpin(pinned);
    trimLater();
  };
  return promise.then((out) => {
    done();
    return resultOf(out, call.output.type);
  }, (err) => {
    done();
    throw err.code === 'ERR_TC_CANCELED' ? abortError(signal) : err;
  });
}

// An ArrayBuffer of the addon's own memory (see native/block.h): async
// calls may borrow it. Node makes external buffers of at most
// buffer.constants.MAX_LENGTH bytes. Where external buffers are not
// allowed at all, a plain ArrayBuffer, which async calls then copy.
function allocBuffer(bytes) {
  if (bytes > MAX_BUFFER) {
    throw ownership.enomem(`cannot allocate ${bytes} bytes: a native alloc() holds at most ${MAX_BUFFER} ` +
      '(buffer.constants.MAX_LENGTH)');
  }
  try {
    return binding.alloc(bytes);
  } catch (err) {
    if (err.code === 'ERR_TC_ENOMEM') throw err;
    return new ArrayBuffer(bytes);
  }
}

function release(buffer) {
  binding.detach(buffer);
}

function info() {
  if (!binding) {
    return { available: false, error: loadError ? loadError.message : 'not loaded' };
  }
  const i = binding.info();
  return {
    available: true,
    napiVersion: i.napiVersion,
    simd: simdOf(i.paths),
    paths: i.paths,
    // The TWINCORE_SIMD cap as the core read it (null: none).
    simdCap: i.simdCap ?? null,
    compiler: i.compiler,
    threads: POOL,
    inflight: i.inflight,
    liveBytes: i.liveBytes,
    cachedBytes: i.cachedBytes,
  };
}

module.exports = {
  name: 'native',
  get available() {
    return binding !== null;
  },
  get loadError() {
    return loadError;
  },
  runSync,
  run,
  asyncCopyBytes,
  allocBuffer,
  release,
  info,
};
