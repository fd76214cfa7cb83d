'use strict';
// Charts as self-contained SVG, for the HTML report. Line charts: log or linear
// axes, labelled, ticks at powers of ten (or two, for byte sizes), one
// polyline per series, a legend. Points that are not finite (or not
// positive, on a log axis) are left out; a series with no point left is
// dropped rather than drawn empty.

const W = 640;
const H = 360;
const M = { left: 70, right: 170, top: 34, bottom: 52 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf', '#393b79', '#637939'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function usable(v, log) {
  return Number.isFinite(v) && (!log || v > 0);
}

// Tick values across [lo, hi]: powers of `base` on a log axis, round steps
// on a linear one.
function ticks(lo, hi, log, base) {
  if (log) {
    const out = [];
    const b = base || 10;
    let t = b ** Math.floor(Math.log(lo) / Math.log(b) + 1e-9);
    const step = b === 2 ? 4 : 1; // every 4th power of two: 1K, 16K, 256K...
    let k = 0;
    for (; t <= hi * (1 + 1e-9); t *= b, k++) if (t >= lo * (1 - 1e-9) && k % step === 0) out.push(t);
    return out.length >= 2 ? out : [lo, hi];
  }
  const span = hi - lo || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function scale(lo, hi, log, a, b) {
  if (log) {
    const l0 = Math.log(lo);
    const l1 = Math.log(hi);
    return (v) => a + ((Math.log(v) - l0) / (l1 - l0 || 1)) * (b - a);
  }
  return (v) => a + ((v - lo) / (hi - lo || 1)) * (b - a);
}

function extent(values, log) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    lo = log ? lo / 2 : lo - 1;
    hi = log ? hi * 2 : hi + 1;
  }
  return [lo, hi];
}

/**
 * @param {object} c
 * @param {string} c.id          element id
 * @param {string} c.title
 * @param {string} c.xLabel
 * @param {string} c.yLabel
 * @param {boolean} [c.xLog]
 * @param {boolean} [c.yLog]
 * @param {number} [c.xBase]     2 for byte sizes
 * @param {(v: number) => string} [c.xFormat]
 * @param {(v: number) => string} [c.yFormat]
 * @param {{name: string, points: [number, number][]}[]} c.series
 * @returns {string} an <svg> element, or '' if no series has a point
 */
function lineChart(c) {
  const series = c.series
    .map((s) => ({ name: s.name, points: s.points.filter(([x, y]) => usable(x, c.xLog) && usable(y, c.yLog)) }))
    .filter((s) => s.points.length > 0);
  if (series.length === 0) return '';
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = extent(xs, c.xLog);
  let [y0, y1] = extent(ys, c.yLog);
  if (!c.yLog && y0 > 0) y0 = 0;
  if (c.yLog) {
    y0 = 10 ** Math.floor(Math.log10(y0));
    y1 = 10 ** Math.ceil(Math.log10(y1));
  }
  const sx = scale(x0, x1, c.xLog, M.left, W - M.right);
  const sy = scale(y0, y1, c.yLog, H - M.bottom, M.top);
  const fx = c.xFormat || String;
  const fy = c.yFormat || String;
  const out = [];
  out.push(`<svg id="${esc(c.id)}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(c.title)}">`);
  out.push(`<title>${esc(c.title)}</title>`);
  out.push(`<text class="chart-title" x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(c.title)}</text>`);
  for (const t of ticks(x0, x1, c.xLog, c.xBase)) {
    const x = sx(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${M.top}" y2="${H - M.bottom}" stroke="#e5e5e5"/>`);
    out.push(`<text class="tick" x="${x}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  for (const t of ticks(y0, y1, c.yLog, 10)) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text class="tick" x="${M.left - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle">${esc(fy(t))}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#333"/>`);
  out.push(`<text class="axis-label x" x="${(M.left + W - M.right) / 2}" y="${H - 12}" font-size="12" text-anchor="middle">${esc(c.xLabel)}${c.xLog ? ' (log)' : ''}</text>`);
  out.push(`<text class="axis-label y" x="16" y="${(M.top + H - M.bottom) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${(M.top + H - M.bottom) / 2})">${esc(c.yLabel)}${c.yLog ? ' (log)' : ''}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const dash = DASHES[Math.floor(i / COLORS.length) % DASHES.length];
    const pts = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    out.push(`<g class="series" data-name="${esc(s.name)}" data-points="${s.points.length}">`);
    out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    for (const [x, y] of s.points) {
      out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"><title>${esc(`${s.name}: ${fx(x)}, ${fy(y)}`)}</title></circle>`);
    }
    out.push('</g>');
    const ly = M.top + 8 + i * 16;
    out.push(`<line x1="${W - M.right + 10}" x2="${W - M.right + 30}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    out.push(`<text class="legend" x="${W - M.right + 34}" y="${ly}" font-size="11" dominant-baseline="middle">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/**
 * Horizontal bars, one per named value, on a linear axis from 0.
 * @param {object} c
 * @param {string} c.id
 * @param {string} c.title
 * @param {{name: string, value: number}[]} c.bars
 * @param {(v: number) => string} [c.format]
 * @returns {string} an <svg> element, or '' if no bar has a finite value
 */
function barChart(c) {
  const bars = c.bars.filter((b) => usable(b.value, false) && b.value >= 0);
  if (bars.length === 0) return '';
  const left = 190;
  const right = 70;
  const row = 22;
  const h = M.top + bars.length * row + 30;
  const hi = Math.max(...bars.map((b) => b.value)) || 1;
  const sx = scale(0, hi, false, left, W - right);
  const f = c.format || String;
  const out = [];
  out.push(`<svg id="${esc(c.id)}" class="chart bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${esc(c.title)}">`);
  out.push(`<title>${esc(c.title)}</title>`);
  out.push(`<text class="chart-title" x="10" y="20" font-size="14" font-weight="bold">${esc(c.title)}</text>`);
  for (const t of ticks(0, hi, false)) {
    const x = sx(t).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${M.top - 4}" y2="${h - 26}" stroke="#e5e5e5"/>`);
    out.push(`<text class="tick" x="${x}" y="${h - 12}" font-size="11" text-anchor="middle">${esc(f(t))}</text>`);
  }
  bars.forEach((b, i) => {
    const y = M.top + i * row;
    const color = COLORS[i % COLORS.length];
    out.push(`<g class="bar" data-name="${esc(b.name)}">`);
    out.push(`<text class="legend" x="${left - 6}" y="${y + row / 2}" font-size="11" text-anchor="end" dominant-baseline="middle">${esc(b.name)}</text>`);
    out.push(`<rect x="${left}" y="${y + 3}" width="${(sx(b.value) - left).toFixed(1)}" height="${row - 6}" fill="${color}"><title>${esc(`${b.name}: ${f(b.value)}`)}</title></rect>`);
    out.push(`<text class="value" x="${(sx(b.value) + 4).toFixed(1)}" y="${y + row / 2}" font-size="11" dominant-baseline="middle">${esc(f(b.value))}</text>`);
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}

module.exports = { lineChart, barChart, ticks, esc };
