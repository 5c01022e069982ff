// Unit test of the editor's Next document key (wwwroot/js/next-document.js): Alt+N, and never a label key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNextDocumentKey } from '../../wwwroot/js/next-document.js';
import { keyCommand } from '../../wwwroot/js/editor/keys.js';

test('Alt+N asks for the next document, by its code too (a Mac types a character with Option+N)', () => {
  assert.equal(isNextDocumentKey({ key: 'n', code: 'KeyN', altKey: true }), true);
  assert.equal(isNextDocumentKey({ key: '˜', code: 'KeyN', altKey: true }), true);
  assert.equal(isNextDocumentKey({ key: 'n', code: 'KeyN' }), false);
  assert.equal(isNextDocumentKey({ key: 'n', code: 'KeyN', altKey: true, ctrlKey: true }), false);
  assert.equal(isNextDocumentKey({ key: 'N', code: 'KeyN', altKey: true, shiftKey: true }), false);
});

test('Alt+N is never a label key, even when a label uses n', () => {
  const labels = [{ name: 'NATIONALITY', key: 'n' }];
  const place = { typing: false, writing: false, onOpenSpan: false };
  assert.equal(keyCommand({ key: 'n', code: 'KeyN', altKey: true }, place, { selecting: true, openSpanIsMine: false, labels }), null);
  assert.equal(keyCommand({ key: 'n' }, place, { selecting: true, openSpanIsMine: false, labels })?.command, 'label');
});
