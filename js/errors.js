'use strict';
// The one error model of every backend: TypeError for a wrong type,
// RangeError for a bad size or shape, Error with a stable `code` for the
// rest. Every error carries a `code`.

const { inspect } = require('node:util');
const I = require('./intrinsics');

function withCode(err, code) {
  err.code = code;
  return err;
}

function typeError(msg) {
  return withCode(new TypeError(msg), 'ERR_INVALID_ARG_TYPE');
}

function valueError(msg) {
  return withCode(new TypeError(msg), 'ERR_INVALID_ARG_VALUE');
}

function rangeError(msg) {
  return withCode(new RangeError(msg), 'ERR_OUT_OF_RANGE');
}

function error(code, msg, cause) {
  return withCode(cause === undefined ? new Error(msg) : new Error(msg, { cause }), code);
}

// What an aborted call rejects with, as Node's own APIs do: name
// 'AbortError', code 'ABORT_ERR', the signal's reason as cause.
function abortError(signal) {
  const err = new Error('The operation was aborted', { cause: signal && signal.reason });
  err.name = 'AbortError';
  return withCode(err, 'ABORT_ERR');
}

// A rejected value as a message shows it: 'gpu', -1, Float32Array(3),
// { length: 3 }. Arrays and buffers by type and size, read through the
// engine's own accessors, and nothing else runs a caller's getter.
function describe(v) {
  try {
    if (I.isTypedArray(v)) return `${Buffer.isBuffer(v) ? 'Buffer' : I.typedName(v)}(${I.typedLength(v)})`;
    if (I.isDataView(v)) return `DataView(${I.dataViewByteLength(v)})`;
    if (I.isArrayBuffer(v)) return `ArrayBuffer(${I.arrayBufferByteLength(v)})`;
    if (I.isSharedArrayBuffer(v)) return `SharedArrayBuffer(${I.sharedByteLength(v)})`;
    const text = inspect(v, {
      depth: 0, breakLength: Infinity, maxArrayLength: 4, maxStringLength: 40, getters: false, customInspect: false,
    });
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return I.isDataView(v) ? 'a DataView of a detached buffer' : `a value of type ${typeof v}`;
  }
}

module.exports = { typeError, valueError, rangeError, error, abortError, describe };
