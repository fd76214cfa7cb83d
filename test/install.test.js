'use strict';
// The install step (native/build.js --install) says why it could not build
// the addon, and backends().native.error repeats it in words with what to
// do: Python missing, no C or C++ compiler, no make, the compiler's own
// first error, or no record at all (npm --ignore-scripts).
const { suite } = require('uvu');
const assert = require('uvu/assert');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT } = require('./helpers');

const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'twincore-install-'));
process.on('exit', () => fs.rmSync(WORK, { recursive: true, force: true }));

// A folder of links to the named tools, to stand for a PATH that has only
// them.
function pathWith(name, tools) {
  const dir = path.join(WORK, name);
  fs.mkdirSync(dir);
  for (const tool of tools) {
    const real = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    fs.symlinkSync(tool === 'node' ? process.execPath : real, path.join(dir, tool));
  }
  return dir;
}

// The JSON of an expression, evaluated by a child node in cwd.
function evaluate(expression, cwd, env) {
  const r = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(${expression}))`], { cwd, env, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function missingTools(PATH, extra = {}) {
  const env = { ...process.env, PATH, ...extra };
  for (const k of ['CC', 'CXX', 'MAKE', 'PYTHON', 'npm_config_python']) if (!(k in extra)) delete env[k];
  return evaluate("require('./native/build').missingTools()", ROOT, env);
}

const Tools = suite('install: what is missing, in words');

Tools('Python, a C compiler, a C++ compiler, make, in that order', () => {
  if (process.platform !== 'linux') return;
  assert.match(missingTools(pathWith('bare', ['node'])), /^Python not found/);
  assert.match(missingTools(pathWith('py', ['node', 'python3'])), /^no C compiler found \(cc is not on PATH\)/);
  assert.match(missingTools(pathWith('cc', ['node', 'python3', 'cc'])), /^no C\+\+ compiler found \(g\+\+/);
  assert.match(missingTools(pathWith('cxx', ['node', 'python3', 'cc', 'g++'])), /^make not found/);
  assert.is(missingTools(pathWith('all', ['node', 'python3', 'cc', 'g++', 'make'])), null);
});

Tools('CC, CXX and PYTHON are honoured', () => {
  if (process.platform !== 'linux') return;
  const all = path.join(WORK, 'all');
  assert.match(missingTools(all, { CC: 'tcc-nowhere -O2' }), /^no C compiler found \(tcc-nowhere is not on PATH\)/);
  assert.match(missingTools(all, { CXX: 'clang++-nowhere' }), /clang\+\+-nowhere/);
  assert.match(missingTools(pathWith('nopy', ['node', 'cc', 'g++', 'make']), { PYTHON: '/nowhere/python3' }), /^Python not found/);
});

Tools.run();

// A copy of the package's sources, as an install unpacks them, with
// node_modules of this checkout.
function sources(name, edit) {
  const dir = path.join(WORK, name);
  for (const entry of ['package.json', 'binding.gyp', 'core', 'native', 'js', 'wasm']) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.rmSync(path.join(dir, 'native', 'install-status.json'), { force: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  if (edit) edit(dir);
  return dir;
}

// What backends().native says in a copy of the package, loaded as a user
// loads it (none of the tests' own settings).
function nativeError(dir) {
  const env = { ...process.env };
  for (const k of ['TWINCORE_NATIVE_ADDON', 'TWINCORE_BACKEND', 'LD_PRELOAD']) delete env[k];
  return evaluate("require('./js').backends().native", dir, env);
}

const Record = suite('install: the recorded reason reaches backends().native.error');

Record("a compiler error: its first line, in the record and in backends()", () => {
  const dir = sources('broken', (d) => {
    const file = path.join(d, 'core', 'run.c');
    fs.writeFileSync(file, `#error twincore test: this build must fail\n${fs.readFileSync(file, 'utf8')}`);
  });
  const gyp = path.join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const r = spawnSync(process.execPath, ['native/build.js', '--install'],
    { cwd: dir, env: { ...process.env, npm_config_node_gyp: gyp }, encoding: 'utf8', timeout: 300000 });
  assert.is(r.status, 0, 'the install step never fails the install');
  assert.match(r.stderr, /twincore: the native addon was not built: .*twincore test: this build must fail/);
  const status = JSON.parse(fs.readFileSync(path.join(dir, 'native', 'install-status.json'), 'utf8'));
  assert.is(status.ok, false);
  assert.match(status.reason, /^core\/run\.c:1:2: error: #error twincore test: this build must fail$/);
  const info = nativeError(dir);
  assert.is(info.available, false);
  assert.is(info.error, `the native addon was not built at install: ${status.reason}. ${status.hint}`);
  assert.match(status.hint, /^Run `npm rebuild twincore --foreground-scripts` to see the whole build/);
});

Record('no record (install scripts skipped): says so, and what to do', () => {
  const dir = sources('skipped');
  const info = nativeError(dir);
  assert.match(info.error, /^no native addon was found for \w+-\w+ and the install step did not build one \(was npm run with --ignore-scripts\?\)/);
  assert.match(info.error, /npm rebuild twincore/);
});

Record('a build that no longer loads: names it', () => {
  const dir = sources('vanished', (d) => {
    fs.writeFileSync(path.join(d, 'native', 'install-status.json'),
      JSON.stringify({ ok: true, how: 'build', file: 'build/Release/twincore.node' }));
  });
  assert.match(nativeError(dir).error, /^the native addon that install found \(build\/Release\/twincore\.node\) does not load: .*npm rebuild twincore/);
});

Record.run();
