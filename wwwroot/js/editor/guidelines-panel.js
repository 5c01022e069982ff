// The project's guidelines beside the text: a panel that opens and closes (remembered per project in this browser)
// with a search that marks every match and steps through them. The guidelines arrive rendered by the server (Markdown
// with raw HTML disabled, as on the project's guidelines page); the search only splits their text nodes around <mark>
// elements, so nothing of them is ever parsed as markup here.

/** Where each match of `query` is in `text`, case-insensitively, as [{start, end}] in UTF-16 units; none for a blank query. */
export function matchRanges(text, query) {
  const wanted = query.trim();
  if (!wanted) return [];
  const pattern = new RegExp(wanted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'), 'giu');
  const found = [];
  for (const m of text.matchAll(pattern)) if (m[0].length) found.push({ start: m.index, end: m.index + m[0].length });
  return found;
}

/** The next match to show after `current` (-1 for none yet), going forward or back and round, among `count`. */
export function stepMatch(current, count, direction) {
  if (count === 0) return -1;
  if (current < 0) return direction > 0 ? 0 : count - 1;
  return (current + direction + count) % count;
}

/** The key this browser keeps the panel's state under, per project. */
export const storageKey = projectId => `annotate:guidelines-open:${projectId}`;

export class GuidelinesPanel {
  /**
   * @param {{panel: HTMLElement, toggle: HTMLButtonElement, close: HTMLButtonElement, body: HTMLElement,
   *          search: HTMLInputElement, count: HTMLElement, previous: HTMLButtonElement, next: HTMLButtonElement}} elements
   * @param {{projectId: number, storage?: Storage, onClose?: () => void}} options
   */
  constructor(elements, { projectId, storage = window.localStorage, onClose }) {
    Object.assign(this, elements);
    this.key = storageKey(projectId);
    this.storage = storage;
    this.onClose = onClose;
    this.marks = [];
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
    try { remembered = this.storage?.getItem(this.key); } catch { /* storage refused (private mode): start closed */ }
    this.setOpen(remembered === 'open', { remember: false });
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
    const nodes = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
    for (const node of nodes) {
      const ranges = matchRanges(node.data, query);
      // From the last match back, so the earlier offsets stay valid as the node is split.
      for (let i = ranges.length - 1; i >= 0; i--) {
        const matched = node.splitText(ranges[i].start);
        matched.splitText(ranges[i].end - ranges[i].start);
        const mark = document.createElement('mark');
        mark.className = 'guidelines-match';
        matched.replaceWith(mark);
        mark.appendChild(matched);
      }
    }
    this.marks = [...this.body.querySelectorAll('mark.guidelines-match')];
    this.current = -1;
    if (this.marks.length) this.step(1);
    else this.count.textContent = query.trim() ? 'No match' : '';
    this.previous.disabled = this.next.disabled = this.marks.length < 2;
  }

  step(direction) {
    if (!this.marks.length) return;
    this.marks[this.current]?.classList.remove('current');
    this.current = stepMatch(this.current, this.marks.length, direction);
    const mark = this.marks[this.current];
    mark.classList.add('current');
    mark.scrollIntoView({ block: 'center' });
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
