'use strict';
// The one error model of every backend: TypeError for a wrong type,
// RangeError for a bad size or shape, Error with a stable `code` for the
// rest. Every error carries a `code`.

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
  const err = new Error('The operation was aborted', { cause: signal && I.signalReason(signal) });
  err.name = 'AbortError';
  return withCode(err, 'ABORT_ERR');
}

// A rejected value as a message shows it: 'gpu', -1, Float32Array(3),
// { length: 3 }, an instance of Map. Everything is read through the
// engine's own accessors and property descriptors: no getter, Proxy trap
// or toString of the caller's runs.
function describe(v) {
  try {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return primitive(v);
    if (I.isProxy(v)) return 'a Proxy';
    if (I.isTypedArray(v)) return `${Buffer.isBuffer(v) ? 'Buffer' : I.typedName(v)}(${I.typedLength(v)})`;
    if (I.isDataView(v)) return `DataView(${I.dataViewByteLength(v)})`;
    if (I.isArrayBuffer(v)) return `ArrayBuffer(${I.arrayBufferByteLength(v)})`;
    if (I.isSharedArrayBuffer(v)) return `SharedArrayBuffer(${I.sharedByteLength(v)})`;
    if (typeof v === 'function') {
      const name = own(v, 'name');
      return `function ${typeof name === 'string' && name ? name : '(anonymous)'}`;
    }
    if (Array.isArray(v)) return `Array(${own(v, 'length')})`;
    const proto = Object.getPrototypeOf(v);
    if (proto === null) return plainObject(v);
    if (I.isProxy(proto)) return 'an object';
    const ctor = own(proto, 'constructor');
    if (ctor === Object) return plainObject(v);
    const name = typeof ctor === 'function' && !I.isProxy(ctor) ? own(ctor, 'name') : undefined;
    return `an instance of ${typeof name === 'string' && name ? name : 'a class'}`;
  } catch {
    return I.isDataView(v) ? 'a DataView of a detached buffer' : `a value of type ${typeof v}`;
  }
}

// An own data property's value, or undefined (an accessor is not run).
function own(o, key) {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d && 'value' in d ? d.value : undefined;
}

function primitive(v) {
  if (typeof v === 'string') return v.length > 40 ? `'${v.slice(0, 40)}'...` : `'${v}'`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return `Symbol(${v.description ?? ''})`;
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

// { a: 1, b: 'x', c: [Getter], ... } from the first own enumerable keys.
function plainObject(o) {
  const keys = Reflect.ownKeys(o).filter((k) => typeof k === 'string' && Object.getOwnPropertyDescriptor(o, k).enumerable);
  if (keys.length === 0) return '{}';
  const shown = keys.slice(0, 4).map((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (!('value' in d)) return `${k}: [Getter]`;
    const val = d.value;
    return `${k}: ${val === null || (typeof val !== 'object' && typeof val !== 'function') ? primitive(val) : '...'}`;
  });
  return `{ ${shown.join(', ')}${keys.length > 4 ? ', ...' : ''} }`;
}

module.exports = { typeError, valueError, rangeError, error, abortError, describe };
