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
   * the top of the window. With `after` (an element in a panel that stays put while the page scrolls, such as a
   * span's details), the note goes in the panel just after it instead, so it stays beside it. The note stays until
   * dismissed or the next action: it is not timed, so it can be read.
   */
  show(message, anchor, after = null) {
    fill(this.box, el('span', {}, message),
      el('button', { type: 'button', class: 'btn-close btn-sm ms-2', 'aria-label': 'Dismiss', onclick: () => this.hide() }));
    this.box.hidden = false;
    this.box.classList.toggle('refusal-inline', Boolean(after));
    if (after) {
      after.after(this.box);
      this.box.style.top = this.box.style.left = '';
    } else {
      if (this.box.parentElement !== document.body) document.body.append(this.box);
      this.place(anchor);
    }
    // Emptied first, so the same refusal twice is announced twice.
    this.announcer.textContent = '';
    setTimeout(() => { this.announcer.textContent = message; }, 50);
  }

  /** Floats the note beside `anchor`, in page coordinates: it scrolls with the text it is about. */
  place(anchor) {
    const height = this.box.offsetHeight, width = this.box.offsetWidth, gap = 6;
    const view = { width: document.documentElement.clientWidth, height: window.innerHeight };
    const inView = anchor && anchor.top <= view.height && anchor.bottom >= 0;
    let top;
    if (inView && anchor.bottom + gap + height <= view.height) top = anchor.bottom + gap;
    else if (inView && anchor.top - gap - height >= 0) top = anchor.top - gap - height;
    else top = Math.min(view.height / 4, Math.max(8, view.height - height - 8));
    const left = Math.max(8, Math.min(inView ? anchor.left : (view.width - width) / 2, view.width - width - 8));
    this.box.style.top = `${window.scrollY + top}px`;
    this.box.style.left = `${window.scrollX + left}px`;
  }

  hide() {
    this.box.hidden = true;
    fill(this.box);
  }

  get shown() { return !this.box.hidden; }
}
