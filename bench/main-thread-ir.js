'use strict';
// `make main-thread-ir`: how many instructions the main thread runs for
// one zero-copy async call on a large input against the same call on a
// small one, counted under callgrind: a second method for the bench's
// main-thread growth targets, which time the main thread's CPU clock. A
// count does not move with the state of the caches or the host, so what
// the two calls' times differ by beyond it is not the call's own work.
//
// Each count runs a child node under callgrind (one thread per file),
// which warms the calls up, then makes windows of `calls` of them between
// dumps of the bare peer built with BARE_CALLGRIND (its dump()): the main
// thread's instructions in a window, less those of a child that makes
// only the bare round trips each call follows, per call. What the engine
// compiles late, or a collection (a million instructions and more at a
// time), lands in one window or another, and several at times: each child
// counts WINDOWS windows of `calls` calls and keeps the least, which
// nothing but the calls themselves fills.
//
//   node bench/main-thread-ir.js PEER [calls] [large bytes] [kernel/backend ...]
//
// The large input is 64 MiB (matmul: 1024²) by default, the small 1 KiB
// (64²), as in the bench's rows; kernels stats, sort (uint32) and matmul.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MIB = 1024 * 1024;
// sort/wasm may be named too; it is left out by default, its 64 MiB sorts
// being the slowest of all under callgrind (each child makes dozens).
const CASES = ['stats/native', 'stats/wasm', 'sort/native', 'matmul/native', 'matmul/wasm'];

// The input of a kernel at a size in bytes. Matmul's work grows faster
// than its data: its matrices scale as the bench's do, 1024² where the
// others have 64 MiB and 64² where they have 1 KiB (n a multiple of 16,
// n×n of float32).
function shape(kernel, bytes) {
  if (kernel === 'matmul') {
    const n = bytes <= 1024 ? 64 : Math.max(64, Math.round((1024 * Math.sqrt(bytes / (64 * MIB))) / 16) * 16);
    return { type: 'float32', length: n * n, n, name: `${n}²` };
  }
  const type = kernel === 'sort' ? 'uint32' : 'float64';
  const size = type === 'uint32' ? 4 : 8;
  return { type, length: Math.floor(bytes / size), name: bytes >= MIB ? `${bytes / MIB} MiB` : `${bytes / 1024} KiB` };
}

// The child: runs under callgrind. Every child warms up alike, whichever
// input it then counts: WARM calls on the small input and WARM_LARGE on
// the large (or as many bare round trips), so that the engine has
// compiled the same code by the windows; then WINDOWS windows of `calls`
// on one input.
const WARM = 100;
const WARM_LARGE = 10;
const WINDOWS = 5;
async function child(peer, what, kernel, backend, calls, bytes) {
  // Callgrind runs everything some 50x slower, but the clock at its pace:
  // the package's own timers would fire within calls they never meet in
  // real time (the buffer cache's trim, every 5 s whatever the calls, in
  // large sorts). They run 1000x later here, outside the counts.
  const timers = require('node:timers');
  const { setTimeout: start } = timers;
  timers.setTimeout = (fn, ms, ...args) => start(fn, ms * 1000, ...args);
  globalThis.setTimeout = timers.setTimeout;
  const tc = require('..');
  const bare = require(peer);
  if (bare.dump() !== true) throw new Error(`${peer} was built without valgrind's callgrind.h: it cannot count`);
  const make = (size) => {
    const s = shape(kernel, size);
    const array = tc.alloc(s.type, s.length, { backend });
    for (let i = 0; i < s.length; i++) array[i] = ((i * 2654435761) >>> 0) % 1000;
    const out = kernel === 'matmul' ? tc.alloc('float32', s.length, { backend }) : undefined;
    const call = kernel === 'matmul'
      ? () => tc.matmul(array, array, s.n, s.n, s.n, { backend, threads: 1, out })
      : () => tc[kernel](array, { backend, threads: 1 });
    return { call, free: () => [array, out].forEach((a) => a && tc.free(a)) };
  };
  const [large, small] = [make(bytes), make(1024)];
  const one = async (input) => {
    await bare.roundTrip(0);
    if (what !== 'bare') await input.call();
  };
  for (let i = 0; i < WARM; i++) await one(small);
  for (let i = 0; i < WARM_LARGE; i++) await one(large);
  bare.dump();
  const counted = what === 'large' ? large : small;
  for (let w = 0; w < WINDOWS; w++) {
    for (let i = 0; i < calls; i++) await one(counted);
    bare.dump();
  }
  large.free();
  small.free();
}

// The main thread's instructions in the child's least window.
function count(peer, what, kernel, backend, calls, bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-ir-'));
  try {
    const file = path.join(dir, 'cg');
    const r = spawnSync('valgrind', ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${file}`,
      process.execPath, __filename, '--child', peer, what, kernel, backend, String(calls), String(bytes)],
    // A child counts for minutes at most (a 64 MiB sort's, about three).
    { encoding: 'utf8', maxBuffer: 64 * MIB, timeout: 30 * 60 * 1000 });
    if (r.error) throw new Error(`valgrind: ${r.error.message} (make deps-valgrind installs it)`);
    if (r.signal) throw new Error(`${kernel}/${backend} under callgrind was stopped (${r.signal}): over 30 minutes?`);
    if (r.status !== 0) throw new Error(`${kernel}/${backend} under callgrind exited ${r.status}:\n${r.stderr.slice(-2000)}`);
    // Thread 1, the main thread, in the dumps after the first (the
    // warm-up's).
    const windows = [];
    for (let k = 2; k <= WINDOWS + 1; k++) {
      const m = /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(`${file}.${k}-01`, 'utf8'));
      if (!m) throw new Error(`no instruction count in ${kernel}/${backend}'s dump ${k}`);
      windows.push(Number(m[1]));
    }
    return Math.min(...windows);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// progress(line): told of each case as it starts (each takes seconds to
// minutes under callgrind).
function main(argv, progress = () => {}) {
  const [given, calls = '5', large = String(64 * MIB), ...named] = argv;
  const peer = given && path.resolve(given);
  if (!peer || !fs.existsSync(peer)) throw new Error('usage: node bench/main-thread-ir.js PEER [calls] [large bytes] [kernel/backend ...]');
  const n = Number(calls);
  const big = Number(large);
  if (!(n >= 1 && Number.isInteger(n)) || !(big >= 64 * 1024 && Number.isInteger(big))) {
    throw new Error(`calls must be a whole number >= 1 and large a whole number of bytes >= 65536: ${calls}, ${large}`);
  }
  const cases = named.length ? named : CASES;
  for (const c of cases) {
    const [kernel, backend, more] = c.split('/');
    if (!['stats', 'sort', 'matmul'].includes(kernel) || !['native', 'wasm'].includes(backend) || more !== undefined) throw new Error(`unknown case ${c}`);
  }
  const rows = [];
  for (const c of cases) {
    const [kernel, backend] = c.split('/');
    const small = 1024;
    progress(`${c}: counting ${WINDOWS} windows of ${n} calls on ${shape(kernel, big).name}, on ${shape(kernel, small).name} and of the bare round trip alone`);
    const floor = count(peer, 'bare', kernel, backend, n, big);
    const per = (what) => (count(peer, what, kernel, backend, n, big) - floor) / n;
    const [a, b] = [per('large'), per('small')];
    rows.push(`| ${kernel} | ${backend} | ${shape(kernel, big).name} | ${Math.round(a)} | ${shape(kernel, small).name} | ${Math.round(b)} | ${(a / b).toFixed(2)}x |`);
  }
  return [`main-thread instructions per zero-copy async call (callgrind; the least of ${WINDOWS} windows of ${n} calls, less the bare round trips around them)`, '',
    '| kernel | backend | large | instructions | small | instructions | large / small |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const [, peer, what, kernel, backend, calls, bytes] = argv;
    child(peer, what, kernel, backend, Number(calls), Number(bytes)).catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
  } else {
    try {
      console.log(main(argv, (line) => console.error(line)));
    } catch (err) {
      console.error(err.message);
      process.exitCode = 1;
    }
  }
}

module.exports = { main, shape };
