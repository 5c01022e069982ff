// Unit tests of the links drawn on the text (wwwroot/js/editor/link-arcs.js): which claims carry a link marker or a
// badge naming another article, which links become arcs, and the arcs' shapes and heights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkMarks, arcLinks, arcLayout, RISE, STEP } from '../../wwwroot/js/editor/link-arcs.js';

const rel = (id, from, to, fromDocumentId = 1, toDocumentId = 1, type = 'CONTRADICTS') => ({ id, from, to, fromDocumentId, toDocumentId, type });
const shown = new Set(['a', 'b', 'c', 'd']);

test('a link inside the article marks both claims, with its direction; a link out of it names the other article', () => {
  const marks = linkMarks([rel('r1', 'a', 'b'), rel('r2', 'c', 'x', 1, 2, 'SUPPORTS'), rel('r3', 'y', 'd', 3, 1)], shown, 1,
    new Map([['2', 'Ferry fire: the operator speaks']]));
  assert.deepEqual(marks.get('a'), [{ id: 'r1', type: 'CONTRADICTS', outgoing: true, other: null }]);
  assert.deepEqual(marks.get('b'), [{ id: 'r1', type: 'CONTRADICTS', outgoing: false, other: null }]);
  assert.deepEqual(marks.get('c'), [{ id: 'r2', type: 'SUPPORTS', outgoing: true, other: { documentId: 2, title: 'Ferry fire: the operator speaks', annotationId: 'x' } }]);
  assert.equal(marks.get('d')[0].other.title, 'another article'); // a title the page was not given
  assert.equal(marks.get('d')[0].outgoing, false);
});

test('claims not drawn (filtered out) carry no marker, and their links no arc', () => {
  const relations = [rel('r1', 'a', 'hidden'), rel('r2', 'a', 'b'), rel('r3', 'a', 'x', 1, 2)];
  assert.equal(linkMarks(relations, shown, 1).get('hidden'), undefined);
  assert.deepEqual(arcLinks(relations, shown, 1).map(r => r.id), ['r2']);
});

test('an arc over one line rises from the top of one tag and lands on the other with an arrowhead', () => {
  const boxes = { a: { left: 10, top: 100, width: 20, height: 12 }, b: { left: 210, top: 101, width: 40, height: 12 } };
  const [arc] = arcLayout([rel('r1', 'a', 'b')], id => boxes[id]);
  assert.equal(arc.sameLine, true);
  assert.equal(arc.level, 1);
  assert.deepEqual(arc.start, [20, 100]);
  assert.deepEqual(arc.end, [230, 101]);
  assert.equal(arc.path, `M 20 100 C 20 ${100 - RISE}, 230 ${100 - RISE}, 230 101`);
  assert.equal(arc.head, 'M 226.5 95 L 230 101 L 233.5 95 Z');
});

test('overlapping arcs on one line get their own heights, the shorter lower; apart or on other lines they share one', () => {
  const at = (left, top = 100) => ({ left, top, width: 10, height: 12 });
  const boxes = { a: at(0), b: at(100), c: at(40), d: at(60), e: at(300), f: at(400), g: at(0, 200), h: at(100, 200) };
  const arcs = arcLayout([rel('wide', 'a', 'b'), rel('inner', 'c', 'd'), rel('apart', 'e', 'f'), rel('below', 'g', 'h')], id => boxes[id]);
  const level = Object.fromEntries(arcs.map(x => [x.id, x.level]));
  assert.deepEqual(level, { wide: 2, inner: 1, apart: 1, below: 1 });
  const wide = arcs.find(x => x.id === 'wide');
  assert.match(wide.path, new RegExp(`C 5 ${100 - RISE - STEP},`));
});

test('an arc between lines runs above the lines and down the left margin, crossing no text; an end not on screen draws none', () => {
  const boxes = { a: { left: 300, top: 40, width: 20, height: 12 }, b: { left: 60, top: 140, width: 20, height: 12 } };
  const arcs = arcLayout([rel('r1', 'a', 'b'), rel('r2', 'a', 'gone')], id => boxes[id] ?? null, 6);
  assert.equal(arcs.length, 1);
  assert.equal(arcs[0].sameLine, false);
  const [ya, yb] = [40 - RISE, 140 - RISE];
  assert.equal(arcs[0].path, `M 310 40 Q 310 ${ya} 304 ${ya} L 12 ${ya} Q 6 ${ya} 6 ${ya + 6} L 6 ${yb - 6} Q 6 ${yb} 12 ${yb} L 64 ${yb} Q 70 ${yb} 70 140`);
  // Every point of it is above a line's tags or in the margin.
  const points = [...arcs[0].path.matchAll(/(-?[\d.]+) (-?[\d.]+)/g)].map(m => [+m[1], +m[2]]);
  assert.ok(points.every(([x, y]) => x <= 12 || y <= 40 || (y <= 140 && y >= yb) || y === 140));
});
