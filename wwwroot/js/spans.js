// Pure layout of overlapping spans over a text: cut the text at every span boundary, and say which spans
// cover each piece (outermost first). The renderer turns the pieces into DOM nodes.

/**
 * @param {number} length  text length (any unit, as long as spans use the same)
 * @param {{id: string, start: number, end: number}[]} spans
 * @param {number} from  where the pieces start (0: the whole text); a span starting before it covers the first pieces
 * @returns {{start: number, end: number, ids: string[]}[]} pieces covering [from, length) in order; the ids of a piece
 *   are ordered by the whole spans (longest first), so a part of the text gets the pieces the whole text has there
 */
export function segment(length, spans, from = 0) {
  const points = new Set([from, length]);
  for (const s of spans) { points.add(s.start); points.add(s.end); }
  const cuts = [...points].filter(p => p >= from && p <= length).sort((a, b) => a - b);
  const starting = new Map();
  const active = new Set();
  for (const s of spans) {
    if (!(s.start < s.end)) continue;
    if (s.start < from) { if (s.end > from) active.add(s); continue; }
    if (!starting.has(s.start)) starting.set(s.start, []);
    starting.get(s.start).push(s);
  }
  const pieces = [];
  for (let i = 0; i < cuts.length - 1; i++) {
    const start = cuts[i], end = cuts[i + 1];
    for (const s of active) if (s.end <= start) active.delete(s);
    for (const s of starting.get(start) ?? []) active.add(s);
    const ids = [...active]
      .sort((a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start || (a.id < b.id ? -1 : 1))
      .map(s => s.id);
    pieces.push({ start, end, ids });
  }
  return pieces;
}

/** The side panel's order in a group: text order, the shorter first on a tie, then by id (a stable order). */
export const listOrder = (x, y) => x.start - y.start || x.end - y.end || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/** The side panel's order of groups: entities before claims, labels in alphabetical order. */
export const groupOrder = (x, y) => (x.layer === y.layer ? x.label.localeCompare(y.label) : x.layer === 'claim' ? 1 : -1);

/** Groups annotations for the side panel: layer, then label, each list in text order. */
export function groupByLayerAndLabel(annotations) {
  const groups = new Map();
  for (const a of [...annotations].sort(listOrder)) {
    const key = `${a.layer}\u0000${a.label}`;
    if (!groups.has(key)) groups.set(key, { layer: a.layer, label: a.label, items: [] });
    groups.get(key).items.push(a);
  }
  return [...groups.values()].sort(groupOrder);
}

/**
 * The groups of groupByLayerAndLabel kept edit by edit: a change moves one span out of its group and into another
 * (each in text order, found by bisection), instead of sorting every span again. A group that changed gets a new list
 * of items (the side panel compares lists to know what to draw again); the others keep theirs.
 */
export class SpanGroups {
  constructor() { this.groups = new Map(); this.ordered = []; }

  /** @param {Iterable<object>} annotations */
  reset(annotations) {
    this.ordered = groupByLayerAndLabel(annotations);
    this.groups = new Map(this.ordered.map(g => [`${g.layer}\u0000${g.label}`, g]));
    return this.ordered;
  }

  /**
   * @param {{before?: object, after?: object}[]} changes  a span's object before and after (either undefined)
   * @returns {object[]} the groups, as groupByLayerAndLabel orders them
   */
  apply(changes) {
    let reorder = false;
    for (const { before, after } of changes) {
      if (before) {
        const key = `${before.layer}\u0000${before.label}`;
        const g = this.groups.get(key);
        const at = g ? bisect(g.items, before) : -1;
        if (g && g.items[at] === before) {
          g.items = g.items.toSpliced(at, 1);
          if (!g.items.length) { this.groups.delete(key); reorder = true; }
        }
      }
      if (after) {
        const key = `${after.layer}\u0000${after.label}`;
        let g = this.groups.get(key);
        if (!g) { this.groups.set(key, g = { layer: after.layer, label: after.label, items: [] }); reorder = true; }
        const at = bisect(g.items, after);
        if (g.items[at] !== after) g.items = g.items.toSpliced(at, 0, after); // (a change heard twice is put in once)
      }
    }
    if (reorder) this.ordered = [...this.groups.values()].sort(groupOrder);
    return this.ordered;
  }
}

/** The index of the first of `items` (in listOrder) that does not come before `a`. */
function bisect(items, a) {
  let lo = 0, hi = items.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (listOrder(items[mid], a) < 0) lo = mid + 1; else hi = mid; }
  return lo;
}
