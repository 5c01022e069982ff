// How the live connection shows on a page that edits spans (the document editor, the compare view): its state
// in a badge, and who else is on the document now.

import { el, fill } from './annotations.js';

/** The badge class of a LiveSync state: green when live, red when it gave up or is offline, amber while it tries. */
export function liveStatusClass(state) {
  return `badge ${state === 'live' ? 'text-bg-success' : state === 'offline' || state === 'failed' ? 'text-bg-danger' : 'text-bg-warning'}`;
}

/** Shows a LiveSync state in the page's status badge (the browser tests read its data-state). */
export function showLiveStatus(badge, state, text) {
  badge.textContent = text;
  badge.className = liveStatusClass(state);
  badge.dataset.state = state;
}

/** Puts a badge per person present in `box`; `title` (optional) says what their presence means there. */
export function showPresence(box, people, title = null) {
  fill(box, ...people.map(p => el('span', { class: 'badge rounded-pill text-bg-light border me-1', title }, p.name)));
}
