#!/usr/bin/env node
// twincore's command line: `twincore info | sha256 | bench`, each with
// --help. See USAGE below; the README's "Command line" section says the
// same.
'use strict';

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { formatBytes } = require('../bench/stats');

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
unless --backend picks one; a file larger than the library can hold (4 GiB
on Node 20) is hashed as it streams, with node:crypto. A file that cannot be read is
reported on stderr and the others are still hashed; the exit status is
then 1. Names that are not valid UTF-8 cannot be opened (Node decodes the
command line as UTF-8).`,
  bench: `usage: twincore bench [--profile default|full|smoke] [--kernel LIST]
                      [--backend LIST] [--size LIST] [--out DIR] [FILTER...]

Runs twincore's benchmark suite here (the same cases, filters and report as
\`make bench\` in a checkout) and writes DIR/latest.{json,md,html}
(default DIR: ./twincore-bench). It needs benchmark.js (npm install
benchmark); hash-wasm and piscina add their rows where installed, and the
peers that are not installed are skipped with a line saying so.

  --profile NAME    default (about 6 minutes on 2 cores), full, smoke (seconds)
  --kernel LIST     only these kernels: sha256,stats,sort,matmul,dispatch
  --backend LIST    only these: native,wasm,js,auto,peer
  --size LIST       only these sizes: 1KiB,16MiB (bytes) or 1024 (matmul n)
  FILTER...         the same as words: twincore bench sort native 16MiB`,
};

class UsageError extends Error {}

function wantsHelp(args) {
  return args.includes('-h') || args.includes('--help');
}

// --- info -------------------------------------------------------------

function info(args) {
  const unknown = args.filter((a) => a !== '--json');
  if (unknown.length) throw new UsageError(`info: unknown argument ${unknown[0]}`);
  const tc = require('..');
  const b = tc.backends();
  if (args.includes('--json')) {
    console.log(JSON.stringify({ version, node: process.version, platform: `${process.platform}-${process.arch}`, ...b }, null, 2));
    return 0;
  }
  const paths = (p, cap) => Object.entries(p).map(([k, v]) => `${k} ${v}`).join(', ') +
    (cap ? ` (TWINCORE_SIMD=${cap})` : '');
  const lines = [`twincore ${version} on node ${process.version} (${process.platform}-${process.arch})`];
  lines.push(b.default ? `default backend ('auto'): ${b.default}` : 'default backend: none');
  if (b.error) lines.push(`  error: ${b.error}`);
  const n = b.native;
  lines.push(n.available
    ? `native: available; libuv pool of ${n.threads} threads; built for N-API ${n.napiVersion} ` +
      `(node offers ${process.versions.napi}) by ${n.compiler}\n  code paths: ${paths(n.paths, n.simdCap)}`
    : `native: not available: ${n.error}`);
  const w = b.wasm;
  lines.push(w.available
    ? `wasm: available; pool of ${w.threads} threads; heap ${formatBytes(w.heapSize)}; built by ${w.compiler}\n` +
      `  code paths: ${paths(w.paths, w.simdCap)}`
    : `wasm: not available: ${w.error}`);
  lines.push(`js: available (node:crypto on OpenSSL ${b.js.crypto}, TypedArray.prototype.sort, plain loops)`);
  console.log(lines.join('\n'));
  return 0;
}

// --- sha256 -----------------------------------------------------------

// What sha256sum says of a file it cannot read, by error code; others as
// Node words them.
const REASONS = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  EBADF: 'Bad file descriptor',
  ENXIO: 'No such device or address',
  EMFILE: 'Too many open files',
};

function reason(err) {
  if (REASONS[err.code]) return REASONS[err.code];
  // "ENODEV: no such device, open 'x'" -> "No such device"
  const m = /^[A-Z0-9_]+: ([^,]+)/.exec(err.message);
  return m ? m[1][0].toUpperCase() + m[1].slice(1) : err.message;
}

// A line as sha256sum writes it: a name with a backslash, a newline or a
// carriage return is escaped, and the line then starts with a backslash.
function digestLine(hex, name) {
  if (!/[\\\n\r]/.test(name)) return `${hex}  ${name}`;
  return `\\${hex}  ${name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}`;
}

// Errors of an alloc() the library cannot satisfy: the file is then
// hashed as it streams by instead (node:crypto, a piece at a time).
const TOO_BIG = new Set(['ERR_OUT_OF_RANGE', 'ERR_TC_ENOMEM']);

function readSome(fd, buf, offset, length) {
  for (;;) {
    try {
      return fs.readSync(fd, buf, offset, length, null);
    } catch (err) {
      if (err.code === 'EOF') return 0;
      if (err.code !== 'EAGAIN') throw err;
      // A non-blocking descriptor with nothing yet: wait a little.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

// The rest of fd hashed as it streams, after what `hash` already holds.
function streamDigest(fd, hash = crypto.createHash('sha256')) {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let got; (got = readSome(fd, buf, 0, buf.length)) > 0;) hash.update(buf.subarray(0, got));
  return hash.digest('hex');
}

// Read a whole file (descriptor) into an alloc()'d array: a regular file in
// one go, into an array of its size; anything else (a pipe, a terminal,
// /proc) into an array that doubles as it fills. Returns { array, length }
// (the data is array[0, length)), or { hex } when the file is larger than
// the library can hold (more than 4 GiB) and was hashed as it streamed.
function readAll(tc, fd, backend) {
  const st = fs.fstatSync(fd);
  if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  let array;
  try {
    // One byte more than the size, so that the end shows without a second
    // array when the file is as large as it says.
    array = tc.alloc('uint8', st.isFile() ? st.size + 1 : 1 << 16, { backend });
  } catch (err) {
    if (TOO_BIG.has(err.code)) return { hex: streamDigest(fd) };
    throw err;
  }
  let length = 0;
  try {
    for (;;) {
      if (length === array.length) {
        let bigger;
        try {
          bigger = tc.alloc('uint8', array.length * 2, { backend });
        } catch (err) {
          if (!TOO_BIG.has(err.code)) throw err;
          return { hex: streamDigest(fd, crypto.createHash('sha256').update(array)) };
        }
        bigger.set(array);
        tc.free(array);
        array = bigger;
      }
      const got = readSome(fd, array, length, Math.min(array.length - length, 2 ** 30));
      if (got === 0) {
        const read = { array, length };
        array = null;
        return read;
      }
      length += got;
    }
  } finally {
    if (array) tc.free(array);
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
  // The backend 'auto' stands for, named outright: a tool that prints
  // digests says nothing else (no fallback warning); a bad
  // TWINCORE_BACKEND is a usage error.
  const info = tc.backends();
  const backend = o.backend === 'auto' ? info.default : o.backend;
  if (backend === null) throw new UsageError(`sha256: ${info.error}`);
  if (!info[backend].available) {
    process.stderr.write(`twincore sha256: the ${backend} backend is not available: ${info[backend].error}\n`);
    return 1;
  }
  let status = 0;
  let closed = false;
  // A reader that went away (| head): stop quietly. Any other failure to
  // write (a full disk): say so, as sha256sum does. Either way the digests
  // still to come have nowhere to go.
  process.stdout.on('error', (err) => {
    closed = true;
    if (err.code !== 'EPIPE') process.stderr.write(`twincore sha256: write error: ${reason(err)}\n`);
    process.exit(1);
  });
  const report = (name, err) => {
    status = 1;
    process.stderr.write(`twincore sha256: ${name}: ${reason(err)}\n`);
  };
  const print = (name, hex) => process.stdout.write(`${digestLine(hex, name)}\n`);
  // Reading a file (on this thread) overlaps with hashing the one before it
  // (off this thread, for all but tiny files); at most two files are in
  // memory, and lines come out in order.
  let previous = Promise.resolve();
  for (const name of o.files) {
    if (closed) break;
    let read;
    try {
      const fd = name === '-' ? 0 : fs.openSync(name, 'r');
      try {
        read = readAll(tc, fd, backend);
      } finally {
        if (fd !== 0) fs.closeSync(fd);
      }
    } catch (err) {
      read = { err };
    }
    await previous;
    if (read.err) {
      report(name, read.err);
    } else if (read.hex) {
      print(name, read.hex);
    } else {
      previous = tc.sha256(read.array.subarray(0, read.length), { backend }).then(
        (d) => print(name, Buffer.from(d).toString('hex')),
        (err) => report(name, err),
      ).finally(() => tc.free(read.array));
    }
  }
  await previous;
  return status;
}

// --- bench ------------------------------------------------------------

function bench(args) {
  let found;
  try {
    found = require.resolve('benchmark', { paths: [process.cwd(), ROOT] });
  } catch {
    process.stderr.write('twincore bench runs on benchmark.js, which is not installed here: ' +
      'npm install benchmark (hash-wasm and piscina add their rows too).\n');
    return 1;
  }
  // Where benchmark.js (and the peers beside it) were found, for the bench
  // to require them from inside the package.
  const modules = found.slice(0, found.lastIndexOf(`${path.sep}benchmark${path.sep}`));
  const out = args.some((a) => a === '--out' || a.startsWith('--out=')) ? [] : ['--out', path.resolve('twincore-bench')];
  // The bench says itself which backends it skips: no fallback warning.
  const r = spawnSync(process.execPath, ['--expose-gc', '--no-warnings', path.join(ROOT, 'bench', 'run.js'), ...args, ...out], {
    stdio: 'inherit',
    env: { ...process.env, NODE_PATH: [process.env.NODE_PATH, modules].filter(Boolean).join(path.delimiter) },
  });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

// --- main -------------------------------------------------------------

const COMMANDS = { info, sha256, bench };

async function main(argv) {
  const [command, ...args] = argv;
  if (command === undefined) {
    process.stderr.write(`${USAGE.main}\n`);
    return 2;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE[args[0]] || USAGE.main);
    return 0;
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
