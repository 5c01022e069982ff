// The pure part of a span's details form: what the form shows, what saving it sends, what undoing that puts back,
// and what "Apply mine on top" says it will do. Saving sends only the fields the person changed from what the form
// showed, so a change someone else made meanwhile to another field is never put back by this person's save.

/** The fields the details form edits, as the span has them. */
export function formValues(a) {
  return { label: a.label, note: a.note ?? '', attributedTo: a.attributes?.attributedTo ?? '' };
}

/** Of what the form holds now (`typed`), the fields that differ from what it was filled with (`shown`). */
export function changedFields(typed, shown) {
  return Object.fromEntries(Object.entries(typed).filter(([key, value]) => value !== shown[key]));
}

/** The hub's fields for a change: the attribution goes inside the span's own attributes (kept as the page holds them). */
export function changeRequest(changes, span) {
  const { attributedTo, ...rest } = changes;
  if (attributedTo === undefined) return rest;
  const attributes = { ...(span.attributes ?? {}) };
  if (attributedTo) attributes.attributedTo = attributedTo; else delete attributes.attributedTo;
  return { ...rest, attributes };
}

/**
 * What undo puts back for a change: the fields this change touches, as they were before it (undo must not put back
 * others' changes either). A span's text follows its boundaries, so it is never put back on its own.
 */
export function fieldsBefore(span, changes) {
  const was = { ...formValues(span), start: span.start, end: span.end };
  return Object.fromEntries(Object.keys(changes).filter(k => k !== 'text').map(k => [k, was[k]]));
}

/** What "Apply mine on top" will do: which fields it sets, and which of theirs it keeps. */
export function applyMineSays(mine, theirs) {
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
