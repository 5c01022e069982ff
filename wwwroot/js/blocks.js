// Where the editor cuts an article into blocks. Each block is a block-level element, so an edit lays out its block
// alone, not the whole article; a cut must therefore fall where a new line starts anyway, or it would break a line
// the text does not break: just after a line break, or, inside a paragraph longer than a block, at the start of a
// line as the browser wrapped it (which depends on the width, so the view measures and cuts again when it changes).

export const BLOCK = 2000;

/**
 * Splits the text into runs that end just after a line break (or at the end of the text): whole paragraphs, as many
 * as fit in `size` UTF-16 units. A paragraph longer than `size` is a run of its own, marked `long`: only the browser
 * knows where its lines wrap.
 * @returns {{start: number, end: number, long: boolean}[]}
 */
export function paragraphRuns(text, size = BLOCK) {
  const runs = [];
  let start = 0;
  while (start < text.length) {
    let end = start;
    while (end < text.length) {
      const newline = text.indexOf('\n', end);
      const next = newline < 0 ? text.length : newline + 1;
      if (end > start && next - start > size) break; // the next paragraph would not fit: it starts the next run
      end = next;
    }
    runs.push({ start, end, long: end - start > size });
    start = end;
  }
  return runs;
}

/**
 * Where to cut a long run [start, end) so that each part is about `size` units and starts a line: the first
 * position of the line holding start + size (or, when that line began before `start`, of the line after it).
 * @param {(i: number) => number} middleOf  the vertical middle of the character at i as laid out (grows line by line;
 *        characters of one line may differ by a few pixels, as fallback fonts sit differently)
 * @param {number} lineHeight  the distance between two lines, in the same unit
 * @returns {number[]} the cut positions, in order, each inside (start, end)
 */
export function lineStarts(start, end, size, middleOf, lineHeight) {
  const cuts = [];
  let from = start;
  while (end - from > size) {
    const target = from + size;
    const line = middleOf(target);
    const onTargetLine = i => middleOf(i) > line - lineHeight / 2;
    let cut;
    if (!onTargetLine(from)) cut = first(from + 1, target, onTargetLine);
    else {
      // One line longer than a block (a very wide window): cut where that line ends, if it ends in this run.
      const own = middleOf(from);
      cut = first(target + 1, end, i => middleOf(i) > own + lineHeight / 2);
    }
    if (cut <= from || cut >= end) break;
    cuts.push(cut);
    from = cut;
  }
  return cuts;
}

/** The smallest i in [lo, hi) for which `test` holds, `test` being false then true along the range; hi when it never holds. */
function first(lo, hi, test) {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (test(mid)) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/**
 * The spans in each block (a span across a cut is in each block it reaches), in the order given: what a block shows
 * is decided from its own spans, so an edit plans the pieces of the blocks it touches and not those of the article.
 * @param {{start: number, end: number}[]} blocks  in order, each starting where the one before ends
 * @param {{start: number, end: number}[]} spans  in the blocks' unit
 * @returns {object[][]} per block, its spans
 */
export function spansByBlock(blocks, spans) {
  const result = blocks.map(() => []);
  if (!blocks.length) return result;
  for (const s of spans) {
    let lo = 0, hi = blocks.length - 1; // the last block starting at or before the span
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (blocks[mid].start <= s.start) lo = mid; else hi = mid - 1; }
    for (let i = lo; i < blocks.length && blocks[i].start < s.end; i++) if (blocks[i].end > s.start) result[i].push(s);
  }
  return result;
}

/** Whether a block's spans (and what else its drawing depends on, one string per span) are those it was drawn from. */
export function sameBlockSpans(drawn, spans, extras) {
  if (!drawn || drawn.spans.length !== spans.length) return false;
  for (let k = 0; k < spans.length; k++) if (drawn.spans[k] !== spans[k] || drawn.extras[k] !== extras[k]) return false;
  return true;
}

/**
 * A block's pieces cut at `cuts` (ascending, inside the block): the pieces of each part, a piece across a cut in two
 * with the same spans. They are what the part's own planning would give (see segment's `from`), so a long paragraph
 * drawn whole can be cut into blocks by moving what is drawn, without drawing it again.
 * @param {{start: number, end: number, ids: string[]}[]} pieces  contiguous, in order
 * @param {number[]} cuts
 * @returns {{start: number, end: number, ids: string[]}[][]} one list per part (cuts.length + 1)
 */
export function cutPieces(pieces, cuts) {
  const parts = [[]];
  let c = 0;
  for (let piece of pieces) {
    while (c < cuts.length && cuts[c] < piece.end) {
      const cut = cuts[c++];
      if (cut > piece.start) {
        parts.at(-1).push({ start: piece.start, end: cut, ids: piece.ids });
        piece = { start: cut, end: piece.end, ids: piece.ids };
      }
      parts.push([]);
    }
    parts.at(-1).push(piece);
  }
  while (parts.length < cuts.length + 1) parts.push([]);
  return parts;
}
