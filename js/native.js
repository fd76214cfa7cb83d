'use strict';
// The 'native' backend: the Node-API addon (native/), loaded with
// node-gyp-build so that prebuilt binaries work too. Sync calls run on the
// calling thread; async calls run on the libuv threadpool
// (UV_THREADPOOL_SIZE threads) and settle a Promise.

const path = require('node:path');
const { KERNEL, DTYPE, MODE, ARRAY_OF } = require('./constants');
const { abortError } = require('./errors');
const ownership = require('./ownership');

// TWINCORE_NATIVE_ADDON names a .node file to load instead (the tests use
// it for the AddressSanitizer build).
let binding = null;
let loadError = null;
try {
  const file = process.env.TWINCORE_NATIVE_ADDON;
  binding = file ? require(path.resolve(file)) : require('node-gyp-build')(path.resolve(__dirname, '..'));
} catch (err) {
  loadError = err;
}

let lastId = 0;

function outputOf(call) {
  return call.output === 'input' ? call.input : new ARRAY_OF[call.output.type](call.output.length);
}

function viewsOf(call, output) {
  const views = [call.input];
  if (call.input2) views.push(call.input2);
  if (output !== call.input) views.push(output);
  return views;
}

function args(call, mode, output) {
  return [KERNEL[call.kernel], DTYPE[call.dtype], MODE[mode], call.input,
    call.input2, call.dims[0], call.dims[1], call.dims[2], output];
}

function runSync(call) {
  const output = outputOf(call);
  const mode = ownership.resolveMode(call, [call.input, call.input2].filter(Boolean));
  return binding.run(...args(call, mode, output));
}

async function run(call) {
  const { signal } = call;
  const output = outputOf(call);
  const mode = ownership.resolveMode(call, [call.input, call.input2].filter(Boolean));
  const views = viewsOf(call, output);
  const id = ++lastId;
  const onAbort = () => binding.cancel(id);
  const promise = binding.runAsync(id, ...args(call, mode, output));
  ownership.pin(views);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await promise;
  } catch (err) {
    if (err.code === 'ERR_TC_CANCELED') throw abortError(signal);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    ownership.unpin(views, release);
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
    simd: i.simd,
    compiler: i.compiler,
    threads: Number(process.env.UV_THREADPOOL_SIZE) || 4,
    inflight: i.inflight,
    liveBytes: i.liveBytes,
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
  release,
  info,
};
