'use strict';
// The arithmetic of the bench: summary statistics of samples, units, and
// the derived figures the report shows (throughput, copy share). Pure
// functions, tested by test/bench.test.js.

function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function mean(xs) {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

// Relative margin of error at 95%, as a fraction, with Student's t for
// small samples (two-sided, df = n - 1; 1.96 from 30 on).
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
  2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052,
  2.048, 2.045];
function rme(xs) {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = mean(xs);
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1));
  return ((n - 1 < T95.length ? T95[n - 1] : 1.96) * sd) / Math.sqrt(n) / m;
}

// Work per call divided by time per call: bytes/s, elements/s or flop/s.
function throughput(work, secondsPerCall) {
  return secondsPerCall > 0 ? work / secondsPerCall : NaN;
}

// Share of a copy-mode call's time that copying costs: how much longer it
// takes than the zero-copy call of the same backend, as a fraction of its
// own time; 0 when copying is lost in the noise (faster than zero-copy).
function copyShare(copySeconds, zeroCopySeconds) {
  if (!(copySeconds > 0) || !(zeroCopySeconds > 0)) return NaN;
  return Math.max(0, (copySeconds - zeroCopySeconds) / copySeconds);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB'];

function formatBytes(n) {
  let i = 0;
  while (n >= 1024 && i < BYTE_UNITS.length - 1 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n} ${BYTE_UNITS[i]}`;
}

// "16 MiB" -> 16777216; also plain numbers.
function parseBytes(s) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|K|M|G)?\s*$/i.exec(String(s));
  if (!m) return NaN;
  const unit = (m[2] || 'B').toUpperCase()[0];
  return Math.round(Number(m[1]) * { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[unit]);
}

function formatTime(seconds) {
  if (!Number.isFinite(seconds)) return '-';
  if (seconds >= 1) return `${seconds.toFixed(2)} s`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toFixed(seconds >= 0.1 ? 0 : seconds >= 0.01 ? 1 : 2)} ms`;
  if (seconds >= 1e-6) return `${(seconds * 1e6).toFixed(seconds >= 1e-4 ? 0 : 1)} µs`;
  return `${(seconds * 1e9).toFixed(0)} ns`;
}

// A rate with SI prefixes: 1.23 GB/s, 456 Melem/s, 12.3 GFLOP/s.
function formatRate(perSecond, unit) {
  if (!Number.isFinite(perSecond)) return '-';
  const prefixes = ['', 'k', 'M', 'G', 'T'];
  let i = 0;
  let v = perSecond;
  while (v >= 1000 && i < prefixes.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${prefixes[i]}${unit}`;
}

// xs over ys, taken pairwise (rounds of calls timed in turns): the ratio
// of their medians, and the least and largest ratio of one pair.
function versus(xs, ys) {
  const each = xs.map((x, i) => x / ys[i]);
  return { value: median(xs) / median(ys), lo: Math.min(...each), hi: Math.max(...each) };
}

function formatRatio(x) {
  return Number.isFinite(x) ? `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}x` : '-';
}

module.exports = {
  median, mean, rme, throughput, copyShare, versus, formatBytes, parseBytes, formatTime, formatRate, formatRatio,
};
