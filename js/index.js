'use strict';
// twincore's public API. Every function validates its arguments here, picks
// a backend, and hands it a call that is already valid; an async function
// rejects with exactly what its sync twin throws.

const validate = require('./validate');
const I = require('./intrinsics');
const ownership = require('./ownership');
const native = require('./native');
const wasm = require('./wasm');
const baseline = require('./baseline');
const auto = require('./auto');
const { error, valueError, abortError, describe } = require('./errors');
const { ARRAY_OF } = require('./constants');
const simd = require('./simd');

const BACKENDS = { native, wasm, js: baseline };

// TWINCORE_BACKEND sets the backend that 'auto' (the default) stands for.
const ENV_BACKEND = process.env.TWINCORE_BACKEND || 'auto';
const ENV_SET = Boolean(process.env.TWINCORE_BACKEND);
const ENV_ERROR = validate.BACKENDS.includes(ENV_BACKEND) ? null
  : `TWINCORE_BACKEND must be one of ${validate.BACKENDS.join(', ')}; got ${describe(ENV_BACKEND)}`;


// What 'auto' stands for (TWINCORE_BACKEND valid): the variable's
// backend, else the first of native, wasm and js that is available.
function autoName() {
  if (ENV_BACKEND !== 'auto') return ENV_BACKEND;
  return native.available ? 'native' : wasm.available ? 'wasm' : 'js';
}

function backendName(requested) {
  if (requested !== 'auto') return requested;
  if (ENV_ERROR) throw valueError(ENV_ERROR);
  const name = autoName();
  if (name === 'wasm' && !ENV_SET) warnFallback();
  return name;
}

// The first time 'auto' runs on wasm for want of the addon, say so once:
// npm hides what the install step printed. Not when the user chose a
// backend, by option or by setting TWINCORE_BACKEND (even to 'auto').
let warned = false;
function warnFallback() {
  if (warned) return;
  warned = true;
  process.emitWarning(`${native.loadError.message.replace(/\.?$/, '.')} Until then 'auto' runs on WebAssembly. ` +
    "Set TWINCORE_BACKEND=wasm (or pass { backend: 'wasm' }) to choose it and silence this warning.",
  { type: 'TwincoreWarning', code: 'TWINCORE_NATIVE_UNAVAILABLE' });
}

// An invalid TWINCORE_SIMD makes every call that names native or wasm, or
// whose 'auto' stands for one of them, throw, whatever its size (so that
// a typo shows on the first call, not only on large inputs).
function pick(call) {
  const name = backendName(call.backend);
  if (simd.error && name !== 'js') throw valueError(simd.error);
  const backend = BACKENDS[name];
  if (!backend.available) {
    const cause = backend.loadError;
    throw error('ERR_TC_BACKEND_UNAVAILABLE',
      `the ${name} backend is not available${cause ? `: ${cause.message}` : ''}`, cause);
  }
  return backend;
}

function shapeStats(out) {
  return { count: out[0], sum: out[1], min: out[2], max: out[3], mean: out[4], variance: out[5] };
}

function shape(kernel, out) {
  return kernel === 'stats' ? shapeStats(out) : out;
}

// Where an 'auto' call (no backend, no mode) runs: on the calling thread
// (the backend's sync call, or the baseline where that is faster and the
// user did not pin a backend with TWINCORE_BACKEND) or on the pool; from
// this machine's measurements (auto.js).
function where(backend, call) {
  if (call.backend !== 'auto' || call.mode !== 'auto' || backend === baseline) return call.sync ? 'sync' : 'async';
  const w = auto.choose(backend, call);
  return w === 'baseline' && ENV_BACKEND !== 'auto' ? 'sync' : w;
}

function runSync(call) {
  const backend = pick(call);
  const out = where(backend, call) === 'baseline' ? baseline.runSync(call) : backend.runSync(call);
  return shape(call.kernel, out);
}

// An async call's promise. Throws what a sync call would (the exported
// functions turn that into a rejection). No async functions between the
// caller and the backend: each would add promises and ticks to every call.
function runAsync(call) {
  const backend = pick(call);
  if (call.signal && I.signalAborted(call.signal)) throw abortError(call.signal);
  const w = where(backend, call);
  if (w === 'async') {
    const promise = backend.run(call);
    return call.kernel === 'stats' ? promise.then(shapeStats) : promise;
  }
  // Run here as a sync call would (the call is this call's own object).
  call.sync = true;
  return Promise.resolve(shape(call.kernel, (w === 'baseline' ? baseline : backend).runSync(call)));
}

// Runs an async call: its promise, or a rejection with what validating
// it (validated(), which returns the call) or starting it threw. A
// closure rather than rest arguments: V8 inlines it, where a rest array
// and its spread cost every call.
function settle(validated) {
  try {
    return runAsync(validated());
  } catch (err) {
    return Promise.reject(err);
  }
}

function sha256Sync(data, options) {
  return runSync(validate.sha256(data, options, true));
}
function sha256(data, options) {
  return settle(() => validate.sha256(data, options, false));
}

function statsSync(data, options) {
  return runSync(validate.stats(data, options, true));
}
function stats(data, options) {
  return settle(() => validate.stats(data, options, false));
}

function sortSync(array, options) {
  return runSync(validate.sort(array, options, true));
}
function sort(array, options) {
  return settle(() => validate.sort(array, options, false));
}

function matmulSync(a, b, m, k, n, options) {
  return runSync(validate.matmul(a, b, m, k, n, options, true));
}
function matmul(a, b, m, k, n, options) {
  return settle(() => validate.matmul(a, b, m, k, n, options, false));
}

function alloc(type, length, options) {
  ownership.checkAlloc(type, length);
  const requested = validate.readOptions(options, ['backend']).backend ?? 'auto';
  if (!validate.BACKENDS.includes(requested)) {
    throw valueError(`options.backend must be one of ${validate.BACKENDS.join(', ')}; got ${describe(requested)}`);
  }
  const backend = pick({ backend: requested });
  if (backend === wasm) return wasm.alloc(type, length);
  const bytes = length * ARRAY_OF[type].BYTES_PER_ELEMENT;
  let buffer;
  try {
    buffer = backend.allocBuffer(bytes);
  } catch (err) {
    if (err.code) throw err;
    // V8's own RangeError: the memory is not there.
    throw ownership.enomem(`cannot allocate ${bytes} bytes for ${type} × ${length}: ${err.message}`, err);
  }
  return ownership.allocArray(type, length, backend.name, buffer, backend.release);
}

function free(array) {
  ownership.freeArray(array);
}

// What is available here, and what 'auto' runs on (`default`). Never
// throws: a bad TWINCORE_BACKEND shows up as `error` with `default` null,
// and one naming a backend that is not available as `error` beside it; a
// bad TWINCORE_SIMD as `error` too (with `default` as it would be).
function backends() {
  const info = { default: null, native: native.info(), wasm: wasm.info(), js: baseline.info() };
  const errors = [];
  if (ENV_ERROR) {
    errors.push(ENV_ERROR);
  } else {
    info.default = autoName();
    if (!info[info.default].available) {
      errors.push(`TWINCORE_BACKEND is ${info.default}, which is not available here: ${info[info.default].error}`);
    }
  }
  if (simd.error) errors.push(simd.error);
  return errors.length > 0 ? { ...info, error: errors.join('; ') } : info;
}

module.exports = {
  sha256, sha256Sync, stats, statsSync, sort, sortSync, matmul, matmulSync,
  alloc, free, backends,
};
