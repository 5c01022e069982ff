// Renders an article with its spans and turns what a person selects (mouse or keyboard) into offsets.
// Text is only ever inserted as text nodes: nothing in an article can become markup or script.

import { OffsetIndex, tidySelection } from './offsets.js';
import { segment } from './spans.js';
import { BLOCK, paragraphRuns, lineStarts } from './blocks.js';

// A long article is drawn near the screen first: a block far from it shows its text at once, as one text node (so
// offsets, selection, the caret and the browser's find all work), and gets its spans and tags when it comes near the
// screen or when the page is idle. With thousands of spans, building every span and tag of the article before the
// first paint was most of the page's first render.
/** How far beyond the screen (or the text's own scrolling box) a block counts as near and is drawn whole. */
const NEAR_MARGIN = '1500px 0px';
/** Before the first layout says which blocks are near: the blocks starting in this many UTF-16 units of the text. */
const FIRST_DRAWN = 8000;
/** An idle slice draws far blocks for at most this long, so typing and scrolling never wait for it. */
const IDLE_SLICE_MS = 8;

export class TextView {
  /**
   * @param {HTMLElement} container  the element that shows the text (focusable)
   * @param {string} text
   * @param {{colourOf: (label: string) => string, snapToWords: boolean,
   *          onSelect: (range: {start: number, end: number, text: string} | null) => void,
   *          onSpanClick: (ids: string[], element: HTMLElement) => void}} options
   *          ranges given to onSelect are in code points
   */
  constructor(container, text, options) {
    this.container = container;
    this.text = text;
    this.index = new OffsetIndex(text);
    this.options = options;
    this.annotations = new Map();
    this.selectedIds = new Set();
    this.nodes = []; // [{node: Text, start: utf16}] in order, for DOM <-> offset mapping
    this.caret = 0;
    this.near = new Set(); // block elements near the screen (an IntersectionObserver keeps it)
    this.nearKnown = false; // whether that observer has reported yet
    this.pending = new Map(); // block element -> its index, for blocks drawn as plain text whose spans are still to draw
    container.addEventListener('mouseup', () => setTimeout(() => this.reportSelection(), 0));
    // Keys that move the caret and select are the caret's (editor/caret-view.js on the document page).
    container.addEventListener('click', e => {
      const piece = e.target.closest?.('[data-ids]');
      if (piece && window.getSelection().isCollapsed) this.options.onSpanClick(piece.dataset.ids.split(' '), piece);
    });
    // Blocks inside a long paragraph end where its lines wrap at this width: at another width, draw the paragraph
    // whole again at once (before the browser paints, so the old cuts never show as line breaks) and cut it anew.
    new ResizeObserver(() => {
      if (this.blocks && this.wrapped && this.container.getBoundingClientRect().width !== this.cutWidth) {
        this.blocks = null;
        this.render();
      }
    }).observe(container);
  }

  /** Annotations to show (already filtered), offsets in code points. */
  setAnnotations(list) {
    this.annotations = new Map(list.map(a => [a.id, a]));
    this.render();
  }

  /**
   * Draws the text in blocks of about BLOCK units, each its own element, cut where a line starts anyway (see
   * blocks.js), and on later calls replaces only the blocks whose pieces changed: an edit costs the layout of one
   * block, not of the whole article.
   */
  render() {
    const started = performance.now();
    if (!this.blocks) this.cut();
    const spans = [];
    this.starts = new Map(); // span id -> its start in UTF-16 units: the piece it starts in carries its tag (options.decorate)
    for (const a of this.annotations.values()) {
      const start = this.index.toUtf16(a.start), end = this.index.toUtf16(a.end);
      if (start != null && end != null && start < end) { spans.push({ id: a.id, start, end }); this.starts.set(a.id, start); }
    }
    const pieces = segment(this.text.length, [...spans, ...this.blocks.map((b, i) => ({ id: `\u0000${i}`, start: b.start, end: b.end }))]);
    const byBlock = this.blocks.map(() => []);
    let block = 0;
    for (const piece of pieces) {
      while (piece.start >= this.blocks[block].end) block++;
      byBlock[block].push({ start: piece.start, end: piece.end, ids: piece.ids.filter(id => !id.startsWith('\u0000')) });
    }
    if (!this.blockElements || this.container.firstChild?.classList?.contains('text-block') !== true) {
      this.blockElements = this.blocks.map(() => el('div', 'text-block'));
      this.blockKeys = this.blocks.map(() => null);
      this.blockNodes = this.blocks.map(() => []);
      this.container.replaceChildren(...this.blockElements);
      this.watchNearness();
    }
    this.blockPieces = byBlock;
    let drawn = 0;
    for (let i = 0; i < this.blocks.length; i++) {
      const key = this.keyOf(byBlock[i]);
      if (key === this.blockKeys[i]) continue;
      this.blockKeys[i] = key;
      const element = this.blockElements[i];
      // A block of a long paragraph is always drawn whole: it is cut where its lines start as drawn with its tags (which
      // take room on the line), so drawn without them its lines would wrap elsewhere. Other blocks end at a line break.
      if (!this.blocks[i].long && byBlock[i].some(p => p.ids.length) && !this.isNear(i)) {
        this.blockNodes[i] = this.drawPlain(element, this.blocks[i]);
        this.pending.set(element, i);
      } else {
        this.blockNodes[i] = this.drawBlock(element, byBlock[i]);
        this.pending.delete(element);
        drawn++;
      }
    }
    this.nodes = this.blockNodes.flat();
    if (this.pending.size) this.drawFarLater();
    this.lastRenderMs = performance.now() - started;
    this.container.dataset.renderMs = this.lastRenderMs.toFixed(1);
    this.container.dataset.firstRenderMs ??= this.container.dataset.renderMs;
    this.container.dataset.blocksDrawn = String(drawn);
    this.container.dataset.blocks = String(this.blocks.length);
    this.container.dataset.pending = String(this.pending.size);
    this.options.afterRender?.(this.container, element => this.near.has(element));
  }

  /** Whether block `i` is drawn whole now: near the screen, or, before the first layout, near the text's start. */
  isNear(i) {
    return this.nearKnown ? this.near.has(this.blockElements[i]) : this.blocks[i].start < FIRST_DRAWN;
  }

  /** Keeps `near` (observing the text's own scrolling box when it has one, as the compare view's panes do). */
  watchNearness() {
    this.nearness?.disconnect();
    this.near.clear();
    this.nearKnown = false;
    const overflow = getComputedStyle(this.container).overflowY;
    const root = overflow === 'auto' || overflow === 'scroll' ? this.container : null;
    this.nearness = new IntersectionObserver(entries => {
      for (const entry of entries) {
        if (entry.isIntersecting) this.near.add(entry.target); else this.near.delete(entry.target);
      }
      this.nearKnown = true;
      const coming = [...this.pending.keys()].filter(element => this.near.has(element));
      if (coming.length) this.drawPending(coming);
      else this.options.afterRender?.(this.container, element => this.near.has(element)); // arcs follow the screen
    }, { root, rootMargin: NEAR_MARGIN });
    for (const element of this.blockElements) this.nearness.observe(element);
  }

  /** Draws the spans of far blocks in idle slices, nearest the start first, until none is left. */
  drawFarLater() {
    if (this.idle) return;
    const idle = window.requestIdleCallback ?? (run => setTimeout(() => run({ timeRemaining: () => IDLE_SLICE_MS }), 16));
    this.idle = idle(deadline => {
      this.idle = null;
      const started = performance.now();
      for (const element of this.pending.keys()) {
        this.drawPending([element], false);
        if (performance.now() - started > IDLE_SLICE_MS || deadline.timeRemaining() < 1) break;
      }
      this.drawPending([]); // one update of the page for the whole slice
      if (this.pending.size) this.drawFarLater();
    }, { timeout: 100 });
  }

  /** Draws the spans of these pending blocks (the pieces their last render planned) and, unless told not to, tells the page. */
  drawPending(elements, tell = true) {
    for (const element of elements) {
      const i = this.pending.get(element);
      if (i === undefined) continue;
      this.pending.delete(element);
      this.blockNodes[i] = this.drawBlock(element, this.blockPieces[i]);
    }
    if (!tell) return;
    this.nodes = this.blockNodes.flat();
    this.container.dataset.pending = String(this.pending.size);
    this.options.afterRender?.(this.container, element => this.near.has(element));
  }

  /** Draws at once the pending block holding UTF-16 offset `at` (to scroll to a span, say). */
  drawNow(at) {
    const i = this.blocks.findIndex(b => at >= b.start && at < b.end);
    if (i >= 0 && this.pending.has(this.blockElements[i])) this.drawPending([this.blockElements[i]]);
  }

  /** A far block's text alone, as one text node. */
  drawPlain(element, block) {
    const node = document.createTextNode(this.text.slice(block.start, block.end));
    element.replaceChildren(node);
    return [{ node, start: block.start }];
  }

  /**
   * Cuts the text into blocks just after line breaks (see blocks.js). A paragraph longer than a block is drawn whole
   * at first, which lays it out as the text is; once the browser has laid it out, it is measured and cut into blocks
   * where its lines start (cutLongParagraphs). Measuring it then reads the layout the browser made anyway, instead of
   * making one more of the whole article before the first paint.
   */
  cut() {
    const runs = paragraphRuns(this.text, BLOCK);
    this.blocks = runs.length ? runs.map(r => ({ start: r.start, end: r.end, long: r.long })) : [{ start: 0, end: 0 }];
    this.blockElements = null; // drawn afresh
    this.wrapped = runs.some(r => r.long);
    this.cutWidth = this.container.getBoundingClientRect().width;
    this.container.dataset.cut = this.wrapped ? 'pending' : 'done';
    if (!this.wrapped) return;
    const token = this.cutToken = (this.cutToken ?? 0) + 1;
    requestAnimationFrame(() => setTimeout(() => { if (token === this.cutToken) this.cutLongParagraphs(); }, 0));
  }

  /**
   * Replaces each block longer than BLOCK (a long paragraph, drawn whole) by blocks that start where its lines start,
   * measured on it as drawn; the other blocks' elements stay as they are. A selection made meanwhile is kept.
   */
  cutLongParagraphs() {
    if (!this.blockElements) return;
    const started = performance.now();
    const kept = this.currentRange();
    const style = getComputedStyle(this.container);
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    const range = document.createRange();
    const blocks = [], elements = [], keys = [], nodes = [];
    this.blocks.forEach((block, i) => {
      const drawn = this.blockNodes[i];
      const cuts = block.end - block.start > BLOCK ? lineStarts(block.start, block.end, BLOCK, at => {
        if (isLowSurrogate(this.text.charCodeAt(at)) && at > block.start) at--; // a character is measured from its first half
        let lo = 0, hi = drawn.length - 1;
        while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (drawn[mid].start <= at) lo = mid; else hi = mid - 1; }
        const { node, start } = drawn[lo];
        range.setStart(node, at - start);
        range.setEnd(node, Math.min(node.length, at - start + (isHighSurrogate(this.text.charCodeAt(at)) ? 2 : 1)));
        const box = range.getBoundingClientRect();
        return (box.top + box.bottom) / 2;
      }, lineHeight) : [];
      if (cuts.length === 0) {
        blocks.push(block); elements.push(this.blockElements[i]); keys.push(this.blockKeys[i]); nodes.push(drawn);
        return;
      }
      const bounds = [block.start, ...cuts, block.end];
      const parts = bounds.slice(1).map((end, k) => ({ start: bounds[k], end, long: true }));
      const replacing = parts.map(() => el('div', 'text-block'));
      const old = this.blockElements[i];
      old.replaceWith(...replacing);
      // The parts are watched in the paragraph's place (being parts of a long paragraph, they are always drawn whole).
      this.nearness?.unobserve(old);
      this.near.delete(old);
      for (const part of replacing) this.nearness?.observe(part);
      blocks.push(...parts); elements.push(...replacing); keys.push(...parts.map(() => null)); nodes.push(...parts.map(() => []));
    });
    this.blocks = blocks;
    this.blockElements = elements;
    this.blockKeys = keys;
    this.blockNodes = nodes;
    this.render(); // draws the new blocks only: the others' keys are unchanged
    this.container.dataset.cut = 'done';
    this.container.dataset.cutMs = (performance.now() - started).toFixed(1);
    if (kept) this.showSelection(kept.start, kept.end);
  }

  /** What a block shows: its pieces and each span's label (selection is a class that select() toggles). Equal keys need no redraw. */
  keyOf(pieces) {
    let key = '';
    for (const p of pieces) {
      key += `${p.start}-${p.end}:`;
      for (const id of p.ids) {
        const a = this.annotations.get(id);
        key += `${id}/${a.label}/${a.annotatorName}/${this.options.keyOf?.(id) ?? ''},`;
      }
      key += ';';
    }
    return key;
  }

  drawBlock(element, pieces) {
    const fragment = document.createDocumentFragment();
    const nodes = [];
    for (const piece of pieces) {
      const node = document.createTextNode(this.text.slice(piece.start, piece.end));
      nodes.push({ node, start: piece.start });
      if (piece.ids.length === 0) { fragment.appendChild(node); continue; }
      const span = document.createElement('span');
      span.className = 'span-piece';
      span.dataset.ids = piece.ids.join(' ');
      const covering = piece.ids.map(id => this.annotations.get(id));
      const inner = covering[covering.length - 1];
      span.style.backgroundColor = tint(this.options.colourOf(inner.label), 0.28);
      // One underline per covering span, innermost nearest the text: nesting stays visible.
      span.style.boxShadow = covering.slice().reverse()
        .map((a, depth) => `inset 0 -${2 + depth * 3}px 0 ${this.options.colourOf(a.label)}`).join(', ');
      span.title = covering.map(a => `${a.label}${a.annotatorName ? ' · ' + a.annotatorName : ''}`).join('\n');
      if (piece.ids.some(id => this.selectedIds.has(id))) span.classList.add('is-selected');
      span.appendChild(node);
      // What else the page draws with a piece (label tags, link markers: editor/tags.js), given the spans starting
      // here: it may mark the piece, and what it answers stands just before it (outside it, so clicking the text of a
      // piece always reaches the piece, and a tag its own span).
      const before = this.options.decorate?.(span, piece.ids, piece.ids.filter(id => this.starts.get(id) === piece.start));
      if (before) fragment.appendChild(before);
      fragment.appendChild(span);
    }
    element.replaceChildren(fragment);
    return nodes;
  }

  select(ids) {
    this.selectedIds = new Set(ids);
    // The browser finds the pieces (a span's id is a word of its pieces' data-ids): no walk over every piece in script.
    for (const element of this.container.querySelectorAll('.span-piece.is-selected')) element.classList.remove('is-selected');
    for (const id of this.selectedIds) {
      for (const element of this.piecesOf(id)) element.classList.add('is-selected');
    }
  }

  piecesOf(id) {
    return this.container.querySelectorAll(`.span-piece[data-ids~="${CSS.escape(String(id))}"]`);
  }

  scrollTo(id) {
    const start = this.starts?.get(id);
    if (start !== undefined) this.drawNow(start);
    const element = this.piecesOf(id)[0];
    if (!element) return;
    element.scrollIntoView({ block: 'center', behavior: 'smooth' });
    element.classList.add('flash');
    setTimeout(() => element.classList.remove('flash'), 1200);
  }

  /** UTF-16 offset of a DOM position inside the container. */
  offsetOf(node, offset) {
    if (node.nodeType !== Node.TEXT_NODE) {
      // A position between children: count the text before the child at `offset`.
      const child = node.childNodes[offset];
      if (!child) return offset === 0 && node === this.container ? 0 : this.endOf(node);
      return this.startOf(child);
    }
    const entry = this.nodes.find(n => n.node === node);
    return entry ? entry.start + offset : null;
  }

  startOf(element) {
    if (element.nodeType === Node.TEXT_NODE) return this.nodes.find(n => n.node === element)?.start ?? 0;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const first = walker.nextNode();
    if (first) return this.startOf(first);
    // An element without text (a label tag, the links' drawing): it stands where the next text starts.
    const after = document.createTreeWalker(this.container, NodeFilter.SHOW_TEXT);
    after.currentNode = element;
    const next = after.nextNode();
    return next ? this.startOf(next) : this.text.length;
  }

  endOf(element) {
    if (element === this.container) return this.text.length;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let last = null;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) last = n;
    return last ? this.startOf(last) + last.length : 0;
  }

  /** The current selection inside this view as a tidied UTF-16 range, or null. */
  currentRange() {
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!this.container.contains(range.startContainer) || !this.container.contains(range.endContainer)) return null;
    const start = this.offsetOf(range.startContainer, range.startOffset);
    const end = this.offsetOf(range.endContainer, range.endOffset);
    if (start == null || end == null) return null;
    return { start, end };
  }

  reportSelection() {
    const raw = this.currentRange();
    if (!raw) { this.options.onSelect(null); return; }
    const tidy = tidySelection(this.text, raw.start, raw.end, this.options.snapToWords);
    if (!tidy) { this.options.onSelect(null); return; }
    if (tidy.start !== raw.start || tidy.end !== raw.end) this.showSelection(tidy.start, tidy.end);
    this.caret = tidy.end;
    this.options.onSelect({
      start: this.index.toCodePoint(tidy.start),
      end: this.index.toCodePoint(tidy.end),
      text: this.text.slice(tidy.start, tidy.end),
    });
  }

  /** Selects [start, end) in UTF-16 units on screen. */
  showSelection(start, end, anchorAtEnd = false) {
    const at = position => {
      let lo = 0, hi = this.nodes.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.nodes[mid].start <= position) lo = mid; else hi = mid - 1;
      }
      const entry = this.nodes[lo];
      return [entry.node, Math.min(position - entry.start, entry.node.length)];
    };
    const selection = window.getSelection();
    const [sn, so] = at(start), [en, eo] = at(end);
    if (anchorAtEnd) selection.setBaseAndExtent(en, eo, sn, so);
    else selection.setBaseAndExtent(sn, so, en, eo);
  }
}

const isHighSurrogate = code => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = code => code >= 0xdc00 && code <= 0xdfff;

function el(tag, className) {
  const element = document.createElement(tag);
  element.className = className;
  return element;
}

/** #rrggbb at the given opacity. */
export function tint(hex, alpha) {
  const n = parseInt((hex || '#888888').slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
