// Unit tests of the editor's keyboard shortcuts (wwwroot/js/editor/keys.js): which command a key press is, and
// where it counts as typing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyCommand, placeOf } from '../../wwwroot/js/editor/keys.js';

const labels = [{ name: 'PERSON', key: 'p' }, { name: 'PLACE', key: 'l' }, { name: 'CLAIM' }];
const inText = { typing: false, writing: false, onOpenSpan: false };
const idle = { selecting: false, openSpanIsMine: false, labels };
const command = (key, place = inText, state = idle) => keyCommand(typeof key === 'string' ? { key } : key, place, state)?.command ?? null;

test('Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (Cmd too), but not while typing in a control', () => {
  assert.equal(command({ key: 'z', ctrlKey: true }), 'undo');
  assert.equal(command({ key: 'Z', ctrlKey: true, shiftKey: true }), 'redo');
  assert.equal(command({ key: 'y', metaKey: true }), 'redo');
  assert.equal(keyCommand({ key: 'z', ctrlKey: true }, inText, idle).preventDefault, true);
  assert.equal(command({ key: 'z', ctrlKey: true }, { ...inText, typing: true }), null, 'the field\'s own undo');
});

test('a label\'s key labels the selection, in either case; other keys and unkeyed labels do nothing', () => {
  const selecting = { ...idle, selecting: true };
  assert.deepEqual(keyCommand({ key: 'P' }, inText, selecting), { command: 'label', label: labels[0], preventDefault: true });
  assert.equal(command('x', inText, selecting), null);
  assert.equal(command('p'), null, 'nothing selected');
  assert.equal(command({ key: 'p', altKey: true }, inText, selecting), null);
  assert.equal(command('p', { ...inText, typing: true }, selecting), null);
  // A selection takes single characters: Escape still closes what is open.
  assert.equal(command('Escape', inText, selecting), 'escape');
});

test('Delete deletes the open span only where the person is on it, once per press, and only their own', () => {
  const mine = { ...idle, openSpanIsMine: true };
  const onIt = { ...inText, onOpenSpan: true };
  assert.equal(command('Delete', onIt, mine), 'delete');
  assert.equal(command('Delete', { ...onIt, typing: true }, mine), 'delete', 'in the label select');
  assert.equal(command('Delete', { ...onIt, typing: true, writing: true }, mine), null, 'in the note');
  assert.equal(command('Delete', inText, mine), null, 'not on the open span');
  assert.equal(command({ key: 'Delete', repeat: true }, onIt, mine), null);
  assert.equal(command({ key: 'Delete', ctrlKey: true }, onIt, mine), null);
  assert.equal(command('Delete', onIt, idle), null, 'someone else\'s span');
});

test('Escape closes, without taking the key from the browser; it does nothing in a control', () => {
  assert.deepEqual(keyCommand({ key: 'Escape' }, inText, idle), { command: 'escape', preventDefault: false });
  assert.equal(command('Escape', { ...inText, typing: true }), null);
});

/** An element standing in for the event's target: answers closest() for the selectors it is inside. */
function target(inside, annotation) {
  return {
    closest(selectors) {
      const hit = selectors.split(',').map(s => s.trim()).find(s => inside.includes(s));
      return hit ? { dataset: { annotation } } : null;
    },
  };
}

test('a select counts as typing but not as writing; the open span\'s own list item counts as being on it', () => {
  assert.deepEqual(placeOf(target(['select', '#details']), 's1'), { typing: true, writing: false, onOpenSpan: true });
  assert.deepEqual(placeOf(target(['textarea', '#details']), 's1'), { typing: true, writing: true, onOpenSpan: true });
  assert.deepEqual(placeOf(target(['.annotation-item'], 's1'), 's1'), { typing: false, writing: false, onOpenSpan: true });
  assert.deepEqual(placeOf(target(['.annotation-item'], 's2'), 's1'), { typing: false, writing: false, onOpenSpan: false });
  assert.deepEqual(placeOf(target(['.annotation-item'], 's2'), null), { typing: false, writing: false, onOpenSpan: false });
  // The document itself has no closest(): nothing special.
  assert.deepEqual(placeOf({}, 's1'), { typing: false, writing: false, onOpenSpan: false });
});

test('a key press without a key (as autofill sends) is no shortcut, even with a selection or Ctrl held', () => {
  assert.equal(keyCommand({ ctrlKey: true }, inText, idle), null);
  assert.equal(keyCommand({}, inText, { ...idle, selecting: true }), null);
});
