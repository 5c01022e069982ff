// Unit tests of what the pages draw (wwwroot/js/labels.js, live-status.js, editor/links.js, editor/palette.js,
// editor/finished.js): label colours, link badges, the live status, a link's ends, the document's status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelColours, relationBadgeClass, UNKNOWN_COLOUR } from '../../wwwroot/js/labels.js';
import { liveStatusClass } from '../../wwwroot/js/live-status.js';
import { endText, otherDocument } from '../../wwwroot/js/editor/links.js';
import { quoted } from '../../wwwroot/js/editor/palette.js';
import { statusView } from '../../wwwroot/js/editor/finished.js';

test('a label\'s colour comes from the span labels, never from a relation type of the same name', () => {
  const colourOf = labelColours([
    { name: 'SUPPORTS', kind: 'relation', colour: '#000000' },
    { name: 'PERSON', kind: 'entity', colour: '#ff0000' },
    { name: 'SUPPORTS', kind: 'claim', colour: '#00ff00' },
    { name: 'PERSON', kind: 'claim', colour: '#0000ff' },
  ]);
  assert.equal(colourOf('SUPPORTS'), '#00ff00');
  assert.equal(colourOf('PERSON'), '#ff0000', 'the first label of that name');
  assert.equal(colourOf('GONE'), UNKNOWN_COLOUR);
});

test('contradictions read as danger, other links as support; the live status is green, red or amber', () => {
  assert.equal(relationBadgeClass('CONTRADICTS'), 'badge text-bg-danger');
  assert.equal(relationBadgeClass('SUPPORTS'), 'badge text-bg-success');
  assert.equal(liveStatusClass('live'), 'badge text-bg-success');
  assert.equal(liveStatusClass('offline'), 'badge text-bg-danger');
  assert.equal(liveStatusClass('failed'), 'badge text-bg-danger');
  assert.equal(liveStatusClass('reconnecting'), 'badge text-bg-warning');
});

test('a link\'s end shows the span\'s text as the page holds it now, else the text the link carries', () => {
  const store = { annotations: new Map([['a', { text: 'edited here' }]]) };
  const r = { from: 'a', to: 'b', fromText: 'as linked', toText: 'elsewhere' };
  assert.equal(endText(store, r, 'a'), 'edited here');
  assert.equal(endText(store, r, 'b'), 'elsewhere');
  assert.equal(endText({ annotations: new Map() }, r, 'a'), 'as linked');
});

test('the other article of a link is the end not in this one, and none when both ends are here', () => {
  assert.equal(otherDocument({ fromDocumentId: 'd1', toDocumentId: 'd1' }, 'd1'), null);
  assert.equal(otherDocument({ fromDocumentId: 'd1', toDocumentId: 'd2' }, 'd1'), 'd2');
  assert.equal(otherDocument({ fromDocumentId: 'd2', toDocumentId: 'd1' }, 'd1'), 'd2');
});

test('the palette quotes a long selection cut to 60 characters', () => {
  assert.equal(quoted('a word'), 'a word');
  assert.equal(quoted('y'.repeat(61)), 'y'.repeat(57) + '…');
});

test('the status shown for this person\'s document state, and what its button offers', () => {
  assert.deepEqual(statusView(undefined), { finished: false, status: 'New', button: 'Mark finished' });
  assert.deepEqual(statusView({ status: 'new' }), { finished: false, status: 'New', button: 'Mark finished' });
  assert.deepEqual(statusView({ status: 'in_progress' }), { finished: false, status: 'In progress', button: 'Mark finished' });
  assert.deepEqual(statusView({ status: 'finished' }), { finished: true, status: 'Finished', button: 'Reopen' });
});
