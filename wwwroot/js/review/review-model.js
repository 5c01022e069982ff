// The review page's decisions about keys, unit order and history, apart from the page (node tests in tests/js).
// Keys never collide with the project's label keys: those label a span the reviewer adds from a selection.
//   1..9 accept the version of the annotator in that lane      X (Shift+X when x is a label key) reject all
//   ArrowDown / ArrowUp  next / previous open unit             Shift+A  accept all agreed
//   Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y)  undo / redo             a label's key, with text selected: add that span

/**
 * @param {{key?: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean, shiftKey?: boolean}} key
 * @param {{typing: boolean, selecting: boolean, labels: {name: string, key?: string, kind: string}[]}} state
 * @returns {{command: string, lane?: number, label?: object} | null}
 */
export function reviewCommand(key, state) {
  if (typeof key.key !== 'string' || state.typing || key.altKey) return null;
  const control = key.ctrlKey || key.metaKey;
  const letter = key.key.toLowerCase();
  if (control) {
    if (letter === 'z') return { command: key.shiftKey ? 'redo' : 'undo' };
    if (letter === 'y') return { command: 'redo' };
    return null;
  }
  if (key.key === 'ArrowDown') return { command: 'next' };
  if (key.key === 'ArrowUp') return { command: 'previous' };
  const labelKeys = new Set(state.labels.filter(l => l.key).map(l => l.key.toLowerCase()));
  if (state.selecting && !key.shiftKey) {
    const label = state.labels.find(l => l.key && l.key.toLowerCase() === letter && l.kind !== 'relation');
    if (label) return { command: 'label', label };
  }
  if (/^[1-9]$/.test(key.key)) return { command: 'accept', lane: Number(key.key) };
  // X rejects; where x is a label key, Shift+X does (plain x then labels a selection).
  if (letter === 'x' && (key.shiftKey || !labelKeys.has('x'))) return { command: 'reject' };
  if (letter === 'a' && key.shiftKey) return { command: 'accept-agreed' };
  // The end of a document's curation without the mouse: mark it curated, then go on to the next one in the queue.
  if (letter === 'c' && key.shiftKey) return { command: 'mark-curated' };
  if (letter === 'n' && key.shiftKey) return { command: 'next-document' };
  return null;
}

/** The index of the next (direction 1) or previous (-1) open unit from `from`, or `from` when there is none. */
export function nextOpen(units, from, direction) {
  for (let i = from + direction; i >= 0 && i < units.length; i += direction) if (!units[i].decision) return i;
  return from;
}

/** The first open unit, or 0. */
export function firstOpen(units) {
  const i = units.findIndex(u => !u.decision);
  return i < 0 ? 0 : i;
}

/**
 * What Ctrl+Z undoes: this reviewer's latest decision still in force. The history is the server's (the decisions
 * in the review), so it survives a reload.
 */
export function undoTarget(decisions, me) {
  return [...decisions].reverse().find(d => d.reviewerId === me && !d.undone) ?? null;
}

/** What Ctrl+Shift+Z redoes: this reviewer's most recently undone decision that has not been made again. */
export function redoTarget(decisions, me) {
  const redone = new Set(decisions.filter(d => d.redoOf != null && !d.undone).map(d => d.redoOf));
  return decisions.filter(d => d.reviewerId === me && d.undone && !redone.has(d.id))
    .sort((a, b) => String(b.undoneAt).localeCompare(String(a.undoneAt)))[0] ?? null;
}

/** Words a person reads for a unit's kind ("label+boundary" -> "label and boundary"). */
export function kindWords(kind) {
  return kind === 'agreed' ? 'agreed' : kind.split('+').join(' and ');
}

/** The version of lane `lane` (1-based, in the page's annotator order) in a unit, or null. */
export function versionInLane(unit, annotators, lane) {
  const annotator = annotators[lane - 1];
  return annotator ? unit.versions.find(v => v.annotatorId === annotator.id) ?? null : null;
}
