// Renders an article with its spans and turns what a person selects (mouse or keyboard) into offsets.
// Text is only ever inserted as text nodes: nothing in an article can become markup or script.

import { OffsetIndex, tidySelection } from './offsets.js';
import { segment } from './spans.js';
import { classFor } from './page-styles.js';
import { BLOCK, paragraphRuns, lineStarts, spansByBlock, sameBlockSpans, cutPieces } from './blocks.js';

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
    this.offsets = new WeakMap(); // annotation object -> {id, start, end} in UTF-16 units (a changed span is a new object)
    container.addEventListener('mouseup', () => setTimeout(() => this.reportSelection(), 0));
    container.addEventListener('mouseover', e => {
      const piece = e.target.closest?.('.span-piece');
      if (piece && !piece.title) piece.title = this.pieceTitle(piece);
    });
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
   * block, not of the whole article. A block whose spans are the very objects it was drawn from (the store replaces a
   * span's object when it changes), each with the same extra key (options.keyOf: its tag), is not even planned again:
   * an edit plans the pieces of the blocks it touches, not those of the article's 5,000 spans.
   */
  render() {
    const started = performance.now();
    if (!this.blocks) this.cut();
    const spans = [];
    this.starts = new Map(); // span id -> its start in UTF-16 units: the piece it starts in carries its tag (options.decorate)
    for (const a of this.annotations.values()) {
      let at = this.offsets.get(a);
      if (!at) this.offsets.set(a, at = { id: a.id, start: this.index.toUtf16(a.start), end: this.index.toUtf16(a.end) });
      if (at.start != null && at.end != null && at.start < at.end) { spans.push(at); this.starts.set(a.id, at.start); }
    }
    if (!this.blockElements || this.container.firstChild?.classList?.contains('text-block') !== true) {
      this.blockElements = this.blocks.map(() => el('div', 'text-block'));
      this.blockKeys = this.blocks.map(() => null);
      this.blockNodes = this.blocks.map(() => []);
      this.blockPieces = this.blocks.map(() => []);
      this.blockSpans = this.blocks.map(() => null);
      this.container.replaceChildren(...this.blockElements);
      this.watchNearness();
    }
    const byBlock = spansByBlock(this.blocks, spans);
    const extraOf = this.options.keyOf ?? (() => '');
    let drawn = 0, changed = false;
    for (let i = 0; i < this.blocks.length; i++) {
      const extras = byBlock[i].map(span => extraOf(span.id));
      if (sameBlockSpans(this.blockSpans[i], byBlock[i], extras)) continue;
      this.blockSpans[i] = { spans: byBlock[i], extras };
      const element = this.blockElements[i];
      // A block far from the screen shows its text alone, and is planned when it is drawn (drawPending). A block of a
      // long paragraph never is: it is cut where its lines start as drawn with its tags (which take room on the line),
      // so drawn without them its lines would wrap elsewhere. Other blocks end at a line break.
      if (!this.blocks[i].long && byBlock[i].length && !this.isNear(i)) {
        this.blockPieces[i] = null;
        this.blockKeys[i] = null;
        if (!this.pending.has(element)) {
          this.blockNodes[i] = this.drawPlain(element, this.blocks[i]);
          this.pending.set(element, i);
          changed = true;
        }
        continue;
      }
      const pieces = segment(this.blocks[i].end, byBlock[i], this.blocks[i].start);
      this.blockPieces[i] = pieces;
      const key = this.keyOf(pieces);
      if (key === this.blockKeys[i]) continue;
      this.blockKeys[i] = key;
      changed = true;
      if (this.blocks[i].uncut) {
        // A long paragraph not cut yet (it is, just after the first paint) shows its spans near the text's start and the
        // rest as text: one block, so its lines wrap as one paragraph's. It is drawn whole just before it is measured.
        const limit = this.blocks[i].partial === false ? this.blocks[i].end : Math.min(this.blocks[i].end, Math.max(this.blocks[i].start, FIRST_DRAWN));
        this.blockNodes[i] = this.drawBlock(element, pieces, limit);
        this.blocks[i].partial = limit < this.blocks[i].end;
        drawn++;
      } else {
        this.blockNodes[i] = this.drawBlock(element, pieces);
        this.pending.delete(element);
        drawn++;
      }
    }
    if (changed) this.nodes = this.blockNodes.flat();
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
      const pieces = this.blockPieces[i] ??= segment(this.blocks[i].end, this.blockSpans[i].spans, this.blocks[i].start);
      this.blockKeys[i] = this.keyOf(pieces);
      this.blockNodes[i] = this.drawBlock(element, pieces);
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
    // A long paragraph not cut yet, shown with its spans near the text's start only: drawn whole (as its cut would).
    if (i >= 0 && this.blocks[i].partial) {
      this.blockNodes[i] = this.drawBlock(this.blockElements[i], this.blockPieces[i]);
      this.blocks[i].partial = false;
      this.nodes = this.blockNodes.flat();
    }
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
    this.blocks = runs.length ? runs.map(r => ({ start: r.start, end: r.end, long: r.long, uncut: r.long })) : [{ start: 0, end: 0 }];
    this.blockElements = null; // drawn afresh
    this.wrapped = runs.some(r => r.long);
    this.cutWidth = this.container.getBoundingClientRect().width;
    this.container.dataset.cut = this.wrapped ? 'pending' : 'done';
    if (!this.wrapped) return;
    const token = this.cutToken = (this.cutToken ?? 0) + 1;
    this.cutScriptMs = 0;
    this.afterNextPaint(token, () => this.drawLongParagraphs(token));
  }

  /** Runs `work` once the browser has laid out and painted what is drawn now, unless the text was cut anew meanwhile. */
  afterNextPaint(token, work) {
    requestAnimationFrame(() => setTimeout(() => { if (token === this.cutToken) work(); }, 0));
  }

  /**
   * Draws whole the long paragraphs the first render drew with their spans near the text's start only, then, once the
   * browser has laid them out as they are drawn with every tag (tags take room on the line), cuts them where their
   * lines start. Measuring them then reads the layout the browser made anyway, as the first paint's.
   */
  drawLongParagraphs(token) {
    if (!this.blockElements) return;
    const started = performance.now();
    let drew = false;
    this.blocks.forEach((block, i) => {
      if (!block.partial) return;
      this.blockNodes[i] = this.drawBlock(this.blockElements[i], this.blockPieces[i]);
      block.partial = false;
      drew = true;
    });
    if (drew) this.nodes = this.blockNodes.flat();
    this.cutScriptMs += performance.now() - started;
    if (drew) this.afterNextPaint(token, () => this.cutLongParagraphs());
    else this.cutLongParagraphs();
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
    const blocks = [], elements = [], keys = [], nodes = [], planned = [], pieces = [];
    this.blocks.forEach((block, i) => {
      // Drawn whole by now (drawLongParagraphs), unless a redraw drew it with its spans near the text's start again.
      if (block.partial) this.blockNodes[i] = this.drawBlock(this.blockElements[i], this.blockPieces[i]);
      block.partial = false;
      const drawn = this.blockNodes[i];
      block.uncut = false;
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
        planned.push(this.blockSpans[i]); pieces.push(this.blockPieces[i]);
        return;
      }
      const bounds = [block.start, ...cuts, block.end];
      const parts = bounds.slice(1).map((end, k) => ({ start: bounds[k], end, long: true }));
      const old = this.blockElements[i];
      const split = this.splitDrawn(old, this.blockPieces[i], drawn, cuts);
      const replacing = split.map(part => part.element);
      old.replaceWith(...replacing);
      // The parts are watched in the paragraph's place (being parts of a long paragraph, they are always drawn whole).
      this.nearness?.unobserve(old);
      this.near.delete(old);
      for (const part of replacing) this.nearness?.observe(part);
      // Each part is what its own planning would give (cutPieces): it is planned from the paragraph's spans, so the
      // render below finds it drawn already. (No key: a later change of a part draws it, which a change needs anyway.)
      const from = this.blockSpans[i];
      const extraOf = new Map(from ? from.spans.map((span, k) => [span, from.extras[k]]) : []);
      const spansOf = from ? spansByBlock(parts, from.spans) : parts.map(() => null);
      blocks.push(...parts); elements.push(...replacing); keys.push(...parts.map(() => null)); nodes.push(...split.map(part => part.nodes));
      planned.push(...spansOf.map(list => list && { spans: list, extras: list.map(span => extraOf.get(span)) })); pieces.push(...split.map(part => part.pieces));
    });
    this.blocks = blocks;
    this.blockElements = elements;
    this.blockKeys = keys;
    this.blockNodes = nodes;
    this.blockSpans = planned;
    this.blockPieces = pieces;
    this.nodes = this.blockNodes.flat();
    this.render(); // finds the parts planned and drawn: nothing is drawn again
    this.container.dataset.cut = 'done';
    this.container.dataset.cutMs = (this.cutScriptMs + performance.now() - started).toFixed(1);
    if (kept) this.showSelection(kept.start, kept.end);
  }

  /**
   * Moves what a block shows into one element per part, cut at `cuts` (line starts, ascending): a piece across a cut is
   * split in two, its second half a copy of the piece element without tags (no span starts there), which is what
   * drawing the part would make. Answers each part's element, pieces (cutPieces) and text nodes.
   */
  splitDrawn(element, pieces, drawnNodes, cuts) {
    const partPieces = cutPieces(pieces, cuts);
    const boundaries = []; // per cut, the first node of the part it starts
    const partNodes = [[]];
    let c = 0;
    pieces.forEach((piece, k) => {
      let { node } = drawnNodes[k];
      let start = piece.start;
      if (c < cuts.length && cuts[c] === piece.start) {
        c++;
        // The piece's tags and link marks stand just before it, and start the part with it.
        let first = node.parentNode === element ? node : node.parentNode;
        while (first.previousSibling?.nodeType === Node.ELEMENT_NODE && !first.previousSibling.classList.contains('span-piece')) first = first.previousSibling;
        boundaries.push(first);
        partNodes.push([]);
      }
      partNodes.at(-1).push({ node, start });
      while (c < cuts.length && cuts[c] < piece.end) {
        const cut = cuts[c++];
        const rest = node.splitText(cut - start);
        let first = rest;
        if (node.parentNode !== element) {
          const copy = node.parentNode.cloneNode(false);
          node.parentNode.after(copy);
          copy.appendChild(rest);
          first = copy;
        }
        boundaries.push(first);
        partNodes.push([{ node: rest, start: cut }]);
        node = rest;
        start = cut;
      }
    });
    const elements = partPieces.map(() => el('div', 'text-block'));
    const range = document.createRange();
    for (let k = boundaries.length - 1; k >= -1; k--) {
      if (k >= 0) range.setStartBefore(boundaries[k]); else range.setStart(element, 0);
      range.setEnd(element, element.childNodes.length);
      elements[k + 1].append(range.extractContents());
    }
    return elements.map((part, k) => ({ element: part, pieces: partPieces[k], nodes: partNodes[k] }));
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

  /** Draws a block's pieces; from `plainFrom` on (a UTF-16 offset where a piece starts), its text alone as one text node. */
  drawBlock(element, pieces, plainFrom = Infinity) {
    const fragment = document.createDocumentFragment();
    const nodes = [];
    for (const piece of pieces) {
      if (piece.start >= plainFrom) {
        const node = document.createTextNode(this.text.slice(piece.start, pieces[pieces.length - 1].end));
        nodes.push({ node, start: piece.start });
        fragment.appendChild(node);
        break;
      }
      const node = document.createTextNode(this.text.slice(piece.start, piece.end));
      nodes.push({ node, start: piece.start });
      if (piece.ids.length === 0) { fragment.appendChild(node); continue; }
      const span = document.createElement('span');
      span.setAttribute('data-ids', piece.ids.join(' '));
      // Its colours by a class per set of covering labels (a rule each, made once), not a style parsed for each piece;
      // its tooltip (the labels and who marked them) is written when the pointer first reaches it (see the constructor).
      span.className = `span-piece ${this.pieceClass(piece.ids)}`;
      if (piece.ids.some(id => this.selectedIds.has(id))) span.classList.add('is-selected');
      span.appendChild(node);
      // What else the page draws with a piece (label tags, link markers: editor/tags.js), given the spans starting
      // here: it may mark the piece, and what it answers stands just before it (outside it, so clicking the text of a
      // piece always reaches the piece, and a tag its own span).
      // (It may append it to `fragment` itself, which saves a fragment per piece when thousands of tags are drawn.)
      const before = this.options.decorate?.(span, piece.ids, piece.ids.filter(id => this.starts.get(id) === piece.start), fragment);
      if (before) fragment.appendChild(before);
      fragment.appendChild(span);
    }
    element.replaceChildren(fragment);
    return nodes;
  }

  /**
   * The class that paints a piece covered by these spans: its innermost span's colour washed behind the text and one
   * underline per covering span, innermost nearest the text (nesting stays visible). One rule per set of colours
   * (page-styles.js; the colours are checked hex, nothing else is written).
   */
  pieceClass(ids) {
    const colours = ids.map(id => hexOr(this.options.colourOf(this.annotations.get(id).label)));
    return classFor('piece-c', colours.join(' '), name => {
      const underlines = colours.slice().reverse().map((colour, depth) => `inset 0 -${2 + depth * 3}px 0 ${colour}`).join(', ');
      return `.span-piece.${name} { background-color: ${tint(colours[colours.length - 1], 0.28)}; box-shadow: ${underlines}; }`;
    });
  }

  /** A piece's tooltip: each span covering it, its label and who marked it. */
  pieceTitle(piece) {
    return piece.dataset.ids.split(' ').map(id => this.annotations.get(id)).filter(Boolean)
      .map(a => `${a.label}${a.annotatorName ? ' · ' + a.annotatorName : ''}`).join('\n');
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

/** A colour as #rgb or #rrggbb, or mid grey for anything else (it is written into a stylesheet). */
function hexOr(colour) {
  const hex = String(colour);
  if (/^#[0-9a-f]{6}$/i.test(hex)) return hex;
  return /^#[0-9a-f]{3}$/i.test(hex) ? '#' + [...hex.slice(1)].map(c => c + c).join('') : '#888888';
}

/** #rrggbb at the given opacity. */
export function tint(hex, alpha) {
  const n = parseInt((hex || '#888888').slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
