// Compiled with the ES library only (no DOM, no @types/node) by
// test/types/check.js: twincore's types must not need either.
declare const console: { log(text: string): void };

const digest: Uint8Array = tc.sha256Sync(new Uint8Array([97, 98, 99]));
const options: AsyncOptions = {};
void tc.sha256(new Uint8Array(0), options).then((empty) => {
  const hex = (d: Uint8Array): string => Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
  console.log(JSON.stringify({ abc: hex(digest), empty: hex(empty).slice(0, 8) }));
});
export {};
