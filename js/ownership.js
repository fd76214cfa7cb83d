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
const I = require('./intrinsics');

// What alloc() made, keyed by ArrayBuffer for arrays that own one (native,
// js): buffer -> { backend, pins, freed, release, array }. Arrays that are
// a range of a larger shared heap (wasm) are found by a resolver of their
// backend instead (addResolver), which returns the same kind of entry,
// freed ones included while their memory is held back.
const owned = new WeakMap();
const resolvers = [];

// The buffers of native and js arrays that free() released (detached).
const freedBuffers = new WeakSet();

function addResolver(fn) {
  resolvers.push(fn);
}

// The entry of the alloc()'d memory an array info ({ buffer, byteOffset,
// byteLength }: see validate.js) lies in, if any.
function entryOf(info) {
  const e = owned.get(info.buffer);
  if (e) return e;
  for (const fn of resolvers) {
    const r = fn(info);
    if (r) return r;
  }
  return undefined;
}

// An array info read from the engine, for arrays not yet validated.
function infoOfView(view) {
  return { view, buffer: I.typedBuffer(view), byteOffset: I.typedByteOffset(view), byteLength: I.typedByteLength(view) };
}

// Refuse memory that free() released, whatever still views it.
function checkNotFreed(info, name) {
  const e = freedBuffers.has(info.buffer) ? { freed: true } : info.byteLength === undefined ? undefined : entryOf(info);
  if (e && e.freed) {
    throw error('ERR_TC_FREED', `${name} was freed: free() released its memory, and no call may use it`);
  }
}

// Whether an async call may work on an array in place: shared memory, or
// memory its backend owns.
function borrowable(info, lendable) {
  return info.shared || lendable(info);
}

// The mode a call runs in, 'copy' or 'borrow', for all of its arrays (the
// infos of validate.js). lendable(info) says whether the backend owns an
// array's memory.
function resolveMode(call, infos, lendable) {
  if (call.mode === 'copy') return 'copy';
  if (call.sync) return 'borrow';
  if (infos.every((i) => borrowable(i, lendable))) return 'borrow';
  if (call.mode === 'borrow') {
    const shown = infos.filter((i) => !borrowable(i, lendable)).map((i) => describe(i.view)).join(' and ');
    throw error('ERR_TC_BORROW',
      `an async call can only borrow a SharedArrayBuffer or an array from alloc(); got ${shown} over an ArrayBuffer, ` +
      "which could be detached or shrunk while the job runs: use alloc() or mode 'copy'");
  }
  return 'copy';
}

// Keep alloc()'d memory from being released, by free() or by the garbage
// collector, while jobs use it. Returns what unpin() takes.
function pin(infos) {
  const entries = [];
  for (const info of infos) {
    const o = entryOf(info);
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
    // Freed meanwhile: release it now. Not freed: an entry whose arrays
    // were all collected while the job held it goes back now (idle).
    if (o.freed) release(o);
    else if (o.idle) o.idle();
  }
}

function release(o) {
  if (o.buffer) {
    owned.delete(o.buffer);
    freedBuffers.add(o.buffer);
  }
  o.release();
}

// The longest typed array this Node makes, in elements (2^32 on Node 20).
const { constants: { MAX_LENGTH } } = require('node:buffer');

// An array of length elements that the library is to allocate: more than
// any typed array can hold is ERR_TC_ENOMEM, before the engine is asked.
function checkAllocation(type, length, what) {
  if (length > MAX_LENGTH) {
    throw enomem(`cannot allocate ${what}: ${length} ${type} elements is more than the longest typed array ` +
      `(buffer.constants.MAX_LENGTH, ${MAX_LENGTH})`);
  }
}

function enomem(msg, cause) {
  const err = cause === undefined ? new RangeError(msg) : new RangeError(msg, { cause });
  err.code = 'ERR_TC_ENOMEM';
  return err;
}

// A new zero-filled array for a result: ERR_TC_ENOMEM where the memory is
// not there, as for every allocation made on a caller's behalf.
function newArray(type, length) {
  checkAllocation(type, length, 'the result');
  try {
    return new ARRAY_OF[type](length);
  } catch (err) {
    throw enomem(`cannot allocate the result, ${length} ${type} elements: ${err.message}`, err);
  }
}

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
  checkAllocation(type, length, `alloc('${type}', ${length})`);
}

// A typed array over an ArrayBuffer the library owns (native and js).
function allocArray(type, length, backend, buffer, detach) {
  const array = new ARRAY_OF[type](buffer, 0, length);
  owned.set(buffer, { backend, pins: 0, freed: false, buffer, array: () => array, release: () => detach(buffer) });
  return array;
}

// Release an alloc()'d array now, or when the last job using it completes.
function freeArray(view) {
  if (!I.isTypedArray(view)) {
    throw typeError(`free() takes an array that alloc() returned; got ${describe(view)}`);
  }
  const info = infoOfView(view);
  const o = freedBuffers.has(info.buffer) ? { freed: true } : entryOf(info);
  if (o && o.freed) throw error('ERR_TC_NOT_OWNED', 'free(): this array was freed already');
  if (!o) throw error('ERR_TC_NOT_OWNED', `free() takes an array that alloc() returned; got ${describe(view)}, which it did not`);
  if (o.array() !== view) {
    throw error('ERR_TC_NOT_OWNED', `free() takes the array alloc() returned, not a view of it; got ${describe(view)}`);
  }
  o.freed = true;
  if (o.pins === 0) release(o);
}

// The backend whose alloc() made an array's memory, if any (info: see
// entryOf).
function ownerOf(info) {
  return entryOf(info)?.backend;
}

module.exports = {
  resolveMode, pin, unpin, checkAlloc, checkAllocation, checkNotFreed, enomem, newArray, allocArray, freeArray, ownerOf,
  addResolver,
};
