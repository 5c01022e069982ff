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

/** Groups annotations for the side panel: layer, then label, each list in text order. */
export function groupByLayerAndLabel(annotations) {
  const groups = new Map();
  for (const a of [...annotations].sort((x, y) => x.start - y.start || x.end - y.end)) {
    const key = `${a.layer}\u0000${a.label}`;
    if (!groups.has(key)) groups.set(key, { layer: a.layer, label: a.label, items: [] });
    groups.get(key).items.push(a);
  }
  return [...groups.values()].sort((x, y) => (x.layer === y.layer ? x.label.localeCompare(y.label) : x.layer === 'claim' ? 1 : -1));
}
