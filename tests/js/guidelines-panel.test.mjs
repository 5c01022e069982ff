// Unit tests of the guidelines search (wwwroot/js/editor/guidelines-panel.js): what counts as a match, and stepping
// through matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRanges, piecesOf, stepMatch, storageKey, startsOpen } from '../../wwwroot/js/editor/guidelines-panel.js';

test('matches ignore case, take the query literally and let any white space match any', () => {
  const text = 'Mark a PERSON by name. A person (not a title) is marked; persons too.';
  assert.deepEqual(matchRanges(text, 'person').map(r => text.slice(r.start, r.end)), ['PERSON', 'person', 'person']);
  assert.deepEqual(matchRanges(text, '(not a').map(r => text.slice(r.start, r.end)), ['(not a']);
  assert.deepEqual(matchRanges('by  name\tonly', 'by name').map(r => r.start), [0]);
  assert.deepEqual(matchRanges(text, '.*'), [], 'no pattern: a dot and a star are themselves');
  assert.deepEqual(matchRanges(text, '   '), []);
  assert.deepEqual(matchRanges(text, ''), []);
});

test('matches in other scripts and after astral characters are at UTF-16 offsets of the text', () => {
  const text = '🇸🇾 Ärzte und ärzte; الكابتن';
  assert.deepEqual(matchRanges(text, 'ärzte').map(r => text.slice(r.start, r.end)), ['Ärzte', 'ärzte']);
  assert.deepEqual(matchRanges(text, 'الكابتن'), [{ start: text.indexOf('ا'), end: text.length }]);
});

test('stepping goes round both ways, and starts at the first or the last', () => {
  assert.equal(stepMatch(-1, 3, 1), 0);
  assert.equal(stepMatch(-1, 3, -1), 2);
  assert.equal(stepMatch(2, 3, 1), 0);
  assert.equal(stepMatch(0, 3, -1), 2);
  assert.equal(stepMatch(1, 3, 1), 2);
  assert.equal(stepMatch(-1, 0, 1), -1);
});

test('the open state is kept per project', () => {
  assert.notEqual(storageKey(1), storageKey(2));
  assert.equal(storageKey(7), storageKey(7));
});

test('a match over several text nodes (across formatting) is cut into one part per node, in order', () => {
  // "a " + "named" (bold) + " person is" : the match "a named person" covers all three nodes.
  const nodes = ['Mark a ', 'named', ' person here; a named person.'];
  const text = nodes.join('');
  const ranges = matchRanges(text, 'a named person');
  assert.equal(ranges.length, 2);
  assert.deepEqual(piecesOf(nodes.map(n => n.length), ranges), [
    { piece: 0, start: 5, end: 7, match: 0 },
    { piece: 1, start: 0, end: 5, match: 0 },
    { piece: 2, start: 0, end: 7, match: 0 },
    { piece: 2, start: 14, end: 28, match: 1 },
  ]);
  assert.deepEqual(piecesOf([3, 0, 4], [{ start: 2, end: 5 }]), [
    { piece: 0, start: 2, end: 3, match: 0 }, { piece: 2, start: 0, end: 2, match: 0 },
  ], 'an empty node gets no part');
  assert.deepEqual(piecesOf([5], []), []);
});

test('the panel opens on a first visit of a project that has guidelines, and afterwards as it was left', () => {
  assert.equal(startsOpen(null, true), true); // first visit, guidelines to read
  assert.equal(startsOpen(null, false), false); // first visit, nothing to read yet
  assert.equal(startsOpen('closed', true), false); // closed by the person: stays closed
  assert.equal(startsOpen('open', true), true);
  assert.equal(startsOpen('open', false), true);
});
