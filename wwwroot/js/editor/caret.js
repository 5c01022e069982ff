// The keyboard caret in the article, as plain data: which move a key asks for (caretCommand) and where a move puts
// the caret and the other end of the selection (moveCaret). Nothing here touches the page: moves by line and to a
// line's ends ask a `layout` for the box of a character, so they are tested with a made-up layout (tests/js) and run
// in the page against the browser's (editor/caret-view.js).
//
// Positions are UTF-16 offsets into the text, as the DOM counts, and are always between two grapheme clusters
// (what a reader sees as one character: a flag is two code points and four UTF-16 units, and the caret never lands
// inside it). The page turns them into code points (offsets.js) before anything is stored or sent.

import { nextCharacter, nextWordBoundary, clusterStart } from '../offsets.js';

/**
 * @typedef {{anchor: number, focus: number, goalX?: number | null, atLineEnd?: boolean}} CaretState
 *   anchor: where a Shift-extended selection started; focus: where the caret is (equal when nothing is selected);
 *   goalX: the horizontal place Up and Down keep to, over several presses; atLineEnd: the caret is drawn at the end
 *   of a wrapped line rather than at the start of the next one (both are the same offset).
 * @typedef {{by: 'character' | 'word' | 'line' | 'lineEdge' | 'page' | 'text', direction: 1 | -1, extend: boolean}} CaretCommand
 *   direction is logical: +1 towards the end of the text, whatever way the text runs on screen.
 * @typedef {{boxOf: (i: number) => ({left: number, right: number, top: number, bottom: number} | null), rtl?: boolean, pageHeight?: number}} Layout
 *   boxOf: the box of the character (cluster) starting at UTF-16 offset i, as laid out; rtl: the text runs right to left.
 */

/**
 * The caret move a key press asks for, or null when it is no caret key. In right-to-left text the left arrow moves
 * towards the end of the text (visual order, as browsers do in an editable field).
 * @param {{key: string, ctrlKey?: boolean, altKey?: boolean, metaKey?: boolean, shiftKey?: boolean}} key
 * @param {{rtl?: boolean}} options
 * @returns {CaretCommand | null}
 */
export function caretCommand(key, { rtl = false } = {}) {
  const extend = Boolean(key.shiftKey);
  switch (key.key) {
    case 'ArrowRight':
    case 'ArrowLeft': {
      const visual = key.key === 'ArrowRight' ? 1 : -1;
      const direction = rtl ? -visual : visual;
      if (key.metaKey) return { by: 'lineEdge', direction, extend }; // macOS: Cmd+arrow goes to the line's end
      return { by: key.ctrlKey || key.altKey ? 'word' : 'character', direction, extend };
    }
    case 'ArrowDown':
    case 'ArrowUp': {
      const direction = key.key === 'ArrowDown' ? 1 : -1;
      if (key.metaKey) return { by: 'text', direction, extend }; // macOS: Cmd+Up/Down go to the text's ends
      return { by: 'line', direction, extend };
    }
    case 'Home':
    case 'End':
      return { by: key.ctrlKey || key.metaKey ? 'text' : 'lineEdge', direction: key.key === 'End' ? 1 : -1, extend };
    case 'PageDown':
    case 'PageUp':
      return { by: 'page', direction: key.key === 'PageDown' ? 1 : -1, extend };
    default:
      return null;
  }
}

/**
 * Where the caret goes for a command. Without Shift a selection collapses: a character move to the selection's
 * edge on that side, other moves from the caret (as in a text field).
 * @param {string} text
 * @param {CaretState} state
 * @param {CaretCommand} command
 * @param {Layout} [layout]  needed by 'line', 'lineEdge' and 'page' moves
 * @returns {CaretState}
 */
export function moveCaret(text, state, command, layout) {
  const anchor = boundary(text, state.anchor), focus = boundary(text, state.focus);
  const { by, direction, extend } = command;
  if (!extend && by === 'character' && anchor !== focus) {
    const edge = direction > 0 ? Math.max(anchor, focus) : Math.min(anchor, focus);
    return { anchor: edge, focus: edge, goalX: null, atLineEnd: false };
  }
  let next = { focus, goalX: null, atLineEnd: false };
  if (by === 'character') next.focus = nextCharacter(text, focus, direction);
  else if (by === 'word') next.focus = nextWordBoundary(text, focus, direction);
  else if (by === 'text') next.focus = direction > 0 ? text.length : 0;
  else if (by === 'lineEdge') next = lineEdge(text, { ...state, focus }, direction, layout);
  else if (by === 'line') next = lineMove(text, { ...state, focus }, direction, layout);
  else if (by === 'page') next = pageMove(text, { ...state, focus }, direction, layout);
  return { anchor: extend ? anchor : next.focus, focus: next.focus, goalX: next.goalX ?? null, atLineEnd: Boolean(next.atLineEnd) };
}

/** The selected range of a state, [start, end) in UTF-16 units, or null when the caret is collapsed. */
export function selectionOf(state) {
  if (state.anchor === state.focus) return null;
  return { start: Math.min(state.anchor, state.focus), end: Math.max(state.anchor, state.focus), backward: state.focus < state.anchor };
}

/** A position clamped into the text and moved back to the start of the cluster it falls in. */
export function boundary(text, position) {
  const p = Math.max(0, Math.min(text.length, Number.isInteger(position) ? position : 0));
  return clusterStart(text, p);
}

/**
 * Where the caret is drawn for a position: the x of the edge between the character before and after it, and the
 * character whose line it is on (`at`). `null` when the layout has no box for it.
 * @returns {{x: number, top: number, bottom: number, at: number} | null}
 */
export function caretPlace(text, state, layout) {
  const at = lineCharacter(text, state.focus, state.atLineEnd);
  if (at == null) return null;
  const box = layout.boxOf(at);
  if (!box) return null;
  // The caret sits before the character at the focus (its leading edge), unless it is drawn after the one before it.
  const leading = at === state.focus;
  const rtl = characterIsRtl(text, at, layout.rtl);
  const x = leading === rtl ? box.right : box.left;
  return { x, top: box.top, bottom: box.bottom, at };
}

/** The character whose line the caret at `position` is on: the one after it, or the one before it at the end of the text or of a wrapped line. */
function lineCharacter(text, position, atLineEnd) {
  if (text.length === 0) return null;
  if (position >= text.length || (atLineEnd && position > 0)) return nextCharacter(text, position, -1);
  return position;
}

const rtlLetter = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;
const ltrLetter = /[\p{L}\p{N}]/u;

/** Which way a character runs: its own way for a letter of a right-to-left or left-to-right script, the text's way for the rest (spaces, punctuation). */
function characterIsRtl(text, i, textRtl) {
  const c = String.fromCodePoint(text.codePointAt(i));
  if (rtlLetter.test(c)) return true;
  if (ltrLetter.test(c)) return false;
  return Boolean(textRtl);
}

const middle = box => (box.top + box.bottom) / 2;

/** Home and End: the first position of the caret's line as laid out, or the last (before a line break; at a wrapped line's end, drawn there). */
function lineEdge(text, state, direction, layout) {
  const at = lineCharacter(text, state.focus, state.atLineEnd);
  const box = at == null ? null : layout?.boxOf(at);
  if (!box) return { focus: direction > 0 ? text.length : 0 };
  const y = middle(box), half = Math.max(1, (box.bottom - box.top) / 2);
  const onLine = i => { const b = layout.boxOf(i); return b != null && Math.abs(middle(b) - y) < half; };
  if (direction < 0) {
    let i = at;
    while (i > 0) {
      const before = nextCharacter(text, i, -1);
      if (!onLine(before)) break;
      i = before;
    }
    return { focus: i };
  }
  let i = at;
  while (i < text.length) {
    if (text[i] === '\n') return { focus: i };
    const after = nextCharacter(text, i, 1);
    if (after >= text.length) return { focus: after };
    if (!onLine(after)) return { focus: after, atLineEnd: true };
    i = after;
  }
  return { focus: text.length };
}

/**
 * Up and Down: the position on the line above or below whose caret x is nearest the goal x (the x the caret had
 * when the first of these presses began). Past the first or last line, the text's start or end (marked `past`).
 */
function lineMove(text, state, direction, layout) {
  const at = lineCharacter(text, state.focus, state.atLineEnd);
  const box = at == null ? null : layout?.boxOf(at);
  if (!box) return { focus: direction > 0 ? text.length : 0 };
  const goalX = state.goalX ?? caretPlace(text, state, layout)?.x ?? box.left;
  const y = middle(box), half = Math.max(1, (box.bottom - box.top) / 2);
  const yOf = i => { const b = layout.boxOf(i); return b ? middle(b) : y; };

  // The first character of the line below, or the last character of the line above.
  let i = at, target = null;
  if (direction > 0) {
    while (i < text.length) {
      if (yOf(i) > y + half) { target = i; break; }
      i = nextCharacter(text, i, 1);
    }
    if (target == null) return { focus: text.length, goalX, past: true };
  } else {
    while (i > 0) {
      i = nextCharacter(text, i, -1);
      if (yOf(i) < y - half) { target = i; break; }
    }
    if (target == null) return { focus: 0, goalX, past: true };
  }
  const lineY = yOf(target);
  const onTarget = k => Math.abs(yOf(k) - lineY) < half;
  let start = target;
  if (direction < 0) while (start > 0 && onTarget(nextCharacter(text, start, -1))) start = nextCharacter(text, start, -1);

  // Every caret place on that line, as x: before each character and after the last.
  let best = null;
  const consider = (focus, x, atLineEnd) => {
    const distance = Math.abs(x - goalX);
    if (!best || distance < best.distance) best = { focus, distance, atLineEnd };
  };
  for (let k = start; k < text.length && onTarget(k);) {
    const b = layout.boxOf(k);
    const after = nextCharacter(text, k, 1);
    const rtl = characterIsRtl(text, k, layout.rtl);
    if (b) consider(k, rtl ? b.right : b.left, false);
    if (text[k] === '\n') break;
    const wraps = after < text.length && !onTarget(after);
    if (b && (after >= text.length || wraps)) consider(after, rtl ? b.left : b.right, wraps);
    k = after;
  }
  return best ? { focus: best.focus, goalX, atLineEnd: best.atLineEnd } : { focus: target, goalX };
}

/**
 * PageUp and PageDown: line by line (as Up and Down move, keeping the goal x) until the caret has travelled the visible
 * height (layout.pageHeight), or reached the text's start or end.
 */
function pageMove(text, state, direction, layout) {
  const first = lineCharacter(text, state.focus, state.atLineEnd);
  const box = first == null ? null : layout?.boxOf(first);
  if (!box || !(layout.pageHeight > 0)) return { focus: direction > 0 ? text.length : 0 };
  const startY = middle(box);
  let current = state, moved = null;
  for (;;) {
    const next = lineMove(text, current, direction, layout);
    // Past the first or last line: stop on it if a line was travelled (a second press goes to the text's start or end).
    if (next.past) return moved ?? next;
    if (next.focus === current.focus) return moved ?? next;
    moved = next;
    current = { ...current, focus: next.focus, goalX: next.goalX ?? current.goalX, atLineEnd: Boolean(next.atLineEnd) };
    const at = lineCharacter(text, next.focus, next.atLineEnd);
    const now = at == null ? null : layout.boxOf(at);
    if (!now || Math.abs(middle(now) - startY) >= layout.pageHeight) return moved;
  }
}
