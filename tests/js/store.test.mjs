// Unit tests of the page's annotation store (wwwroot/js/annotations.js) for the log entries a deleted or renamed
// document leaves: a redacted entry changes nothing, and document events are told apart for the page to handle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnnotationStore } from '../../wwwroot/js/annotations.js';

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
