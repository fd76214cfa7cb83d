'use strict';
// The targets the report checks: ratios measured side by side in one run.
// Each row says holds / falls short, with the figure, or why it could not
// be measured. Pure: results in, rows out.

const { formatRatio, formatTime } = require('./stats');

const MIB = 1024 * 1024;

function find(results, pred) {
  return results.find((r) => !r.error && pred(r));
}

function row(target, want, got, cmp, detail) {
  if (!Number.isFinite(got)) return { target, want: `${cmp} ${want}`, figure: '-', status: 'not measured', detail };
  const holds = cmp === '>=' ? got >= want : got <= want;
  return { target, want: `${cmp} ${want}`, figure: formatRatio(got), status: holds ? 'holds' : 'falls short', detail };
}

const rate = (r) => (r ? r.throughput : NaN);
const time = (r) => (r ? r.secondsPerUnit : NaN);

/**
 * @param {object[]} results  measured cases (case fields + measurement)
 * @param {object} extra      { blas: { gflops } } measured outside benchmark.js
 */
function evaluate(results, extra = {}) {
  const rows = [];
  const by = (kernel, size, series, dtype) => find(results, (r) => r.kernel === kernel && r.size === size &&
    r.series === series && (!dtype || r.dtype === dtype));

  // sha256, 16 MiB, zero-copy async.
  const crypto16 = by('sha256', 16 * MIB, 'node:crypto createHash');
  const hw16 = by('sha256', 16 * MIB, 'hash-wasm');
  const n16 = by('sha256', 16 * MIB, 'native zero-copy async');
  const w16 = by('sha256', 16 * MIB, 'wasm zero-copy async');
  rows.push(row('sha256 16 MiB: native zero-copy async vs node:crypto', 0.9, rate(n16) / rate(crypto16), '>='));
  rows.push(row('sha256 16 MiB: wasm zero-copy async vs hash-wasm', 1.2, rate(w16) / rate(hw16), '>='));

  // sort, 16M elements.
  for (const [dtype, want] of [['uint32', 5], ['int32', 5], ['float64', 3.5]]) {
    const size = 16 * MIB * (dtype === 'float64' ? 8 : 4);
    const js = by('sort', size, 'TypedArray.prototype.sort', dtype);
    for (const backend of ['native', 'wasm']) {
      const t = by('sort', size, `${backend} zero-copy async`, dtype);
      rows.push(row(`sort 16M ${dtype}: ${backend} zero-copy async vs TypedArray.prototype.sort`, want, rate(t) / rate(js), '>='));
    }
  }

  // stats, 64 MiB zero-copy vs memcpy bandwidth.
  const memcpy = by('stats', 64 * MIB, 'memcpy (TypedArray.set)');
  for (const backend of ['native', 'wasm']) {
    const s = by('stats', 64 * MIB, `${backend} zero-copy sync`);
    rows.push(row(`stats 64 MiB: ${backend} zero-copy vs memcpy bandwidth`, 0.8, rate(s) / rate(memcpy), '>='));
  }

  // matmul 1024.
  const mn = by('matmul', 1024, 'native zero-copy sync');
  const mw = by('matmul', 1024, 'wasm zero-copy sync');
  const blas = extra.blas && extra.blas.gflops * 1e9;
  rows.push(row('matmul 1024: native vs OpenBLAS sgemm, 1 thread', 0.5, rate(mn) / blas, '>=',
    extra.blas ? undefined : extra.blasError));
  rows.push(row('matmul 1024: wasm vs native', 0.5, rate(mw) / rate(mn), '>='));

  // Dispatch floor.
  for (const batch of [1, 64]) {
    const floor = by('dispatch', batch, 'bare napi_create_async_work');
    const pisc = by('dispatch', batch, 'piscina empty task');
    const how = batch === 1 ? 'sequential' : '64 in flight';
    for (const [backend, want] of [['native', 1.2], ['wasm', 1.5]]) {
      const t = by('dispatch', batch, `twincore ${backend}`);
      rows.push(row(`dispatch floor (${how}): ${backend} per call vs a bare async work item`, want, time(t) / time(floor), '<=',
        t && floor ? `${formatTime(time(t))} vs ${formatTime(time(floor))}` : undefined));
      rows.push(row(`dispatch floor (${how}): ${backend} speed-up over an empty piscina task`, 3, time(pisc) / time(t), '>=',
        t && pisc ? `${formatTime(time(t))} vs ${formatTime(time(pisc))}` : undefined));
    }
  }

  // Main-thread busy time of async calls: flat when zero-copy, showing the
  // copy when copying.
  for (const kernel of ['stats', 'sort']) {
    for (const backend of ['native', 'wasm']) {
      const small = by(kernel, 1024, `${backend} zero-copy async`, kernel === 'sort' ? 'uint32' : undefined);
      const big = by(kernel, 64 * MIB, `${backend} zero-copy async`, kernel === 'sort' ? 'uint32' : undefined);
      const copy = by(kernel, 64 * MIB, `${backend} copy async`, kernel === 'sort' ? 'uint32' : undefined);
      const b = (r) => (r ? r.busyPerCall : NaN);
      // Net of the idle twin (measure.js): the wait itself is no call's.
      const raw = (r) => `${formatTime(b(r))}; raw ${formatTime(r.busyRaw ?? NaN)}, idle twin ${formatTime(r.busyIdle ?? NaN)}`;
      rows.push(row(`${kernel}: ${backend} zero-copy async main-thread time, 64 MiB vs 1 KiB`, 2, b(big) / b(small), '<=',
        big && small ? `${raw(big)} vs ${raw(small)}` : undefined));
      rows.push(row(`${kernel} 64 MiB: ${backend} copy async main-thread time vs zero-copy`, 2, b(copy) / b(big), '>=',
        copy && big ? `${formatTime(b(copy))} vs ${formatTime(b(big))}` : undefined));
    }
  }

  // 'auto' (ordinary arrays, no options) against the best backend and
  // mode for every case it ran: against all of them (zero-copy ones work
  // on alloc()'d memory), and against those that take the same ordinary
  // arrays (copy modes and the js baseline).
  const worstAuto = (eligible) => {
    let worst = null;
    for (const a of results.filter((r) => !r.error && r.backend === 'auto')) {
      const others = results.filter((r) => !r.error && r.kernel === a.kernel && r.size === a.size &&
        r.dtype === a.dtype && eligible(r));
      if (others.length === 0) continue;
      const ratio = time(a) / Math.min(...others.map(time));
      if (!worst || ratio > worst.ratio) worst = { ratio, id: a.id };
    }
    return worst;
  };
  const all = worstAuto((r) => ['native', 'wasm', 'js'].includes(r.backend));
  const same = worstAuto((r) => r.backend === 'js' || (['native', 'wasm'].includes(r.backend) && r.mode === 'copy'));
  rows.push(row("'auto' vs the best backend and mode, worst case", 1.1, all ? all.ratio : NaN, '<=', all?.id));
  rows.push(row("'auto' vs the best on the same ordinary arrays (copy modes, js), worst case", 1.1,
    same ? same.ratio : NaN, '<=', same?.id));
  return rows;
}

module.exports = { evaluate };
