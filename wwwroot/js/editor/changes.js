// The editor's changes sent to the server through the hub. Each answers the hub's {ok, status, value, detail}
// (status 0: not sent, the connection is down), applies a success to the store and says what went wrong
// otherwise. None of them touches the undo history: the person's actions record steps (steps.js), and undo and
// redo replay them through these same calls.

import { changeRequest } from './fields.js';

export class Changes {
  /**
   * @param {{live: object, store: object, documentId: string, projectId: string, maxCheckedText: number,
   *          refresh: () => void, refuse: (message: string) => void,
   *          conflict: (result: object, mine?: object, id?: string) => void}} context
   *   refresh asks for a redraw; refuse says why something was refused; conflict handles a refused update or delete
   *   (a stale version shows both versions)
   */
  constructor(context) {
    Object.assign(this, context);
  }

  /** What a span sends to have its text checked: its text, unless it is longer than the server checks (offsets define it). */
  checkedText(text) {
    return text != null && text.length <= this.maxCheckedText ? text : undefined;
  }

  /** Creates a span; with the id of one that was deleted, it comes back under that id (what undo and redo do). */
  async putSpan(fields) {
    const result = await this.live.call('CreateAnnotation', this.documentId, {
      id: fields.id, layer: fields.layer, label: fields.label, start: fields.start, end: fields.end, text: this.checkedText(fields.text),
      note: fields.note ?? null, attributes: fields.attributes ?? null,
    });
    if (!result.ok) { this.refuse(result.detail); return result; }
    this.store.apply({ kind: 'annotation_created', data: result.value });
    this.redraw();
    return result;
  }

  /**
   * Changes a span, based on `baseVersion` (what the person saw) or else the version the page holds now. `changes`
   * holds only the fields to change (label, note, attributedTo, start, end, text): the others stay as the server has them.
   */
  async patchSpan(id, changes, baseVersion) {
    const current = this.store.annotations.get(id);
    if (!current) return this.missing('That span is no longer in this article.');
    const result = await this.live.call('UpdateAnnotation', id, { ...changeRequest(changes, current), version: baseVersion ?? current.version });
    if (!result.ok) { this.conflict(result, changes, id); return result; }
    this.store.apply({ kind: 'annotation_updated', data: result.value });
    this.redraw();
    return result;
  }

  async dropSpan(id) {
    const current = this.store.annotations.get(id);
    if (!current) return this.missing('That span is no longer in this article.');
    const result = await this.live.call('DeleteAnnotation', id, current.version);
    if (!result.ok) { this.conflict(result); return result; }
    this.store.apply({ kind: 'annotation_deleted', data: { id } });
    // The server deletes the span's links with it; forget them now rather than when their events arrive.
    for (const r of [...this.store.relations.values()]) if (r.from === id || r.to === id) this.store.apply({ kind: 'relation_deleted', data: { id: r.id } });
    this.redraw();
    return result;
  }

  async putLink(fields) {
    const result = await this.live.call('CreateRelation', this.projectId, { id: fields.id, type: fields.type, from: fields.from, to: fields.to, note: fields.note || null });
    if (!result.ok) { this.refuse(result.detail); return result; }
    this.store.apply({ kind: 'relation_created', data: result.value });
    this.redraw();
    return result;
  }

  async dropLink(id) {
    const current = this.store.relations.get(id);
    if (!current) return this.missing('That link is no longer there.');
    const result = await this.live.call('DeleteRelation', id, current.version);
    if (!result.ok) { this.refuse(result.detail); return result; }
    this.store.apply({ kind: 'relation_deleted', data: { id } });
    this.redraw();
    return result;
  }

  /**
   * One's own change is drawn as soon as its answer is in, rather than at the next frame as live events are: the
   * person is looking at it, and the frame's wait was a third of a keyboard edit's time.
   */
  redraw() {
    (this.refresh.now ?? this.refresh)();
  }

  /** A refusal made on the page: the thing is gone (deleted in another tab, or with the span it linked). */
  missing(detail) {
    this.refuse(detail);
    return { ok: false, status: 404, detail };
  }
}
