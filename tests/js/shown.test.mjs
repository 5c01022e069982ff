// Unit tests of what the editor keeps edit by edit instead of redoing it for every span at every edit: the spans the
// filters show (wwwroot/js/editor/shown.js) with the legend's counts, the side panel's groups (SpanGroups in
// wwwroot/js/spans.js) and the blocks a span reaches (blocksOf in wwwroot/js/blocks.js). Each is checked against what
// the whole computation gives, over a seeded walk of edits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnnotationStore } from '../../wwwroot/js/annotations.js';
import { ShownSpans } from '../../wwwroot/js/editor/shown.js';
import { legendEntries, labelCounts, passes } from '../../wwwroot/js/editor/legend.js';
import { groupByLayerAndLabel, SpanGroups } from '../../wwwroot/js/spans.js';
import { spansByBlock, blocksOf } from '../../wwwroot/js/blocks.js';

const LABELS = ['PERSON', 'ORG', 'CLAIM'];
const span = (id, start, end, label, who = 'u1', documentId = 7) =>
  ({ id, documentId, start, end, label, layer: label === 'CLAIM' ? 'claim' : 'entity', annotatorId: who, annotatorName: who, version: 1 });

/** A seeded walk of live events on a store: spans created, changed (a new object, a new version) and deleted. */
function* edits(store, steps, seed = 11) {
  const random = n => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let step = 0; step < steps; step++) {
    const id = `s${random(40)}`;
    const current = store.annotations.get(id);
    if (current && random(4) === 0) store.apply({ kind: 'annotation_deleted', data: { id } });
    else {
      const start = random(200);
      const next = span(id, start, start + 1 + random(15), LABELS[random(3)], random(2) ? 'u1' : 'u2', random(10) ? 7 : 8);
      store.apply({ kind: current ? 'annotation_updated' : 'annotation_created', data: { ...next, version: (current?.version ?? 0) + 1 } });
    }
    yield step;
  }
}

test('the spans shown, kept edit by edit, are those the filters let through, and each change is named once with its objects', () => {
  const store = new AnnotationStore();
  store.load({ annotations: [span('s0', 0, 4, 'PERSON'), span('x', 0, 4, 'ORG', 'u1', 8)] });
  store.track();
  const shown = new ShownSpans(store, 7);
  assert.equal(shown.update(store.takeTouched(), '', null), null, 'the first time: everything afresh');
  const filters = [['', null], ['u2', null], ['', 'ORG'], ['u1', 'CLAIM']];
  for (const step of edits(store, 400)) {
    const [who, only] = filters[Math.floor(step / 100)];
    const drawn = new Map(shown.shown);
    const changes = shown.update(store.takeTouched(), who, only);
    const counted = [...store.annotations.values()].filter(a => a.documentId === 7 && (!who || a.annotatorId === who));
    const expected = counted.filter(a => passes(only, a));
    assert.deepEqual(new Set(shown.shown.values()), new Set(expected), `step ${step}`);
    assert.deepEqual(new Set(shown.counted.values()), new Set(counted));
    assert.deepEqual(shown.counts, labelCounts(counted), 'the legend\'s counts');
    if (step % 100 === 0 && step > 0) { assert.equal(changes, null, 'other filters: afresh'); continue; }
    // The changes bring what was drawn to what is shown, and name only spans that changed.
    for (const { id, before, after } of changes) {
      assert.equal(drawn.get(id), before);
      assert.notEqual(before, after);
      if (after) drawn.set(id, after); else drawn.delete(id);
    }
    assert.deepEqual(new Set(drawn.values()), new Set(shown.shown.values()));
  }
});

test('the legend counts from counts kept by the page as from the spans, and names a label no longer in the set', () => {
  const labels = [{ name: 'PERSON', kind: 'entity', key: 'p' }, { name: 'CLAIM', kind: 'claim' }];
  const spans = new Map([['a', span('a', 0, 2, 'PERSON')], ['b', span('b', 3, 5, 'PERSON')], ['c', span('c', 6, 8, 'GONE')]]);
  spans.get('c').layer = 'claim';
  const colourOf = () => '#336699';
  const fromSpans = legendEntries(labels, [...spans.values()], colourOf);
  assert.deepEqual(legendEntries(labels, spans, colourOf, labelCounts(spans.values())), fromSpans);
  assert.deepEqual(fromSpans.map(e => [e.name, e.count, e.kind, e.known]), [['PERSON', 2, 'entity', true], ['CLAIM', 0, 'claim', true], ['GONE', 1, 'claim', false]]);
});

test('the side panel\'s groups kept edit by edit are what grouping every span gives, and an untouched group keeps its list', () => {
  const store = new AnnotationStore();
  store.track();
  const shown = new ShownSpans(store, 7);
  shown.update(store.takeTouched(), '', null);
  const groups = new SpanGroups();
  groups.reset(shown.shown.values());
  const said = list => JSON.stringify(list.map(g => [g.layer, g.label, g.items.map(a => `${a.id}@${a.start}-${a.end}`)]));
  for (const step of edits(store, 300, 5)) {
    const before = new Map(groups.ordered.map(g => [g.label, g.items]));
    const changes = shown.update(store.takeTouched(), '', null);
    const ordered = groups.apply(changes);
    assert.equal(said(ordered), said(groupByLayerAndLabel(shown.shown.values())), `step ${step}`);
    const touched = new Set(changes.flatMap(c => [c.before?.label, c.after?.label]));
    for (const g of ordered) if (!touched.has(g.label)) assert.equal(g.items, before.get(g.label), `step ${step}: ${g.label} kept its list`);
    // The same changes given again (a reset came between) change nothing.
    assert.equal(said(groups.apply(changes)), said(ordered));
  }
});

test('the blocks a span reaches are those spansByBlock puts it in', () => {
  const blocks = [{ start: 0, end: 10 }, { start: 10, end: 20 }, { start: 20, end: 30 }];
  const spans = [{ start: 0, end: 10 }, { start: 9, end: 11 }, { start: 10, end: 30 }, { start: 25, end: 26 }, { start: 29, end: 40 }];
  const byBlock = spansByBlock(blocks, spans);
  for (const s of spans) assert.deepEqual(blocksOf(blocks, s), [0, 1, 2].filter(i => byBlock[i].includes(s)));
  assert.deepEqual(blocksOf([], spans[0]), []);
});
