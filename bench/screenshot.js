#!/usr/bin/env node
// Renders a bench report in headless Chromium and saves a PNG of the whole
// page, then checks that the page drew its charts (the PNG is not blank).
//
//   node bench/screenshot.js REPORT.html OUT.png
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const [html, png] = process.argv.slice(2).map((p) => path.resolve(p));
if (!html || !png) {
  console.error('usage: node bench/screenshot.js REPORT.html OUT.png');
  process.exit(2);
}
const charts = (fs.readFileSync(html, 'utf8').match(/<svg /g) || []).length;
// Tall enough for every chart: four kernels, three charts each, tables.
const height = 1200 + charts * 420;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'twincore-chromium-'));
fs.mkdirSync(path.dirname(png), { recursive: true });
const r = spawnSync('chromium', [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--hide-scrollbars', `--user-data-dir=${profile}`, `--window-size=1400,${height}`,
  `--screenshot=${png}`, `file://${html}`,
], { encoding: 'utf8', timeout: 120000 });
fs.rmSync(profile, { recursive: true, force: true });
if (r.status !== 0 || !fs.existsSync(png)) {
  console.error(`chromium failed (${r.status ?? r.signal}): ${r.stderr}`);
  process.exit(1);
}
const size = fs.statSync(png).size;
// A blank 1400-wide page compresses to a few KiB; charts and tables do not.
if (size < 50 * 1024) {
  console.error(`${png} is only ${size} bytes: the page looks blank`);
  process.exit(1);
}
console.log(`${png}: ${charts} charts rendered, ${(size / 1024).toFixed(0)} KiB`);
