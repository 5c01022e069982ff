// Unit tests of the page's measure of a hub message (wwwroot/js/budget.js), against SignalR's own JSON protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { messageBytes, tooLarge } from '../../wwwroot/js/budget.js';

const require = createRequire(import.meta.url);
const { JsonHubProtocol } = require('../../node_modules/@microsoft/signalr/dist/cjs/JsonHubProtocol.js');

/** The bytes the browser client sends for an invocation with this id (its message shape, its protocol's writer). */
function sent(method, args, invocationId) {
  const written = new JsonHubProtocol().writeMessage({ target: method, arguments: args, invocationId: String(invocationId), type: 1 });
  return Buffer.byteLength(written, 'utf8');
}

const change = ['6f1e0e8f-8569-4c49-9d2b-5069548d8442', { note: '叙利亚 “quoted” 🇸🇾 and \n a line', attributes: { attributedTo: 'Ἀθῆναι' }, version: 3 }];

test('the measure is what the protocol writes with the widest invocation id, and never below a real one', () => {
  assert.equal(messageBytes('UpdateAnnotation', change), sent('UpdateAnnotation', change, 9_999_999_999));
  for (const id of [0, 7, 12_345]) assert.ok(messageBytes('UpdateAnnotation', change) >= sent('UpdateAnnotation', change, id));
});

test('characters count in UTF-8 bytes: one for ASCII, three for CJK, four for a character outside the BMP', () => {
  const base = messageBytes('CreateAnnotation', [1, { note: '' }]);
  assert.equal(messageBytes('CreateAnnotation', [1, { note: 'ab' }]) - base, 2);
  assert.equal(messageBytes('CreateAnnotation', [1, { note: '叙利' }]) - base, 6);
  assert.equal(messageBytes('CreateAnnotation', [1, { note: '🚢' }]) - base, 4);
});

test('a message within the budget passes; one byte over is refused, saying by how much', () => {
  const size = messageBytes('CreateAnnotation', [1, { note: 'x'.repeat(100) }]);
  assert.equal(tooLarge('CreateAnnotation', [1, { note: 'x'.repeat(100) }], size), null);
  const refusal = tooLarge('CreateAnnotation', [1, { note: 'x'.repeat(101) }], size);
  assert.match(refusal, /too large/);
  assert.match(refusal, /1 byte over the limit of [\d,]+ bytes/);
  assert.match(tooLarge('CreateAnnotation', [1, { note: 'x'.repeat(1100) }], size), /1,000 bytes over/);
  assert.equal(tooLarge('CreateAnnotation', [1, { note: 'x'.repeat(1100) }], 0), null, 'no budget given: nothing refused');
});
