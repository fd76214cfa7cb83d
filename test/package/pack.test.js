'use strict';
// The tarball: exactly the files a user needs, the same from a clean
// checkout as from a built one, its size as the README states it, and a
// prebuild built for the baseline ISA.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, WORK, sh, must, npmEnv, pack } = require('./setup');

const Pack = suite('npm pack');

// Everything the tarball may hold: C sources and headers, binding.gyp, the
// install script, the built wasm modules (simd128 and scalar), prebuilds, js/ (the CLI
// included), the types, the bench that `twincore bench` runs, README,
// LICENSE.
const ALLOWED = [
  /^(LICENSE|README\.md|package\.json|binding\.gyp|index\.d\.ts|index\.d\.mts)$/,
  /^core\/\w+\.[ch]$/,
  /^native\/\w+\.[ch]$/,
  /^native\/build\.js$/,
  /^wasm\/exports\.c$/,
  /^wasm\/(runtime|worker)\.js$/,
  /^wasm\/dist\/twincore(-scalar)?\.(js|wasm)$/,
  /^prebuilds\/[a-z0-9]+-[a-z0-9]+\/twincore(\.[a-z0-9]+)*\.node$/,
  /^js\/[\w-]+\.m?js$/,
  /^bench\/\w+\.js$/,
  /^bench\/peers\/empty-task\.js$/,
  /^bench\/peers\/hash-task\.js$/,
];

const PREBUILD = `prebuilds/${process.platform}-${process.arch}/twincore.glibc.node`;

function required() {
  const sources = ['core', 'native'].flatMap((d) => fs.readdirSync(path.join(ROOT, d))
    .filter((f) => /\.[ch]$/.test(f)).map((f) => `${d}/${f}`));
  return [
    'LICENSE', 'README.md', 'package.json', 'binding.gyp', 'index.d.ts', 'index.d.mts', 'native/build.js',
    'wasm/dist/twincore.js', 'wasm/dist/twincore.wasm', 'wasm/dist/twincore-scalar.js',
    'wasm/dist/twincore-scalar.wasm', 'wasm/runtime.js', 'wasm/worker.js', 'wasm/exports.c',
    'js/index.js', 'js/index.mjs', 'js/cli.js', 'bench/run.js', PREBUILD, ...sources,
  ];
}

Pack('the tarball holds exactly the allowed files, and all that a user needs', () => {
  const { files } = pack();
  const stray = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
  assert.equal(stray, [], `files outside the allow-list: ${stray.join(', ')}`);
  // The bench's tools that need the repository's builds stay out of it.
  for (const f of ['bench/screenshot.js', 'bench/sort-phases.js', 'bench/main-thread-ir.js']) {
    assert.ok(!files.includes(f), `${f} needs the repository's builds and is not shipped`);
  }
  const missing = required().filter((f) => !files.includes(f));
  assert.equal(missing, [], `missing from the tarball: ${missing.join(', ')}`);
  const bin = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin.twincore;
  assert.ok(files.includes(bin), 'the CLI named in bin');
});

Pack('package.json names the license, repository, bugs and homepage; LICENSE is that license', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.is(pkg.license, 'MIT');
  assert.match(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8'), /^MIT License\n/);
  assert.match(pkg.repository.url, /^git\+https:\/\//);
  assert.match(pkg.bugs.url, /^https:\/\//);
  assert.match(pkg.homepage, /^https:\/\//);
  assert.is(pkg.scripts.prepack.includes('make'), true, 'prepack builds what ships');
});

Pack('the README states the tarball size (within 25%)', () => {
  const { size, unpackedSize } = pack();
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = readme.match(/about (\d+) kB packed \((\d+) kB unpacked\)/);
  assert.ok(m, 'a line "about N kB packed (M kB unpacked)"');
  const within = (stated, real) => Math.abs(stated * 1000 - real) <= 0.25 * real;
  assert.ok(within(Number(m[1]), size), `README says ${m[1]} kB packed; it is ${(size / 1000).toFixed(0)} kB`);
  assert.ok(within(Number(m[2]), unpackedSize), `README says ${m[2]} kB unpacked; it is ${(unpackedSize / 1000).toFixed(0)} kB`);
});

Pack('a pack from a clean checkout builds what is missing and gives the same files, or fails', () => {
  // The checkout's files as git sees them (tracked, and new ones not
  // ignored): a clone of this tree, with no build outputs, no prebuilds
  // and no node_modules.
  const clone = path.join(WORK, 'clean-checkout');
  const list = must(sh('git', ['ls-files', '-z', '-c', '-o', '--exclude-standard'], { cwd: ROOT }), 'git ls-files')
    .stdout.split('\0').filter(Boolean);
  for (const f of list) {
    if (!fs.existsSync(path.join(ROOT, f))) continue; // deleted, not yet committed
    fs.mkdirSync(path.dirname(path.join(clone, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(clone, f));
    fs.chmodSync(path.join(clone, f), fs.statSync(path.join(ROOT, f)).mode);
  }
  assert.not.ok(fs.existsSync(path.join(clone, 'wasm', 'dist')), 'no wasm module to start with');
  const out = path.join(WORK, 'clean-pack');
  fs.mkdirSync(out);
  const r = must(sh('npm', ['pack', '--json', '--pack-destination', out], { cwd: clone, env: npmEnv(), timeout: 1200000 }),
    'npm pack in a clean checkout');
  const files = JSON.parse(r.stdout)[0].files.map((f) => f.path).sort();
  assert.ok(files.includes('wasm/dist/twincore.wasm') && files.includes('wasm/dist/twincore-scalar.wasm'),
    'the wasm modules');
  assert.ok(files.includes(PREBUILD), 'the prebuild');
  assert.equal(files, pack().files);

  // Where the wasm module cannot be built, npm pack fails, and packs
  // nothing without it.
  fs.rmSync(path.join(clone, 'wasm', 'dist'), { recursive: true });
  const failed = sh('npm', ['pack', '--json', '--pack-destination', out], { cwd: clone, env: npmEnv({ EMCC: 'false' }) });
  assert.is.not(failed.status, 0, 'npm pack fails');
  assert.match(failed.stderr, /EMLINK  wasm\/dist\/twincore.js[\s\S]*wasm\/dist\/twincore.js\] Error/);
  assert.equal(fs.readdirSync(out), [path.basename(JSON.parse(r.stdout)[0].filename)], 'no second tarball');
});

// The prebuild runs on any x86-64 CPU: instructions beyond the baseline
// (SSE3 to SSE4.2, POPCNT, LZCNT, BMI, MOVBE, AES-NI, PCLMULQDQ,
// CMPXCHG16B; VEX and EVEX encodings, so AVX, AVX2, AVX-512; the SHA
// extensions) appear only in the functions the core picks at run time
// after asking the CPU.
const BEYOND_BASELINE = new RegExp(`^(${[
  'v\\w+', 'sha1\\w+', 'sha256\\w+', 'aes\\w+', 'pclmul\\w+', 'cmpxchg16b',
  'addsubp[sd]', 'h(add|sub)p[sd]', 'lddqu', 'mov(ddup|shdup|sldup)',
  'pabs[bwd]', 'palignr', 'ph(add|sub)(w|d|sw)', 'pmaddubsw', 'pmulhrsw', 'pshufb', 'psign[bwd]',
  'blendv?p[sd]', 'dpp[sd]', 'extractps', 'insertps', 'movntdqa', 'mpsadbw', 'packusdw', 'pblend(vb|w)',
  'pcmpeqq', 'pextr[bdq]', 'phminposuw', 'pinsr[bdq]', 'pm(ax|in)(s[bd]|u[dw])', 'pmov[sz]x\\w+', 'pmuldq',
  'pmulld', 'ptest', 'round[ps][sd]', 'pcmp[ei]str[im]', 'pcmpgtq', 'crc32[bwlq]?',
  '(popcnt|lzcnt|tzcnt|andn|bextr|blsi|blsmsk|blsr|bzhi|pdep|pext|rorx|sarx|shlx|shrx|mulx|adcx|adox|movbe)[wlq]?',
].join('|')})$`);

Pack('the prebuild uses wider instructions only in the functions picked at run time', () => {
  if (process.platform !== 'linux' || process.arch !== 'x64') return;
  const objdump = sh('objdump', ['--version']);
  assert.is(objdump.status, 0, 'objdump (binutils, which gcc needs anyway) is there');
  const file = path.join(pack().prebuilds, PREBUILD.replace(/^prebuilds\//, ''));
  const asm = must(sh('objdump', ['-d', '--no-show-raw-insn', file]), 'objdump').stdout;
  const wide = new Map();
  let fn = '';
  for (const line of asm.split('\n')) {
    const head = line.match(/^[0-9a-f]+ <(.+)>:$/);
    if (head) fn = head[1];
    const insn = line.match(/^\s+[0-9a-f]+:\s+(?:(?:lock|rep\w*|notrack|bnd|data16|addr32|[cdefgs]s|\{\w+\})\s+)*([a-z0-9]+)/);
    if (insn && BEYOND_BASELINE.test(insn[1])) wide.set(fn, [...(wide.get(fn) || []), insn[1]]);
  }
  // The instantiations built with a target attribute (stats.c's 4- and
  // 8-double widths, matmul.c's 8- and 16-float ones) and SHA-NI's rounds.
  const picked = new RegExp('^(tc__(chunk|deviations|zero_signs|select)_v(4|8)' +
    '|tc__(matmul|micro|pack_a|pack_b|rows|load|canonical|scratch_floats)_v(8|16)|tc__sha256_blocks_ni)$');
  const outside = [...wide.entries()].filter(([f]) => !picked.test(f)).map(([f, i]) => `${f}: ${[...new Set(i)].join(' ')}`);
  assert.equal(outside, [], `instructions beyond baseline x86-64 outside the run-time paths: ${outside.join('; ')}`);
  assert.ok(wide.has('tc__matmul_v16') && wide.has('tc__sha256_blocks_ni'), 'the wide paths are there, with their symbols');
});

Pack.run();
