// The editor's badge of edits not saved yet (editor/pending-edits.js says which): hidden when everything is saved,
// a warning while edits wait, and the server's reason when a kept edit was refused at last.

import { describePending } from './pending-edits.js';

const CLASSES = { saved: 'badge d-none', unsaved: 'badge text-bg-warning', refused: 'badge text-bg-danger' };

export function showPending(badge, pending) {
  const { state, text, title } = describePending(pending);
  badge.textContent = text;
  badge.title = title;
  badge.className = CLASSES[state];
  badge.dataset.state = state;
  badge.dataset.count = String(pending.count);
}
