// Unit tests of the keyboard caret (wwwroot/js/editor/caret.js): which key is which move, and where each move puts
// the caret, over a made-up layout (a grid of equal cells that wraps at a fixed width, left to right or right to left).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caretCommand, moveCaret, selectionOf, caretPlace, boundary } from '../../wwwroot/js/editor/caret.js';
import { clusterAt } from '../../wwwroot/js/offsets.js';

/** Lays `text` out in cells of 10 x 20, `width` clusters a line, breaking after '\n'; each cluster one cell. */
function gridLayout(text, width, { rtl = false } = {}) {
  const boxes = new Map();
  let column = 0, row = 0;
  for (let i = 0; i < text.length;) {
    const { end } = clusterAt(text, i);
    if (column >= width) { column = 0; row++; }
    const left = rtl ? (width - column - 1) * 10 : column * 10;
    boxes.set(i, { left, right: left + (text[i] === '\n' ? 0 : 10), top: row * 20, bottom: row * 20 + 20 });
    if (text[i] === '\n') { column = 0; row++; } else column++;
    i = end;
  }
  return { boxOf: i => boxes.get(i) ?? null, rtl };
}

const at = position => ({ anchor: position, focus: position });
const move = (text, state, key, layout) => moveCaret(text, state, caretCommand(typeof key === 'string' ? { key } : key, { rtl: layout?.rtl }), layout);

/** Every place a caret may stand: the boundaries of the text's grapheme clusters. */
function boundaries(text) {
  const places = new Set([0]);
  for (let i = 0; i < text.length;) { i = clusterAt(text, i).end; places.add(i); }
  return places;
}

test('arrows, Ctrl+arrows, Up/Down, Home/End and Shift map to moves; other keys are no caret keys', () => {
  assert.deepEqual(caretCommand({ key: 'ArrowRight' }), { by: 'character', direction: 1, extend: false });
  assert.deepEqual(caretCommand({ key: 'ArrowLeft', ctrlKey: true, shiftKey: true }), { by: 'word', direction: -1, extend: true });
  assert.deepEqual(caretCommand({ key: 'ArrowUp' }), { by: 'line', direction: -1, extend: false });
  assert.deepEqual(caretCommand({ key: 'End', shiftKey: true }), { by: 'lineEdge', direction: 1, extend: true });
  assert.deepEqual(caretCommand({ key: 'Home', ctrlKey: true }), { by: 'text', direction: -1, extend: false });
  assert.deepEqual(caretCommand({ key: 'ArrowRight', metaKey: true }), { by: 'lineEdge', direction: 1, extend: false });
  assert.equal(caretCommand({ key: 'a' }), null);
  assert.equal(caretCommand({ key: 'Enter' }), null);
});

test('in right-to-left text the left arrow moves towards the end of the text', () => {
  assert.equal(caretCommand({ key: 'ArrowLeft' }, { rtl: true }).direction, 1);
  assert.equal(caretCommand({ key: 'ArrowRight', ctrlKey: true }, { rtl: true }).direction, -1);
  assert.equal(caretCommand({ key: 'ArrowDown' }, { rtl: true }).direction, 1, 'lines still go down');
});

test('the caret steps over a flag, an emoji sequence and a letter with its accent as one character each', () => {
  // 🇸🇾 is two code points (four UTF-16 units); 👩‍👩‍👧 is five code points joined; e + U+0301 is one letter.
  const text = 'a 🇸🇾🇷🇺 b 👩‍👩‍👧 cafe\u0301!';
  const places = boundaries(text);
  let state = at(0);
  const seen = [0];
  while (state.focus < text.length) {
    state = move(text, state, 'ArrowRight');
    assert.ok(places.has(state.focus), `landed inside a character at ${state.focus}`);
    seen.push(state.focus);
  }
  assert.deepEqual(seen, [0, 1, 2, 6, 10, 11, 12, 13, 21, 22, 23, 24, 25, 27, 28]);
  // And back again, over the same places.
  const back = [];
  while (state.focus > 0) { state = move(text, state, 'ArrowLeft'); back.push(state.focus); }
  assert.deepEqual(back, seen.slice(0, -1).reverse());
  // A position handed in from inside a flag (a click between its halves) is taken back to the flag's start.
  assert.equal(boundary(text, 4), 2);
  assert.equal(boundary(text, 3), 2);
});

test('Shift extends a selection from where it started; a plain arrow collapses it to the edge on its side', () => {
  const text = 'Flag 🇸🇾: Tavhid va Jihod';
  let state = at(5);
  state = move(text, state, { key: 'ArrowRight', shiftKey: true });
  assert.deepEqual(selectionOf(state), { start: 5, end: 9, backward: false });
  assert.equal(text.slice(5, 9), '🇸🇾');
  state = move(text, move(text, state, 'ArrowRight'), 'ArrowRight');
  state = move(text, state, 'ArrowRight');
  assert.equal(state.focus, 11);
  state = move(text, state, { key: 'ArrowRight', ctrlKey: true, shiftKey: true });
  const selected = selectionOf(state);
  assert.equal(text.slice(selected.start, selected.end), 'Tavhid');
  // Shift+Ctrl+Left twice: back over "Tavhid" to the caret's start, then past it: the selection turns backward.
  state = move(text, state, { key: 'ArrowLeft', ctrlKey: true, shiftKey: true });
  assert.equal(selectionOf(state), null);
  state = move(text, state, { key: 'ArrowLeft', shiftKey: true });
  assert.deepEqual(selectionOf(state), { start: 10, end: 11, backward: true });
  const collapsed = move(text, { anchor: 5, focus: 9 }, 'ArrowLeft');
  assert.deepEqual([collapsed.anchor, collapsed.focus], [5, 5]);
  const right = move(text, { anchor: 9, focus: 5 }, 'ArrowRight');
  assert.deepEqual([right.anchor, right.focus], [9, 9]);
});

test('Ctrl+arrows move by word and never into a character', () => {
  const text = '#Syria / #Russia 🇸🇾🇷🇺: Tavhid';
  let state = at(0);
  const stops = [];
  while (state.focus < text.length) { state = move(text, state, { key: 'ArrowRight', ctrlKey: true }); stops.push(state.focus); }
  assert.deepEqual(stops.map(s => text.slice(0, s)), ['#Syria', '#Syria / #Russia', text]);
  state = move(text, state, { key: 'ArrowLeft', ctrlKey: true });
  assert.equal(text.slice(state.focus), 'Tavhid');
});

test('Up and Down keep to the column they started from, over a short line, and stop at the text\'s ends', () => {
  // Lines of 10 cells: "0123456789" / "abcdefghij" / "xy\n" / "ABCDEFGHIJ" / "K"
  const text = '0123456789abcdefghijxy\nABCDEFGHIJK';
  const layout = gridLayout(text, 10);
  let state = at(7); // before "7"
  state = move(text, state, 'ArrowDown', layout);
  assert.equal(text[state.focus], 'h');
  state = move(text, state, 'ArrowDown', layout);
  assert.equal(state.focus, 22, 'the short line\'s end, before its line break');
  state = move(text, state, 'ArrowDown', layout);
  assert.equal(text[state.focus], 'H', 'back in column 7 on the next long line');
  state = move(text, state, 'ArrowDown', layout);
  assert.equal(state.focus, text.length, 'the last line is shorter: its end');
  state = move(text, state, 'ArrowDown', layout);
  assert.equal(state.focus, text.length, 'past the last line: the end of the text');
  state = move(text, at(3), 'ArrowUp', layout);
  assert.equal(state.focus, 0, 'past the first line: the start of the text');
  state = move(text, at(text.indexOf('H')), 'ArrowUp', layout);
  assert.equal(state.focus, 22);
  state = move(text, state, 'ArrowUp', layout);
  assert.equal(text[state.focus], 'h');
  // A side move forgets the column.
  state = move(text, move(text, state, 'ArrowLeft', layout), 'ArrowUp', layout);
  assert.equal(text[state.focus], '6');
});

test('Shift+Down selects to the same column on the next line', () => {
  const text = '0123456789abcdefghij';
  const layout = gridLayout(text, 10);
  const state = move(text, at(2), { key: 'ArrowDown', shiftKey: true }, layout);
  assert.deepEqual(selectionOf(state), { start: 2, end: 12, backward: false });
});

test('Home and End go to the ends of the line as wrapped; at a wrapped end the caret is drawn on that line', () => {
  const text = '0123456789abcdefghij\nxyz';
  const layout = gridLayout(text, 10);
  let state = move(text, at(14), 'Home', layout);
  assert.equal(state.focus, 10);
  state = move(text, state, 'End', layout);
  assert.equal(state.focus, 20, 'before the line break');
  state = move(text, at(3), 'End', layout);
  assert.equal(state.focus, 10);
  assert.equal(state.atLineEnd, true);
  assert.deepEqual(caretPlace(text, state, layout), { x: 100, top: 0, bottom: 20, at: 9 }, 'after "9", not before "a"');
  assert.deepEqual(caretPlace(text, at(10), layout), { x: 0, top: 20, bottom: 40, at: 10 });
  state = move(text, at(22), { key: 'Home', shiftKey: true }, layout);
  assert.deepEqual(selectionOf(state), { start: 21, end: 22, backward: true });
  assert.equal(move(text, at(22), { key: 'End', ctrlKey: true }, layout).focus, text.length);
  // A flag is one cell: End after it lands after the whole flag.
  const flags = 'ab🇸🇾';
  assert.equal(move(flags, at(0), 'End', gridLayout(flags, 10)).focus, 6);
});

test('in right-to-left text the caret is drawn at a letter\'s right edge, and Up/Down keep to its column', () => {
  const text = 'مرحبا بالعالم هذا نص';
  const layout = gridLayout(text, 10, { rtl: true });
  assert.equal(caretPlace(text, at(0), layout).x, 100, 'the start of a right-to-left line is its right edge');
  assert.equal(caretPlace(text, at(2), layout).x, 80);
  // The left arrow moves forward.
  assert.equal(move(text, at(0), 'ArrowLeft', layout).focus, 1);
  const down = move(text, at(2), 'ArrowDown', layout);
  assert.equal(down.focus, 12);
  assert.equal(caretPlace(text, down, layout).x, 80);
  assert.equal(move(text, at(12), 'Home', layout).focus, 10);
});

test('PageDown and PageUp move a visible height of lines, keep the column, stop at the ends, and Shift extends', () => {
  // 30 lines of 10 characters; a page is 5 lines of 20 px.
  const text = Array.from({ length: 30 }, (_, n) => String(n).padStart(2, '0') + 'abcdefg').join('\n');
  const layout = { ...gridLayout(text, 10), pageHeight: 100 };
  assert.deepEqual(caretCommand({ key: 'PageDown' }), { by: 'page', direction: 1, extend: false });
  assert.deepEqual(caretCommand({ key: 'PageUp', shiftKey: true }), { by: 'page', direction: -1, extend: true });

  let state = move(text, at(3), 'PageDown', layout); // line 0, column 3
  assert.equal(state.focus, 5 * 10 + 3, 'five lines down, same column');
  state = move(text, state, 'PageDown', layout);
  assert.equal(state.focus, 10 * 10 + 3);
  state = move(text, state, 'PageUp', layout);
  assert.equal(state.focus, 5 * 10 + 3, 'and back up');
  const selected = move(text, state, { key: 'PageDown', shiftKey: true }, layout);
  assert.deepEqual(selectionOf(selected), { start: 53, end: 103, backward: false });

  const nearEnd = move(text, at(27 * 10 + 3), 'PageDown', layout);
  assert.equal(nearEnd.focus, 29 * 10 + 3, 'the last line when less than a page is left');
  assert.equal(move(text, nearEnd, 'PageDown', layout).focus, text.length, 'then the end of the text');
  assert.equal(move(text, at(2 * 10 + 3), 'PageUp', layout).focus, 3, 'the first line when less than a page is above');
  assert.equal(move(text, at(3), 'PageUp', layout).focus, 0, 'then the start of the text');
  assert.equal(move(text, at(2 * 10), 'PageUp', layout).focus, 0, 'column 0 of the first line is the start of the text');
});
