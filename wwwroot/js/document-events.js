// What a page showing an article does when a manager renames or deletes it: the new title goes wherever the old one
// is shown (elements marked data-document-title="ID"); a deleted article's page says so, stops taking edits and
// offers the way back to the project.

import { el } from './annotations.js';

/** Handles document_renamed and document_deleted events; answers whether the event was one of them. */
export function documentEvent(event, { documentIds, banner, onDeleted }) {
  const id = event.data?.documentId;
  if (!documentIds.includes(id)) return false;
  if (event.kind === 'document_renamed') {
    for (const node of document.querySelectorAll(`[data-document-title="${id}"]`)) node.textContent = event.data.title;
    if (documentIds.length === 1) document.title = `${event.data.title} - Annotate`;
    return true;
  }
  if (event.kind === 'document_deleted') {
    banner.hidden = false;
    banner.replaceChildren('This article was deleted by a manager, with everything on it; nothing you do here is kept. ',
      el('a', { href: banner.dataset.back ?? '/projects' }, 'Back to the project'));
    onDeleted?.(id);
    return true;
  }
  return false;
}
