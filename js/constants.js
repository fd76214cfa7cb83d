'use strict';
// Numbers shared with the C core (core/tc.h); test/constants.test.js reads
// the header and checks that these match.

const { isTypedArray, typedName } = require('./intrinsics');

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

// The element type of a typed array, as the engine knows it (not its
// prototype, which a caller can swap); undefined for anything else.
const DTYPE_OF_NAME = Object.freeze({
  Float64Array: 'float64', Float32Array: 'float32', Int32Array: 'int32', Uint32Array: 'uint32', Uint8Array: 'uint8',
});

function dtypeOf(view) {
  return isTypedArray(view) ? DTYPE_OF_NAME[typedName(view)] : undefined;
}

// The SIMD extensions among the code paths a backend's core picked at run
// time (tc_kernel_path() of each kernel): ['avx512f', 'sha-ni'], say.
function simdOf(paths) {
  return [...new Set(Object.values(paths))].filter((p) => p !== 'scalar');
}

module.exports = { KERNEL, DTYPE, STATUS, MODE, ARRAY_OF, dtypeOf, simdOf };
