// The caret on the page: a thin bar drawn over the article where the keyboard is, placed by a click and moved by the
// caret keys (which move and where to: editor/caret.js). Shift+moves select; what they select is reported as the
// selection a label key labels. The article is not editable: the bar is an element of its own laid over the text,
// so the text's own markup (blocks, span pieces, tags) stays exactly as the text view draws it.

import { caretCommand, moveCaret, selectionOf, caretPlace, boundary } from './caret.js';
import { tidySelection, clusterAt } from '../offsets.js';
import { quoted } from './palette.js';

export class CaretView {
  /**
   * @param {import('../textview.js').TextView} view
   * @param {{onSelect: (range: {start: number, end: number, text: string} | null) => void, announce?: (message: string) => void}} options
   *   ranges given to onSelect are in code points, as the text view's own; announce tells screen readers what a
   *   Shift+move selected (the palette that shows it is not focused)
   */
  constructor(view, { onSelect, announce }) {
    this.view = view;
    this.text = view.text;
    this.container = view.container;
    this.onSelect = onSelect;
    this.announce = announce ?? (() => {});
    this.state = { anchor: 0, focus: 0, goalX: null, atLineEnd: false };
    this.bar = document.createElement('div');
    this.bar.className = 'text-caret';
    this.bar.hidden = true;
    this.bar.setAttribute('aria-hidden', 'true');
    this.bar.dataset.testid = 'caret';
    document.body.appendChild(this.bar);

    this.container.addEventListener('keydown', e => this.onKey(e));
    this.container.addEventListener('focus', () => this.draw());
    this.container.addEventListener('blur', () => this.draw());
    // After the text view has read (and perhaps widened) a mouse selection: the caret goes where the mouse left it.
    this.container.addEventListener('mouseup', () => setTimeout(() => this.fromPageSelection(), 0));
    // A selection put away elsewhere (a label applied, Escape in the palette) leaves the caret where it was.
    document.addEventListener('selectionchange', () => {
      if (this.state.anchor !== this.state.focus && !this.pageSelection()) this.setState({ ...this.state, anchor: this.state.focus });
    });
    // The text is redrawn (live edits, wrapping at another width): the bar follows its character.
    const redraw = () => { if (!this.pending) this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw(); }); };
    new MutationObserver(redraw).observe(this.container, { childList: true, subtree: true });
    new ResizeObserver(redraw).observe(this.container);
    window.addEventListener('resize', redraw);
    this.setState(this.state);
  }

  get rtl() { return getComputedStyle(this.container).direction === 'rtl'; }

  /** The layout caret.js asks about: the box of the character starting at UTF-16 offset i, as drawn now. */
  get layout() {
    const nodes = this.view.nodes, text = this.text, range = document.createRange();
    return {
      rtl: this.rtl,
      // PageUp/PageDown travel most of what is visible, so the line the caret left stays in view.
      pageHeight: Math.max(40, 0.85 * Math.min(window.innerHeight, this.container.getBoundingClientRect().height || window.innerHeight)),
      boxOf: i => {
        if (i < 0 || i >= text.length || nodes.length === 0) return null;
        let lo = 0, hi = nodes.length - 1;
        while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (nodes[mid].start <= i) lo = mid; else hi = mid - 1; }
        const { node, start } = nodes[lo];
        if (!node.isConnected) return null;
        const end = Math.min(node.length, i - start + (clusterAt(text, i).end - i));
        range.setStart(node, i - start);
        range.setEnd(node, end);
        const box = range.getClientRects()[0] ?? range.getBoundingClientRect();
        return box.height > 0 ? box : null;
      },
    };
  }

  onKey(e) {
    if (e.key === 'Escape') { this.collapse(); return; }
    if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) return;
    const command = caretCommand(e, { rtl: this.rtl });
    if (!command) return;
    e.preventDefault();
    this.setState(moveCaret(this.text, this.state, command, this.layout), { scroll: true });
    const reported = this.report();
    if (command.extend && reported) this.announce(`Selected: ${quoted(reported.text)}. Press a label's key.`);
  }

  /** Shows the state's selection in the page and reports it (tidied: no white space at its ends), or reports none; answers what it reported. */
  report() {
    const selected = selectionOf(this.state);
    if (!selected) {
      window.getSelection().removeAllRanges();
      this.onSelect(null);
      return null;
    }
    this.view.showSelection(selected.start, selected.end, selected.backward);
    const tidy = tidySelection(this.text, selected.start, selected.end, false);
    const index = this.view.index;
    const range = tidy && { start: index.toCodePoint(tidy.start), end: index.toCodePoint(tidy.end), text: this.text.slice(tidy.start, tidy.end) };
    this.onSelect(range);
    return range;
  }

  collapse() {
    this.setState({ ...this.state, anchor: this.state.focus });
    window.getSelection().removeAllRanges();
    this.onSelect(null);
  }

  /** The page's selection inside the article as UTF-16 offsets {anchor, focus}, or null when there is none there. */
  pageSelection({ collapsed = false } = {}) {
    const selection = window.getSelection();
    if (!selection.rangeCount || (!collapsed && selection.isCollapsed)) return null;
    if (!this.container.contains(selection.anchorNode) || !this.container.contains(selection.focusNode)) return null;
    const anchor = this.view.offsetOf(selection.anchorNode, selection.anchorOffset);
    const focus = this.view.offsetOf(selection.focusNode, selection.focusOffset);
    return anchor == null || focus == null ? null : { anchor, focus };
  }

  /** A click puts the caret where it landed; a mouse selection leaves it at the selection's moving end. */
  fromPageSelection() {
    const at = this.pageSelection({ collapsed: true });
    if (!at) return;
    this.setState({ anchor: boundary(this.text, at.anchor), focus: boundary(this.text, at.focus), goalX: null, atLineEnd: false });
  }

  setState(state, { scroll = false } = {}) {
    this.state = state;
    this.container.dataset.caret = String(this.view.index.toCodePoint(state.focus));
    this.container.dataset.caretAnchor = String(this.view.index.toCodePoint(state.anchor));
    this.draw();
    if (scroll && !this.bar.hidden) this.bar.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: 'instant' }); // at once, as a native caret: a smooth scroll still running would carry the page past the caret's next place
  }

  /** Draws the bar at the caret, while the article has the focus. */
  draw() {
    const focused = document.activeElement === this.container;
    const place = focused ? caretPlace(this.text, this.state, this.layout) : null;
    if (!place) { this.bar.hidden = true; return; }
    const height = place.bottom - place.top;
    this.bar.hidden = false;
    this.bar.style.left = `${window.scrollX + place.x - 1}px`;
    this.bar.style.top = `${window.scrollY + place.top}px`;
    this.bar.style.height = `${height}px`;
    // Restart the blink, so the bar is seen at once where it moved to: a new animation name restarts it without the
    // forced layout that removing and re-adding the class needed (after an edit, that layout was of the whole text).
    this.bar.classList.add('blink');
    this.bar.classList.toggle('blink-again');
  }
}
