#!/usr/bin/env node
// `make prebuild`: builds the addon with prebuildify into
// prebuilds/<platform>-<arch>/twincore.<libc>.node, which node-gyp-build
// loads before it would compile anything. The addon uses Node-API only, so
// one binary per platform and architecture serves every Node >= 20.
//
// prebuildify runs `node-gyp rebuild`, which wipes build/; so it runs on a
// copy of the sources in a temporary folder and leaves the checkout's
// other builds alone. Node's headers come from next to this node, as for
// the install step. The binary keeps its symbols (not its debug info) so
// that the package tests can check which instructions each function uses.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { localNodeDir } = require('./build');

const ROOT = path.resolve(__dirname, '..');
const SOURCES = ['package.json', 'binding.gyp', 'core', 'native'];

// Run a command; its output is shown only if it fails (or with V=1).
function sh(cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...options });
  if (r.error) throw r.error;
  if (r.status !== 0 || process.env.V === '1') process.stderr.write(`${r.stdout}${r.stderr}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'twincore-prebuild-'));
  try {
    for (const entry of SOURCES) fs.cpSync(path.join(ROOT, entry), path.join(work, entry), { recursive: true });
    const env = { ...process.env };
    // The baseline ISA whatever the caller's flags: see binding.gyp.
    for (const v of ['CFLAGS', 'CXXFLAGS', 'CPPFLAGS', 'LDFLAGS']) delete env[v];
    const nodedir = localNodeDir();
    if (nodedir) env.npm_config_nodedir = nodedir;
    env.PREBUILD_NODE_GYP = path.join(path.dirname(require.resolve('node-gyp/package.json', { paths: [ROOT] })),
      'bin', 'node-gyp.js');
    const prebuildify = require.resolve('prebuildify/bin.js', { paths: [ROOT] });
    fs.rmSync(path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`), { recursive: true, force: true });
    sh(process.execPath, [prebuildify, '--napi', '--tag-libc', '--target', `node@${process.versions.node}`,
      '--cwd', work, '--out', ROOT], { env });
    const dir = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
    for (const f of fs.readdirSync(dir)) {
      if (process.platform === 'linux') sh('strip', ['--strip-debug', path.join(dir, f)]);
      console.error(`  PREBUILD ${path.relative(ROOT, path.join(dir, f))}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  console.error(`twincore: make prebuild failed: ${err.message}`);
  process.exitCode = 1;
}
