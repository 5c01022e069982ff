// The annotation editor of one document: select text, pick a label (palette or key), edit or delete
// spans, link claims, undo and redo one's own edits, and see everyone else's edits live.

import { TextView } from './textview.js';
import { LiveSync } from './live.js';
import { AnnotationStore, newId, el, fill, api } from './annotations.js';
import { groupByLayerAndLabel } from './spans.js';
import { coalesce } from './batch.js';
import { Refusals } from './refusal.js';

const page = JSON.parse(document.getElementById('page-data').textContent);
const me = page.me;
const documentId = page.document.id;
const projectId = page.document.projectId;
const labels = page.labels;
const spanLabels = labels.filter(l => l.kind !== 'relation');
const relationTypes = labels.filter(l => l.kind === 'relation');
const colourOf = name => labels.find(l => l.name === name && l.kind !== 'relation')?.colour ?? '#888888';

const store = new AnnotationStore();
store.load(page);

const $ = id => document.getElementById(id);
const status = $('live-status');
const palette = $('palette');
const details = $('details');
const list = $('annotation-list');
const linksList = $('link-list');
const filter = $('annotator-filter');
const announce = message => { $('announcer').textContent = message; };
const refusals = new Refusals($('refusal'), $('refusal-announcer'));

let selection = null;   // {start, end, text} in code points, or null
let selectedId = null;  // the annotation shown in the details panel
let editing = null;     // {id, baseVersion, dirty}: what the details form was filled from, and whether it was typed in

const view = new TextView($('document-text'), page.document.text, {
  colourOf,
  snapToWords: page.project.snapToWords,
  onSelect: range => { selection = range; if (range) refusals.hide(); showPalette(); },
  onSpanClick: ids => chooseAnnotation(ids),
});

function visibleAnnotations() {
  const who = filter?.value || '';
  return store.inDocument(documentId).filter(a => !who || a.annotatorId === who);
}

/** Redraws what depends on the store: the text's spans, the side panel, the links, the open span's details. */
function draw() {
  draws++;
  const annotations = visibleAnnotations();
  view.setAnnotations(annotations);
  if (selectedId) view.select([selectedId]);
  renderList(annotations);
  renderLinks();
  renderFinished();
  if (selectedId && !store.annotations.has(selectedId)) closeDetails('This span was deleted.');
  else if (selectedId && !editing?.dirty) renderDetails();
  else if (selectedId && store.annotations.get(selectedId).version !== editing.baseVersion && !$('detail-conflict')?.querySelector('[data-testid="conflict"]')) {
    // Someone changed it while this person was typing: keep their typing; saving will show both versions.
    fill($('detail-conflict'), el('p', { class: 'small text-warning-emphasis mt-2' }, 'Changed by someone else while you were editing; saving will show both versions.'));
  }
}

// Every change asks for a redraw; they are drawn once per frame, so catching up on many live events draws once.
let draws = 0;
const refresh = coalesce(draw);

// ---------------------------------------------------------------- live sync

const live = new LiveSync({
  // The server took this page's subscriptions away (role changed, removed): reload and let it decide afresh,
  // unless that would lose what the person is typing in the details.
  onAccessChanged: () => {
    if (editing?.dirty) {
      live.handlers.onStatus('failed', 'Your access to this project changed: keep what you typed, then reload the page.');
      return;
    }
    live.handlers.onStatus('failed', 'Your access to this project changed; reloading…');
    setTimeout(() => window.location.reload(), 1500);
  },
  onEvent: e => {
    const changed = store.apply(e);
    if (!changed) return;
    refresh();
    if (e.actorId !== me.userId && (e.kind === 'annotation_created' || e.kind === 'relation_created')) {
      announce(`${e.data.annotatorName || 'Someone'} added ${e.data.label ?? e.data.type}`);
    }
  },
  onStatus: (state, text) => {
    status.textContent = text;
    status.className = `badge ${state === 'live' ? 'text-bg-success' : state === 'offline' || state === 'failed' ? 'text-bg-danger' : 'text-bg-warning'}`;
    status.dataset.state = state;
  },
  onPresence: (id, people) => {
    if (id !== documentId) return;
    fill($('presence'), ...people.map(p => el('span', { class: 'badge rounded-pill text-bg-light border me-1', title: 'On this document now' }, p.name)));
  },
}, undefined, page.changeBudgetBytes);
live.documents.set(documentId, page.lastSequence);
live.start();

// ---------------------------------------------------------------- creating spans

function showPalette() {
  if (!selection) { palette.hidden = true; return; }
  const range = window.getSelection().rangeCount ? window.getSelection().getRangeAt(0).getBoundingClientRect() : null;
  palette.hidden = false;
  if (range) {
    const top = window.scrollY + range.bottom + 6;
    const left = Math.max(8, Math.min(window.scrollX + range.left, window.scrollX + document.documentElement.clientWidth - palette.offsetWidth - 8));
    palette.style.top = `${top}px`;
    palette.style.left = `${left}px`;
  }
  $('palette-selection').textContent = selection.text.length > 60 ? selection.text.slice(0, 57) + '…' : selection.text;
}

function buildPalette() {
  const buttons = spanLabels.map(label => el('button', {
    type: 'button', class: 'btn btn-sm btn-light border palette-label', dataset: { label: label.name, kind: label.kind },
    style: `border-left: 6px solid ${label.colour} !important`,
    'aria-keyshortcuts': label.key ?? null,
    onclick: () => createSpan(label),
  }, label.name, label.key ? el('kbd', { class: 'ms-1' }, label.key) : null));
  fill($('palette-labels'), ...buttons);
}

async function createSpan(label) {
  if (!selection) return;
  const result = await putSpan({ id: newId(), layer: label.kind, label: label.name, start: selection.start, end: selection.end, text: selection.text });
  if (!result.ok) return;
  record(spanCreated(result.value));
  window.getSelection().removeAllRanges();
  selection = null;
  palette.hidden = true;
  announce(`${label.name} added: ${result.value.text}`);
}

// ---------------------------------------------------------------- changes sent to the server
// Each answers the hub's {ok, status, value, detail} (status 0: not sent, the connection is down), applies a
// success to the store and says what went wrong otherwise. None of them touches the undo history: the person's
// actions record steps (below), and undo and redo replay them through these same functions.

/** Creates a span; with the id of one that was deleted, it comes back under that id (what undo and redo do). */
/** What a span sends to have its text checked: its text, unless it is longer than the server checks (offsets define it). */
const checkedText = text => (text != null && text.length <= page.maxCheckedText ? text : undefined);

async function putSpan(fields) {
  const result = await live.call('CreateAnnotation', documentId, {
    id: fields.id, layer: fields.layer, label: fields.label, start: fields.start, end: fields.end, text: checkedText(fields.text),
    note: fields.note ?? null, attributes: fields.attributes ?? null,
  });
  if (!result.ok) { refuse(result.detail); return result; }
  store.apply({ kind: 'annotation_created', data: result.value });
  refresh();
  return result;
}

/**
 * Changes a span, based on `baseVersion` (what the person saw) or else the version the page holds now. `changes` holds
 * only the fields to change (label, note, attributedTo, start, end, text): the others stay as the server has them.
 */
async function patchSpan(id, changes, baseVersion) {
  const current = store.annotations.get(id);
  if (!current) return missing('That span is no longer in this article.');
  const result = await live.call('UpdateAnnotation', id, { ...changeRequest(changes, current), version: baseVersion ?? current.version });
  if (!result.ok) { showConflict(result, changes, id); return result; }
  store.apply({ kind: 'annotation_updated', data: result.value });
  refresh();
  return result;
}

async function dropSpan(id) {
  const current = store.annotations.get(id);
  if (!current) return missing('That span is no longer in this article.');
  const result = await live.call('DeleteAnnotation', id, current.version);
  if (!result.ok) { showConflict(result); return result; }
  store.apply({ kind: 'annotation_deleted', data: { id } });
  // The server deletes the span's links with it; forget them now rather than when their events arrive.
  for (const r of [...store.relations.values()]) if (r.from === id || r.to === id) store.apply({ kind: 'relation_deleted', data: { id: r.id } });
  refresh();
  return result;
}

async function putLink(fields) {
  const result = await live.call('CreateRelation', projectId, { id: fields.id, type: fields.type, from: fields.from, to: fields.to, note: fields.note || null });
  if (!result.ok) { refuse(result.detail); return result; }
  store.apply({ kind: 'relation_created', data: result.value });
  refresh();
  return result;
}

async function dropLink(id) {
  const current = store.relations.get(id);
  if (!current) return missing('That link is no longer there.');
  const result = await live.call('DeleteRelation', id, current.version);
  if (!result.ok) { refuse(result.detail); return result; }
  store.apply({ kind: 'relation_deleted', data: { id } });
  refresh();
  return result;
}

/** A refusal made on the page: the thing is gone (deleted in another tab, or with the span it linked). */
function missing(detail) {
  refuse(detail);
  return { ok: false, status: 404, detail };
}

// ---------------------------------------------------------------- undo and redo
// A step is {undo, redo}, each an async function answering like the functions above. Steps hold ids, never
// versions: they change whatever version the page holds when they run. A span or link that undo or redo makes
// again gets its old id back (the server accepts a deleted one's id), so the steps around it still find it; the
// step keeps what the server answered. Only record() (a new edit) clears the redo stack.

const undoStack = [];
const redoStack = [];

let edits = 0; // new edits made, so a step replayed meanwhile knows its redo would now undo newer work

function record(step) {
  edits++;
  undoStack.push(step);
  redoStack.length = 0;
}

function spanCreated(annotation) {
  const step = {
    undo: () => dropSpan(step.annotation.id),
    redo: async () => {
      const result = await putSpan(step.annotation);
      if (result.ok) step.annotation = result.value;
      return result;
    },
    annotation,
  };
  return step;
}

function spanUpdated(id, before, after) {
  return { undo: () => patchSpan(id, before), redo: () => patchSpan(id, after) };
}

/** Deleting a span deletes its links too: undoing it brings back the span and this person's links (others' are theirs to make). */
function spanDeleted(annotation, links) {
  const step = {
    undo: async () => {
      const result = await putSpan(step.annotation);
      if (!result.ok) return result;
      step.annotation = result.value;
      const restored = [];
      for (const link of step.links) {
        const made = await putLink(link);
        if (made.ok) restored.push(made.value);
      }
      step.links = restored;
      return result;
    },
    redo: () => dropSpan(step.annotation.id),
    annotation, links,
  };
  return step;
}

function linkCreated(relation) {
  const step = {
    undo: () => dropLink(step.relation.id),
    redo: async () => {
      const result = await putLink(step.relation);
      if (result.ok) step.relation = result.value;
      return result;
    },
    relation,
  };
  return step;
}

function linkDeleted(relation) {
  const step = linkCreated(relation);
  return { undo: step.redo, redo: step.undo };
}

/**
 * Undoes or redoes one step, one at a time (a second Ctrl+Z waits for the first). A step the server refused is
 * dropped, since it would be refused again; one that was not sent (connection down) stays to be tried again.
 */
let replaying = Promise.resolve();
function runUndo(from, to) {
  const undoing = from === undoStack;
  replaying = replaying.then(async () => {
    const step = from.pop();
    if (!step) { announce(`Nothing to ${undoing ? 'undo' : 'redo'}.`); return; }
    const editsBefore = edits;
    const result = await (undoing ? step.undo() : step.redo());
    // A new edit made while this step was on its way cleared the redo history: do not bring this step back into it.
    if (result.ok) { if (!undoing || edits === editsBefore) to.push(step); announce(undoing ? 'Undone.' : 'Redone.'); }
    else if (result.status === 0) from.push(step);
    else announce(`Could not ${undoing ? 'undo' : 'redo'}: ${result.detail}`);
  }).catch(error => refuse(error.message)); // a broken step must not stop the ones queued after it
  return replaying;
}

// ---------------------------------------------------------------- details of one span

function chooseAnnotation(ids) {
  if (ids.length === 1) { openDetails(ids[0]); return; }
  // Several spans overlap here: let the person pick one (keyboard reachable).
  fill(details, el('h2', { class: 'h6' }, 'Spans here'),
    el('div', { class: 'list-group' }, ids.map(id => {
      const a = store.annotations.get(id);
      return el('button', { type: 'button', class: 'list-group-item list-group-item-action', onclick: () => openDetails(id) },
        el('span', { class: 'label-chip', style: `--chip:${colourOf(a.label)}` }, a.label), ' ', a.text, ' ', el('small', { class: 'text-muted' }, a.annotatorName));
    })));
  details.hidden = false;
}

function openDetails(id) {
  selectedId = id;
  view.select([id]);
  refresh(); // the list shows which span is open
  renderDetails();
  details.hidden = false;
  details.querySelector('select, button')?.focus();
}

function closeDetails(message) {
  selectedId = null;
  editing = null;
  view.select([]);
  refresh();
  details.hidden = true;
  if (message) announce(message);
}

function renderDetails() {
  const a = store.annotations.get(selectedId);
  if (!a) return;
  const mine = a.annotatorId === me.userId;
  const sameLayer = spanLabels.filter(l => l.kind === a.layer);
  const labelSelect = el('select', { id: 'detail-label', class: 'form-select form-select-sm', disabled: !mine },
    sameLayer.map(l => el('option', { value: l.name, selected: l.name === a.label }, l.name)));
  const note = el('textarea', { id: 'detail-note', class: 'form-control form-control-sm', rows: 2, maxlength: 10000, readonly: !mine }, a.note ?? '');
  const attributed = el('input', { id: 'detail-attributed', class: 'form-control form-control-sm', value: a.attributes?.attributedTo ?? '', readonly: !mine });
  const relations = [...store.relations.values()].filter(r => r.from === a.id || r.to === a.id);
  // Redrawn when anything changes (a live event, too): the person's keyboard focus stays where it was.
  // So do the link form's state and what was typed into it, while the same span stays open.
  const focused = details.contains(document.activeElement) ? document.activeElement.id : null;
  const linkDetails = details.querySelector('details.link-form');
  const linking = editing?.id === a.id && linkDetails?.open ? { query: $('link-search').value, title: $('link-title').value, type: $('link-type').value, note: $('link-note').value } : null;
  // What the form shows: saving sends only what the person changed from it, so nobody else's change is put back.
  editing = { id: a.id, baseVersion: a.version, dirty: false, shown: formValues(a) };
  for (const input of [labelSelect, note, attributed]) input.addEventListener('input', () => { editing.dirty = true; });
  fill(details,
    el('div', { class: 'd-flex justify-content-between align-items-start' },
      el('h2', { class: 'h6 mb-1' }, el('span', { class: 'label-chip', style: `--chip:${colourOf(a.label)}` }, a.label), ' ', a.layer),
      el('button', { type: 'button', id: 'detail-close', class: 'btn-close', 'aria-label': 'Close details', onclick: () => closeDetails() })),
    el('blockquote', { class: 'detail-text small border-start ps-2' }, a.text),
    el('p', { class: 'small text-muted mb-2' }, `by ${a.annotatorName || 'someone'} · ${a.start}–${a.end} · version ${a.version}`),
    el('label', { for: 'detail-label', class: 'form-label small mb-0' }, 'Label'), labelSelect,
    a.layer === 'claim' ? [el('label', { for: 'detail-attributed', class: 'form-label small mb-0 mt-2' }, 'Attributed to (who makes the claim)'), attributed] : null,
    el('label', { for: 'detail-note', class: 'form-label small mb-0 mt-2' }, 'Note'), note,
    el('div', { id: 'detail-conflict' }),
    mine ? el('div', { class: 'd-flex flex-wrap gap-2 mt-2' },
      el('button', { type: 'button', id: 'detail-save', class: 'btn btn-sm btn-primary', onclick: () => saveDetails(a.id) }, 'Save'),
      el('button', { type: 'button', id: 'detail-bounds', class: 'btn btn-sm btn-outline-secondary', onclick: () => useSelectionAsBounds(a.id), title: 'Select new text first' }, 'Use selection as boundaries'),
      el('button', { type: 'button', id: 'detail-delete', class: 'btn btn-sm btn-outline-danger', onclick: () => deleteSelected(a.id) }, 'Delete')) : el('p', { class: 'small text-muted mt-2' }, 'Only its annotator can change this span.'),
    a.layer === 'claim' ? linkForm(a, linking) : null,
    relations.length ? el('div', { class: 'mt-2' }, el('h3', { class: 'h6' }, 'Links'), relationItems(relations)) : null,
  );
  if (focused) $(focused)?.focus();
}

/** The fields the details form edits, as the span has them. */
function formValues(a) {
  return { label: a.label, note: a.note ?? '', attributedTo: a.attributes?.attributedTo ?? '' };
}

/** The hub's fields for a change: the attribution goes inside the span's own attributes (kept as the page holds them). */
function changeRequest(changes, span) {
  const { attributedTo, ...rest } = changes;
  if (attributedTo === undefined) return rest;
  const attributes = { ...(span.attributes ?? {}) };
  if (attributedTo) attributes.attributedTo = attributedTo; else delete attributes.attributedTo;
  return { ...rest, attributes };
}

/** A person's change to a span, recorded for undo. */
async function update(id, changes, { baseVersion } = {}) {
  const before = store.annotations.get(id);
  if (!before) { missing('That span is no longer in this article.'); return null; }
  // What undo puts back: the fields this change touches, as they were (undo must not put back others' changes either).
  const was = { ...formValues(before), start: before.start, end: before.end };
  const previous = Object.fromEntries(Object.keys(changes).filter(k => k !== 'text').map(k => [k, was[k]]));
  const result = await patchSpan(id, changes, baseVersion);
  if (!result.ok) return null;
  record(spanUpdated(id, previous, changes));
  return result.value;
}

async function saveDetails(id) {
  const a = store.annotations.get(id);
  const shown = editing?.id === id ? editing.shown : formValues(a);
  const typed = { label: $('detail-label').value, note: $('detail-note').value };
  if (a.layer === 'claim') typed.attributedTo = $('detail-attributed').value.trim();
  const changes = Object.fromEntries(Object.entries(typed).filter(([key, value]) => value !== shown[key]));
  if (Object.keys(changes).length === 0) { editing = null; refresh(); announce('Nothing to save: nothing was changed.'); return; }
  // Based on the version the form was filled from: an edit made meanwhile is shown, not overwritten.
  if (await update(id, changes, { baseVersion: editing?.id === id ? editing.baseVersion : undefined })) {
    editing = null;
    announce('Saved.');
  }
}

async function useSelectionAsBounds(id) {
  if (!selection) { refuse('Select the new extent of the span in the text first, then press this button.'); return; }
  if (await update(id, { start: selection.start, end: selection.end, text: checkedText(selection.text) })) {
    window.getSelection().removeAllRanges();
    selection = null;
    palette.hidden = true;
  }
}

async function deleteSelected(id) {
  const before = store.annotations.get(id);
  if (!before) return;
  const links = [...store.relations.values()].filter(r => (r.from === id || r.to === id) && r.annotatorId === me.userId);
  if ((await dropSpan(id)).ok) {
    record(spanDeleted(before, links));
    closeDetails('Span deleted.');
  }
}

/**
 * A stale version: show both versions and let the person choose; nothing is lost either way. "Apply mine on top"
 * sends only the fields this person changed (`mine`), on their version: what they did not touch stays theirs.
 */
function showConflict(result, mine, id) {
  if (result.status !== 409 || !result.current) { refuse(result.detail); return; }
  const theirs = result.current;
  if (result.current.id) store.apply({ kind: 'annotation_updated', data: theirs });
  // The conflict is about this span: shown in its details (opened when an undo or redo met it), held there until chosen.
  if (id && selectedId !== id && store.annotations.has(id)) openDetails(id);
  if (editing?.id === id) editing.dirty = true;
  const box = $('detail-conflict');
  if (!box) { refuse(result.detail); return; }
  fill(box, el('div', { class: 'alert alert-warning small mt-2', role: 'alert', 'data-testid': 'conflict' },
    el('strong', {}, 'Changed meanwhile. '), `${theirs.annotatorName ?? 'Someone'}'s version ${theirs.version}: ${theirs.label} “${theirs.text}”${theirs.note ? ` (note: ${theirs.note})` : ''}.`,
    mine && id ? el('div', { class: 'mt-1' }, applyMineSays(mine, theirs)) : null,
    el('div', { class: 'd-flex gap-2 mt-2' },
      el('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', onclick: () => { fill(box); editing = null; refresh(); } }, 'Keep theirs'),
      mine && id ? el('button', { type: 'button', class: 'btn btn-sm btn-warning', onclick: async () => { if (await update(id, mine)) { editing = null; refresh(); } } }, 'Apply mine on top') : null)));
  view.setAnnotations(visibleAnnotations());
}

/** What "Apply mine on top" will do: which fields it sets, and which of theirs it keeps. */
function applyMineSays(mine, theirs) {
  const fields = [
    ['label', 'label', theirs.label],
    ['note', 'note', theirs.note || 'none'],
    ...(theirs.layer === 'claim' ? [['attributedTo', 'attribution', theirs.attributes?.attributedTo || 'none']] : []),
    ['start', 'boundaries', `“${theirs.text}”`],
  ];
  const sets = fields.filter(([key]) => key in mine).map(([, name]) => name);
  const keeps = fields.filter(([key]) => !(key in mine)).map(([, name, value]) => `${name} (${value})`);
  return `Apply mine on top sets only your ${sets.join(' and ')}${keeps.length ? `; it keeps their ${keeps.join(', ')}` : ''}.`;
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
    palette.hidden = true;
    window.getSelection().removeAllRanges();
    selection = null;
    refusals.show(message, anchor);
  } else if (focused && details.contains(focused)) {
    refusals.show(message, null, focused.closest('.d-flex') ?? focused);
  } else {
    refusals.show(message, focused?.getBoundingClientRect() ?? null);
  }
}

// ---------------------------------------------------------------- links between claims

/** The link form of claim `a`; `kept` restores an open form as the person left it ({query, title, type, note}). */
function linkForm(a, kept) {
  const results = el('div', { class: 'list-group list-group-flush small', id: 'link-results' });
  const search = el('input', { id: 'link-search', type: 'search', class: 'form-control form-control-sm', placeholder: 'Text, attribution or note' });
  // The article title is its own filter: a number in a search should not match every claim of an article named with it.
  const title = el('input', { id: 'link-title', type: 'search', class: 'form-control form-control-sm', placeholder: 'Any article' });
  const type = el('select', { id: 'link-type', class: 'form-select form-select-sm' }, relationTypes.map(t => el('option', { value: t.name }, t.name.toLowerCase())));
  const note = el('input', { id: 'link-note', class: 'form-control form-control-sm', placeholder: 'Why (optional)' });
  let timer = null;
  const load = async () => {
    try {
      const claims = await api(`/api/projects/${projectId}/claims?q=${encodeURIComponent(search.value)}&title=${encodeURIComponent(title.value)}&limit=30`);
      fill(results, ...claims.filter(c => c.id !== a.id).map(c => el('button', {
        type: 'button', class: 'list-group-item list-group-item-action', dataset: { claim: c.id },
        onclick: () => createLink(a.id, c.id, type.value, note.value),
      }, el('span', { class: 'fw-semibold' }, c.text), el('br'), el('small', { class: 'text-muted' }, `${c.documentTitle} · ${c.annotatorName}`))));
      if (!claims.length) fill(results, el('p', { class: 'text-muted small m-1' }, 'No claims match.'));
    } catch (error) { refuse(error.message); }
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

async function createLink(from, to, type, note) {
  const result = await putLink({ id: newId(), type, from, to, note });
  if (!result.ok) return;
  record(linkCreated(result.value));
  renderDetails();
  announce(`Linked: ${type.toLowerCase()}.`);
}

async function unlink(id) {
  const relation = store.relations.get(id);
  if (relation && (await dropLink(id)).ok) {
    record(linkDeleted(relation));
    announce('Unlinked.');
  }
}

/** The text of a relation's end: live from the store when it is in this document, else as the relation carries it. */
function endText(r, annotationId) {
  return store.annotations.get(annotationId)?.text ?? (annotationId === r.from ? r.fromText : r.toText);
}

function relationItems(relations) {
  return el('ul', { class: 'list-unstyled small mb-0' }, relations.map(r => {
    const other = r.fromDocumentId === documentId && r.toDocumentId === documentId ? null : (r.fromDocumentId === documentId ? r.toDocumentId : r.fromDocumentId);
    const go = (id, doc) => doc === documentId
      ? el('button', { type: 'button', class: 'btn btn-link btn-sm p-0 text-start', onclick: () => { view.scrollTo(id); openDetails(id); } }, endText(r, id))
      : el('a', { href: `/documents/${doc}#annotation-${id}` }, endText(r, id));
    return el('li', { class: 'link-item border-bottom py-1', dataset: { relation: r.id } },
      go(r.from, r.fromDocumentId), ' ', el('span', { class: `badge ${r.type === 'CONTRADICTS' ? 'text-bg-danger' : 'text-bg-success'}` }, r.type.toLowerCase()), ' ', go(r.to, r.toDocumentId),
      r.note ? el('div', { class: 'text-muted' }, r.note) : null,
      el('div', { class: 'd-flex gap-2' },
        other ? el('a', { href: `/projects/${projectId}/compare?left=${documentId}&right=${other}` }, 'compare side by side') : null,
        r.annotatorId === me.userId ? el('button', { type: 'button', class: 'btn btn-link btn-sm p-0 text-danger', onclick: () => unlink(r.id) }, 'unlink') : null));
  }));
}

function renderLinks() {
  const relations = store.relationsOf(documentId);
  fill(linksList, relations.length ? relationItems(relations) : el('p', { class: 'text-muted small' }, 'No links yet. Open a claim and choose “Link to another claim”, or use the compare view.'));
}

// ---------------------------------------------------------------- side panel list, filter, finished

// A label group lists its spans a page at a time: thousands of buttons would make every redraw slow, and a
// "Show more" button keeps the rest one key press away.
const LIST_PAGE = 500;
const listed = new Map(); // `${layer}:${label}` -> how many of the group's spans the list shows

// Each label group's section of the side panel, kept with what it was drawn from: a redraw rebuilds only the groups
// an edit touched (with 5,000 spans, rebuilding every list item on every edit was most of an edit's cost). The
// store replaces an annotation object whenever it changes, so comparing the objects themselves is exact.
const listSections = new Map(); // "layer:label" -> { items, shown, selected, element }

function renderList(annotations = visibleAnnotations()) {
  const groups = groupByLayerAndLabel(annotations);
  $('annotation-count').textContent = String(groups.reduce((n, g) => n + g.items.length, 0));
  const keys = new Set();
  const sections = groups.map(g => {
    const key = `${g.layer}:${g.label}`;
    keys.add(key);
    const shown = listed.get(key) ?? LIST_PAGE;
    const selected = g.items.some(a => a.id === selectedId) ? selectedId : null;
    const cached = listSections.get(key);
    if (cached && cached.shown === shown && cached.selected === selected && cached.items.length === g.items.length
        && g.items.every((a, i) => a === cached.items[i])) return cached.element;
    const element = listSection(g, key, shown);
    listSections.set(key, { items: g.items, shown, selected, element });
    return element;
  });
  for (const key of [...listSections.keys()]) if (!keys.has(key)) listSections.delete(key); // gone: not kept alive
  // Put each section in its place, moving only what moved (a reused section may come from another slot).
  sections.forEach((section, i) => { if (list.children[i] !== section) list.insertBefore(section, list.children[i] ?? null); });
  while (list.children.length > sections.length) list.lastElementChild.remove();
}

function listSection(g, key, shown) {
  const rest = g.items.length - shown;
  return el('section', { class: 'mb-2', dataset: { layer: g.layer, label: g.label } },
    el('h3', { class: 'h6 mb-1' }, el('span', { class: 'label-chip', style: `--chip:${colourOf(g.label)}` }, g.label), ` ${g.layer} · ${g.items.length}`),
    el('ul', { class: 'list-unstyled mb-0' }, g.items.slice(0, shown).map(a => el('li', {},
      el('button', { type: 'button', class: `btn btn-link btn-sm p-0 text-start annotation-item${a.id === selectedId ? ' fw-bold' : ''}`, dataset: { annotation: a.id },
        onclick: () => { view.scrollTo(a.id); openDetails(a.id); } }, a.text.length > 80 ? a.text.slice(0, 77) + '…' : a.text),
      page.seesEveryone ? el('small', { class: 'text-muted ms-1' }, a.annotatorName) : null))),
    rest > 0 ? el('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary mt-1 show-more', onclick: () => showMore(key, shown) },
      `Show ${Math.min(rest, LIST_PAGE).toLocaleString('en')} more (${rest.toLocaleString('en')} not listed)`) : null);
}

/** Lists the next page of a group and moves the keyboard focus to its first new item, where the person was heading. */
function showMore(key, shown) {
  listed.set(key, shown + LIST_PAGE);
  renderList();
  const section = [...list.querySelectorAll('section')].find(e => `${e.dataset.layer}:${e.dataset.label}` === key);
  section?.querySelectorAll('.annotation-item')[shown]?.focus();
}

function renderFinished() {
  const mine = store.states.get(`${documentId}:${me.userId}`);
  const finished = mine?.status === 'finished';
  const button = $('finish');
  button.textContent = finished ? 'Reopen' : 'Mark finished';
  button.classList.toggle('btn-success', !finished);
  button.classList.toggle('btn-outline-secondary', finished);
  $('my-status').textContent = finished ? 'Finished' : mine?.status === 'in_progress' ? 'In progress' : 'New';
}

$('finish').addEventListener('click', async () => {
  const finished = store.states.get(`${documentId}:${me.userId}`)?.status === 'finished';
  const result = await live.call('SetDocumentStatus', documentId, finished ? 'in_progress' : 'finished');
  if (!result.ok) { refuse(result.detail); return; }
  store.apply({ kind: 'document_state_changed', data: result.value });
  renderFinished();
  announce(finished ? 'Reopened.' : 'Marked finished.');
});

filter?.addEventListener('change', refresh);

$('undo').addEventListener('click', () => runUndo(undoStack, redoStack));
$('redo').addEventListener('click', () => runUndo(redoStack, undoStack));

// ---------------------------------------------------------------- keyboard

document.addEventListener('keydown', e => {
  const typing = e.target.closest?.('input, textarea, select, [contenteditable="true"]');
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z' && !typing) {
    e.preventDefault();
    if (e.shiftKey) runUndo(redoStack, undoStack); else runUndo(undoStack, redoStack);
    return;
  }
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'y' && !typing) { e.preventDefault(); runUndo(redoStack, undoStack); return; }
  // Delete means nothing in the span's label list: there too it deletes the span (but not in a text field).
  // Only where the open span is what the person is on: its details, or its own item in the list (not another
  // span's item, not the filter); a held key repeats, but one deletion is asked for once.
  const writing = e.target.closest?.('input, textarea, [contenteditable="true"]');
  const onOpenSpan = e.target.closest?.('#details') || e.target.closest?.('.annotation-item')?.dataset.annotation === selectedId;
  if (e.key === 'Delete' && !e.repeat && onOpenSpan && !writing && !e.ctrlKey && !e.metaKey && !e.altKey && selectedId
      && store.annotations.get(selectedId)?.annotatorId === me.userId) {
    e.preventDefault();
    deleteSelected(selectedId);
    return;
  }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
  if (selection && e.key.length === 1) {
    const label = spanLabels.find(l => l.key && l.key === e.key.toLowerCase());
    if (label) { e.preventDefault(); createSpan(label); }
    return;
  }
  if (e.key === 'Escape') { palette.hidden = true; refusals.hide(); closeDetails(); }
});

// ---------------------------------------------------------------- start

if (filter) for (const m of page.members) filter.append(el('option', { value: m.userId }, m.userId === me.userId ? `${m.name} (me)` : m.name));
buildPalette();
refresh.now(); // drawn before the code below looks for the span in the address
const wanted = location.hash.match(/^#annotation-([0-9a-f-]{36})$/);
if (wanted && store.annotations.has(wanted[1])) { view.scrollTo(wanted[1]); openDetails(wanted[1]); }
// For people debugging in the console, and for the browser tests (`draws` counts redraws).
window.annotate = { store, view, live, get draws() { return draws; } };
