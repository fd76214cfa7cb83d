'use strict';
// Who owns the memory a job works on, and for how long.
//
//   copy    the backend copies the input in before the job and the result
//           out after it: always safe, costs bandwidth on the JS thread.
//   borrow  the backend works on the caller's memory in place (zero-copy).
//   auto    borrow where that is safe, copy where it is not.
//
// Borrowing memory while another thread works on it is dangerous in known
// ways, each handled here:
//   - a transfer (postMessage, structuredClone) moves the backing store to
//     a new owner, which may free it mid-job: a borrowed ArrayBuffer is
//     marked untransferable first, so a later transfer copies instead;
//   - a resizable ArrayBuffer can shrink mid-job: it is never borrowed by
//     an async call ('auto' copies it, 'borrow' refuses it);
//   - SharedArrayBuffers cannot be transferred or shrunk: always borrowed.
// A sync call runs to completion before any other JS can touch the memory,
// so it borrows anything.

const { markAsUntransferable } = require('node:worker_threads');
const { ARRAY_OF } = require('./constants');
const { error, typeError, rangeError, valueError, describe } = require('./errors');

// ArrayBuffers that alloc() made: buffer -> { backend, pins, freed }
const owned = new WeakMap();

function borrowable(buffer, sync, explicit) {
  if (sync || buffer instanceof SharedArrayBuffer || owned.has(buffer)) return true;
  if (buffer.resizable) {
    if (explicit) {
      throw error('ERR_TC_BORROW',
        "a resizable ArrayBuffer cannot be borrowed by an async call: it could shrink while the job runs; use mode 'copy'");
    }
    return false;
  }
  return true;
}

// The mode a call runs in, 'copy' or 'borrow', for all of its arrays.
function resolveMode(call, views) {
  if (call.mode === 'copy') return 'copy';
  const explicit = call.mode === 'borrow';
  let mode = 'borrow';
  for (const v of views) {
    if (!borrowable(v.buffer, call.sync, explicit)) mode = 'copy';
  }
  if (mode === 'borrow' && !call.sync) {
    for (const v of views) {
      if (!(v.buffer instanceof SharedArrayBuffer)) markAsUntransferable(v.buffer);
    }
  }
  return mode;
}

// Keep alloc()'d memory from being released by free() while jobs use it.
function pin(views) {
  for (const v of views) {
    const o = owned.get(v.buffer);
    if (o) o.pins++;
  }
}

function unpin(views, release) {
  for (const v of views) {
    const o = owned.get(v.buffer);
    if (o && --o.pins === 0 && o.freed) {
      owned.delete(v.buffer);
      release(v.buffer);
    }
  }
}

function checkAlloc(type, length) {
  if (typeof type !== 'string' || !Object.hasOwn(ARRAY_OF, type)) {
    throw valueError(`type must be one of ${Object.keys(ARRAY_OF).join(', ')}; got ${describe(type)}`);
  }
  if (typeof length !== 'number') throw typeError(`length must be a number, got ${describe(length)}`);
  if (!Number.isSafeInteger(length) || length < 0) {
    throw rangeError(`length must be a non-negative integer, got ${length}`);
  }
}

// A typed array in memory the library owns, zero-copy on its backend.
function allocArray(type, length, backend) {
  const Ctor = ARRAY_OF[type];
  const buffer = new ArrayBuffer(length * Ctor.BYTES_PER_ELEMENT);
  // Untransferable so that native jobs may borrow it at any time. The 'js'
  // backend runs on the calling thread and never needs that.
  if (backend === 'native') markAsUntransferable(buffer);
  owned.set(buffer, { backend, pins: 0, freed: false });
  return new Ctor(buffer);
}

// Release an alloc()'d array: its buffer is detached (every view of it
// becomes empty) now, or when the last job using it completes.
function freeArray(view, release) {
  const buffer = ArrayBuffer.isView(view) ? view.buffer : undefined;
  const o = buffer && owned.get(buffer);
  if (!o || o.freed) {
    throw error('ERR_TC_NOT_OWNED', 'free() takes an array returned by alloc() that was not freed yet');
  }
  o.freed = true;
  if (o.pins === 0) {
    owned.delete(buffer);
    release(buffer);
  }
}

function ownerOf(view) {
  const o = ArrayBuffer.isView(view) && owned.get(view.buffer);
  return o ? o.backend : undefined;
}

module.exports = { resolveMode, pin, unpin, checkAlloc, allocArray, freeArray, ownerOf };
