// Unit tests of the list of shortcuts (wwwroot/js/editor/shortcuts.js) that the `?` key shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHORTCUTS, labelRows } from '../../wwwroot/js/editor/shortcuts.js';

test('every label with a key gets a row, in the project\'s order; labels without a key none', () => {
  const rows = labelRows([{ name: 'PERSON', key: 'p' }, { name: 'CLAIM' }, { name: 'DATE', key: 'd' }]);
  assert.deepEqual(rows, [[['p'], 'label the selection as PERSON'], [['d'], 'label the selection as DATE']]);
});

test('the list names the caret keys, undo and redo, and its own key, each row with keys and what they do', () => {
  const rows = SHORTCUTS.flatMap(([, group]) => group);
  const keys = rows.flatMap(([k]) => k);
  for (const key of ['←', 'Ctrl+→', '↓', 'Home', 'Ctrl+End', 'Shift', 'Escape', 'Ctrl+Z', 'Ctrl+Shift+Z', 'Delete', 'g', '?']) {
    assert.ok(keys.includes(key), `no row for ${key}`);
  }
  for (const [k, what] of rows) { assert.ok(k.length > 0); assert.ok(what.length > 3); }
});
