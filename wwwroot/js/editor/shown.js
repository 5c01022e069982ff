// Which of the store's spans the editor shows, kept up to date edit by edit: the spans of this article the annotator
// filter lets through (what the legend counts) and, of those, the ones the legend's filter shows (what the text and the
// side panel draw). An edit touches one span or a few; with 5,000 spans, filtering the whole store again at every edit
// (and then grouping, counting and planning every span again downstream) was much of an edit's time. So each update
// answers what changed (a span that came, went, or became another object), for the drawings to redo only that.

import { passes } from './legend.js';

export class ShownSpans {
  /**
   * @param {{annotations: Map<string, object>}} store  the page's store (AnnotationStore)
   * @param {*} documentId  the article shown
   */
  constructor(store, documentId) {
    this.store = store;
    this.documentId = documentId;
    this.counted = new Map(); // id -> annotation: this article's spans by the annotator shown (everyone's when none)
    this.shown = new Map();   // id -> annotation: of those, the spans of the legend's label (all when none)
    this.counts = new Map();  // label -> how many of `counted` carry it
    this.filters = null;      // the filters the maps were made for
  }

  /**
   * Brings the maps up to the store for the spans `touched` since the last update (AnnotationStore.takeTouched) and to
   * the filters given. Answers the changes to `shown`, each {id, before, after} (the object drawn before and the one to
   * draw now, either undefined when the span was not or is no longer shown), or null when the filters changed: then
   * everything shown may differ, and is to be drawn afresh.
   * @param {Iterable<string>} touched
   * @param {string} who  the annotator shown ('' for everyone)
   * @param {string | null} only  the legend's label (null for all)
   * @returns {{id: string, before: object | undefined, after: object | undefined}[] | null}
   */
  update(touched, who, only) {
    const filters = `${who}\u0000${only ?? ''}`;
    if (filters !== this.filters) {
      this.filters = filters;
      this.counted.clear();
      this.shown.clear();
      this.counts.clear();
      for (const a of this.store.annotations.values()) this.put(a.id, a, who, only);
      return null;
    }
    const changes = [];
    for (const id of touched) {
      const before = this.shown.get(id);
      this.put(id, this.store.annotations.get(id), who, only);
      const after = this.shown.get(id);
      if (before !== after) changes.push({ id, before, after });
    }
    return changes;
  }

  /** Puts span `id` (now `a`, or undefined when deleted) in the maps it belongs in, and out of the others. */
  put(id, a, who, only) {
    const was = this.counted.get(id);
    const counted = a && a.documentId === this.documentId && (!who || a.annotatorId === who) ? a : undefined;
    if (was === counted) return;
    if (was) this.count(was.label, -1);
    if (counted) {
      this.count(counted.label, 1);
      this.counted.set(id, counted);
    } else this.counted.delete(id);
    if (counted && passes(only, counted)) this.shown.set(id, counted); else this.shown.delete(id);
  }

  count(label, n) {
    const count = (this.counts.get(label) ?? 0) + n;
    if (count) this.counts.set(label, count); else this.counts.delete(label);
  }
}
