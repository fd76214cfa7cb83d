'use strict';
// twincore's public API. Every function validates its arguments here, picks
// a backend, and hands it a call that is already valid; an async function
// rejects with exactly what its sync twin throws.

const validate = require('./validate');
const ownership = require('./ownership');
const native = require('./native');
const baseline = require('./baseline');
const { error, valueError, abortError, describe } = require('./errors');

const BACKENDS = { native, js: baseline };

// TWINCORE_BACKEND sets the backend that 'auto' (the default) stands for.
const ENV_BACKEND = process.env.TWINCORE_BACKEND || 'auto';

// Below this much work (bytes read; flops for matmul), an 'auto' async call
// runs on the calling thread: the round trip to the threadpool would cost
// more than the work.
const INLINE_BELOW = { sha256: 4096, stats: 16384, sort: 4096, matmul: 16384 };

function backendName(requested) {
  let name = requested === 'auto' ? ENV_BACKEND : requested;
  if (!validate.BACKENDS.includes(name)) {
    throw valueError(`TWINCORE_BACKEND must be one of ${validate.BACKENDS.join(', ')}; got ${describe(name)}`);
  }
  if (name === 'auto') name = native.available ? 'native' : 'js';
  return name;
}

function pick(call) {
  const name = backendName(call.backend);
  const backend = BACKENDS[name];
  if (!backend) {
    throw error('ERR_TC_BACKEND_UNAVAILABLE', `the ${name} backend is not part of this build yet`);
  }
  if (!backend.available) {
    const cause = backend.loadError;
    throw error('ERR_TC_BACKEND_UNAVAILABLE',
      `the ${name} backend is not available${cause ? `: ${cause.message}` : ''}`, cause);
  }
  return backend;
}

function shape(kernel, out) {
  if (kernel !== 'stats') return out;
  return { count: out[0], sum: out[1], min: out[2], max: out[3], mean: out[4], variance: out[5] };
}

function runSync(call) {
  return shape(call.kernel, pick(call).runSync(call));
}

async function runAsync(call) {
  const backend = pick(call);
  if (call.signal?.aborted) throw abortError(call.signal);
  const inline = call.backend === 'auto' && call.mode === 'auto' &&
    validate.workOf(call) < INLINE_BELOW[call.kernel];
  const out = inline ? backend.runSync({ ...call, sync: true }) : await backend.run(call);
  return shape(call.kernel, out);
}

function sha256Sync(data, options) {
  return runSync(validate.sha256(data, options, true));
}
async function sha256(data, options) {
  return runAsync(validate.sha256(data, options, false));
}

function statsSync(data, options) {
  return runSync(validate.stats(data, options, true));
}
async function stats(data, options) {
  return runAsync(validate.stats(data, options, false));
}

function sortSync(array, options) {
  return runSync(validate.sort(array, options, true));
}
async function sort(array, options) {
  return runAsync(validate.sort(array, options, false));
}

function matmulSync(a, b, m, k, n, options) {
  return runSync(validate.matmul(a, b, m, k, n, options, true));
}
async function matmul(a, b, m, k, n, options) {
  return runAsync(validate.matmul(a, b, m, k, n, options, false));
}

function alloc(type, length, options) {
  ownership.checkAlloc(type, length);
  const requested = options === undefined || options === null ? 'auto' : options.backend ?? 'auto';
  const name = backendName(requested);
  pick({ backend: name });
  return ownership.allocArray(type, length, name);
}

function free(array) {
  const backend = BACKENDS[ownership.ownerOf(array)];
  ownership.freeArray(array, (buffer) => backend.release(buffer));
}

function backends() {
  return {
    default: backendName('auto'),
    native: native.info(),
    wasm: { available: false, error: 'the wasm backend is not part of this build yet' },
    js: baseline.info(),
  };
}

module.exports = {
  sha256, sha256Sync, stats, statsSync, sort, sortSync, matmul, matmulSync,
  alloc, free, backends,
};
