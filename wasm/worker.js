'use strict';
// One pool thread of the wasm backend. It instantiates the module on the
// shared memory, then takes addresses off a queue in that memory:
//   - a job's (8-aligned): it runs tc_run() on it, then reports the job
//     done on the completion queue;
//   - a split job's ticket, tagged with its low bit set (see
//     tc_wasm_run_ticket() in wasm/exports.c): it runs parts of the job's
//     phases, with the other threads that took its ticket, until the job
//     ends (or its parts are done and other jobs wait), and the last
//     thread to leave it reports the (tagged) ticket on the completion
//     queue.
// The thread that queued them learns of completions through one
// Atomics.waitAsync for all of them (wasm/runtime.js). Nothing is posted
// per job, and while more calls wait on the queue a thread wakes it for
// the completions it stored only now and then (HAND_BACK_MS in
// wasm/runtime.js). While calls come back to back, one thread that ran one
// looks at the queue a little before it sleeps (WARM_MS). The control
// block's layout is described in wasm/runtime.js.

const { workerData } = require('node:worker_threads');

const { wasmModule, memory, ctrl, queue, stackTop, stackBase, layout, warmMs, handBackMs, slowWork } = workerData;
const C = ctrl >>> 2;
const HEAD = C + queue.HEAD;
const TAIL = C + queue.TAIL;
const CAP = C + queue.CAP;
const STOP = C + queue.STOP;
const SLEEPERS = C + queue.SLEEPERS;
const DONE_TAIL = C + queue.DONE_TAIL;
const WAKE = C + queue.WAKE;
const BUSY = C + queue.BUSY;
const WARM = C + queue.WARM;
const SPIN = C + queue.SPIN;
const SLOTS = C + queue.SLOTS;
const DONE_SLOTS = C + queue.DONE_SLOTS;
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

// Report an address done: claim the next slot of the completion queue and
// store it there (the job's status was stored before). If the calling
// thread waits, wake it (say()), unless more jobs wait on the queue: then
// the completion is held back (heldSince) until HAND_BACK_MS have passed,
// a slow job is next, or the queue is empty. Slots may fill out of order;
// the calling thread takes them in order. One filled before it set WAKE it
// sees before it waits; one filled after, a say() wakes it for.
let heldSince = -1; // when this thread first held a completion back, or -1
function done(address) {
  const slot = DONE_SLOTS + (Atomics.add(i32, DONE_TAIL, 1) & (i32[CAP] - 1));
  Atomics.store(i32, slot, address);
  if (Atomics.load(i32, HEAD) === Atomics.load(i32, TAIL)) return say();
  const now = performance.now();
  if (heldSince < 0) heldSince = now;
  else if (now - heldSince >= handBackMs) say();
}

// Wake the calling thread for the completions stored, once: whichever
// thread clears WAKE notifies (and the calling thread then takes every
// completion stored, this thread's held-back ones too).
function say() {
  heldSince = -1;
  if (Atomics.compareExchange(i32, WAKE, 1, 0) === 1) Atomics.notify(i32, WAKE);
}

// Whether this thread ran a whole job since it last waited.
let ran = false;
for (;;) {
  if (Atomics.load(i32, STOP)) break;
  const head = Atomics.load(i32, HEAD);
  const tail = Atomics.load(i32, TAIL);
  if (head === tail) {
    if (heldSince >= 0) say();
    // Calls come back to back (WARM): one thread that ran one waits up to
    // warmMs for the next, looking at the tail, not asleep: not counted
    // in SLEEPERS, so the calling thread does not notify for it. A wait
    // that ends without a call ends the warm spell.
    if (ran && Atomics.load(i32, WARM) && Atomics.compareExchange(i32, SPIN, 0, 1) === 0) {
      ran = false;
      const end = performance.now() + warmMs;
      while (Atomics.load(i32, TAIL) === tail && !Atomics.load(i32, STOP) && performance.now() < end);
      if (Atomics.load(i32, TAIL) === tail) Atomics.store(i32, WARM, 0);
      Atomics.store(i32, SPIN, 0);
      continue;
    }
    ran = false;
    // Counted before the wait: the thread that moves the tail notifies
    // only as many threads as are counted (wasm/runtime.js wake()), and
    // takes off those it woke; a wait that ends otherwise takes itself off.
    Atomics.add(i32, SLEEPERS, 1);
    if (Atomics.wait(i32, TAIL, tail) !== 'ok') Atomics.sub(i32, SLEEPERS, 1);
    continue;
  }
  // Read the slot before claiming it: once head moves past it, the
  // producer may fill it again. Counted BUSY before the claim, so that the
  // calling thread never sees the job gone from the queue and this thread
  // free (wasm/runtime.js wake()).
  const slot = Atomics.load(i32, SLOTS + ((head >>> 0) % i32[CAP])) >>> 0;
  Atomics.add(i32, BUSY, 1);
  if (Atomics.compareExchange(i32, HEAD, head, (head + 1) | 0) !== head) {
    Atomics.sub(i32, BUSY, 1);
    continue;
  }
  if (heldSince >= 0 && ((slot & 1) !== 0 || wasm.tc_job_work(slot) >= slowWork)) say();
  if (slot & 1) {
    // Parts always run, even of a cancelled job: a cancelled part returns
    // at once by itself, and a phase ends only once every part returned.
    const ticket = slot - 1;
    let left;
    // Its parts are done and the job's phase goes on: wait for the next
    // one while the queue is empty, else leave the job to its other
    // threads and take what waits there.
    while ((left = wasm.tc_wasm_run_ticket(ticket)) < 0) {
      if (Atomics.load(i32, STOP) || Atomics.load(i32, HEAD) !== Atomics.load(i32, TAIL)) {
        left = wasm.tc_wasm_leave_ticket(ticket);
        break;
      }
    }
    Atomics.sub(i32, BUSY, 1);
    if (left === 0) done(slot);
    continue;
  }
  const job = slot;
  const view = words((job + layout.size) >>> 2);
  if (Atomics.load(view, (job + layout.cancel) >>> 2) !== 0) {
    // Cancelled while queued: dropped without running.
    Atomics.store(view, (job + layout.status) >>> 2, CANCELED);
  } else {
    wasm.tc_run(job);
  }
  Atomics.sub(i32, BUSY, 1);
  done(job);
  ran = true;
}
