// Two articles side by side with their claims. Linking is one click on each side: click a claim on the
// left (it is marked as the source), then a claim on the right, and the link of the chosen type is made.
// Existing links are listed; choosing one scrolls both sides to its ends.

import { TextView } from './textview.js';
import { LiveSync } from './live.js';
import { AnnotationStore, newId, el, fill } from './annotations.js';
import { coalesce } from './batch.js';
import { labelColours, relationBadge } from './labels.js';
import { showLiveStatus, showPresence } from './live-status.js';
import { SpanDrawing } from './editor/tags.js';
import { articlePicker } from './article-picker.js';
import { documentEvent } from './document-events.js';

const page = JSON.parse(document.getElementById('page-data').textContent);
const projectId = page.project.id;
const [left, right] = page.documents;
const labels = page.labels;
const colourOf = labelColours(labels); // the same colours as the document page's
const $ = id => document.getElementById(id);
const store = new AnnotationStore();
store.load(page);
let source = null; // the claim on the left waiting for its partner

const views = new Map();
// The claims drawn as on the document page: label tags, link markers, badges naming the other article (editor/tags.js).
const drawings = new Map();
const titles = new Map(page.documents.map(d => [String(d.id), d.title]));
for (const [side, doc] of [['left', left], ['right', right]]) {
  const drawing = new SpanDrawing({ colourOf, documentId: doc.id, projectId, titles, arcs: false });
  drawings.set(doc.id, drawing);
  views.set(doc.id, new TextView($(`text-${side}`), doc.text, {
    ...drawing.viewOptions(), snapToWords: page.project.snapToWords, // the project's setting, as on the document page
    onSelect: () => {},
    onSpanClick: ids => pick(side, doc.id, ids),
  }));
}

function claimsOf(documentId) { return store.inDocument(documentId).filter(a => a.layer === 'claim'); }

function draw() {
  draws++;
  for (const [id, view] of views) {
    drawings.get(id).update(claimsOf(id), store.relationsOf(id), { everyone: page.seesEveryone });
    view.setAnnotations(claimsOf(id));
    view.select(source && source.documentId === id ? [source.id] : []);
  }
  renderClaimLists();
  renderLinks();
}

// Drawn once per frame however many changes arrive (a catch-up of many live events draws once).
let draws = 0;
const refresh = coalesce(draw);

function pick(side, documentId, ids) {
  const claim = ids.map(id => store.annotations.get(id)).find(a => a?.layer === 'claim');
  if (!claim) return;
  if (side === 'left') {
    source = claim;
    $('link-hint').textContent = `Source: “${claim.text}”. Now click a claim on the right.`;
    refresh();
    return;
  }
  if (!source) { $('link-hint').textContent = 'First click a claim on the left, then one on the right.'; return; }
  link(source, claim);
}

async function link(from, to) {
  const type = $('link-type').value;
  const result = await live.call('CreateRelation', projectId, { id: newId(), type, from: from.id, to: to.id, note: $('link-note').value || null });
  if (!result.ok) { showError(result.detail); return; }
  store.apply({ kind: 'relation_created', data: result.value });
  source = null;
  $('link-hint').textContent = `Linked: “${from.text}” ${type.toLowerCase()} “${to.text}”.`;
  $('link-note').value = '';
  refresh();
}

function showError(message) {
  fill($('errors'), el('div', { class: 'alert alert-danger small', role: 'alert' }, message));
}

function renderClaimLists() {
  for (const [side, doc] of [['left', left], ['right', right]]) {
    fill($(`claims-${side}`), claimsOf(doc.id).map(c => el('li', {},
      el('button', { type: 'button', class: `btn btn-link btn-sm p-0 text-start claim-item${source?.id === c.id ? ' fw-bold' : ''}`, dataset: { claim: c.id },
        onclick: () => { views.get(doc.id).scrollTo(c.id); pick(side, doc.id, [c.id]); } }, c.text),
      el('small', { class: 'text-muted ms-1' }, c.annotatorName))));
  }
}

function renderLinks() {
  const relations = [...store.relations.values()].filter(r =>
    (r.fromDocumentId === left.id || r.fromDocumentId === right.id) && (r.toDocumentId === left.id || r.toDocumentId === right.id));
  fill($('compare-links'), relations.length ? relations.map(r => el('li', { class: 'border-bottom py-1', dataset: { relation: r.id } },
    el('button', { type: 'button', class: 'btn btn-link btn-sm p-0 text-start', onclick: () => { views.get(r.fromDocumentId)?.scrollTo(r.from); views.get(r.toDocumentId)?.scrollTo(r.to); } },
      `“${r.fromText ?? 'another annotator’s claim'}” `, relationBadge(r.type), ` “${r.toText ?? 'another annotator’s claim'}”`),
    el('small', { class: 'text-muted ms-1' }, r.annotatorName))) : el('li', { class: 'text-muted small' }, 'No links between these two articles yet.'));
}

const live = new LiveSync({
  onEvent: e => {
    if (documentEvent(e, { documentIds: [left.id, right.id], banner: $('document-gone') })) return;
    if (store.apply(e)) refresh();
  },
  onStatus: (state, text) => showLiveStatus($('live-status'), state, text),
  onPresence: (documentId, people) => {
    const side = documentId === left.id ? 'left' : 'right';
    showPresence($(`presence-${side}`), people);
  },
}, undefined, page.changeBudgetBytes);
live.documents.set(left.id, page.lastSequence);
live.documents.set(right.id, page.lastSequence);
live.start();

for (const t of labels.filter(l => l.kind === 'relation')) $('link-type').append(el('option', { value: t.name }, t.name.toLowerCase()));
// Each side's picker searches the project's articles on the server (a project may hold 100,000 of them).
for (const side of ['left', 'right']) {
  const other = side === 'left' ? right.id : left.id;
  articlePicker($(`pick-${side}`), $(`pick-${side}-results`), $(`pick-${side}-status`), {
    projectId,
    exclude: [left.id, right.id],
    href: id => `/projects/${projectId}/compare?` + (side === 'left' ? `left=${id}&right=${other}` : `left=${other}&right=${id}`),
  });
}
refresh.now();
window.annotate = { store, views, live, get draws() { return draws; } };
