'use strict';
// The one error model of every backend: TypeError for a wrong type,
// RangeError for a bad size or shape, Error with a stable `code` for the
// rest. Every error carries a `code`.

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

// Describe a value for a message: its type, not its contents.
function describe(v) {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'object') return v.constructor ? `an instance of ${v.constructor.name}` : 'an object';
  if (typeof v === 'string') return 'a string';
  return `${typeof v} ${String(v)}`;
}

module.exports = { typeError, valueError, rangeError, error, abortError, describe };
