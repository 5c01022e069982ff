// A refusal (the server's, or the page's own) shown where the person is looking: beside the selection or the control
// they used, never only at the top of a page they may have scrolled far down, and read out by screen readers.

import { el, fill } from './annotations.js';

export class Refusals {
  /**
   * @param {HTMLElement} box  the floating note, absolutely positioned in the page (hidden when there is nothing to say)
   * @param {HTMLElement} announcer  an assertive live region, kept in the page so screen readers hear what it is given
   */
  constructor(box, announcer) {
    this.box = box;
    this.announcer = announcer;
  }

  /**
   * Shows `message` beside `anchor` (a rectangle in viewport coordinates: the selection, the button pressed), below
   * it when there is room and above it otherwise; when the anchor is out of view (or there is none), in view near
   * the top of the window. The note stays until dismissed or the next action: it is not timed, so it can be read.
   */
  show(message, anchor) {
    fill(this.box, el('span', {}, message),
      el('button', { type: 'button', class: 'btn-close btn-sm ms-2', 'aria-label': 'Dismiss', onclick: () => this.hide() }));
    this.box.hidden = false;
    const height = this.box.offsetHeight, width = this.box.offsetWidth, gap = 6;
    const view = { width: document.documentElement.clientWidth, height: window.innerHeight };
    let top, left;
    if (anchor && anchor.bottom >= 0 && anchor.bottom + gap + height <= view.height) top = anchor.bottom + gap;
    else if (anchor && anchor.top <= view.height && anchor.top - gap - height >= 0) top = anchor.top - gap - height;
    else top = Math.min(view.height / 4, Math.max(8, view.height - height - 8));
    left = anchor && anchor.top <= view.height && anchor.bottom >= 0 ? anchor.left : (view.width - width) / 2;
    left = Math.max(8, Math.min(left, view.width - width - 8));
    this.box.style.top = `${window.scrollY + top}px`;
    this.box.style.left = `${window.scrollX + left}px`;
    // Emptied first, so the same refusal twice is announced twice.
    this.announcer.textContent = '';
    setTimeout(() => { this.announcer.textContent = message; }, 50);
  }

  hide() {
    this.box.hidden = true;
    fill(this.box);
  }

  get shown() { return !this.box.hidden; }
}
