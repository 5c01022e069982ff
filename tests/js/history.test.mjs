// Unit tests of the editor's undo and redo (wwwroot/js/editor/history.js and steps.js), against a fake server
// that holds spans and links the way the hub does: a deleted span's id can be created again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditHistory } from '../../wwwroot/js/editor/history.js';
import { spanCreated, spanUpdated, spanDeleted, linkCreated, linkDeleted } from '../../wwwroot/js/editor/steps.js';

function history() {
  const said = [];
  const errors = [];
  const h = new EditHistory({ announce: m => said.push(m), onError: e => errors.push(e.message) });
  return { h, said, errors };
}

/** A server of spans and links; `down` makes every call answer "not sent", `refuse` answers 409 to the next call. */
function fakeServer() {
  const spans = new Map(), links = new Map();
  const s = {
    spans, links, down: false, refuseNext: null, calls: [],
    answer(work) {
      if (s.down) return { ok: false, status: 0, detail: 'offline' };
      if (s.refuseNext) { const detail = s.refuseNext; s.refuseNext = null; return { ok: false, status: 409, detail }; }
      return work();
    },
    async putSpan(fields) { s.calls.push(['putSpan', fields.id]); return s.answer(() => { const v = { ...fields, version: 1 }; spans.set(v.id, v); return { ok: true, value: v }; }); },
    async patchSpan(id, changes) {
      s.calls.push(['patchSpan', id, changes]);
      return s.answer(() => {
        const current = spans.get(id);
        if (!current) return { ok: false, status: 404, detail: 'gone' };
        const v = { ...current, ...changes, version: current.version + 1 };
        spans.set(id, v);
        return { ok: true, value: v };
      });
    },
    async dropSpan(id) {
      s.calls.push(['dropSpan', id]);
      return s.answer(() => {
        if (!spans.delete(id)) return { ok: false, status: 404, detail: 'gone' };
        for (const [k, l] of links) if (l.from === id || l.to === id) links.delete(k);
        return { ok: true };
      });
    },
    async putLink(fields) { s.calls.push(['putLink', fields.id]); return s.answer(() => { const v = { ...fields, version: 1 }; links.set(v.id, v); return { ok: true, value: v }; }); },
    async dropLink(id) { s.calls.push(['dropLink', id]); return s.answer(() => (links.delete(id) ? { ok: true } : { ok: false, status: 404, detail: 'gone' })); },
  };
  return s;
}

async function made(server, fields) { return (await server.putSpan(fields)).value; }

test('undo then redo of a created span deletes it and brings it back under the same id', async () => {
  const { h, said } = history();
  const server = fakeServer();
  const span = await made(server, { id: 's1', label: 'PERSON', start: 0, end: 3 });
  h.record(spanCreated(server, span));
  await h.undo();
  assert.equal(server.spans.has('s1'), false);
  await h.redo();
  assert.equal(server.spans.get('s1').label, 'PERSON');
  assert.deepEqual(said, ['Undone.', 'Redone.']);
  // Undoing again finds the span by its id, whatever version the redo made.
  await h.undo();
  assert.equal(server.spans.size, 0);
});

test('an update is undone by putting back only the fields it changed', async () => {
  const { h } = history();
  const server = fakeServer();
  await made(server, { id: 's1', label: 'PERSON', note: 'mine', start: 0, end: 3 });
  await server.patchSpan('s1', { label: 'PLACE' });
  h.record(spanUpdated(server, 's1', { label: 'PERSON' }, { label: 'PLACE' }));
  await server.patchSpan('s1', { note: 'someone else' }); // not this person's edit: undo leaves it
  await h.undo();
  assert.deepEqual([server.spans.get('s1').label, server.spans.get('s1').note], ['PERSON', 'someone else']);
  await h.redo();
  assert.equal(server.spans.get('s1').label, 'PLACE');
});

test('undoing a deletion brings back the span and the links the step holds, and redo deletes them again', async () => {
  const { h } = history();
  const server = fakeServer();
  const span = await made(server, { id: 's1', label: 'CLAIM', start: 0, end: 3 });
  const link = (await server.putLink({ id: 'l1', type: 'SUPPORTS', from: 's1', to: 's2' })).value;
  await server.dropSpan('s1');
  assert.equal(server.links.size, 0, 'the server deletes a span\'s links with it');
  h.record(spanDeleted(server, span, [link]));
  await h.undo();
  assert.ok(server.spans.has('s1'));
  assert.deepEqual([...server.links.keys()], ['l1']);
  await h.redo();
  assert.equal(server.spans.size + server.links.size, 0);
});

test('a link made can be undone and redone; a link removed is undone by making it again', async () => {
  const { h } = history();
  const server = fakeServer();
  const link = (await server.putLink({ id: 'l1', type: 'CONTRADICTS', from: 'a', to: 'b' })).value;
  h.record(linkCreated(server, link));
  await h.undo();
  assert.equal(server.links.size, 0);
  await h.redo();
  assert.ok(server.links.has('l1'));

  const { h: h2 } = history();
  await server.dropLink('l1');
  h2.record(linkDeleted(server, link));
  await h2.undo();
  assert.equal(server.links.get('l1').type, 'CONTRADICTS');
  await h2.redo();
  assert.equal(server.links.size, 0);
});

test('a new edit clears what could be redone', async () => {
  const { h, said } = history();
  const server = fakeServer();
  h.record(spanCreated(server, await made(server, { id: 's1', label: 'A', start: 0, end: 1 })));
  await h.undo();
  h.record(spanCreated(server, await made(server, { id: 's2', label: 'B', start: 1, end: 2 })));
  await h.redo();
  assert.equal(said.at(-1), 'Nothing to redo.');
  assert.equal(server.spans.has('s1'), false);
});

test('with nothing recorded, undo and redo only say so', async () => {
  const { h, said } = history();
  await h.undo();
  await h.redo();
  assert.deepEqual(said, ['Nothing to undo.', 'Nothing to redo.']);
});

test('a step not sent (connection down) stays to be tried again; a refused one is dropped and the reason said', async () => {
  const { h, said } = history();
  const server = fakeServer();
  h.record(spanCreated(server, await made(server, { id: 's1', label: 'A', start: 0, end: 1 })));
  server.down = true;
  await h.undo();
  assert.equal(h.undoStack.length, 1);
  assert.ok(server.spans.has('s1'));
  server.down = false;
  await h.undo();
  assert.equal(server.spans.has('s1'), false);
  assert.equal(h.redoStack.length, 1);

  server.refuseNext = 'Changed meanwhile.';
  await h.redo();
  assert.equal(said.at(-1), 'Could not redo: Changed meanwhile.');
  assert.deepEqual([h.undoStack.length, h.redoStack.length], [0, 0]);
});

test('undos run one at a time, newest first, even when asked for at once', async () => {
  const { h, said } = history();
  const order = [];
  let release;
  const gate = new Promise(resolve => { release = resolve; });
  h.record({ undo: async () => { order.push('first starts'); await gate; order.push('first ends'); return { ok: true }; }, redo: async () => ({ ok: true }) });
  h.record({ undo: async () => { order.push('second'); return { ok: true }; }, redo: async () => ({ ok: true }) });
  const all = [h.undo(), h.undo(), h.undo()];
  await new Promise(resolve => setTimeout(resolve, 10));
  assert.deepEqual(order, ['second', 'first starts']);
  assert.deepEqual(said, ['Undone.'], 'the third undo waits for the first step to finish');
  release();
  await Promise.all(all);
  assert.deepEqual(order, ['second', 'first starts', 'first ends']);
  assert.deepEqual(said, ['Undone.', 'Undone.', 'Nothing to undo.']);
  assert.equal(h.redoStack.length, 2);
});

test('an undo that a new edit overtook is not brought back into the redo history', async () => {
  const { h } = history();
  let release;
  const gate = new Promise(resolve => { release = resolve; });
  h.record({ undo: async () => { await gate; return { ok: true }; }, redo: async () => ({ ok: true }) });
  const undoing = h.undo();
  await new Promise(resolve => setTimeout(resolve, 0)); // the undo is on its way
  h.record({ undo: async () => ({ ok: true }), redo: async () => ({ ok: true }) }); // made while the undo was on its way
  release();
  await undoing;
  assert.equal(h.redoStack.length, 0);
  assert.equal(h.undoStack.length, 1);
});

test('a redo that a new edit overtook still goes back into the undo history (it is done work)', async () => {
  const { h } = history();
  let release;
  const gate = new Promise(resolve => { release = resolve; });
  h.record({ undo: async () => ({ ok: true }), redo: async () => { await gate; return { ok: true }; } });
  await h.undo();
  const redoing = h.redo();
  await new Promise(resolve => setTimeout(resolve, 0));
  h.record({ undo: async () => ({ ok: true }), redo: async () => ({ ok: true }) });
  release();
  await redoing;
  assert.equal(h.undoStack.length, 2);
});

test('a step that throws is reported and does not stop the steps queued after it', async () => {
  const { h, said, errors } = history();
  h.record({ undo: async () => ({ ok: true }), redo: async () => ({ ok: true }) });
  h.record({ undo: async () => { throw new Error('broken'); }, redo: async () => ({ ok: true }) });
  await Promise.all([h.undo(), h.undo()]);
  assert.deepEqual(errors, ['broken']);
  assert.deepEqual(said, ['Undone.']);
});
