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

// What alloc() made. The key is the ArrayBuffer for arrays that own one
// (native, js) and the view itself for arrays inside the wasm heap (whose
// SharedArrayBuffer holds every allocation):
//   key -> { backend, pins, freed, release }
const owned = new WeakMap();

function entryOf(view) {
  return ArrayBuffer.isView(view) ? owned.get(view) ?? owned.get(view.buffer) : undefined;
}

// The mode a call runs in, 'copy' or 'borrow', for all of its arrays.
// lendable(view) says whether the backend owns a view's memory.
function resolveMode(call, views, lendable) {
  if (call.mode === 'copy') return 'copy';
  if (call.sync) return 'borrow';
  if (views.every((v) => v.buffer instanceof SharedArrayBuffer || lendable(v))) return 'borrow';
  if (call.mode === 'borrow') {
    throw error('ERR_TC_BORROW',
      "an async call can only borrow a SharedArrayBuffer or an array from alloc(): other memory could be detached or shrunk while the job runs; use alloc() or mode 'copy'");
  }
  return 'copy';
}

// Keep alloc()'d memory from being released by free() while jobs use it.
function pin(views) {
  for (const v of views) {
    const o = entryOf(v);
    if (o) o.pins++;
  }
}

function unpin(views) {
  for (const v of views) {
    const o = entryOf(v);
    if (o && --o.pins === 0 && o.freed) release(v, o);
  }
}

function release(view, o) {
  owned.delete(view);
  owned.delete(view.buffer);
  o.release();
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

// Record an array alloc() made. key: its ArrayBuffer, or the view itself
// when its memory is part of a larger shared heap; release() frees it.
function adopt(view, key, backend, releaseFn) {
  owned.set(key, { backend, pins: 0, freed: false, release: releaseFn });
  return view;
}

// A typed array over an ArrayBuffer the library owns (native and js).
function allocArray(type, length, backend, buffer, detach) {
  return adopt(new ARRAY_OF[type](buffer, 0, length), buffer, backend, () => detach(buffer));
}

// Release an alloc()'d array now, or when the last job using it completes.
function freeArray(view) {
  const o = entryOf(view);
  if (!o || o.freed) {
    throw error('ERR_TC_NOT_OWNED', 'free() takes an array returned by alloc() that was not freed yet');
  }
  o.freed = true;
  if (o.pins === 0) release(view, o);
}

// The backend whose alloc() made a view's memory, if any.
function ownerOf(view) {
  return entryOf(view)?.backend;
}

module.exports = { resolveMode, pin, unpin, checkAlloc, allocArray, adopt, freeArray, ownerOf };
