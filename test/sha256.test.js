'use strict';
// sha256 on every backend x mode x sync/async against node:crypto, on
// random lengths up to 16 MiB at every byte offset 0-7, every kind of
// input, and the NIST vectors.
const { suite } = require('uvu');
const assert = require('uvu/assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { matrix, rng } = require('./helpers');

const hex = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex');
const oracle = (u8) => crypto.createHash('sha256').update(u8).digest('hex');

const Oracle = suite('sha256: random lengths and offsets vs node:crypto');
const r = rng(1);
const LENGTHS = [0, 1, 3, 55, 56, 63, 64, 65, 127, 1000, 4095, 4096, 4097, 65536 + 7,
  ...Array.from({ length: 6 }, () => r.below(1 << 20)), 16 << 20];
const pool = r.bytes((16 << 20) + 8);
for (const m of matrix()) {
  Oracle(m.label, async () => {
    for (let i = 0; i < LENGTHS.length; i++) {
      const offset = i % 8;
      const data = pool.subarray(offset, offset + LENGTHS[i]);
      const got = await m.call('sha256', data);
      assert.instance(got, Uint8Array);
      assert.is(got.length, 32);
      assert.is(hex(got), oracle(data), `length ${LENGTHS[i]} offset ${offset}`);
    }
  });
}
Oracle.run();

const Kinds = suite('sha256: every kind of input hashes its bytes');
const kinds = () => {
  const f64 = new Float64Array([1.5, -2, NaN, 1e300]);
  const sab = new SharedArrayBuffer(100);
  new Uint8Array(sab).set(pool.subarray(0, 100));
  const pooled = Buffer.from('a pooled Buffer, a view into a larger shared ArrayBuffer');
  return [
    ['Uint8Array', new Uint8Array(pool.subarray(0, 77))],
    ['pooled Buffer', pooled],
    ['DataView', new DataView(pool.buffer, 3, 200)],
    ['Float64Array', f64],
    ['Uint8Array view with offset', pool.subarray(5, 1005)],
    ['ArrayBuffer', pool.buffer.slice(0, 333)],
    ['SharedArrayBuffer', sab],
  ];
};
const bytesOf = (x) => (ArrayBuffer.isView(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : new Uint8Array(x));
for (const m of matrix()) {
  Kinds(m.label, async () => {
    for (const [name, data] of kinds()) {
      const before = Buffer.from(bytesOf(data));
      assert.is(hex(await m.call('sha256', data)), oracle(bytesOf(data)), name);
      assert.ok(before.equals(Buffer.from(bytesOf(data))), `${name} was modified`);
    }
  });
}
Kinds.run();

const Nist = suite('sha256: NIST SHA256ShortMsg vectors');
const vectors = [];
{
  const text = fs.readFileSync(path.join(__dirname, 'fixtures', 'SHA256ShortMsg.rsp'), 'utf8');
  let len = 0;
  let msg = '';
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('Len = ')) len = Number(line.slice(6));
    else if (line.startsWith('Msg = ')) msg = line.slice(6).trim();
    else if (line.startsWith('MD = ')) vectors.push([Buffer.from(msg, 'hex').subarray(0, len / 8), line.slice(5).trim()]);
  }
}
Nist('the file has 65 vectors', () => assert.is(vectors.length, 65));
for (const m of matrix()) {
  Nist(m.label, async () => {
    for (const [msg, md] of vectors) assert.is(hex(await m.call('sha256', msg)), md);
  });
}
Nist.run();
