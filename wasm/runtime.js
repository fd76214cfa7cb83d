'use strict';
// The JS runtime of the wasm backend: it loads the Emscripten build of the
// core (wasm/dist/, built by `make wasm`): the simd128 one, or the scalar
// one where it is asked for (configure()) or the engine has no wasm SIMD.
// Its memory is a shared WebAssembly.Memory. The runtime keeps a fixed pool
// of worker_threads computing on that memory, and runs jobs:
//   - a sync job runs tc_run() on the calling thread;
//   - an async job is written into the heap and its address pushed on a
//     queue in the heap; a pool thread runs it and pushes the address on a
//     completion queue in the heap. The caller learns of completions in
//     batches: one Atomics.waitAsync for all the jobs in flight, and on
//     each wake-up every finished job's promise is settled. No data is
//     posted.
//   - a split async job (plan.parts > 1) runs in phases: the calling thread
//     runs tc_begin() (validation) and queues the job's ticket once per
//     part; the pool threads that take it run the parts of each phase and,
//     between phases, tc_next() (a merge of the parts' results), and the
//     last to leave the job pushes the ticket on the completion queue.
//
// Heap views are never held across a call that can grow the memory: every
// access goes through u8()/i32()/u32(), which renew the view after growth.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const DIR = path.join(__dirname, 'dist');
const RESOLVED = Promise.resolve();
// The pool's control block in the heap, int32 words at ctrl (wasm/worker.js):
//   [HEAD] next slot of the job queue to take; [TAIL] next one to fill;
//   [CAP] its capacity; [STOP] set when the pool is stopped; [SLEEPERS]
//   pool threads asleep on TAIL that nobody woke (wake()); [DONE_TAIL] next slot of the completion
//   queue to fill; [WAKE] set while the calling thread waits for a
//   completion; [BUSY] pool threads that run a job, or a split job's
//   ticket (tc_wasm_run_ticket(), which they leave when the job ends, or
//   when their parts are done and other jobs wait in the queue); [WARM] set
//   while calls come back to back (publish(): a job queued within
//   WARM_MS of the last reap), cleared by the pool thread whose wait for
//   the next one ended without one; [SPIN] set while a pool thread waits
//   so (at most one does; see wasm/worker.js); then the job
//   queue's QUEUE_SLOTS slots and the completion queue's as many. Both
//   queues hold addresses: a job's, or a split job's ticket with its low
//   bit set. An address goes on the completion queue once per job, split
//   or not, so as long as no more addresses are queued than QUEUE_SLOTS
//   and not yet reaped, neither queue can overflow. A slot of the
//   completion queue holds 0 until an address is stored in it, and again
//   once the calling thread took it.
const QUEUE_SLOTS = 4096; // a power of two
// While calls come back to back (each queued within this long of the last
// reap), the pool thread that ran one waits this long for the next before
// it sleeps, looking at the queue (wasm/worker.js): the next call then
// costs no notify, no wake-up of a sleeping thread. On 2 cores, 16-byte
// calls one after another took 5.4-5.9 us each instead of 38-39. Calls
// further apart find no thread waiting, and cost no wait.
const WARM_MS = 0.1;
// A pool thread that ends a job while more wait on the queue stores its
// completion at once but wakes the calling thread for it (and those stored
// after) only once HAND_BACK_MS have passed since it first held one back,
// before it takes a job of SLOW_WORK or more (tc_job_work()), or when it
// finds the queue empty: so 64 calls in flight wake the calling thread a
// few times, not once each, and none waits behind a slow job. As the
// native runners do (TC_HAND_BACK_NS and TC_SLOW_WORK in native/addon.c).
const HAND_BACK_MS = 1;
const SLOW_WORK = 1 << 20;
const HEAD = 0;
const TAIL = 1;
const CAP = 2;
const STOP = 3;
const SLEEPERS = 4;
const DONE_TAIL = 5;
const WAKE = 6;
const BUSY = 7;
const WARM = 8;
const SPIN = 9;
const SLOTS = 10;
const DONE_SLOTS = SLOTS + QUEUE_SLOTS;
const CTRL_WORDS = DONE_SLOTS + QUEUE_SLOTS;
const QUEUE = { HEAD, TAIL, CAP, STOP, SLEEPERS, DONE_TAIL, WAKE, BUSY, WARM, SPIN, SLOTS, DONE_SLOTS };
const STACK_BYTES = 256 * 1024;
// Blocks for jobs allocated at once, and the bytes of output a job's
// block holds itself (a digest, stats' six float64s).
const JOB_SLAB = 256;
const SMALL_OUT = 64;
const PENDING = 1;
const CANCELED = 2;
const ENOMEM = 11;

// The builds of the module in DIR: the core with -msimd128, and without.
const BUILDS = { simd128: 'twincore', scalar: 'twincore-scalar' };

// A module of one function returning v128.const 0: valid only where the
// engine has wasm SIMD.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // functions: one of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, // code: no locals, v128.const
  ...new Array(16).fill(0), 0x0b, // 16 zero bytes, end
]);

// Which build to load: set by the facade before the first get().
let wantScalar = false;
function configure({ scalar }) {
  wantScalar = Boolean(scalar);
}

function buildToLoad() {
  return wantScalar || !WebAssembly.validate(SIMD_PROBE) ? 'scalar' : 'simd128';
}

// Layout keys, in the order of tc_wasm_layout() (wasm/exports.c).
const LAYOUT_KEYS = ['size', 'status', 'cancel', 'kernel', 'dtype', 'in', 'inLen', 'in2', 'in2Len',
  'out', 'outLen', 'scratch', 'scratchLen', 'dim', 'planSize', 'statsSize', 'parts', 'planParts',
  'ticketSize', 'ticketJob'];

function poolSize() {
  const env = Number(process.env.TWINCORE_WASM_THREADS);
  if (Number.isSafeInteger(env) && env > 0) return Math.min(env, 256);
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

class Runtime {
  constructor(build) {
    // 'simd128' or 'scalar': which module runs (backends().wasm.build).
    this.build = build;
    const bytes = fs.readFileSync(path.join(DIR, `${BUILDS[build]}.wasm`));
    this.module = new WebAssembly.Module(bytes);
    const factory = require(path.join(DIR, `${BUILDS[build]}.js`));
    const Module = {
      // Hand the loader the compiled module: it would otherwise fetch() a
      // file path, which Node 20 refuses; instantiating here also makes
      // loading synchronous, so sync calls need no await.
      instantiateWasm: (imports, receive) => {
        const instance = new WebAssembly.Instance(this.module, imports);
        this.memory = imports.env.memory;
        receive(instance, this.module);
        return instance.exports;
      },
      print: () => {},
      printErr: (msg) => process.stderr.write(`twincore wasm: ${msg}\n`),
    };
    // The loader installs process-wide 'uncaughtException' and
    // 'unhandledRejection' handlers that rethrow; a library must not
    // change how its host handles errors, so they are taken off again.
    // It also sets global.Worker, which would make code that looks for a
    // browser think it is in one.
    const before = {
      uncaughtException: process.listeners('uncaughtException'),
      unhandledRejection: process.listeners('unhandledRejection'),
    };
    const hadWorker = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
    factory(Module);
    for (const [event, kept] of Object.entries(before)) {
      for (const fn of process.listeners(event)) if (!kept.includes(fn)) process.removeListener(event, fn);
    }
    if (hadWorker) Object.defineProperty(globalThis, 'Worker', hadWorker);
    else delete globalThis.Worker;
    if (!Module._tc_run || !this.memory) throw new Error('the wasm module did not initialise');
    // Every call into the module goes through call(): after a trap (an
    // access out of bounds, say) the module's state, its allocator's lock
    // included, can no longer be trusted, so the runtime is marked broken
    // and refuses every later call at once instead of blocking on that
    // lock or working on a corrupt heap.
    this.broken = null;
    this.M = {};
    // Each of these takes at most two arguments (a wasm function ignores
    // those it does not take); a fixed arity keeps the calls cheap.
    for (const name of ['malloc', 'free', 'tc_run', 'tc_plan', 'tc_wasm_ticket_begin', 'tc_job_init', 'tc_strerror',
      'tc_kernel_name', 'tc_kernel_path', 'tc_wasm_heap_used', 'tc_wasm_compiler']) {
      const fn = Module[`_${name}`];
      this.M[`_${name}`] = (a, b) => this.call(fn, a, b);
    }
    // Cannot trap: called directly, on every heap access.
    this.heapPages = Module._tc_wasm_heap_pages;
    this.views = { pages: -1, u8: null, i32: null, u32: null };
    // Every SharedArrayBuffer object the memory has shown: a view made
    // before the memory grew holds an older one, over the same memory.
    this.buffers = new WeakSet();
    const table = Module._tc_wasm_layout() >>> 2;
    this.layout = {};
    LAYOUT_KEYS.forEach((key, i) => {
      this.layout[key] = this.i32()[table + i];
    });
    // A job's block: the tc_job, its tc_plan_t, then its ticket, 8-aligned
    // so that the queue can tag its address with the low bit, then room
    // for a small output (makeJob()).
    const L = this.layout;
    L.ticket = (L.size + L.planSize + 7) & ~7;
    L.smallOut = (L.ticket + L.ticketSize + 7) & ~7;
    L.block = L.smallOut + SMALL_OUT;
    this.threads = poolSize();
    // The jobs made and not freed, and blocks for new ones: JOB_SLAB of
    // them allocated once, so that a job costs no malloc() and free() while
    // no more than that many are alive; more are allocated one by one.
    this.jobs = new Set();
    this.smallOut = SMALL_OUT;
    this.slab = this.malloc(L.block * JOB_SLAB);
    this.spare = [];
    for (let k = JOB_SLAB - 1; k >= 0; k--) this.spare.push(this.slab + k * L.block);
    this.pool = null;
    this.inflight = 0;
    this.keepAlive = null;
    this.waiters = new Map(); // address queued -> its Waiter, until reaped
    this.armed = false; // whether an Atomics.waitAsync for completions is pending
    this.reapedAt = -Infinity; // when reap() last settled a call (performance.now())
    this.onWake = () => {
      this.armed = false;
      Atomics.store(this.i32(), (this.pool.ctrl >>> 2) + WAKE, 0);
      this.arm();
    };
    this.kicking = false; // whether a kick() is due
    this.kick = () => {
      this.kicking = false;
      if (this.pool.error) return;
      const i32 = this.i32();
      const H = this.pool.ctrl >>> 2;
      this.wake(i32, H);
    };
    this.reaped = 0; // completions taken off the completion queue (mod 2^32)
    this.queued = 0; // addresses on the job queue or its completion not reaped
    this.waiting = []; // addresses that found the queue full
  }

  // Views of the current heap, renewed after the memory grew.
  refresh() {
    const pages = this.heapPages();
    if (pages !== this.views.pages) {
      const buffer = this.memory.buffer;
      this.buffers.add(buffer);
      this.views = {
        pages,
        u8: new Uint8Array(buffer),
        i32: new Int32Array(buffer),
        u32: new Uint32Array(buffer),
      };
    }
    return this.views;
  }
  u8() { return this.refresh().u8; }
  i32() { return this.refresh().i32; }
  u32() { return this.refresh().u32; }

  call(fn, a, b) {
    if (this.broken) throw this.broken;
    try {
      return fn(a, b);
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) this.fail(err);
      throw this.broken ?? err;
    }
  }

  // The module trapped: refuse everything from now on, pool included.
  fail(err) {
    if (this.broken) return;
    this.broken = Object.assign(new Error(`the wasm module trapped (${err.message}): its state cannot be trusted, ` +
      'so the wasm backend refuses every call from now on', { cause: err }), { code: 'ERR_TC_WASM_BROKEN' });
    if (this.pool) this.poolFailed(this.broken);
  }

  get heapSize() { return this.memory.buffer.byteLength; }

  // A NUL-terminated string of the module's (static data, never freed).
  string(ptr) {
    const u8 = this.u8();
    if (!Number.isInteger(ptr) || ptr <= 0 || ptr >= u8.length) return '';
    return Buffer.from(u8.subarray(ptr, u8.indexOf(0, ptr))).toString('utf8');
  }

  // What built the module: 'emcc 3.1.6'.
  compiler() {
    return this.string(this.M._tc_wasm_compiler() >>> 0);
  }

  // The code path the core takes for each kernel: { sha256: 'scalar', ... }.
  paths() {
    const out = {};
    for (let k = 0; ; k++) {
      const name = this.M._tc_kernel_name(k);
      if (!name) return out;
      out[this.string(name >>> 0)] = this.string(this.M._tc_kernel_path(k) >>> 0);
    }
  }
  heapUsed() { return this.M._tc_wasm_heap_used() >>> 0; }

  malloc(bytes) {
    // malloc takes a 32-bit size: anything larger would wrap around.
    const p = bytes < 2 ** 32 - 65536 ? this.M._malloc(Math.max(bytes, 1)) >>> 0 : 0;
    if (p === 0) {
      throw Object.assign(new RangeError(`the wasm heap cannot hold ${bytes} more bytes (at most 4 GiB in all)`),
        { code: 'ERR_TC_ENOMEM' });
    }
    return p;
  }
  free(p) { if (p) this.M._free(p); }

  // A view of the heap as a typed array of Ctor (for alloc()).
  view(Ctor, ptr, length) {
    this.refresh();
    return new Ctor(this.memory.buffer, ptr, length);
  }

  // Whether an array's buffer is (a view of) this heap.
  owns(buffer) {
    return this.buffers.has(buffer);
  }

  // Write a job into the heap, to run in at most `parts` parts (1 when
  // omitted). Buffers are heap addresses; an output of up to SMALL_OUT
  // bytes given at address 0 goes in the job's own block. Returns { job,
  // status, parts, out }: the job's address (its scratch and ticket
  // included), tc_plan()'s status or ENOMEM, how many parts the plan
  // splits it into, and the output's address. Throws ENOMEM when not even
  // the job fits.
  makeJob(kernel, dtype, inPtr, inLen, in2Ptr, in2Len, outPtr, outLen, dims, parts = 1) {
    const L = this.layout;
    const job = this.spare.length > 0 ? this.spare.pop() : this.malloc(L.block);
    this.jobs.add(job);
    const out = outPtr === 0 && outLen > 0 && outLen <= SMALL_OUT ? job + L.smallOut : outPtr;
    const u32 = this.u32();
    const j = job >>> 2;
    // tc_job_init(): all zero, status pending; then the call's fields.
    u32.fill(0, j, j + (L.size >>> 2));
    u32[j + (L.status >>> 2)] = PENDING;
    u32[j + (L.parts >>> 2)] = parts;
    u32[(job + L.ticket + L.ticketJob) >>> 2] = job;
    u32[j + (L.kernel >>> 2)] = kernel;
    u32[j + (L.dtype >>> 2)] = dtype;
    u32[j + (L.in >>> 2)] = inPtr;
    u32[j + (L.inLen >>> 2)] = inLen;
    u32[j + (L.in2 >>> 2)] = in2Ptr;
    u32[j + (L.in2Len >>> 2)] = in2Len;
    u32[j + (L.out >>> 2)] = out;
    u32[j + (L.outLen >>> 2)] = outLen;
    u32[j + (L.dim >>> 2)] = dims[0];
    u32[j + (L.dim >>> 2) + 1] = dims[1];
    u32[j + (L.dim >>> 2) + 2] = dims[2];
    const plan = job + L.size;
    const st = this.M._tc_plan(job, plan);
    if (st !== 0) return new Made(job, st, 1, out);
    const scratchLen = this.u32()[(plan + 4) >>> 2];
    const planned = this.u32()[(plan + L.planParts) >>> 2];
    if (scratchLen > 0) {
      const scratch = this.M._malloc(scratchLen) >>> 0;
      if (scratch === 0) return new Made(job, ENOMEM, 1, out);
      const u = this.u32();
      u[(job + L.scratch) >>> 2] = scratch;
      u[(job + L.scratchLen) >>> 2] = scratchLen;
    }
    return new Made(job, 0, planned, out);
  }

  // The jobs this runtime made and has not freed: every method that takes
  // a job checks it is one, so that no stray number reaches the heap.
  checkJob(job) {
    if (!this.jobs.has(job)) {
      throw Object.assign(new TypeError(`not a job of this runtime: ${String(job)}`), { code: 'ERR_INVALID_ARG_VALUE' });
    }
  }

  // Free a job's scratch, and its block (back among the spare ones if it
  // is one of the slab's).
  freeJob(job) {
    this.checkJob(job);
    this.jobs.delete(job);
    const scratch = this.u32()[(job + this.layout.scratch) >>> 2];
    if (scratch !== 0) this.free(scratch);
    if (job >= this.slab && job < this.slab + this.layout.block * JOB_SLAB) this.spare.push(job);
    else this.free(job);
  }

  status(job) {
    this.checkJob(job);
    return Atomics.load(this.i32(), (job + this.layout.status) >>> 2);
  }

  // tc_strerror() of a status, read out of the heap.
  strerror(status) {
    return this.string(this.M._tc_strerror(status) >>> 0);
  }

  // Run a job on the calling thread.
  runSync(job) {
    this.checkJob(job);
    return this.M._tc_run(job);
  }

  // Ask a job to stop: a queued one is dropped, a running one stops at
  // its next chunk.
  cancel(job) {
    this.checkJob(job);
    Atomics.store(this.i32(), (job + this.layout.cancel) >>> 2, 1);
  }

  // A call on the pool starts (hold) or settles (letGo). A pending
  // Atomics.waitAsync does not keep Node alive, and the pool threads are
  // unref'd: hold a handle while calls are in flight. The handle is one
  // interval timer made once and ref'd or unref'd, which is cheaper than
  // making a timer whenever the pool turns busy.
  hold() {
    if (this.inflight++ === 0) {
      if (this.keepAlive === null) this.keepAlive = setInterval(() => {}, 1 << 30);
      else this.keepAlive.ref();
    }
  }
  letGo() {
    if (--this.inflight === 0) this.keepAlive.unref();
  }

  // Queue an address for the pool (a job's, or a split job's ticket
  // tagged with its low bit, `count` times) and return a promise that the
  // dispatcher settles when the pool reports it done (reap()): with the
  // job's status, or with 0 for a ticket. hold: the promise holds the
  // process alive until it settles. Throws if the pool failed.
  submit(address, count, hold) {
    if (this.pool.error) throw this.pool.error;
    const waiter = new Waiter(count, hold);
    const promise = new Promise((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    this.waiters.set(address, waiter);
    if (hold) this.hold();
    this.push(address, count);
    if (!this.armed) this.arm();
    return promise;
  }

  // Wait for the pool to report a completion: one Atomics.waitAsync for
  // all the jobs in flight, on the completion queue's WAKE word. First
  // settle whatever is already done; then set WAKE and look at the next
  // slot once more, so that a completion stored before WAKE was set is
  // not missed (a pool thread that stores one after it sees WAKE set,
  // clears it and notifies).
  arm() {
    const C = this.pool.ctrl >>> 2;
    for (;;) {
      if (this.pool.error) return;
      this.reap();
      if (this.waiters.size === 0) return;
      const i32 = this.i32();
      Atomics.store(i32, C + WAKE, 1);
      if (Atomics.load(i32, C + DONE_SLOTS + (this.reaped & (QUEUE_SLOTS - 1))) === 0) {
        const wait = Atomics.waitAsync(i32, C + WAKE, 1);
        if (wait.async) {
          this.armed = true;
          wait.value.then(this.onWake);
          return;
        }
      }
      Atomics.store(i32, C + WAKE, 0);
    }
  }

  // Every completion the pool has stored, in order, settled: a job's
  // promise resolves with its status, a ticket's with 0. The queue slots
  // they took go to the addresses waiting for room (drain()).
  reap() {
    const i32 = this.i32();
    const D = (this.pool.ctrl >>> 2) + DONE_SLOTS;
    let freed = 0;
    for (;;) {
      const slot = D + (this.reaped & (QUEUE_SLOTS - 1));
      const address = Atomics.load(i32, slot) >>> 0;
      if (address === 0) break;
      Atomics.store(i32, slot, 0);
      this.reaped = (this.reaped + 1) >>> 0;
      const waiter = this.waiters.get(address);
      this.waiters.delete(address);
      freed += waiter.count;
      if (waiter.hold) this.letGo();
      waiter.resolve((address & 1) === 0 ? Atomics.load(i32, (address + this.layout.status) >>> 2) : 0);
    }
    if (freed > 0) {
      this.reapedAt = performance.now();
      this.queued -= freed;
      this.drain();
    }
  }

  // Run a job on the pool; resolves with its status.
  runAsync(job) {
    try {
      this.checkJob(job);
      this.startPool();
      return this.submit(job, 1, true);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // How many parts makeJob()'s plan split a job into (1: it runs whole).
  parts(job) {
    this.checkJob(job);
    return this.u32()[(job + this.layout.size + this.layout.planParts) >>> 2];
  }

  // Run a job in the parts its plan split it into: tc_begin() on the
  // calling thread, then every phase on the pool, as many parts at once as
  // there are free pool threads (the job's ticket is queued once per part;
  // the threads that take it go from phase to phase themselves, see
  // tc_wasm_run_ticket() in wasm/exports.c). Resolves with the job's
  // status. A cancelled job (cancel()) ends TC_CANCELED once the parts of
  // its current phase have returned. A job that does not split runs as
  // runAsync() runs it: tc_begin() would run it whole on the calling
  // thread.
  async runSplit(job) {
    const parts = this.parts(job);
    if (parts < 2) return this.runAsync(job);
    this.startPool();
    const ticket = job + this.layout.ticket;
    this.hold();
    try {
      const status = this.M._tc_wasm_ticket_begin(ticket, parts);
      if (status !== PENDING) return status;
      await this.submit(ticket | 1, parts, false);
      return Atomics.load(this.i32(), (job + this.layout.status) >>> 2);
    } finally {
      this.letGo();
    }
  }

  startPool() {
    if (this.pool) {
      if (this.pool.error) throw this.pool.error;
      return;
    }
    const stacks = this.malloc(STACK_BYTES * this.threads + 16);
    const ctrl = this.malloc(4 * CTRL_WORDS);
    const i32 = this.i32();
    i32.fill(0, ctrl >>> 2, (ctrl >>> 2) + CTRL_WORDS);
    i32[(ctrl >>> 2) + CAP] = QUEUE_SLOTS;
    this.pool = { ctrl, stacks, workers: [], error: null };
    try {
      for (let t = 0; t < this.threads; t++) this.pool.workers.push(this.startThread(ctrl, stacks, t));
    } catch (err) {
      // A pool short of threads would leave parts queued for threads
      // that are not there: none at all is the honest pool.
      this.poolFailed(err);
      throw this.pool.error;
    }
  }

  startThread(ctrl, stacks, t) {
    const base = ((stacks + 15) & ~15) + t * STACK_BYTES;
    const worker = new Worker(path.join(__dirname, 'worker.js'), {
      workerData: {
        wasmModule: this.module, memory: this.memory, ctrl, queue: QUEUE, layout: this.layout, warmMs: WARM_MS,
        handBackMs: HAND_BACK_MS, slowWork: SLOW_WORK,
        stackBase: base, stackTop: base + STACK_BYTES,
      },
    });
    worker.unref();
    // A trap on a pool thread: the module is broken for every thread.
    worker.on('error', (err) => (err && err.name === 'RuntimeError' ? this.fail(err) : this.poolFailed(err)));
    // A pool thread runs until poolFailed() stops it: one that ends
    // before (terminated before its script started exits with code 0)
    // leaves what it would have taken, and every split job counting on
    // it, waiting for good.
    worker.on('exit', (code) => this.poolFailed(new Error(code === 0 ? 'a wasm pool thread ended'
      : `a wasm pool thread exited with code ${code}`)));
    return worker;
  }

  // A pool thread died: the job it held can never finish. Every job in
  // flight rejects rather than hang, and its memory stays allocated for
  // good (the caller leaks it on purpose: the other threads may still be
  // working on it until they are gone); the other threads are stopped and
  // new async jobs refused.
  poolFailed(err) {
    if (this.pool.error) return;
    this.pool.error = Object.assign(new Error(`the wasm thread pool failed: ${err.message}`, { cause: err }),
      { code: 'ERR_TC_WASM_POOL' });
    const i32 = this.i32();
    const H = this.pool.ctrl >>> 2;
    Atomics.store(i32, H + STOP, 1);
    Atomics.notify(i32, H + TAIL);
    for (const w of this.pool.workers) w.terminate();
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    this.waiting.length = 0;
    for (const waiter of waiters) {
      if (waiter.hold) this.letGo();
      waiter.reject(this.pool.error);
    }
  }

  // Queue an address `count` times (a split job's ticket: once per part).
  // What does not fit waits in this.waiting, in order, for drain().
  push(address, count) {
    let k = 0;
    if (this.waiting.length === 0) {
      const n = Math.min(count, QUEUE_SLOTS - this.queued);
      if (n > 0) {
        const i32 = this.i32();
        const H = this.pool.ctrl >>> 2;
        const tail = i32[H + TAIL];
        for (; k < n; k++) Atomics.store(i32, H + SLOTS + ((tail + k) & (QUEUE_SLOTS - 1)), address);
        this.publish(i32, H, tail, n);
      }
    }
    for (; k < count; k++) this.waiting.push(address);
  }

  // Move addresses that found the queue full onto it as room appears.
  drain() {
    const count = Math.min(this.waiting.length, QUEUE_SLOTS - this.queued);
    if (count <= 0) return;
    const i32 = this.i32();
    const H = this.pool.ctrl >>> 2;
    const tail = i32[H + TAIL];
    for (let k = 0; k < count; k++) Atomics.store(i32, H + SLOTS + ((tail + k) & (QUEUE_SLOTS - 1)), this.waiting[k]);
    this.waiting.splice(0, count);
    this.publish(i32, H, tail, count);
  }

  // Publish n addresses stored in the slots from tail on with one store
  // of the tail, and wake pool threads for them (wake()). Calls made in
  // one go (64 calls in a loop) do that about once: the first wakes
  // threads at once, and the rest leave it to kick(), which runs once the
  // calling code has returned.
  publish(i32, H, tail, n) {
    if (performance.now() - this.reapedAt < WARM_MS) Atomics.store(i32, H + WARM, 1);
    this.queued += n;
    Atomics.store(i32, H + TAIL, (tail + n) | 0);
    if (this.kicking) return;
    this.kicking = true;
    // A resolved promise's reaction: a microtask without the async
    // resource queueMicrotask() makes for each callback.
    RESOLVED.then(this.kick);
    this.wake(i32, H);
  }

  // Wake as many sleeping pool threads as queued addresses outnumber the
  // threads awake and free. SLEEPERS counts the threads asleep that nobody
  // woke: a thread counts itself before it waits for the tail to move from
  // the value it saw (so either it sees the new tail or this sees it
  // counted), and this takes off those it wakes (a thread whose wait ends
  // otherwise takes itself off). A thread awake looks at the queue again
  // before it sleeps, but one that runs a job (BUSY) may do so for as long
  // as the job lasts: a call queued behind a long one must not wait for it
  // while another thread sleeps.
  wake(i32, H) {
    const sleepers = Atomics.load(i32, H + SLEEPERS);
    if (sleepers === 0) return;
    const queued = (Atomics.load(i32, H + TAIL) - Atomics.load(i32, H + HEAD)) | 0;
    const wanted = queued - (this.threads - sleepers - Atomics.load(i32, H + BUSY));
    if (wanted <= 0) return;
    const woken = Atomics.notify(i32, H + TAIL, wanted);
    if (woken > 0) Atomics.sub(i32, H + SLEEPERS, woken);
  }
}

// What makeJob() returns.
class Made {
  constructor(job, status, parts, out) {
    this.job = job;
    this.status = status;
    this.parts = parts;
    this.out = out;
  }
}

// One address on the pool, until the dispatcher settles it: count is how
// many times it was queued (the queue slots it takes until reaped), hold
// whether it keeps the process alive meanwhile.
class Waiter {
  constructor(count, hold) {
    this.count = count;
    this.hold = hold;
    this.resolve = null;
    this.reject = null;
  }
}

let runtime = null;
let loadError = null;

// The runtime, loaded on first use; null (with loadError set) if this build
// has no wasm module or this Node cannot run it.
function get() {
  if (runtime || loadError) return runtime;
  try {
    if (typeof SharedArrayBuffer !== 'function' || typeof Atomics.waitAsync !== 'function') {
      throw new Error('this JavaScript engine lacks SharedArrayBuffer or Atomics.waitAsync');
    }
    runtime = new Runtime(buildToLoad());
  } catch (err) {
    loadError = err;
  }
  return runtime;
}

module.exports = { get, configure, getLoadError: () => loadError, PENDING, CANCELED };
