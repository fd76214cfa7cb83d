#!/usr/bin/env node
// Builds the Node-API addon with node-gyp into build/Release/twincore.node.
//
//   node native/build.js             build; exit non-zero on failure
//   node native/build.js --install   npm's install step: keep an addon that
//                                    already loads, else try to build; a
//                                    failure only warns (twincore then
//                                    runs on its WebAssembly backend)
//
// node-gyp needs Node's headers. When this Node has them next to it (as
// Debian's nodejs does, in /usr/include/node), they are used directly and
// nothing is downloaded.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

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

function alreadyLoads() {
  try {
    require('node-gyp-build')(ROOT);
    return true;
  } catch {
    return false;
  }
}

function build() {
  const gyp = findNodeGyp();
  if (!gyp) return { ok: false, why: 'node-gyp was not found' };
  // configure + build, not rebuild: a clean would also wipe the other
  // builds that the Makefile keeps under build/.
  const args = [gyp, 'configure', 'build'];
  const nodedir = localNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.error) return { ok: false, why: r.error.message };
  if (r.status !== 0) return { ok: false, why: `node-gyp exited with ${r.status}` };
  return { ok: true };
}

function main() {
  const install = process.argv.includes('--install');
  if (install && alreadyLoads()) return;
  const r = build();
  if (r.ok) return;
  if (install) {
    console.warn(`twincore: the native addon was not built (${r.why}); ` +
      "the 'auto' backend will use WebAssembly.");
    return;
  }
  console.error(`twincore: building the native addon failed: ${r.why}`);
  process.exitCode = 1;
}

main();
