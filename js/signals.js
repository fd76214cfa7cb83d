'use strict';
// One 'abort' listener per AbortSignal, however many jobs share it: a
// listener per job would trip Node's MaxListeners warning past ten.

const aborters = new WeakMap(); // signal -> Set of cancel functions

// Call cancel() when signal aborts; returns a function that forgets it.
function onAbort(signal, cancel) {
  if (!signal) return () => {};
  let set = aborters.get(signal);
  if (!set) {
    const fresh = new Set();
    aborters.set(signal, fresh);
    signal.addEventListener('abort', () => fresh.forEach((fn) => fn()), { once: true });
    set = fresh;
  }
  set.add(cancel);
  return () => set.delete(cancel);
}

module.exports = { onAbort };
