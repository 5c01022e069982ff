// Links drawn on the text, the pure part: which claims carry a link marker (and what it says), and the arcs between
// two claims of the same article, as brat draws relations: a curve from the top of one claim's tag to the top of the
// other's, with an arrowhead at the claim the link points to. Arcs over one line that overlap get different heights,
// the inner (shorter) one lower, so none hides another. Geometry only: LinkArcs (link-drawing.js) measures and draws.

/**
 * The link markers of the spans shown: per claim, its links (both directions), each with its type and, for a link
 * to another article, that article (id and title) to name on a badge.
 * @param {object[]} relations  the document's relations (store.relationsOf)
 * @param {Set<string>} shown  ids of the spans drawn
 * @param {string|number} documentId
 * @param {Map<string, string>|object} titles  document id -> title, for the badges
 * @returns {Map<string, {id: string, type: string, outgoing: boolean, other: {documentId: *, title: string, annotationId: string} | null}[]>}
 */
export function linkMarks(relations, shown, documentId, titles = new Map()) {
  const title = id => (titles instanceof Map ? titles.get(String(id)) ?? titles.get(id) : titles?.[id]) ?? 'another article';
  const marks = new Map();
  const put = (spanId, mark) => {
    if (!shown.has(spanId)) return;
    if (!marks.has(spanId)) marks.set(spanId, []);
    marks.get(spanId).push(mark);
  };
  for (const r of relations) {
    const fromHere = r.fromDocumentId === documentId, toHere = r.toDocumentId === documentId;
    if (fromHere) put(r.from, { id: r.id, type: r.type, outgoing: true, other: toHere ? null : { documentId: r.toDocumentId, title: title(r.toDocumentId), annotationId: r.to } });
    if (toHere) put(r.to, { id: r.id, type: r.type, outgoing: false, other: fromHere ? null : { documentId: r.fromDocumentId, title: title(r.fromDocumentId), annotationId: r.from } });
  }
  for (const list of marks.values()) list.sort((a, b) => (a.id < b.id ? -1 : 1));
  return marks;
}

/** The links drawn as arcs: both ends in this article and both drawn. */
export function arcLinks(relations, shown, documentId) {
  return relations.filter(r => r.fromDocumentId === documentId && r.toDocumentId === documentId && r.from !== r.to
    && shown.has(r.from) && shown.has(r.to));
}

/** How far above its ends an arc of level 1 rises, and how much each further level adds (pixels). */
export const RISE = 10, STEP = 6;

/**
 * The arcs' shapes.
 * @param {{id: string, type: string, from: string, to: string}[]} links
 * @param {(spanId: string) => {left: number, top: number, width: number, height: number} | null} boxOf  where a
 *   claim's tag is, relative to the drawing (null: not on screen, no arc)
 * @param {number} gutter  the x of the margin left of the text, where arcs between lines run down (or up)
 * @returns {{id: string, type: string, level: number, sameLine: boolean, start: number[], end: number[], path: string, head: string}[]}
 */
export function arcLayout(links, boxOf, gutter = 6) {
  const arcs = [];
  for (const link of links) {
    const a = boxOf(link.from), b = boxOf(link.to);
    if (!a || !b) continue;
    const start = [a.left + a.width / 2, a.top], end = [b.left + b.width / 2, b.top];
    const sameLine = Math.abs(a.top - b.top) < Math.max(a.height, b.height) / 2;
    arcs.push({ id: link.id, type: link.type, start, end, sameLine, level: 1,
      lo: Math.min(start[0], end[0]), hi: Math.max(start[0], end[0]), line: Math.round(Math.min(a.top, b.top)) });
  }
  // Levels per line, shortest arcs first: an arc rises above every shorter arc it overlaps on its line.
  const byWidth = arcs.filter(x => x.sameLine).sort((x, y) => (x.hi - x.lo) - (y.hi - y.lo) || x.lo - y.lo);
  const placed = [];
  for (const arc of byWidth) {
    for (const p of placed) if (p.line === arc.line && p.lo < arc.hi && arc.lo < p.hi) arc.level = Math.max(arc.level, p.level + 1);
    placed.push(arc);
  }
  let across = 0;
  return arcs.map(({ id, type, start, end, sameLine, level }) => {
    const rise = RISE + (level - 1) * STEP;
    const [x1, y1] = start, [x2, y2] = end;
    // Over one line: both control points at the arc's height. Across lines: up from the tag into the space above its
    // line, along it to the left margin, down (or up) the margin and along the space above the other line to its
    // tag, with rounded corners: it crosses no text. Arcs between lines take turns on a few lanes of the margin.
    let path;
    if (sameLine) {
      const top = Math.min(y1, y2) - rise;
      path = `M ${r(x1)} ${r(y1)} C ${r(x1)} ${r(top)}, ${r(x2)} ${r(top)}, ${r(x2)} ${r(y2)}`;
    } else {
      const g = gutter + (across++ % 4) * 3, ya = y1 - rise, yb = y2 - rise, down = yb > ya ? 1 : -1, c = 6;
      path = `M ${r(x1)} ${r(y1)} Q ${r(x1)} ${r(ya)} ${r(x1 - c)} ${r(ya)} L ${r(g + c)} ${r(ya)} Q ${r(g)} ${r(ya)} ${r(g)} ${r(ya + c * down)}`
        + ` L ${r(g)} ${r(yb - c * down)} Q ${r(g)} ${r(yb)} ${r(g + c)} ${r(yb)} L ${r(x2 - c)} ${r(yb)} Q ${r(x2)} ${r(yb)} ${r(x2)} ${r(y2)}`;
    }
    const head = `M ${r(x2 - 3.5)} ${r(y2 - 6)} L ${r(x2)} ${r(y2)} L ${r(x2 + 3.5)} ${r(y2 - 6)} Z`;
    return { id, type, level, sameLine, start, end, path, head };
  });
}

const r = v => Math.round(v * 10) / 10;
