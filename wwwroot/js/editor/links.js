// The links between claims as the editor shows them: the list of a document's (or a span's) links, and the form
// that links the open claim to another one. Making and removing links is the page's (it records them for undo).

import { el, fill, api } from '../annotations.js';
import { relationBadge } from '../labels.js';

/**
 * @typedef {{store: object, documentId: string, projectId: string, userId: string, relationTypes: {name: string}[],
 *   open: (id: string) => void, createLink: (from: string, to: string, type: string, note: string) => void,
 *   unlink: (id: string) => void, refuse: (message: string) => void}} LinkContext
 *   open scrolls to a span of this document and opens its details
 */

/** The text of a relation's end: live from the store when it is in this document, else as the relation carries it. */
export function endText(store, r, annotationId) {
  // null: another annotator's claim in a blind project, whose text this reader may not see.
  return store.annotations.get(annotationId)?.text ?? (annotationId === r.from ? r.fromText : r.toText) ?? 'another annotator’s claim';
}

/** The other article a relation reaches from `documentId`, or null when both its ends are in it. */
export function otherDocument(r, documentId) {
  if (r.fromDocumentId === documentId && r.toDocumentId === documentId) return null;
  return r.fromDocumentId === documentId ? r.toDocumentId : r.fromDocumentId;
}

/** @param {LinkContext} c */
export function relationItems(relations, c) {
  return el('ul', { class: 'list-unstyled small mb-0' }, relations.map(r => {
    const other = otherDocument(r, c.documentId);
    const go = (id, doc) => doc === c.documentId
      ? el('button', { type: 'button', class: 'btn btn-link btn-sm p-0 text-start', onclick: () => c.open(id) }, endText(c.store, r, id))
      : el('a', { href: `/documents/${doc}#annotation-${id}` }, endText(c.store, r, id));
    return el('li', { class: 'link-item border-bottom py-1', dataset: { relation: r.id } },
      go(r.from, r.fromDocumentId), ' ', relationBadge(r.type), ' ', go(r.to, r.toDocumentId),
      r.note ? el('div', { class: 'text-muted' }, r.note) : null,
      r.annotatorName ? el('div', { class: 'text-muted link-author' }, `linked by ${r.annotatorId === c.userId ? 'you' : r.annotatorName}`) : null,
      el('div', { class: 'd-flex gap-2' },
        other ? el('a', { href: `/projects/${c.projectId}/compare?left=${c.documentId}&right=${other}` }, 'compare side by side') : null,
        r.annotatorId === c.userId ? el('button', { type: 'button', class: 'btn btn-link btn-sm p-0 text-danger', onclick: () => c.unlink(r.id) }, 'unlink') : null));
  }));
}

/**
 * What the side panel's link list is drawn from: each link and the texts of its two ends. The store replaces a link or
 * span object whenever it changes, so an equal list means the drawn one is still right (no redraw per edit).
 */
export function linkListKey(relations, store) {
  return relations.map(r => [r, store.annotations.get(r.from), store.annotations.get(r.to)]).flat();
}

/** Whether two keys of linkListKey are the same. */
export const sameLinkList = (a, b) => Boolean(a) && a.length === b.length && a.every((x, i) => x === b[i]);

/** The side panel's list of the document's links (those given: the page filters them by annotator). @param {LinkContext} c */
export function documentLinks(c, relations = c.store.relationsOf(c.documentId)) {
  return relations.length ? relationItems(relations, c) : el('p', { class: 'text-muted small' }, 'No links yet. Open a claim and choose “Link to another claim”, or use the compare view.');
}

/**
 * The link form of claim `a`; `kept` restores an open form as the person left it ({query, title, type, note}).
 * @param {LinkContext} c
 */
export function linkForm(a, kept, c) {
  const results = el('div', { class: 'list-group list-group-flush small', id: 'link-results' });
  const search = el('input', { id: 'link-search', type: 'search', class: 'form-control form-control-sm', placeholder: 'Text, attribution or note' });
  // The article title is its own filter: a number in a search should not match every claim of an article named with it.
  const title = el('input', { id: 'link-title', type: 'search', class: 'form-control form-control-sm', placeholder: 'Any article' });
  const type = el('select', { id: 'link-type', class: 'form-select form-select-sm' }, c.relationTypes.map(t => el('option', { value: t.name }, t.name.toLowerCase())));
  const note = el('input', { id: 'link-note', class: 'form-control form-control-sm', placeholder: 'Why (optional)' });
  let timer = null;
  const load = async () => {
    try {
      const claims = await api(`/api/projects/${c.projectId}/claims?q=${encodeURIComponent(search.value)}&title=${encodeURIComponent(title.value)}&limit=30`);
      fill(results, ...claims.filter(claim => claim.id !== a.id).map(claim => el('button', {
        type: 'button', class: 'list-group-item list-group-item-action', dataset: { claim: claim.id },
        onclick: () => c.createLink(a.id, claim.id, type.value, note.value),
      }, el('span', { class: 'fw-semibold' }, claim.text), el('br'), el('small', { class: 'text-muted' }, `${claim.documentTitle} · ${claim.annotatorName}`))));
      if (!claims.length) fill(results, el('p', { class: 'text-muted small m-1' }, 'No claims match.'));
    } catch (error) { c.refuse(error.message); }
  };
  for (const input of [search, title]) input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 200); });
  if (kept) { search.value = kept.query; title.value = kept.title ?? ''; type.value = kept.type; note.value = kept.note; }
  // Opening the form (or drawing it open again) lists the claims.
  return el('details', { class: 'mt-3 link-form', open: Boolean(kept), ontoggle: e => { if (e.target.open) load(); } },
    el('summary', {}, 'Link to another claim…'),
    el('div', { class: 'mt-2' },
      el('label', { for: 'link-type', class: 'form-label small mb-0' }, 'This claim'), type,
      el('label', { for: 'link-search', class: 'form-label small mb-0 mt-1' }, 'the claim'), search,
      el('label', { for: 'link-title', class: 'form-label small mb-0 mt-1' }, 'in the article titled'), title,
      el('label', { for: 'link-note', class: 'form-label small mb-0 mt-1' }, 'Note'), note,
      results));
}
