// The legend of the project's span labels: each label's tag as the text draws it, its key and how many spans of it
// are shown; clicking a label shows only its spans (in the text and the side panel), clicking it again shows all.

import { el, fill } from '../annotations.js';
import { abbreviate } from './tag-layout.js';
import { labelPaint } from './contrast.js';

/**
 * The legend's entries: the project's span labels in their order, then any label spans carry that the project no
 * longer has, each with its count among `annotations`.
 * @returns {{name: string, kind: string, colour: string, key: string | null, count: number, known: boolean}[]}
 */
export function legendEntries(labels, annotations, colourOf) {
  const counts = new Map();
  for (const a of annotations) counts.set(a.label, (counts.get(a.label) ?? 0) + 1);
  const entries = labels.filter(l => l.kind !== 'relation').map(l => ({
    name: l.name, kind: l.kind, colour: colourOf(l.name), key: l.key || null, count: counts.get(l.name) ?? 0, known: true,
  }));
  const known = new Set(entries.map(e => e.name));
  for (const [name, count] of counts) {
    if (!known.has(name)) entries.push({ name, kind: annotations.find(a => a.label === name)?.layer ?? 'entity', colour: colourOf(name), key: null, count, known: false });
  }
  return entries;
}

/** Whether annotation `a` passes the legend's filter (`only`: the one label shown, or null for all). */
export const passes = (only, a) => !only || a.label === only;

export class Legend {
  /**
   * @param {HTMLElement} box  where the legend is drawn
   * @param {{labels: object[], colourOf: (label: string) => string, onChange: () => void}} options
   */
  constructor(box, { labels, colourOf, onChange }) {
    this.box = box;
    this.labels = labels;
    this.colourOf = colourOf;
    this.onChange = onChange;
    this.only = null;
  }

  /** Shows only `label`'s spans (or all again when it is the one shown already, or null). */
  choose(label) {
    this.only = label && label !== this.only ? label : null;
    this.onChange();
  }

  /** @param {object[]} annotations  what the other filters (the annotator's) let through: the counts */
  render(annotations) {
    const entries = legendEntries(this.labels, annotations, this.colourOf);
    const key = entries.map(e => `${e.name}:${e.count}`).join(',') + `|${this.only}`;
    if (key === this.drawnKey) return;
    this.drawnKey = key;
    fill(this.box,
      el('ul', { class: 'legend list-unstyled d-flex flex-wrap gap-1 mb-1' }, entries.map(e => {
        const paint = labelPaint(e.colour);
        const pressed = this.only === e.name;
        return el('li', {}, el('button', {
          type: 'button', class: `legend-item${pressed ? ' is-on' : ''}${this.only && !pressed ? ' is-off' : ''}`,
          'aria-pressed': pressed ? 'true' : 'false', dataset: { label: e.name },
          title: `${e.name}${e.known ? '' : ' (no longer in the label set)'}: ${e.count} span${e.count === 1 ? '' : 's'}${e.key ? `, key ${e.key}` : ''}. ${pressed ? 'Click to show every label' : 'Click to show only this label'}`,
          onclick: () => this.choose(e.name),
        },
        el('span', { class: 'legend-tag', style: `--tag-bg:${paint.strong};--tag-fg:${paint.text}` }, abbreviate(e.name)),
        e.key ? el('kbd', { class: 'legend-key' }, e.key) : null,
        el('span', { class: 'legend-count' }, e.count.toLocaleString('en'))));
      })),
      this.only ? el('button', { type: 'button', class: 'btn btn-link btn-sm p-0 legend-all', onclick: () => this.choose(null) }, `Showing only ${this.only}: show every label`) : null);
  }
}
