'use strict';
// Renders a bench run (the JSON the runner writes) as Markdown and as a
// self-contained HTML page with SVG charts: throughput against size, main-
// thread time per call against size, and the copy share, per kernel.

const { lineChart, barChart, esc } = require('./svg');
const { formatBytes, formatRate, formatRatio, formatTime, copyShare, median } = require('./stats');
const { SLOW } = require('./host');

const KERNELS = ['sha256', 'stats', 'sort', 'matmul'];
const UNIT = { sha256: 'B/s', stats: 'B/s', sort: 'elem/s', matmul: 'FLOP/s' };

function ok(results) {
  return results.filter((r) => !r.error && r.kernel !== 'dispatch' && r.kernel !== 'jobs');
}

// The sort series of the size sweep are uint32; the other sort types are
// single-size target rows.
function sweep(results, kernel) {
  return ok(results).filter((r) => r.kernel === kernel && !r.simd && !r.threads && (kernel !== 'sort' || r.dtype === 'uint32'));
}

// The SIMD paths of each kernel at one size (cases.js): native capped at
// scalar, 128 and 256 bits, the widest native path, wasm scalar and
// simd128; throughput, and speed-up over native scalar. The widest native
// and wasm simd128 come from the main sweep's zero-copy sync rows.
function simdRows(results, meta) {
  const rows = [];
  for (const kernel of ['sha256', 'stats', 'matmul']) {
    const capped = ok(results).filter((r) => r.kernel === kernel && r.simd);
    if (capped.length === 0) continue;
    const size = capped[0].size;
    const at = (pred) => ok(results).find((r) => r.kernel === kernel && r.size === size && pred(r));
    const widest = meta && meta.nativePaths ? meta.nativePaths[kernel] : 'widest';
    const simd128 = meta && meta.wasmPaths ? meta.wasmPaths[kernel] : 'simd128';
    const paths = [
      ['native scalar', at((r) => r.simd === 'scalar' && r.backend === 'native')],
      ['native 128-bit', at((r) => r.simd === 'sse2')],
      ['native 256-bit', at((r) => r.simd === 'avx2')],
      [`native widest (${widest})`, at((r) => !r.simd && r.series === 'native zero-copy sync')],
      ['wasm scalar', at((r) => r.simd === 'scalar' && r.backend === 'wasm')],
      [`wasm (${simd128})`, at((r) => !r.simd && r.series === 'wasm zero-copy sync')],
    ];
    const base = paths[0][1];
    rows.push({ kernel, size, paths: paths.map(([name, r]) => ({ name, r, path: r && r.path, speedup: r && base ? r.throughput / base.throughput : NaN })) });
  }
  return rows;
}

function simdTable(results, meta, md) {
  const rows = simdRows(results, meta);
  if (rows.length === 0) return '';
  const names = rows[0].paths.map((p) => p.name.replace(/ \(.*\)$/, ''));
  const cell = (p, kernel) => (p.r ? `${formatRate(p.r.throughput, UNIT[kernel].replace('/s', ''))}/s (${p.speedup.toFixed(2)}x)${p.path ? ` ${p.path}` : ''}` : '-');
  const head = ['kernel', 'size', ...names];
  const body = rows.map((row) => [row.kernel, sizeLabel(row.kernel, row.size), ...row.paths.map((p) => cell(p, row.kernel))]);
  const note = 'Each code path\'s throughput on the same data (zero-copy, sync), and in brackets its speed-up over native scalar; the path that ran (backends() under each TWINCORE_SIMD cap) after it.';
  if (md) return [note, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  return `<p>${esc(note)}</p><table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${body.map((r) =>
    `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}

function simdCharts(results, meta) {
  return simdRows(results, meta).map((row) => barChart({
    id: `simd-${row.kernel}`,
    title: `${row.kernel} ${sizeLabel(row.kernel, row.size)}: speed-up over native scalar`,
    bars: row.paths.filter((p) => Number.isFinite(p.speedup)).map((p) => ({ name: p.name, value: p.speedup })),
    format: (v) => `${v.toFixed(2)}x`,
  })).filter(Boolean);
}

function sizeLabel(kernel, size) {
  return kernel === 'matmul' ? `${size}×${size}` : formatBytes(size);
}

function seriesOf(rows, value, keep = () => true) {
  const names = [...new Set(rows.filter(keep).map((r) => r.series))];
  return names.map((name) => ({
    name,
    points: rows.filter((r) => r.series === name).map((r) => [r.size, value(r)]).sort((a, b) => a[0] - b[0]),
  }));
}

// Copy share per backend and sync/async: copy-mode time against zero-copy
// time at each size.
function copySeries(rows) {
  const out = [];
  for (const backend of ['native', 'wasm']) {
    for (const how of ['sync', 'async']) {
      const copy = rows.filter((r) => r.series === `${backend} copy ${how}`);
      const zero = rows.filter((r) => r.series === `${backend} zero-copy ${how}`);
      const points = copy.map((c) => {
        const z = zero.find((r) => r.size === c.size);
        return [c.size, z ? copyShare(c.seconds, z.seconds) : NaN];
      });
      out.push({ name: `${backend} ${how}`, points: points.sort((a, b) => a[0] - b[0]) });
    }
  }
  return out;
}

function charts(results, kernel) {
  const rows = sweep(results, kernel);
  const x = kernel === 'matmul'
    ? { xLabel: 'matrix size n (n×n)', xLog: true, xBase: 2, xFormat: String }
    : { xLabel: 'input size', xLog: true, xBase: 2, xFormat: formatBytes };
  const title = kernel === 'sort' ? 'sort (Uint32Array)' : kernel;
  return [
    lineChart({ id: `throughput-${kernel}`, title: `${title}: throughput`, yLabel: `throughput (${UNIT[kernel]})`,
      yLog: true, yFormat: (v) => formatRate(v, UNIT[kernel].replace('/s', '')), ...x,
      series: seriesOf(rows, (r) => r.throughput) }),
    lineChart({ id: `busy-${kernel}`, title: `${title}: main-thread time per async call`, yLabel: 'main-thread time per call, net of waiting',
      yLog: true, yFormat: formatTime, ...x,
      series: seriesOf(rows, (r) => r.busyPerCall, (r) => !r.sync) }),
    lineChart({ id: `copyshare-${kernel}`, title: `${title}: share of a copy-mode call spent copying`, yLabel: 'copy share',
      yLog: false, yFormat: (v) => `${Math.round(v * 100)}%`, ...x, series: copySeries(rows) }),
  ].filter(Boolean);
}

// The targets this run measured, in a table; those it had no cases for
// (a filtered run) named in one line after it.
function targetTable(all, md) {
  const targets = all.filter((t) => t.status !== 'not measured');
  const skipped = all.filter((t) => t.status === 'not measured').map((t) => `${t.target}${t.detail ? ` (${t.detail})` : ''}`);
  const note = skipped.length ? `Not measured in this run (${skipped.length}): ${skipped.join('; ')}.` : '';
  if (md) {
    const lines = ['| target | wanted | measured | status |', '|---|---|---|---|'];
    for (const t of targets) lines.push(`| ${t.target}${t.detail ? ` (${t.detail})` : ''} | ${t.want} | ${t.figure} | ${t.status} |`);
    return [...(targets.length ? lines : []), ...(note ? ['', note] : [])].join('\n');
  }
  const table = targets.length ? `<table class="targets"><tr><th>target</th><th>wanted</th><th>measured</th><th>status</th></tr>${targets.map((t) =>
    `<tr class="${t.status.split(',')[0].replace(/ /g, '-')}${t.noisy ? ' noisy' : ''}"><td>${esc(t.target)}${t.detail ? `<br><small>${esc(t.detail)}</small>` : ''}</td><td>${esc(t.want)}</td><td>${esc(t.figure)}</td><td>${esc(t.status)}</td></tr>`).join('')}</table>` : '';
  return `${table}${note ? `<p class="not-measured">${esc(note)}</p>` : ''}`;
}

// One table per kernel: a row per series, a column per size; cells hold
// throughput and, for async calls, main-thread time per call.
function kernelTable(results, kernel, md) {
  const rows = sweep(results, kernel);
  if (rows.length === 0) return '';
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
  const names = [...new Set(rows.map((r) => r.series))];
  const cell = (r) => (r ? `${formatRate(r.throughput, UNIT[kernel].replace('/s', ''))}/s${r.sync ? '' : ` · ${formatTime(r.busyPerCall)} busy`}` : '-');
  if (md) {
    const lines = [`| ${kernel} | ${sizes.map((s) => sizeLabel(kernel, s)).join(' | ')} |`, `|---|${sizes.map(() => '---').join('|')}|`];
    for (const n of names) lines.push(`| ${n} | ${sizes.map((s) => cell(rows.find((r) => r.series === n && r.size === s))).join(' | ')} |`);
    return lines.join('\n');
  }
  return `<table><tr><th>${esc(kernel)}</th>${sizes.map((s) => `<th>${esc(sizeLabel(kernel, s))}</th>`).join('')}</tr>${names.map((n) =>
    `<tr><td>${esc(n)}</td>${sizes.map((s) => `<td>${esc(cell(rows.find((r) => r.series === n && r.size === s)))}</td>`).join('')}</tr>`).join('')}</table>`;
}

// A sequential async call's time, split: the facade's validation, the
// rest of a sync call (the binding, the tiny hash), and what async adds
// (the pool's round trip, settling the promise).
function dispatchBreakdown(results) {
  const get = (series) => results.find((r) => !r.error && r.kernel === 'dispatch' && r.size === 1 && r.series === series);
  const lines = [];
  for (const backend of ['native', 'wasm']) {
    const facade = get(`facade validation (${backend})`);
    const sync = get(`twincore ${backend} sync`);
    const async = get(`twincore ${backend}`);
    if (!facade || !sync || !async) continue;
    const t = (r) => r.secondsPerUnit;
    lines.push(`${backend}: ${formatTime(t(async))} per sequential async call = facade validation ${formatTime(t(facade))}` +
      ` + binding and kernel ${formatTime(Math.max(t(sync) - t(facade), 0))}` +
      ` + pool round trip and settling ${formatTime(Math.max(t(async) - t(sync), 0))}`);
  }
  const bare = get('bare napi_create_async_work');
  if (lines.length && bare) lines.push(`bare napi_create_async_work round trip: ${formatTime(bare.secondsPerUnit)}`);
  return lines;
}

function dispatchTable(results, md) {
  const rows = results.filter((r) => !r.error && r.kernel === 'dispatch' && !r.sync && r.peer !== 'facade');
  if (rows.length === 0) return '';
  const names = [...new Set(rows.map((r) => r.series))];
  const cell = (r) => (r ? `${formatTime(r.secondsPerUnit)} (${formatTime(r.busyPerCall)} busy)` : '-');
  const get = (n, b) => rows.find((r) => r.series === n && r.size === b);
  const split = dispatchBreakdown(results);
  if (md) {
    const lines = ['| per call | sequential | 64 in flight |', '|---|---|---|'];
    for (const n of names) lines.push(`| ${n} | ${cell(get(n, 1))} | ${cell(get(n, 64))} |`);
    return [...lines, ...(split.length ? ['', ...split.map((l) => `- ${l}`)] : [])].join('\n');
  }
  return `<table><tr><th>per call</th><th>sequential</th><th>64 in flight</th></tr>${names.map((n) =>
    `<tr><td>${esc(n)}</td><td>${esc(cell(get(n, 1)))}</td><td>${esc(cell(get(n, 64)))}</td></tr>`).join('')}</table>` +
    (split.length ? `<ul>${split.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : '');
}

function extraSorts(results, md) {
  const rows = ok(results).filter((r) => r.kernel === 'sort' && !r.threads && (r.dtype !== 'uint32' || r.dist));
  if (rows.length === 0) return '';
  const lines = md ? ['| sort, 16M elements | series | throughput |', '|---|---|---|'] : [];
  for (const r of rows) {
    const type = r.dist ? `${r.dtype}, ${r.dist}` : r.dtype;
    if (md) lines.push(`| ${type} | ${r.series} | ${formatRate(r.throughput, 'elem')}/s |`);
    else lines.push(`<tr><td>${esc(type)}</td><td>${esc(r.series)}</td><td>${esc(formatRate(r.throughput, 'elem'))}/s</td></tr>`);
  }
  return md ? lines.join('\n') : `<table><tr><th>sort, 16M elements</th><th>series</th><th>throughput</th></tr>${lines.join('')}</table>`;
}

// The questions the report answers, in a few rows: per kernel, at its
// largest size, native against wasm and the baseline; from which size a
// copy costs the main thread more than a whole zero-copy round trip; the
// main-thread time of a copy-mode call against a zero-copy one.
function answers(results) {
  const rows = [];
  const get = (kernel, size, series) => ok(results).find((r) => r.kernel === kernel && r.size === size &&
    r.series === series && (kernel !== 'sort' || r.dtype === 'uint32'));
  const baseline = { sha256: 'node:crypto createHash', stats: 'js loops', sort: 'TypedArray.prototype.sort', matmul: 'js loops' };
  const floor = results.find((r) => !r.error && r.kernel === 'dispatch' && r.size === 1 && r.series === 'twincore native');
  for (const kernel of KERNELS) {
    const rs = sweep(results, kernel);
    if (rs.length === 0) continue;
    const sizes = [...new Set(rs.map((r) => r.size))].sort((a, b) => a - b);
    const big = sizes[sizes.length - 1];
    const n = get(kernel, big, 'native zero-copy async');
    const w = get(kernel, big, 'wasm zero-copy async');
    const b = get(kernel, big, baseline[kernel]);
    const cross = sizes.find((size) => {
      const c = get(kernel, size, 'native copy async');
      const z = get(kernel, size, 'native zero-copy async');
      return c && z && floor && c.busyPerCall - z.busyPerCall > floor.secondsPerUnit;
    });
    const cb = get(kernel, big, 'native copy async');
    const unit = UNIT[kernel].replace('/s', '');
    // The spread over this run's samples: benchmark.js's 95% margin.
    const spread = (r) => (Number.isFinite(r.rme) ? ` ±${(r.rme * 100).toFixed(r.rme < 0.1 ? 1 : 0)}%` : '');
    const rate = (r) => (r ? `${formatRate(r.throughput, unit)}/s${spread(r)}` : '-');
    const ratio = (x, y) => (x && y ? `${(x.throughput / y.throughput).toFixed(2)}x` : '-');
    rows.push([kernel, sizeLabel(kernel, big), rate(n), rate(w), ratio(n, w), rate(b), ratio(n, b),
      cross === undefined ? 'not in this run' : sizeLabel(kernel, cross),
      cb && n ? `${formatTime(cb.busyPerCall)} / ${formatTime(n.busyPerCall)}` : '-']);
  }
  return rows;
}

function answersTable(results, md) {
  const head = ['kernel', 'size', 'native (zero-copy, async)', 'wasm (same)', 'native / wasm', 'baseline',
    'native / baseline', 'copy costs more than a round trip from', 'main thread per call: copy / zero-copy'];
  const rows = answers(results);
  if (md) {
    return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  }
  return `<table class="answers"><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) =>
    `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}

// OpenBLAS's figures: before and after the sweep, and in the rounds in
// turns with the matmul its rows compare it with, where timed so.
function blasLine(extra) {
  const turns = (b) => (b.turns && b.work ? `; ${(b.work / median(b.turns.wall) / 1e9).toFixed(1)} at the median of ${b.turns.wall.length} rounds in turns` : '');
  const one = (b) => `${b.gflops.toFixed(1)} GFLOP/s` +
    (b.samples ? ` (mean of ${b.samples.length} calls, fastest ${b.best.toFixed(1)}${turns(b)})` : '');
  return extra.blas
    ? `OpenBLAS sgemm 1024, 1 thread: ${one(extra.blas)}${extra.blas2 ? `; 2 threads: ${one(extra.blas2)}` : ''}.`
    : `OpenBLAS: ${extra.blasError || 'not measured'}.`;
}

// The host's pace in the rounds in turns (bench/host.js), or '' where the
// run did not sample it.
function hostLine(extra) {
  const h = extra.host;
  if (!h || !h.samples) return '';
  return `The host's pace between rounds in turns (a fixed integer workload on two threads at once, the slower against ` +
    `the fastest time of the run, ${formatTime(h.best)}): median ${formatRatio(h.median)}, ${h.slow} of ${h.samples} samples ` +
    `at ${formatRatio(SLOW)} or slower. A row whose median round ran at ${formatRatio(SLOW)} or slower is marked 'host slow'.`;
}

// One call on several pool threads: for each kernel, backend and thread
// count, the throughput, the speed-up over one thread (the main sweep's
// zero-copy async row) and the main thread's time per call.
function threadRows(results) {
  const split = ok(results).filter((r) => r.threads);
  const groups = new Map();
  for (const r of split) {
    const key = `${r.kernel}|${r.size}|${r.dtype || ''}|${r.backend}`;
    if (!groups.has(key)) {
      const one = ok(results).find((x) => x.kernel === r.kernel && x.size === r.size && x.dtype === r.dtype &&
        !x.dist && !x.threads && x.series === `${r.backend} zero-copy async`);
      const what = r.kernel === 'sort' ? `sort ${r.dtype} ${sizeLabel('sort', r.size)}` : `${r.kernel} ${sizeLabel(r.kernel, r.size)}`;
      groups.set(key, { what, backend: r.backend, points: one ? [{ threads: 1, r: one }] : [] });
    }
    groups.get(key).points.push({ threads: r.threads, r });
  }
  return [...groups.values()].map((g) => {
    g.points.sort((a, b) => a.threads - b.threads);
    const base = g.points[0].threads === 1 ? g.points[0].r.throughput : NaN;
    for (const p of g.points) p.speedup = p.r.throughput / base;
    return g;
  });
}

function threadsTable(results, md) {
  const groups = threadRows(results);
  if (groups.length === 0) return '';
  const rows = groups.flatMap((g) => g.points.map((p) => [g.what, g.backend, String(p.threads),
    `${formatRate(p.r.throughput, UNIT[p.r.kernel].replace('/s', ''))}/s`,
    Number.isFinite(p.speedup) ? `${p.speedup.toFixed(2)}x` : '-', formatTime(p.r.busyPerCall)]));
  const jobs = results.filter((r) => !r.error && r.kernel === 'jobs');
  const pools = [...new Set(jobs.map((r) => r.pool))].sort((a, b) => a - b);
  const jobRows = [...new Set(jobs.map((r) => r.series))].map((n) => [n, ...pools.map((p) => {
    const r = jobs.find((x) => x.series === n && x.pool === p);
    return r ? `${formatRate(r.throughput, 'B')}/s` : '-';
  })]);
  const head = ['call', 'backend', 'threads', 'throughput', 'speed-up', 'main thread per call'];
  const jobHead = ['independent jobs: 64 hashes of 64 KiB in flight', ...pools.map((p) => `pool of ${p}`)];
  if (md) {
    const table = (h, rs) => [`| ${h.join(' | ')} |`, `|${h.map(() => '---').join('|')}|`, ...rs.map((r) => `| ${r.join(' | ')} |`)].join('\n');
    return [table(head, rows), ...(jobRows.length ? ['', table(jobHead, jobRows)] : [])].join('\n');
  }
  const table = (h, rs) => `<table><tr>${h.map((x) => `<th>${esc(x)}</th>`).join('')}</tr>${rs.map((r) =>
    `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
  return table(head, rows) + (jobRows.length ? table(jobHead, jobRows) : '');
}

// Speed-up against threads, one line per kernel and backend, beside the
// ideal (n threads, n times as fast).
function threadsChart(results) {
  const groups = threadRows(results).filter((g) => g.points.length > 1 && Number.isFinite(g.points[0].speedup));
  if (groups.length === 0) return '';
  const most = Math.max(...groups.flatMap((g) => g.points.map((p) => p.threads)));
  const ideal = { name: 'ideal', points: Array.from({ length: most }, (_, i) => [i + 1, i + 1]) };
  return lineChart({ id: 'threads-scaling', title: 'one call on several threads: speed-up', xLabel: 'threads',
    yLabel: 'speed-up over 1 thread', xFormat: String, yFormat: (v) => `${v}x`,
    series: [...groups.map((g) => ({ name: `${g.what} ${g.backend}`, points: g.points.map((p) => [p.threads, p.speedup]) })), ideal] });
}

const pathList = (paths) => Object.entries(paths).map(([k, p]) => `${k} ${p}`).join(', ');

function metaLines(meta) {
  // Runs before napiRuntime was recorded give the runtime's version only.
  const napi = meta.napiRuntime === undefined ? `N-API ${meta.napi}`
    : meta.napi === null ? `N-API ${meta.napiRuntime}` : `addon built for N-API ${meta.napi} (node offers ${meta.napiRuntime})`;
  const paths = [['native', meta.nativePaths], ['wasm', meta.wasmPaths]].filter(([, p]) => p)
    .map(([b, p]) => `${b}: ${pathList(p)}`);
  return [
    `date: ${meta.date}`,
    `machine: ${meta.cpu} × ${meta.cores}, ${meta.memoryGiB} GiB, ${meta.os}`,
    `node ${meta.node}, ${napi}, ${meta.compiler}, ${meta.emcc}`,
    ...(paths.length ? [`code paths picked at run time: ${paths.join('; ')}`] : []),
    `threads: libuv pool ${meta.uvThreads}, wasm pool ${meta.wasmThreads}; profile ${meta.profile}; ${meta.cases} cases in ${meta.seconds.toFixed(0)} s`,
  ];
}

function markdown(doc) {
  const errors = doc.results.filter((r) => r.error);
  const dispatch = dispatchTable(doc.results, true);
  const simd = simdTable(doc.results, doc.meta, true);
  const threads = threadsTable(doc.results, true);
  return [
    '# twincore bench',
    '',
    ...metaLines(doc.meta).map((l) => `- ${l}`),
    '',
    '## At a glance',
    '',
    answersTable(doc.results, true),
    '',
    '## Targets',
    '',
    targetTable(doc.targets, true),
    ...(hostLine(doc.extra) ? ['', hostLine(doc.extra)] : []),
    '',
    '## Throughput (and main-thread time per async call)',
    '',
    ...KERNELS.map((k) => kernelTable(doc.results, k, true)).filter(Boolean).flatMap((t) => [t, '']),
    extraSorts(doc.results, true),
    '',
    ...(threads ? ['## Threads', '', threads, ''] : []),
    ...(dispatch ? ['## Dispatch floor', '', dispatch, ''] : []),
    ...(simd ? ['## SIMD paths', '', simd, ''] : []),
    blasLine(doc.extra),
    errors.length ? `\n## Cases that failed\n\n${errors.map((r) => `- ${r.id}: ${r.error}`).join('\n')}` : '',
    '',
  ].join('\n');
}

function html(doc) {
  const errors = doc.results.filter((r) => r.error);
  const simd = simdTable(doc.results, doc.meta, false);
  const sections = KERNELS.map((k) => {
    const c = charts(doc.results, k);
    if (c.length === 0) return '';
    return `<section id="kernel-${k}"><h2>${esc(k)}</h2><div class="charts">${c.join('\n')}</div>${kernelTable(doc.results, k, false)}</section>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>twincore bench ${esc(doc.meta.date)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 12px 0; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.holds td:last-child { color: #186a18; font-weight: bold; }
.falls-short td:last-child { color: #b00; font-weight: bold; }
svg.chart { background: #fff; border: 1px solid #ddd; }
</style></head><body>
<h1>twincore bench</h1>
<ul>${metaLines(doc.meta).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
<h2>At a glance</h2>
${answersTable(doc.results, false)}
<h2>Targets</h2>
${targetTable(doc.targets, false)}
${hostLine(doc.extra) ? `<p class="host">${esc(hostLine(doc.extra))}</p>` : ''}
${sections}
${extraSorts(doc.results, false)}
${threadsTable(doc.results, false) ? `<section id="threads"><h2>Threads</h2><div class="charts">${threadsChart(doc.results)}</div>${threadsTable(doc.results, false)}</section>` : ''}
${simd ? `<section id="simd"><h2>SIMD paths</h2><div class="charts">${simdCharts(doc.results, doc.meta).join('\n')}</div>${simd}</section>` : ''}
<section id="dispatch"><h2>Dispatch floor</h2>${dispatchTable(doc.results, false) || '<p>Not measured in this run.</p>'}
<p>${esc(blasLine(doc.extra))}</p></section>
${errors.length ? `<section id="errors"><h2>Cases that failed</h2><ul>${errors.map((r) => `<li>${esc(r.id)}: ${esc(r.error)}</li>`).join('')}</ul></section>` : ''}
</body></html>
`;
}

module.exports = { markdown, html, charts, answers, KERNELS };
