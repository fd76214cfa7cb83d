'use strict';
// Numbers shared with the C core (core/tc.h); test/constants.test.js reads
// the header and checks that these match.

const KERNEL = Object.freeze({ sha256: 0, stats: 1, sort: 2, matmul: 3 });

const DTYPE = Object.freeze({ uint8: 0, int32: 1, uint32: 2, float32: 3, float64: 4 });

// In the order of TC_STATUS_MAP.
const STATUS = Object.freeze([
  'OK', 'PENDING', 'CANCELED', 'EKERNEL', 'EDTYPE', 'ENULL', 'ESIZE',
  'EOVERFLOW', 'EALIGN', 'EALIAS', 'ESCRATCH', 'ENOMEM',
]);

const MODE = Object.freeze({ copy: 0, borrow: 1 });

// Typed array constructor of each dtype name.
const ARRAY_OF = Object.freeze({
  uint8: Uint8Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
});

function dtypeOf(view) {
  if (view instanceof Float64Array) return 'float64';
  if (view instanceof Float32Array) return 'float32';
  if (view instanceof Int32Array) return 'int32';
  if (view instanceof Uint32Array) return 'uint32';
  if (view instanceof Uint8Array) return 'uint8';
  return undefined;
}

// The SIMD extensions among the code paths a backend's core picked at run
// time (tc_kernel_path() of each kernel): ['avx512f', 'sha-ni'], say.
function simdOf(paths) {
  return [...new Set(Object.values(paths))].filter((p) => p !== 'scalar');
}

module.exports = { KERNEL, DTYPE, STATUS, MODE, ARRAY_OF, dtypeOf, simdOf };
