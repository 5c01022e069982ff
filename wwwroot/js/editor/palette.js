// The label palette that floats under a text selection: one button per span label (with its key), and the
// selected text it would label.

import { el, fill } from '../annotations.js';

/** The selected text as the palette quotes it: cut to 60 characters, with an ellipsis. */
export function quoted(text) {
  return text.length > 60 ? text.slice(0, 57) + '…' : text;
}

export class Palette {
  /**
   * @param {{box: HTMLElement, buttons: HTMLElement, quote: HTMLElement}} elements  the palette, where its label
   *   buttons go, and where it quotes the selection
   * @param {object[]} labels  the span labels, in the project's order
   * @param {(label: object) => void} onPick
   */
  constructor({ box, buttons, quote }, labels, onPick) {
    this.box = box;
    this.quote = quote;
    fill(buttons, ...labels.map(label => el('button', {
      type: 'button', class: 'btn btn-sm btn-light border palette-label', dataset: { label: label.name, kind: label.kind },
      style: `border-left: 6px solid ${label.colour} !important`,
      'aria-keyshortcuts': label.key ?? null,
      onclick: () => onPick(label),
    }, label.name, label.key ? el('kbd', { class: 'ms-1' }, label.key) : null)));
  }

  get hidden() { return this.box.hidden; }

  hide() { this.box.hidden = true; }

  /** Shows the palette under the browser's selection (kept inside the window), or hides it when nothing is selected. */
  show(selection) {
    const palette = this.box;
    if (!selection) { palette.hidden = true; return; }
    const range = window.getSelection().rangeCount ? window.getSelection().getRangeAt(0).getBoundingClientRect() : null;
    palette.hidden = false;
    if (range) {
      const top = window.scrollY + range.bottom + 6;
      // Under the selection's start: its left end in left-to-right text, its right end in right-to-left text.
      const anchor = window.getSelection().anchorNode?.parentElement;
      const rtl = anchor ? getComputedStyle(anchor).direction === 'rtl' : false;
      const start = rtl ? range.right - palette.offsetWidth : range.left;
      const left = Math.max(8, Math.min(window.scrollX + start, window.scrollX + document.documentElement.clientWidth - palette.offsetWidth - 8));
      palette.style.top = `${top}px`;
      palette.style.left = `${left}px`;
    }
    this.quote.textContent = quoted(selection.text);
  }
}
