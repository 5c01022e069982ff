// Unit tests of the side panel's span list (wwwroot/js/editor/span-list.js): its groups, their order, how many
// of each are listed, and when a section drawn before can be kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listPlan, reusable, shorten, moreLabel, groupKey, childChanges, LIST_PAGE } from '../../wwwroot/js/editor/span-list.js';

const span = (id, layer, label, start, end = start + 1) => ({ id, layer, label, start, end, text: id });
const spans = [
  span('c1', 'claim', 'CLAIM', 5), span('p2', 'entity', 'PERSON', 9), span('p1', 'entity', 'PERSON', 1),
  span('o1', 'entity', 'ORG', 3), span('p0', 'entity', 'PERSON', 1, 1.5),
];

test('entities come before claims, labels in alphabetical order, each group in text order (shorter first on a tie)', () => {
  const plan = listPlan(spans, new Map(), null);
  assert.deepEqual(plan.map(e => e.key), ['entity:ORG', 'entity:PERSON', 'claim:CLAIM']);
  assert.deepEqual(plan[1].group.items.map(a => a.id), ['p0', 'p1', 'p2']);
  assert.deepEqual(plan.map(e => e.selected), [null, null, null]);
});

test('the open span marks only its own group', () => {
  const plan = listPlan(spans, new Map(), 'p1');
  assert.deepEqual(plan.map(e => e.selected), [null, 'p1', null]);
});

test('a group lists a page of spans until "Show more" asked for more, and counts the rest', () => {
  const many = Array.from({ length: 1200 }, (_, i) => span(`s${i}`, 'entity', 'PERSON', i));
  const [first] = listPlan(many, new Map(), null);
  assert.deepEqual([first.shown, first.rest], [LIST_PAGE, 1200 - LIST_PAGE]);
  const [more] = listPlan(many, new Map([['entity:PERSON', 1000]]), null);
  assert.deepEqual([more.shown, more.rest], [1000, 200]);
  const [all] = listPlan(many, new Map([['entity:PERSON', 1500]]), null);
  assert.equal(all.rest, 0);
  assert.equal(moreLabel(700), 'Show 500 more (700 not listed)');
  assert.equal(moreLabel(1234, 2000), 'Show 1,234 more (1,234 not listed)');
});

test('a section is kept only while it would be drawn the same: same span objects, same page, same open span', () => {
  const [entry] = listPlan([spans[2], spans[1]], new Map(), null);
  const cached = { items: [...entry.group.items], shown: entry.shown, selected: null };
  assert.equal(reusable(cached, entry), true);
  assert.equal(reusable(undefined, entry), false);
  assert.equal(reusable({ ...cached, shown: 1000 }, entry), false);
  assert.equal(reusable({ ...cached, selected: 'p1' }, entry), false);
  // The store replaces a span's object when it changes: an equal-looking copy is a change.
  assert.equal(reusable({ ...cached, items: [{ ...cached.items[0] }, cached.items[1]] }, entry), false);
  assert.equal(reusable({ ...cached, items: cached.items.slice(0, 1) }, entry), false);
});

test('a span text longer than the length given is cut, with an ellipsis', () => {
  assert.equal(shorten('short', 80), 'short');
  assert.equal(shorten('x'.repeat(80), 80), 'x'.repeat(80));
  assert.equal(shorten('x'.repeat(81), 80), 'x'.repeat(77) + '…');
  assert.equal(groupKey({ layer: 'claim', label: 'CLAIM' }), 'claim:CLAIM');
});

test('patching a list removes what is gone first, then inserts what is new where it goes, moving nothing else', () => {
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'];
  // One added in the middle of a full page: one insert, and the one pushed off the page removed.
  assert.deepEqual(childChanges([a, b, c, d], [a, b, e, c]), { remove: [d], insert: [{ at: 2, item: e }] });
  // One removed in the middle: one removal, no move of the items after it.
  assert.deepEqual(childChanges([a, b, c, d], [a, c, d]), { remove: [b], insert: [] });
  // One replaced (a span relabelled gets a new element): out with the old, the new in its place.
  assert.deepEqual(childChanges([a, b, c], [a, e, c]), { remove: [b], insert: [{ at: 1, item: e }] });
  // A move is an insert of the same element at its new place.
  assert.deepEqual(childChanges([a, b, c], [c, a, b]), { remove: [], insert: [{ at: 0, item: c }] });
  assert.deepEqual(childChanges([], [a, b]), { remove: [], insert: [{ at: 0, item: a }, { at: 1, item: b }] });
  // Applying the changes gives the wanted order, whatever they were.
  for (const [from, to] of [[[a, b, c, d, e], [e, d, c, b, a]], [[a, b, c], [b, d, a]], [[a, b], []]]) {
    const list = [...from];
    const { remove, insert } = childChanges(from, to);
    for (const item of remove) list.splice(list.indexOf(item), 1);
    for (const { at, item } of insert) {
      const was = list.indexOf(item);
      if (was >= 0) list.splice(was, 1);
      list.splice(at, 0, item);
    }
    assert.deepEqual(list, to);
  }
});
