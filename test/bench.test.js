'use strict';
// The bench's logic: its statistics, its charts, its report (rendered from
// a made-up run, then from a real smoke run), and its targets.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const stats = require('../bench/stats');
const { lineChart, ticks } = require('../bench/svg');
const report = require('../bench/report');
const { evaluate, comparedGroups, poolRounds } = require('../bench/targets');
const { HostPace, paceRounds } = require('../bench/host');
const { cases } = require('../bench/cases');
const { spawnSync } = require('node:child_process');
const { ROOT } = require('./helpers');

const Stats = suite('bench: statistics and units');

Stats('median, mean, relative margin of error', () => {
  assert.is(stats.median([3, 1, 2]), 2);
  assert.is(stats.median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(stats.median([])));
  // Rounds in turns: the ratio of the medians, the least and largest of one round.
  assert.equal(stats.versus([2, 6, 3], [1, 2, 2]), { value: 1.5, lo: 1.5, hi: 3 });
  assert.is(stats.mean([1, 2, 3, 6]), 3);
  assert.ok(Number.isNaN(stats.rme([5])));
  assert.is(stats.rme([2, 2, 2]), 0);
  // n = 4, mean 2.5, sd 1.291: t(3) * sd / sqrt(4) / mean.
  assert.ok(Math.abs(stats.rme([1, 2, 3, 4]) - (3.182 * 1.2909944 / 2) / 2.5) < 1e-6);
});

Stats('throughput and copy share', () => {
  assert.is(stats.throughput(1e6, 0.5), 2e6);
  assert.ok(Number.isNaN(stats.throughput(1, 0)));
  assert.is(stats.copyShare(4, 3), 0.25);
  assert.is(stats.copyShare(3, 4), 0, 'a copy faster than zero-copy is noise, not a negative share');
  assert.ok(Number.isNaN(stats.copyShare(NaN, 1)));
});

Stats('formats', () => {
  assert.is(stats.formatBytes(1024), '1 KiB');
  assert.is(stats.formatBytes(64 * 1024 * 1024), '64 MiB');
  assert.is(stats.formatBytes(1000), '1000 B');
  assert.is(stats.parseBytes('16MiB'), 16 * 1024 * 1024);
  assert.is(stats.parseBytes('1 KiB'), 1024);
  assert.ok(Number.isNaN(stats.parseBytes('lots')));
  assert.is(stats.formatTime(0.0123), '12.3 ms');
  assert.is(stats.formatTime(2.5e-6), '2.5 µs');
  assert.is(stats.formatRate(1.5e9, 'B'), '1.50 GB');
  assert.is(stats.formatRatio(0.5), '0.50x');
  assert.is(stats.formatTime(NaN), '-');
});
Stats.run();

const Svg = suite('bench: charts');

Svg('ticks', () => {
  assert.equal(ticks(1, 1000, true, 10), [1, 10, 100, 1000]);
  assert.equal(ticks(1024, 1024 ** 3, true, 2), [1024, 16384, 262144, 4194304, 67108864, 1073741824]);
  assert.equal(ticks(0, 1, false), [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

Svg('a chart keeps finite points, drops empty series, labels its axes', () => {
  const svg = lineChart({
    id: 'c', title: 'T', xLabel: 'size', yLabel: 'rate', xLog: true, yLog: true,
    series: [
      { name: 'a', points: [[1, 10], [2, NaN], [4, 40], [8, 0]] },
      { name: 'empty', points: [[1, NaN]] },
      { name: 'b', points: [[1, 5], [8, 50]] },
    ],
  });
  assert.match(svg, /^<svg id="c"/);
  assert.match(svg, /size \(log\)/);
  assert.match(svg, /rate \(log\)/);
  assert.match(svg, /data-name="a" data-points="2"/);
  assert.match(svg, /data-name="b" data-points="2"/);
  assert.not.match(svg, /data-name="empty"/);
  assert.not.match(svg, /NaN|Infinity|undefined/);
  assert.is(lineChart({ id: 'x', title: '', xLabel: '', yLabel: '', series: [{ name: 'n', points: [] }] }), '');
});
Svg.run();

// Checks every report must pass: charts present and labelled, no NaN, no
// empty series.
function checkHtml(html, kernels) {
  assert.match(html, /^<!doctype html>/);
  for (const k of kernels) {
    for (const chart of ['throughput', 'busy', 'copyshare']) {
      const m = html.match(new RegExp(`<svg id="${chart}-${k}"[\\s\\S]*?</svg>`));
      assert.ok(m, `chart ${chart}-${k} is missing`);
      assert.match(m[0], /class="axis-label x"[^>]*>[^<]+</, `${chart}-${k}: x axis label`);
      assert.match(m[0], /class="axis-label y"[^>]*>[^<]+</, `${chart}-${k}: y axis label`);
      const series = [...m[0].matchAll(/data-points="(\d+)"/g)].map((x) => Number(x[1]));
      assert.ok(series.length > 0 && series.every((n) => n > 0), `${chart}-${k}: an empty series`);
    }
  }
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) || [];
  for (const svg of svgs) assert.not.match(svg, /NaN|Infinity|undefined/, 'a chart holds a non-number');
  assert.match(html, /<h2>Targets<\/h2>\n(<table class="targets">|<p class="not-measured">)/);
}

// Every target shows: a row if this run measured it, a name in the line
// after the table if not.
function checkTargets(text, targets) {
  const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');
  for (const t of targets) {
    assert.ok(text.includes(t.target) || text.includes(esc(t.target)), `target "${t.target}" is shown`);
    if (t.status !== 'not measured') assert.ok(text.includes(t.figure), `its figure ${t.figure}`);
  }
  const measured = targets.filter((t) => t.status !== 'not measured').length;
  const skipped = targets.length - measured;
  if (skipped) assert.ok(text.includes(`Not measured in this run (${skipped}): `), `${skipped} named as not measured`);
}

const Report = suite('bench: report');

function fakeDoc() {
  const results = [];
  for (const kernel of ['sha256', 'stats', 'sort', 'matmul']) {
    const sizes = kernel === 'matmul' ? [64, 256] : [1024, 65536, 1048576];
    for (const size of sizes) {
      for (const backend of ['native', 'wasm']) {
        for (const mode of ['copy', 'zero-copy']) {
          for (const sync of [true, false]) {
            const seconds = size * 1e-9 * (mode === 'copy' ? 1.5 : 1) * (backend === 'wasm' ? 1.2 : 1);
            results.push({ kernel, size, backend, mode, sync, dtype: kernel === 'sort' ? 'uint32' : undefined,
              series: `${backend} ${mode} ${sync ? 'sync' : 'async'}`, seconds, secondsPerUnit: seconds,
              busyPerCall: sync ? seconds : 2e-5 + (mode === 'copy' ? size * 1e-10 : 0), throughput: size / seconds, id: `${kernel}/${size}` });
          }
        }
      }
    }
  }
  results.push({ kernel: 'stats', size: 1024, series: 'broken', error: 'out of memory', id: 'stats/1024/broken' });
  const meta = { date: '2026-11-21T00:00:00Z', cpu: 'cpu', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20',
    napi: '9', compiler: 'gcc', emcc: 'emcc 3.1.6', uvThreads: 4, wasmThreads: 2, profile: 'test', cases: results.length, seconds: 1 };
  return { meta, extra: {}, results, targets: evaluate(results, {}) };
}

Report('a made-up run renders every chart, table and target', () => {
  const doc = fakeDoc();
  const html = report.html(doc);
  checkHtml(html, ['sha256', 'stats', 'sort', 'matmul']);
  assert.match(html, /stats\/1024\/broken: out of memory/);
  checkTargets(html, doc.targets);
  const md = report.markdown(doc);
  assert.match(md, /^# twincore bench/);
  checkTargets(md, doc.targets);
  const measured = { ...doc, targets: [{ target: 'made up', want: '>= 1', figure: '2.00x', status: 'holds' }, ...doc.targets] };
  assert.match(report.markdown(measured), /\| target \| wanted \| measured \| status \|\n\|---\|---\|---\|---\|\n\| made up \| >= 1 \| 2.00x \| holds \|/);
  assert.match(report.html(measured), /<table class="targets">/);
  assert.match(md, /\| native zero-copy async \|/);
  assert.not.match(md, /NaN/);
});

Report('targets: holds, falls short, not measured', () => {
  const MIB = 1024 * 1024;
  const r = (series, throughput, extra = {}) => ({ kernel: 'sha256', size: 16 * MIB, series, throughput, ...extra });
  const rows = evaluate([
    r('node:crypto createHash', 100), r('native zero-copy async', 95),
    r('hash-wasm', 100), r('wasm zero-copy async', 110),
  ]);
  const get = (name) => rows.find((x) => x.target.startsWith(name));
  assert.is(get('sha256 16 MiB: native').status, 'holds');
  assert.is(get('sha256 16 MiB: native').figure, '0.95x');
  assert.is(get('sha256 16 MiB: wasm').status, 'falls short');
  assert.is(get('matmul 1024: native').status, 'not measured');
});

Report('targets: the spread over samples, noisy where it crosses the target', () => {
  const MIB = 1024 * 1024;
  const r = (series, throughput, samples) => ({ kernel: 'sha256', size: 16 * MIB, series, throughput,
    secondsPerUnit: 1 / throughput, samples });
  const get = (rows) => rows.find((x) => x.target.startsWith('sha256 16 MiB: wasm'));
  // hash-wasm at 100/s (samples 9.8-10.2 ms), ours at 130/s: 7.5-7.8 ms.
  const clear = get(evaluate([r('hash-wasm', 100, [0.0098, 0.0102]), r('wasm zero-copy async', 130, [0.0075, 0.0078])]));
  assert.is(clear.status, 'holds');
  assert.is(clear.figure, '1.30x (1.26x–1.36x)');
  // Ours 7.0-9.5 ms: 9/9.5 = 0.95 at worst, under 1.2.
  const noisy = get(evaluate([r('hash-wasm', 100, [0.009, 0.011]), r('wasm zero-copy async', 130, [0.007, 0.0095])]));
  assert.is(noisy.status, 'holds, noisy');
  assert.ok(noisy.noisy);
  // Without samples: no spread, never noisy.
  const bare = get(evaluate([r('hash-wasm', 100), r('wasm zero-copy async', 110)]));
  assert.is(bare.status, 'falls short');
  assert.is(bare.figure, '1.10x');
});

Report('targets: matmul against OpenBLAS takes the mean of its calls, not its fastest, with the spread of both', () => {
  const flop = 2 * 1024 ** 3;
  const mm = { kernel: 'matmul', size: 1024, series: 'native zero-copy sync', throughput: flop / 0.024,
    secondsPerUnit: 0.024, samples: [0.022, 0.026] };
  // OpenBLAS: a fastest call of 20 ms, a mean of 24 ms (as run.js gives).
  const blas = { gflops: flop / 0.024 / 1e9, throughput: flop / 0.024, best: flop / 0.020 / 1e9, samples: [0.020, 0.024, 0.028] };
  const got = evaluate([mm], { blas }).find((x) => x.target === 'matmul 1024: native vs OpenBLAS sgemm, 1 thread');
  assert.is(got.figure, '1.00x (0.77x–1.27x)');
  assert.is(got.status, 'holds, noisy');
  const doc = { meta: fakeDoc().meta, extra: { blas, blas2: blas }, results: [mm], targets: [got] };
  assert.match(report.markdown(doc), /OpenBLAS sgemm 1024, 1 thread: 89\.5 GFLOP\/s \(mean of 3 calls, fastest 107\.4\)/);
});

Report("targets: 'auto' like for like, and its async main-thread time against its sync twin", () => {
  const base = { kernel: 'stats', size: 1024, dtype: undefined };
  const rows = evaluate([
    { ...base, backend: 'auto', sync: true, series: 'auto sync', secondsPerUnit: 2e-6, throughput: 1, id: 'a/sync' },
    { ...base, backend: 'auto', sync: false, series: 'auto async', secondsPerUnit: 3e-6, busyPerCall: 3e-6, throughput: 1, id: 'a/async' },
    // Best sync on ordinary arrays: js, 1 µs. Best async: copy, 10 µs.
    { ...base, backend: 'js', mode: '-', sync: true, series: 'js loops', secondsPerUnit: 1e-6, throughput: 1 },
    { ...base, backend: 'native', mode: 'copy', sync: false, series: 'native copy async', secondsPerUnit: 1e-5, throughput: 1 },
    // Zero-copy is not the same memory: left out.
    { ...base, backend: 'native', mode: 'zero-copy', sync: true, series: 'native zero-copy sync', secondsPerUnit: 1e-7, throughput: 1 },
  ]);
  const like = rows.find((x) => x.target.startsWith("'auto' vs the best call of the same kind"));
  assert.is(like.figure, '2.00x');
  assert.is(like.detail, 'a/sync vs js loops');
  const main = rows.find((x) => x.target.startsWith("'auto' async main-thread time"));
  assert.is(main.figure, '1.50x');
  assert.is(main.status, 'falls short');
});

Report('targets: two cases timed again in turns give the row the ratio of their median calls, and its spread round by round', () => {
  const MIB = 1024 * 1024;
  const n = 16 * MIB;
  const sort = (series, seconds, wall) => ({ kernel: 'sort', size: 4 * n, dtype: 'uint32', series, id: series, work: n,
    throughput: n / seconds, secondsPerUnit: seconds, samples: [seconds, seconds * 1.01], turns: wall && { group: 0, wall } });
  const get = (rows, name) => rows.find((x) => x.target === `sort 16M uint32: ${name} zero-copy async vs TypedArray.prototype.sort`);
  // Apart: the JS sort in a slow spell (2 s a call) makes native 20x; in
  // turns, round by round: 1.2 s against 0.1 s, 1.5 s against 0.15 s,
  // 1.0 s against 0.125 s: 12x, 10x, 8x; medians 1.2 s and 0.125 s.
  const js = sort('TypedArray.prototype.sort', 2, [1.2, 1.5, 1.0]);
  const native = sort('native zero-copy async', 0.1, [0.1, 0.15, 0.125]);
  // wasm in another group: measured apart, its own figures stand.
  const wasm = sort('wasm zero-copy async', 0.25, [0.2, 0.2, 0.2]);
  wasm.turns.group = 1;
  const rows = evaluate([js, native, wasm]);
  const row = get(rows, 'native');
  assert.is(row.figure, '9.60x (8.00x–12.0x)');
  assert.is(row.status, 'falls short, noisy');
  assert.is(row.detail, 'in turns (3 rounds): 125 ms vs 1.20 s');
  assert.is(get(rows, 'wasm').figure, '8.00x (7.92x–8.08x)');
  assert.is(get(rows, 'wasm').detail, undefined);
  // slower(): per call of a batch, the same rounds; the sweep's figures
  // stay in the detail.
  const d = (series, seconds, wall) => ({ kernel: 'dispatch', size: 64, batch: 64, series, id: series, work: 64,
    secondsPerUnit: seconds, throughput: 1 / seconds, turns: { group: 2, wall } });
  const floor = evaluate([d('bare napi_create_async_work', 1e-6, [64e-6, 128e-6]), d('twincore native', 3e-6, [96e-6, 128e-6])])
    .find((x) => x.target === 'dispatch floor (64 in flight): native per call vs a bare async work item');
  assert.is(floor.figure, '1.17x (1.00x–1.50x)');
  assert.is(floor.detail, '3.0 µs vs 1.0 µs; in turns (2 rounds): 1.8 µs vs 1.5 µs');
  // A speed-up (slower(piscina, ours)): both figures in the ratio's order.
  const pisc = evaluate([d('piscina empty task', 40e-6, [3200e-6, 2560e-6]), d('twincore native', 3e-6, [96e-6, 128e-6])])
    .find((x) => x.target === 'dispatch floor (64 in flight): native speed-up over an empty piscina task');
  assert.is(pisc.figure, '25.7x (20.0x–33.3x)');
  assert.is(pisc.detail, '40.0 µs vs 3.0 µs; in turns (2 rounds): 45.0 µs vs 1.8 µs');
});

Report("host pace: each round's pace is the slower sample beside it against the run's fastest; a row run slow is marked so", () => {
  const MIB = 1024 * 1024;
  const n = 16 * MIB;
  // Samples (seconds on two threads) before, between and after 3 rounds;
  // the fastest of the run is 1 ms (group 0's first).
  const host = [[1e-3, 1.1e-3], [1.5e-3, 1e-3], [1e-3, 1.05e-3], [2e-3, 1e-3]];
  const sort = (series, seconds, wall, samples) => ({ kernel: 'sort', size: 4 * n, dtype: 'uint32', series, id: series, work: n,
    throughput: n / seconds, secondsPerUnit: seconds, samples: [seconds, seconds * 1.01], turns: { group: 0, wall, host: samples } });
  const js = sort('TypedArray.prototype.sort', 1.2, [1.2, 1.2, 1.2], host);
  const native = sort('native zero-copy async', 0.1, [0.1, 0.1, 0.1], host);
  const summary = paceRounds([js, native]);
  // Round 1: max(1.1, 1.5); round 2: max(1.5, 1.05); round 3: max(1.05, 2).
  assert.equal(native.turns.pace.map((x) => +x.toFixed(2)), [1.5, 1.5, 2]);
  assert.is(native.turns.host, undefined);
  assert.is(js.turns.host, undefined);
  // Per sample: the slower thread, 1.1, 1.5, 1.05, 2: two of four at 1.2x or slower.
  assert.equal({ ...summary, median: +summary.median.toFixed(2) }, { best: 1e-3, samples: 4, median: 1.3, slow: 2 });
  const row = evaluate([js, native]).find((x) => x.target === 'sort 16M uint32: native zero-copy async vs TypedArray.prototype.sort');
  assert.is(row.status, 'holds, host slow');
  assert.is(row.detail, 'in turns (3 rounds): 100 ms vs 1.20 s; host pace 1.50x–2.00x');
  // A run at its own pace: nothing marked, the pace still shown.
  const even = [[1e-3, 1.02e-3], [1.05e-3, 1e-3], [1e-3, 1e-3], [1.1e-3, 1e-3]];
  const a = sort('TypedArray.prototype.sort', 1.2, [1.2, 1.2, 1.2], even);
  const b = sort('native zero-copy async', 0.1, [0.1, 0.1, 0.1], even);
  paceRounds([a, b]);
  const calm = evaluate([a, b]).find((x) => x.target === row.target);
  assert.is(calm.status, 'holds');
  assert.is(calm.detail, 'in turns (3 rounds): 100 ms vs 1.20 s; host pace 1.05x–1.10x');
  // The report says what the pace is, and names the mark.
  const doc = { meta: fakeDoc().meta, extra: { host: summary }, results: [js, native], targets: [row] };
  assert.match(report.markdown(doc), /The host's pace between rounds in turns \(.*1\.00 ms\): median 1\.30x, 2 of 4 samples at 1\.20x or slower/);
  assert.match(report.html(doc), /<p class="host">The host's pace between rounds/);
  // Nothing sampled (a failed worker): no pace, no summary.
  assert.is(paceRounds([sort('x', 1, [1], [null, null])]), null);
});

Report('host pace: a sample times the work on this thread and a worker at once; a dead worker gives null, not a hang', async () => {
  const pace = new HostPace();
  try {
    const s = await pace.sample();
    assert.is(s.length, 2);
    for (const x of s) assert.ok(x > 0 && x < 1, `seconds of a sample: ${x}`);
    // The worker ends while a sample waits for it.
    pace.worker.terminate();
    assert.is(await pace.sample(), null);
    assert.ok(pace.failed);
  } finally {
    await pace.close();
  }
  // Closed by the bench, it did not fail: the run says nothing of it.
  const closed = new HostPace();
  await closed.sample();
  await closed.close();
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(closed.failed, null);
});

Report('targets: a copy-mode call\'s main-thread time against a memcpy, from their calls in turns where timed so', () => {
  const MIB = 1024 * 1024;
  const r = (series, seconds, busyPerCall, turns) => ({ kernel: 'stats', size: 64 * MIB, series, id: series, work: 64 * MIB,
    secondsPerUnit: seconds, throughput: 64 * MIB / seconds, busyPerCall, turns });
  const get = (rows) => rows.find((x) => x.target.startsWith('stats 64 MiB: native copy async main-thread time vs memcpy'));
  // Apart: 4.6 ms of the main thread against a 3.4 ms memcpy, 1.35x. In
  // turns, round by round, less 0.1 ms that its wait costs the idle main
  // thread (busyIdle, as the sweep takes it): 3.9 ms against 3.8, 3.5
  // against 3.6, 3.2 against 3.0: medians 3.5 and 3.6.
  const memcpy = r('memcpy (TypedArray.set)', 3.4e-3, 3.4e-3, { group: 0, wall: [3.8e-3, 3.6e-3, 3.0e-3], busy: [3.8e-3, 3.6e-3, 3.0e-3] });
  const copy = r('native copy async', 5e-3, 4.6e-3, { group: 0, wall: [5e-3, 5e-3, 5e-3], busy: [4.0e-3, 3.6e-3, 3.3e-3] });
  copy.busyIdle = 0.1e-3;
  const row = get(evaluate([memcpy, copy]));
  assert.is(row.figure, '0.97x (0.97x–1.07x)');
  assert.is(row.status, 'holds');
  assert.is(row.detail, '4.60 ms vs 3.40 ms; in turns (3 rounds): 3.50 ms vs 3.60 ms');
  // Not timed in turns: the sweep's figures, without a spread.
  const apart = get(evaluate([{ ...memcpy, turns: undefined }, { ...copy, turns: undefined }]));
  assert.is(apart.figure, '1.35x');
  assert.is(apart.status, 'falls short');
  // The two are grouped to be timed in turns.
  const ids = comparedGroups([memcpy, copy]).map((g) => g.map((x) => x.id).sort());
  assert.equal(ids, [['memcpy (TypedArray.set)', 'native copy async']]);
});

Report('targets: the pool children\'s rounds give each case its median round, and the pool rows their ratio round by round', () => {
  const job = (pool, series, seconds, extra = {}) => ({ kernel: 'jobs', size: pool, pool, series, id: `jobs/${pool}/${series}`,
    work: 64 * 65536, batch: 64, seconds, secondsPerUnit: seconds / 64, throughput: 64 * 65536 / seconds, ...extra });
  // Three rounds of a child per pool size: the pool of 2 took 5, 6 and 4
  // ms a batch against 9.5, 9.6 and 8 for the pool of 1: 1.9x, 1.6x, 2.0x.
  const runs = [[5, 9.5], [6, 9.6], [4, 8]].map(([two, one]) => [job(1, 'twincore wasm', one / 1e3), job(2, 'twincore wasm', two / 1e3)]);
  // piscina's pool of 2 failed in one round: its median round stands
  // alone; the pool of 1 failed in every round: its error stays.
  runs.forEach((run, i) => run.push(job(2, 'piscina (node:crypto)', 3e-3, i === 1 ? { error: 'boom' } : {})));
  runs.forEach((run) => run.push(job(1, 'piscina (node:crypto)', 5e-3, { error: 'exit 1' })));
  const merged = poolRounds(runs);
  const get = (id) => merged.find((r) => r.id === id);
  assert.is(merged.length, 4);
  assert.is(get('jobs/1/twincore wasm').seconds, 9.5e-3);
  assert.equal(get('jobs/1/twincore wasm').turns, { group: 'rounds', wall: [9.5e-3, 9.6e-3, 8e-3] });
  assert.is(get('jobs/2/twincore wasm').seconds, 5e-3);
  assert.is(get('jobs/2/piscina (node:crypto)').turns, undefined);
  assert.is(get('jobs/2/piscina (node:crypto)').error, undefined);
  assert.is(get('jobs/1/piscina (node:crypto)').error, 'exit 1');
  const row = evaluate(merged).find((x) => x.target.startsWith('independent jobs (64 hashes of 64 KiB in flight): twincore wasm'));
  assert.is(row.figure, '1.90x (1.60x–2.00x)');
  assert.is(row.status, 'holds, noisy');
  assert.match(row.detail, /^a child each in turns \(3 rounds\): /);
});

Report('targets: OpenBLAS joins the group of the matmul it is compared with, and its row takes their rounds in turns', () => {
  const flop = 2 * 1024 ** 3;
  const r = (series, seconds, extra = {}) => ({ kernel: 'matmul', size: 1024, series, id: `matmul/1024/${series}`, work: flop,
    throughput: flop / seconds, secondsPerUnit: seconds / flop, samples: [seconds, seconds], ...extra });
  // As run.js's blas() gives them: a result of their own, not in results.
  const blasOf = (threads, seconds) => ({ id: `matmul/1024/OpenBLAS sgemm, ${threads}`, series: `OpenBLAS sgemm, ${threads}`,
    harness: 'sgemm', n: 1024, threads, work: flop, seconds, throughput: flop / seconds, gflops: flop / seconds / 1e9,
    best: flop / seconds / 1e9, samples: [seconds, seconds] });
  const sync = r('native zero-copy sync', 0.03);
  const wasm = r('wasm zero-copy sync', 0.06);
  const one = r('native zero-copy async', 0.03);
  const two = r('native zero-copy async, 2 threads', 0.016, { threads: 2 });
  const extra = { blas: blasOf(1, 0.02), blas2: blasOf(2, 0.01), blasError: undefined, host: { best: 1e-3 } };
  const groups = comparedGroups([sync, wasm, one, two], extra);
  const ids = (gs) => gs.map((g) => g.map((x) => x.id).sort()).sort();
  assert.equal(ids(groups), ids([[sync, wasm, extra.blas], [one, two, extra.blas2]]));
  assert.ok(groups.some((g) => g.includes(extra.blas)), 'the figures themselves, to attach turns to');
  // Apart, OpenBLAS ran in a quiet moment: 0.67x and 0.63x. In turns,
  // round by round: native 30, 25, 24 ms against 24, 25, 24 (0.80x, 1.00x,
  // 1.00x); on 2 threads 16, 13 ms against 12, 13 (0.75x, 1.00x).
  const rows = evaluate([sync, wasm, one, two], extra);
  const get = (t) => rows.find((x) => x.target === t);
  assert.is(get('matmul 1024: native vs OpenBLAS sgemm, 1 thread').figure, '0.67x (0.67x–0.67x)');
  // (paceRounds() gives every result of a group the same pace.)
  sync.turns = { group: 0, wall: [0.03, 0.025, 0.024], pace: [1, 1.3, 1.3] };
  extra.blas.turns = { group: 0, wall: [0.024, 0.025, 0.024], busy: [NaN, NaN, NaN], pace: [1, 1.3, 1.3] };
  two.turns = { group: 1, wall: [0.016, 0.013] };
  extra.blas2.turns = { group: 1, wall: [0.012, 0.013], busy: [NaN, NaN] };
  const again = evaluate([sync, wasm, one, two], extra);
  const row = again.find((x) => x.target === 'matmul 1024: native vs OpenBLAS sgemm, 1 thread');
  assert.is(row.figure, '0.96x (0.80x–1.00x)');
  assert.is(row.status, 'holds, host slow');
  assert.is(row.detail, 'in turns (3 rounds): 25.0 ms vs 24.0 ms; host pace 1.00x–1.30x');
  const row2 = again.find((x) => x.target === 'matmul 1024: native 2 threads vs OpenBLAS sgemm, 2 threads');
  assert.is(row2.figure, '0.86x (0.75x–1.00x)');
  assert.is(row2.detail, 'in turns (2 rounds): 14.5 ms vs 12.5 ms');
  // The report's line: before and after the sweep, and in turns.
  const doc = { meta: fakeDoc().meta, extra, results: [sync, wasm, one, two], targets: again };
  assert.match(report.markdown(doc), /OpenBLAS sgemm 1024, 1 thread: 107\.4 GFLOP\/s \(mean of 2 calls, fastest 107\.4; 89\.5 at the median of 3 rounds in turns\); 2 threads: 214\.7 GFLOP\/s \(mean of 2 calls, fastest 214\.7; 171\.8 at the median of 2 rounds in turns\)\./);
});

Report('targets: comparedGroups() groups the cases each row compares, leaving out other processes\' and \'auto\'', () => {
  const MIB = 1024 * 1024;
  const r = (kernel, size, series, extra = {}) => ({ kernel, size, series, id: `${kernel}/${size}/${series}`, throughput: 1,
    secondsPerUnit: 1, ...extra });
  const sorts = ['TypedArray.prototype.sort', 'native zero-copy async', 'wasm zero-copy async']
    .map((s) => r('sort', 64 * MIB, s, { dtype: 'uint32' }));
  const stats = ['memcpy (TypedArray.set)', 'native zero-copy sync', 'wasm zero-copy sync'].map((s) => r('stats', 64 * MIB, s));
  // matmul against the sse2 cap: that case ran in a child process.
  const mm = [r('matmul', 1024, 'wasm zero-copy sync'), r('matmul', 1024, 'native zero-copy sync'),
    r('matmul', 1024, 'native sse2 zero-copy sync', { simd: 'sse2' })];
  const failed = r('sha256', 16 * MIB, 'native zero-copy async', { error: 'boom' });
  const auto = r('stats', 1024, 'auto sync', { backend: 'auto', sync: true });
  const js = r('stats', 1024, 'js loops', { backend: 'js', sync: true });
  // The independent jobs ran in pool children.
  const jobs = [1, 2].map((pool) => ({ ...r('jobs', 64, 'twincore native'), id: `jobs/${pool}`, pool }));
  // 2 threads against the sort compared with the JS sort: one group.
  const two = r('sort', 64 * MIB, 'native zero-copy async, 2 threads', { dtype: 'uint32' });
  const groups = comparedGroups([...sorts, two, ...stats, ...mm, failed, r('sha256', 16 * MIB, 'node:crypto createHash'), auto, js, ...jobs]);
  const ids = (gs) => gs.map((g) => g.map((x) => x.id).sort()).sort();
  assert.equal(ids(groups), ids([[...sorts, two], stats, [mm[0], mm[1]]]));
  assert.ok(groups.find((g) => g.includes(two)).every((x) => [...sorts, two].includes(x)), 'the results themselves, to attach turns to');
});

Report('OpenBLAS: blas() runs its harness on 1 and 2 threads, and turns() as a run of it a round, a failure its own', async () => {
  const { turns, sgemm, blas } = require('../bench/measure');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-sgemm-'));
  const fake = (name, body) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!${process.execPath}\n${body}\n`, { mode: 0o755 });
    return file;
  };
  // Seconds of each call: 9 s for the first (the process's warm-up), then
  // a hundredth of a second per thread asked of OpenBLAS. It logs how it
  // was called, and on 3 threads fails from its third run on.
  const log = path.join(dir, 'calls');
  const good = fake('good', `const fs = require('fs');
const [n, calls] = process.argv.slice(2).map(Number);
if (n !== 1024) { console.error('n ' + n); process.exit(3); }
const threads = process.env.OPENBLAS_NUM_THREADS;
fs.appendFileSync(${JSON.stringify(log)}, calls + ' ' + threads + '\\n');
const runs = fs.readFileSync(${JSON.stringify(log)}, 'utf8').split('\\n').filter((l) => l.endsWith(' 3')).length;
if (threads === '3' && runs >= 3) { console.error('out of memory'); process.exit(1); }
console.log(JSON.stringify({ n, seconds: [9, ...Array(calls - 1).fill(Number(threads) / 100)] }));`);
  const before = process.env.BENCH_SGEMM;
  const harness = (threads) => ({ id: `matmul/1024/OpenBLAS sgemm, ${threads}`, series: `OpenBLAS sgemm, ${threads}`,
    harness: 'sgemm', n: 1024, threads, work: 2 * 1024 ** 3, seconds: 0.024, start: 0 });
  try {
    process.env.BENCH_SGEMM = good;
    const run = sgemm(1024, 3, 1);
    assert.equal(run.seconds, [9, 0.01, 0.01]);
    assert.ok(run.wall > 0 && run.wall < 9, `a run's own wall time: ${run.wall}`);
    // blas(): 10 calls after the warm-up one on each; again with the first
    // figures, their samples pooled and their turns kept.
    const first = blas();
    assert.equal(first.blas.samples, Array(10).fill(0.01));
    assert.equal(first.blas2.samples, Array(10).fill(0.02));
    assert.is(first.blas2.series, 'OpenBLAS sgemm, 2 threads');
    assert.is(first.blas2.harness, 'sgemm');
    assert.ok(Math.abs(first.blas2.gflops - 2 * 1024 ** 3 / 0.02 / 1e9) < 1e-6);
    assert.ok(first.blas.start >= 0 && first.blas.start < 9);
    first.blas.turns = { group: 3, wall: [0.01] };
    const again = blas(first);
    assert.is(again.blas.samples.length, 20);
    assert.equal(again.blas.turns, { group: 3, wall: [0.01] });
    // In turns: a window of about 50 ms is 2 calls of 24 ms after the
    // warm-up one, at least 5 rounds after a warm-up window. The harness
    // on 3 threads fails in its third run: its figures go, the other's stay.
    fs.writeFileSync(log, '');
    const got = await turns([harness(2), harness(3)], null);
    assert.not.ok(got.error, got.error);
    const runs = fs.readFileSync(log, 'utf8').trim().split('\n');
    const two = runs.filter((x) => x === '3 2');
    assert.ok(two.length >= 6, `runs of the harness on 2 threads: ${two.length}`);
    assert.is(runs.filter((x) => x === '3 3').length, 3, 'no run after the failed one');
    assert.is(runs.length, two.length + 3);
    assert.is(got.wall[0].length, two.length - 1);
    assert.ok(got.wall[0].every((x) => x === 0.02), got.wall[0].join(', '));
    assert.is(got.busy[0], null);
    assert.equal(got.errors, [null, 'the sgemm harness failed: out of memory']);
    // What goes wrong says so.
    process.env.BENCH_SGEMM = fake('fails', "console.error('no BLAS here'); process.exit(1);");
    assert.equal(blas(), { blasError: 'the sgemm harness failed: no BLAS here' });
    process.env.BENCH_SGEMM = fake('killed', "process.kill(process.pid, 'SIGKILL');");
    assert.throws(() => sgemm(1024, 3, 1), /the sgemm harness failed: killed by SIGKILL/);
    process.env.BENCH_SGEMM = fake('short', "console.log(JSON.stringify({ seconds: [0.1] }));");
    assert.throws(() => sgemm(1024, 3, 1), /printed no seconds for its 3 calls/);
    process.env.BENCH_SGEMM = path.join(dir, 'missing');
    assert.throws(() => sgemm(1024, 3, 1), /BENCH_SGEMM names no file: .*missing/);
  } finally {
    if (before === undefined) delete process.env.BENCH_SGEMM;
    else process.env.BENCH_SGEMM = before;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Report("targets: 'auto' timed in turns with its peers (paired) gives both 'auto' rows their figure and spread", () => {
  const base = { kernel: 'stats', size: 1024, dtype: undefined };
  const peers = [
    { ...base, backend: 'js', mode: '-', sync: true, series: 'js loops', secondsPerUnit: 1e-6, throughput: 1 },
    { ...base, backend: 'native', mode: 'copy', sync: false, series: 'native copy async', secondsPerUnit: 1e-5, throughput: 1 },
  ];
  // Measured apart: 2x and 1.5x. In turns: 1.05x (0.9-1.3) against js, and
  // 1.2x (1.1-1.4) of the sync twin, whose own call in a resolved promise
  // takes 1.15x of it.
  const rows = evaluate([
    { ...base, backend: 'auto', sync: true, series: 'auto sync', secondsPerUnit: 2e-6, throughput: 1, id: 'a/sync',
      paired: { rounds: 9, like: { value: 1.05, lo: 0.9, hi: 1.3, best: 'js loops' } } },
    { ...base, backend: 'auto', sync: false, series: 'auto async', secondsPerUnit: 3e-6, busyPerCall: 3e-6, throughput: 1, id: 'a/async',
      paired: { rounds: 9, twin: { value: 1.2, lo: 1.1, hi: 1.4, busy: 2.4e-6, twin: 2e-6, floor: 2.3e-6 } } },
    ...peers,
  ]);
  const like = rows.find((x) => x.target.startsWith("'auto' vs the best call of the same kind"));
  assert.is(like.figure, '1.05x (0.90x–1.30x)');
  assert.is(like.status, 'holds, noisy');
  // The async call's paired figure lacks a like-for-like ratio: its
  // separate one (3 µs vs copy's 10 µs) stands, below the sync one.
  assert.is(like.detail, 'a/sync vs js loops, in turns (9 rounds)');
  const main = rows.find((x) => x.target.startsWith("'auto' async main-thread time"));
  assert.is(main.figure, '1.20x (1.10x–1.40x)');
  assert.is(main.status, 'falls short');
  assert.is(main.detail, 'a/async: 2.4 µs vs 2.0 µs, in turns (9 rounds); the sync twin in a resolved promise 2.3 µs (1.15x)');
});

Report("cases: every 'auto' case comes after the calls it is compared with, an async one after its sync twin", () => {
  const { autoPeers } = require('../bench/targets');
  for (const profile of ['default', 'smoke']) {
    const all = cases({ profile, available: { native: true, wasm: true, bare: true } });
    const autos = all.filter((c) => c.backend === 'auto');
    assert.ok(autos.length >= 8, `${profile}: ${autos.length} 'auto' cases`);
    for (const a of autos) {
      const i = all.indexOf(a);
      const every = autoPeers(a, all);
      const before = autoPeers(a, all.slice(0, i));
      assert.ok(every.like.length >= 2, `${a.id}: ${every.like.length} peers`);
      assert.equal(before.like.map((c) => c.id), every.like.map((c) => c.id), `${a.id}: its peers come first`);
      if (!a.sync) assert.is(before.twin && before.twin.id, every.twin.id, `${a.id}: its twin comes first`);
    }
  }
});

Report('targets: zero-copy main-thread growth, the large call and the small one each waiting as long while the pool read the large input', () => {
  const MIB = 1024 * 1024;
  const r = (size, busyPerCall, extra = {}) => ({ kernel: 'stats', size, backend: 'native', mode: 'zero-copy', sync: false,
    series: 'native zero-copy async', secondsPerUnit: 1e-3, throughput: 1, busyPerCall, busyRaw: busyPerCall, busyIdle: 0,
    id: `stats/${size}`, ...extra });
  const get = (rows) => rows.find((x) => x.target.startsWith('stats: native zero-copy async main-thread time'));
  // The median large call less its wait's cost with the pool reading,
  // 300 µs, against 200 µs for the small call after the pool read 64 MiB:
  // 1.5x, holds. Less the sleeping twin, 350 µs against 100 µs after the
  // pool slept: shown, 3.5x.
  const held = get(evaluate([r(1024, 15e-6), r(64 * MIB, 360e-6, {
    busyMedian: 350e-6, busyMedianRead: 300e-6, busyReadIdle: 60e-6, busyAfterRead: 200e-6, busyAfterIdle: 100e-6,
  })]));
  assert.is(held.figure, '1.50x');
  assert.is(held.status, 'holds');
  assert.match(held.target, /64 MiB vs 1 KiB, each waiting as long while a pool thread read the 64 MiB input$/);
  assert.is(held.detail, 'median 300 µs (less 60.0 µs for its wait with the pool reading) vs 200 µs; '
    + 'less the sleeping twin 350 µs vs 100 µs after the pool slept, 3.50x; '
    + 'mean 360 µs; raw 360 µs, idle twin 0 ns; 1 KiB back to back 15.0 µs; raw 15.0 µs, idle twin 0 ns, 24.0x');
  // The pair with the pool reading is what decides, not the one with it
  // asleep, and not the mean (a mean that one slow call of a few moved).
  assert.is(get(evaluate([r(1024, 15e-6), r(64 * MIB, 300e-6, { busyMedian: 300e-6, busyMedianRead: 500e-6, busyAfterRead: 200e-6, busyAfterIdle: 400e-6 })])).status,
    'falls short');
  assert.is(get(evaluate([r(1024, 15e-6), r(64 * MIB, 900e-6, { busyMedian: 900e-6, busyMedianRead: 300e-6, busyAfterRead: 200e-6, busyAfterIdle: 100e-6 })])).status,
    'holds');
  // Without one or the other figure of the pool reading (no bare peer, or
  // results of a bench from before them), the row is not measured:
  // neither the call back to back nor the pair with the pool asleep is
  // like for like. Nor is it when the wait cost more than the whole median
  // call (the figure clamped to 0), which would read as 0x, holding.
  assert.is(get(evaluate([r(1024, 15e-6), r(64 * MIB, 300e-6)])).status, 'not measured');
  assert.is(get(evaluate([r(1024, 15e-6), r(64 * MIB, 300e-6, { busyMedian: 300e-6, busyAfterIdle: 200e-6 })])).status, 'not measured');
  assert.is(get(evaluate([r(1024, 15e-6), r(64 * MIB, 300e-6, { busyMedian: 300e-6, busyAfterRead: 200e-6 })])).status, 'not measured');
  assert.is(get(evaluate([r(1024, 15e-6), r(64 * MIB, 300e-6, { busyMedianRead: 300e-6 })])).status, 'not measured');
  assert.is(get(evaluate([r(1024, 15e-6), r(64 * MIB, 300e-6, { busyMedianRead: 0, busyAfterRead: 200e-6 })])).status, 'not measured');
});

Report('cases: the largest zero-copy async stats, uint32 sort and matmul also time the smallest call after idling', () => {
  const MIB = 1024 * 1024;
  const all = cases({ profile: 'default', available: { native: true, wasm: true, bare: true } });
  const named = all.filter((c) => c.afterIdle);
  assert.equal(named.map((c) => c.id).sort(), [
    'matmul/1024/native zero-copy async', 'matmul/1024/wasm zero-copy async',
    'sort/uint32/67108864/native zero-copy async', 'sort/uint32/67108864/wasm zero-copy async',
    'stats/67108864/native zero-copy async', 'stats/67108864/wasm zero-copy async',
  ]);
  const get = (id) => named.find((c) => c.id === id).afterIdle;
  assert.equal(get('stats/67108864/wasm zero-copy async'), { input: { type: 'float64', length: 128 }, size: 1024 });
  assert.equal(get('sort/uint32/67108864/native zero-copy async'), { input: { type: 'uint32', length: 256 }, size: 1024 });
  assert.equal(get('matmul/1024/native zero-copy async'), { input: { type: 'float32', length: 64 * 64 }, size: 64 });
  assert.ok(!all.some((c) => c.afterIdle && (c.threads || c.sync || c.size !== (c.kernel === 'matmul' ? 1024 : 64 * MIB))));
});

Report('cases: every zero-copy matmul writes into options.out (out: true), and no other case does', () => {
  const all = cases({ profile: 'default', available: { native: true, wasm: true, bare: true } });
  const into = all.filter((c) => c.out);
  assert.ok(into.length >= 12, `${into.length} cases`);
  assert.ok(into.every((c) => c.kernel === 'matmul' && c.mode === 'zero-copy' && ['native', 'wasm'].includes(c.memory)));
  assert.ok(all.filter((c) => c.kernel === 'matmul' && c.mode === 'zero-copy').every((c) => c.out));
  assert.ok(into.some((c) => c.threads) && into.some((c) => c.sync) && into.some((c) => c.afterIdle), 'threads, sync, after idling');
});

Report('measure(): a zero-copy matmul case writes the product into the output array of its memory', async () => {
  const { measure, Inputs } = require('../bench/measure');
  const tc = require('..');
  const info = tc.backends();
  for (const backend of ['native', 'wasm'].filter((b) => info[b].available)) {
    for (const sync of [true, false]) {
      const c = cases({ profile: 'smoke', kernels: ['matmul'], backends: [backend], available: { [backend]: true } })
        .find((x) => x.out && x.sync === sync && !x.threads && x.size === 16);
      assert.ok(c, `${backend} ${sync ? 'sync' : 'async'}: a smoke case`);
      const inputs = new Inputs();
      const result = await measure(c, inputs, { minSamples: 1 });
      assert.ok(!result.error, result.error);
      const set = inputs.get(c.input, c.memory);
      const out = inputs.output(c.input, c.memory);
      const data = set[c.memory];
      const want = tc.matmulSync(data, data, 16, 16, 16, { backend: 'js' });
      assert.equal(Array.from(out), Array.from(want), `${c.id}: the product is in out`);
      inputs.releaseExcept(new Set());
    }
  }
});

Report('a sort case gets its keys back before each call from sets of 64K keys in all, in turn', () => {
  const { makeFn, Inputs } = require('../bench/measure');
  const { fill } = require('../bench/cases');
  const inputs = new Inputs();
  const input = { type: 'uint32', length: 256 };
  const set = inputs.get(input, 'plain');
  // The first set is the input as before; 256 sets of 256 keys, all
  // different.
  assert.equal(Array.from(set.plain), Array.from(fill('uint32', 256)));
  assert.is(set.pristine.length, 256);
  assert.is(new Set(set.pristine.map((p) => Array.from(p.subarray(0, 4)).join())).size, 256);
  assert.is(inputs.get({ type: 'float64', length: 65536 }, 'plain').pristine.length, 1);
  // Each call sorts the next set, then the first again.
  const timing = { restore: 0, restoreBusy: 0, clock: { start: () => 0, since: () => 0 } };
  const fn = makeFn({ kernel: 'sort', backend: 'js', mode: '-', sync: true }, set.plain, set, timing);
  const sorted = (k) => Array.from(set.pristine[k]).sort((x, y) => x - y);
  for (const k of [0, 1, 2]) {
    fn();
    assert.equal(Array.from(set.plain), sorted(k), `call ${k}`);
  }
  for (let k = 3; k < 256; k++) fn();
  fn();
  assert.equal(Array.from(set.plain), sorted(0), 'after every set, the first');
  inputs.releaseExcept(new Set());
});

Report('threads: 2 threads against 1, OpenBLAS on 2, pools of 2 against 1; the table and the scaling chart', () => {
  const MIB = 1024 * 1024;
  const r = (kernel, size, series, throughput, extra = {}) => ({ kernel, size, series, throughput, secondsPerUnit: 1 / throughput,
    busyPerCall: 3e-5, backend: series.split(' ')[0], id: `${kernel}/${size}/${series}`, ...extra });
  const results = [
    r('matmul', 1024, 'native zero-copy async', 40e9), r('matmul', 1024, 'native zero-copy async, 2 threads', 78e9, { threads: 2 }),
    r('matmul', 1024, 'native zero-copy async, 4 threads', 79e9, { threads: 4 }),
    r('stats', 64 * MIB, 'wasm zero-copy async', 10e9), r('stats', 64 * MIB, 'wasm zero-copy async, 2 threads', 12e9, { threads: 2 }),
    r('jobs', 1, 'twincore native', 1e9, { pool: 1 }), r('jobs', 2, 'twincore native', 1.9e9, { pool: 2 }),
  ];
  // (OpenBLAS as a run saved before it was a result of its own gives it.)
  const rows = evaluate(results, { blas2: { gflops: 90 } });
  const get = (t) => rows.find((x) => x.target === t);
  assert.is(get('matmul 1024: native zero-copy async, 2 threads vs 1').status, 'holds');
  assert.is(get('matmul 1024: native zero-copy async, 2 threads vs 1').figure, '1.95x');
  assert.is(get('stats 64 MiB: wasm zero-copy async, 2 threads vs 1').status, 'falls short');
  assert.is(get('matmul 1024: native 2 threads vs OpenBLAS sgemm, 2 threads').figure, '0.87x');
  assert.is(get('independent jobs (64 hashes of 64 KiB in flight): twincore native, pool of 2 vs pool of 1').status, 'holds');
  assert.is(get('sort 16M uint32: native zero-copy async, 2 threads vs 1').status, 'not measured');
  const doc = { meta: fakeDoc().meta, extra: { blas: { gflops: 45 }, blas2: { gflops: 90 } }, results, targets: rows };
  const md = report.markdown(doc);
  assert.match(md, /## Threads/);
  assert.match(md, /\| matmul 1024×1024 \| native \| 2 \| 78\.0 GFLOP\/s \| 1\.95x \| 30\.0 µs \|/);
  assert.match(md, /\| twincore native \| 1\.00 GB\/s \| 1\.90 GB\/s \|/);
  assert.match(md, /2 threads: 90\.0 GFLOP\/s/);
  const html = report.html(doc);
  const chart = html.match(/<svg id="threads-scaling"[\s\S]*?<\/svg>/);
  assert.ok(chart, 'the scaling chart');
  assert.match(chart[0], /data-name="ideal"/);
  assert.match(chart[0], /data-name="matmul 1024×1024 native" data-points="3"/);
  assert.not.match(chart[0], /NaN/);
});

Report('profiles and filters', () => {
  const all = cases({ profile: 'default', available: { native: true, wasm: true, bare: true } });
  assert.ok(all.length > 100);
  assert.ok(all.some((c) => c.kernel === 'sort' && c.dtype === 'float64' && c.size === 128 * 1024 * 1024));
  assert.ok(all.some((c) => c.kernel === 'stats' && c.size === 64 * 1024 * 1024 && c.series === 'memcpy (TypedArray.set)'));
  const some = cases({ profile: 'default', kernels: ['sha256'], backends: ['native'], sizes: ['16MiB'], available: { native: true, wasm: true } });
  assert.ok(some.length > 0 && some.every((c) => c.kernel === 'sha256' && c.backend === 'native' && c.size === 16 * 1024 * 1024));
  assert.equal(cases({ profile: 'smoke', available: { native: false, wasm: false } }).filter((c) => c.backend === 'native'), []);
  assert.throws(() => cases({ profile: 'nope', available: {} }), /unknown profile/);
  // The threads rows: 2 threads and the pool's size, on each backend.
  const split = cases({ profile: 'default', available: { native: true, wasm: true }, pools: { native: 4, wasm: 2 } }).filter((c) => c.threads);
  assert.equal([...new Set(split.filter((c) => c.backend === 'native').map((c) => c.threads))], [2, 4]);
  assert.equal([...new Set(split.filter((c) => c.backend === 'wasm').map((c) => c.threads))], [2]);
  assert.ok(split.every((c) => !c.sync && c.mode === 'zero-copy'));
  const jobs = all.filter((c) => c.kernel === 'jobs');
  assert.equal([...new Set(jobs.map((c) => c.pool))], [1, 2]);
});

Report('a real smoke run writes JSON, Markdown and HTML that pass the same checks', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'twincore-bench-'));
  const run = spawnSync(process.execPath, ['bench/run.js', '--profile', 'smoke', '--out', out],
    { cwd: ROOT, encoding: 'utf8', timeout: 240000 });
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stderr, /\[1\/\d+\] .* elapsed/, 'a progress line');
  const names = fs.readdirSync(out);
  for (const ext of ['json', 'md', 'html']) assert.ok(names.some((n) => n.endsWith(`.${ext}`) && n !== `latest.${ext}`), `a .${ext} file`);
  const doc = JSON.parse(fs.readFileSync(path.join(out, 'latest.json'), 'utf8'));
  assert.ok(doc.results.length > 50);
  assert.equal(doc.results.filter((x) => x.error).map((x) => `${x.id}: ${x.error}`), []);
  assert.ok(doc.results.every((x) => Array.isArray(x.samples) && x.samples.length >= 2));
  const html = fs.readFileSync(path.join(out, 'latest.html'), 'utf8');
  checkHtml(html, ['sha256', 'stats', 'sort', 'matmul']);
  // The SIMD paths: each cap ran in a child of its own, under that cap.
  const capped = doc.results.filter((x) => x.simd);
  assert.ok(capped.length >= 3, 'SIMD cases ran');
  for (const x of capped) {
    assert.type(x.path, 'string', x.id);
    if (x.simd === 'scalar') assert.is(x.path, 'scalar', `${x.id} ran scalar`);
    if (x.simd === 'sse2' && x.kernel !== 'sha256') assert.ok(['sse2', 'neon'].includes(x.path), `${x.id} ran ${x.path}`);
  }
  assert.match(html, /<svg id="simd-matmul"/);
  const md = fs.readFileSync(path.join(out, 'latest.md'), 'utf8');
  assert.match(md, /## SIMD paths\n/);
  // The sequential call split into its parts.
  assert.match(md, /- native: [^\n]+ per sequential async call = facade validation [^\n]+ \+ binding and kernel [^\n]+ \+ pool round trip and settling /);
  // Main-thread time by the thread's CPU clock (make test builds the bare
  // peer), net of an idle twin for every single async call.
  const single = doc.results.filter((x) => x.sync === false && !(x.batch > 1));
  assert.ok(single.length > 10);
  for (const x of doc.results) assert.is(x.clock, 'thread CPU time', x.id);
  for (const x of single) {
    assert.ok(x.busyIdle >= 0 && Number.isFinite(x.busyIdle), `${x.id}: an idle twin`);
    assert.ok(Math.abs(x.busyPerCall - Math.max(x.busyRaw - x.busyIdle, 0)) < 1e-12, `${x.id}: net of the twin`);
  }
  // The largest zero-copy async calls also timed the smallest one after
  // idling as long, with the pool asleep and with it reading.
  const cold = doc.results.filter((x) => x.afterIdle);
  assert.ok(cold.length >= 6, `${cold.length} cases with a call after idling`);
  for (const x of cold) {
    assert.ok(x.busyAfterIdle > 0 && Number.isFinite(x.busyAfterIdle), `${x.id}: ${x.busyAfterIdle}`);
    assert.ok(x.busyAfterRead > 0 && Number.isFinite(x.busyAfterRead), `${x.id}: ${x.busyAfterRead}`);
    // Their wait costed with the pool reading too, taken from the median
    // call as the sleeping twin is.
    assert.ok(x.busyReadIdle >= 0 && Number.isFinite(x.busyReadIdle), `${x.id}: ${x.busyReadIdle}`);
    if (x.busyMedian > 0) {
      assert.ok(Math.abs(x.busyMedianRead - Math.max(x.busyMedian + x.busyIdle - x.busyReadIdle, 0)) < 1e-9,
        `${x.id}: ${x.busyMedianRead} from ${x.busyMedian} + ${x.busyIdle} - ${x.busyReadIdle}`);
    }
  }
  assert.ok(doc.results.filter((x) => !x.afterIdle).every((x) => x.busyAfterIdle === undefined && x.busyAfterRead === undefined
    && x.busyReadIdle === undefined && x.busyMedianRead === undefined));
  // Every 'auto' case was timed again in turns with its peers; an async
  // one with its sync twin too, and with that twin in a resolved promise.
  const autos = doc.results.filter((x) => x.backend === 'auto');
  assert.ok(autos.length >= 8, `${autos.length} 'auto' cases`);
  const fine = (x) => Number.isFinite(x) && x > 0;
  for (const x of autos) {
    assert.ok(x.paired && !x.paired.error, `${x.id}: ${x.paired && x.paired.error}`);
    assert.ok(x.paired.rounds >= 3, `${x.id}: ${x.paired.rounds} rounds`);
    const { like, twin } = x.paired;
    assert.ok(fine(like.value) && like.lo <= like.value && like.value <= like.hi, `${x.id}: ${JSON.stringify(like)}`);
    assert.type(like.best, 'string');
    if (x.sync) assert.is(twin, undefined, x.id);
    else assert.ok(fine(twin.value) && fine(twin.busy) && fine(twin.twin) && fine(twin.floor), `${x.id}: ${JSON.stringify(twin)}`);
  }
  assert.match(doc.targets.find((t) => t.target.startsWith("'auto' vs the best")).detail, /in turns \(\d+ rounds\)$/);
  // The cases the targets compare were timed again in turns, and their
  // rows say so.
  const turned = doc.results.filter((x) => x.turns);
  assert.ok(turned.length >= 2, `${turned.length} cases timed in turns`);
  for (const x of turned) assert.ok(x.turns.wall.length >= 5 && x.turns.wall.every(fine), `${x.id}: ${JSON.stringify(x.turns)}`);
  assert.ok(doc.targets.some((t) => /in turns \(\d+ rounds\): /.test(t.detail || '')), 'a row from turns');
  fs.rmSync(out, { recursive: true });
});

Report('the bare peer: threadCpu() counts the thread\'s work, not a wait; roundTrip(s) waits s on the pool', async () => {
  const bare = require(path.join(ROOT, 'build', 'bench', 'bare.node'));
  // Spinning advances it (on a loaded machine more slowly than the wall
  // clock: spin until it has counted 20 ms, within 10 s)...
  let c0 = bare.threadCpu();
  const t0 = performance.now();
  while (bare.threadCpu() - c0 < 0.02 && performance.now() - t0 < 10000);
  const spun = bare.threadCpu() - c0;
  assert.ok(spun >= 0.02, `10 s of spinning: ${spun * 1e3} ms of CPU`);
  // ... and waiting does not: a wall clock would count all 50 ms every
  // time; the least of three waits leaves out work the engine happened to
  // do meanwhile on a loaded machine.
  let cost = Infinity;
  for (let i = 0; i < 3; i++) {
    c0 = bare.threadCpu();
    const t1 = performance.now();
    await bare.roundTrip(0.05);
    const waited = performance.now() - t1;
    cost = Math.min(cost, bare.threadCpu() - c0);
    assert.ok(waited >= 49, `waited ${waited} ms`);
  }
  assert.ok(cost < 0.025, `a 50 ms wait cost at least ${cost * 1e3} ms of CPU`);
});

Report('the bare peer: roundTrip(s, buffer) reads the buffer on the pool, round and round for s', async () => {
  const bare = require(path.join(ROOT, 'build', 'bench', 'bare.node'));
  // 1 MiB and 5 bytes of a pattern: the whole 8-byte words are read.
  const buffer = new ArrayBuffer((1 << 20) + 5);
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 255;
  let sum = 0n;
  for (const w of new BigUint64Array(buffer, 0, (1 << 20) / 8)) sum += w;
  const low = Number(sum & 0xffffffffn);
  // All of it once, however short the time.
  assert.equal(await bare.roundTrip(0, buffer), { bytes: 1 << 20, sum: low });
  // No buffer (undefined, null, none): a plain round trip.
  for (const none of [[0], [0, undefined], [0, null]]) assert.is(await bare.roundTrip(...none), undefined);
  // An empty one: nothing to read, so it sleeps instead.
  let t0 = performance.now();
  assert.equal(await bare.roundTrip(0.02, new ArrayBuffer(0)), { bytes: 0, sum: 0 });
  assert.ok(performance.now() - t0 >= 19, 'slept');
  // For 50 ms: reading 1 MiB takes well under a millisecond, so it reads
  // it many times, on the pool, not the main thread (the least of three,
  // as above).
  let cost = Infinity;
  for (let i = 0; i < 3; i++) {
    const c0 = bare.threadCpu();
    t0 = performance.now();
    const r = await bare.roundTrip(0.05, buffer);
    const waited = performance.now() - t0;
    cost = Math.min(cost, bare.threadCpu() - c0);
    assert.ok(waited >= 49, `waited ${waited} ms`);
    assert.ok(r.bytes > 2 * (1 << 20) && r.bytes % 8 === 0, `${r.bytes} bytes`);
    assert.is(r.sum, low);
  }
  assert.ok(cost < 0.025, `reading for 50 ms cost the main thread at least ${cost * 1e3} ms of CPU`);
  // Only an ArrayBuffer: not a view, not shared memory.
  for (const bad of [new Uint8Array(8), new SharedArrayBuffer(8), 'x']) {
    assert.throws(() => bare.roundTrip(0, bad), (e) => e instanceof TypeError && /ArrayBuffer/.test(e.message));
  }
});
Report.run();

// make sort-phases: the same sort harness built natively and to wasm.
const Phases = suite('bench: a large sort\'s time per phase, native vs wasm (make sort-phases)');
const PHASES_NATIVE = path.join(ROOT, 'build', 'bench', 'sort-phases');
const PHASES_WASM = path.join(ROOT, 'build', 'bench', 'sort-phases.js');

Phases('both builds split and sort every element type; the table has each phase of each', () => {
  const { main } = require('../bench/sort-phases');
  // 2^18 elements: the least the core splits into parts, in a second.
  const table = main([PHASES_NATIVE, PHASES_WASM, String(1 << 18), '1']).split('\n');
  assert.is(table[0], 'sort of 262144 elements, best of 1: ms per phase');
  const rows = table.filter((l) => /^\| (uint32|int32|float64) \|/.test(l)).map((l) => l.split('|').map((c) => c.trim()));
  assert.is(rows.length, 12, table.join('\n'));
  for (const [, dtype, phase, native, wasm, ratio] of rows) {
    assert.ok(Number(native) >= 0 && Number(wasm) >= 0 && /^\d+\.\d\dx$/.test(ratio), `${dtype} ${phase}: ${native} ${wasm} ${ratio}`);
  }
  assert.equal(rows.filter((r) => r[1] === 'uint32').map((r) => r[2]),
    ['count (top digit; floats: and 16 bits)', 'scatter (top digit)', 'buckets (in cache)', 'whole sort (tc_run)']);
});

Phases('the harness checks what it sorts, and refuses what it cannot time', () => {
  // One JSON line, the phases in the order they ran.
  const ok = spawnSync(PHASES_NATIVE, ['float64', String(1 << 18), '1'], { encoding: 'utf8' });
  assert.is(ok.status, 0, ok.stderr);
  const doc = JSON.parse(ok.stdout);
  assert.is(doc.dtype, 'float64');
  assert.is(doc.n, 1 << 18);
  assert.is(doc.phases.length, 3);
  // Below 2^18 elements the core does not split: nothing to time by phase.
  for (const args of [['uint8'], ['uint32', '1000'], ['uint32', String(1 << 18), '0']]) {
    const r = spawnSync(PHASES_NATIVE, args, { encoding: 'utf8' });
    assert.is(r.status, 2, `${args}: ${r.stderr}`);
    assert.match(r.stderr, /usage: sort-phases/);
  }
  const w = spawnSync(process.execPath, [PHASES_WASM, 'int32', '1000'], { encoding: 'utf8' });
  assert.is(w.status, 2, w.stderr);
});

Phases.run();

// make main-thread-ir: the main thread's instructions per call, counted
// under callgrind.
const Ir = suite('bench: main-thread instructions per call, large input vs small (make main-thread-ir)');
const PEER_CG = path.join(ROOT, 'build', 'bench', 'bare-callgrind.node');

Ir('the callgrind peer counts a window of its own; the table has a count for each input', () => {
  const { main } = require('../bench/main-thread-ir');
  // valgrind comes with make test on Linux (make deps-valgrind); elsewhere
  // this is skipped, as the soak test's run under valgrind is.
  const valgrind = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (valgrind.status !== 0 && process.platform !== 'linux') return;
  assert.is(valgrind.status, 0, 'valgrind is not installed: make deps-valgrind installs it');
  // Outside callgrind, dump() does nothing; true: built with valgrind's
  // header. The bench's own peer has none.
  const cg = require(PEER_CG);
  assert.is(cg.dump(), true);
  assert.type(require(path.join(ROOT, 'build', 'bench', 'bare.node')).dump, 'undefined');
  // 1 MiB against 1 KiB (the counts themselves are the make target's).
  const table = main([PEER_CG, '3', String(1 << 20), 'stats/native']).split('\n');
  assert.match(table[0], /^main-thread instructions per zero-copy async call \(callgrind; the least of 5 windows of 3 calls,/);
  const rows = table.filter((l) => /^\| stats \|/.test(l)).map((l) => l.split('|').map((c) => c.trim()));
  assert.is(rows.length, 1, table.join('\n'));
  const [, kernel, backend, large, a, small, b, ratio] = rows[0];
  assert.equal([kernel, backend, large, small], ['stats', 'native', '1 MiB', '1 KiB']);
  // A call runs thousands of instructions on the main thread, net of the
  // bare round trip that each follows.
  assert.ok(Number(a) > 1000 && Number(b) > 1000, `${a}, ${b}`);
  assert.match(ratio, /^\d+\.\d\dx$/);
  // The same work on the main thread whatever the size (make
  // main-thread-ir: 1.00x at 64 MiB); the least of 5 windows leaves out
  // what the engine does now and then.
  assert.ok(Number(a) / Number(b) > 0.5 && Number(a) / Number(b) < 2, `${a} vs ${b}`);
});

Ir('refuses what it cannot count', () => {
  const { main, shape } = require('../bench/main-thread-ir');
  assert.throws(() => main([]), /usage/);
  assert.throws(() => main([path.join(ROOT, 'nothing.node')]), /usage/);
  assert.throws(() => main([PEER_CG, '0']), /whole number/);
  assert.throws(() => main([PEER_CG, '3', '1000']), /large a whole number of bytes >= 65536/);
  assert.throws(() => main([PEER_CG, '3', '100000.5']), /large a whole number/);
  // Every case is checked before the first one counts for minutes.
  assert.throws(() => main([PEER_CG, '3', String(1 << 20), 'stats/native', 'sha256/native']), /unknown case sha256\/native/);
  assert.throws(() => main([PEER_CG, '3', String(1 << 20), 'stats/native/x']), /unknown case/);
  // The sizes the bench's rows compare.
  assert.equal(shape('matmul', 64 << 20), { type: 'float32', length: 1024 * 1024, n: 1024, name: '1024²' });
  assert.equal(shape('matmul', 1024), { type: 'float32', length: 64 * 64, n: 64, name: '64²' });
  assert.is(shape('matmul', 1 << 20).n, 128);
  assert.equal(shape('sort', 64 << 20), { type: 'uint32', length: 16 << 20, name: '64 MiB' });
  assert.equal(shape('stats', 1024), { type: 'float64', length: 128, name: '1 KiB' });
});

Ir.run();
