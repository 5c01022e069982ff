// The review page's lanes table, drawn as the editor draws a long text: rows near the screen (and near the unit being
// decided) are drawn, the others stand as one empty row per chunk of the height they will take, filled in when they
// come near. With thousands of units, building every row before the first paint was most of the page's first render,
// and laying out a table of them again after every decision most of a decision's.

/** Rows per chunk: a chunk is drawn or left as a gap as a whole. */
export const CHUNK = 100;
/** At most this many units, every row is drawn at once (a short article's table is small). */
export const DRAW_ALL = 300;
/** How far beyond the table's scrolling box a chunk counts as near. */
const NEAR_MARGIN = '800px 0px';
/** The height a row of a gap stands for, in pixels (about one line of chips): measuring drawn rows would lay the page out. */
const ROW_HEIGHT = 33;

/** The chunk holding row `index`. */
export function chunkOf(index) {
  return Math.floor(index / CHUNK);
}

/** The rows [from, to) of chunk `chunk` among `count` rows. */
export function chunkRange(chunk, count) {
  return { from: chunk * CHUNK, to: Math.min(count, (chunk + 1) * CHUNK) };
}

export class LaneRows {
  /**
   * @param {HTMLElement} body  the table body
   * @param {HTMLElement | null} scroller  the table's scrolling box (the root nearness is measured in)
   * @param {{row: (i: number) => HTMLElement, keyOf: (i: number) => string, columns: () => number}} draw
   */
  constructor(body, scroller, draw) {
    this.body = body;
    this.draw = draw;
    this.count = -1;
    this.shape = null;
    this.chunks = [];
    this.near = new IntersectionObserver(entries => {
      for (const entry of entries) if (entry.isIntersecting) this.fill(Number(entry.target.dataset.chunk));
    }, { root: scroller, rootMargin: NEAR_MARGIN });
  }

  /**
   * Shows `count` rows. Rows already drawn are redrawn only where their key changed; a different count or shape
   * (`shape`: the lanes) draws the table afresh, with only the chunk holding row `keep` (and, when all fit, every row) drawn.
   */
  update(count, shape, keep) {
    if (count !== this.count || shape !== this.shape) {
      this.count = count;
      this.shape = shape;
      this.near.disconnect();
      this.chunks = [];
      const children = [];
      for (let c = 0; c * CHUNK < count; c++) {
        const chunk = { rows: null, keys: null, gap: this.gap(c) };
        this.chunks.push(chunk);
        children.push(chunk.gap);
      }
      this.body.replaceChildren(...children);
      if (count <= DRAW_ALL) this.chunks.forEach((_, c) => this.fill(c));
      else {
        this.fill(0);
        if (keep >= 0 && keep < count) this.fill(chunkOf(keep));
        for (const chunk of this.chunks) if (!chunk.rows) this.near.observe(chunk.gap);
      }
      return;
    }
    this.chunks.forEach((chunk, c) => {
      if (!chunk.rows) return;
      const { from } = chunkRange(c, count);
      chunk.rows.forEach((row, k) => {
        const key = this.draw.keyOf(from + k);
        if (key === chunk.keys[k]) return;
        const fresh = this.draw.row(from + k);
        row.replaceWith(fresh);
        chunk.rows[k] = fresh;
        chunk.keys[k] = key;
      });
    });
  }

  /** The row element of row `i`, drawing its chunk first when it is still a gap. */
  rowAt(i) {
    if (i < 0 || i >= this.count) return null;
    const c = chunkOf(i);
    this.fill(c);
    return this.chunks[c].rows[i - c * CHUNK];
  }

  /** How many chunks are drawn (for the page's data attributes). */
  get drawn() {
    return this.chunks.filter(c => c.rows).length;
  }

  fill(c) {
    const chunk = this.chunks[c];
    if (!chunk || chunk.rows) return;
    const { from, to } = chunkRange(c, this.count);
    chunk.rows = [];
    chunk.keys = [];
    for (let i = from; i < to; i++) {
      chunk.rows.push(this.draw.row(i));
      chunk.keys.push(this.draw.keyOf(i));
    }
    this.near.unobserve(chunk.gap);
    chunk.gap.replaceWith(...chunk.rows);
  }

  gap(c) {
    const { from, to } = chunkRange(c, this.count);
    const row = document.createElement('tr');
    row.className = 'lane-gap';
    row.dataset.chunk = String(c);
    row.setAttribute('aria-hidden', 'true');
    const cell = document.createElement('td');
    cell.colSpan = this.draw.columns();
    cell.style.height = `${(to - from) * ROW_HEIGHT}px`;
    row.appendChild(cell);
    return row;
  }
}
