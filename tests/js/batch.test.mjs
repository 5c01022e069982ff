// Unit tests of the redraw coalescing (wwwroot/js/batch.js) with a hand-driven frame clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesce } from '../../wwwroot/js/batch.js';

function frames() {
  const queue = [];
  return { request: callback => queue.push(callback), tick: () => { for (const callback of queue.splice(0)) callback(); }, get waiting() { return queue.length; } };
}

test('many requests before a frame draw once, at the frame', () => {
  const clock = frames();
  let drawn = 0;
  const refresh = coalesce(() => drawn++, clock.request);
  for (let i = 0; i < 1000; i++) refresh();
  assert.equal(drawn, 0);
  assert.equal(clock.waiting, 1);
  clock.tick();
  assert.equal(drawn, 1);
  clock.tick();
  assert.equal(drawn, 1);
  refresh();
  clock.tick();
  assert.equal(drawn, 2);
});

test('now() draws at once and the pending frame then draws nothing more', () => {
  const clock = frames();
  let drawn = 0;
  const refresh = coalesce(() => drawn++, clock.request);
  refresh();
  refresh.now();
  assert.equal(drawn, 1);
  clock.tick();
  assert.equal(drawn, 1);
  refresh.now();
  assert.equal(drawn, 2);
});

test('a request made while drawing waits for the next frame', () => {
  const clock = frames();
  let drawn = 0;
  const refresh = coalesce(() => { drawn++; if (drawn === 1) refresh(); }, clock.request);
  refresh();
  clock.tick();
  assert.equal(drawn, 1);
  clock.tick();
  assert.equal(drawn, 2);
});
