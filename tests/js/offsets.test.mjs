// Unit tests of the browser's offset conversions, run by node's test runner (./annotate test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { OffsetIndex, tidySelection, nextCharacter, nextWordBoundary } from '../../wwwroot/js/offsets.js';
import { segment, groupByLayerAndLabel } from '../../wwwroot/js/spans.js';

const flags = 'Go 🇸🇾 now é!';

test('converts UTF-16 offsets to code points and back', () => {
  const index = new OffsetIndex(flags);
  assert.equal(index.lengthCodePoints, 12);
  assert.equal(index.toCodePoint(3), 3);
  assert.equal(index.toCodePoint(4), null); // inside 🇸
  assert.equal(index.toCodePoint(5), 4);
  assert.equal(index.toCodePoint(8), 6);
  assert.equal(index.toCodePoint(flags.length), 12);
  assert.equal(index.toCodePoint(flags.length + 1), null);
  for (let cp = 0; cp <= 12; cp++) assert.equal(index.toCodePoint(index.toUtf16(cp)), cp);
  assert.equal(index.toUtf16(13), null);
});

test('matches Python slicing on corpus article 002', (t) => {
  const path = process.env.ANNOTATE_CORPUS ? `${process.env.ANNOTATE_CORPUS}/002_5069548d84422e95.txt` : '../shared/corpus/002_5069548d84422e95.txt';
  if (!existsSync(path)) assert.fail(`corpus article 002 not found at ${path}: set ANNOTATE_CORPUS`);
  const text = readFileSync(path, 'utf8');
  const index = new OffsetIndex(text);
  assert.equal(index.lengthCodePoints, 5709);
  assert.equal(text.length, 5719);
  const codePoints = [...text];
  const at = text.lastIndexOf('Aleppo');
  const start = index.toCodePoint(at), end = index.toCodePoint(at + 6);
  assert.equal(codePoints.slice(start, end).join(''), 'Aleppo');
  assert.equal(at - start, 10);
});

test('tidies a selection: trims space, snaps to words, never splits a pair', () => {
  const text = 'The  Coast Guard 🇸🇾 said';
  assert.deepEqual(tidySelection(text, 6, 9, true), { start: 5, end: 10 });      // "oas" -> "Coast"
  assert.deepEqual(tidySelection(text, 6, 9, false), { start: 6, end: 9 });
  assert.deepEqual(tidySelection(text, 3, 5, true), null);                         // only spaces
  const flag = text.indexOf('🇸');
  assert.deepEqual(tidySelection(text, flag + 1, flag + 3, false), { start: flag, end: flag + 4 });
  assert.deepEqual(tidySelection(text, 12, 4, true), { start: 5, end: 16 });      // reversed
  const names = 'Aleppo’s fall; Hay’at Tahrir; don\'t';
  assert.deepEqual(tidySelection(names, 1, 3, true), { start: 0, end: 6 });         // "Aleppo", not "Aleppo’s"
  assert.deepEqual(tidySelection(names, 16, 17, true), { start: 15, end: 21 });     // "Hay’at"
  assert.deepEqual(tidySelection(names, 30, 31, true), { start: 30, end: 35 });     // "don't"
});

test('moves by characters and words for keyboard selection', () => {
  assert.equal(nextCharacter(flags, 3, 1), 5);
  assert.equal(nextCharacter(flags, 5, -1), 3);
  assert.equal(nextWordBoundary('one two three', 0, 1), 3);
  assert.equal(nextWordBoundary('one two three', 3, 1), 7);
  assert.equal(nextWordBoundary('one two three', 13, -1), 8);
});

test('segments overlapping and nested spans, outermost first', () => {
  const pieces = segment(10, [{ id: 'a', start: 0, end: 6 }, { id: 'b', start: 2, end: 4 }, { id: 'c', start: 5, end: 8 }]);
  assert.deepEqual(pieces, [
    { start: 0, end: 2, ids: ['a'] },
    { start: 2, end: 4, ids: ['a', 'b'] },
    { start: 4, end: 5, ids: ['a'] },
    { start: 5, end: 6, ids: ['a', 'c'] },
    { start: 6, end: 8, ids: ['c'] },
    { start: 8, end: 10, ids: [] },
  ]);
  assert.deepEqual(segment(3, []), [{ start: 0, end: 3, ids: [] }]);
});

test('segments 5,000 spans over 100,000 characters', () => {
  const spans = Array.from({ length: 5000 }, (_, i) => ({ id: String(i), start: i * 20, end: i * 20 + 15 + (i % 7) }));
  const pieces = segment(100000, spans);
  assert.equal(pieces[0].start, 0);
  assert.equal(pieces.at(-1).end, 100000);
  for (let i = 1; i < pieces.length; i++) assert.equal(pieces[i].start, pieces[i - 1].end);
});

test('groups annotations by layer and label', () => {
  const groups = groupByLayerAndLabel([
    { layer: 'claim', label: 'CLAIM', start: 5, end: 9 },
    { layer: 'entity', label: 'PERSON', start: 9, end: 12 },
    { layer: 'entity', label: 'PERSON', start: 1, end: 3 },
  ]);
  assert.deepEqual(groups.map(g => [g.layer, g.label, g.items.map(i => i.start)]), [['entity', 'PERSON', [1, 9]], ['claim', 'CLAIM', [5]]]);
});
