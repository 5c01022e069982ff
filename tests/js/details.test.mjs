// Unit tests of the pure part of a span's details form (wwwroot/js/editor/fields.js): what saving sends, what
// undoing a save puts back, and what "Apply mine on top" says it will do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formValues, changedFields, changeRequest, fieldsBefore, applyMineSays } from '../../wwwroot/js/editor/fields.js';

const claim = { id: 'c1', layer: 'claim', label: 'CLAIM', note: null, start: 4, end: 9, text: 'rises', version: 3, attributes: { attributedTo: 'the minister', source: 'import' } };

test('the form shows a missing note or attribution as empty text', () => {
  assert.deepEqual(formValues(claim), { label: 'CLAIM', note: '', attributedTo: 'the minister' });
  assert.deepEqual(formValues({ label: 'PERSON', note: 'n' }), { label: 'PERSON', note: 'n', attributedTo: '' });
});

test('saving sends only the fields that differ from what the form was filled with', () => {
  const shown = formValues(claim);
  assert.deepEqual(changedFields({ label: 'CLAIM', note: 'checked', attributedTo: 'the minister' }, shown), { note: 'checked' });
  assert.deepEqual(changedFields({ label: 'CLAIM', note: '', attributedTo: 'the minister' }, shown), {});
  // Clearing a field is a change too.
  assert.deepEqual(changedFields({ label: 'CLAIM', note: '', attributedTo: '' }, shown), { attributedTo: '' });
});

test('the attribution is sent inside the span\'s own attributes, keeping the others', () => {
  assert.deepEqual(changeRequest({ attributedTo: 'the mayor', note: 'x' }, claim), { note: 'x', attributes: { attributedTo: 'the mayor', source: 'import' } });
  assert.deepEqual(changeRequest({ attributedTo: '' }, claim), { attributes: { source: 'import' } });
  assert.deepEqual(changeRequest({ attributedTo: 'someone' }, { attributes: null }), { attributes: { attributedTo: 'someone' } });
  // Without an attribution change the attributes are not sent at all (the server keeps its own).
  assert.deepEqual(changeRequest({ label: 'OPINION' }, claim), { label: 'OPINION' });
  assert.equal(claim.attributes.attributedTo, 'the minister', 'the span the page holds is not changed');
});

test('undoing a change puts back exactly the fields it touched, as they were', () => {
  assert.deepEqual(fieldsBefore(claim, { label: 'OPINION' }), { label: 'CLAIM' });
  assert.deepEqual(fieldsBefore(claim, { note: 'x', attributedTo: '' }), { note: '', attributedTo: 'the minister' });
  // New boundaries are undone by the old offsets; the text follows them and is not put back on its own.
  assert.deepEqual(fieldsBefore(claim, { start: 0, end: 9, text: 'Inflation rises' }), { start: 4, end: 9 });
});

test('"Apply mine on top" names the fields it sets and the ones of theirs it keeps', () => {
  const theirs = { ...claim, label: 'OPINION', note: 'theirs', version: 4 };
  assert.equal(applyMineSays({ note: 'mine' }, theirs),
    'Apply mine on top sets only your note; it keeps their label (OPINION), attribution (the minister), boundaries (“rises”).');
  assert.equal(applyMineSays({ label: 'CLAIM', note: 'mine', attributedTo: '', start: 0, end: 9 }, theirs),
    'Apply mine on top sets only your label and note and attribution and boundaries.');
  // An entity has no attribution to keep; an empty note is said to be none.
  const entity = { layer: 'entity', label: 'PLACE', note: '', text: 'Paris' };
  assert.equal(applyMineSays({ label: 'PERSON' }, entity), 'Apply mine on top sets only your label; it keeps their note (none), boundaries (“Paris”).');
});
