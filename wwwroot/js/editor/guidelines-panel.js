// The project's guidelines beside the text: a panel that opens and closes (remembered per project in this browser)
// with a search that marks every match and steps through them. The guidelines arrive rendered by the server (Markdown
// with raw HTML disabled, as on the project's guidelines page); the search only splits their text nodes around <mark>
// elements, so nothing of them is ever parsed as markup here. A match may run across formatting ("a **named** person"
// is found by "a named person"): each block (paragraph, list item, cell, heading...) is searched as one text, and a
// match over several text nodes is marked in each of them, counted once.

/** Where each match of `query` is in `text`, case-insensitively, as [{start, end}] in UTF-16 units; none for a blank query. */
export function matchRanges(text, query) {
  const wanted = query.trim();
  if (!wanted) return [];
  const pattern = new RegExp(wanted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'), 'giu');
  const found = [];
  for (const m of text.matchAll(pattern)) if (m[0].length) found.push({ start: m.index, end: m.index + m[0].length });
  return found;
}

/**
 * Cuts matches over the concatenated text of consecutive pieces (text nodes of `lengths` UTF-16 units each) into one
 * part per piece it covers: [{piece, start, end, match}], offsets inside the piece, in document order.
 */
export function piecesOf(lengths, ranges) {
  const parts = [];
  let piece = 0, pieceStart = 0;
  ranges.forEach(({ start, end }, match) => {
    while (piece < lengths.length && pieceStart + lengths[piece] <= start) pieceStart += lengths[piece++];
    let i = piece, at = pieceStart;
    while (i < lengths.length && at < end) {
      const from = Math.max(start, at) - at, to = Math.min(end, at + lengths[i]) - at;
      if (to > from) parts.push({ piece: i, start: from, end: to, match });
      at += lengths[i++];
    }
  });
  return parts;
}

/** The elements whose text is searched as one: a match never runs from one of them into the next. */
const blocks = 'p, li, td, th, h1, h2, h3, h4, h5, h6, pre, blockquote, dt, dd, caption, figcaption';

/** The next match to show after `current` (-1 for none yet), going forward or back and round, among `count`. */
export function stepMatch(current, count, direction) {
  if (count === 0) return -1;
  if (current < 0) return direction > 0 ? 0 : count - 1;
  return (current + direction + count) % count;
}

/**
 * Whether the panel starts open: as the person left it in this project, or, on their first visit of the project in
 * this browser (nothing remembered), open when the project has guidelines, so a newcomer reads them beside the text.
 * @param {string | null} remembered  'open', 'closed', or null for nothing remembered
 */
export function startsOpen(remembered, hasGuidelines) {
  return remembered === null ? Boolean(hasGuidelines) : remembered === 'open';
}

/** The key this browser keeps the panel's state under, per project. */
export const storageKey = projectId => `annotate:guidelines-open:${projectId}`;

export class GuidelinesPanel {
  /**
   * @param {{panel: HTMLElement, toggle: HTMLButtonElement, close: HTMLButtonElement, body: HTMLElement,
   *          search: HTMLInputElement, count: HTMLElement, previous: HTMLButtonElement, next: HTMLButtonElement}} elements
   * @param {{projectId: number, hasGuidelines?: boolean, storage?: Storage, onClose?: () => void}} options
   */
  constructor(elements, { projectId, hasGuidelines = false, storage = window.localStorage, onClose }) {
    Object.assign(this, elements);
    this.key = storageKey(projectId);
    this.storage = storage;
    this.onClose = onClose;
    this.marks = []; // per match, its marks (one per text node it covers)
    this.current = -1;
    this.toggle.addEventListener('click', () => this.setOpen(!this.isOpen, { focus: true }));
    this.close.addEventListener('click', () => { this.setOpen(false); this.toggle.focus(); });
    this.search.addEventListener('input', () => this.find(this.search.value));
    this.search.addEventListener('keydown', e => {
      if (e.key === 'Enter') { e.preventDefault(); this.step(e.shiftKey ? -1 : 1); }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation(); // the editor's own Escape (closing the span's details) is not meant
        if (this.search.value) { this.search.value = ''; this.find(''); } else { this.setOpen(false); this.onClose?.(); }
      }
    });
    this.previous.addEventListener('click', () => this.step(-1));
    this.next.addEventListener('click', () => this.step(1));
    let remembered = null;
    try { remembered = this.storage?.getItem(this.key) ?? null; } catch { remembered = 'closed'; /* storage refused (private mode): start closed */ }
    // Opened for a first visit, that is remembered, so the next article of the project shows it as it was left.
    this.setOpen(startsOpen(remembered, hasGuidelines), { remember: remembered === null && hasGuidelines });
  }

  get isOpen() { return !this.panel.hidden; }

  setOpen(open, { focus = false, remember = true } = {}) {
    this.panel.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    document.body.classList.toggle('guidelines-open', open);
    if (remember) {
      try { this.storage?.setItem(this.key, open ? 'open' : 'closed'); } catch { /* not remembered, still works */ }
    }
    if (open && focus) this.search.focus();
  }

  /** Marks every match of `query` in the guidelines and shows the first. */
  find(query) {
    this.clearMarks();
    const walker = document.createTreeWalker(this.body, NodeFilter.SHOW_TEXT);
    const byBlock = new Map();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const block = n.parentElement?.closest(blocks) ?? this.body;
      if (!byBlock.has(block)) byBlock.set(block, []);
      byBlock.get(block).push(n);
    }
    const matches = [];
    for (const nodes of byBlock.values()) {
      const ranges = matchRanges(nodes.map(n => n.data).join(''), query);
      const parts = piecesOf(nodes.map(n => n.data.length), ranges);
      const marksOf = ranges.map(() => []);
      // Each node's parts from its last back, so the earlier offsets stay valid as the node is split.
      for (let k = parts.length - 1; k >= 0; k--) {
        const { piece, start, end, match } = parts[k];
        const matched = nodes[piece].splitText(start);
        matched.splitText(end - start);
        const mark = document.createElement('mark');
        mark.className = 'guidelines-match';
        matched.replaceWith(mark);
        mark.appendChild(matched);
        marksOf[match].unshift(mark);
      }
      matches.push(...marksOf.filter(m => m.length));
    }
    this.marks = matches;
    this.current = -1;
    if (this.marks.length) this.step(1);
    else this.count.textContent = query.trim() ? 'No match' : '';
    this.previous.disabled = this.next.disabled = this.marks.length < 2;
  }

  step(direction) {
    if (!this.marks.length) return;
    for (const mark of this.marks[this.current] ?? []) mark.classList.remove('current');
    this.current = stepMatch(this.current, this.marks.length, direction);
    const marks = this.marks[this.current];
    for (const mark of marks) mark.classList.add('current');
    marks[0].scrollIntoView({ block: 'center' });
    this.count.textContent = `${this.current + 1} of ${this.marks.length}`;
  }

  clearMarks() {
    for (const mark of this.body.querySelectorAll('mark.guidelines-match')) {
      const parent = mark.parentNode;
      mark.replaceWith(...mark.childNodes);
      parent.normalize();
    }
    this.marks = [];
  }
}
