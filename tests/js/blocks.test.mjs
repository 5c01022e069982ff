// Unit tests of where the editor cuts an article into blocks (wwwroot/js/blocks.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paragraphRuns, lineStarts } from '../../wwwroot/js/blocks.js';

test('runs end just after line breaks, gathering short paragraphs up to the block size', () => {
  const text = 'ab\ncd\n' + 'x'.repeat(30) + '\nyy\n\nzz';
  assert.deepEqual(paragraphRuns(text, 10), [
    { start: 0, end: 6, long: false },
    { start: 6, end: 37, long: true },
    { start: 37, end: 43, long: false },
  ]);
  for (const run of paragraphRuns(text, 10).slice(0, -1)) assert.equal(text[run.end - 1], '\n');
  assert.deepEqual(paragraphRuns('', 10), []);
  assert.deepEqual(paragraphRuns('one line, no break', 100), [{ start: 0, end: 18, long: false }]);
});

/** A text laid out in lines of `width` characters, measured as the browser measures them (middles a little uneven). */
function laidOut(width, lineHeight = 20) {
  return i => Math.floor(i / width) * lineHeight + lineHeight / 2 + (i % 7 === 0 ? 3 : 0);
}

test('a long paragraph is cut at the first character of the line holding each block end', () => {
  // Lines of 80 characters: the line holding 100 starts at 80; from there, the one holding 180 starts at 160.
  assert.deepEqual(lineStarts(0, 400, 100, laidOut(80), 20), [80, 160, 240, 320]);
  assert.deepEqual(lineStarts(0, 90, 100, laidOut(80), 20), [], 'shorter than a block: not cut');
  // A run starting mid-line (it cannot, but the search must not cut before its start).
  for (const cut of lineStarts(50, 1000, 100, laidOut(80), 20)) assert.equal(cut % 80, 0);
});

test('a line longer than a block is cut where it ends, and a run of one line is not cut', () => {
  assert.deepEqual(lineStarts(0, 1000, 100, laidOut(300), 20), [300, 600, 900]);
  assert.deepEqual(lineStarts(0, 250, 100, laidOut(300), 20), []);
  assert.deepEqual(lineStarts(0, 250, 100, () => 0, 20), [], 'nothing laid out (a hidden view): not cut');
});
