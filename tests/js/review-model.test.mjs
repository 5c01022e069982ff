// Unit tests of the review page's keys, unit order and history (wwwroot/js/review/review-model.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reviewCommand, nextOpen, firstOpen, undoTarget, redoTarget, kindWords, versionInLane } from '../../wwwroot/js/review/review-model.js';

const labels = [{ name: 'PERSON', key: 'p', kind: 'entity' }, { name: 'CLAIM', key: 'c', kind: 'claim' }, { name: 'CONTRADICTS', kind: 'relation' }];
const idle = { typing: false, selecting: false, labels };
const command = (key, state = idle) => reviewCommand(typeof key === 'string' ? { key } : key, state)?.command ?? null;

test('digits accept a lane, X rejects, arrows move, Shift+A accepts all agreed, Ctrl+Z and Ctrl+Shift+Z undo and redo', () => {
  assert.deepEqual(reviewCommand({ key: '3' }, idle), { command: 'accept', lane: 3 });
  assert.equal(command('0'), null);
  assert.equal(command('x'), 'reject');
  assert.equal(command('ArrowDown'), 'next');
  assert.equal(command('ArrowUp'), 'previous');
  assert.equal(command({ key: 'A', shiftKey: true }), 'accept-agreed');
  assert.equal(command('a'), null);
  assert.equal(command({ key: 'C', shiftKey: true }), 'mark-curated');
  assert.equal(command({ key: 'N', shiftKey: true }), 'next-document');
  assert.equal(command('n'), null);
  assert.equal(command({ key: 'z', ctrlKey: true }), 'undo');
  assert.equal(command({ key: 'Z', ctrlKey: true, shiftKey: true }), 'redo');
  assert.equal(command({ key: 'y', metaKey: true }), 'redo');
  assert.equal(command({}), null, 'a keydown without a key');
});

test('label keys label a selection and never collide: with x a label key, Shift+X rejects', () => {
  const selecting = { ...idle, selecting: true };
  assert.deepEqual(reviewCommand({ key: 'P' }, selecting), { command: 'label', label: labels[0] });
  assert.equal(command('p'), null, 'nothing selected');
  const withX = [...labels, { name: 'EXTRA', key: 'x', kind: 'entity' }];
  assert.equal(command('x', { ...idle, labels: withX }), null);
  assert.equal(command({ key: 'X', shiftKey: true }, { ...idle, labels: withX }), 'reject');
  assert.equal(command('x', { ...selecting, labels: withX }), 'label');
  assert.equal(command('3', { ...idle, typing: true }), null, 'typing in the note');
});

test('next and previous skip decided units and stay put at the ends', () => {
  const units = [{ decision: null }, { decision: {} }, { decision: null }, { decision: {} }];
  assert.equal(nextOpen(units, 0, 1), 2);
  assert.equal(nextOpen(units, 2, 1), 2);
  assert.equal(nextOpen(units, 2, -1), 0);
  assert.equal(firstOpen([{ decision: {} }, { decision: null }]), 1);
  assert.equal(firstOpen([{ decision: {} }]), 0);
});

test('undo takes my latest decision in force; redo my latest undone one not yet made again', () => {
  const decisions = [
    { id: 1, reviewerId: 'me', undone: false },
    { id: 2, reviewerId: 'other', undone: false },
    { id: 3, reviewerId: 'me', undone: true, undoneAt: '2026-12-02T01:00:00Z' },
    { id: 4, reviewerId: 'me', undone: true, undoneAt: '2026-12-02T02:00:00Z' },
    { id: 5, reviewerId: 'me', undone: false, redoOf: 4 },
  ];
  assert.equal(undoTarget(decisions, 'me').id, 5);
  assert.equal(redoTarget(decisions, 'me').id, 3);
  assert.equal(undoTarget([], 'me'), null);
  assert.equal(redoTarget(decisions, 'other'), null);
});

test('kinds read as words and lanes find their annotator\'s version', () => {
  assert.equal(kindWords('label+boundary'), 'label and boundary');
  assert.equal(kindWords('agreed'), 'agreed');
  const unit = { versions: [{ annotatorId: 'b', label: 'ORG' }] };
  assert.equal(versionInLane(unit, [{ id: 'a' }, { id: 'b' }], 2).label, 'ORG');
  assert.equal(versionInLane(unit, [{ id: 'a' }, { id: 'b' }], 1), null);
  assert.equal(versionInLane(unit, [{ id: 'a' }], 5), null);
});
