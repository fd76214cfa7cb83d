'use strict';
// Compiles test/types/body.ts as a user's project would, for every module
// setting TypeScript offers a Node user, with TypeScript 7 and 5.9 (5.9 for
// the settings 7 removed), then runs what it emitted. The project is a
// folder whose node_modules/twincore is the package under test: a link to
// this checkout (`make test`'s types suite) or an installed tarball
// (test/package).
//
//   checkTypes(projectDir) -> [{ name, ok, detail }]

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TSC = {
  7: path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
  '5.9': path.join(ROOT, 'node_modules', 'typescript-5', 'bin', 'tsc'),
};
const TYPES = ['AllocType', 'AsyncOptions', 'Backend', 'BackendsInfo', 'MatmulOptions', 'Stats'].map((t) => `type ${t}`).join(', ');

// How each module format binds what body.ts uses.
const HEADERS = {
  // CommonJS output with esModuleInterop: the default import is
  // module.exports.
  'cjs-default': `import tc from 'twincore';
import { sha256Sync, ${TYPES} } from 'twincore';`,
  // CommonJS without esModuleInterop: require() gives no default export,
  // and the types must say so rather than compile a crash.
  'cjs-strict': `import tc = require('twincore');
import * as ns from 'twincore';
import { sha256Sync, ${TYPES} } from 'twincore';
// @ts-expect-error: there is no default export to import
import phantom from 'twincore';
if (ns.sha256 !== tc.sha256) throw new Error('namespace and require() differ');
export const unused = (): unknown => phantom;`,
  // A .cts file under node16/nodenext.
  'cjs-require': `import tc = require('twincore');
import { sha256Sync, ${TYPES} } from 'twincore';`,
  // ESM: the default export and the named ones are the same functions.
  esm: `import tc, { sha256Sync, ${TYPES} } from 'twincore';
import * as ns from 'twincore';
if (ns.default !== tc || ns.sha256 !== tc.sha256) throw new Error('default and named exports differ');`,
};

// With @types/node and only the ES library, or with TypeScript's default
// libraries (which include the DOM's AbortSignal and TextEncoder).
const NODE_TYPES = { types: ['node'], lib: ['es2022'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] };
const DEFAULT_LIBS = { types: [] };

const CONFIGS = [
  { name: 'commonjs', ts: ['7', '5.9'], header: 'cjs-default', ext: '.ts', options: { module: 'commonjs', esModuleInterop: true, ...NODE_TYPES } },
  { name: 'commonjs without esModuleInterop', ts: ['5.9'], header: 'cjs-strict', ext: '.ts', options: { module: 'commonjs', esModuleInterop: false, ...NODE_TYPES } },
  { name: 'node16 ESM', ts: ['7', '5.9'], header: 'esm', ext: '.mts', options: { module: 'node16', ...DEFAULT_LIBS } },
  { name: 'node16 CommonJS', ts: ['7', '5.9'], header: 'cjs-require', ext: '.cts', options: { module: 'node16', ...NODE_TYPES } },
  { name: 'nodenext ESM', ts: ['7', '5.9'], header: 'esm', ext: '.mts', options: { module: 'nodenext', ...NODE_TYPES } },
  { name: 'nodenext CommonJS', ts: ['7', '5.9'], header: 'cjs-require', ext: '.cts', options: { module: 'nodenext', ...DEFAULT_LIBS } },
  { name: 'bundler', ts: ['7', '5.9'], header: 'esm', ext: '.mts', options: { module: 'esnext', moduleResolution: 'bundler', ...DEFAULT_LIBS } },
  { name: 'ES library only', ts: ['7', '5.9'], header: 'cjs-require', ext: '.cts', body: 'bare.ts', options: { module: 'nodenext', lib: ['es2022'], types: [] } },
];

const OUT_EXT = { '.ts': '.js', '.mts': '.mjs', '.cts': '.cjs' };

// What the compiled body must print (see body.ts).
const EXPECTED = {
  abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  empty: 'e3b0c442',
  mean: 2.5,
  variance: 1.25,
  sorted: [-1, 2, 3, 1, 2],
  c: [1, 2, 3, 4, 6, 10],
  native: 'string',
  wasm: 'string',
};

function run(cmd, args, cwd) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 120000 });
}

function checkOne(dir, config, version) {
  const body = fs.readFileSync(path.join(__dirname, config.body || 'body.ts'), 'utf8');
  const name = `${config.name}, TypeScript ${version}`;
  const slug = `${config.name.replace(/\W+/g, '-')}-ts${version.replace('.', '')}`;
  const file = `usage-${slug}${config.ext}`;
  fs.writeFileSync(path.join(dir, file), `${HEADERS[config.header]}\n\n${body}`);
  const tsconfig = `tsconfig.${slug}.json`;
  const outDir = path.join('out', slug);
  fs.writeFileSync(path.join(dir, tsconfig), JSON.stringify({
    compilerOptions: { strict: true, target: 'es2022', skipLibCheck: false, outDir, rootDir: '.', ...config.options },
    files: [file],
  }, null, 1));
  const tsc = run(process.execPath, [TSC[version], '-p', tsconfig], dir);
  if (tsc.status !== 0) return { name, ok: false, detail: `tsc: ${tsc.stdout}${tsc.stderr}`.trim() };
  const out = path.join(outDir, file.replace(/\.[mc]?ts$/, OUT_EXT[config.ext]));
  const r = run(process.execPath, [out], dir);
  if (r.status !== 0) return { name, ok: false, detail: `node ${out}: ${r.stderr || `exit ${r.status}`}`.trim() };
  let got;
  try {
    got = JSON.parse(r.stdout);
  } catch {
    return { name, ok: false, detail: `node ${out} printed ${r.stdout}` };
  }
  const keys = config.body ? ['abc', 'empty'] : Object.keys(EXPECTED);
  const wrong = keys.filter((k) => JSON.stringify(got[k]) !== JSON.stringify(EXPECTED[k]));
  if (!config.body && !['native', 'wasm', 'js'].includes(got.default)) wrong.push('default');
  if (wrong.length) return { name, ok: false, detail: `wrong ${wrong.join(', ')}: ${r.stdout.trim()}` };
  return { name, ok: true, detail: got.default ? `ran on ${got.default}` : 'ran' };
}

// What backends() returns here, in each state it can be in, checked
// against BackendsInfo as object literals: a missing or mistyped field, or
// one the type does not declare, fails to compile.
const STATES = {
  'as installed': {},
  'native not loading': { TWINCORE_NATIVE_ADDON: path.join(ROOT, 'no-such-addon.node') },
  'a bad TWINCORE_BACKEND': { TWINCORE_BACKEND: 'gpu' },
  'TWINCORE_BACKEND naming a missing backend': { TWINCORE_BACKEND: 'native', TWINCORE_NATIVE_ADDON: path.join(ROOT, 'no-such-addon.node') },
  'TWINCORE_SIMD=scalar': { TWINCORE_SIMD: 'scalar' },
  'a bad TWINCORE_SIMD': { TWINCORE_SIMD: 'mmx' },
};

function checkShape(dir) {
  const name = "backends()' shape is BackendsInfo";
  const values = [];
  for (const [state, env] of Object.entries(STATES)) {
    const r = spawnSync(process.execPath, ['-e', "console.log(JSON.stringify(require('twincore').backends()))"],
      { cwd: dir, env: { ...process.env, TWINCORE_BACKEND: '', TWINCORE_SIMD: '', ...env }, encoding: 'utf8' });
    if (r.status !== 0) return { name, ok: false, detail: `${state}: ${r.stderr}` };
    values.push(`  // ${state}\n  ${r.stdout.trim()},`);
  }
  fs.writeFileSync(path.join(dir, 'shape.mts'),
    `import type { BackendsInfo } from 'twincore';\n\nexport const shapes: BackendsInfo[] = [\n${values.join('\n')}\n];\n`);
  const tsc = run(process.execPath, [TSC[7], '--strict', '--noEmit', '--module', 'nodenext', '--types', '', 'shape.mts'], dir);
  if (tsc.status !== 0) return { name, ok: false, detail: `tsc: ${tsc.stdout}${tsc.stderr}`.trim() };
  return { name, ok: true, detail: `${values.length} states` };
}

function checkTypes(dir) {
  const results = [];
  for (const config of CONFIGS) {
    for (const version of config.ts) results.push(checkOne(dir, config, version));
  }
  results.push(checkShape(dir));
  return results;
}

module.exports = { checkTypes };
