'use strict';
// The targets the report checks: ratios measured side by side in one run.
// Each row says holds / falls short, with the figure, or why it could not
// be measured. Where the run timed both sides again in turns (r.turns:
// run.js, comparedGroups()), the ratio is that of their median calls over
// the rounds, and its spread the least and largest ratio of one round;
// else, where both sides have samples, the ratio of their means, with the
// spread over the samples (slowest against fastest each way). A row is
// marked noisy when that spread crosses the target: one run cannot tell
// whether it holds; and 'host slow' when the host ran its median round in
// turns at bench/host.js's SLOW pace or slower. Pure: results in, rows out.

const { formatRatio, formatTime, median, versus } = require('./stats');
const { SLOW } = require('./host');

const MIB = 1024 * 1024;

function find(results, pred) {
  return results.find((r) => !r.error && pred(r));
}

// A ratio and its spread: { value, lo, hi } (lo/hi NaN when unknown).
const ratio = (value, lo = NaN, hi = NaN) => ({ value, lo, hi });

// Per-unit seconds of a result's samples: [fastest, slowest].
function range(r) {
  if (!r || !Array.isArray(r.samples) || r.samples.length < 2) return [NaN, NaN];
  const per = r.batch > 1 ? r.batch : 1;
  return [Math.min(...r.samples) / per, Math.max(...r.samples) / per];
}

// Seconds per unit of a result's calls in each round where the run timed
// them in turns with b's (run.js: r.turns, from measure.js turns()), for
// units of work (the case's work) or of calls (a batch's calls); null
// where it did not. clock: 'wall', or 'busy' (the main thread's, less what
// its wait costs the idle main thread, busyIdle, as the sweep takes it).
function perRound(r, b, units, clock = 'wall') {
  const t = r.turns;
  const u = b.turns;
  if (!t || !u || t.group !== u.group || !t[clock] || t[clock].length !== u.wall.length) return null;
  const n = units === 'work' ? r.work : r.batch > 1 ? r.batch : 1;
  const idle = clock === 'busy' ? r.busyIdle || 0 : 0;
  return t[clock].map((x) => Math.max(x - idle, 0) / n);
}

// xs over ys, round by round (versus()); with the rounds and the median
// seconds per call (of a batch: per call in it) of a and of b, for the row.
function fromTurns(xs, ys, a, b) {
  const per = (r) => median(r.turns.wall) / (r.batch > 1 ? r.batch : 1);
  // Rounds of child processes (poolRounds()) are named so.
  const how = a.turns.group === 'rounds' ? 'a child each in turns' : 'in turns';
  return { ...versus(xs, ys), turns: { rounds: xs.length, a: per(a), b: per(b), how, pace: a.turns.pace } };
}

// How many times faster a is than b (throughput a / throughput b): from
// their calls timed in turns where the run did, else from each one's own.
function fasterOf(a, b) {
  if (!a || !b) return ratio(NaN);
  const xs = perRound(b, a, 'work');
  const ys = perRound(a, b, 'work');
  if (xs && ys) return fromTurns(xs, ys, a, b);
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return ratio(a.throughput / b.throughput, b0 / a1, b1 / a0);
}

// How many times longer a takes than b, per unit (as fasterOf()).
function slowerOf(a, b) {
  if (!a || !b) return ratio(NaN);
  const xs = perRound(a, b, 'calls');
  const ys = perRound(b, a, 'calls');
  if (xs && ys) return fromTurns(xs, ys, a, b);
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return ratio(a.secondsPerUnit / b.secondsPerUnit, a0 / b1, a1 / b0);
}

// OpenBLAS's figures (measure.js, blas(): a result of its own, throughput
// the mean of its calls, samples their seconds, turns where the run timed
// it in turns with a row's matmul), as faster() takes them: the same
// object, so that comparedGroups() can put it in its row's group. A run
// saved before they were (JSON with gflops and samples only) gets a
// result made from those.
function peer(b) {
  if (!b) return undefined;
  if (Number.isFinite(b.throughput)) return b;
  return Number.isFinite(b.gflops) ? { throughput: b.gflops * 1e9, samples: b.samples } : undefined;
}

function row(target, want, got, cmp, given) {
  const r = typeof got === 'number' ? ratio(got) : got;
  const t = r.turns;
  // The host's pace over the rounds (bench/host.js), where sampled: the
  // row is marked 'host slow' when its median round ran at SLOW or slower.
  const pace = t && Array.isArray(t.pace) ? t.pace.filter(Number.isFinite) : [];
  const paced = pace.length > 0 ? `; host pace ${formatRatio(Math.min(...pace))}–${formatRatio(Math.max(...pace))}` : '';
  const slow = pace.length > 0 && median(pace) >= SLOW;
  const detail = t ? [given, `${t.how || 'in turns'} (${t.rounds} rounds): ${formatTime(t.a)} vs ${formatTime(t.b)}${paced}`].filter(Boolean).join('; ') : given;
  if (!Number.isFinite(r.value)) return { target, want: cmp ? `${cmp} ${want}` : '-', figure: '-', status: 'not measured', detail };
  // A figure the report shows beside the targets, with no bar of its own.
  if (!cmp) return { target, want: '-', figure: formatRatio(r.value), status: 'shown', detail };
  const ok = (x) => (cmp === '>=' ? x >= want : x <= want);
  const spread = Number.isFinite(r.lo) && Number.isFinite(r.hi);
  const noisy = spread && ok(r.lo) !== ok(r.hi);
  return {
    target,
    want: `${cmp} ${want}`,
    figure: formatRatio(r.value) + (spread ? ` (${formatRatio(r.lo)}–${formatRatio(r.hi)})` : ''),
    status: (ok(r.value) ? 'holds' : 'falls short') + (noisy ? ', noisy' : '') + (slow ? ', host slow' : ''),
    noisy,
    hostSlow: slow,
    detail,
  };
}

const time = (r) => (r ? r.secondsPerUnit : NaN);
const busy = (r) => (r ? r.busyPerCall : NaN);

/**
 * @param {object[]} results  measured cases (case fields + measurement)
 * @param {object} extra      { blas, blas2 } (OpenBLAS on 1 and 2 threads,
 *                            measure.js blas(): throughput and gflops the
 *                            mean, samples seconds per call, turns where
 *                            timed in turns), measured outside benchmark.js
 * @param {function} note     called with each two results a row compares
 *                            (comparedGroups)
 */
function evaluate(results, extra = {}, note = () => {}) {
  const rows = [];
  const faster = (a, b) => {
    note(a, b);
    return fasterOf(a, b);
  };
  const slower = (a, b) => {
    note(a, b);
    return slowerOf(a, b);
  };
  // a's main-thread time per call against times b's wall time per call:
  // from their calls in turns where the run timed them so (perRound()),
  // else the sweep's figures (no spread: the sweep keeps no main-thread
  // time per sample).
  const busyVersus = (a, b, times) => {
    note(a, b);
    if (!a || !b) return ratio(NaN);
    const xs = perRound(a, b, 'calls', 'busy');
    const ys = perRound(b, a, 'calls');
    if (xs && ys) {
      const more = ys.map((y) => y * times);
      return { ...versus(xs, more), turns: { rounds: xs.length, a: median(xs), b: median(more) } };
    }
    return ratio(busy(a) / (times * time(b)));
  };
  const by = (kernel, size, series, dtype, dist) => find(results, (r) => r.kernel === kernel && r.size === size &&
    r.series === series && (!dtype || r.dtype === dtype) && (r.dist || 'random') === (dist || 'random'));

  // sha256, 16 MiB, zero-copy async.
  const crypto16 = by('sha256', 16 * MIB, 'node:crypto createHash');
  const hw16 = by('sha256', 16 * MIB, 'hash-wasm');
  rows.push(row('sha256 16 MiB: native zero-copy async vs node:crypto', 0.9,
    faster(by('sha256', 16 * MIB, 'native zero-copy async'), crypto16), '>='));
  rows.push(row('sha256 16 MiB: wasm zero-copy async vs hash-wasm', 1.2,
    faster(by('sha256', 16 * MIB, 'wasm zero-copy async'), hw16), '>='));

  // sort, 16M elements; float64 on three kinds of data.
  const sorts = [['uint32', 'random', 10, 8], ['int32', 'random', 10, 8], ['float64', 'random', 6, 6],
    ['float64', 'log-uniform', 6, 6], ['float64', 'clustered', 6, 6]];
  for (const [dtype, dist, wantNative, wantWasm] of sorts) {
    const size = 16 * MIB * (dtype === 'float64' ? 8 : 4);
    const js = by('sort', size, 'TypedArray.prototype.sort', dtype, dist);
    const what = dist === 'random' ? dtype : `${dtype} ${dist}`;
    for (const [backend, want] of [['native', wantNative], ['wasm', wantWasm]]) {
      const t = by('sort', size, `${backend} zero-copy async`, dtype, dist);
      rows.push(row(`sort 16M ${what}: ${backend} zero-copy async vs TypedArray.prototype.sort`, want, faster(t, js), '>='));
    }
  }

  // stats, 64 MiB zero-copy vs memcpy bandwidth (stats reads the bytes;
  // memcpy reads and writes them).
  const memcpy = by('stats', 64 * MIB, 'memcpy (TypedArray.set)');
  for (const backend of ['native', 'wasm']) {
    rows.push(row(`stats 64 MiB: ${backend} zero-copy vs memcpy bandwidth`, 1.2,
      faster(by('stats', 64 * MIB, `${backend} zero-copy sync`), memcpy), '>='));
  }

  // matmul 1024: against OpenBLAS, and the wasm tax at equal vector width
  // (native capped at 128-bit vectors) and against the widest native.
  const mn = by('matmul', 1024, 'native zero-copy sync');
  const m128 = by('matmul', 1024, 'native sse2 zero-copy sync');
  const mw = by('matmul', 1024, 'wasm zero-copy sync');
  rows.push(row('matmul 1024: native vs OpenBLAS sgemm, 1 thread', 0.8, faster(mn, peer(extra.blas)), '>=',
    extra.blas ? undefined : extra.blasError));
  rows.push(row('matmul 1024: wasm simd128 vs native at 128-bit vectors (the wasm tax)', 0.8, faster(mw, m128), '>=',
    m128 ? undefined : 'needs the native sse2 series (TWINCORE_SIMD=sse2)'));
  rows.push(row('matmul 1024: wasm vs the widest native path (shown, no target)', null, faster(mw, mn), null));

  // Dispatch floor.
  for (const batch of [1, 64]) {
    const floor = by('dispatch', batch, 'bare napi_create_async_work');
    const pisc = by('dispatch', batch, 'piscina empty task');
    const how = batch === 1 ? 'sequential' : '64 in flight';
    const wants = batch === 1 ? { native: 1.0, wasm: 1.2 } : { native: 1.5, wasm: 2 };
    for (const backend of ['native', 'wasm']) {
      const t = by('dispatch', batch, `twincore ${backend}`);
      rows.push(row(`dispatch floor (${how}): ${backend} per call vs a bare async work item`, wants[backend], slower(t, floor), '<=',
        t && floor ? `${formatTime(time(t))} vs ${formatTime(time(floor))}` : undefined));
      rows.push(row(`dispatch floor (${how}): ${backend} speed-up over an empty piscina task`, 3, slower(pisc, t), '>=',
        t && pisc ? `${formatTime(time(pisc))} vs ${formatTime(time(t))}` : undefined));
    }
  }

  // Main-thread time of async calls (net of the idle twin, measure.js).
  // Zero-copy: flat in the data, the median large call less what its wait
  // costs while a pool thread reads as many bytes as its input
  // (busyMedianRead; the mean is shown too) against the median same call
  // on the small input made right after the main thread idled as long as
  // one large call takes while a pool thread read those bytes, round and
  // round (busyAfterRead: the same wait with as many bytes streaming
  // through the shared caches, only the call's own work smaller). Shown
  // too: the median large call less the sleeping twin (busyMedian), the
  // small call after idling with the pool asleep (busyAfterIdle), and back
  // to back. Copy mode: no more than a memcpy of the bytes it copies (in,
  // and out for sort) into memory already touched.
  const detail = (r) => `${formatTime(busy(r))}; raw ${formatTime(r.busyRaw ?? NaN)}, idle twin ${formatTime(r.busyIdle ?? NaN)}`;
  const memcpySeconds = memcpy ? time(memcpy) : NaN;
  for (const [kernel, small, large, dtype] of [['stats', 1024, 64 * MIB], ['sort', 1024, 64 * MIB, 'uint32'], ['matmul', 64, 1024]]) {
    const sizeName = kernel === 'matmul' ? [`${large}²`, `${small}²`] : ['64 MiB', '1 KiB'];
    for (const backend of ['native', 'wasm']) {
      const s = by(kernel, small, `${backend} zero-copy async`, dtype);
      const b = by(kernel, large, `${backend} zero-copy async`, dtype);
      const cold = b ? b.busyAfterRead ?? NaN : NaN;
      const asleep = b ? b.busyAfterIdle ?? NaN : NaN;
      // A wait that costs more than the whole median call leaves nothing
      // to compare: not measured, rather than 0x.
      const mid = b && b.busyMedianRead > 0 ? b.busyMedianRead : NaN;
      const midAsleep = b ? b.busyMedian ?? busy(b) : NaN;
      const hot = s ? `; ${sizeName[1]} back to back ${detail(s)}, ${formatRatio(busy(b) / busy(s))}` : '';
      rows.push(row(`${kernel}: ${backend} zero-copy async main-thread time, ${sizeName[0]} vs ${sizeName[1]}, each waiting as long while a pool thread read the ${sizeName[0]} input`, 2,
        mid / cold, '<=', b ? `median ${formatTime(mid)} (less ${formatTime(b.busyReadIdle ?? NaN)} for its wait with the pool reading) vs ${formatTime(cold)}; `
          + `less the sleeping twin ${formatTime(midAsleep)} vs ${formatTime(asleep)} after the pool slept, ${formatRatio(midAsleep / asleep)}; mean ${detail(b)}${hot}` : undefined));
      if (kernel === 'matmul') continue;
      const copy = by(kernel, large, `${backend} copy async`, dtype);
      const copies = kernel === 'sort' ? 2 : 1;
      rows.push(row(`${kernel} 64 MiB: ${backend} copy async main-thread time vs memcpy of the bytes it copies (${copies} × 64 MiB)`, 1.3,
        busyVersus(copy, memcpy, copies), '<=',
        copy && memcpy ? `${formatTime(busy(copy))} vs ${formatTime(copies * memcpySeconds)}` : undefined));
    }
  }

  // One call on several pool threads (options.threads): 2 threads against
  // the main sweep's one-thread zero-copy async row of the same case.
  const split = (kernel, size, backend, threads, dtype) => by(kernel, size, `${backend} zero-copy async${threads > 1 ? `, ${threads} threads` : ''}`, dtype);
  const scaling = [['sort', 64 * MIB, 'uint32', 'sort 16M uint32', 1.7], ['sort', 128 * MIB, 'float64', 'sort 16M float64', 1.7],
    ['matmul', 1024, undefined, 'matmul 1024', 1.85], ['stats', 64 * MIB, undefined, 'stats 64 MiB', 1.4]];
  for (const [kernel, size, dtype, what, want] of scaling) {
    for (const backend of ['native', 'wasm']) {
      const one = split(kernel, size, backend, 1, dtype);
      const two = split(kernel, size, backend, 2, dtype);
      rows.push(row(`${what}: ${backend} zero-copy async, 2 threads vs 1`, want, faster(two, one), '>=',
        one && two ? `main thread ${formatTime(busy(two))} vs ${formatTime(busy(one))} per call` : undefined));
    }
  }
  const m2 = split('matmul', 1024, 'native', 2);
  rows.push(row('matmul 1024: native 2 threads vs OpenBLAS sgemm, 2 threads', 0.8, faster(m2, peer(extra.blas2)), '>=',
    extra.blas2 ? undefined : extra.blasError || 'OpenBLAS on 2 threads was not measured'));
  // How far this machine lets a compute-bound call scale at all: OpenBLAS
  // itself on 2 threads against 1.
  rows.push(row('matmul 1024: OpenBLAS sgemm 2 threads vs 1 (how this machine scales; shown, no target)', null,
    extra.blas2 && extra.blas ? extra.blas2.gflops / extra.blas.gflops : NaN, null));
  // Independent small jobs: throughput with pools of 2 threads and of 1.
  for (const series of ['twincore native', 'twincore wasm', 'piscina (node:crypto)']) {
    const [p1, p2] = [1, 2].map((pool) => find(results, (r) => r.kernel === 'jobs' && r.pool === pool && r.series === series));
    const peer = series.startsWith('piscina');
    rows.push(row(`independent jobs (64 hashes of 64 KiB in flight): ${series}, pool of 2 vs pool of 1${peer ? ' (shown, no target)' : ''}`,
      peer ? null : 1.8, faster(p2, p1), peer ? null : '>='));
  }

  // 'auto' (ordinary arrays, no options) against the best call of the
  // same kind (sync with sync, async with async) on the same ordinary
  // arrays: the copy modes, and for sync calls the js baseline too. Where
  // the run timed 'auto' in turns with them (a.paired, measure.js), that
  // figure; else the cases' own, measured one after another.
  const autos = results.filter((r) => !r.error && r.backend === 'auto');
  let worst = null;
  for (const a of autos) {
    const { like } = autoPeers(a, results);
    if (like.length === 0) continue;
    let got, best, how = '';
    if (a.paired && a.paired.like) {
      got = ratio(a.paired.like.value, a.paired.like.lo, a.paired.like.hi);
      best = a.paired.like.best;
      how = `, in turns (${a.paired.rounds} rounds)`;
    } else {
      const b = like.reduce((x, y) => (time(y) < time(x) ? y : x));
      got = slower(a, b);
      best = b.series;
    }
    if (!worst || got.value > worst.got.value) worst = { got, detail: `${a.id} vs ${best}${how}` };
  }
  rows.push(row("'auto' vs the best call of the same kind on the same ordinary arrays, worst case", 1.1,
    worst ? worst.got : NaN, '<=', worst ? worst.detail : undefined));

  // 'auto' async never costs the main thread more than its sync twin.
  let heaviest = null;
  for (const a of autos.filter((r) => !r.sync)) {
    const { twin } = autoPeers(a, results);
    if (!twin) continue;
    let got, detail;
    const p = a.paired && a.paired.twin;
    if (p) {
      got = ratio(p.value, p.lo, p.hi);
      detail = `${a.id}: ${formatTime(p.busy)} vs ${formatTime(p.twin)}, in turns (${a.paired.rounds} rounds); ` +
        `the sync twin in a resolved promise ${formatTime(p.floor)} (${formatRatio(p.floor / p.twin)})`;
    } else {
      // The spread of the sync twin's samples: the async call's
      // main-thread time is one figure over all its calls.
      const [t0, t1] = range(twin);
      got = ratio(busy(a) / time(twin), busy(a) / t1, busy(a) / t0);
      detail = `${a.id}: ${formatTime(busy(a))} vs ${formatTime(time(twin))}`;
    }
    if (!heaviest || got.value > heaviest.got.value) heaviest = { got, detail };
  }
  rows.push(row("'auto' async main-thread time vs its sync twin's whole call, worst case", 1, heaviest ? heaviest.got : NaN, '<=',
    heaviest ? heaviest.detail : undefined));
  return rows;
}

/**
 * The results that the targets compare with faster() and slower(), in
 * groups (a result compared with two others joins them in one group):
 * what the run times again in turns (measure.js turns()). Only results of
 * cases this process ran (no SIMD or pool child's) and not 'auto' ones,
 * which paired() times with their peers; and OpenBLAS's figures in extra,
 * whose harness a turn runs.
 */
function comparedGroups(results, extra = {}) {
  const peers = Object.values(extra).filter((x) => x && x.harness);
  const mine = (r) => r && r.id && !r.error && !r.simd && !r.pool && r.backend !== 'auto' && (results.includes(r) || peers.includes(r));
  let groups = [];
  evaluate(results, extra, (a, b) => {
    if (!mine(a) || !mine(b) || a === b) return;
    // a and b, with the groups either is in already, become one group.
    const joined = groups.filter((g) => g.includes(a) || g.includes(b));
    groups = groups.filter((g) => !joined.includes(g));
    groups.push([...new Set([...joined.flat(), a, b])]);
  });
  return groups;
}

/**
 * What an 'auto' result is compared with: like, the calls of the same kind
 * (sync or async) on the same ordinary arrays (the copy modes of native
 * and wasm, and for a sync call the js baseline); twin, for an async
 * 'auto' call, the sync 'auto' call on the same input.
 */
function autoPeers(a, results) {
  const same = (r) => !r.error && r.kernel === a.kernel && r.size === a.size && r.dtype === a.dtype &&
    (r.dist || 'random') === (a.dist || 'random');
  const like = results.filter((r) => same(r) && r.sync === a.sync &&
    ((['native', 'wasm'].includes(r.backend) && r.mode === 'copy') || (a.sync && r.backend === 'js')));
  const twin = a.sync ? null : results.find((r) => same(r) && r.backend === 'auto' && r.sync) || null;
  return { like, twin };
}

/**
 * The results of cases run in several rounds (the pool children, run.js):
 * runs holds each round's results. Each case becomes the round whose
 * throughput is the median (the first of the two middle ones of an even
 * count), with turns { group: 'rounds', wall: its seconds per call in
 * each round } where every round measured it (fasterOf() then compares
 * two such cases round by round); a case no round measured keeps the
 * first round's error.
 */
function poolRounds(runs) {
  const ids = [...new Set(runs.flat().map((r) => r.id))];
  return ids.map((id) => {
    const each = runs.map((run) => run.find((r) => r.id === id));
    const fine = each.filter((r) => r && !r.error);
    if (fine.length === 0) return each.find(Boolean);
    const mid = [...fine].sort((a, b) => a.throughput - b.throughput)[(fine.length - 1) >> 1];
    return fine.length === runs.length ? { ...mid, turns: { group: 'rounds', wall: fine.map((r) => r.seconds) } } : mid;
  });
}

module.exports = { evaluate, autoPeers, comparedGroups, poolRounds };
