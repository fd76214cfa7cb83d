#!/usr/bin/env node
// twincore's command line: `twincore info | sha256 | bench`, each with
// --help. See USAGE below; the README's "Command line" section says the
// same.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const { version } = require('../package.json');

const USAGE = {
  main: `usage: twincore <command> [options]

commands:
  info              the backends here: available or why not, threads, the code
                    paths the core picked on this CPU, versions
  sha256 [FILE...]  SHA-256 of each FILE (- or none: standard input), printed
                    as sha256sum prints it
  bench [FILTERS]   the benchmark suite on this machine, with its report

options:
  -h, --help        help (also: twincore <command> --help)
  -v, --version     twincore's version`,
  info: `usage: twincore info [--json]

Each backend (native, wasm, js): whether it is available here and, if not,
why; its threads; the code path the core picked at run time for each
kernel (e.g. avx512f, sha-ni, simd128); versions.

  --json            print backends() as JSON`,
  sha256: `usage: twincore sha256 [--backend auto|native|wasm|js] [FILE...]

Prints the SHA-256 of each FILE as sha256sum does ("<hex>  <name>"). With
no FILE, or when FILE is -, reads standard input. Each file is read straight
into memory the library owns and hashed there, on the fastest backend
unless --backend picks one. A file that cannot be read is reported on
stderr and the others are still hashed; the exit status is then 1.`,
  bench: `usage: twincore bench [--profile default|full|smoke] [--kernel LIST]
                      [--backend LIST] [--size LIST] [--out DIR]

Runs twincore's benchmark suite here (the same cases, filters and report as
\`make bench\` in a checkout) and writes DIR/latest.{json,md,html}
(default DIR: ./twincore-bench). It needs benchmark.js (npm install
benchmark); hash-wasm and piscina add their rows where installed, and the
peers that are not installed are skipped with a line saying so.

  --profile NAME    default (about 6 minutes on 2 cores), full, smoke (seconds)
  --kernel LIST     only these kernels: sha256,stats,sort,matmul,dispatch
  --backend LIST    only these: native,wasm,js,auto,peer
  --size LIST       only these sizes: 1KiB,16MiB (bytes) or 1024 (matmul n)`,
};

class UsageError extends Error {}

function wantsHelp(args) {
  return args.includes('-h') || args.includes('--help');
}

// --- info -------------------------------------------------------------

function formatBytes(n) {
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}

function info(args) {
  const unknown = args.filter((a) => a !== '--json');
  if (unknown.length) throw new UsageError(`info: unknown argument ${unknown[0]}`);
  const tc = require('..');
  const b = tc.backends();
  if (args.includes('--json')) {
    console.log(JSON.stringify({ version, node: process.version, platform: `${process.platform}-${process.arch}`, ...b }, null, 2));
    return 0;
  }
  const paths = (p) => Object.entries(p).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [`twincore ${version} on node ${process.version} (${process.platform}-${process.arch})`];
  lines.push(b.default ? `default backend ('auto'): ${b.default}` : 'default backend: none');
  if (b.error) lines.push(`  error: ${b.error}`);
  const n = b.native;
  lines.push(n.available
    ? `native: available; libuv pool of ${n.threads} threads; built for N-API ${n.napiVersion} ` +
      `(node offers ${process.versions.napi}) by ${n.compiler}\n  code paths: ${paths(n.paths)}`
    : `native: not available: ${n.error}`);
  const w = b.wasm;
  lines.push(w.available
    ? `wasm: available; pool of ${w.threads} threads; heap ${formatBytes(w.heapSize)}\n  code paths: ${paths(w.paths)}`
    : `wasm: not available: ${w.error}`);
  lines.push(`js: available (node:crypto on OpenSSL ${b.js.crypto}, TypedArray.prototype.sort, plain loops)`);
  console.log(lines.join('\n'));
  return 0;
}

// --- sha256 -----------------------------------------------------------

// What sha256sum says of a file it cannot read.
const REASONS = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  ERR_TC_ENOMEM: 'too large to hold in memory',
};

// A line as sha256sum writes it: a name with a backslash or a newline is
// escaped, and the line then starts with a backslash.
function digestLine(hex, name) {
  if (!/[\\\n]/.test(name)) return `${hex}  ${name}`;
  return `\\${hex}  ${name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`;
}

// Read a whole file (descriptor) into an alloc()'d array: for a regular
// file in one go into an array of its size; for anything else (a pipe, a
// terminal, /proc) into an array that doubles as it fills. Returns
// { array, length }: the data is array[0, length).
function readAll(tc, fd, backend) {
  const st = fs.fstatSync(fd);
  if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  // One byte more than the size, so that the end shows without a second
  // array when the file is as large as it says.
  let array = tc.alloc('uint8', st.isFile() ? st.size + 1 : 1 << 16, { backend });
  let length = 0;
  try {
    for (;;) {
      if (length === array.length) {
        const bigger = tc.alloc('uint8', array.length * 2, { backend });
        bigger.set(array);
        tc.free(array);
        array = bigger;
      }
      let got;
      try {
        got = fs.readSync(fd, array, length, Math.min(array.length - length, 2 ** 30), null);
      } catch (err) {
        if (err.code === 'EAGAIN') continue; // a non-blocking stdin
        if (err.code === 'EOF') break;
        throw err;
      }
      if (got === 0) return { array, length };
      length += got;
    }
    return { array, length };
  } catch (err) {
    tc.free(array);
    throw err;
  }
}

function parseSha256Args(args) {
  const o = { backend: 'auto', files: [] };
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (options && a === '--') options = false;
    else if (options && (a === '--backend' || a.startsWith('--backend='))) {
      o.backend = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (!['auto', 'native', 'wasm', 'js'].includes(o.backend)) {
        throw new UsageError(`sha256: --backend must be one of auto, native, wasm, js; got ${JSON.stringify(o.backend ?? '')}`);
      }
    } else if (options && a.startsWith('-') && a !== '-') throw new UsageError(`sha256: unknown option ${a}`);
    else o.files.push(a);
  }
  if (o.files.length === 0) o.files.push('-');
  return o;
}

async function sha256(args) {
  const o = parseSha256Args(args);
  const tc = require('..');
  if (o.backend !== 'auto' && !tc.backends()[o.backend].available) {
    process.stderr.write(`twincore sha256: the ${o.backend} backend is not available: ${tc.backends()[o.backend].error}\n`);
    return 1;
  }
  let status = 0;
  const report = (name, err) => {
    status = 1;
    process.stderr.write(`twincore sha256: ${name}: ${REASONS[err.code] || err.message}\n`);
  };
  // Reading a file (on this thread) overlaps with hashing the one before it
  // (off this thread, for all but tiny files); at most two files are in
  // memory, and lines come out in order.
  let previous = Promise.resolve();
  for (const name of o.files) {
    let read;
    try {
      const fd = name === '-' ? 0 : fs.openSync(name, 'r');
      try {
        read = readAll(tc, fd, o.backend);
      } finally {
        if (fd !== 0) fs.closeSync(fd);
      }
    } catch (err) {
      read = { err };
    }
    await previous;
    if (read.err) {
      report(name, read.err);
      continue;
    }
    previous = tc.sha256(read.array.subarray(0, read.length), { backend: o.backend }).then(
      (d) => process.stdout.write(`${digestLine(Buffer.from(d).toString('hex'), name)}\n`),
      (err) => report(name, err),
    ).finally(() => tc.free(read.array));
  }
  await previous;
  return status;
}

// --- bench ------------------------------------------------------------

function bench(args) {
  try {
    require.resolve('benchmark', { paths: [process.cwd(), ROOT] });
  } catch {
    process.stderr.write('twincore bench runs on benchmark.js, which is not installed here: ' +
      'npm install benchmark (hash-wasm and piscina add their rows too).\n');
    return 1;
  }
  const out = args.some((a) => a === '--out' || a.startsWith('--out=')) ? [] : ['--out', path.resolve('twincore-bench')];
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(ROOT, 'bench', 'run.js'), ...args, ...out], {
    stdio: 'inherit',
    env: { ...process.env, NODE_PATH: [process.env.NODE_PATH, path.join(process.cwd(), 'node_modules')].filter(Boolean).join(path.delimiter) },
  });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

// --- main -------------------------------------------------------------

const COMMANDS = { info, sha256, bench };

async function main(argv) {
  const [command, ...args] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE[args[0]] || USAGE.main);
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    console.log(version);
    return 0;
  }
  if (!COMMANDS[command]) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  // Options end at --: `twincore sha256 -- --help` hashes a file named --help.
  const end = args.indexOf('--');
  if (wantsHelp(end === -1 ? args : args.slice(0, end))) {
    console.log(USAGE[command]);
    return 0;
  }
  return COMMANDS[command](args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`twincore: ${err.message}\nTry 'twincore --help'.\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`twincore: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
    process.exitCode = 1;
  },
);
