// The body of every usage file test/types/check.js writes: it follows the
// imports of one module format, which bind `tc` (the API object),
// `sha256Sync` (a named export) and the types named below. Every public
// function is used as a user would; misuses that must not compile sit in
// a function that never runs.

async function main(): Promise<void> {
  const hex = (d: Uint8Array): string => Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
  const digest: Uint8Array = await tc.sha256(new TextEncoder().encode('abc'), { backend: 'auto', mode: 'auto' });
  const digest2: Uint8Array = sha256Sync(new ArrayBuffer(0));
  const options: AsyncOptions = { signal: new AbortController().signal, threads: 2 };
  const s: Stats = await tc.stats(new Float64Array([1, 2, 3, 4]), options);
  const variance: number = tc.statsSync(new Float64Array([1, 2, 3, 4])).variance;
  const sorted: Int32Array = await tc.sort(new Int32Array([3, -1, 2]), { threads: 'auto' });
  const sorted2: Float32Array = tc.sortSync(new Float32Array([2, 1]), { mode: 'copy' });
  const c: Float32Array = await tc.matmul(new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0, 0, 1]), 2, 2, 2);
  const c2: Float32Array = tc.matmulSync(new Float32Array([2]), new Float32Array([3]), 1, 1, 1, { backend: 'js' });
  const into: MatmulOptions = { out: new Float32Array(1), threads: 1 };
  const c3: Float32Array = await tc.matmul(new Float32Array([2]), new Float32Array([5]), 1, 1, 1, into);
  if (c3 !== into.out) throw new Error('matmul did not return options.out');
  const type: AllocType = 'float64';
  const v: Float64Array = tc.alloc(type, 4);
  const u: Uint8Array = tc.alloc('uint8', 4, { backend: 'js' });
  tc.free(v);
  tc.free(u);
  const info: BackendsInfo = tc.backends();
  const native = info.native.available
    ? `${info.native.paths.sha256}/${info.native.napiVersion}/${info.native.simdCap ?? 'no cap'}` : info.native.error;
  const wasm = info.wasm.available
    ? `${info.wasm.simd.join('+')}/${info.wasm.heapSize > 0}/${info.wasm.build}/${info.wasm.simdCap ?? 'no cap'}`
    : info.wasm.error;
  const backend: Backend | null = info.default;
  console.log(JSON.stringify({
    abc: hex(digest),
    empty: hex(digest2).slice(0, 8),
    mean: s.mean,
    variance,
    sorted: [...sorted, ...sorted2],
    c: [...c, ...c2, ...c3],
    default: backend,
    native: typeof native,
    wasm: typeof wasm,
  }));
}

export function misuse(): void {
  // @ts-expect-error: stats takes a Float64Array
  void tc.stats(new Float32Array(4));
  // @ts-expect-error: sort does not take bytes
  tc.sortSync(new Uint8Array(4));
  // @ts-expect-error: no such backend
  tc.sha256Sync(new Uint8Array(1), { backend: 'gpu' });
  // @ts-expect-error: a sync call takes no signal
  tc.sha256Sync(new Uint8Array(1), { signal: new AbortController().signal });
  // @ts-expect-error: a sync call runs on the calling thread
  tc.statsSync(new Float64Array(4), { threads: 2 });
  // @ts-expect-error: threads is a number or 'auto'
  void tc.sort(new Int32Array(4), { threads: 'all' });
  // @ts-expect-error: out is a Float32Array
  tc.matmulSync(new Float32Array(1), new Float32Array(1), 1, 1, 1, { out: new Float64Array(1) });
  // @ts-expect-error: only matmul takes out
  tc.statsSync(new Float64Array(1), { out: new Float64Array(6) });
  // @ts-expect-error: matmul needs its shape
  void tc.matmul(new Float32Array(4), new Float32Array(4));
  // @ts-expect-error: paths exist only on an available backend
  void tc.backends().native.paths;
  // @ts-expect-error: default may be null (a bad TWINCORE_BACKEND)
  const name: string = tc.backends().default;
  void name;
  const native = tc.backends().native;
  if (native.available) {
    // @ts-expect-error: simdCap may be null (TWINCORE_SIMD unset)
    const cap: string = native.simdCap;
    void cap;
  }
}

void main();
