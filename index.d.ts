// Types of twincore's public API (js/index.js).

/** Which implementation runs a call. 'auto' (the default) is native where
 * the addon loaded, else the platform baseline; TWINCORE_BACKEND sets what
 * 'auto' stands for. */
export type Backend = 'auto' | 'native' | 'wasm' | 'js';

/** Who owns the memory while a job runs: 'copy' copies in and out,
 * 'borrow' works on the caller's memory in place, 'auto' borrows where
 * that is safe. See the README's "Ownership". */
export type Mode = 'auto' | 'copy' | 'borrow';

export interface SyncOptions {
  backend?: Backend;
  mode?: Mode;
}

export interface AsyncOptions extends SyncOptions {
  /** Aborting rejects the call with an AbortError (code 'ABORT_ERR'). */
  signal?: AbortSignal;
}

/** Any bytes: a TypedArray, DataView, Buffer, ArrayBuffer or
 * SharedArrayBuffer. */
export type Bytes = ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

export type SortableArray = Float64Array | Float32Array | Int32Array | Uint32Array;

export interface Stats {
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  /** Population variance: sum((x - mean)^2) / count. */
  variance: number;
}

export type AllocType = 'float64' | 'float32' | 'int32' | 'uint32' | 'uint8';

export interface AllocTypes {
  float64: Float64Array;
  float32: Float32Array;
  int32: Int32Array;
  uint32: Uint32Array;
  uint8: Uint8Array;
}

export interface NativeInfo {
  available: boolean;
  /** Why the addon did not load, when it did not. */
  error?: string;
  napiVersion?: number;
  simd?: string;
  compiler?: string;
  /** libuv threadpool size (UV_THREADPOOL_SIZE). */
  threads?: number;
  inflight?: number;
  liveBytes?: number;
}

export interface BackendsInfo {
  /** What 'auto' picks here. */
  default: 'native' | 'wasm' | 'js';
  native: NativeInfo;
  wasm: { available: boolean; error?: string };
  js: { available: true; threads: number; crypto: string };
}

/** SHA-256 (FIPS 180-4) of the bytes; a 32-byte digest. */
export function sha256(data: Bytes, options?: AsyncOptions): Promise<Uint8Array>;
export function sha256Sync(data: Bytes, options?: SyncOptions): Uint8Array;

/** count, sum, min, max, mean and population variance. */
export function stats(data: Float64Array, options?: AsyncOptions): Promise<Stats>;
export function statsSync(data: Float64Array, options?: SyncOptions): Stats;

/** Sorts in place, as TypedArray.prototype.sort() orders; returns the same
 * array. */
export function sort<T extends SortableArray>(array: T, options?: AsyncOptions): Promise<T>;
export function sortSync<T extends SortableArray>(array: T, options?: SyncOptions): T;

/** C = A·B for row-major A (m×k) and B (k×n); a new m×n Float32Array. */
export function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number,
  options?: AsyncOptions): Promise<Float32Array>;
export function matmulSync(a: Float32Array, b: Float32Array, m: number, k: number, n: number,
  options?: SyncOptions): Float32Array;

/** A zero-filled array in memory the library owns, zero-copy on its
 * backend. */
export function alloc<T extends AllocType>(type: T, length: number,
  options?: { backend?: Backend }): AllocTypes[T];

/** Release an alloc()'d array now, or when the last job using it
 * completes; its views become empty. */
export function free(array: AllocTypes[AllocType]): void;

export function backends(): BackendsInfo;

declare const twincore: {
  sha256: typeof sha256;
  sha256Sync: typeof sha256Sync;
  stats: typeof stats;
  statsSync: typeof statsSync;
  sort: typeof sort;
  sortSync: typeof sortSync;
  matmul: typeof matmul;
  matmulSync: typeof matmulSync;
  alloc: typeof alloc;
  free: typeof free;
  backends: typeof backends;
};
export default twincore;
