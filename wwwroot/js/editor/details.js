// The details panel of one span: which span is open, its form (label, attribution, note), its links and link form,
// saving what the person changed, and showing both versions when someone else changed the span meanwhile. What the
// form's values mean (what saving sends, what "Apply mine on top" does) is in fields.js.

import { el, fill } from '../annotations.js';
import { labelChip } from '../labels.js';
import { formValues, changedFields, applyMineSays } from './fields.js';
import { linkForm, relationItems } from './links.js';

export class DetailsPanel {
  /**
   * @param {HTMLElement} box  the panel
   * @param {{store: object, view: object, userId: string, spanLabels: object[], colourOf: (label: string) => string,
   *   links: object, refresh: () => void, announce: (message: string) => void, refuse: (message: string) => void,
   *   update: (id: string, changes: object, options?: {baseVersion?: number}) => Promise<object | null>,
   *   useSelectionAsBounds: (id: string) => void, remove: (id: string) => void, redrawText: () => void}} c
   *   links: the context of links.js; update: a recorded change of the span (null when refused);
   *   redrawText: draws the text's spans again at once (a conflict brought the other version)
   */
  constructor(box, c) {
    this.box = box;
    this.c = c;
    this.selectedId = null; // the span shown in the panel
    this.editing = null;    // {id, baseVersion, dirty, shown}: what the form was filled from, and whether it was typed in
  }

  $(id) { return document.getElementById(id); }

  /** A click on the text landed on these spans: open the one, or let the person pick when several overlap. */
  choose(ids) {
    if (ids.length === 1) { this.open(ids[0]); return; }
    // Several spans overlap here: let the person pick one (keyboard reachable).
    fill(this.box, el('h2', { class: 'h6' }, 'Spans here'),
      el('div', { class: 'list-group' }, ids.map(id => {
        const a = this.c.store.annotations.get(id);
        return el('button', { type: 'button', class: 'list-group-item list-group-item-action', onclick: () => this.open(id) },
          labelChip(a.label, this.c.colourOf(a.label)), ' ', a.text, ' ', el('small', { class: 'text-muted' }, a.annotatorName));
      })));
    this.box.hidden = false;
  }

  open(id) {
    this.selectedId = id;
    this.c.view.select([id]);
    this.c.refresh(); // the list shows which span is open
    this.render();
    this.box.hidden = false;
    this.box.querySelector('select, button')?.focus();
  }

  close(message) {
    const open = this.selectedId !== null;
    this.selectedId = null;
    this.editing = null;
    // With no span open (Escape after labelling, say), the text and the list show none already: nothing to redraw.
    if (open) {
      this.c.view.select([]);
      this.c.refresh();
    }
    this.box.hidden = true;
    if (message) this.c.announce(message);
  }

  /** After the store changed: the open span is redrawn, unless the person is typing in its form. */
  afterDraw() {
    const { store } = this.c;
    const id = this.selectedId;
    if (id && !store.annotations.has(id)) this.close('This span was deleted.');
    else if (id && !this.editing?.dirty) this.render();
    else if (id && store.annotations.get(id).version !== this.editing.baseVersion && !this.$('detail-conflict')?.querySelector('[data-testid="conflict"]')) {
      // Someone changed it while this person was typing: keep their typing; saving will show both versions.
      fill(this.$('detail-conflict'), el('p', { class: 'small text-warning-emphasis mt-2' }, 'Changed by someone else while you were editing; saving will show both versions.'));
    }
  }

  render() {
    const { store, userId, spanLabels, colourOf, links } = this.c;
    const $ = id => this.$(id);
    const a = store.annotations.get(this.selectedId);
    if (!a) return;
    const mine = a.annotatorId === userId;
    const sameLayer = spanLabels.filter(l => l.kind === a.layer);
    const labelSelect = el('select', { id: 'detail-label', class: 'form-select form-select-sm', disabled: !mine },
      sameLayer.map(l => el('option', { value: l.name, selected: l.name === a.label }, l.name)));
    const note = el('textarea', { id: 'detail-note', class: 'form-control form-control-sm', rows: 2, maxlength: 20000 /* UTF-16 units: the server's limit is 10,000 characters */, readonly: !mine }, a.note ?? '');
    const attributed = el('input', { id: 'detail-attributed', class: 'form-control form-control-sm', value: a.attributes?.attributedTo ?? '', readonly: !mine });
    const relations = [...store.relations.values()].filter(r => r.from === a.id || r.to === a.id);
    // Redrawn when anything changes (a live event, too): the person's keyboard focus stays where it was.
    // So do the link form's state and what was typed into it, while the same span stays open.
    const focused = this.box.contains(document.activeElement) ? document.activeElement.id : null;
    const linkDetails = this.box.querySelector('details.link-form');
    const linking = this.editing?.id === a.id && linkDetails?.open ? { query: $('link-search').value, title: $('link-title').value, type: $('link-type').value, note: $('link-note').value } : null;
    // What the form shows: saving sends only what the person changed from it, so nobody else's change is put back.
    this.editing = { id: a.id, baseVersion: a.version, dirty: false, shown: formValues(a) };
    for (const input of [labelSelect, note, attributed]) input.addEventListener('input', () => { this.editing.dirty = true; });
    fill(this.box,
      el('div', { class: 'd-flex justify-content-between align-items-start' },
        el('h2', { class: 'h6 mb-1' }, labelChip(a.label, colourOf(a.label)), ' ', a.layer),
        el('button', { type: 'button', id: 'detail-close', class: 'btn-close', 'aria-label': 'Close details', onclick: () => this.close() })),
      el('blockquote', { class: 'detail-text small border-start ps-2' }, a.text),
      el('p', { class: 'small text-muted mb-2' }, `by ${a.annotatorName || 'someone'} · ${a.start}–${a.end} · version ${a.version}`),
      el('label', { for: 'detail-label', class: 'form-label small mb-0' }, 'Label'), labelSelect,
      a.layer === 'claim' ? [el('label', { for: 'detail-attributed', class: 'form-label small mb-0 mt-2' }, 'Attributed to (who makes the claim)'), attributed] : null,
      el('label', { for: 'detail-note', class: 'form-label small mb-0 mt-2' }, 'Note'), note,
      el('div', { id: 'detail-conflict' }),
      mine ? el('div', { class: 'd-flex flex-wrap gap-2 mt-2' },
        el('button', { type: 'button', id: 'detail-save', class: 'btn btn-sm btn-primary', onclick: () => this.save(a.id) }, 'Save'),
        el('button', { type: 'button', id: 'detail-bounds', class: 'btn btn-sm btn-outline-secondary', onclick: () => this.c.useSelectionAsBounds(a.id), title: 'Select new text first' }, 'Use selection as boundaries'),
        el('button', { type: 'button', id: 'detail-delete', class: 'btn btn-sm btn-outline-danger', onclick: () => this.c.remove(a.id) }, 'Delete')) : el('p', { class: 'small text-muted mt-2' }, 'Only its annotator can change this span.'),
      a.layer === 'claim' ? linkForm(a, linking, links) : null,
      relations.length ? el('div', { class: 'mt-2' }, el('h3', { class: 'h6' }, 'Links'), relationItems(relations, links)) : null,
    );
    if (focused) $(focused)?.focus();
  }

  /** Saves what the person changed in the form since it was filled, based on the version it was filled from. */
  async save(id) {
    const { store, refresh, announce, update } = this.c;
    const a = store.annotations.get(id);
    const shown = this.editing?.id === id ? this.editing.shown : formValues(a);
    const typed = { label: this.$('detail-label').value, note: this.$('detail-note').value };
    if (a.layer === 'claim') typed.attributedTo = this.$('detail-attributed').value.trim();
    const changes = changedFields(typed, shown);
    if (Object.keys(changes).length === 0) { this.editing = null; refresh(); announce('Nothing to save: nothing was changed.'); return; }
    // Based on the version the form was filled from: an edit made meanwhile is shown, not overwritten.
    if (await update(id, changes, { baseVersion: this.editing?.id === id ? this.editing.baseVersion : undefined })) {
      this.editing = null;
      announce('Saved.');
    }
  }

  /**
   * A stale version: show both versions and let the person choose; nothing is lost either way. "Apply mine on top"
   * sends only the fields this person changed (`mine`), on their version: what they did not touch stays theirs.
   */
  conflict(result, mine, id) {
    const { store, refresh, refuse, update } = this.c;
    if (result.status !== 409 || !result.current) { refuse(result.detail); return; }
    const theirs = result.current;
    if (result.current.id) store.apply({ kind: 'annotation_updated', data: theirs });
    // The conflict is about this span: shown in its details (opened when an undo or redo met it), held there until chosen.
    if (id && this.selectedId !== id && store.annotations.has(id)) this.open(id);
    if (this.editing?.id === id) this.editing.dirty = true;
    const box = this.$('detail-conflict');
    if (!box) { refuse(result.detail); return; }
    fill(box, el('div', { class: 'alert alert-warning small mt-2', role: 'alert', 'data-testid': 'conflict' },
      el('strong', {}, 'Changed meanwhile. '), `${theirs.annotatorName ?? 'Someone'}'s version ${theirs.version}: ${theirs.label} “${theirs.text}”${theirs.note ? ` (note: ${theirs.note})` : ''}.`,
      mine && id ? el('div', { class: 'mt-1' }, applyMineSays(mine, theirs)) : null,
      el('div', { class: 'd-flex gap-2 mt-2' },
        el('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', onclick: () => { fill(box); this.editing = null; refresh(); } }, 'Keep theirs'),
        mine && id ? el('button', { type: 'button', class: 'btn btn-sm btn-warning', onclick: async () => { if (await update(id, mine)) { this.editing = null; refresh(); } } }, 'Apply mine on top') : null)));
    this.c.redrawText();
  }
}
