'use strict';
// The host's pace: how fast this machine runs a fixed piece of work at a
// moment, against the fastest it ran it in the run. The machines this
// bench runs on are virtual; the host slows their CPUs at moments by up
// to about 1.8x, for spells of a second or more, and most for code that
// keeps the integer units busy (sha256 in wasm or portable C) and not at
// all for the SHA instructions. A ratio taken from rounds in turns is
// fair to both sides only when the spell hits both alike; the report
// shows each row's pace, so that a reader can tell a row that falls short
// in a slow spell from one that falls short at the host's usual pace.
//
// A sample runs the work on the calling thread and, at the same moment,
// on a worker thread of its own, so that on two CPUs both are timed; its
// pace is the slower of the two, against the fastest time of any sample
// (pace() below). The clock is the wall's: a thread's CPU time here is
// counted in ticks of 4 ms.

const { Worker } = require('node:worker_threads');
const { median } = require('./stats');

// The work: four chains of additions, shifts and exclusive ors (so that
// it is bound by how many integer operations a CPU retires, as a hash
// is), reading a small table, about 1 ms on a CPU of 2020.
function work(table, n) {
  let a = 1;
  let b = 2;
  let c = 3;
  let e = 4;
  for (let i = 0; i < n; i++) {
    a = (a + (b ^ (b >>> 3)) + i) | 0;
    b = ((b + ((c << 5) | (c >>> 27))) ^ a) | 0;
    c = (c + (e & a) + table[i & 4095]) | 0;
    e = ((e ^ ((a >>> 7) | (a << 25)) ^ b) + c) | 0;
  }
  return a ^ b ^ c ^ e;
}

function table() {
  const t = new Int32Array(4096);
  for (let i = 0; i < t.length; i++) t[i] = Math.imul(i, 0x9e3779b1);
  return t;
}

const STEPS = 5e5;
// Each thread's time in a sample is the least of REPEATS runs back to
// back: a spell of the host's lasts a second or more, while a thread of
// the process's own (V8's collector, a pool thread ending its warm spell)
// takes a CPU from one run for a millisecond or so.
const REPEATS = 3;

// The seconds of the least of REPEATS runs of the work, one thread's
// side of a sample. (Read with work() into the worker's source too.) The
// work's result is kept on the table, so that no compiler drops the work.
function least(t) {
  let best = Infinity;
  let h = 0;
  for (let k = 0; k < REPEATS; k++) {
    const t0 = performance.now();
    h ^= work(t, STEPS);
    best = Math.min(best, (performance.now() - t0) / 1e3);
  }
  t.result = h;
  return best;
}

// Runs the work until V8 has optimised it, so that both threads run the
// optimised code from the first sample.
function warm(t) {
  for (let i = 0; i < 20; i++) work(t, STEPS / 10);
}

// The worker's side: the same functions; time the work whenever asked,
// post the seconds.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const STEPS = ${STEPS};
const REPEATS = ${REPEATS};
${work.toString()}
${least.toString()}
${warm.toString()}
const t = (${table.toString()})();
warm(t);
parentPort.on('message', () => parentPort.postMessage({ seconds: least(t) }));
`;

class HostPace {
  constructor() {
    this.table = table();
    // It holds the process open until close(): the bench closes it when
    // the rounds in turns end, however they end (run.js).
    this.worker = new Worker(WORKER, { eval: true });
    this.failed = null;
    // The sample waiting for the worker's seconds: settled with them, or
    // with null if the worker fails or ends.
    this.pending = null;
    const settle = (seconds) => {
      const resolve = this.pending;
      this.pending = null;
      if (resolve) resolve(seconds);
    };
    this.worker.on('message', (m) => settle(m.seconds));
    this.worker.on('error', (err) => { this.failed = err; settle(null); });
    this.closed = false;
    this.worker.on('exit', () => {
      if (!this.closed) this.failed ??= new Error('the host pace worker ended');
      settle(null);
    });
    warm(this.table);
  }

  // One sample: [seconds on this thread, seconds on the worker's], the
  // two run at once; null once the worker failed (the run goes on without
  // the host's pace).
  async sample() {
    if (this.failed) return null;
    const other = new Promise((resolve) => { this.pending = resolve; });
    this.worker.postMessage(null);
    const here = least(this.table);
    const there = await other;
    return there === null ? null : [here, there];
  }

  // Ends the worker; its end is then no failure (run.js reports one).
  close() {
    this.closed = true;
    return this.worker.terminate();
  }
}

// The fastest seconds of any thread in any sample of lists (arrays of
// samples, null samples skipped).
function fastest(lists) {
  let best = Infinity;
  for (const list of lists) for (const s of list || []) if (s) best = Math.min(best, s[0], s[1]);
  return best;
}

// A sample's pace against best: the slower thread's seconds over best
// (NaN for a missing sample).
function pace(sample, best) {
  return sample ? Math.max(sample[0], sample[1]) / best : NaN;
}

// A pace at which the report calls the host slow.
const SLOW = 1.2;

// Gives each result timed in turns the pace of its rounds, in place of
// its samples (r.turns.host, a group's list, shared by its results): for
// each round, the slower of the samples before and after it (r.turns.pace).
// Returns the run's { best: the fastest seconds of the work, samples,
// median: their median pace, slow: how many were SLOW or slower }, or
// null where nothing was sampled.
function paceRounds(results) {
  const timed = results.filter((r) => r.turns && Array.isArray(r.turns.host));
  const lists = [...new Set(timed.map((r) => r.turns.host))];
  const best = fastest(lists);
  if (!Number.isFinite(best)) return null;
  const all = lists.flat().filter(Boolean).map((s) => pace(s, best));
  for (const r of timed) {
    const s = r.turns.host;
    r.turns.pace = r.turns.wall.map((_, i) => Math.max(pace(s[i], best), pace(s[i + 1], best)));
    delete r.turns.host;
  }
  return { best, samples: all.length, median: median(all), slow: all.filter((x) => x >= SLOW).length };
}

module.exports = { HostPace, paceRounds, SLOW };
