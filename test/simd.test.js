'use strict';
// TWINCORE_SIMD: each cap shows in backends() (the cap, the capped code
// paths, the wasm module that loaded), changes no result bit on either
// backend, and an invalid value is an error with a code on every call that
// would use native or wasm. Each case runs in a child process, since the
// variable is read once, at load.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const fs = require('node:fs');
const { child, backendsUnderTest } = require('./helpers');

const has = backendsUnderTest().filter((b) => b !== 'js');
const Simd = suite('TWINCORE_SIMD');

// A child that prints backends() and a digest of every kernel's result on
// fixed inputs, per backend (argv[1], comma-separated) and sync/async.
const RUN = `
const tc = require(process.cwd());
const { rng } = require('./test/helpers');
const { createHash } = require('node:crypto');
const r = rng(11);
const f64 = new Float64Array(100003).map((_, i) => (i % 101 === 3 ? -0 : (r.float() - 0.5) * 10 ** r.below(12)));
const special = f64.slice(0, 20011).map((v, i) => (i % 997 === 5 ? [Infinity, -Infinity, NaN][i % 3] : v));
const f32 = new Float32Array(30011).map(() => (r.float() - 0.5) * 1000);
const i32 = new Int32Array(30011).map(() => r.u32() | 0);
const a = new Float32Array(37 * 300).map(() => r.float() - 0.5);
const b = new Float32Array(300 * 65).map((_, i) => (i % 211 === 7 ? Infinity : r.float() - 0.5));
const bytes = r.bytes((1 << 20) + 13);
const hex = (v) => createHash('sha256').update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).digest('hex');
const stats = (s) => Float64Array.from([s.count, s.sum, s.min, s.max, s.mean, s.variance]);
(async () => {
  const digests = {};
  for (const backend of process.argv[1].split(',').filter(Boolean)) {
    for (const sync of [true, false]) {
      const call = (name, ...args) => (sync ? tc[name + 'Sync'](...args, { backend }) : tc[name](...args, { backend }));
      digests[backend + (sync ? '/sync' : '/async')] = {
        sha256: hex(await call('sha256', bytes)),
        stats: hex(stats(await call('stats', f64))),
        statsSpecial: hex(stats(await call('stats', special))),
        sortF64: hex(await call('sort', f64.slice())),
        sortF32: hex(await call('sort', f32.slice())),
        sortI32: hex(await call('sort', i32.slice())),
        matmul: hex(await call('matmul', a, b, 37, 300, 65)),
      };
    }
  }
  console.log(JSON.stringify({ backends: tc.backends(), digests }));
})();
`;

function run(simd) {
  const r = child(RUN, { args: [has.join(',')], env: { TWINCORE_SIMD: simd } });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// What this CPU has (x64 Linux), from /proc/cpuinfo; null elsewhere.
function cpuFlags() {
  if (process.arch !== 'x64' || !fs.existsSync('/proc/cpuinfo')) return null;
  const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m);
  return m ? new Set(m[1].trim().split(/\s+/)) : null;
}

// The native paths a cap leaves on this CPU (x64): the widest vectors the
// CPU has within the cap, and SHA-NI under every cap but scalar.
function nativePaths(cap, flags) {
  const bytes = { scalar: 0, sse2: 16, avx2: 32, avx512: 64, '': 64 }[cap];
  const vec = bytes === 0 ? 'scalar'
    : bytes >= 64 && flags.has('avx512f') ? 'avx512f'
      : bytes >= 32 && flags.has('avx2') ? 'avx2' : 'sse2';
  return { sha256: bytes > 0 && flags.has('sha_ni') ? 'sha-ni' : 'scalar', stats: vec, sort: 'scalar', matmul: vec };
}

let uncapped = null;
function baseline() {
  uncapped ??= run('');
  return uncapped;
}

for (const cap of ['scalar', 'sse2', 'avx2', 'avx512']) {
  Simd(`TWINCORE_SIMD=${cap}: backends() shows the cap and the capped paths; every result has the uncapped bits`, () => {
    if (has.length === 0) return;
    const want = baseline();
    const got = run(cap);
    const b = got.backends;
    assert.is(b.error, undefined);
    if (has.includes('native')) {
      assert.is(b.native.simdCap, cap);
      const flags = cpuFlags();
      if (flags) assert.equal(b.native.paths, nativePaths(cap, flags));
      if (cap === 'scalar') assert.equal(b.native.simd, []);
    }
    if (has.includes('wasm')) {
      assert.is(b.wasm.simdCap, cap);
      // wasm's vectors are 16 bytes: only scalar changes what runs.
      assert.is(b.wasm.build, cap === 'scalar' ? 'scalar' : 'simd128');
      const vec = cap === 'scalar' ? 'scalar' : 'simd128';
      assert.equal(b.wasm.paths, { sha256: 'scalar', stats: vec, sort: 'scalar', matmul: vec });
    }
    assert.equal(Object.keys(got.digests), Object.keys(want.digests));
    for (const [run, d] of Object.entries(got.digests)) {
      for (const [kernel, digest] of Object.entries(d)) {
        assert.is(digest, want.digests[run][kernel], `${run} ${kernel}`);
      }
    }
  });
}

Simd('unset or empty: no cap, the widest paths, and the same bits on native and wasm', () => {
  if (has.length === 0) return;
  const b = baseline();
  for (const name of has) assert.is(b.backends[name].simdCap, null);
  if (has.includes('wasm')) assert.is(b.backends.wasm.build, 'simd128');
  const flags = cpuFlags();
  if (flags && has.includes('native')) assert.equal(b.backends.native.paths, nativePaths('', flags));
  if (has.includes('native') && has.includes('wasm')) {
    assert.equal(b.digests['wasm/sync'], b.digests['native/sync']);
  }
});

Simd('an invalid value: backends() says so, native and wasm calls throw ERR_INVALID_ARG_VALUE, js runs', () => {
  const r = child(`
    const tc = require(process.cwd());
    const b = tc.backends();
    const out = { error: b.error, default: b.default, caps: [b.native.simdCap, b.wasm.simdCap], calls: {} };
    const tiny = new Float64Array([2, 1]);
    const attempts = {
      native: () => tc.statsSync(tiny, { backend: 'native' }),
      wasm: () => tc.sortSync(new Int32Array([2, 1]), { backend: 'wasm' }),
      auto: () => tc.sortSync(new Int32Array([2, 1])),
      autoLarge: () => tc.sha256Sync(new Uint8Array(1 << 20)),
      alloc: () => tc.alloc('float64', 4, { backend: 'wasm' }),
      js: () => tc.sortSync(new Int32Array([2, 1]), { backend: 'js' }).join(),
    };
    for (const [name, f] of Object.entries(attempts)) {
      try { f(); out.calls[name] = 'ran'; } catch (e) { out.calls[name] = [e.name, e.code, e.message]; }
    }
    tc.matmul(new Float32Array(1), new Float32Array(1), 1, 1, 1, { backend: 'native' }).then(
      () => { out.calls.async = 'ran'; }, (e) => { out.calls.async = [e.name, e.code, e.message]; },
    ).finally(() => console.log(JSON.stringify(out)));
  `, { env: { TWINCORE_SIMD: 'AVX2' } });
  assert.is(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  const msg = "TWINCORE_SIMD must be one of scalar, sse2, avx2, avx512; got 'AVX2'";
  assert.is(o.error, msg);
  // The core itself ignores the value: no cap.
  assert.equal(o.caps, [null, null]);
  for (const name of ['native', 'wasm', 'auto', 'autoLarge', 'alloc', 'async']) {
    assert.equal(o.calls[name], ['TypeError', 'ERR_INVALID_ARG_VALUE', msg], name);
  }
  assert.is(o.calls.js, 'ran');
});

Simd('both variables invalid: backends().error names both', () => {
  const r = child('console.log(require(process.cwd()).backends().error)',
    { env: { TWINCORE_SIMD: 'mmx', TWINCORE_BACKEND: 'gpu' } });
  assert.is(r.stdout.trim(), "TWINCORE_BACKEND must be one of auto, native, wasm, js; got 'gpu'; " +
    "TWINCORE_SIMD must be one of scalar, sse2, avx2, avx512; got 'mmx'");
});

Simd('wasm loads the scalar module where the engine has no wasm SIMD', () => {
  if (!has.includes('wasm')) return;
  // An engine without SIMD refuses the probe module: stand in for one.
  const r = child(`
    WebAssembly.validate = () => false;
    const tc = require(process.cwd());
    const w = tc.backends().wasm;
    const digest = Buffer.from(tc.sha256Sync(new Uint8Array(1000), { backend: 'wasm' })).toString('hex');
    console.log(JSON.stringify([w.build, w.simdCap, w.paths.matmul, w.paths.stats, digest]));
  `);
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), ['scalar', null, 'scalar', 'scalar',
    '541b3e9daa09b20bf85fa273e5cbd3e80185aa4ec298e765db87742b70138a53']);
});

Simd.run();
