// Types of twincore's public API (js/index.js) as require() gives it: one
// object of functions, with no default export. TypeScript's CommonJS
// output reaches it with `import tc = require('twincore')`,
// `import * as tc from 'twincore'`, named imports, or (with
// esModuleInterop) `import tc from 'twincore'`. index.d.mts types the same
// API for ESM `import`, where the default export exists.

declare namespace twincore {
  /** Which implementation runs a call. 'auto' (the default) is native
   * where the addon loaded, else wasm, else the platform baseline ('js');
   * it may also run tiny calls on the baseline or inline. The environment
   * variable TWINCORE_BACKEND sets what 'auto' stands for. */
  type Backend = 'auto' | 'native' | 'wasm' | 'js';

  /** Who owns the memory while a job runs: 'copy' copies in and out,
   * 'borrow' works on the caller's memory in place, 'auto' borrows where
   * that is safe. See the README's "Ownership modes". */
  type Mode = 'auto' | 'copy' | 'borrow';

  /** The kernels, as named in backends().native.paths. */
  type Kernel = 'sha256' | 'stats' | 'sort' | 'matmul';

  /** The code path a backend's core picked at run time on this CPU:
   * vector instructions ('avx512f', 'avx2', 'sse2', 'neon', 'simd128'),
   * the x86 SHA extensions ('sha-ni'), or portable C ('scalar'). */
  type CodePath = 'avx512f' | 'avx2' | 'sse2' | 'neon' | 'simd128' | 'sha-ni' | 'scalar';

  /** A value of the environment variable TWINCORE_SIMD: the widest vector
   * code the native and wasm backends may run. 'avx512' allows every path
   * (64-byte vectors), 'avx2' 32-byte ones, 'sse2' 16-byte ones (SSE2,
   * NEON, simd128, and the SHA extensions), 'scalar' none: portable C on
   * native, the scalar wasm module on wasm. No result bit changes. */
  type SimdCap = 'scalar' | 'sse2' | 'avx2' | 'avx512';

  interface SyncOptions {
    backend?: Backend;
    mode?: Mode;
  }

  interface AsyncOptions extends SyncOptions {
    /** Aborting rejects the call with an AbortError (code 'ABORT_ERR'). */
    signal?: AbortSignal;
    /** How many pool threads this one call may use (stats, sort and
     * matmul; sha256 always runs on one). 'auto' (the default) splits a
     * large call across the pool threads that are idle, up to the number
     * of cores; 1 never splits; a number caps it at the pool's size. The
     * result is the same, bit for bit, for any number. */
    threads?: 'auto' | number;
  }

  /** matmul's options. `out`: an m×n Float32Array the product is written
   * into (and returned), instead of a new array; it must not overlap a or
   * b (ERR_TC_EALIAS). It counts as one of the call's arrays for the mode:
   * a call borrows it where it would borrow an input (see the README's
   * "Ownership modes"), and with 'auto' copies the whole call, the result
   * written into out at the end, where any of a, b and out cannot be
   * borrowed. */
  interface MatmulSyncOptions extends SyncOptions {
    out?: Float32Array;
  }

  interface MatmulOptions extends AsyncOptions {
    out?: Float32Array;
  }

  /** Any bytes: a TypedArray, DataView, Buffer, ArrayBuffer or
   * SharedArrayBuffer. */
  type Bytes = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

  type SortableArray = Float64Array | Float32Array | Int32Array | Uint32Array;

  interface Stats {
    count: number;
    sum: number;
    min: number;
    max: number;
    mean: number;
    /** Population variance: sum((x - mean)^2) / count. */
    variance: number;
  }

  type AllocType = 'float64' | 'float32' | 'int32' | 'uint32' | 'uint8';

  interface AllocTypes {
    float64: Float64Array;
    float32: Float32Array;
    int32: Int32Array;
    uint32: Uint32Array;
    uint8: Uint8Array;
  }

  /** A backend that is not available here, and why, in words. */
  interface Unavailable {
    available: false;
    error: string;
  }

  interface NativeInfo {
    available: true;
    /** The Node-API version the addon was built against. */
    napiVersion: number;
    /** The SIMD extensions among `paths`, e.g. ['avx512f', 'sha-ni']. */
    simd: CodePath[];
    /** The code path the core picked at run time for each kernel, within
     * `simdCap`. */
    paths: Record<Kernel, CodePath>;
    /** The TWINCORE_SIMD cap the core runs under; null when the variable is
     * unset, empty or invalid (then backends().error says so). */
    simdCap: SimdCap | null;
    /** The compiler that built the addon, e.g. 'gcc 12.2.0'. */
    compiler: string;
    /** The libuv threadpool's size, UV_THREADPOOL_SIZE read as libuv reads
     * it (unset: 4; 0 or not a number: 1; at most 1024): the most threads
     * one call can use. */
    threads: number;
    /** Async jobs queued or running. */
    inflight: number;
    /** Bytes of the copies that copy-mode jobs hold (inputs and outputs). */
    liveBytes: number;
    /** Bytes of large copy and scratch buffers kept for the next call;
     * given back after 5–10 s without calls. */
    cachedBytes: number;
  }

  interface WasmInfo {
    available: true;
    /** Pool threads for async calls (TWINCORE_WASM_THREADS): the most
     * threads one call can use. */
    threads: number;
    simd: CodePath[];
    paths: Record<Kernel, CodePath>;
    /** The TWINCORE_SIMD cap, as on NativeInfo. Only 'scalar' changes what
     * wasm runs: its vectors are 16 bytes (simd128). */
    simdCap: SimdCap | null;
    /** The module that runs: the core built with wasm SIMD ('simd128'), or
     * without ('scalar': under TWINCORE_SIMD=scalar, or where the engine
     * has no wasm SIMD). */
    build: 'simd128' | 'scalar';
    /** The compiler that built the module, e.g. 'emcc 3.1.6'. */
    compiler: string;
    /** Bytes of the shared heap (WebAssembly.Memory). */
    heapSize: number;
    /** Bytes of the heap in use. */
    heapUsed: number;
    /** Async jobs queued or running. */
    inflight: number;
  }

  interface JsInfo {
    available: true;
    /** 0: the baseline runs on the calling thread. */
    threads: number;
    /** OpenSSL's version (node:crypto). */
    crypto: string;
  }

  interface BackendsInfo {
    /** What 'auto' runs on here; null when TWINCORE_BACKEND is invalid. */
    default: 'native' | 'wasm' | 'js' | null;
    /** Set when TWINCORE_BACKEND is invalid, or names a backend that is
     * not available, or TWINCORE_SIMD is invalid (then every call that
     * would run on native or wasm throws ERR_INVALID_ARG_VALUE). */
    error?: string;
    native: NativeInfo | Unavailable;
    wasm: WasmInfo | Unavailable;
    js: JsInfo;
  }

  /** SHA-256 (FIPS 180-4) of the bytes; a 32-byte digest. */
  function sha256(data: Bytes, options?: AsyncOptions): Promise<Uint8Array>;
  function sha256Sync(data: Bytes, options?: SyncOptions): Uint8Array;

  /** count, sum, min, max, mean and population variance. */
  function stats(data: Float64Array, options?: AsyncOptions): Promise<Stats>;
  function statsSync(data: Float64Array, options?: SyncOptions): Stats;

  /** Sorts in place, as TypedArray.prototype.sort() orders; returns the
   * same array. */
  function sort<T extends SortableArray>(array: T, options?: AsyncOptions): Promise<T>;
  function sortSync<T extends SortableArray>(array: T, options?: SyncOptions): T;

  /** C = A·B for row-major A (m×k) and B (k×n): a new m×n Float32Array,
   * or options.out with C written into it. */
  function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number,
    options?: MatmulOptions): Promise<Float32Array>;
  function matmulSync(a: Float32Array, b: Float32Array, m: number, k: number, n: number,
    options?: MatmulSyncOptions): Float32Array;

  /** A zero-filled array in memory the library owns, zero-copy on its
   * backend. */
  function alloc<T extends AllocType>(type: T, length: number,
    options?: { backend?: Backend }): AllocTypes[T];

  /** Release an alloc()'d array now, or when the last job using it
   * completes. */
  function free(array: AllocTypes[AllocType]): void;

  /** What is available here; never throws. */
  function backends(): BackendsInfo;
}

// AbortSignal comes from the DOM library or @types/node; this empty
// declaration merges with either, and stands in where neither is loaded.
declare global {
  interface AbortSignal {}
}

export = twincore;
