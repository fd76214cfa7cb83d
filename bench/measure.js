'use strict';
// Runs one case with benchmark.js and measures, besides time per call, the
// main thread's time per call: for an async call, what it costs the event
// loop, copies included. Main-thread time is the thread's CPU clock (the
// bare peer's threadCpu()) where the bare peer is built, else
// performance.eventLoopUtilization. Waiting itself costs the main thread
// time that grows with the wait (on this kind of machine a thread's sleep
// and wake-up take tens to hundreds of µs of its CPU), so each async case
// also runs an idle twin: a bare async work item that sleeps on the pool
// as long as the case's calls took, less one that does not sleep.
// busyPerCall is the call's time less that (busyRaw and busyIdle keep
// both). A thread that idled milliseconds also runs its next work from
// cold caches (several times slower here than back to back), and a long
// call's own path runs that way every time: a case that names afterIdle
// also times the same call on that small input right after the main
// thread idled as long (busyAfterIdle), and right after it idled as long
// while a pool thread read as many bytes as the large call's input round
// and round (busyAfterRead): the like-for-like figure the main-thread
// growth targets compare with, since a large call's data streams through
// the caches the main thread shares with the pool, and its settling then
// runs from caches colder still. Such a case's wait is costed that way
// too: a twin whose work item reads the same bytes as long instead of
// sleeping (busyReadIdle), taken from the median call (busyMedianRead).

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const Benchmark = require('benchmark');
const tc = require('..');
const validate = require('../js/validate');
const { fill, ARRAYS } = require('./cases');
const { throughput, median, mean, versus } = require('./stats');

// Call fn through a reference: benchmark.js would otherwise recompile its
// source into a loop, losing the closure.
Benchmark.support.decompilation = false;

const ROOT = path.resolve(__dirname, '..');

// A sort given the same keys call after call runs as if it knew them: the
// CPU's branch predictor learns its branches. V8's sort of one set of 256
// uint32 keys, again and again, took 0.8 µs a call here against 6.2 µs
// for new keys each call, 16 sets in turn were learnt as well, 64 were not;
// 4096 keys, 18 µs against 156. So a sort case takes its keys from sets of
// at least this many keys in all, in turn (all backends and V8 alike).
const FRESH_KEYS = 65536;

// Inputs of one type and length in each kind of memory, made once and
// shared by every case that reads them; freed by release().
class Inputs {
  constructor() {
    this.sets = new Map();
  }

  get(input, memory) {
    const key = `${input.type}:${input.length}:${input.dist || 'random'}`;
    let set = this.sets.get(key);
    if (!set) {
      // The keys a sort is given back before each call: the next of
      // several sets, together at least FRESH_KEYS keys (one set from
      // there on), drawn on from the same stream as plain.
      const sets = Math.ceil(FRESH_KEYS / input.length);
      const keys = fill(input.type, input.length * sets, input.dist);
      const pristine = Array.from({ length: sets }, (_, k) => keys.subarray(k * input.length, (k + 1) * input.length));
      set = { plain: pristine[0].slice(), pristine };
      this.sets.set(key, set);
    }
    if (!set[memory]) {
      const v = tc.alloc(input.type, input.length, { backend: memory });
      v.set(set.plain);
      set[memory] = v;
    }
    return set;
  }

  // An array of input's type and length in memory (native or wasm) for a
  // call to write its result into (matmul's options.out): one per set and
  // memory, freed with the set.
  output(input, memory) {
    const set = this.get(input, memory);
    if (!set.out) set.out = {};
    if (!set.out[memory]) set.out[memory] = tc.alloc(input.type, input.length, { backend: memory });
    return set.out[memory];
  }

  // Free everything but the inputs still needed.
  releaseExcept(keep) {
    for (const [key, set] of this.sets) {
      if (keep.has(key)) continue;
      for (const memory of ['native', 'wasm']) {
        if (set[memory]) tc.free(set[memory]);
        if (set.out && set.out[memory]) tc.free(set.out[memory]);
      }
      this.sets.delete(key);
    }
  }
}

let peers = null;

const BARE_ADDON = path.join(ROOT, 'build', 'bench', 'bare.node');

// The peers that can run here ({ 'hash-wasm': true, ... }), and a line for
// each that cannot: an installed package has neither the bench's npm peers
// (devDependencies) nor its C harnesses (built by `make bench`).
function findPeers() {
  const available = {};
  const skipped = [];
  for (const name of ['hash-wasm', 'piscina']) {
    try {
      require.resolve(name);
      available[name] = true;
    } catch {
      skipped.push(`${name} is not installed: its rows are skipped (npm install ${name} adds them)`);
    }
  }
  available.bare = fs.existsSync(BARE_ADDON);
  if (!available.bare) skipped.push('the bare Node-API peer is not built: its dispatch rows are skipped (`make bench` in a checkout builds it)');
  return { available, skipped };
}

// Peers that need setting up once: hash-wasm's hasher, piscina's pool, the
// bare Node-API addon; each only where findPeers() found it.
async function setupPeers(available) {
  if (peers) return peers;
  peers = {};
  if (available['hash-wasm']) peers.sha256 = await require('hash-wasm').createSHA256();
  if (available.piscina) {
    const { Piscina } = require('piscina');
    peers.piscina = new Piscina({ filename: path.join(__dirname, 'peers', 'empty-task.js'), maxThreads: 2, minThreads: 2 });
    // The independent-jobs rows' pool, as large as the child's pools
    // (run.js sets TWINCORE_BENCH_POOL).
    const pool = Number(process.env.TWINCORE_BENCH_POOL) || 2;
    peers.piscinaHash = new Piscina({ filename: path.join(__dirname, 'peers', 'hash-task.js'), maxThreads: pool, minThreads: pool });
  }
  if (available.bare) peers.bare = require(BARE_ADDON);
  return peers;
}

async function closePeers() {
  if (peers && peers.piscina) await peers.piscina.destroy();
  if (peers && peers.piscinaHash) await peers.piscinaHash.destroy();
  peers = null;
}

// OpenBLAS's sgemm, the matmul rows' reference: the harness `make bench`
// builds (bench/peers/sgemm.c; BENCH_SGEMM names another), run in a child
// process on threads threads for calls products of n x n. Returns { seconds:
// each call's, in order, wall: the whole run's, its process's start
// included }; throws with what went wrong. A run that takes over
// SGEMM_TIMEOUT ms is killed.
const SGEMM_TIMEOUT = 60e3;
function sgemm(n, calls, threads) {
  const given = process.env.BENCH_SGEMM;
  const exe = given || path.join(ROOT, 'build', 'bench', 'sgemm');
  if (!fs.existsSync(exe)) {
    throw new Error(given ? `BENCH_SGEMM names no file: ${given}` : 'the sgemm harness was not built (make bench builds it)');
  }
  const t0 = performance.now();
  const r = spawnSync(exe, [String(n), String(calls)], {
    encoding: 'utf8', timeout: SGEMM_TIMEOUT, env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads) },
  });
  const wall = (performance.now() - t0) / 1e3;
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `status ${r.status}`;
    throw new Error(`the sgemm harness failed: ${(r.stderr || '').trim() || why}`);
  }
  let seconds;
  try {
    ({ seconds } = JSON.parse(r.stdout));
  } catch {
    seconds = null;
  }
  if (!Array.isArray(seconds) || seconds.length !== calls || !seconds.every((x) => x > 0)) {
    throw new Error(`the sgemm harness printed no seconds for its ${calls} calls: ${r.stdout.trim().slice(0, 200)}`);
  }
  return { seconds, wall };
}

// OpenBLAS on one thread and on two (as many as the matmul rows split
// into): { blas, blas2 }, or { blasError }. Its figures are taken as the
// bench takes twincore's: the mean of BLAS_CALLS - 1 calls after a warm-up
// one, with the calls as samples for the spread. run.js runs it before the
// main sweep and again after it, with the first figures as earlier: their
// samples are pooled, and what the run timed in turns is kept. Each is a
// result of its own that the targets' rows time in turns with the matmul
// calls they compare it with (harness, n, threads: what a turn runs;
// start: the seconds a run of the harness takes besides its calls).
const BLAS_N = 1024;
const BLAS_CALLS = 11;
function blas(earlier = {}) {
  const out = {};
  for (const [key, threads] of [['blas', 1], ['blas2', 2]]) {
    let run;
    try {
      run = sgemm(BLAS_N, BLAS_CALLS, threads);
    } catch (err) {
      return { blasError: err.message };
    }
    const samples = [...(earlier[key] ? earlier[key].samples : []), ...run.seconds.slice(1)];
    const work = 2 * BLAS_N ** 3;
    const seconds = mean(samples);
    const series = `OpenBLAS sgemm, ${threads} thread${threads > 1 ? 's' : ''}`;
    out[key] = {
      ...earlier[key],
      id: `matmul/${BLAS_N}/${series}`,
      series,
      harness: 'sgemm',
      n: BLAS_N,
      threads,
      work,
      samples,
      seconds,
      start: Math.max(run.wall - run.seconds.reduce((a, b) => a + b, 0), 0),
      throughput: work / seconds,
      gflops: work / seconds / 1e9,
      best: work / Math.min(...samples) / 1e9,
    };
  }
  return out;
}

// An async call names its threads: 1 (one call, one pool thread, as the
// single-thread targets compare) unless the case is one of the threads
// rows. 'auto' cases pass no options at all.
function optionsOf(c) {
  if (c.backend === 'auto') return undefined;
  if (c.mode === '-') return { backend: c.backend };
  const o = { backend: c.backend, mode: c.mode === 'zero-copy' ? 'borrow' : c.mode };
  if (!c.sync) o.threads = c.threads || 1;
  return o;
}

// The function to time, sync () => void or async (deferred) => void.
// timing.restore (wall) and timing.restoreBusy (main-thread clock)
// accumulate the time spent restoring a sort's input, which
// the result leaves out. out: the array a matmul writes into (c.out).
function makeFn(c, data, set, timing, out) {
  const opts = out ? { ...optionsOf(c), out } : optionsOf(c);
  const twin = (name, ...args) => (c.sync
    ? () => tc[`${name}Sync`](...args, opts)
    : (d) => tc[name](...args, opts).then(() => d.resolve(), (e) => { d.benchmark.error = e; d.resolve(); }));
  let next = 0;
  const restore = () => {
    const b0 = timing.clock.start();
    const t0 = performance.now();
    data.set(set.pristine[next]);
    next = next + 1 === set.pristine.length ? 0 : next + 1;
    timing.restore += (performance.now() - t0) / 1e3;
    timing.restoreBusy += timing.clock.since(b0);
  };
  switch (c.backend === 'peer' ? c.peer : c.kernel) {
    case 'sha256': return twin('sha256', data);
    case 'stats': return twin('stats', data);
    case 'matmul': return twin('matmul', data, data, c.size, c.size, c.size);
    case 'sort': {
      const f = twin('sort', data);
      return c.sync ? () => { restore(); f(); } : (d) => { restore(); f(d); };
    }
    case 'subtle': return (d) => crypto.subtle.digest('SHA-256', data).then(() => d.resolve());
    case 'hash-wasm': return () => peers.sha256.init().update(data).digest('binary');
    case 'memcpy': {
      const dst = new ARRAYS[c.input.type](c.input.length);
      return () => dst.set(data);
    }
    case 'bare': return batched(c.batch, () => peers.bare.roundTrip());
    case 'piscina': return batched(c.batch, () => peers.piscina.run(null));
    case 'piscina-hash': return batched(c.batch, () => peers.piscinaHash.run(data));
    case 'jobs': return batched(c.batch, () => tc.sha256(data, opts));
    case 'dispatch': return c.sync ? () => tc.sha256Sync(data, opts) : batched(c.batch, () => tc.sha256(data, opts));
    case 'facade': {
      const o = { backend: c.target, mode: 'borrow' };
      return () => validate.sha256(data, o, false);
    }
    default: throw new Error(`no way to run ${c.id}`);
  }
}

// An async call that is a batch of n calls in flight at once.
function batched(n, call) {
  if (n === 1) return (d) => call().then(() => d.resolve());
  return (d) => {
    const all = [];
    for (let i = 0; i < n; i++) all.push(call());
    Promise.all(all).then(() => d.resolve());
  };
}

// The main thread's busy-time clock: start() then since(start) in seconds.
// Reading it costs time too, and part of that falls inside the window it
// measures (reading the thread's CPU clock is a system call, about half
// a µs here): `overhead`, the median of since(start()) with nothing in
// between, is what every window holds besides the call. Made once for
// each kind of clock.
const clocks = new Map();
function mainThreadClock() {
  const bare = Boolean(peers && peers.bare);
  if (clocks.has(bare)) return clocks.get(bare);
  let clock;
  if (bare) {
    const cpu = peers.bare.threadCpu;
    clock = { name: 'thread CPU time', start: cpu, since: (t0) => cpu() - t0 };
  } else {
    clock = {
      name: 'event-loop utilization',
      start: () => performance.eventLoopUtilization(),
      since: (e0) => performance.eventLoopUtilization(e0).active / 1e3,
    };
  }
  const empty = [];
  for (let i = 0; i < 2001; i++) empty.push(clock.since(clock.start()));
  clock.overhead = median(empty.slice(1));
  clocks.set(bare, clock);
  return clock;
}

// How many round trips a measurement of idling `seconds` takes: 5 to 15,
// about 0.5 s of idling in all where `seconds` is under 0.1 (5 × seconds
// above); 0 where no bare peer can idle.
function idleRounds(seconds) {
  if (!peers || !peers.bare || !(seconds > 0)) return 0;
  return Math.max(5, Math.min(15, Math.floor(0.5 / seconds)));
}

// What waiting `seconds` costs the main thread: a bare work item that
// sleeps that long on the pool, less one that does not sleep (whose own
// dispatch is part of any async call's cost, not of the wait). Medians
// over up to 15 round trips each (at most ~0.5 s), taking turns: one
// round trip that a collection or another process lands on does not move
// a median, where it moved the mean by hundreds of µs. With `buffer`, the
// work item reads it round and round instead of sleeping: what the same
// wait costs while another core streams as many bytes through the caches
// the main thread shares with it (a 127 ms wait: 166-186 µs here, against
// 91-111 µs with the pool asleep).
async function idleTwin(clock, seconds, buffer) {
  const n = idleRounds(seconds);
  if (n === 0) return 0;
  const slept = [];
  const bare = [];
  for (let i = 0; i < n; i++) {
    for (const [round, into] of [[[seconds, buffer], slept], [[0], bare]]) {
      const b0 = clock.start();
      await peers.bare.roundTrip(...round);
      into.push(clock.since(b0) - clock.overhead);
    }
  }
  return Math.max(median(slept) - median(bare), 0);
}

// What the same call on a small input costs the main thread right after
// it idled `seconds` (a bare work item sleeping on the pool), and right
// after it idled as long while a pool thread read `buffer` (an ordinary
// array of the large call's input bytes; read only) round and round: the
// medians over idleRounds() calls of each, the idle ones first. The
// second is the large call's like for like: the same wait, with as many
// bytes streaming through the caches both threads share, only the call's
// own work smaller. `fn` is a case's deferred function; what restoring a
// sort's input cost is left out.
async function afterIdle(clock, seconds, fn, timing, buffer) {
  const n = idleRounds(seconds);
  if (n === 0) return {};
  const after = async (...round) => {
    const busy = [];
    for (let i = 0; i < n; i++) {
      await peers.bare.roundTrip(...round);
      busy.push((await timeCalls({ fn, async: true, k: 1, timing }, clock)).busy);
    }
    return median(busy);
  };
  const idle = await after(seconds);
  return { idle, read: buffer ? await after(seconds, buffer) : undefined };
}

// A window opened now: its close() gives the seconds since, { wall, busy }
// (busy by the main-thread clock, less its own reads: it may come out a
// little under 0), what restoring a sort's input cost (timing) meanwhile
// left out of both.
function openWindow(clock, timing) {
  const r0 = timing.restore;
  const rb0 = timing.restoreBusy;
  let b0 = 0;
  let t0 = 0;
  const w = {
    close: () => ({
      wall: (performance.now() - t0) / 1e3 - (timing.restore - r0),
      busy: clock.since(b0) - clock.overhead - (timing.restoreBusy - rb0),
    }),
  };
  // The clocks last: nothing of the window's own set-up falls inside it.
  b0 = clock.start();
  t0 = performance.now();
  return w;
}

// Seconds per call over a window of p.k calls of p.fn in a row (a case's
// function: sync, or deferred where p.async): { wall, busy }, as
// openWindow() gives them (busy at least 0).
function timeCalls(p, clock) {
  if (p.time) return Promise.resolve(p.time());
  const per = (w) => {
    const { wall, busy } = w.close();
    return { wall: wall / p.k, busy: Math.max(busy, 0) / p.k };
  };
  if (!p.async) {
    const w = openWindow(clock, p.timing);
    for (let i = 0; i < p.k; i++) p.fn();
    return Promise.resolve(per(w));
  }
  // Async calls one after another, each started as the one before settles
  // (from its own reaction, no await between), the window closed by the
  // last one's.
  return new Promise((resolve, reject) => {
    let i = 0;
    const d = {
      benchmark: {},
      resolve: () => {
        if (d.benchmark.error) reject(d.benchmark.error);
        else if (++i < p.k) p.fn(d);
        else resolve(per(w));
      },
    };
    const w = openWindow(clock, p.timing);
    p.fn(d);
  });
}

// The rounds of paired(): as many as fit in about PAIRED_BUDGET seconds,
// within PAIRED_ROUNDS; each participant's window holds calls for about
// PAIRED_WINDOW seconds.
const PAIRED_BUDGET = 2;
const PAIRED_ROUNDS = [3, 21];
const PAIRED_WINDOW = 5e-3;
// turns(): the targets' own comparisons, windows of about TURNS_WINDOW
// seconds (a call of a few ms that came first in its window would carry
// the wake-up of pool threads that slept through the other cases' turns,
// which the sweep's calls back to back do not), at least TURNS_ROUNDS
// rounds in about TURNS_BUDGET seconds.
const TURNS_WINDOW = 50e-3;
const TURNS_BUDGET = 4;
const TURNS_ROUNDS = 5;

// 0, 1, ... n-1 in an order of its own for each round (a fixed sequence):
// each participant follows a different one from round to round, so that
// what one leaves behind (a pool's threads still awake, caches) does not
// always fall on the same other.
function order(n, round) {
  const idx = Array.from({ length: n }, (_, i) => i);
  let seed = (round + 1) * 0x9e3779b1;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

// Times participants in turns: a warm-up window each, then rounds in
// which each times one window of its p.k calls (timeCalls), in an order of
// its own per round. Fills each one's wall and busy (per call, one entry
// per round); returns the number of rounds: as many as fit in about
// budget seconds, at least least, at most PAIRED_ROUNDS[1]. With host (a
// HostPace, bench/host.js), samples the host's pace before each round and
// after the last into samples (rounds + 1 of them, a round between two).
async function inTurns(ps, clock, budget = PAIRED_BUDGET, least = PAIRED_ROUNDS[0], host = null, samples = []) {
  const roundTime = ps.reduce((sum, p) => sum + p.k * p.each, 0);
  const rounds = Math.max(least, Math.min(PAIRED_ROUNDS[1], Math.floor(budget / roundTime)));
  for (const p of ps) await timeCalls(p, clock); // warm-up
  for (let round = 0; round < rounds; round++) {
    if (host) samples.push(await host.sample());
    for (const j of order(ps.length, round)) {
      const p = ps[j];
      const w = await timeCalls(p, clock);
      p.wall.push(w.wall);
      if (p.busy) p.busy.push(w.busy);
    }
  }
  if (host) samples.push(await host.sample());
  return rounds;
}

// A participant of inTurns(): case c (with its result: seconds, restore)
// on its input, fn made from it (or by make(set, timing), a deferred
// function, where given), as many calls per window as fill about window
// seconds.
function participant(c, inputs, clock, make, window = PAIRED_WINDOW) {
  if (c.harness !== undefined) return harnessParticipant(c, window);
  const timing = { restore: 0, restoreBusy: 0, clock };
  const set = inputs.get(c.input, c.memory);
  const fn = make ? make(set, timing)
    : makeFn(c, set[c.memory], set, timing, c.out ? inputs.output(c.input, c.memory) : undefined);
  const each = (c.seconds || 0) + (c.restore || 0);
  const k = Math.max(1, Math.min(4096, Math.round(window / Math.max(each, 1e-9))));
  return { series: c.series, fn, async: make ? true : !c.sync, timing, k, each, wall: [], busy: [] };
}

// OpenBLAS as a participant (c: blas()'s figures): a window is one run of
// the harness, a first call that warms up its new process (the matrices'
// pages, OpenBLAS's threads) and then k timed by the harness itself, their
// mean the window's seconds per call. each counts the warm-up call and the
// process's start too, so that inTurns() sizes its rounds by the time a
// window takes. The main thread's clock has nothing to take of another
// process: no busy. A harness that fails leaves the turns to the others:
// its participant keeps the error (p.error) and runs no more.
function harnessParticipant(c, window) {
  if (c.harness !== 'sgemm') throw new Error(`no harness named ${c.harness}`);
  const k = Math.max(1, Math.round(window / c.seconds));
  const p = { series: c.series, k, each: (c.seconds * (k + 1) + (c.start || 0)) / k, wall: [], busy: null, error: null };
  p.time = () => {
    if (!p.error) {
      try {
        return { wall: mean(sgemm(c.n, k + 1, c.threads).seconds.slice(1)) };
      } catch (err) {
        p.error = err;
      }
    }
    return { wall: NaN };
  };
  return p;
}

/**
 * Cases that a target compares, timed again in turns (see paired()), over
 * windows of about TURNS_WINDOW seconds (one call where a call takes
 * longer), in 5 to 21 rounds, as many as fit in about TURNS_BUDGET
 * seconds: a target's ratio is then taken from calls that saw this
 * machine at the same moments. Each is a case with its result ({ ...case,
 * ...result }), or OpenBLAS's figures (blas(): harness 'sgemm').
 * Resolves with { wall, busy: [seconds per call, one per round, for each
 * case in order; busy null for a harness], host: [the host's pace
 * samples, rounds + 1, with pace (a HostPace); empty without], errors:
 * [for each, null, or what failed in a harness, whose figures are then
 * not to be used] } (busy by the main thread's clock), or { error }.
 */
async function turns(group, inputs, pace = null) {
  const clock = mainThreadClock();
  try {
    const ps = group.map((c) => participant(c, inputs, clock, undefined, TURNS_WINDOW));
    const host = [];
    await inTurns(ps, clock, TURNS_BUDGET, TURNS_ROUNDS, pace, host);
    return { wall: ps.map((p) => p.wall), busy: ps.map((p) => p.busy), host, errors: ps.map((p) => (p.error ? p.error.message : null)) };
  } catch (err) {
    return { error: err.message };
  }
}

/**
 * An 'auto' case timed in turns with what the targets compare it with
 * (targets.js, autoPeers): like, the calls of the same kind on the same
 * ordinary arrays; twin, for an async 'auto' case, its sync twin, which
 * also runs wrapped in a resolved promise (the least that any async call
 * run on the calling thread costs). Cases measured one after another see
 * this machine at moments up to 2x apart; taking turns round by round,
 * they see the same one. Each round times every participant over a window
 * of calls, in an order that changes from round to round.
 * a and others are cases with their results ({ ...case, ...result });
 * like candidates more than 3x slower than the fastest of them are left
 * out (one of them cannot be the best).
 * Resolves with { rounds, like: { value, lo, hi, best }, twin: { value,
 * lo, hi, busy, twin, floor } } (value: the ratio of the medians over the
 * rounds; lo, hi: the least and largest ratio of one round), or
 * { error }.
 */
async function paired(a, like, twin, inputs) {
  const clock = mainThreadClock();
  const fastest = Math.min(...like.map((r) => r.seconds));
  const kept = like.filter((r) => r.seconds <= 3 * fastest);
  const ps = [];
  const add = (c, role, make) => ps.push({ ...participant(c, inputs, clock, make), role });
  try {
    add(a, 'auto');
    for (const r of kept) add(r, 'like');
    if (twin) {
      add(twin, 'twin');
      // The sync twin's own call, settled through a resolved promise.
      add(twin, 'floor', (set, timing) => {
        const f = makeFn(twin, set[twin.memory], set, timing);
        return (d) => Promise.resolve(f()).then(() => d.resolve());
      });
    }
    const rounds = await inTurns(ps, clock);
    const auto = ps[0];
    const out = { rounds };
    const likes = ps.filter((p) => p.role === 'like');
    if (likes.length > 0) {
      const best = likes.reduce((x, y) => (median(y.wall) < median(x.wall) ? y : x));
      out.like = { ...versus(auto.wall, best.wall), best: best.series };
    }
    const t = ps.find((p) => p.role === 'twin');
    if (t) {
      const floor = ps.find((p) => p.role === 'floor');
      out.twin = { ...versus(auto.busy, t.wall), busy: median(auto.busy), twin: median(t.wall), floor: median(floor.busy) };
    }
    return out;
  } catch (err) {
    return { error: err.message };
  }
}

/** Measure one case; resolves with its result (never rejects). */
function measure(c, inputs, { minSamples = 4 } = {}) {
  return new Promise((resolve) => {
    let fn;
    let smallFn;
    // What a pool thread reads meanwhile for the small call's like for
    // like (afterIdle): the large call's input bytes, in ordinary memory.
    let readBuffer;
    // Restoring is taken out of both figures, each by its own clock.
    const clock = mainThreadClock();
    const timing = { restore: 0, restoreBusy: 0, clock };
    const smallTiming = { restore: 0, restoreBusy: 0, clock };
    try {
      const set = inputs.get(c.input, c.memory);
      const outOf = (input) => (c.out ? inputs.output(input, c.memory) : undefined);
      fn = makeFn(c, set[c.memory], set, timing, outOf(c.input));
      if (c.afterIdle) {
        const small = inputs.get(c.afterIdle.input, c.memory);
        smallFn = makeFn({ ...c, ...c.afterIdle }, small[c.memory], small, smallTiming, outOf(c.afterIdle.input));
        readBuffer = set.plain.buffer;
      }
    } catch (err) {
      resolve({ error: err.message });
      return;
    }
    // Main-thread time is taken per call, from the call to its promise
    // settling (eventLoopUtilization over that window), so that
    // benchmark.js's own work between calls is left out, and so is the
    // case's first call, which runs code, and touches memory, for the
    // first time (a split sort of 64 MiB: 1.1-1.9 ms of main-thread time
    // against 150-350 µs for each call after it): it is not what a call
    // costs, and a case of large calls makes few.
    let calls = 0;
    // Each async call's { wall, busy } (openWindow()).
    const each = [];
    const counted = c.sync
      ? () => {
        calls++;
        fn();
      }
      : (d) => {
        calls++;
        const w = openWindow(clock, timing);
        fn({
          benchmark: d.benchmark,
          resolve: () => {
            each.push(w.close());
            d.resolve();
          },
        });
      };
    const bench = new Benchmark(c.id, {
      fn: counted, defer: !c.sync, maxTime: c.maxTime, minSamples, initCount: 1, delay: 0,
    });
    bench.on('complete', async () => {
      if (bench.error) {
        resolve({ error: String(bench.error.message || bench.error) });
        return;
      }
      // The calls counted: all but the first, unless it was the only one.
      const kept = each.length > 1 ? each.slice(1) : each;
      // The idle twin: what waiting as long costs the main thread.
      const waited = mean(kept.map((x) => x.wall));
      const busyIdle = c.sync || c.batch > 1 ? 0 : await idleTwin(clock, waited);
      let after = {};
      // For the growth rows' like for like, the large call's wait costed
      // as it ran: with a pool thread streaming its bytes.
      let busyReadIdle;
      try {
        if (smallFn) {
          after = await afterIdle(clock, waited, smallFn, smallTiming, readBuffer);
          if (idleRounds(waited) > 0) busyReadIdle = await idleTwin(clock, waited, readBuffer);
        }
      } catch (err) {
        resolve({ error: `the call after idling: ${err.message}` });
        return;
      }
      const perCall = c.batch > 1 ? c.batch : 1;
      // Restoring runs on the main thread inside each call: take its
      // measured total out of both figures.
      const restore = timing.restore / calls;
      const seconds = Math.max(bench.stats.mean - restore, 1e-12);
      // A sync call keeps the main thread busy for all of its time; an
      // async call's window holds a clock read besides the call.
      const busyRaw = c.sync ? seconds : Math.max(mean(kept.map((x) => x.busy)), 0);
      const busyPerCall = Math.max(busyRaw - busyIdle, 0);
      // The median call's, for a figure that one call a collection or
      // another process landed on does not move (a large case makes a few
      // calls: 5 of a sort of 64 MiB), as afterIdle() takes the median.
      const busyMedianRaw = c.sync ? seconds : median(kept.map((x) => x.busy));
      const busyMedian = c.sync ? seconds : Math.max(busyMedianRaw - busyIdle, 0);
      // The same, less the wait's cost with a pool thread reading (the
      // growth rows compare it with busyAfterRead).
      const busyMedianRead = busyReadIdle === undefined ? undefined : Math.max(busyMedianRaw - busyReadIdle, 0) / perCall;
      resolve({
        seconds,
        secondsPerUnit: seconds / perCall,
        busyPerCall: busyPerCall / perCall,
        busyRaw: busyRaw / perCall,
        busyMedian: busyMedian / perCall,
        busyIdle,
        busyAfterIdle: after.idle,
        busyAfterRead: after.read,
        busyReadIdle,
        busyMedianRead,
        clock: clock.name,
        clockOverhead: clock.overhead,
        rme: bench.stats.rme / 100,
        samples: bench.stats.sample.map((s) => Math.max(s - restore, 1e-12)),
        calls,
        restore,
        throughput: throughput(c.work, seconds),
      });
    });
    // Garbage of earlier cases (their inputs are large) is collected now,
    // not during this case's measurement.
    if (global.gc) global.gc();
    bench.run({ async: true });
  });
}

module.exports = { measure, paired, turns, order, makeFn, sgemm, blas, Inputs, findPeers, setupPeers, closePeers, ROOT };
