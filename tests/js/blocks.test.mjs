// Unit tests of where the editor cuts an article into blocks (wwwroot/js/blocks.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paragraphRuns, lineStarts, spansByBlock, sameBlockSpans, cutPieces } from '../../wwwroot/js/blocks.js';

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

test('each block gets the spans that reach into it, a span across a cut in both, in the order given', () => {
  const blocks = [{ start: 0, end: 10 }, { start: 10, end: 20 }, { start: 20, end: 30 }];
  const a = { start: 2, end: 5 }, b = { start: 8, end: 12 }, c = { start: 10, end: 20 }, d = { start: 5, end: 29 }, e = { start: 19, end: 21 };
  assert.deepEqual(spansByBlock(blocks, [a, b, c, d, e]), [[a, b, d], [b, c, d, e], [d, e]]);
  assert.deepEqual(spansByBlock([{ start: 0, end: 0 }], []), [[]]);
  assert.deepEqual(spansByBlock([], [a]), []);
});

test('a block is planned again only when one of its spans or what its drawing depends on changed', () => {
  const a = { id: 'a' }, b = { id: 'b' };
  const drawn = { spans: [a, b], extras: ['PER|0', 'ORG|1'] };
  assert.ok(sameBlockSpans(drawn, [a, b], ['PER|0', 'ORG|1']));
  assert.ok(!sameBlockSpans(null, [], []), 'never drawn');
  assert.ok(!sameBlockSpans(drawn, [a, { ...b }], ['PER|0', 'ORG|1']), 'a span changed (a new object)');
  assert.ok(!sameBlockSpans(drawn, [a, b], ['PER|0', 'ORG|2']), 'its tag moved');
  assert.ok(!sameBlockSpans(drawn, [a], ['PER|0']), 'a span went');
  assert.ok(!sameBlockSpans(drawn, [b, a], ['ORG|1', 'PER|0']), 'another order');
});

test('a drawn block cut into parts: a piece across a cut is cut in two with its spans, as each part would be planned alone', async () => {
  const { segment } = await import('../../wwwroot/js/spans.js');
  const spans = [{ id: 'a', start: 0, end: 30 }, { id: 'b', start: 4, end: 9 }, { id: 'c', start: 12, end: 14 }, { id: 'd', start: 25, end: 60 }];
  const pieces = segment(50, spans, 0);
  const cuts = [9, 13, 20, 22, 40];
  const parts = cutPieces(pieces, cuts);
  const bounds = [0, ...cuts, 50];
  assert.equal(parts.length, cuts.length + 1);
  parts.forEach((part, k) => {
    const alone = segment(bounds[k + 1], spans.filter(s => s.end > bounds[k] && s.start < bounds[k + 1]), bounds[k]);
    assert.deepEqual(part, alone, `part ${k}`);
  });
});
