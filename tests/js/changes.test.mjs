// Unit tests of the editor's calls to the hub (wwwroot/js/editor/changes.js) against a fake hub connection and the
// page's real store: what each call sends, what a success does to the store, and where a refusal goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Changes } from '../../wwwroot/js/editor/changes.js';
import { AnnotationStore } from '../../wwwroot/js/annotations.js';

/** Changes wired to a hub that answers `answers[method]` (a function of the arguments) and records every call. */
function setUp(answers = {}) {
  const calls = [], refused = [], conflicts = [];
  let refreshes = 0;
  const store = new AnnotationStore();
  const live = { call: async (method, ...args) => { calls.push([method, ...args]); return answers[method]?.(...args) ?? { ok: false, status: 0, detail: 'offline' }; } };
  const changes = new Changes({
    live, store, documentId: 'd1', projectId: 'p1', maxCheckedText: 10,
    refresh: () => { refreshes++; }, refuse: m => refused.push(m), conflict: (result, mine, id) => conflicts.push({ result, mine, id }),
  });
  return { changes, store, calls, refused, conflicts, get refreshes() { return refreshes; } };
}

const span = { id: 's1', documentId: 'd1', layer: 'claim', label: 'CLAIM', start: 0, end: 5, text: 'Rates', note: null, version: 2, attributes: { attributedTo: 'the bank', kept: 1 } };

test('a created span is sent with its text only when the server checks texts that long, and lands in the store', async () => {
  const t = setUp({ CreateAnnotation: (doc, fields) => ({ ok: true, value: { ...fields, documentId: doc, version: 1 } }) });
  const result = await t.changes.putSpan({ id: 's1', layer: 'entity', label: 'ORG', start: 0, end: 5, text: 'Rates' });
  assert.equal(result.ok, true);
  assert.deepEqual(t.calls[0], ['CreateAnnotation', 'd1', { id: 's1', layer: 'entity', label: 'ORG', start: 0, end: 5, text: 'Rates', note: null, attributes: null }]);
  assert.equal(t.store.annotations.get('s1').label, 'ORG');
  assert.equal(t.refreshes, 1);
  await t.changes.putSpan({ id: 's2', layer: 'entity', label: 'ORG', start: 0, end: 11, text: 'x'.repeat(11) });
  assert.equal(t.calls[1][2].text, undefined, 'longer than the server checks: the offsets define it');
});

test('a refused create is said and changes nothing', async () => {
  const t = setUp({ CreateAnnotation: () => ({ ok: false, status: 400, detail: 'Overlaps the end of the text.' }) });
  const result = await t.changes.putSpan({ id: 's1', layer: 'entity', label: 'ORG', start: 0, end: 5, text: 'Rates' });
  assert.equal(result.ok, false);
  assert.deepEqual(t.refused, ['Overlaps the end of the text.']);
  assert.equal(t.store.annotations.size, 0);
  assert.equal(t.refreshes, 0);
});

test('an update sends only the fields changed, on the version the person saw, the attribution inside the attributes', async () => {
  const t = setUp({ UpdateAnnotation: (id, fields) => ({ ok: true, value: { ...span, ...fields, version: 3 } }) });
  t.store.load({ annotations: [span] });
  await t.changes.patchSpan('s1', { attributedTo: 'the minister' }, 1);
  assert.deepEqual(t.calls[0], ['UpdateAnnotation', 's1', { attributes: { attributedTo: 'the minister', kept: 1 }, version: 1 }]);
  assert.equal(t.store.annotations.get('s1').version, 3);
  // Without a base version, the version the page holds now.
  await t.changes.patchSpan('s1', { note: 'n' });
  assert.equal(t.calls[1][2].version, 3);
});

test('a refused update goes to the conflict handler with what the person meant to change', async () => {
  const answer = { ok: false, status: 409, detail: 'Changed meanwhile.', current: { ...span, version: 5 } };
  const t = setUp({ UpdateAnnotation: () => answer });
  t.store.load({ annotations: [span] });
  await t.changes.patchSpan('s1', { label: 'OPINION' });
  assert.deepEqual(t.conflicts, [{ result: answer, mine: { label: 'OPINION' }, id: 's1' }]);
  assert.equal(t.store.annotations.get('s1').version, 2, 'the conflict handler decides what to show');
});

test('changing or deleting a span the page no longer holds is refused without asking the server', async () => {
  const t = setUp();
  assert.deepEqual(await t.changes.patchSpan('gone', { note: 'x' }), { ok: false, status: 404, detail: 'That span is no longer in this article.' });
  assert.equal((await t.changes.dropSpan('gone')).status, 404);
  assert.equal((await t.changes.dropLink('gone')).detail, 'That link is no longer there.');
  assert.equal(t.calls.length, 0);
  assert.equal(t.refused.length, 3);
});

test('deleting a span forgets its links at once, and leaves the others', async () => {
  const t = setUp({ DeleteAnnotation: () => ({ ok: true }) });
  t.store.load({
    annotations: [span, { ...span, id: 's2' }],
    relations: [{ id: 'r1', from: 's1', to: 's2', version: 1 }, { id: 'r2', from: 's3', to: 's1', version: 1 }, { id: 'r3', from: 's2', to: 's3', version: 1 }],
  });
  await t.changes.dropSpan('s1');
  assert.deepEqual(t.calls[0], ['DeleteAnnotation', 's1', 2]);
  assert.deepEqual([...t.store.annotations.keys()], ['s2']);
  assert.deepEqual([...t.store.relations.keys()], ['r3']);
});

test('links are made in the project and removed on the version held; a link with no note sends null', async () => {
  const t = setUp({
    CreateRelation: (project, fields) => ({ ok: true, value: { ...fields, version: 1 } }),
    DeleteRelation: () => ({ ok: true }),
  });
  await t.changes.putLink({ id: 'r1', type: 'SUPPORTS', from: 'a', to: 'b', note: '' });
  assert.deepEqual(t.calls[0], ['CreateRelation', 'p1', { id: 'r1', type: 'SUPPORTS', from: 'a', to: 'b', note: null }]);
  assert.ok(t.store.relations.has('r1'));
  await t.changes.dropLink('r1');
  assert.deepEqual(t.calls[1], ['DeleteRelation', 'r1', 1]);
  assert.equal(t.store.relations.size, 0);
});
