'use strict';
// What the package tests share: the tarball of this checkout (packed once,
// as `npm pack` packs it: prepack builds what is missing), the same
// tarball without prebuilds (a platform no prebuild matches), npm settings
// of a fresh machine, a PATH with no compiler, and installing a tarball
// into a fresh project.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'twincore-package-'));
process.on('exit', () => {
  if (!process.env.TWINCORE_KEEP_PACKAGE_TESTS) fs.rmSync(WORK, { recursive: true, force: true });
});

function sh(cmd, args, { cwd = WORK, env = process.env, timeout = 600000, input } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, input, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, signal: r.signal, stdout: r.stdout || '', stderr: `${r.stderr || ''}${r.error ? r.error.message : ''}` };
}

function must(r, what) {
  if (r.status !== 0) throw new Error(`${what} failed (${r.signal || r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

// npm as on a fresh machine: this machine's user settings (registry,
// certificates) but not its nodedir, which a user's machine may not have;
// the shared cache, so that the one dependency comes from it.
const NPMRC = path.join(WORK, 'npmrc');
fs.writeFileSync(NPMRC, (() => {
  try {
    return fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8').split('\n').filter((l) => !/^\s*nodedir\s*=/.test(l)).join('\n');
  } catch {
    return '';
  }
})());

function npmEnv(extra = {}) {
  const env = { ...process.env, npm_config_userconfig: NPMRC, npm_config_globalconfig: path.join(WORK, 'globalnpmrc'), ...extra };
  for (const k of Object.keys(env)) {
    if (/^npm_(config|lifecycle|package)_/.test(k) && !(k in extra) && k !== 'npm_config_userconfig' && k !== 'npm_config_globalconfig') delete env[k];
  }
  for (const k of ['CC', 'CXX', 'MAKE', 'TWINCORE_BACKEND', 'TWINCORE_NATIVE_ADDON', 'TWINCORE_TEST_BACKENDS', 'NODE_OPTIONS',
    'FORCE_COLOR', 'NO_COLOR']) delete env[k];
  return env;
}

// A PATH with node, npm and Python but no C compiler and no make: what a
// machine without build tools has.
const NO_CC = path.join(WORK, 'bin-no-cc');
fs.mkdirSync(NO_CC);
{
  const which = (cmd) => sh('sh', ['-c', `command -v ${cmd}`]).stdout.trim();
  const python = sh('python3', ['-c', 'import sys; print(sys.executable)']).stdout.trim();
  const npmCli = fs.realpathSync(which('npm'));
  const links = { node: process.execPath, python3: python, sh: which('sh') };
  for (const tool of ['env', 'uname', 'rm', 'mkdir', 'cp', 'mv', 'cat', 'ls', 'sed', 'grep', 'tar', 'gzip']) {
    const p = which(tool);
    if (p) links[tool] = p;
  }
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(NO_CC, name));
  fs.writeFileSync(path.join(NO_CC, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli}" "$@"\n`, { mode: 0o755 });
}

let packed = null;

// Pack this checkout once; returns { tarball, noPrebuilds, prebuilds (the
// tarball's prebuilds/, unpacked), files, size, unpackedSize }.
function pack() {
  if (packed) return packed;
  const r = must(sh('npm', ['pack', '--json', '--pack-destination', WORK], { cwd: ROOT, env: npmEnv() }), 'npm pack');
  const info = JSON.parse(r.stdout)[0];
  const tarball = path.join(WORK, info.filename);
  // The same package without prebuilds/: as on a platform none matches.
  const x = path.join(WORK, 'unpacked');
  fs.mkdirSync(x);
  must(sh('tar', ['xzf', tarball, '-C', x]), 'tar x');
  const prebuilds = path.join(WORK, 'prebuilds-of-tarball');
  fs.renameSync(path.join(x, 'package', 'prebuilds'), prebuilds);
  const noPrebuilds = path.join(WORK, 'twincore-no-prebuilds.tgz');
  must(sh('tar', ['czf', noPrebuilds, '-C', x, 'package']), 'tar c');
  packed = { tarball, noPrebuilds, prebuilds, files: info.files.map((f) => f.path).sort(), size: info.size, unpackedSize: info.unpackedSize };
  return packed;
}

// A fresh project with the tarball installed. Returns the npm result and
// the project's folder.
function install(name, tarball, { path: PATH } = {}) {
  const dir = path.join(WORK, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `try-${name}`, version: '1.0.0', private: true }));
  const env = npmEnv(PATH ? { PATH } : {});
  const r = sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { cwd: dir, env });
  return { ...r, dir, env };
}

// Run a script file of test/package/ inside a project, as node FILE.
function runIn(dir, script, { env = npmEnv(), args = [] } = {}) {
  const dest = path.join(dir, path.basename(script));
  fs.copyFileSync(path.join(__dirname, script), dest);
  return sh(process.execPath, [dest, ...args], { cwd: dir, env });
}

module.exports = { ROOT, WORK, NO_CC, sh, must, npmEnv, pack, install, runIn };
