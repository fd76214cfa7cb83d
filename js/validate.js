'use strict';
// Validation and normalisation of every public call. Backends receive a
// `call` that is already valid:
//   { kernel, dtype, input, input2, dims: [m, k, n], output: { type, length,
//     info }, backend, mode, signal, sync, threads }
// where input and input2 are what the engine says of each array, read once
// (see arrayInfo below): backends use these figures, never the array's own
// properties, which a caller can override. output.info is the array the
// result goes into (the input itself for sort, options.out for matmul), or
// null: the backend makes a new one.
//
// Options are read first, each once: a getter of theirs runs before the
// arrays are looked at, and cannot change them between check and use.

const { ARRAY_OF, dtypeOf } = require('./constants');
const { typeError, valueError, rangeError, error, describe } = require('./errors');
const ownership = require('./ownership');
const I = require('./intrinsics');

const BACKENDS = ['auto', 'native', 'wasm', 'js'];
const MODES = ['auto', 'copy', 'borrow'];

// Each named option read once; a getter or Proxy trap of the caller's that
// throws is ERR_INVALID_ARG_VALUE, its error the cause.
function readOptions(options, names) {
  const out = {};
  if (isOptions(options)) for (const name of names) out[name] = readOption(options, name);
  return out;
}

// Whether there are options to read: undefined and null are none.
function isOptions(options) {
  if (options === undefined || options === null) return false;
  if (typeof options !== 'object') throw typeError(`options must be an object, got ${describe(options)}`);
  return true;
}

function readOption(options, name) {
  try {
    return options[name];
  } catch (err) {
    const e = valueError(`options.${name} could not be read: ${err && err.message}`);
    e.cause = err;
    throw e;
  }
}

// The options of a call, as an object of one shape: each call's options
// are read by the same code, whichever were given.
// withOut: the call takes options.out (matmul), read in the same pass.
function checkOptions(options, sync, withOut = false) {
  let backend, mode, signal, threads, out;
  if (isOptions(options)) {
    backend = readOption(options, 'backend');
    mode = readOption(options, 'mode');
    signal = readOption(options, 'signal');
    threads = readOption(options, 'threads');
    if (withOut) out = readOption(options, 'out');
  }
  if (backend === undefined) backend = 'auto';
  if (mode === undefined) mode = 'auto';
  if (!BACKENDS.includes(backend)) {
    throw valueError(`options.backend must be one of ${BACKENDS.join(', ')}; got ${describe(backend)}`);
  }
  if (!MODES.includes(mode)) {
    throw valueError(`options.mode must be one of ${MODES.join(', ')}; got ${describe(mode)}`);
  }
  if (signal !== undefined && !isSignal(signal)) {
    throw typeError(`options.signal must be an AbortSignal, got ${describe(signal)}`);
  }
  if (sync && signal !== undefined) {
    throw typeError('options.signal is for async calls; a sync call cannot be aborted');
  }
  if (sync && threads !== undefined) {
    throw typeError('options.threads is for async calls; a sync call runs on the calling thread');
  }
  return { backend, mode, signal, sync, threads: checkThreads(threads), out };
}

// 'auto' (the default), or how many pool threads the call may use.
function checkThreads(threads) {
  if (threads === undefined || threads === 'auto') return 'auto';
  if (typeof threads !== 'number') {
    throw typeError(`options.threads must be 'auto' or a number, got ${describe(threads)}`);
  }
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw rangeError(`options.threads must be 'auto' or an integer of 1 or more, got ${describe(threads)}`);
  }
  return threads;
}

function isSignal(v) {
  if (v === null || typeof v !== 'object' || I.isProxy(v)) return false;
  try {
    I.signalAborted(v);
    return true;
  } catch {
    return false;
  }
}

function detached(name) {
  return error('ERR_TC_DETACHED', `${name} is detached: its ArrayBuffer was transferred or freed`);
}

function outOfBounds(name, what) {
  const err = new TypeError(`${name} is out of bounds: its resizable buffer shrank below ${what}`);
  err.code = 'ERR_TC_OUT_OF_BOUNDS';
  return err;
}

// What the engine says of a typed array, read once: { view, dtype, buffer,
// byteOffset, byteLength, length, shared }. Refuses an array that free()
// released (ERR_TC_FREED), a detached one (ERR_TC_DETACHED) and one out of
// its buffer's bounds (ERR_TC_OUT_OF_BOUNDS).
function arrayInfo(view, name, dtype) {
  const buffer = I.typedBuffer(view);
  const info = { view, dtype, buffer, byteOffset: 0, byteLength: 0, length: 0, shared: I.isSharedArrayBuffer(buffer) };
  if (I.isDetachedBuffer(buffer)) {
    ownership.checkNotFreed(info, name); // free() detaches native and js arrays
    throw detached(name);
  }
  if (!I.typedInBounds(view)) throw outOfBounds(name, 'the array');
  info.byteOffset = I.typedByteOffset(view);
  info.byteLength = I.typedByteLength(view);
  info.length = I.typedLength(view);
  ownership.checkNotFreed(info, name); // a freed wasm array stays attached
  return info;
}

// Any bytes: a TypedArray, DataView, Buffer, ArrayBuffer or
// SharedArrayBuffer, as the info of a Uint8Array over the same memory: the
// array itself where it is a Uint8Array (a Buffer too), else one of ours.
function bytesOf(data, name) {
  if (I.isTypedArray(data)) {
    const dtype = dtypeOf(data);
    const info = arrayInfo(data, name, dtype);
    if (dtype === 'uint8') return info;
    return { ...info, dtype: 'uint8', length: info.byteLength, view: new Uint8Array(info.buffer, info.byteOffset, info.byteLength) };
  }
  let buffer;
  let byteOffset = 0;
  let byteLength;
  if (I.isDataView(data)) {
    buffer = I.dataViewBuffer(data);
    if (I.isDetachedBuffer(buffer)) {
      ownership.checkNotFreed({ buffer }, name);
      throw detached(name);
    }
    try {
      byteLength = I.dataViewByteLength(data);
    } catch {
      throw outOfBounds(name, 'the DataView');
    }
    byteOffset = I.dataViewByteOffset(data);
  } else if (I.isArrayBuffer(data) || I.isSharedArrayBuffer(data)) {
    buffer = data;
    if (I.isDetachedBuffer(buffer)) {
      ownership.checkNotFreed({ buffer }, name);
      throw detached(name);
    }
    byteLength = I.isArrayBuffer(data) ? I.arrayBufferByteLength(data) : I.sharedByteLength(data);
  } else {
    throw typeError(`${name} must be a TypedArray, DataView, Buffer or ArrayBuffer; got ${describe(data)}`);
  }
  const view = new Uint8Array(buffer, byteOffset, byteLength);
  const info = { view, dtype: 'uint8', buffer, byteOffset, byteLength, length: byteLength, shared: I.isSharedArrayBuffer(buffer) };
  ownership.checkNotFreed(info, name);
  return info;
}

function typedOf(data, name, types) {
  const dtype = dtypeOf(data);
  if (dtype === undefined || !types.includes(dtype)) {
    const names = types.map((t) => ARRAY_OF[t].name).join(', ');
    throw typeError(`${name} must be ${types.length > 1 ? 'one of ' : 'a '}${names}; got ${describe(data)}`);
  }
  return arrayInfo(data, name, dtype);
}

function dimension(v, name) {
  if (typeof v !== 'number') throw typeError(`${name} must be a number, got ${describe(v)}`);
  if (!Number.isSafeInteger(v) || v < 0) {
    throw rangeError(`${name} must be a non-negative integer, got ${describe(v)}`);
  }
  return v;
}

// A call, in one shape for every kernel (o: checkOptions()).
function callOf(kernel, dtype, input, input2, dims, output, o) {
  return {
    kernel, dtype, input, input2, dims, output,
    backend: o.backend, mode: o.mode, signal: o.signal, sync: o.sync, threads: o.threads,
  };
}

const SHA256_OUT = Object.freeze({ type: 'uint8', length: 32, info: null });
const STATS_OUT = Object.freeze({ type: 'float64', length: 6, info: null });
const NO_DIMS = Object.freeze([0, 0, 0]);

function sha256(data, options, sync) {
  const o = checkOptions(options, sync);
  return callOf('sha256', 'uint8', bytesOf(data, 'data'), null, NO_DIMS, SHA256_OUT, o);
}

function stats(data, options, sync) {
  const o = checkOptions(options, sync);
  return callOf('stats', 'float64', typedOf(data, 'data', ['float64']), null, NO_DIMS, STATS_OUT, o);
}

function sort(data, options, sync) {
  const o = checkOptions(options, sync);
  const input = typedOf(data, 'array', ['float64', 'float32', 'int32', 'uint32']);
  return callOf('sort', input.dtype, input, null, NO_DIMS, { type: input.dtype, length: input.length, info: input }, o);
}

function matmul(a, b, m, k, n, options, sync) {
  const o = checkOptions(options, sync, true);
  const ia = typedOf(a, 'a', ['float32']);
  const ib = typedOf(b, 'b', ['float32']);
  dimension(m, 'm');
  dimension(k, 'k');
  dimension(n, 'n');
  if (ia.length !== m * k) throw rangeError(`a must hold m*k = ${m}*${k} = ${m * k} elements, has ${ia.length}`);
  if (ib.length !== k * n) throw rangeError(`b must hold k*n = ${k}*${n} = ${k * n} elements, has ${ib.length}`);
  let out = null;
  if (o.out === undefined) {
    ownership.checkAllocation('float32', m * n, 'the result (m*n elements)');
  } else {
    out = typedOf(o.out, 'options.out', ['float32']);
    if (out.length !== m * n) {
      throw rangeError(`options.out must hold m*n = ${m}*${n} = ${m * n} elements, has ${out.length}`);
    }
    if (overlaps(out, ia)) throw overlapError('a');
    if (overlaps(out, ib)) throw overlapError('b');
  }
  return callOf('matmul', 'float32', ia, ib, [m, k, n], { type: 'float32', length: m * n, info: out }, o);
}

// Whether two arrays share bytes over the same buffer. The core checks the
// same by address where it works in place (core/run.c: EALIAS), which also
// catches two buffer objects over one memory; this check refuses the
// overlap in every mode, copy included, and names the array.
function overlaps(x, y) {
  return x.buffer === y.buffer && x.byteLength > 0 && y.byteLength > 0 &&
    x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}

function overlapError(name) {
  return error('ERR_TC_EALIAS', `options.out overlaps ${name}: matmul's result must not share memory with a or b`);
}

// The arrays a call reads.
function inputsOf(call) {
  return call.input2 ? [call.input, call.input2] : [call.input];
}

// Every array a call touches: what it reads, and the array its result goes
// into when that is another one (options.out).
function arraysOf(call) {
  const all = inputsOf(call);
  const out = call.output.info;
  if (out && out !== call.input) all.push(out);
  return all;
}

// Bytes of input a call reads, and a rough count of the work it does (for
// 'auto' choosing to run tiny calls inline).
function workOf(call) {
  if (call.kernel === 'matmul') return 2 * call.dims[0] * call.dims[1] * call.dims[2];
  return call.input.byteLength;
}

// Bytes a copy-mode call copies: its inputs in (infos: the arrays it
// reads), and its result out (into the input, options.out or a new array).
function copiedBytes(call, infos) {
  const out = call.output.length * ARRAY_OF[call.output.type].BYTES_PER_ELEMENT;
  return infos.reduce((sum, info) => sum + info.byteLength, out);
}

// Before a result is written back into an array (a copy-mode job's): the
// array must still be there, in bounds, and hold at least as many bytes as
// the job read (a growable SharedArrayBuffer may have grown).
function checkWriteBack(info, bytes, name) {
  if (I.isDetachedBuffer(info.buffer)) throw detached(`${name} (the output)`);
  if (!I.typedInBounds(info.view) || I.typedByteLength(info.view) < bytes) {
    throw outOfBounds(`${name} (the output)`, 'what the job read');
  }
}

module.exports = {
  sha256, stats, sort, matmul, workOf, copiedBytes, checkWriteBack, readOptions, inputsOf, arraysOf, BACKENDS,
};
