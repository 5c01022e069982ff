// The side panel's list of spans: grouped by layer and label (spans.js), each group in text order, each listed a
// page at a time. The pure part (listPlan, reusable, shorten, moreLabel) decides what is drawn; SpanList draws it.

import { el, fill } from '../annotations.js';
import { groupByLayerAndLabel } from '../spans.js';
import { labelChip } from '../labels.js';

// A label group lists its spans a page at a time: thousands of buttons would make every redraw slow, and a
// "Show more" button keeps the rest one key press away. The first page is short: the article's first render builds
// every group's first page (with 5,000 spans, 500 a group was thousands of items nobody scrolls to before choosing
// a span in the text); a person who asks for more gets larger pages.
export const LIST_PAGE = 100;
export const MORE_PAGE = 500;

/** The key of a label group, in the list's caches and in what "Show more" remembers. */
export const groupKey = g => `${g.layer}:${g.label}`;

/**
 * What the list shows: one entry per label group, with how many of its spans are listed (`listed` remembers the
 * groups whose "Show more" was pressed) and the open span when it is in the group (its item is drawn bold).
 */
export function listPlan(annotations, listed, selectedId, page = LIST_PAGE) {
  return groupByLayerAndLabel(annotations).map(g => {
    const key = groupKey(g);
    const shown = listed.get(key) ?? page;
    return { key, group: g, shown, rest: Math.max(0, g.items.length - shown), selected: g.items.some(a => a.id === selectedId) ? selectedId : null };
  });
}

/**
 * Whether a group's section drawn earlier (`cached`: what it was drawn from) still shows `entry`. The store replaces
 * an annotation object whenever it changes, so comparing the objects themselves is exact.
 */
export function reusable(cached, entry) {
  return Boolean(cached) && cached.shown === entry.shown && cached.selected === entry.selected
    && cached.items.length === entry.group.items.length && entry.group.items.every((a, i) => a === cached.items[i]);
}

/**
 * How to turn a list of children into another with few DOM operations: which of the current ones to remove (those not
 * wanted any more), then which wanted ones to insert where, in order. Removing first means one span added or removed
 * in the middle of a long list costs one or two operations, not a move of every item after it.
 * @template T
 * @param {T[]} current
 * @param {T[]} wanted
 * @returns {{remove: T[], insert: {at: number, item: T}[]}}  `at`: the item's index in `wanted`
 */
export function childChanges(current, wanted) {
  const keep = new Set(wanted);
  const remove = current.filter(item => !keep.has(item));
  const gone = new Set(remove);
  const left = current.filter(item => !gone.has(item));
  const insert = [];
  // Walk both in order: a wanted item that is not next among those left is inserted (or moved) there.
  let j = 0;
  wanted.forEach((item, at) => {
    if (left[j] === item) { j++; return; }
    insert.push({ at, item });
    const moved = left.indexOf(item, j);
    if (moved >= 0) left.splice(moved, 1);
  });
  return { remove, insert };
}

/** A span's text as an item of the list: one longer than `max` is cut to `max - 3` characters and an ellipsis. */
export function shorten(text, max) {
  return text.length > max ? text.slice(0, max - 3) + '…' : text;
}

/** The "Show more" button's text: the next page (or what is left) and how many are not listed yet. */
export function moreLabel(rest, page = MORE_PAGE) {
  return `Show ${Math.min(rest, page).toLocaleString('en')} more (${rest.toLocaleString('en')} not listed)`;
}

/** A span's item: its text (a button that opens it), who marked it, and whether its edit waits to be saved. */
function itemOf(a, bold, waiting, seesEveryone) {
  // A page of items per group is drawn at once: plain DOM calls, no attribute objects to walk per element.
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `btn btn-link btn-sm p-0 text-start annotation-item${bold ? ' fw-bold' : ''}`;
  button.setAttribute('data-annotation', a.id);
  button.textContent = shorten(a.text, 80);
  li.appendChild(button);
  if (seesEveryone) li.appendChild(small('text-muted ms-1', a.annotatorName ?? ''));
  if (waiting) li.appendChild(small('badge text-bg-warning fw-normal ms-1 not-saved', 'not saved yet'));
  return li;
}

function small(className, text) {
  const element = document.createElement('small');
  element.className = className;
  element.textContent = text;
  return element;
}

export class SpanList {
  /**
   * @param {HTMLElement} list  the element the groups' sections go in
   * @param {HTMLElement} count  shows how many spans are listed
   * @param {{colourOf: (label: string) => string, seesEveryone: boolean, onOpen: (id: string) => void,
   *          current: () => {annotations: object[], selectedId: string | null}, unsaved?: (id: string) => boolean}} options
   *   onOpen: a span's item was chosen; current: what to draw when the list redraws itself ("Show more");
   *   unsaved: whether a span's edit still waits to be saved (its item then says "not saved yet", as the text's dotted outline does)
   */
  constructor(list, count, options) {
    this.list = list;
    this.count = count;
    this.options = options;
    this.listed = new Map(); // group key -> how many of the group's spans the list shows
    // Each label group's section, kept with what it was drawn from: a redraw rebuilds only the groups an edit
    // touched (with 5,000 spans, rebuilding every list item on every edit was most of an edit's cost).
    this.sections = new Map(); // group key -> { items, shown, selected, element }
    this.collapsed = new Set(); // keys of the groups the person folded: they stay folded across redraws
    // One listener for every item (pages of hundreds per group: a listener each was a good part of the first draw).
    list.addEventListener('click', e => {
      const item = e.target.closest?.('.annotation-item');
      if (item && list.contains(item)) options.onOpen(item.dataset.annotation);
    });
  }

  /** Whether the span's edit waits to be saved (options.unsaved, from the page's queue of edits; none when not given). */
  waits(id) { return Boolean(this.options.unsaved?.(id)); }

  render(annotations, selectedId) {
    const plan = listPlan(annotations, this.listed, selectedId);
    this.count.textContent = String(plan.reduce((n, entry) => n + entry.group.items.length, 0));
    const keys = new Set(plan.map(entry => entry.key));
    const sections = plan.map(entry => {
      const cached = this.sections.get(entry.key);
      // Which items wait to be saved is the page's state, not the store's: a change of it alone redraws the group too.
      const waiting = entry.group.items.slice(0, entry.shown).map(a => this.waits(a.id) ? 1 : 0).join('');
      if (reusable(cached, entry) && cached.waiting === waiting) return cached.element;
      const drawn = cached ? this.patch(cached, entry, selectedId) : this.section(entry, selectedId);
      this.sections.set(entry.key, { ...drawn, items: entry.group.items, shown: entry.shown, selected: entry.selected, waiting });
      return drawn.element;
    });
    for (const key of [...this.sections.keys()]) if (!keys.has(key)) this.sections.delete(key); // gone: not kept alive
    // Put each section in its place, moving only what moved (a reused section may come from another slot).
    const list = this.list;
    sections.forEach((section, i) => { if (list.children[i] !== section) list.insertBefore(section, list.children[i] ?? null); });
    while (list.children.length > sections.length) list.lastElementChild.remove();
  }

  /** A label group's section, drawn afresh, with the parts a later edit patches. */
  section(entry, selectedId) {
    const { key } = entry;
    const summary = el('summary', { class: 'h6 mb-1' });
    const ul = el('ul', { class: 'list-unstyled mb-0' });
    const more = el('div');
    // Each group folds (a details element): a long group need not push the others out of reach.
    const element = el('section', { class: 'mb-2 span-group', dataset: { layer: entry.group.layer, label: entry.group.label } },
      el('details', { open: !this.collapsed.has(key), ontoggle: e => { if (e.target.open) this.collapsed.delete(key); else this.collapsed.add(key); } },
        summary, ul, more));
    return this.patch({ element, summary, ul, more, lis: new Map() }, entry, selectedId);
  }

  /**
   * Brings a drawn section up to `entry`: its count, its items and its "Show more". An item whose span object and
   * marks (open, not saved) are unchanged keeps its element, so one span added to a group of thousands inserts one
   * item instead of rebuilding the page of hundreds (which was most of a keyboard edit's time with 5,000 spans).
   */
  patch(drawn, { key, group: g, shown, rest }, selectedId) {
    const { colourOf, seesEveryone } = this.options;
    const { summary, ul, more } = drawn;
    summary.replaceChildren(labelChip(g.label, colourOf(g.label)), ` ${g.layer} · ${g.items.length}`);
    const lis = new Map();
    const wanted = g.items.slice(0, shown).map(a => {
      const bold = a.id === selectedId, waiting = this.waits(a.id);
      const old = drawn.lis.get(a);
      const item = old && old.bold === bold && old.waiting === waiting ? old : { bold, waiting, li: itemOf(a, bold, waiting, seesEveryone) };
      lis.set(a, item);
      return item.li;
    });
    const { remove, insert } = childChanges([...ul.children], wanted);
    for (const li of remove) li.remove();
    for (const { at, item } of insert) ul.insertBefore(item, ul.children[at] ?? null);
    const moreKey = `${shown}:${rest}`;
    if (drawn.moreKey !== moreKey) {
      fill(more, rest > 0 ? el('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary mt-1 show-more', onclick: () => this.showMore(key, shown) },
        moreLabel(rest)) : null);
    }
    return { ...drawn, lis, moreKey };
  }

  /** Lists the next page of a group and moves the keyboard focus to its first new item, where the person was heading. */
  showMore(key, shown) {
    this.listed.set(key, shown + MORE_PAGE);
    const { annotations, selectedId } = this.options.current();
    this.render(annotations, selectedId);
    const section = [...this.list.querySelectorAll('.span-group')].find(e => `${e.dataset.layer}:${e.dataset.label}` === key);
    section?.querySelectorAll('.annotation-item')[shown]?.focus();
  }
}
