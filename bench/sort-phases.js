'use strict';
// `make sort-phases`: where a large sort's time goes, phase by phase, in
// the two builds of the same C (bench/sort-phases.c): the native program
// and its wasm twin, each run in turn for every element type, and float64
// again on the bench's other two distributions. Prints one table: the
// best time of each phase over the repeats, and wasm's time over
// native's.
//
//   node bench/sort-phases.js NATIVE WASM_JS [elements] [repeats]

const { execFileSync } = require('node:child_process');

const PHASES = ['count (top digit; floats: and 16 bits)', 'scatter (top digit)', 'buckets (in cache)'];
const CASES = [['uint32'], ['int32'], ['float64'], ['float64', 'log-uniform'], ['float64', 'clustered']];

function run(cmd, args) {
  const out = execFileSync(cmd[0], [...cmd.slice(1), ...args], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

function main(argv) {
  const [native, wasm, elements = String(1 << 24), repeats = '5'] = argv;
  if (!native || !wasm) throw new Error('usage: node bench/sort-phases.js NATIVE WASM_JS [elements] [repeats]');
  const ms = (s) => (s * 1e3).toFixed(1);
  const rows = [];
  for (const [dtype, dist = 'random'] of CASES) {
    const args = [dtype, elements, repeats, dist];
    const type = dist === 'random' ? dtype : `${dtype} ${dist}`;
    const n = run([native], args);
    const w = run([process.execPath, wasm], args);
    const line = (name, a, b) => rows.push(`| ${type} | ${name} | ${ms(a)} | ${ms(b)} | ${(b / a).toFixed(2)}x |`);
    PHASES.forEach((name, p) => line(name, n.phases[p], w.phases[p]));
    line('whole sort (tc_run)', n.total, w.total);
  }
  return [`sort of ${elements} elements, best of ${repeats}: ms per phase`, '',
    '| type | phase | native | wasm | wasm / native |', '|---|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) {
  try {
    console.log(main(process.argv.slice(2)));
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}

module.exports = { main };
