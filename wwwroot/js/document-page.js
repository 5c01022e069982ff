// The annotation editor of one document: select text, pick a label (palette or key), edit or delete spans, link
// claims, undo and redo one's own edits, and see everyone else's edits live. This file only wires the editor's
// modules (editor/*.js) to the page's elements and to each other; each module says what it does.

import { TextView } from './textview.js';
import { LiveSync } from './live.js';
import { AnnotationStore, newId, el, fill } from './annotations.js';
import { coalesce } from './batch.js';
import { Refusals } from './refusal.js';
import { labelColours } from './labels.js';
import { showLiveStatus, showPresence } from './live-status.js';
import { EditHistory } from './editor/history.js';
import { spanCreated, spanUpdated, spanDeleted, linkCreated, linkDeleted } from './editor/steps.js';
import { Changes } from './editor/changes.js';
import { PendingEdits, provisionalSpan } from './editor/pending-edits.js';
import { showPending } from './editor/pending-view.js';
import { fieldsBefore } from './editor/fields.js';
import { DetailsPanel } from './editor/details.js';
import { documentLinks, linkListKey, sameLinkList } from './editor/links.js';
import { SpanList } from './editor/span-list.js';
import { Palette } from './editor/palette.js';
import { placeOf, keyCommand } from './editor/keys.js';
import { FinishedStatus } from './editor/finished.js';
import { SpanDrawing } from './editor/tags.js';
import { initialsOf } from './editor/tag-layout.js';
import { Legend, passes } from './editor/legend.js';
import { CaretView } from './editor/caret-view.js';
import { ShortcutsDialog } from './editor/shortcuts.js';
import { GuidelinesPanel } from './editor/guidelines-panel.js';
import { documentEvent } from './document-events.js';

// The first render's script time: the page's data read (here) and its first draw (see the end).
const readStarted = performance.now();
const page = JSON.parse(document.getElementById('page-data').textContent);
const me = page.me;
const documentId = page.document.id;
const projectId = page.document.projectId;
const labels = page.labels;
const spanLabels = labels.filter(l => l.kind !== 'relation');
const relationTypes = labels.filter(l => l.kind === 'relation');
const colourOf = labelColours(labels);

const store = new AnnotationStore();
store.load(page);
const readMs = performance.now() - readStarted;

const $ = id => document.getElementById(id);
const filter = $('annotator-filter');
const announce = message => { $('announcer').textContent = message; };
const refusals = new Refusals($('refusal'), $('refusal-announcer'));

let selection = null; // {start, end, text} in code points, or null

// Label tags, link markers and arcs on the text (editor/tags.js); who marked what, by initials, in the everyone view.
const drawing = new SpanDrawing({ colourOf, documentId, projectId, titles: new Map(Object.entries(page.documentTitles ?? {})) });
const initials = initialsOf(page.members ?? []);
const legend = new Legend($('legend'), { labels, colourOf, onChange: () => refresh() });

// Spans and links with an edit the server has not confirmed (editor/pending-edits.js): drawn dotted until it does.
let unsaved = new Set();
const drawn = drawing.viewOptions();
const view = new TextView($('document-text'), page.document.text, {
  ...drawn,
  keyOf: id => drawn.keyOf(id) + (unsaved.has(id) ? '~unsaved' : ''),
  decorate: (piece, ids, starting, into) => {
    if (unsaved.size && ids.some(id => unsaved.has(id))) piece.classList.add('is-unsaved');
    return drawn.decorate(piece, ids, starting, into);
  },
  snapToWords: page.project.snapToWords,
  onSelect: range => onTextSelect(range),
  onSpanClick: ids => details.choose(ids),
});

/** The annotations of the annotator the filter shows (everyone's when it shows everyone): what the legend counts. */
function annotatorsAnnotations() {
  const who = filter?.value || '';
  return store.inDocument(documentId).filter(a => !who || a.annotatorId === who);
}

/** What the text and the list show: the annotator filter's, then the legend's (one label, or all). */
function visibleAnnotations() {
  return annotatorsAnnotations().filter(a => passes(legend.only, a));
}

/** The document's links the annotator filter shows (each made by someone; the filter shows one person's). */
function visibleRelations() {
  const who = filter?.value || '';
  return store.relationsOf(documentId).filter(r => !who || r.annotatorId === who);
}

/** Redraws what depends on the store: the text's spans, the side panel, the links, the open span's details. */
function draw() {
  draws++;
  const counted = annotatorsAnnotations();
  const annotations = counted.filter(a => passes(legend.only, a));
  const relations = visibleRelations();
  drawText(annotations, relations);
  legend.render(counted);
  if (details.selectedId) view.select([details.selectedId]);
  spanList.render(annotations, details.selectedId);
  const links = linkListKey(relations, store);
  if (!sameLinkList(drawnLinks, links)) { fill($('link-list'), documentLinks(linkContext, relations)); drawnLinks = links; }
  finished.render();
  details.afterDraw();
}

/** The text with its spans, their tags and the links between them. */
function drawText(annotations = visibleAnnotations(), relations = visibleRelations()) {
  drawing.update(annotations, relations, { everyone: Boolean(filter) && !filter.value, initials });
  view.setAnnotations(annotations);
}

// What the link list was last drawn from (it is redrawn only when a link or one of its ends changed).
let drawnLinks = null;

// Every change asks for a redraw; they are drawn once per frame, so catching up on many live events draws once.
let draws = 0;
const refresh = coalesce(draw);

// ---------------------------------------------------------------- live sync

const live = new LiveSync({
  // The server took this page's subscriptions away (role changed, removed): reload and let it decide afresh,
  // unless that would lose what the person is typing in the details.
  onAccessChanged: () => {
    if (details.editing?.dirty) {
      live.handlers.onStatus('failed', 'Your access to this project changed: keep what you typed, then reload the page.');
      return;
    }
    live.handlers.onStatus('failed', 'Your access to this project changed; reloading…');
    setTimeout(() => window.location.reload(), 1500);
  },
  onEvent: e => {
    if (documentEvent(e, { documentIds: [documentId], banner: $('document-gone'), onDeleted: stopEditing })) return;
    const changed = store.apply(e);
    if (!changed) return;
    refresh();
    if (e.actorId !== me.userId && (e.kind === 'annotation_created' || e.kind === 'relation_created')) {
      announce(`${e.data.annotatorName || 'Someone'} added ${e.data.label ?? e.data.type}`);
    }
  },
  onStatus: (state, text) => {
    showLiveStatus($('live-status'), state, text);
    if (state === 'live') pending.retryNow(); // what waited for the connection goes now, not at its next try
  },
  onPresence: (id, people) => {
    if (id !== documentId) return;
    showPresence($('presence'), people, 'On this document now');
  },
}, undefined, page.changeBudgetBytes);
live.documents.set(documentId, page.lastSequence);

// Edits that could not be saved yet (offline, database restarting) are kept and sent again; Changes sees only final answers.
const pending = new PendingEdits({
  live,
  onChange: () => { unsaved = pending.subjects(); showPending($('unsaved-edits'), pending); refresh(); },
  // A kept create is drawn at once (dotted), so the person sees their span and can go on; a refused one goes away.
  onHeld: edit => {
    if (edit.method !== 'CreateAnnotation') return;
    store.apply({ kind: 'annotation_created', data: provisionalSpan(edit.args, me) });
    dropSelection();
  },
  onRefused: edit => { if (edit.method === 'CreateAnnotation' && store.annotations.get(edit.subject)?.unsaved) store.apply({ kind: 'annotation_deleted', data: { id: edit.subject } }); },
});
$('unsaved-edits').addEventListener('click', () => { if (pending.count === 0) pending.clearRefused(); });

const changes = new Changes({
  live: pending, store, documentId, projectId, maxCheckedText: page.maxCheckedText, refresh, refuse,
  conflict: (result, mine, id) => details.conflict(result, mine, id),
});
const editHistory = new EditHistory({ announce, onError: error => refuse(error.message) });

// ---------------------------------------------------------------- the person's edits, each recorded for undo

const palette = new Palette({ box: $('palette'), buttons: $('palette-labels'), quote: $('palette-selection') }, spanLabels, createSpan);

/** Forgets the text selection once it has been used (or refused), with the palette that was up for it. */
function dropSelection() {
  window.getSelection().removeAllRanges();
  selection = null;
  palette.hide();
}

async function createSpan(label) {
  if (!selection) return;
  const made = selection;
  const result = await changes.putSpan({ id: newId(), layer: label.kind, label: label.name, start: made.start, end: made.end, text: made.text });
  if (!result.ok) return;
  editHistory.record(spanCreated(changes, result.value));
  // A create kept until the database was back answers late: the person may have selected other text meanwhile.
  if (selection === made) dropSelection();
  announce(`${label.name} added: ${result.value.text}`);
}

/** A person's change to a span, recorded for undo; answers the span as changed, or null when refused. */
async function update(id, fields, { baseVersion } = {}) {
  const before = store.annotations.get(id);
  if (!before) { changes.missing('That span is no longer in this article.'); return null; }
  const previous = fieldsBefore(before, fields);
  const result = await changes.patchSpan(id, fields, baseVersion);
  if (!result.ok) return null;
  editHistory.record(spanUpdated(changes, id, previous, fields));
  return result.value;
}

async function useSelectionAsBounds(id) {
  if (!selection) { refuse('Select the new extent of the span in the text first, then press this button.'); return; }
  if (await update(id, { start: selection.start, end: selection.end, text: changes.checkedText(selection.text) })) dropSelection();
}

async function deleteSpan(id) {
  const before = store.annotations.get(id);
  if (!before) return;
  const links = [...store.relations.values()].filter(r => (r.from === id || r.to === id) && r.annotatorId === me.userId);
  if ((await changes.dropSpan(id)).ok) {
    editHistory.record(spanDeleted(changes, before, links));
    details.close('Span deleted.');
  }
}

async function createLink(from, to, type, note) {
  const result = await changes.putLink({ id: newId(), type, from, to, note });
  if (!result.ok) return;
  editHistory.record(linkCreated(changes, result.value));
  details.render();
  announce(`Linked: ${type.toLowerCase()}.`);
}

async function unlink(id) {
  const relation = store.relations.get(id);
  if (relation && (await changes.dropLink(id)).ok) {
    editHistory.record(linkDeleted(changes, relation));
    announce('Unlinked.');
  }
}

/**
 * Says why something was refused beside what the person was doing: the selection while the label palette is up
 * (the palette closes, its choice having been refused), in the span's details when they used them (the side panel
 * does not scroll with the text, so the note goes inside it, under the buttons), else the control they used.
 */
function refuse(message) {
  const range = window.getSelection().rangeCount ? window.getSelection().getRangeAt(0) : null;
  const focused = document.activeElement && document.activeElement !== document.body ? document.activeElement : null;
  if (!palette.hidden && range) {
    const anchor = range.getBoundingClientRect();
    dropSelection();
    refusals.show(message, anchor);
  } else if (focused && $('details').contains(focused)) {
    refusals.show(message, null, focused.closest('.d-flex') ?? focused);
  } else {
    refusals.show(message, focused?.getBoundingClientRect() ?? null);
  }
}

// ---------------------------------------------------------------- side panel: details, list, links, status

/** Scrolls the text to a span and opens its details (from the list, or a link's end). */
const openSpan = id => { view.scrollTo(id); details.open(id); };

const linkContext = { store, documentId, projectId, userId: me.userId, relationTypes, open: openSpan, createLink, unlink, refuse };

const details = new DetailsPanel($('details'), {
  store, view, userId: me.userId, spanLabels, colourOf, links: linkContext, refresh, announce, refuse, update,
  useSelectionAsBounds, remove: deleteSpan, redrawText: () => drawText(),
});

const spanList = new SpanList($('annotation-list'), $('annotation-count'), {
  colourOf, seesEveryone: page.seesEveryone, onOpen: openSpan, unsaved: id => unsaved.has(id),
  current: () => ({ annotations: visibleAnnotations(), selectedId: details.selectedId }),
});

const finished = new FinishedStatus({ button: $('finish'), status: $('my-status'), note: $('read-only-note'), text: $('document-text') },
  { store, live, documentId, userId: me.userId, announce, refuse, locks: page.project.finishedLocks });

filter?.addEventListener('change', refresh);

$('undo').addEventListener('click', () => editHistory.undo());
$('redo').addEventListener('click', () => editHistory.redo());

// ---------------------------------------------------------------- keyboard

const readOnlyMessage = 'You marked this document finished and this project keeps finished work read-only: press Reopen to change it.';

// The caret, the list of shortcuts (`?`) and the guidelines beside the text (`g`).
// A finished document in a project that locks finished work offers no labels (the server would refuse them).
const onTextSelect = range => { selection = range; if (range) refusals.hide(); if (!finished.readOnly) palette.show(selection); };
const caret = new CaretView(view, { onSelect: onTextSelect, announce });
const shortcuts = new ShortcutsDialog($('shortcuts'), spanLabels);
$('shortcuts-button').addEventListener('click', () => shortcuts.show());
const guidelines = new GuidelinesPanel({
  panel: $('guidelines-panel'), toggle: $('guidelines-toggle'), close: $('guidelines-close'), body: $('guidelines-body'),
  search: $('guidelines-search'), count: $('guidelines-count'), previous: $('guidelines-previous'), next: $('guidelines-next'),
}, { projectId, hasGuidelines: $('guidelines-body').dataset.hasGuidelines === 'true', onClose: () => $('document-text').focus() });

document.addEventListener('keydown', e => {
  if (e.target.closest?.('dialog')) return; // the open dialog's own keys (Escape closes it)
  const id = details.selectedId;
  const action = keyCommand(e, placeOf(e.target, id), {
    selecting: Boolean(selection), labels: spanLabels,
    openSpanIsMine: Boolean(id) && store.annotations.get(id)?.annotatorId === me.userId,
  });
  if (!action) return;
  if (action.preventDefault) e.preventDefault();
  switch (action.command) {
    case 'undo': editHistory.undo(); break;
    case 'redo': editHistory.redo(); break;
    case 'delete': deleteSpan(id); break;
    case 'label': if (finished.readOnly) refuse(readOnlyMessage); else createSpan(action.label); break;
    case 'escape': palette.hide(); refusals.hide(); details.close(); break;
    case 'shortcuts': shortcuts.show(); break;
    case 'guidelines': guidelines.setOpen(!guidelines.isOpen, { focus: true }); break;
  }
});

/** The article was deleted: nothing done here could be kept, so the controls that change it are put out of reach. */
function stopEditing() {
  palette.hide();
  details.close();
  for (const id of ['finish', 'undo', 'redo']) $(id).disabled = true;
  $('document-text').inert = true;
  $('document-text').classList.add('opacity-50');
}

// ---------------------------------------------------------------- start

if (filter) for (const m of page.members) filter.append(el('option', { value: m.userId }, m.userId === me.userId ? `${m.name} (me)` : m.name));
const drawStarted = performance.now();
refresh.now(); // drawn before the code below looks for the span in the address
$('document-text').dataset.firstDrawMs = (readMs + performance.now() - drawStarted).toFixed(1);
$('document-text').dataset.firstReadMs = readMs.toFixed(1);
// Connected last, once everything the live handlers reach exists.
live.start();
const wanted = location.hash.match(/^#annotation-([0-9a-f-]{36})$/);
if (wanted && store.annotations.has(wanted[1])) openSpan(wanted[1]);
// For people debugging in the console, and for the browser tests (`draws` counts redraws).
window.annotate = { store, view, live, pending, drawing, legend, caret, get draws() { return draws; } };
