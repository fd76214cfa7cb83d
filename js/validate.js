'use strict';
// Validation and normalisation of every public call. Backends receive a
// `call` that is already valid:
//   { kernel, dtype, input, input2, dims: [m, k, n], output: { type, length }
//     | 'input', backend, mode, signal, sync }

const { ARRAY_OF, dtypeOf } = require('./constants');
const { typeError, valueError, rangeError, error, describe } = require('./errors');
const I = require('./intrinsics');

const BACKENDS = ['auto', 'native', 'wasm', 'js'];
const MODES = ['auto', 'copy', 'borrow'];

function isDetached(buffer) {
  if (buffer.byteLength !== 0 || buffer instanceof SharedArrayBuffer) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

function checkAttached(view, name) {
  if (view.byteLength === 0 && isDetached(view.buffer)) {
    throw error('ERR_TC_DETACHED', `${name} is detached: its ArrayBuffer was transferred or freed`);
  }
}

function checkOptions(options, sync) {
  if (options === undefined || options === null) options = {};
  else if (typeof options !== 'object') throw typeError(`options must be an object, got ${describe(options)}`);
  const backend = options.backend === undefined ? 'auto' : options.backend;
  const mode = options.mode === undefined ? 'auto' : options.mode;
  if (!BACKENDS.includes(backend)) {
    throw valueError(`options.backend must be one of ${BACKENDS.join(', ')}; got ${describe(backend)}`);
  }
  if (!MODES.includes(mode)) {
    throw valueError(`options.mode must be one of ${MODES.join(', ')}; got ${describe(mode)}`);
  }
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw typeError(`options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
  if (sync && signal !== undefined) {
    throw typeError('options.signal is for async calls; a sync call cannot be aborted');
  }
  return { backend, mode, signal, sync };
}

// Any bytes: a TypedArray, DataView, Buffer, ArrayBuffer or
// SharedArrayBuffer, seen as a Uint8Array over the same memory.
function bytesOf(data, name) {
  let view;
  if (ArrayBuffer.isView(data)) {
    view = data instanceof Uint8Array && data.constructor === Uint8Array
      ? data
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    checkAttached(data, name);
  } else if (I.isArrayBuffer(data) || I.isSharedArrayBuffer(data)) {
    if (isDetached(data)) checkAttached(new Uint8Array(0), name);
    view = new Uint8Array(data);
  } else {
    throw typeError(`${name} must be a TypedArray, DataView, Buffer or ArrayBuffer; got ${describe(data)}`);
  }
  return view;
}

function typedOf(data, name, types) {
  const dtype = ArrayBuffer.isView(data) ? dtypeOf(data) : undefined;
  if (dtype === undefined || !types.includes(dtype)) {
    const names = types.map((t) => ARRAY_OF[t].name).join(', ');
    throw typeError(`${name} must be ${types.length > 1 ? 'one of ' : 'a '}${names}; got ${describe(data)}`);
  }
  checkAttached(data, name);
  return dtype;
}

function dimension(v, name) {
  if (typeof v !== 'number') throw typeError(`${name} must be a number, got ${describe(v)}`);
  if (!Number.isSafeInteger(v) || v < 0) {
    throw rangeError(`${name} must be a non-negative integer, got ${v}`);
  }
  return v;
}

function sha256(data, options, sync) {
  const input = bytesOf(data, 'data');
  return {
    kernel: 'sha256', dtype: 'uint8', input, input2: null, dims: [0, 0, 0],
    output: { type: 'uint8', length: 32 }, ...checkOptions(options, sync),
  };
}

function stats(data, options, sync) {
  typedOf(data, 'data', ['float64']);
  return {
    kernel: 'stats', dtype: 'float64', input: data, input2: null, dims: [0, 0, 0],
    output: { type: 'float64', length: 6 }, ...checkOptions(options, sync),
  };
}

function sort(data, options, sync) {
  const dtype = typedOf(data, 'array', ['float64', 'float32', 'int32', 'uint32']);
  return {
    kernel: 'sort', dtype, input: data, input2: null, dims: [0, 0, 0],
    output: 'input', ...checkOptions(options, sync),
  };
}

function matmul(a, b, m, k, n, options, sync) {
  typedOf(a, 'a', ['float32']);
  typedOf(b, 'b', ['float32']);
  dimension(m, 'm');
  dimension(k, 'k');
  dimension(n, 'n');
  if (a.length !== m * k) throw rangeError(`a must hold m*k = ${m}*${k} = ${m * k} elements, has ${a.length}`);
  if (b.length !== k * n) throw rangeError(`b must hold k*n = ${k}*${n} = ${k * n} elements, has ${b.length}`);
  if (m * n > 2 ** 32) throw rangeError(`the result (m*n = ${m * n} elements) is too large`);
  return {
    kernel: 'matmul', dtype: 'float32', input: a, input2: b, dims: [m, k, n],
    output: { type: 'float32', length: m * n }, ...checkOptions(options, sync),
  };
}

// Bytes of input a call reads, and a rough count of the work it does (for
// 'auto' choosing to run tiny calls inline).
function workOf(call) {
  if (call.kernel === 'matmul') return 2 * call.dims[0] * call.dims[1] * call.dims[2];
  return call.input.byteLength;
}

module.exports = { sha256, stats, sort, matmul, checkAttached, isDetached, workOf, BACKENDS };
