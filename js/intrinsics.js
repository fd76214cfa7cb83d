'use strict';
// The engine's own view of typed arrays, DataViews, buffers and signals. A
// caller can shadow `length`, `byteLength`, `buffer` or `constructor` on an
// array or its prototype, or hand over a Proxy; these read what the engine
// knows (its internal slots), whatever the object says about itself, and
// run none of the caller's code.

const { types } = require('node:util');

const TypedArray = Object.getPrototypeOf(Uint8Array);
// fn as a function of (this, ...args): Function.prototype.call bound to
// it, taken now, so that nothing a caller changes later is looked up.
// Cheaper per call than Reflect.apply with an array of arguments.
const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const method = (proto, name) => uncurry(proto[name]);
const getter = (proto, name) => uncurry(Object.getOwnPropertyDescriptor(proto, name).get);

const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');

// Whether an ArrayBuffer is detached (transferred, or freed by free()):
// only a detached one refuses a new view. A SharedArrayBuffer never is.
function isDetachedBuffer(buffer) {
  if (!types.isArrayBuffer(buffer) || arrayBufferByteLength(buffer) !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

const typedAt = method(TypedArray.prototype, 'at');

// Whether a typed array's bounds still fit its buffer: one whose resizable
// buffer shrank under it is out of bounds (and so is a detached one).
function typedInBounds(v) {
  try {
    typedAt(v, 0);
    return true;
  } catch {
    return false;
  }
}

module.exports = {
  isProxy: types.isProxy,
  isTypedArray: types.isTypedArray,
  isDataView: types.isDataView,
  isArrayBuffer: types.isArrayBuffer,
  isSharedArrayBuffer: types.isSharedArrayBuffer,
  isDetachedBuffer,
  typedInBounds,
  typedLength: getter(TypedArray.prototype, 'length'),
  typedByteLength: getter(TypedArray.prototype, 'byteLength'),
  typedByteOffset: getter(TypedArray.prototype, 'byteOffset'),
  typedBuffer: getter(TypedArray.prototype, 'buffer'),
  // 'Float32Array' for a Float32Array or a subclass of it.
  typedName: getter(TypedArray.prototype, Symbol.toStringTag),
  typedSort: method(TypedArray.prototype, 'sort'),
  typedSet: method(TypedArray.prototype, 'set'),
  typedFill: method(TypedArray.prototype, 'fill'),
  typedSubarray: method(TypedArray.prototype, 'subarray'),
  dataViewBuffer: getter(DataView.prototype, 'buffer'),
  dataViewByteOffset: getter(DataView.prototype, 'byteOffset'),
  // Throws a TypeError if the DataView's buffer is detached or shrank.
  dataViewByteLength: getter(DataView.prototype, 'byteLength'),
  arrayBufferByteLength,
  sharedByteLength: getter(SharedArrayBuffer.prototype, 'byteLength'),
  charCodeAt: method(String.prototype, 'charCodeAt'),
  signalAborted: getter(AbortSignal.prototype, 'aborted'),
  signalReason: getter(AbortSignal.prototype, 'reason'),
  addEventListener: method(EventTarget.prototype, 'addEventListener'),
};
