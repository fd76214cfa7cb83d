#!/usr/bin/env node
// twincore's bench: every kernel x size x backend x mode x sync/async, the
// peers, the dispatch floor. Writes <out>/<timestamp>.{json,md,html} (and
// latest.*), with a progress line on stderr while it runs. `make bench`
// and `twincore bench` run it.
'use strict';

const USAGE = `usage: node bench/run.js [options] [kernel|backend|size ...]
       node bench/run.js --render RUN.json   redo RUN.md and RUN.html from RUN.json

  --profile NAME    default (about 10 minutes on 2 cores), full, or smoke (seconds)
  --kernel LIST     only these kernels: sha256,stats,sort,matmul,dispatch,jobs
  --backend LIST    only these: native,wasm,js,auto,peer
  --size LIST       only these sizes: 1KiB,16MiB (bytes) or 1024 (matmul n)
  --out DIR         where the report goes (default: bench/results)

Filters can also be given as words: \`sort native 16MiB\`. The environment
variables BENCH (profile), BENCH_KERNELS, BENCH_BACKENDS and BENCH_SIZES
do the same as the options; BENCH_SGEMM names the OpenBLAS harness to
compare matmul with (default: build/bench/sgemm, which make bench builds).`;

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const tc = require('..');
const { cases, PROFILES } = require('./cases');
const { parseBytes } = require('./stats');
const { measure, paired, turns, order, blas, Inputs, findPeers, setupPeers, closePeers, ROOT } = require('./measure');
const { evaluate, autoPeers, comparedGroups, poolRounds } = require('./targets');
const report = require('./report');
const { HostPace, paceRounds } = require('./host');

class UsageError extends Error {}

const KERNELS = ['sha256', 'stats', 'sort', 'matmul', 'dispatch', 'jobs'];
const BACKENDS = ['native', 'wasm', 'js', 'auto', 'peer'];

// Options, and filters given as words: `sort native 16MiB` is
// `--kernel sort --backend native --size 16MiB`. Every value is checked,
// so that a typo is an error, not an empty run.
function parseArgs(argv) {
  const o = {
    profile: process.env.BENCH || 'default',
    kernels: process.env.BENCH_KERNELS,
    backends: process.env.BENCH_BACKENDS,
    sizes: process.env.BENCH_SIZES,
    out: path.join(ROOT, 'bench', 'results'),
  };
  const words = { kernels: [], backends: [], sizes: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      const v = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '' || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--profile') o.profile = value();
    else if (flag === '--full') o.profile = 'full';
    else if (flag === '--kernel') o.kernels = value();
    else if (flag === '--backend') o.backends = value();
    else if (flag === '--size') o.sizes = value();
    else if (flag === '--out') o.out = path.resolve(value());
    else if (flag === '--render') o.render = path.resolve(value());
    else if (flag === '--simd-child') o.simdChild = value();
    else if (flag === '--pool-child') o.poolChild = Number(value());
    else if (flag === '--help' || flag === '-h') o.help = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (KERNELS.includes(arg)) words.kernels.push(arg);
    else if (BACKENDS.includes(arg)) words.backends.push(arg);
    else if (Number.isFinite(parseBytes(arg))) words.sizes.push(arg);
    else throw new UsageError(`${JSON.stringify(arg)} is not a kernel (${KERNELS.join(', ')}), a backend (${BACKENDS.join(', ')}) or a size`);
  }
  for (const k of ['kernels', 'backends', 'sizes']) {
    const list = [...(o[k] ? o[k].split(',').map((s) => s.trim()) : []), ...words[k]];
    o[k] = list.length ? list : undefined;
  }
  if (!PROFILES[o.profile]) throw new UsageError(`unknown profile ${JSON.stringify(o.profile)}; profiles: ${Object.keys(PROFILES).join(', ')}`);
  const bad = (list, known) => (list || []).filter((x) => !known.includes(x));
  for (const [k, known] of [['kernels', KERNELS], ['backends', BACKENDS]]) {
    if (bad(o[k], known).length) throw new UsageError(`unknown ${k.slice(0, -1)} ${bad(o[k], known).join(', ')}; ${k}: ${known.join(', ')}`);
  }
  const sizes = (o.sizes || []).filter((x) => !Number.isFinite(parseBytes(x)));
  if (sizes.length) throw new UsageError(`not a size: ${sizes.join(', ')} (bytes such as 1KiB or 16MiB, or a matmul n such as 1024)`);
  return o;
}

function meta(o, list) {
  const info = tc.backends();
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0].model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    // The Node-API version the addon was built against (what it needs),
    // and the one this Node offers.
    napi: info.native.available ? info.native.napiVersion : null,
    napiRuntime: process.versions.napi,
    compiler: info.native.available ? info.native.compiler : 'no native addon',
    // What built the wasm module that runs, not whatever emcc is on PATH.
    emcc: info.wasm.available ? info.wasm.compiler : 'no wasm module',
    uvThreads: info.native.threads ?? Number(process.env.UV_THREADPOOL_SIZE || 4),
    wasmThreads: info.wasm.threads ?? 0,
    nativePaths: info.native.available ? info.native.paths : null,
    wasmPaths: info.wasm.available ? info.wasm.paths : null,
    profile: o.profile,
    cases: list.length,
    seconds: 0,
  };
}

function clock(seconds) {
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function progress(i, n, c, started) {
  const elapsed = (Date.now() - started) / 1e3;
  const eta = i > 0 ? (elapsed / i) * (n - i) : NaN;
  const text = `[${i + 1}/${n}] ${c.id} · ${clock(elapsed)} elapsed${Number.isFinite(eta) ? ` · ETA ${clock(eta)}` : ''}`;
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`);
  else process.stderr.write(`${text}\n`);
}

// Cases that run in child processes, one per value of key: the SIMD cases
// (key 'simd'), each cap with TWINCORE_SIMD set (the core reads it once),
// and the independent jobs (key 'pool'), each pool size with the libuv,
// wasm and piscina pools that large. Their results, or one failed result
// per case.
const CHILDREN = {
  simd: { flag: '--simd-child', env: (cap) => ({ TWINCORE_SIMD: cap }), what: (cap) => `TWINCORE_SIMD=${cap}` },
  pool: {
    flag: '--pool-child',
    env: (n) => ({ UV_THREADPOOL_SIZE: String(n), TWINCORE_WASM_THREADS: String(n), TWINCORE_BENCH_POOL: String(n) }),
    what: (n) => `pool size ${n}`,
  },
};

// The pool children run in turns: POOL_ROUNDS rounds of one child per
// pool size, the sizes in an order of their own each round (measure.js
// order()). Run once each, a child per size, the pool of 2 against the
// pool of 1 came out 1.48x and 1.61x for wasm in two runs, where a script
// timing both pools one after the other found 1.81-1.88x: the two
// children saw this machine at moments seconds apart. Each case keeps the
// round whose throughput is the median, with every round's time per call
// as its turns (poolRounds()), which the targets compare round by round.
const POOL_ROUNDS = 5;

function childRuns(o, list, key, rounds = 1) {
  const values = [...new Set(list.map((c) => c[key]))];
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    runs.push(order(values.length, round).flatMap((j) => childRun(o, list, key, values[j])));
  }
  return rounds > 1 ? poolRounds(runs) : runs.flat();
}

// One child's results: those of the cases of list whose key is value.
function childRun(o, list, key, value) {
  const child = CHILDREN[key];
  const args = [...process.execArgv, __filename, child.flag, String(value), '--profile', o.profile];
  for (const k of ['kernels', 'backends', 'sizes']) if (o[k]) args.push(`--${k.slice(0, -1)}`, o[k].join(','));
  const r = spawnSync(process.execPath, args, {
    env: { ...process.env, ...child.env(value) }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26,
  });
  let got = null;
  try {
    got = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    // reported below
  }
  if (r.status === 0 && Array.isArray(got)) return got;
  const why = `the ${child.what(value)} run failed (${r.error ? r.error.message : `exit ${r.status}`})`;
  return list.filter((c) => c[key] === value).map((c) => {
    const { input, maxTime, index, ...fields } = c;
    return { ...fields, error: why };
  });
}

// Write the Markdown and HTML of a run next to its JSON (targets
// re-evaluated, so a run can be re-read by a newer report).
function render(file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  doc.targets = evaluate(doc.results, doc.extra);
  const base = file.replace(/\.json$/, '');
  fs.writeFileSync(`${base}.md`, report.markdown(doc));
  fs.writeFileSync(`${base}.html`, report.html(doc));
  console.log(`wrote ${base}.{md,html}`);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    console.log(USAGE);
    return;
  }
  if (o.render) {
    render(o.render);
    return;
  }
  const info = tc.backends();
  const peers = findPeers();
  const available = { native: info.native.available, wasm: info.wasm.available, ...peers.available };
  for (const b of ['native', 'wasm']) {
    if (!available[b]) console.log(`bench: the ${b} backend is not available, its rows are skipped: ${info[b].error}`);
  }
  const pools = { native: info.native.threads, wasm: info.wasm.threads };
  const every = cases({ ...o, available, pools });
  // The SIMD and independent-jobs cases run in child processes, one per
  // cap or pool size (see childRuns); a child runs its own only.
  const list = every.filter((c) => (o.simdChild ? c.simd === o.simdChild
    : o.poolChild ? c.pool === o.poolChild : !c.simd && !c.pool));
  if (every.length === 0) {
    throw new UsageError(`no case of the ${o.profile} profile matches these filters (kernels ${o.kernels || 'any'}, ` +
      `backends ${o.backends || 'any'}, sizes ${o.sizes || 'any'})`);
  }
  await setupPeers(available);
  // Start the pools before the first measurement: starting threads (and
  // the wasm instance in each) is not the cost of a call.
  for (const b of ['native', 'wasm']) {
    if (!available[b]) continue;
    const calls = Array.from({ length: info[b].threads }, () => tc.sha256(new Uint8Array(64), { backend: b, mode: 'copy' }));
    await Promise.all(calls);
  }
  const m = meta(o, every);
  const extra = o.simdChild || o.poolChild || (o.kernels && !o.kernels.includes('matmul')) ? {} : blas();
  const skipped = [...peers.skipped, ...(extra.blasError ? [`OpenBLAS sgemm: ${extra.blasError}`] : [])];
  for (const line of skipped) console.log(`bench: ${line}`);
  const inputs = new Inputs();
  const results = [];
  const started = Date.now();
  // A result with its case's input again (a result leaves it out).
  const withInput = (x) => ({ ...list.find((y) => y.id === x.id), ...x });
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    progress(i, list.length, c, started);
    inputs.releaseExcept(new Set(list.slice(i).map((x) => `${x.input.type}:${x.input.length}:${x.input.dist || 'random'}`)));
    const r = await measure(c, inputs, { minSamples: o.profile === 'smoke' ? 2 : 4 });
    const { input, maxTime, index, ...fields } = c;
    const result = { ...fields, ...r };
    results.push(result);
    // 'auto' comes after the calls of its kernel and size that it is
    // compared with (cases.js): it is timed again in turns with them.
    if (c.backend === 'auto' && !r.error) {
      const { like, twin } = autoPeers(result, results);
      if (like.length > 0 || twin) {
        result.paired = await paired(withInput(result), like.map(withInput), twin && withInput(twin), inputs);
      }
    }
  }
  inputs.releaseExcept(new Set());
  // What each target compares, timed again in turns: measured one after
  // another, two cases can see this machine at moments up to 2x apart.
  // With them, the host's pace (bench/host.js) between two rounds.
  const groups = comparedGroups(results, extra);
  const host = groups.length > 0 ? new HostPace() : null;
  const turnsStarted = Date.now();
  try {
    for (let g = 0; g < groups.length; g++) {
      const ids = groups[g].map((r) => r.id);
      progress(g, groups.length, { id: `in turns: ${ids.join(', ')}` }, turnsStarted);
      if (global.gc) global.gc();
      const got = await turns(groups[g].map(withInput), inputs, host);
      inputs.releaseExcept(new Set());
      if (got.error) console.log(`bench: timing ${ids.join(', ')} in turns failed: ${got.error} (their rows take their own figures)`);
      else {
        groups[g].forEach((r, j) => {
          if (got.errors[j]) console.log(`bench: timing ${r.id} in turns failed: ${got.errors[j]} (its rows take its own figures)`);
          else r.turns = { group: g, wall: got.wall[j], busy: got.busy[j], host: got.host };
        });
      }
    }
  } finally {
    if (host) await host.close();
  }
  // The samples taken before a failure still give their rounds a pace.
  if (host) {
    if (host.failed) console.log(`bench: the host's pace was not sampled after: ${host.failed.message}`);
    extra.host = paceRounds(groups.flat());
  }
  await closePeers();
  if (extra.blas) {
    const again = blas(extra);
    if (again.blasError) console.log(`bench: OpenBLAS sgemm, its second run: ${again.blasError} (the first run's figures stand)`);
    else Object.assign(extra, again);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (o.simdChild || o.poolChild) {
    // What ran under the cap, for the parent (the last line of stdout).
    const paths = tc.backends();
    for (const r of results) r.path = paths[r.backend]?.paths?.[r.kernel];
    console.log(JSON.stringify(results));
    return;
  }
  results.push(...childRuns(o, every.filter((c) => c.simd), 'simd'));
  // (The smoke profile checks that everything runs: one round.)
  results.push(...childRuns(o, every.filter((c) => c.pool), 'pool', o.profile === 'smoke' ? 1 : POOL_ROUNDS));
  m.seconds = (Date.now() - started) / 1e3;
  const doc = { meta: m, extra, results, targets: evaluate(results, extra) };
  fs.mkdirSync(o.out, { recursive: true });
  const stamp = m.date.replace(/[:.]/g, '-');
  const files = {
    json: JSON.stringify(doc, null, 1),
    md: report.markdown(doc),
    html: report.html(doc),
  };
  for (const [ext, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(o.out, `${stamp}.${ext}`), text);
    fs.writeFileSync(path.join(o.out, `latest.${ext}`), text);
  }
  console.log(files.md);
  console.log(`wrote ${path.join(o.out, `${stamp}.{json,md,html}`)} (and latest.*)`);
  const failed = results.filter((r) => r.error).length;
  if (failed) console.log(`${failed} case(s) failed; see the report`);
}

main().catch((err) => {
  if (err instanceof UsageError) {
    console.error(`bench: ${err.message} (--help lists the options)`);
    process.exitCode = 2;
    return;
  }
  console.error(`bench: ${err.stack || err.message}`);
  process.exitCode = 1;
});
