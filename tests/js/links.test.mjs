// Unit tests of when the editor's link list must be drawn again (wwwroot/js/editor/links.js): only when a link or the
// text of one of its ends changed, never on an edit elsewhere in the article.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkListKey, sameLinkList } from '../../wwwroot/js/editor/links.js';

const claim = (id, text) => ({ id, text });
const storeOf = (...spans) => ({ annotations: new Map(spans.map(s => [s.id, s])) });

test('the same links with the same ends need no redraw, even after an edit elsewhere', () => {
  const a = claim('a', 'all rescued'), b = claim('b', 'two missing'), link = { id: 'r1', from: 'a', to: 'b' };
  const before = linkListKey([link], storeOf(a, b));
  const after = linkListKey([link], storeOf(a, b, claim('c', 'an unrelated span')));
  assert.equal(sameLinkList(before, after), true);
});

test('a changed end, a changed link, a new link or a first draw each need a redraw', () => {
  const a = claim('a', 'all rescued'), b = claim('b', 'two missing'), link = { id: 'r1', from: 'a', to: 'b' };
  const drawn = linkListKey([link], storeOf(a, b));
  // The store replaces an object when it changes: a new object for the end whose boundaries moved.
  assert.equal(sameLinkList(drawn, linkListKey([link], storeOf({ ...a, text: 'all were rescued' }, b))), false);
  assert.equal(sameLinkList(drawn, linkListKey([{ ...link, note: 'see the ministry' }], storeOf(a, b))), false);
  assert.equal(sameLinkList(drawn, linkListKey([link, { id: 'r2', from: 'b', to: 'a' }], storeOf(a, b))), false);
  assert.equal(sameLinkList(null, drawn), false);
});

test('an end the reader may not see (another annotator\'s claim in a blind project) is a key like any other', () => {
  const a = claim('a', 'all rescued'), link = { id: 'r1', from: 'a', to: 'hidden', toText: null };
  assert.equal(sameLinkList(linkListKey([link], storeOf(a)), linkListKey([link], storeOf(a))), true);
});
