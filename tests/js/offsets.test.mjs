// Unit tests of the browser's offset conversions, run by node's test runner (./annotate test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { OffsetIndex, tidySelection, nextCharacter, nextWordBoundary, clusterAt } from '../../wwwroot/js/offsets.js';
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
  assert.equal(nextCharacter(flags, 2, 1), 3);
  assert.equal(nextCharacter(flags, 3, 1), 7);   // the whole flag: two regional indicators, four UTF-16 units
  assert.equal(nextCharacter(flags, 7, -1), 3);
  assert.equal(nextCharacter(flags, 0, -1), 0);
  assert.equal(nextCharacter(flags, flags.length, 1), flags.length);
  assert.equal(nextWordBoundary('one two three', 0, 1), 3);
  assert.equal(nextWordBoundary('one two three', 3, 1), 7);
  assert.equal(nextWordBoundary('one two three', 13, -1), 8);
});

// What a reader sees as one character, as several code points.
const syria = '\u{1F1F8}\u{1F1FE}';                                              // 🇸🇾: two regional indicators
const family = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}';                    // 👩‍👩‍👧: three people joined by ZWJ
const cafe = 'cafe\u0301';                                                       // café with a combining acute
const keycap = '#\uFE0F\u20E3';                                                 // #️⃣

/** Cluster boundaries of the whole text, straight from Intl.Segmenter. */
function boundaries(text) {
  const cuts = new Set([text.length]);
  for (const s of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) cuts.add(s.index);
  return cuts;
}

test('steps over flags, ZWJ sequences and combining marks as one character', () => {
  const text = `a${syria}${syria}b ${family}! ${cafe} ${keycap}`;
  const forward = [0];
  for (let p = 0; p < text.length;) forward.push(p = nextCharacter(text, p, 1));
  const backward = [text.length];
  for (let p = text.length; p > 0;) backward.push(p = nextCharacter(text, p, -1));
  assert.deepEqual(forward, [...boundaries(text)].sort((x, y) => x - y));
  assert.deepEqual(backward.reverse(), forward);
  // Two flags in a row pair their indicators from the left: never the middle two.
  assert.equal(nextCharacter(text, 1, 1), 5);
  assert.equal(nextCharacter(text, 5, 1), 9);
  assert.equal(nextCharacter(text, 11, 1), 11 + family.length);
  const e = text.indexOf(cafe) + 3;
  assert.equal(nextCharacter(text, e, 1), e + 2);                 // e and its accent together
  assert.equal(nextCharacter(text, e + 2, -1), e);
  // From inside a cluster (a caret put there by a click), each way goes to the cluster's edge.
  assert.equal(nextCharacter(text, 3, 1), 5);
  assert.equal(nextCharacter(text, 14, -1), 11);
});

test('a selection never ends inside a flag, a ZWJ sequence or a letter with its accent', () => {
  const text = `Go ${syria} and ${family} to the ${cafe} now`;
  const flag = text.indexOf(syria), people = text.indexOf(family), accent = text.indexOf(cafe) + 4;
  for (const snap of [false, true]) {
    assert.deepEqual(tidySelection(text, flag + 2, flag + 3, snap), { start: flag, end: flag + 4 });       // between the indicators
    assert.deepEqual(tidySelection(text, 0, flag + 2, snap), { start: 0, end: flag + 4 });
    assert.deepEqual(tidySelection(text, people + 3, people + 5, snap), { start: people, end: people + family.length });
    assert.deepEqual(tidySelection(text, people, people + 2, snap), { start: people, end: people + family.length });
  }
  assert.deepEqual(tidySelection(text, accent - 4, accent, false), { start: accent - 4, end: accent + 1 }); // "cafe" takes its accent
  assert.deepEqual(tidySelection(text, accent, accent + 1, false), { start: accent - 1, end: accent + 1 }); // the accent alone takes its e
  assert.deepEqual(tidySelection(text, accent - 2, accent - 1, true), { start: accent - 4, end: accent + 1 });
  // Code points still count as before: the flag is two of them.
  const index = new OffsetIndex(text);
  assert.equal(index.toCodePoint(flag + 4) - index.toCodePoint(flag), 2);
});

test('word steps never stop inside a character', () => {
  const text = `${cafe} ${syria} end`;
  assert.equal(nextWordBoundary(text, 0, 1), cafe.length);            // the accent belongs to the word
  assert.equal(nextWordBoundary(text, cafe.length, 1), text.length);  // over the flag to the end of "end"
  assert.equal(nextWordBoundary(text, text.length, -1), text.length - 3);
  // A joiner after a word's last letter, or a mark on a space before its first, belongs to that letter or space.
  assert.equal(nextWordBoundary('ab\u200Dcd ef', 0, 1), 3);
  assert.equal(nextWordBoundary(' \u0301ab', 4, -1), 0);
});

test('finds a cluster from its neighbourhood exactly as segmenting the whole text does', () => {
  const pieces = ['a', ' ', '\n', '\r\n', syria, '\u{1F1FA}', family, cafe, keycap, '\u0301', '\u200D', '\u{1F44D}\u{1F3FD}', 'क्ष', '\u0E33', 'x\u0308'];
  let seed = 7;
  const random = n => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let round = 0; round < 200; round++) {
    const text = Array.from({ length: 1 + random(30) }, () => pieces[random(pieces.length)]).join('');
    const cuts = [...boundaries(text)].sort((x, y) => x - y);
    for (let i = 0; i < text.length; i++) {
      const end = cuts.find(c => c > i), start = cuts.filter(c => c <= i).at(-1);
      assert.deepEqual(clusterAt(text, i), { start, end }, `${JSON.stringify(text)} at ${i}`);
    }
  }
});

test('steps through a long article in little time', () => {
  const text = ('The Coast Guard said. ' + syria + '\n').repeat(5000);
  const started = performance.now();
  let p = text.length;
  for (let i = 0; i < 2000; i++) p = nextCharacter(text, p, -1);
  assert.ok(performance.now() - started < 1000, 'each step looks at its neighbourhood, not the whole text');
  assert.ok(p < text.length);
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

test('segments a part of the text as the whole text is segmented there (a span from before it covers its first pieces)', () => {
  const spans = [{ id: 'long', start: 0, end: 12 }, { id: 'b', start: 3, end: 7 }, { id: 'c', start: 6, end: 20 }, { id: 'd', start: 14, end: 16 }];
  for (const [from, to] of [[0, 20], [5, 10], [6, 14], [12, 20], [15, 16]]) {
    // The whole text's pieces, cut at the part's ends too, inside the part.
    const expected = segment(20, [...spans, { id: 'part', start: from, end: to }])
      .filter(p => p.start >= from && p.end <= to)
      .map(p => ({ ...p, ids: p.ids.filter(id => id !== 'part') }));
    assert.deepEqual(segment(to, spans.filter(s => s.end > from && s.start < to), from), expected, `${from}-${to}`);
  }
  // Order by the whole spans: 'long' (12) stays outside 'c' (14) though less of it lies in [6, 10).
  assert.deepEqual(segment(10, spans, 6)[0], { start: 6, end: 7, ids: ['c', 'long', 'b'] });
});

test('groups annotations by layer and label', () => {
  const groups = groupByLayerAndLabel([
    { layer: 'claim', label: 'CLAIM', start: 5, end: 9 },
    { layer: 'entity', label: 'PERSON', start: 9, end: 12 },
    { layer: 'entity', label: 'PERSON', start: 1, end: 3 },
  ]);
  assert.deepEqual(groups.map(g => [g.layer, g.label, g.items.map(i => i.start)]), [['entity', 'PERSON', [1, 9]], ['claim', 'CLAIM', [5]]]);
});

test('finds clusters in a long line with no ASCII and no line break (CJK, Cyrillic) by looking nearby only', () => {
  // Such a line offers no boundary clusterAt can be sure of without asking: it must still answer from the neighbourhood.
  const line = '漢字'.repeat(30000) + '🇸🇾' + 'Привет'.repeat(5000) + 'e\u0301';
  const flag = line.indexOf('🇸🇾');
  assert.deepEqual(clusterAt(line, flag + 1), { start: flag, end: flag + 4 });
  assert.deepEqual(clusterAt(line, 40000), { start: 40000, end: 40001 });
  assert.deepEqual(clusterAt(line, line.length - 1), { start: line.length - 2, end: line.length });
  assert.equal(nextCharacter(line, flag, 1), flag + 4);
  assert.equal(nextCharacter(line, flag + 4, -1), flag);
});
