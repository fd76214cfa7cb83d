'use strict';
// TWINCORE_SIMD: a cap on the vector code the native and wasm backends run
// (scalar, sse2, avx2 or avx512; see the README's "Backends"). Read once,
// when twincore loads; the native core reads the same variable itself, at
// the same moment (the addon asks it when it loads: core/cpu.c), and wasm
// loads its scalar module under 'scalar'. An invalid value is refused here,
// before any call reaches a backend; the core alone would ignore it.

const { describe } = require('./errors');

const SIMD_CAPS = Object.freeze(['scalar', 'sse2', 'avx2', 'avx512']);

const value = process.env.TWINCORE_SIMD;
// Unset or empty: no cap.
const cap = SIMD_CAPS.includes(value) ? value : null;
const error = !value || cap ? null
  : `TWINCORE_SIMD must be one of ${SIMD_CAPS.join(', ')}; got ${describe(value)}`;

module.exports = { SIMD_CAPS, cap, error };
