'use strict';
// Who owns the memory a job works on, and for how long.
//
//   copy    the backend copies the input in before the job and the result
//           out after it: always safe, costs bandwidth on the JS thread.
//   borrow  the backend works on the caller's memory in place (zero-copy).
//   auto    borrow where that is safe, copy where it is not.
//
// A sync call runs to completion before any other JS can touch the memory,
// so it may borrow anything. An async call runs while JS goes on, and an
// ordinary ArrayBuffer can then be detached under it (a transfer, a stream
// reading into it), its memory freed, or (if resizable) shrunk. So an async
// call borrows only memory nothing can free or shrink meanwhile:
//   - a SharedArrayBuffer (never detached, never shrunk);
//   - an array from alloc(), whose memory the backend owns and keeps alive
//     for as long as a job uses it.
// Anything else is copied by 'auto' and refused by 'borrow'.

const { ARRAY_OF } = require('./constants');
const { error, typeError, rangeError, valueError, describe } = require('./errors');

// What alloc() made, keyed by ArrayBuffer for arrays that own one (native,
// js): buffer -> { backend, pins, freed, release, array }. Arrays that are
// a range of a larger shared heap (wasm) are found by a resolver of their
// backend instead (addResolver), which returns the same kind of entry.
const owned = new WeakMap();
const resolvers = [];

function addResolver(fn) {
  resolvers.push(fn);
}

function entryOf(view) {
  if (!ArrayBuffer.isView(view)) return undefined;
  const e = owned.get(view.buffer);
  if (e) return e;
  for (const fn of resolvers) {
    const r = fn(view);
    if (r) return r;
  }
  return undefined;
}

// The mode a call runs in, 'copy' or 'borrow', for all of its arrays.
// lendable(view) says whether the backend owns a view's memory.
function resolveMode(call, views, lendable) {
  if (call.mode === 'copy') return 'copy';
  if (call.sync) return 'borrow';
  if (views.every((v) => v.buffer instanceof SharedArrayBuffer || lendable(v))) return 'borrow';
  if (call.mode === 'borrow') {
    const shown = views.map(describe).join(' and ');
    throw error('ERR_TC_BORROW',
      `an async call can only borrow a SharedArrayBuffer or an array from alloc(); got ${shown} over an ArrayBuffer, ` +
      "which could be detached or shrunk while the job runs: use alloc() or mode 'copy'");
  }
  return 'copy';
}

// Keep alloc()'d memory from being released, by free() or by the garbage
// collector, while jobs use it. Returns what unpin() takes.
function pin(views) {
  const entries = [];
  for (const v of views) {
    const o = entryOf(v);
    if (!o) continue;
    o.pins++;
    if (o.hold !== undefined) o.hold = o.array();
    entries.push(o);
  }
  return entries;
}

function unpin(entries) {
  for (const o of entries) {
    if (--o.pins > 0) continue;
    if (o.hold !== undefined) o.hold = null;
    if (o.freed) release(o);
  }
}

function release(o) {
  if (o.buffer) owned.delete(o.buffer);
  o.release();
}

// The longest typed array this Node makes, in elements (2^32 on Node 20).
const { constants: { MAX_LENGTH } } = require('node:buffer');

function checkAlloc(type, length) {
  if (typeof type !== 'string') {
    throw typeError(`type must be a string, one of ${Object.keys(ARRAY_OF).join(', ')}; got ${describe(type)}`);
  }
  if (!Object.hasOwn(ARRAY_OF, type)) {
    throw valueError(`type must be one of ${Object.keys(ARRAY_OF).join(', ')}; got ${describe(type)}`);
  }
  if (typeof length !== 'number') throw typeError(`length must be a number, got ${describe(length)}`);
  if (!Number.isInteger(length) || length < 0) {
    throw rangeError(`length must be a non-negative integer, got ${describe(length)}`);
  }
  if (length > MAX_LENGTH) {
    throw rangeError(`length must be at most ${MAX_LENGTH}, the longest typed array (buffer.constants.MAX_LENGTH); got ${describe(length)}`);
  }
}

// A typed array over an ArrayBuffer the library owns (native and js).
function allocArray(type, length, backend, buffer, detach) {
  const array = new ARRAY_OF[type](buffer, 0, length);
  owned.set(buffer, { backend, pins: 0, freed: false, buffer, array: () => array, release: () => detach(buffer) });
  return array;
}

// The arrays free() released, to tell a second free() from a foreign array.
const freed = new WeakSet();

// Release an alloc()'d array now, or when the last job using it completes.
function freeArray(view) {
  if (!ArrayBuffer.isView(view)) {
    throw typeError(`free() takes an array that alloc() returned; got ${describe(view)}`);
  }
  if (freed.has(view)) throw error('ERR_TC_NOT_OWNED', 'free(): this array was freed already');
  const o = entryOf(view);
  if (!o) throw error('ERR_TC_NOT_OWNED', `free() takes an array that alloc() returned; got ${describe(view)}, which it did not`);
  if (o.array() !== view) {
    throw error('ERR_TC_NOT_OWNED', `free() takes the array alloc() returned, not a view of it; got ${describe(view)}`);
  }
  o.freed = true;
  freed.add(view);
  if (o.pins === 0) release(o);
}

// The backend whose alloc() made a view's memory, if any.
function ownerOf(view) {
  return entryOf(view)?.backend;
}

module.exports = { resolveMode, pin, unpin, checkAlloc, allocArray, freeArray, ownerOf, addResolver };
