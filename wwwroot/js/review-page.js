// The review page: the text once, a lane per annotator and the curated lane, one row per unit. Every decision goes
// to the review API, which answers what it changed; the page applies that in place, as it applies a second reviewer's
// decisions heard live (review/review-delta.js). It reads the whole review again only when the annotators' work
// changed or a refusal does not say how the unit now is. Data is only ever written as text nodes.

import { el, fill, requestToken } from './annotations.js';
import { LiveSync } from './live.js';
import { showLiveStatus } from './live-status.js';
import { OffsetIndex } from './offsets.js';
import { Refusals } from './refusal.js';
import { reviewCommand, nextOpen, firstOpen, undoTarget, redoTarget, kindWords, versionInLane } from './review/review-model.js';
import { applyCurrent, applyEvent, applyOutcome, indexOf, madeFor } from './review/review-delta.js';
import { LaneRows } from './review/lane-rows.js';
import { TextView } from './textview.js';

const $ = id => document.getElementById(id);
const page = JSON.parse($('page-data').textContent);
const refusals = new Refusals($('refusal'), $('announcer'));
const announce = text => { $('announcer').textContent = text; };

let review = null;
let offsets = null;
let list = [];         // items() of the review on screen, made once per load, changed in place by decisions
let positions = new Map(); // unit id -> its index in list
let textView = null;   // the article, drawn in blocks as the editor draws it
let lanes = null;      // the lanes table, drawn in chunks near the screen
let current = 0;       // index into items()
let selection = null;  // {start, end, text} in code points, while text is selected
let busy = false;      // a decision or undo is under way: keys wait for its answer instead of acting on what it will change

/** Span units in text order, then link units. */
const items = () => list;
const itemsOf = r => [...r.units.map(u => ({ ...u, isLink: false })), ...r.links.map(l => ({ ...l, isLink: true }))];

async function call(method, path, body) {
  const response = await fetch(path, {
    method, headers: { 'Content-Type': 'application/json', RequestVerificationToken: requestToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(answer?.detail ?? `The server answered ${response.status}.`);
    error.status = response.status;
    error.current = answer?.current ?? null;
    throw error;
  }
  return answer;
}

let heardWhileLoading = null; // entries heard while a load is under way: the review it reads may be from before them

async function load({ keep = true } = {}) {
  heardWhileLoading = [];
  let fresh;
  try {
    fresh = await call('GET', `/api/documents/${page.documentId}/review`);
  } catch (error) {
    heardWhileLoading = null;
    throw error;
  }
  // Where the reviewer is now (they may have moved on while this load was under way), not where they were.
  const before = items()[current]?.id;
  const sameText = review?.document.text === fresh.document.text;
  review = fresh;
  list = itemsOf(review);
  positions = indexOf(list);
  // Applied again to what was read: what it already holds is not applied twice.
  for (const e of heardWhileLoading) applyEvent(review, list, positions, e, page.documentId);
  heardWhileLoading = null;
  if (!sameText) {
    offsets = new OffsetIndex(review.document.text);
    textView = null;
  }
  const again = keep && before ? list.findIndex(u => u.id === before) : -1;
  current = again >= 0 ? again : firstOpen(list);
  render();
}

let reloading = null;
function reloadSoon() {
  clearTimeout(reloading);
  reloading = setTimeout(() => load().catch(error => refusals.show(error.message)), 150);
}

/**
 * A refused decision: the unit as it now is (`current`, a unit decided meanwhile or at another version) takes its
 * place; a refusal without it (the document marked curated, say) reads the review again.
 */
async function refused(error) {
  refusals.show(error.message);
  if (applyCurrent(review, list, positions, error.current)) render();
  else await load();
}

/** Runs a decision and applies its answer; a refusal (a unit decided meanwhile, a stale version) is shown. */
async function decide(body, what) {
  if (busy) return;
  busy = true;
  try {
    const outcome = await call('POST', `/api/documents/${page.documentId}/review/decisions`, body);
    applyOutcome(review, list, positions, outcome);
    announce(outcome.message ?? `${what}. ${outcome.open} open.`);
    if (outcome.message) refusals.show(outcome.message);
    if (outcome.message) render(); else move(1, { fromDecision: true });
  } catch (error) {
    await refused(error);
  } finally {
    busy = false;
  }
}

const reasonAndNote = () => ({ reason: $('unit-reason')?.value || null, note: $('unit-note')?.value || null });

function accept(unit, version) {
  if (!unit || unit.decision || !version) return;
  decide({ action: 'accept', unit: unit.id, annotatorId: version.annotatorId, spanId: unit.isLink ? undefined : version.spanId, version: unit.version, ...reasonAndNote() },
    `Accepted ${version.annotatorName}'s version`);
}

function reject(unit) {
  if (!unit || unit.decision) return;
  decide({ action: 'reject', unit: unit.id, version: unit.version, ...reasonAndNote() }, 'Rejected: nothing here');
}

function acceptAgreed(threshold) {
  decide({ action: 'accept-agreed', threshold }, threshold ? 'Threshold merge done' : 'Accepted all agreed units');
}

async function history(which) {
  const target = which === 'undo' ? undoTarget(review.decisions, page.me) : redoTarget(review.decisions, page.me);
  if (!target) { announce(`Nothing to ${which}.`); return; }
  if (busy) return;
  busy = true;
  try {
    applyOutcome(review, list, positions, await call('POST', `/api/review/decisions/${target.id}/${which}`));
    announce(which === 'undo' ? 'Undone' : 'Redone');
    render();
  } catch (error) {
    await refused(error);
  } finally {
    busy = false;
  }
}

function move(direction, { fromDecision = false } = {}) {
  const list = items();
  const next = fromDecision && !list[current]?.decision ? current : nextOpen(list, current, direction);
  current = next;
  render();
}

// ---------------------------------------------------------------- drawing

function render() {
  const list = items();
  const kinds = Object.entries(review.kinds).map(([kind, count]) => el('span', { class: `badge unit-kind kind-${kind.split('+')[0]} me-1` }, `${kindWords(kind)} ${count}`));
  fill($('kind-counts'), el('strong', {}, `${review.open} open`), ' of ', `${list.length} units: `, kinds);
  $('curation-state').textContent = { not_started: 'Not started', in_progress: 'In progress', curated: 'Curated', reopened: 'Reopened' }[review.state] ?? review.state;
  $('mark-curated').disabled = review.open > 0 || review.state === 'curated';
  $('mark-curated').title = review.open > 0 ? `${review.open} units are still open` : '';
  $('undo').disabled = !undoTarget(review.decisions, page.me);
  $('redo').disabled = !redoTarget(review.decisions, page.me);
  drawText(list);
  drawLanes(list);
  drawCurrent(list[current]);
}

// The units are the text's spans: the editor's text view draws them (near blocks at once, far ones when near or
// idle), each piece marked with its unit's kind and whether it is decided or the one being decided.
const unitIndex = new Map(); // unit id -> its index in items()

function drawText(list) {
  unitIndex.clear();
  list.forEach((u, i) => unitIndex.set(u.id, i));
  const unitOf = id => list[unitIndex.get(id)];
  if (!textView) {
    textView = new TextView($('review-text'), review.document.text, {
      colourOf: () => '', snapToWords: false, onSelect: () => {},
      // The innermost unit of a piece is the one it is drawn as.
      onSpanClick: ids => { const id = ids[ids.length - 1]; if (!selection && unitIndex.has(id)) { current = unitIndex.get(id); render(); } },
      // What a piece shows besides its place: its unit's kind, decided or not, current or not.
      keyOf: id => { const u = unitOf(id); return `${u.kind}/${u.decision ? 'd' : 'o'}/${unitIndex.get(id) === current ? 'c' : ''}`; },
      decorate: (piece, ids) => {
        const u = unitOf(ids[ids.length - 1]);
        piece.removeAttribute('style');
        piece.removeAttribute('title');
        piece.classList.add('unit-mark', `kind-${u.kind.split('+')[0]}`, u.decision ? 'decided' : 'open');
        if (ids.some(id => unitIndex.get(id) === current)) piece.classList.add('current');
        piece.dataset.unit = u.id;
        return null;
      },
    });
  }
  textView.setAnnotations(list.filter(u => !u.isLink).map(u => ({ id: u.id, start: u.start, end: u.end, label: u.kind, annotatorName: '' })));
  const unit = list[current];
  if (unit && !unit.isLink && unit.id !== shown.text) {
    shown.text = unit.id;
    textView.drawNow(offsets.toUtf16(unit.start));
    $('review-text').querySelector('.unit-mark.current')?.scrollIntoView?.({ block: 'nearest' });
  }
}

// The unit last brought into view in the text and in the lanes: a redraw for another reason (a reload heard live, a
// second reviewer's decision) leaves where the reviewer has scrolled to alone.
const shown = { text: null, lanes: null };

// Titles of the other articles that links reach, read once each (the side-by-side view of a cross-article link names them).
const titles = new Map();
function titleOf(documentId) {
  if (documentId === page.documentId) return 'This article';
  if (!titles.has(documentId)) {
    titles.set(documentId, `Article ${documentId}`);
    call('GET', `/api/documents/${documentId}`).then(d => { titles.set(documentId, d.title); render(); }).catch(() => {});
  }
  return titles.get(documentId);
}

/** A link unit's two claims side by side, each with its article: what a cross-article link decision is about. */
function linkSides(unit) {
  const v = unit.versions[0];
  const side = (documentId, text, which) => el('div', { class: 'col-sm-6' },
    el('div', { class: 'border rounded p-2 h-100 link-side', dataset: { side: which, document: String(documentId) } },
      el('div', { class: 'small text-muted' }, which === 'from' ? 'From: ' : 'To: ',
        documentId === page.documentId ? titleOf(documentId) : el('a', { href: `/documents/${documentId}/review` }, titleOf(documentId))),
      el('div', {}, `“${text}”`)));
  const types = [...new Set(unit.versions.map(x => x.type.toLowerCase()))].join(' or ');
  return el('div', { class: 'row g-2 mb-2', 'aria-label': `The two claims this link joins (${types})`, dataset: { testid: 'link-sides' } },
    side(v.fromDocumentId, v.fromText, 'from'), side(v.toDocumentId, v.toText, 'to'));
}

function chip(version) {
  const label = page.labels.find(l => l.name === (version.label ?? version.type));
  return el('span', { class: 'badge label-chip', style: label ? `--chip:${label.colour}` : null }, version.label ?? version.type);
}

function excerpt(unit) {
  if (unit.isLink) {
    const v = unit.versions[0];
    return `“${v.fromText}” ↔ “${v.toText}”${v.fromDocumentId !== v.toDocumentId ? ' (two articles)' : ''}`;
  }
  return `“${review.document.text.slice(offsets.toUtf16(unit.start), offsets.toUtf16(unit.end))}”`;
}

/** What a decision made for this unit (one decision can decide several: accept-agreed, a link with its ends). */
function decisionText(decision, unit) {
  if (!decision) return el('span', { class: 'text-muted' }, 'open');
  const made = madeFor(decision, unit, page.documentId);
  return el('span', {}, made.length ? made.join(', ') : 'nothing here', el('span', { class: 'text-muted small' }, ` · ${decision.reviewerName}`));
}

function laneRow(unit, index) {
  return el('tr', {
    class: `${index === current ? 'table-active current-row' : ''} ${unit.decision ? 'decided' : ''}`, dataset: { unit: unit.id, kind: unit.kind },
    onclick: () => { current = index; render(); },
  },
  el('td', {}, el('span', { class: `badge unit-kind kind-${unit.kind.split('+')[0]}` }, kindWords(unit.kind)), ' ', el('span', { class: 'unit-excerpt' }, excerpt(unit))),
  review.annotators.map(a => {
    const versions = unit.versions.filter(v => v.annotatorId === a.id);
    return el('td', { class: 'lane' }, versions.length ? versions.map(v => el('span', { class: 'me-1' }, chip(v),
      unit.isLink ? null : el('span', { class: 'small text-muted' }, ` ${v.start}–${v.end}`))) : el('span', { class: 'text-muted' }, '—'));
  }),
  el('td', { class: 'curated-lane' }, decisionText(unit.decision, unit)));
}

function drawLanes(list) {
  const annotators = review.annotators;
  fill($('lane-heads'), el('th', { scope: 'col' }, 'Unit'),
    annotators.map((a, i) => el('th', { scope: 'col', class: 'lane-head' }, el('kbd', {}, String(i + 1)), ' ', a.name, a.counted ? null : el('span', { class: 'text-muted small' }, ' (not finished)'))),
    el('th', { scope: 'col' }, 'Curated'));
  lanes ??= new LaneRows($('units'), $('units').closest('.review-lanes'), {
    row: i => laneRow(items()[i], i),
    // A row changes with its unit's version, kind, decision and being the current one (the lanes are the table's shape).
    keyOf: i => { const u = items()[i]; return `${u.id}/${u.kind}/${u.version}/${u.decision?.id ?? ''}/${u.decision?.undone ?? ''}/${i === current}`; },
    columns: () => review.annotators.length + 2,
  });
  lanes.update(list.length, annotators.map(a => `${a.id}:${a.name}:${a.counted}`).join(' '), current);
  if (list[current] && list[current].id !== shown.lanes) {
    shown.lanes = list[current].id;
    lanes.rowAt(current)?.scrollIntoView?.({ block: 'nearest' });
  }
}

function drawCurrent(unit) {
  const box = $('current-unit');
  if (!unit) { fill(box, el('p', { class: 'mb-0' }, 'No units: nobody has annotated this article yet.')); return; }
  const lanes = review.annotators.map((a, i) => ({ lane: i + 1, annotator: a, version: versionInLane(unit, review.annotators, i + 1) })).filter(l => l.version);
  const reasons = [['', 'Reason (optional)'], ['guideline_gap', 'Guideline gap'], ['annotator_slip', 'Annotator slip'], ['ambiguous_text', 'Ambiguous text'], ['other', 'Other']];
  fill(box,
    el('div', { class: 'd-flex flex-wrap align-items-center gap-2 mb-1' },
      el('span', { class: `badge unit-kind kind-${unit.kind.split('+')[0]}` }, kindWords(unit.kind)),
      el('strong', {}, excerpt(unit)),
      el('span', { class: 'ms-auto small text-muted' }, `unit ${current + 1} of ${items().length}`)),
    unit.isLink ? linkSides(unit) : null,
    unit.decision
      ? el('p', { class: 'mb-0' }, 'Decided: ', decisionText(unit.decision, unit), unit.decision.reason ? ` (${unit.decision.reason.replace('_', ' ')})` : null,
        unit.decision.note ? el('span', { class: 'd-block small' }, unit.decision.note) : null)
      : [
        el('div', { class: 'd-flex flex-wrap gap-1 mb-2' },
          lanes.map(l => el('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', 'aria-keyshortcuts': String(l.lane), onclick: () => accept(unit, l.version) },
            el('kbd', {}, String(l.lane)), ` Accept ${l.annotator.name}: `, chip(l.version))),
          el('button', { type: 'button', class: 'btn btn-sm btn-outline-danger', 'aria-keyshortcuts': 'X', onclick: () => reject(unit) }, el('kbd', {}, 'X'), ' Nothing here')),
        unit.isLink ? null : editForm(unit, lanes),
        el('div', { class: 'd-flex flex-wrap gap-1' },
          el('label', { class: 'visually-hidden', for: 'unit-reason' }, 'Reason'),
          el('select', { id: 'unit-reason', class: 'form-select form-select-sm w-auto' }, reasons.map(([value, text]) => el('option', { value }, text))),
          el('label', { class: 'visually-hidden', for: 'unit-note' }, 'Note'),
          el('input', { id: 'unit-note', class: 'form-control form-control-sm flex-grow-1 w-auto', placeholder: 'Note for the record (optional)', maxlength: '10000' })),
      ]);
}

function editForm(unit, lanes) {
  const labels = page.labels.filter(l => l.kind === unit.layer);
  const base = lanes[0]?.version;
  if (!base) return null;
  const form = el('form', { class: 'd-flex flex-wrap align-items-center gap-1 mb-2 small', 'aria-label': 'Edit a version, then accept it' },
    el('label', { for: 'edit-from' }, 'Edit'),
    el('select', { id: 'edit-from', class: 'form-select form-select-sm w-auto' }, lanes.map(l => el('option', { value: String(l.lane) }, `lane ${l.lane}`))),
    el('label', { for: 'edit-label' }, 'as'),
    el('select', { id: 'edit-label', class: 'form-select form-select-sm w-auto' }, labels.map(l => el('option', { value: l.name, selected: l.name === base.label }, l.name))),
    el('label', { for: 'edit-start' }, 'from'),
    el('input', { id: 'edit-start', type: 'number', min: '0', value: String(base.start), class: 'form-control form-control-sm threshold-input' }),
    el('label', { for: 'edit-end' }, 'to'),
    el('input', { id: 'edit-end', type: 'number', min: '1', value: String(base.end), class: 'form-control form-control-sm threshold-input' }),
    el('button', { type: 'submit', class: 'btn btn-sm btn-outline-secondary' }, 'Accept edited'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    const lane = lanes.find(l => String(l.lane) === $('edit-from').value);
    decide({ action: 'edit', unit: unit.id, annotatorId: lane.version.annotatorId, spanId: lane.version.spanId, version: unit.version,
      span: { start: Number($('edit-start').value), end: Number($('edit-end').value), label: $('edit-label').value }, ...reasonAndNote() }, 'Accepted the edited version');
  });
  return form;
}

// ---------------------------------------------------------------- the reviewer's own spans, from a selection

function readSelection() {
  const chosen = window.getSelection();
  const box = $('review-text');
  if (!chosen || chosen.isCollapsed || !box.contains(chosen.anchorNode) || !box.contains(chosen.focusNode)) return null;
  const range = chosen.getRangeAt(0);
  const before = document.createRange();
  before.setStart(box, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const from = before.toString().length;
  const to = from + range.toString().length;
  const start = offsets.toCodePoint(from), end = offsets.toCodePoint(to);
  return start == null || end == null || end <= start ? null : { start, end, text: range.toString() };
}

document.addEventListener('selectionchange', () => { selection = review ? readSelection() : null; });

function addOwn(label) {
  if (!selection) return;
  const list = items();
  // A span of one's own over an open unit of its layer decides that unit; elsewhere it stands alone.
  const unit = list.find(u => !u.isLink && !u.decision && u.layer === label.kind && u.start < selection.end && selection.start < u.end);
  decide({ action: 'add', unit: unit?.id, version: unit?.version, span: { start: selection.start, end: selection.end, label: label.name, layer: label.kind }, ...reasonAndNote() },
    `Added ${label.name}: ${selection.text}`);
  window.getSelection().removeAllRanges();
  selection = null;
}

// ---------------------------------------------------------------- controls, keys, live

$('accept-agreed').addEventListener('click', () => acceptAgreed(null));
$('undo').addEventListener('click', () => history('undo'));
$('redo').addEventListener('click', () => history('redo'));
$('threshold').addEventListener('submit', event => {
  event.preventDefault();
  acceptAgreed({ annotators: Number($('threshold-annotators').value), share: Number($('threshold-share').value) / 100 });
});
async function markCurated() {
  if ($('mark-curated').disabled) { announce($('mark-curated').title || 'Already curated'); return; }
  try {
    await call('PUT', `/api/documents/${page.documentId}/curation`, { state: 'curated' });
    announce('Marked curated');
  } catch (error) {
    refusals.show(error.message);
  }
  await load();
  await nextDocument(); // the queue has one document fewer now
}
$('mark-curated').addEventListener('click', markCurated);

document.addEventListener('keydown', event => {
  if (!review) return;
  const typing = Boolean(event.target.closest?.('input, textarea, select, [contenteditable="true"]'));
  const found = reviewCommand(event, { typing, selecting: Boolean(selection), labels: page.labels });
  if (!found) return;
  event.preventDefault();
  const unit = items()[current];
  switch (found.command) {
    case 'accept': accept(unit, versionInLane(unit, review.annotators, found.lane)); break;
    case 'reject': reject(unit); break;
    case 'next': move(1); break;
    case 'previous': move(-1); break;
    case 'accept-agreed': acceptAgreed(null); break;
    case 'undo': history('undo'); break;
    case 'redo': history('redo'); break;
    case 'label': addOwn(found.label); break;
    case 'mark-curated': markCurated(); break;
    case 'next-document':
      if (!$('next-document').hidden) location.assign($('next-document').href);
      else announce('No other document has open units');
      break;
  }
});

async function nextDocument() {
  try {
    const queue = await call('GET', `/api/projects/${page.projectId}/conflicts`);
    const next = queue.documents.find(d => d.id !== page.documentId);
    $('next-document').hidden = !next;
    if (next) $('next-document').href = `/documents/${next.id}/review`;
    $('queue-count').textContent = `${queue.documents.length} document${queue.documents.length === 1 ? '' : 's'} to curate`;
  } catch { /* the queue is a convenience: the page works without it */ }
}

// Another reviewer's decision (or this page's own, heard back) is applied in place; a burst of them is drawn once.
let drawing = null;
function renderSoon() {
  drawing ??= requestAnimationFrame(() => { drawing = null; render(); });
}

const live = new LiveSync({
  onEvent: e => {
    heardWhileLoading?.push(e);
    if (!review) return;
    const done = applyEvent(review, list, positions, e, page.documentId);
    if (done === 'applied') renderSoon();
    else if (done === 'reload') reloadSoon();
  },
  onStatus: (state, text) => showLiveStatus($('live-status'), state, text),
});

await load({ keep: false });
live.documents.set(page.documentId, page.lastSequence ?? 0);
await live.start();
nextDocument();
