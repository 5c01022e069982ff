// A decision's change, applied to the review on the page in place (node tests in tests/js). A decision answers only
// what it changed (its units' new versions, the decision, the document's state) and another reviewer's decision
// arrives live as its change-log entry (the whole decision): both are applied here the same way, instead of reading
// the whole review again, which on a long article (thousands of units) was most of a decision's time on the page.
// The page shows the curated layer through each unit's decision, so it keeps no other copy of it.
//
// A unit's `decision` is then the whole decision (the review itself gives each unit only its own part of it): what
// the page reads of it, `madeFor`, picks the unit's part out of either.
//
// Applying is idempotent, so an answer and its own entry heard live (in either order), or an entry heard again
// after a reload, change nothing twice: a decision the page already knows is not applied again, nor an undo it
// already knows, and an answer sets versions, never adds to them.

/** The units' positions in `items`, by id. */
export function indexOf(items) {
  return new Map(items.map((u, i) => [u.id, i]));
}

/** How many of `items` are open. */
export function openCount(items) {
  return items.reduce((n, u) => n + (u.decision ? 0 : 1), 0);
}

function replace(items, index, id, change) {
  const i = index.get(id);
  if (i === undefined) return false; // another article's unit (a link's far end): not on this page
  items[i] = { ...items[i], ...change(items[i]) };
  return true;
}

function known(review, id) {
  return review.decisions.find(d => d.id === id) ?? null;
}

function keep(review, decision) {
  const i = review.decisions.findIndex(d => d.id === decision.id);
  if (i < 0) review.decisions.push(decision); else review.decisions[i] = decision;
}

/**
 * A decision's or an undo's answer (`{decision, units: [{id, version, decision}], open, state}`) applied to
 * `review` (its decisions and state) and `items` (the units on the page). Returns the ids of the units it changed.
 */
export function applyOutcome(review, items, index, outcome) {
  const changed = [];
  if (outcome.decision) keep(review, outcome.decision);
  for (const unit of outcome.units ?? []) {
    const decision = unit.decision == null ? null
      : unit.decision === outcome.decision?.id ? outcome.decision : known(review, unit.decision);
    if (replace(items, index, unit.id, () => ({ version: unit.version, decision }))) changed.push(unit.id);
  }
  if (outcome.state) review.state = outcome.state;
  review.open = openCount(items);
  return changed;
}

/**
 * The unit as a refusal says it now is (`current`: decided meanwhile, or at another version), in its place. Its
 * decision is kept as known, so that decision's entry, heard live after, is not applied a second time. Returns false
 * when the unit is not on the page.
 */
export function applyCurrent(review, items, index, current) {
  if (!current?.id || !index.has(current.id)) return false;
  const isLink = items[index.get(current.id)].isLink;
  replace(items, index, current.id, () => ({ ...current, isLink }));
  if (current.decision && !known(review, current.decision.id)) keep(review, current.decision);
  review.open = openCount(items);
  return true;
}

/**
 * A change-log entry heard live, applied to `review` and `items` of document `documentId`. Returns 'applied' (redraw),
 * 'ignored' (nothing to do: already applied, or about something else) or 'reload' (the annotators' work changed: the
 * units themselves may have, so the review is read again).
 */
export function applyEvent(review, items, index, event, documentId) {
  const data = event.data ?? {};
  switch (event.kind) {
    case 'curation_decided': {
      if (known(review, data.id)) return 'ignored';
      keep(review, data);
      for (const id of data.units ?? []) replace(items, index, id, u => ({ version: u.version + 1, decision: data }));
      break;
    }
    case 'curation_undone': {
      const before = known(review, data.id);
      if (before?.undone) return 'ignored';
      keep(review, data);
      // Heard before its decision was (the page loaded in between): the review read already holds neither.
      if (!before) return 'applied';
      for (const id of data.units ?? []) {
        replace(items, index, id, u => (u.decision?.id === data.id ? { version: u.version + 1, decision: null } : {}));
      }
      break;
    }
    case 'curation_state_changed':
      if (data.documentId !== documentId) return 'ignored';
      review.state = data.state;
      return 'applied';
    default:
      return /^(annotation|relation)_/.test(event.kind) ? 'reload' : 'ignored';
  }
  review.open = openCount(items);
  return 'applied';
}

/**
 * What `decision` curated for `unit` (one decision can decide several: accept-agreed, a link with its ends): for a
 * span unit the labels of its curated spans of the unit's layer over the unit in `documentId`, for a link unit the
 * types of the links it chose there. Empty means "nothing here".
 */
export function madeFor(decision, unit, documentId) {
  if (unit.isLink) return (decision.chosen ?? []).filter(c => c.unit === unit.id).map(c => c.type);
  return (decision.result?.spans ?? [])
    .filter(s => s.documentId === documentId && s.layer === unit.layer && s.start < unit.end && unit.start < s.end)
    .map(s => s.label);
}
