// Types of twincore's public API for ESM `import` (js/index.mjs): the
// default export is the same object require() gives, and each function is
// also a named export. The declarations themselves are in index.d.ts.

import twincore = require('./index.js');

export default twincore;

export import sha256 = twincore.sha256;
export import sha256Sync = twincore.sha256Sync;
export import stats = twincore.stats;
export import statsSync = twincore.statsSync;
export import sort = twincore.sort;
export import sortSync = twincore.sortSync;
export import matmul = twincore.matmul;
export import matmulSync = twincore.matmulSync;
export import alloc = twincore.alloc;
export import free = twincore.free;
export import backends = twincore.backends;

export type Backend = twincore.Backend;
export type Mode = twincore.Mode;
export type Kernel = twincore.Kernel;
export type CodePath = twincore.CodePath;
export type SimdCap = twincore.SimdCap;
export type SyncOptions = twincore.SyncOptions;
export type AsyncOptions = twincore.AsyncOptions;
export type MatmulSyncOptions = twincore.MatmulSyncOptions;
export type MatmulOptions = twincore.MatmulOptions;
export type Bytes = twincore.Bytes;
export type SortableArray = twincore.SortableArray;
export type Stats = twincore.Stats;
export type AllocType = twincore.AllocType;
export type AllocTypes = twincore.AllocTypes;
export type Unavailable = twincore.Unavailable;
export type NativeInfo = twincore.NativeInfo;
export type WasmInfo = twincore.WasmInfo;
export type JsInfo = twincore.JsInfo;
export type BackendsInfo = twincore.BackendsInfo;
