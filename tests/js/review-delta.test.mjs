// Unit tests of applying a decision's change to the review on the page (wwwroot/js/review/review-delta.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCurrent, applyEvent, applyOutcome, indexOf, madeFor, openCount } from '../../wwwroot/js/review/review-delta.js';

const DOC = 7;

/** A review of three span units and one link unit, nothing decided. */
function fresh() {
  const items = [
    { id: 'e-1', isLink: false, layer: 'entity', start: 0, end: 9, version: 0, decision: null },
    { id: 'e-2', isLink: false, layer: 'entity', start: 14, end: 23, version: 0, decision: null },
    { id: 'e-3', isLink: false, layer: 'entity', start: 27, end: 33, version: 0, decision: null },
    { id: 'l-1', isLink: true, version: 0, decision: null },
  ];
  return { review: { decisions: [], state: 'not_started', open: 4 }, items, index: indexOf(items) };
}

const decision = (id, units, extra = {}) => ({
  id, units, reviewerId: 'rita', undone: false, redoOf: null, chosen: [], rejected: [],
  result: { spans: [{ id: `s-${id}`, documentId: DOC, layer: 'entity', label: 'PERSON', start: 0, end: 9 }], relations: [] }, ...extra,
});

test('an answer sets its units\' versions and decision, the state and the open count, and leaves the rest alone', () => {
  const { review, items, index } = fresh();
  const untouched = items[1];
  const made = decision(10, ['e-1', 'e-far']);
  const changed = applyOutcome(review, items, index, { decision: made, units: [{ id: 'e-1', version: 1, decision: 10 }, { id: 'e-far', version: 1, decision: 10 }], open: 3, state: 'in_progress' });
  assert.deepEqual(changed, ['e-1'], "another article's unit is not on this page");
  assert.equal(items[0].version, 1);
  assert.equal(items[0].decision, made);
  assert.equal(items[1], untouched, 'an unchanged unit keeps its object, so its row and text are not redrawn');
  assert.equal(review.state, 'in_progress');
  assert.equal(review.open, 3);
  assert.deepEqual(review.decisions, [made]);
});

test('an answer and its own entry heard live change the review once, in either order', () => {
  const made = decision(10, ['e-2']);
  const answer = { decision: made, units: [{ id: 'e-2', version: 1, decision: 10 }], open: 3, state: 'in_progress' };
  const heard = { kind: 'curation_decided', sequence: 5, documentId: DOC, data: made };

  const first = fresh();
  applyOutcome(first.review, first.items, first.index, answer);
  assert.equal(applyEvent(first.review, first.items, first.index, heard, DOC), 'ignored');
  assert.equal(first.items[1].version, 1);

  const second = fresh();
  assert.equal(applyEvent(second.review, second.items, second.index, heard, DOC), 'applied');
  applyOutcome(second.review, second.items, second.index, answer);
  assert.equal(second.items[1].version, 1);
  assert.equal(second.review.decisions.length, 1);
  assert.equal(second.review.open, 3);
});

test('another reviewer\'s decision and its undo heard live open the unit again at the version the server counts', () => {
  const { review, items, index } = fresh();
  const theirs = decision(11, ['e-3', 'l-1'], { reviewerId: 'lead' });
  applyEvent(review, items, index, { kind: 'curation_decided', data: theirs }, DOC);
  assert.equal(openCount(items), 2);
  assert.equal(items[3].decision, theirs);
  assert.equal(applyEvent(review, items, index, { kind: 'curation_undone', data: { ...theirs, undone: true } }, DOC), 'applied');
  assert.deepEqual(items.map(u => [u.version, u.decision]), [[0, null], [0, null], [2, null], [2, null]], 'a decision and its undo move a unit on by two');
  assert.equal(review.open, 4);
  assert.equal(review.decisions[0].undone, true);
  // Heard again (a catch-up after a reload): nothing moves.
  assert.equal(applyEvent(review, items, index, { kind: 'curation_undone', data: { ...theirs, undone: true } }, DOC), 'ignored');
  assert.equal(applyEvent(review, items, index, { kind: 'curation_decided', data: theirs }, DOC), 'ignored');
  assert.equal(items[2].version, 2);
});

test('an undo\'s answer reopens its units; an undo leaves a unit decided since by someone else as it is', () => {
  const { review, items, index } = fresh();
  const mine = decision(12, ['e-1']);
  applyOutcome(review, items, index, { decision: mine, units: [{ id: 'e-1', version: 1, decision: 12 }], state: 'in_progress' });
  applyOutcome(review, items, index, { decision: { ...mine, undone: true }, units: [{ id: 'e-1', version: 2, decision: null }], state: 'in_progress' });
  assert.deepEqual([items[0].version, items[0].decision], [2, null]);
  assert.equal(review.open, 4);
  const other = decision(13, ['e-2']);
  applyEvent(review, items, index, { kind: 'curation_decided', data: other }, DOC);
  applyEvent(review, items, index, { kind: 'curation_undone', data: { ...decision(9, ['e-2']), undone: true } }, DOC);
  assert.equal(items[1].decision, other, 'an undo of a decision the page never had changes no unit');
});

test('a refusal\'s current unit takes its place, and its decision heard live after is not applied again', () => {
  const { review, items, index } = fresh();
  const theirs = decision(14, ['e-2'], { reviewerId: 'lead' });
  assert.equal(applyCurrent(review, items, index, { id: 'e-2', layer: 'entity', start: 14, end: 23, version: 1, decision: theirs }), true);
  assert.equal(items[1].isLink, false);
  assert.equal(review.open, 3);
  assert.equal(applyEvent(review, items, index, { kind: 'curation_decided', data: theirs }, DOC), 'ignored');
  assert.equal(items[1].version, 1);
  assert.equal(applyCurrent(review, items, index, { id: 'e-elsewhere' }), false);
  assert.equal(applyCurrent(review, items, index, null), false);
});

test('state changes of this document apply; the annotators\' work changing reads the review again', () => {
  const { review, items, index } = fresh();
  assert.equal(applyEvent(review, items, index, { kind: 'curation_state_changed', data: { documentId: DOC, state: 'curated' } }, DOC), 'applied');
  assert.equal(review.state, 'curated');
  assert.equal(applyEvent(review, items, index, { kind: 'curation_state_changed', data: { documentId: 8, state: 'reopened' } }, DOC), 'ignored');
  assert.equal(review.state, 'curated');
  assert.equal(applyEvent(review, items, index, { kind: 'annotation_created', data: {} }, DOC), 'reload');
  assert.equal(applyEvent(review, items, index, { kind: 'relation_deleted', data: {} }, DOC), 'reload');
  assert.equal(applyEvent(review, items, index, { kind: 'document_status_changed', data: {} }, DOC), 'ignored');
});

test('what a decision made for a unit: its spans over the unit in its layer here, or the link types chosen for it', () => {
  const merge = {
    chosen: [{ unit: 'l-1', type: 'CONTRADICTS' }, { unit: 'l-2', type: 'SUPPORTS' }],
    result: { spans: [
      { documentId: DOC, layer: 'entity', label: 'PERSON', start: 0, end: 9 },
      { documentId: DOC, layer: 'claim', label: 'CLAIM', start: 0, end: 30 },
      { documentId: 8, layer: 'entity', label: 'LOCATION', start: 14, end: 20 },
      { documentId: DOC, layer: 'entity', label: 'DATE', start: 40, end: 46 },
    ] },
  };
  assert.deepEqual(madeFor(merge, { isLink: false, layer: 'entity', start: 0, end: 23 }, DOC), ['PERSON']);
  assert.deepEqual(madeFor(merge, { isLink: false, layer: 'entity', start: 14, end: 23 }, DOC), [], 'nothing here: another article\'s span');
  assert.deepEqual(madeFor(merge, { isLink: true, id: 'l-1' }, DOC), ['CONTRADICTS']);
  assert.deepEqual(madeFor({ chosen: [], result: { spans: [] } }, { isLink: true, id: 'l-3' }, DOC), [], 'a rejected link');
});
