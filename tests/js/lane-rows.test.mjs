// Unit tests of how the review page's lanes table is cut into chunks drawn near the screen (wwwroot/js/review/lane-rows.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHUNK, chunkOf, chunkRange } from '../../wwwroot/js/review/lane-rows.js';

test('every row is in exactly one chunk, the chunks in order and the last one short', () => {
  const count = 5 * CHUNK + 7;
  const seen = [];
  for (let c = 0; c <= chunkOf(count - 1); c++) {
    const { from, to } = chunkRange(c, count);
    for (let i = from; i < to; i++) { assert.equal(chunkOf(i), c); seen.push(i); }
  }
  assert.deepEqual(seen, Array.from({ length: count }, (_, i) => i));
  assert.deepEqual(chunkRange(5, count), { from: 5 * CHUNK, to: 5 * CHUNK + 7 });
  assert.deepEqual(chunkRange(0, 3), { from: 0, to: 3 });
});

