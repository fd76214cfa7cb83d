#!/usr/bin/env node
// twincore's bench: every kernel x size x backend x mode x sync/async, the
// peers, the dispatch floor. Writes <out>/<timestamp>.{json,md,html} (and
// latest.*), with a progress line on stderr while it runs. `make bench`
// and `twincore bench` run it.
'use strict';

const USAGE = `usage: node bench/run.js [options]
       node bench/run.js --render RUN.json   redo RUN.md and RUN.html from RUN.json

  --profile NAME    default (about 6 minutes on 2 cores), full, or smoke (seconds)
  --kernel LIST     only these kernels: sha256,stats,sort,matmul,dispatch
  --backend LIST    only these: native,wasm,js,auto,peer
  --size LIST       only these sizes: 1KiB,16MiB (bytes) or 1024 (matmul n)
  --out DIR         where the report goes (default: bench/results)

The environment variables BENCH (profile), BENCH_KERNELS, BENCH_BACKENDS
and BENCH_SIZES do the same as the options.`;

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const tc = require('..');
const { cases } = require('./cases');
const { measure, Inputs, findPeers, setupPeers, closePeers, ROOT } = require('./measure');
const { evaluate } = require('./targets');
const report = require('./report');

function parseArgs(argv) {
  const o = {
    profile: process.env.BENCH || 'default',
    kernels: process.env.BENCH_KERNELS,
    backends: process.env.BENCH_BACKENDS,
    sizes: process.env.BENCH_SIZES,
    out: path.join(ROOT, 'bench', 'results'),
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const value = () => inline ?? argv[++i];
    if (flag === '--profile') o.profile = value();
    else if (flag === '--full') o.profile = 'full';
    else if (flag === '--kernel') o.kernels = value();
    else if (flag === '--backend') o.backends = value();
    else if (flag === '--size') o.sizes = value();
    else if (flag === '--out') o.out = path.resolve(value());
    else if (flag === '--render') o.render = path.resolve(value());
    else if (flag === '--help' || flag === '-h') o.help = true;
    else throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
  }
  for (const k of ['kernels', 'backends', 'sizes']) o[k] = o[k] ? o[k].split(',').map((s) => s.trim()) : undefined;
  return o;
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout || r.stderr).split('\n')[0].trim() : `${cmd}: not found`;
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
    emcc: firstLine('emcc', ['--version']).replace(/^emcc \(.*?\)\s*/, 'emcc '),
    uvThreads: info.native.threads ?? Number(process.env.UV_THREADPOOL_SIZE || 4),
    wasmThreads: info.wasm.threads ?? 0,
    nativePaths: info.native.available ? info.native.paths : null,
    wasmPaths: info.wasm.available ? info.wasm.paths : null,
    profile: o.profile,
    cases: list.length,
    seconds: 0,
  };
}

// OpenBLAS's sgemm on one thread, from the harness the Makefile builds.
function blas() {
  const exe = path.join(ROOT, 'build', 'bench', 'sgemm');
  if (!fs.existsSync(exe)) return { blasError: 'the sgemm harness was not built (make bench builds it)' };
  const r = spawnSync(exe, ['1024', '5'], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  if (r.status !== 0) return { blasError: `the sgemm harness failed: ${r.stderr.trim()}` };
  return { blas: JSON.parse(r.stdout) };
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
  const list = cases({ ...o, available });
  if (list.length === 0) throw new Error('no case matches the filters');
  await setupPeers(available);
  const m = meta(o, list);
  const extra = o.kernels && !o.kernels.includes('matmul') ? {} : blas();
  const skipped = [...peers.skipped, ...(extra.blasError ? [`OpenBLAS sgemm: ${extra.blasError}`] : [])];
  for (const line of skipped) console.log(`bench: ${line}`);
  const inputs = new Inputs();
  const results = [];
  const started = Date.now();
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    progress(i, list.length, c, started);
    inputs.releaseExcept(new Set(list.slice(i).map((x) => `${x.input.type}:${x.input.length}`)));
    const r = await measure(c, inputs, { minSamples: o.profile === 'smoke' ? 2 : 4 });
    const { input, maxTime, index, ...fields } = c;
    results.push({ ...fields, ...r });
  }
  inputs.releaseExcept(new Set());
  await closePeers();
  if (process.stderr.isTTY) process.stderr.write('\n');
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
  console.error(`bench: ${err.stack || err.message}`);
  process.exitCode = 1;
});
