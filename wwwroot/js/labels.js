// How a label and a link type look, shared by every page that draws spans (the document
// editor, the compare view, the review page to come), so a span reads the same wherever it is shown.

import { el } from './annotations.js';

/** The grey a span gets when its label is not (or no longer) in the project's label set. */
export const UNKNOWN_COLOUR = '#888888';

/**
 * A label's colour by name, from the project's labels. Relation types share the label table but never colour a
 * span, so a relation named like a span label cannot change that label's colour.
 */
export function labelColours(labels) {
  const colours = new Map();
  for (const l of labels) if (l.kind !== 'relation' && !colours.has(l.name)) colours.set(l.name, l.colour);
  return name => colours.get(name) ?? UNKNOWN_COLOUR;
}

/** The small coloured chip that names a label (side panel headings, the details, the overlap chooser). */
export function labelChip(label, colour) {
  return el('span', { class: 'label-chip', style: `--chip:${colour}` }, label);
}

/** Bootstrap's badge class for a link type: a contradiction reads as danger, anything else as support. */
export function relationBadgeClass(type) {
  return `badge ${type === 'CONTRADICTS' ? 'text-bg-danger' : 'text-bg-success'}`;
}

export function relationBadge(type) {
  return el('span', { class: relationBadgeClass(type) }, type.toLowerCase());
}
