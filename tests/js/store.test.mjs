// Unit tests of the page's annotation store (wwwroot/js/annotations.js) for the log entries a deleted or renamed
// document leaves: a redacted entry changes nothing, and document events are told apart for the page to handle; and
// the echo of one's own change, which changes nothing either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnnotationStore, sameData } from '../../wwwroot/js/annotations.js';

const span = { id: 'a1', documentId: 7, layer: 'claim', label: 'CLAIM', start: 0, end: 4, text: 'Rain', version: 1 };

test('a redacted entry of any kind changes nothing', () => {
  const store = new AnnotationStore();
  store.load({ annotations: [span] });
  for (const kind of ['annotation_created', 'annotation_updated', 'annotation_deleted', 'relation_created', 'relation_deleted', 'document_state_changed']) {
    assert.equal(store.apply({ kind, data: { redacted: true } }), null, kind);
  }
  assert.deepEqual([...store.annotations.keys()], ['a1']);
  assert.equal(store.relations.size, 0);
  assert.equal(store.states.size, 0);
});

test('a document renamed or deleted is reported as a document change and leaves the spans to the page', () => {
  const store = new AnnotationStore();
  store.load({ annotations: [span] });
  assert.equal(store.apply({ kind: 'document_renamed', data: { documentId: 7, title: 'New' } }), 'document');
  assert.equal(store.apply({ kind: 'document_deleted', data: { documentId: 7 } }), 'document');
  assert.equal(store.annotations.get('a1'), span);
});

test("one's own change heard again (its answer applied, then its event) changes nothing and keeps the object drawn", () => {
  const store = new AnnotationStore();
  const answer = { ...span, id: 'a2', attributes: { attributedTo: 'the minister' }, version: 1 };
  assert.equal(store.apply({ kind: 'annotation_created', data: answer }), 'annotation');
  // The event says the same with its fields in another order (the change log keeps them as JSON of its own).
  const { attributes, ...rest } = answer;
  const event = { version: 1, attributes: { attributedTo: 'the minister' }, ...rest };
  assert.equal(store.apply({ kind: 'annotation_created', data: event }), false);
  assert.equal(store.annotations.get('a2'), answer);
  // The same version saying something else, or a later one, is applied.
  assert.equal(store.apply({ kind: 'annotation_updated', data: { ...answer, attributes: { attributedTo: 'the mayor' } } }), 'annotation');
  assert.equal(store.apply({ kind: 'annotation_updated', data: { ...answer, version: 2 } }), 'annotation');
  assert.equal(store.annotations.get('a2').version, 2);
});

test('a span drawn before the server saved it is replaced by the saved one of the same version', () => {
  const store = new AnnotationStore();
  store.apply({ kind: 'annotation_created', data: { ...span, unsaved: true } });
  assert.equal(store.apply({ kind: 'annotation_created', data: span }), 'annotation');
  assert.equal(store.annotations.get('a1').unsaved, undefined);
});

test('values of JSON are the same whatever the order of their fields, and only then', () => {
  assert.ok(sameData({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }));
  assert.ok(!sameData({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(!sameData({ a: [1, 2] }, { a: [2, 1] }));
  assert.ok(!sameData({ a: {} }, { a: [] }));
  assert.ok(!sameData({ a: null }, { a: {} }));
  assert.ok(!sameData({ a: '1' }, { a: 1 }));
});
