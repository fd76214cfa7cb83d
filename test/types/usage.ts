// Compiled with tsc --noEmit by `make test`: every public function used as
// a user would, and a few misuses that must not compile.
import tc, { sha256Sync, type Stats, type BackendsInfo } from 'twincore';

async function main(): Promise<void> {
  const digest: Uint8Array = await tc.sha256(new TextEncoder().encode('abc'), { backend: 'native', mode: 'borrow' });
  const digest2: Uint8Array = sha256Sync(new ArrayBuffer(8));
  const s: Stats = await tc.stats(new Float64Array(4), { signal: new AbortController().signal });
  const variance: number = tc.statsSync(new Float64Array(4)).variance;
  const sorted: Int32Array = await tc.sort(new Int32Array(3));
  const sorted2: Float32Array = tc.sortSync(new Float32Array(3), { mode: 'copy' });
  const c: Float32Array = await tc.matmul(new Float32Array(4), new Float32Array(4), 2, 2, 2);
  const c2: Float32Array = tc.matmulSync(new Float32Array(1), new Float32Array(1), 1, 1, 1, { backend: 'js' });
  const v: Float64Array = tc.alloc('float64', 10, { backend: 'native' });
  const u: Uint8Array = tc.alloc('uint8', 10);
  tc.free(v);
  tc.free(u);
  const info: BackendsInfo = tc.backends();
  const threads: number | undefined = info.native.threads;

  // @ts-expect-error: stats takes a Float64Array
  await tc.stats(new Float32Array(4));
  // @ts-expect-error: sort does not take bytes
  tc.sortSync(new Uint8Array(4));
  // @ts-expect-error: no such backend
  tc.sha256Sync(new Uint8Array(1), { backend: 'gpu' });
  // @ts-expect-error: a sync call takes no signal
  tc.sha256Sync(new Uint8Array(1), { signal: new AbortController().signal });
  // @ts-expect-error: matmul needs its shape
  await tc.matmul(new Float32Array(4), new Float32Array(4));

  void [digest, digest2, s, variance, sorted, sorted2, c, c2, threads];
}

void main();
