#!/usr/bin/env node
// Builds the Node-API addon with node-gyp into build/Release/twincore.node.
//
//   node native/build.js             build; exit non-zero on failure
//   node native/build.js --install   npm's install step: keep an addon that
//                                    already loads (a prebuild from
//                                    prebuilds/, or an earlier build), else
//                                    build one; a failure only warns, and
//                                    twincore then runs on WebAssembly
//
// The install step records what happened in native/install-status.json:
// { ok, how: 'prebuild' | 'build', file } or { ok: false, reason, hint }.
// js/native.js reads it when the addon does not load, so that
// backends().native.error says why in words (no Python, no C compiler,
// the compiler's first error) rather than "no native build was found".
//
// node-gyp needs Node's headers. When this Node has them next to it (as
// Debian's nodejs and the official tarballs do, in <prefix>/include/node),
// they are used directly and nothing is downloaded.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const STATUS_FILE = path.join(__dirname, 'install-status.json');
// What to do, when tools are missing and when the build itself failed.
const HINT = 'Install Python 3, make and a C/C++ compiler (Debian/Ubuntu: apt-get install python3 make g++; ' +
  'Fedora: dnf install python3 make gcc-c++; macOS: xcode-select --install; Windows: Visual Studio Build Tools ' +
  "with 'Desktop development with C++'), then run `npm rebuild twincore`.";
const BUILD_HINT = 'Run `npm rebuild twincore --foreground-scripts` to see the whole build; if the fault is ' +
  `twincore's, report it at ${require('../package.json').bugs.url}.`;

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    (() => {
      try {
        return require.resolve('node-gyp/bin/node-gyp.js', { paths: [ROOT] });
      } catch {
        return undefined;
      }
    })(),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules',
      'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && fs.existsSync(p));
}

function localNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const header = path.join(prefix, 'include', 'node', 'node_api.h');
  return fs.existsSync(header) ? prefix : undefined;
}

// The addon node-gyp-build would load (a build, else a matching prebuild),
// if it loads.
function loadable() {
  try {
    const load = require('node-gyp-build');
    const file = load.resolve(ROOT);
    require(file);
    return file;
  } catch {
    return null;
  }
}

// An executable on PATH (or a path given outright), as a shell would find it.
function onPath(cmd) {
  if (!cmd) return null;
  if (cmd.includes('/') || cmd.includes(path.sep)) return fs.existsSync(cmd) ? cmd : null;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

// What node-gyp needs on this platform and cannot find, in words; null if
// everything is there. Checked first so that the common causes get a plain
// reason rather than node-gyp's stack. On Linux and the BSDs node-gyp
// drives make, which compiles with $CC (cc) and links with $CXX (g++).
function missingTools() {
  // On Windows node-gyp finds Python and Visual Studio its own ways (the
  // py launcher, the registry): leave it to say what is missing.
  if (process.platform === 'win32') return null;
  const python = [process.env.npm_config_python, process.env.PYTHON, 'python3', 'python'].find(onPath);
  if (!python) return 'Python not found (node-gyp needs Python 3: set PYTHON or put python3 on PATH)';
  if (process.platform === 'darwin') return null;
  const first = (v) => (v || '').trim().split(/\s+/)[0];
  const cc = first(process.env.CC) || 'cc';
  if (!onPath(cc)) return `no C compiler found (${cc} is not on PATH)`;
  const cxx = first(process.env.CXX) || 'g++';
  if (!onPath(cxx)) return `no C++ compiler found (${cxx}, which node-gyp links addons with, is not on PATH)`;
  const make = first(process.env.MAKE) || 'make';
  if (!onPath(make)) return `make not found (${make} is not on PATH)`;
  return null;
}

// The line of a failed build that says why: the compiler's first error,
// else node-gyp's first specific complaint.
function firstError(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const compiler = lines.find((l) => /(^|\s)(fatal )?error:/i.test(l) && !l.startsWith('gyp'));
  // The compiler runs in build/: name files from the package's root.
  if (compiler) return compiler.replace(/^\.\.\//, '');
  const generic = /^(configure|build|rebuild) error|^(stack|System|command|cwd|node -v|node-gyp -v|not ok)\b|^stack\s+at\s/;
  for (const l of lines) {
    const m = l.match(/^gyp ERR!\s*(.*)$/);
    if (m && m[1] && !generic.test(m[1])) return m[1].replace(/^stack Error:\s*/, '');
  }
  return lines.length ? lines[lines.length - 1] : 'node-gyp failed without output';
}

// configure + build, not rebuild: a clean would also wipe the other builds
// that the Makefile keeps under build/. With capture set, node-gyp's
// output is collected (and still echoed to stderr, where npm keeps it in
// its log).
function build({ capture = false } = {}) {
  const gyp = findNodeGyp();
  if (!gyp) return { ok: false, reason: 'node-gyp was not found (npm ships it; is npm installed?)' };
  const args = [gyp, 'configure', 'build'];
  const nodedir = localNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (capture) process.stderr.write(`${r.stdout || ''}${r.stderr || ''}`);
  if (r.error) return { ok: false, reason: r.error.message };
  if (r.status !== 0) {
    return { ok: false, reason: capture ? firstError(`${r.stdout}\n${r.stderr}`) : `node-gyp exited with ${r.status}` };
  }
  return { ok: true };
}

function record(status) {
  try {
    fs.writeFileSync(STATUS_FILE, `${JSON.stringify({ ...status, node: process.version, date: new Date().toISOString() }, null, 1)}\n`);
  } catch {
    // A read-only install: the reason still went to the log below.
  }
}

function install() {
  const found = loadable();
  if (found) {
    const how = path.relative(ROOT, found).startsWith('prebuilds') ? 'prebuild' : 'build';
    record({ ok: true, how, file: path.relative(ROOT, found) });
    return;
  }
  const missing = missingTools();
  const r = missing ? { ok: false, reason: missing } : build({ capture: true });
  const built = r.ok ? loadable() : null;
  if (built) {
    record({ ok: true, how: 'build', file: path.relative(ROOT, built) });
    return;
  }
  const reason = r.ok ? 'the addon was built but does not load' : r.reason;
  // macOS without the Command Line Tools has a python3 and a cc that only
  // offer to install them: the build then fails in xcrun.
  const toolsMissing = missing || /xcrun: error|invalid active developer path/.test(reason);
  const hint = toolsMissing ? HINT : BUILD_HINT;
  record({ ok: false, reason, hint });
  console.warn(`twincore: the native addon was not built: ${reason}. ` +
    `The 'auto' backend will use WebAssembly. ${hint}`);
}

function main() {
  if (process.argv.includes('--install')) {
    install();
    return;
  }
  const r = build();
  if (r.ok) return;
  console.error(`twincore: building the native addon failed: ${r.reason}`);
  process.exitCode = 1;
}

if (require.main === module) main();

module.exports = { missingTools, firstError, localNodeDir, STATUS_FILE, HINT };
