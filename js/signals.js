'use strict';
// One 'abort' listener per AbortSignal, however many jobs share it: a
// listener per job would trip Node's MaxListeners warning past ten.

const I = require('./intrinsics');

const aborters = new WeakMap(); // signal -> Set of cancel functions

// Call cancel() when signal aborts; returns a function that forgets it.
function onAbort(signal, cancel) {
  if (!signal) return () => {};
  let set = aborters.get(signal);
  if (!set) {
    const fresh = new Set();
    aborters.set(signal, fresh);
    // EventTarget's own method: not one the signal object may shadow.
    I.addEventListener(signal, 'abort', () => fresh.forEach((fn) => fn()), { once: true });
    set = fresh;
  }
  set.add(cancel);
  return () => set.delete(cancel);
}

module.exports = { onAbort };
