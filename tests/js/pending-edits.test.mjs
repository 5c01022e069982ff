// Unit tests of the edits kept until the server confirms them (wwwroot/js/editor/pending-edits.js), against a fake
// hub whose answers the test scripts and a timer the test fires by hand (no waiting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingEdits, describePending, subjectOf } from '../../wwwroot/js/editor/pending-edits.js';

const offline = { ok: false, status: 0, detail: 'Not sent: the connection is down.' };
const unavailable = { ok: false, status: 503, detail: 'Database unavailable: nothing was saved; send it again in a few seconds.' };

/** A hub that answers from `script` (one answer per call, in order; then `fallback`) and records each call. */
function setUp(script = [], fallback = { ok: true, status: 200, value: {} }) {
  const calls = [], timers = [], held = [], refused = [];
  let changes = 0;
  const live = { call: async (method, ...args) => { calls.push([method, ...args]); const answer = script.shift() ?? fallback; return typeof answer === 'function' ? answer(method, ...args) : answer; } };
  const pending = new PendingEdits({
    live, onChange: () => { changes++; }, onHeld: e => held.push(e.subject), onRefused: (e, r) => refused.push([e.subject, r.detail]),
    setTimer: (f, ms) => { timers.push({ f, ms }); return timers.length; }, clearTimer: () => {},
  });
  /** Fires the timer set last, as if its delay passed, and lets the calls it makes settle. */
  const tick = async () => { const t = timers.at(-1); t.f(); for (let i = 0; i < 10; i++) await Promise.resolve(); };
  return { pending, calls, timers, held, refused, tick, get changes() { return changes; } };
}

const create = (id) => ['CreateAnnotation', 'd1', { id, layer: 'entity', label: 'ORG', start: 0, end: 5 }];
const settled = async () => { for (let i = 0; i < 10; i++) await Promise.resolve(); };

test('a change saved at once answers at once and keeps nothing', async () => {
  const t = setUp([{ ok: true, status: 200, value: { id: 's1' } }]);
  const result = await t.pending.call(...create('s1'));
  assert.equal(result.ok, true);
  assert.equal(t.pending.count, 0);
  assert.equal(t.timers.length, 0);
});

test('a refusal that is final (400, 409) answers at once: it is not kept or retried', async () => {
  const t = setUp([{ ok: false, status: 409, detail: 'You already marked it.' }]);
  const result = await t.pending.call(...create('s1'));
  assert.equal(result.status, 409);
  assert.equal(t.pending.count, 0);
  assert.equal(t.calls.length, 1);
});

test('a change not sent, or refused by a database outage, is kept, shown, and sent again with the same id until saved', async () => {
  const t = setUp([offline, unavailable, { ok: true, status: 200, value: { id: 's1', version: 1 } }]);
  let answer = null;
  t.pending.call(...create('s1')).then(r => { answer = r; });
  await settled();
  assert.equal(t.pending.count, 1);
  assert.deepEqual([...t.pending.subjects()], ['s1']);
  assert.deepEqual(t.held, ['s1']);
  assert.deepEqual(describePending(t.pending), { state: 'unsaved', text: '1 edit not saved yet', title: 'Kept on this page and sent again until the server saves them. Keep the page open.' });
  assert.equal(t.timers[0].ms, 500);
  await t.tick();
  assert.equal(answer, null, 'still not saved: the promise waits');
  assert.equal(t.timers[1].ms, 1000, 'the wait grows');
  await t.tick();
  assert.deepEqual(answer, { ok: true, status: 200, value: { id: 's1', version: 1 } });
  assert.equal(t.pending.count, 0);
  assert.equal(describePending(t.pending).state, 'saved');
  assert.equal(t.calls.length, 3);
  assert.ok(t.calls.every(c => c[2].id === 's1'), 'every try carries the same client id');
});

test('kept edits are sent in the order they were made, later ones waiting behind the first', async () => {
  const t = setUp([offline], { ok: true, status: 200, value: {} });
  const answers = [];
  t.pending.call(...create('s1')).then(() => answers.push('create'));
  await settled();
  t.pending.call('UpdateAnnotation', 's1', { note: 'n', version: 1 }).then(() => answers.push('update'));
  await settled();
  assert.equal(t.calls.length, 1, 'the update is not sent past the waiting create');
  assert.equal(t.pending.count, 2);
  assert.equal(describePending(t.pending).text, '2 edits not saved yet');
  t.pending.retryNow();
  await settled();
  assert.deepEqual(t.calls.map(c => c[0]), ['CreateAnnotation', 'CreateAnnotation', 'UpdateAnnotation']);
  assert.deepEqual(answers, ['create', 'update']);
});

test('a kept edit the server then refuses is settled with its reason, which the badge shows until dismissed', async () => {
  const t = setUp([unavailable, { ok: false, status: 403, detail: 'You are no longer a member of this project.' }]);
  let answer = null;
  t.pending.call(...create('s1')).then(r => { answer = r; });
  await settled();
  await t.tick();
  assert.equal(answer.status, 403);
  assert.deepEqual(t.refused, [['s1', 'You are no longer a member of this project.']]);
  assert.deepEqual(describePending(t.pending), { state: 'refused', text: '1 unsaved edit refused: You are no longer a member of this project.', title: 'Click to dismiss.' });
  t.pending.clearRefused();
  assert.equal(describePending(t.pending).state, 'saved');
});

test('a delete retried after its first try was saved (the answer lost) finds nothing and counts as done', async () => {
  const t = setUp([offline, { ok: false, status: 404, detail: 'Not found' }]);
  let answer = null;
  t.pending.call('DeleteAnnotation', 's1', 3).then(r => { answer = r; });
  await settled();
  await t.tick();
  assert.deepEqual(answer, { ok: true, status: 200, value: { id: 's1' } });
});

test('the subject of each change is its span or link', () => {
  assert.equal(subjectOf('CreateAnnotation', ['d1', { id: 'a' }]), 'a');
  assert.equal(subjectOf('CreateRelation', ['p1', { id: 'r' }]), 'r');
  assert.equal(subjectOf('UpdateAnnotation', ['a', {}]), 'a');
  assert.equal(subjectOf('DeleteRelation', ['r', 1]), 'r');
  assert.equal(subjectOf('SetDocumentStatus', ['d1', 'finished']), null);
});

test('a kept create stands on the page as the span the server will store, marked unsaved', async () => {
  const { provisionalSpan } = await import('../../wwwroot/js/editor/pending-edits.js');
  assert.deepEqual(provisionalSpan(create('s1').slice(1), { userId: 'u1', name: 'Ana' }),
    { id: 's1', layer: 'entity', label: 'ORG', start: 0, end: 5, documentId: 'd1', version: 1, annotatorId: 'u1', annotatorName: 'Ana', unsaved: true });
});

test('a change goes out only once the one before it has its answer, so a delete never overtakes its create', async () => {
  let answerCreate;
  const t = setUp([() => new Promise(resolve => { answerCreate = resolve; }), { ok: true, status: 200, value: { id: 's1' } }]);
  const created = t.pending.call(...create('s1'));
  const deleted = t.pending.call('DeleteAnnotation', 's1', 1);
  await settled();
  assert.deepEqual(t.calls.map(c => c[0]), ['CreateAnnotation'], 'the delete waits while the create is unanswered');
  answerCreate({ ok: true, status: 200, value: { id: 's1', version: 1 } });
  assert.equal((await created).ok, true);
  assert.equal((await deleted).ok, true);
  assert.deepEqual(t.calls.map(c => c[0]), ['CreateAnnotation', 'DeleteAnnotation']);
});

test('a change made while an earlier one is kept for a retry waits behind it in the queue', async () => {
  const t = setUp([offline, { ok: true, status: 200, value: { id: 's1' } }, { ok: true, status: 200, value: { id: 's2' } }]);
  const first = t.pending.call(...create('s1'));
  const second = t.pending.call(...create('s2'));
  await settled();
  assert.equal(t.pending.count, 2, 'both kept, in the order made');
  await t.tick();
  assert.equal((await first).value.id, 's1');
  assert.equal((await second).value.id, 's2');
  assert.deepEqual(t.calls.map(c => c[2].id), ['s1', 's1', 's2']);
});
