'use strict';
// One pool thread of the wasm backend. It instantiates the module on the
// shared memory, then takes addresses off a queue in that memory:
//   - a job's (8-aligned): it runs tc_run() on it; the thread that queued
//     the job learns of its end through Atomics.waitAsync on the job's
//     status word, which tc_run() writes and this thread notifies;
//   - a split job's ticket, tagged with its low bit set (see
//     tc_wasm_run_ticket() in wasm/exports.c): it runs the next part of the
//     job's current phase, and the thread that ends the phase notifies
//     waiters on the ticket's first word, the count of parts still running.
// Nothing is posted per job.
//
// Queue (int32 words at ctrl): [0] head, next slot to take; [1] tail, next
// slot to fill; [2] capacity; [3] stop; [4...] slots holding addresses.

const { workerData } = require('node:worker_threads');

const { wasmModule, memory, ctrl, stackTop, stackBase, layout } = workerData;
const HEAD = (ctrl >>> 2);
const TAIL = HEAD + 1;
const CAP = HEAD + 2;
const STOP = HEAD + 3;
const SLOTS = HEAD + 4;
const CANCELED = 2;

// The module's imports are Emscripten's runtime; a pool thread only runs
// kernels, which call none of them.
const imports = {};
for (const imp of WebAssembly.Module.imports(wasmModule)) {
  imports[imp.module] ??= {};
  imports[imp.module][imp.name] = imp.kind === 'memory' ? memory : () => {
    throw new Error(`twincore: a wasm pool thread called the import ${imp.module}.${imp.name}`);
  };
}
const wasm = new WebAssembly.Instance(wasmModule, imports).exports;

// Every instance starts with the stack pointer of the main thread; give
// this one its own stack, allocated for it by the main thread.
wasm.stackRestore(stackTop);
wasm.emscripten_stack_set_limits(stackTop, stackBase);

let i32 = new Int32Array(memory.buffer);
// The heap may have grown since the view was made.
function words(index) {
  if (index >= i32.length) i32 = new Int32Array(memory.buffer);
  return i32;
}

for (;;) {
  if (Atomics.load(i32, STOP)) break;
  const head = Atomics.load(i32, HEAD);
  const tail = Atomics.load(i32, TAIL);
  if (head === tail) {
    Atomics.wait(i32, TAIL, tail);
    continue;
  }
  // Read the slot before claiming it: once head moves past it, the
  // producer may fill it again.
  const slot = Atomics.load(i32, SLOTS + ((head >>> 0) % i32[CAP])) >>> 0;
  if (Atomics.compareExchange(i32, HEAD, head, (head + 1) | 0) !== head) continue;
  if (slot & 1) {
    // A part always runs, even of a cancelled job: a cancelled part returns
    // at once by itself, and the phase ends only once every part returned.
    const ticket = slot - 1;
    if (wasm.tc_wasm_run_ticket(ticket) === 0) Atomics.notify(words(ticket >>> 2), ticket >>> 2);
    continue;
  }
  const job = slot;
  const status = (job + layout.status) >>> 2;
  const view = words((job + layout.size) >>> 2);
  if (Atomics.load(view, (job + layout.cancel) >>> 2) !== 0) {
    // Cancelled while queued: dropped without running.
    Atomics.store(view, status, CANCELED);
  } else {
    wasm.tc_run(job);
  }
  Atomics.notify(words(status), status);
}
