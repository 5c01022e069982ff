// Draws what the text shows of its spans besides their colour: each span's label tag (tag-layout.js decides which and
// where), a flag on places where annotators disagree, each linked claim's link markers (a badge naming the other
// article for a link that leaves it, opening the compare view), and the arcs between linked claims of the article
// (link-arcs.js). Reusable by every page that draws spans with a TextView: give the view `drawing.viewOptions()`,
// call `update` with what is drawn before the view renders. Tags and markers are elements without text nodes (their
// words are CSS generated content from data-tag), so the text's offsets and its selection never include them.

import { tagPlan, tagKey, TagPlanCache } from './tag-layout.js';
import { linkMarks, arcLinks, arcLayout } from './link-arcs.js';
import { labelPaint } from './contrast.js';
import { classFor } from '../page-styles.js';

const SVG = 'http://www.w3.org/2000/svg';

/** A link badge names the other article in at most this many characters. */
const TITLE_MAX = 28;

export class SpanDrawing {
  /**
   * @param {{colourOf: (label: string) => string, documentId: *, projectId: *, titles?: Map<string, string>,
   *          arcs?: boolean}} options  colourOf: a label's colour as the manager chose it; titles: other articles'
   *   titles by id, for link badges; arcs: draw arcs between linked claims (default true)
   */
  constructor(options) {
    this.options = { arcs: true, ...options };
    this.plan = new Map();
    this.planned = new TagPlanCache(); // what an edit's plan takes from the last one
    this.keys = new WeakMap(); // plan entry -> its tagKey (an entry taken from the last plan keeps its key)
    this.marks = new Map();
    this.arcs = [];
    this.tagElements = new Map(); // span id -> its tag element, for measuring the arcs' ends
    this.container = null;
  }

  /** The TextView options that draw tags: its colours, the tags in each piece, and what a block's key must include. */
  viewOptions() {
    return {
      colourOf: label => labelPaint(this.options.colourOf(label)).strong,
      decorate: (piece, ids, starting, into) => this.decorate(piece, ids, starting, into),
      keyOf: id => this.tagKeyOf(id) + (this.marks.get(id)?.map(m => `${m.id}${m.type}${m.outgoing}`).join('+') ?? ''),
      afterRender: (container, isNear) => this.scheduleArcs(container, isNear),
    };
  }

  /**
   * What the next render draws.
   * @param {object[]} annotations  the spans shown
   * @param {object[]} relations  the document's relations, already filtered as the page shows them
   * @param {{everyone?: boolean, initials?: Map<string, string>}} who  everyone: the view shows everyone's work (tags
   *   carry initials and disagreements are flagged once two people's spans are shown)
   */
  update(annotations, relations, who = {}) {
    // Initials only where they tell people apart: one person's spans alone need none.
    const everyone = Boolean(who.everyone) && new Set(annotations.map(a => a.annotatorId)).size > 1;
    this.plan = tagPlan(annotations, { ...who, everyone }, this.planned);
    const shown = new Set(annotations.map(a => a.id));
    this.marks = linkMarks(relations, shown, this.options.documentId, this.options.titles);
    this.arcs = this.options.arcs ? arcLinks(relations, shown, this.options.documentId) : [];
  }

  /** What span `id`'s tag shows, as one string (tagKey), made once per plan entry. */
  tagKeyOf(id) {
    const entry = this.plan.get(id);
    if (!entry) return '';
    let key = this.keys.get(entry);
    if (key === undefined) this.keys.set(entry, key = tagKey(entry));
    return key;
  }

  /**
   * Flags a disagreement on `piece`; answers the tags of the spans starting at it, to stand just before it (or appends
   * them to `into`, where the piece goes next, and answers null).
   */
  decorate(piece, ids, starting, into = null) {
    if (ids.some(id => this.plan.get(id)?.disagree)) piece.classList.add('is-disagreement');
    if (!starting.length) return null;
    // A span another one's tag names (annotators who agree) has no tag of its own.
    const entries = starting.map(id => this.plan.get(id)).filter(e => e && !e.in).sort((x, y) => x.order - y.order);
    if (!entries.length) return null;
    const fragment = into ?? document.createDocumentFragment();
    for (const entry of entries) {
      // Thousands of tags: plain attributes, a class per colour (no inline style to parse), and the tooltip only
      // where it matters at once (a disagreement); the others get theirs when hovered (see scheduleArcs).
      const tag = document.createElement('span');
      tag.className = `span-tag ${this.colourClass(entry.label)}${entry.disagree ? ' is-disagreement' : ''}`;
      tag.setAttribute('data-tag', entry.disagree ? `≠ ${entry.text}` : entry.text);
      tag.setAttribute('data-ids', entry.ids.join(' '));
      tag.setAttribute('data-level', String(entry.level));
      if (entry.disagree) tag.title = entry.title;
      fragment.append(tag);
      for (const id of entry.ids) {
        this.tagElements.set(id, tag);
        for (const mark of this.marks.get(id) ?? []) fragment.append(this.marker(mark));
      }
    }
    return into ? null : fragment;
  }

  /**
   * The class that paints tags of `label`'s colour: one rule per colour in a stylesheet of this page's own (made
   * through the CSSOM, so no markup or inline style is written; the colours are hex from labelPaint, nothing else).
   */
  colourClass(label) {
    const paint = labelPaint(this.options.colourOf(label));
    return classFor('tag-c', `${paint.strong}${paint.text}`, name => `.span-tag.${name} { --tag-bg: ${paint.strong}; --tag-fg: ${paint.text}; }`);
  }

  /** A link marker: the link's type and direction, or for a link to another article a badge naming it. */
  marker(mark) {
    const arrow = mark.outgoing ? '→' : '←';
    const type = mark.type.toLowerCase();
    if (!mark.other) {
      const element = document.createElement('span');
      element.className = `span-link-mark link-${type}`;
      element.dataset.tag = `${arrow} ${type}`;
      element.dataset.relation = mark.id;
      element.title = mark.outgoing ? `This claim ${type} another claim of this article` : `Another claim of this article ${type} this one`;
      return element;
    }
    const { projectId, documentId } = this.options;
    const title = [...mark.other.title].length > TITLE_MAX ? [...mark.other.title].slice(0, TITLE_MAX - 1).join('') + '…' : mark.other.title;
    const badge = document.createElement('a');
    badge.className = `span-link-badge link-${type}`;
    badge.href = `/projects/${projectId}/compare?left=${documentId}&right=${mark.other.documentId}`;
    badge.dataset.tag = `${arrow} ${type} · ${title}`;
    badge.dataset.relation = mark.id;
    const says = mark.outgoing ? `This claim ${type} a claim in “${mark.other.title}”` : `A claim in “${mark.other.title}” ${type} this claim`;
    badge.setAttribute('aria-label', `${says}: compare side by side`);
    badge.title = `${says}: compare side by side`;
    // The text's click opens spans; this one only follows its link.
    badge.addEventListener('click', e => e.stopPropagation());
    return badge;
  }

  /**
   * Arcs are measured on the laid-out text: once per frame, after the render that moved them. `isNear` tells which
   * blocks of the text are near the screen (TextView): only arcs with an end there are measured, so a long article is
   * not laid out whole to draw links nobody sees (they are drawn as they come near).
   */
  scheduleArcs(container, isNear = this.isNear ?? (() => true)) {
    this.isNear = isNear;
    if (!this.container) {
      container.classList.add('has-tags');
      // A tag's tooltip (its label in full, who marked it), given when the pointer first reaches it.
      container.addEventListener('mouseover', e => {
        const tag = e.target;
        if (tag.classList?.contains('span-tag') && !tag.title) tag.title = this.plan.get(tag.dataset.ids.split(' ')[0])?.title ?? '';
      });
      this.container = container;
      new ResizeObserver(() => this.scheduleArcs(container)).observe(container);
    }
    if (this.arcFrame) return;
    this.arcFrame = requestAnimationFrame(() => { this.arcFrame = null; this.drawArcs(container); });
  }

  drawArcs(container) {
    const started = performance.now();
    let svg = container.querySelector(':scope > svg.link-arcs');
    if (!this.arcs.length) { svg?.remove(); container.dataset.arcs = '0'; return; }
    const base = container.getBoundingClientRect();
    const dx = container.clientLeft - container.scrollLeft + base.left, dy = container.clientTop - container.scrollTop + base.top;
    const boxOf = id => {
      const tag = this.tagElements.get(id);
      if (!tag?.isConnected) return null;
      const r = tag.getBoundingClientRect();
      return { left: r.left - dx, top: r.top - dy, width: r.width, height: r.height };
    };
    const seen = id => {
      const tag = this.tagElements.get(id);
      return Boolean(tag?.isConnected) && this.isNear(tag.closest('.text-block') ?? container);
    };
    const arcs = arcLayout(this.arcs.filter(link => seen(link.from) || seen(link.to)), boxOf);
    if (!svg) {
      svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('class', 'link-arcs');
      svg.setAttribute('aria-hidden', 'true');
    }
    if (svg.parentNode !== container || svg !== container.lastChild) container.append(svg);
    const width = String(container.scrollWidth), height = String(container.scrollHeight);
    // Most redraws (an edit away from the links, a live event) leave every arc where it was: then the drawing is not
    // touched, so the frame lays out and paints the text's change alone and not the arcs laid over the whole text.
    const drawnKey = `${width}x${height}:${arcs.map(arc => `${arc.id}/${arc.type}/${arc.level}/${arc.path}`).join('|')}`;
    if (this.drawnArcs?.svg === svg && this.drawnArcs.key === drawnKey) return;
    this.drawnArcs = { svg, key: drawnKey };
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    svg.replaceChildren(...arcs.map(arc => {
      const group = document.createElementNS(SVG, 'g');
      group.setAttribute('class', `link-arc link-${arc.type.toLowerCase()}`);
      group.dataset.relation = arc.id;
      group.dataset.level = String(arc.level);
      const curve = document.createElementNS(SVG, 'path');
      curve.setAttribute('d', arc.path);
      curve.setAttribute('class', 'arc');
      const head = document.createElementNS(SVG, 'path');
      head.setAttribute('d', arc.head);
      head.setAttribute('class', 'head');
      group.append(curve, head);
      return group;
    }));
    container.dataset.arcs = String(arcs.length);
    container.dataset.arcsMs = (performance.now() - started).toFixed(1);
  }
}
