'use strict';
// The engine's own view of typed arrays, DataViews and buffers. A caller
// can shadow `length`, `byteLength` or `constructor` on an array or its
// prototype, or hand over a Proxy; these read what the engine knows,
// whatever the object says about itself, and run none of its code.

const { types } = require('node:util');

const TypedArray = Object.getPrototypeOf(Uint8Array);
const getter = (proto, name) => {
  const get = Object.getOwnPropertyDescriptor(proto, name).get;
  return (v) => Reflect.apply(get, v, []);
};

module.exports = {
  isProxy: types.isProxy,
  isTypedArray: types.isTypedArray,
  isDataView: types.isDataView,
  isArrayBuffer: types.isArrayBuffer,
  isSharedArrayBuffer: types.isSharedArrayBuffer,
  typedLength: getter(TypedArray.prototype, 'length'),
  // 'Float32Array' for a Float32Array or a subclass of it.
  typedName: getter(TypedArray.prototype, Symbol.toStringTag),
  // Throws a TypeError if the DataView's buffer is detached.
  dataViewByteLength: getter(DataView.prototype, 'byteLength'),
  arrayBufferByteLength: getter(ArrayBuffer.prototype, 'byteLength'),
  sharedByteLength: getter(SharedArrayBuffer.prototype, 'byteLength'),
};
