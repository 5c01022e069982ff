// Which label tags the text shows, where, and in what order: the pure part of drawing a span's label on the text.
// A tag sits in the text's own flow, just before the first character of its span, so two tags can never be drawn
// over each other however many spans there are: where several spans start at one place (nested or overlapping
// spans, two annotators' spans of the same text), their tags stand in a row there, the outermost span's first, as
// brat stacks the labels of nested spans (outermost on top). Each span's level (how many spans enclose it) gives the
// depth of its underline. In a view of several annotators' work a tag carries its author's initials, and a span
// another annotator marked differently (other label, other boundaries) is flagged as a disagreement.

/** Tags longer than this many characters are abbreviated. */
export const TAG_MAX = 9;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** The characters of `text` as a reader counts them: a flag or an accented letter is one. */
export const charactersOf = text => [...graphemes.segment(String(text))].map(g => g.segment);

/**
 * A label as its tag names it: whole when short; several words by their initials (PUBLIC FIGURE: PF); one long word
 * by its first three characters and a full stop (ORGANIZATION: ORG.). Counts characters as a reader does, so a flag
 * or an emoji is never split.
 */
export function abbreviate(name, max = TAG_MAX) {
  // A project has a handful of labels and the text thousands of tags: each label is cut once (segmenting is not cheap).
  const key = `${max}\u0000${name}`;
  let short = abbreviations.get(key);
  if (short === undefined) abbreviations.set(key, short = cut(name, max));
  return short;
}

const abbreviations = new Map();

function cut(name, max) {
  const chars = charactersOf(name);
  if (chars.length <= max) return String(name);
  const words = String(name).split(/[\s_\-/.]+/).filter(Boolean);
  if (words.length > 1) return words.slice(0, 4).map(w => charactersOf(w)[0]).join('').toUpperCase();
  return chars.slice(0, 3).join('') + '.';
}

/**
 * Short initials for each person, unique among them: first letters of the first and last word of the name (Ana
 * Lopez: AL), the first two letters of a one-word name (ben: BE); a clash gets a number (AL, AL2).
 * @param {{userId: string, name: string}[]} people
 * @returns {Map<string, string>} userId -> initials
 */
export function initialsOf(people) {
  const result = new Map();
  const taken = new Map();
  for (const p of people) {
    if (result.has(p.userId)) continue;
    const words = String(p.name ?? '').split(/[\s@._-]+/).filter(Boolean);
    const letters = words.length > 1 ? charactersOf(words[0])[0] + charactersOf(words[words.length - 1])[0] : charactersOf(words[0] ?? '?').slice(0, 2).join('');
    const base = letters.toUpperCase();
    const n = (taken.get(base) ?? 0) + 1;
    taken.set(base, n);
    result.set(p.userId, n === 1 ? base : base + n);
  }
  return result;
}

/** Outermost first: the longer span, then the earlier, then by label, author and id (a stable order). */
const outerFirst = (a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start
  || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0) || (a.annotatorId < b.annotatorId ? -1 : a.annotatorId > b.annotatorId ? 1 : 0)
  || (a.id < b.id ? -1 : 1);

/**
 * How many spans enclose each span (0 for an outermost one). A span encloses another when it covers it whole and is
 * longer, or equal and earlier in `outerFirst` order (two identical spans are drawn one above the other).
 * @returns {Map<string, number>}
 */
export function levels(annotations) {
  return levelsOf([...annotations].sort(byStart));
}

/** levels() of spans already in byStart order. */
function levelsOf(sorted) {
  const result = new Map();
  const open = []; // spans that may still enclose later ones, each with its level
  for (const a of sorted) {
    const level = levelAmong(open, a);
    result.set(a.id, level);
    open.push({ span: a, level });
  }
  return result;
}

/** The level of `a` given the spans open before it (each with its level); drops those that ended before it starts. */
function levelAmong(open, a) {
  for (let i = open.length - 1; i >= 0; i--) if (open[i].span.end <= a.start) open.splice(i, 1);
  let level = 0;
  for (const o of open) if (o.span.end >= a.end) level = Math.max(level, o.level + 1);
  return level;
}

/**
 * Spans where annotators disagree: a span is in disagreement when another annotator has a span of the same layer
 * overlapping it but none with the same label and boundaries. For each such span, what the others marked there.
 * Only several annotators' work can disagree: one annotator's overlapping spans are simply nested.
 * @returns {Map<string, {id: string, label: string, start: number, end: number, annotatorId: string, annotatorName: string}[]>}
 */
export function disagreements(annotations) {
  const result = new Map();
  const marked = new Map(); // annotator -> the keys (layer, label, bounds) of their spans
  const keyOf = new Map();
  for (const a of annotations) {
    const key = `${a.start}:${a.end}:${a.layer}:${a.label}`;
    keyOf.set(a, key);
    let set = marked.get(a.annotatorId);
    if (!set) marked.set(a.annotatorId, set = new Set());
    set.add(key);
  }
  if (marked.size < 2) return result;
  const sorted = [...annotations].sort((a, b) => a.start - b.start || a.end - b.end);
  let open = [];
  for (const a of sorted) {
    if (open.length) open = open.filter(o => o.end > a.start); // ended before a starts: overlaps nothing more
    for (const o of open) {
      if (o.annotatorId === a.annotatorId || o.layer !== a.layer) continue;
      // o and a overlap and are by two people: each disagrees unless the other person marked it the same.
      if (!marked.get(o.annotatorId).has(keyOf.get(a))) add(result, a, o);
      if (!marked.get(a.annotatorId).has(keyOf.get(o))) add(result, o, a);
    }
    open.push(a);
  }
  return result;
}

function add(result, span, other) {
  if (!result.has(span.id)) result.set(span.id, []);
  const list = result.get(span.id);
  if (!list.some(x => x.id === other.id)) list.push(other);
}

/**
 * Everything the text shows of its spans' tags.
 * @param {object[]} annotations  the spans drawn (offsets in code points)
 * @param {{everyone?: boolean, initials?: Map<string, string>, linksOf?: (id: string) => object[]}} options
 *   everyone: several annotators' work is shown (tags carry initials, disagreements are flagged)
 * @returns {Map<string, {label: string, ids: string[], text: string, title: string, level: number, order: number,
 *   who: string | null, disagree: object[] | null} | {label: string, in: string, level: number, disagree: object[] | null}>}
 *   per span id; `order` sorts the tags that stand at one place; `ids` are the spans one tag names (several
 *   annotators' identical spans); the entry of a span named by another's tag says whose (`in`)
 * @param {TagPlanCache | null} reuse  what the last plan made: the tags of a place whose spans are the very objects they
 *   were (the store replaces a changed span's object), at the same levels and with no disagreement, are taken from it,
 *   so an edit makes the entries of the places it touched and not 5,000 of them
 */
export function tagPlan(annotations, { everyone = false, initials = NO_INITIALS } = {}, reuse = null, depth = levels(annotations)) {
  const name = namer(initials);
  const conflicts = everyone ? disagreements(annotations) : new Map();
  const plan = new Map();
  const atStart = new Map();
  for (const a of annotations) {
    if (!atStart.has(a.start)) atStart.set(a.start, []);
    atStart.get(a.start).push(a);
  }
  const made = reuse?.fits(everyone, initials) ? reuse.groups : new Map();
  const kept = new Map(); // start -> {spans, levels, entries}, for the next plan
  for (const [start, group] of atStart) {
    const before = made.get(start);
    if (before && reusable(before, group, depth, conflicts)) {
      for (const [id, entry] of before.entries) plan.set(id, entry);
      kept.set(start, before);
      continue;
    }
    const spans = group.slice();
    planPlace(group, { depth, conflicts, everyone, name }, plan);
    if (reuse && !group.some(a => conflicts.has(a.id))) {
      kept.set(start, { spans, levels: spans.map(a => depth.get(a.id)), entries: group.map(a => [a.id, plan.get(a.id)]) });
    }
  }
  reuse?.keep(kept, everyone, initials);
  return plan;
}

/** How tags name labels (abbreviated) and people (initials): a dozen labels and a few people name thousands of spans, each once. */
function namer(initials) {
  const short = new Map(), whose = new Map(initials);
  return {
    label: label => { let s = short.get(label); if (s === undefined) short.set(label, s = abbreviate(label)); return s; },
    who: a => { let w = whose.get(a.annotatorId); if (w === undefined) whose.set(a.annotatorId, w = initialsOf([{ userId: a.annotatorId, name: a.annotatorName }]).get(a.annotatorId)); return w; },
  };
}

/**
 * The plan entries of the spans starting at one place (`group`, sorted here outermost first), put in `plan`.
 * @param {{depth: Map<string, number>, conflicts: Map<string, object[]>, everyone: boolean, name: ReturnType<typeof namer>}} c
 */
function planPlace(group, { depth, conflicts, everyone, name }, plan) {
  group.sort(outerFirst);
  // Several annotators' identical spans (same bounds, layer and label) agree: one tag names them all (PERSON · AL
  // BK), the others' entries point to it (`in`), so agreement reads as one mark and not as a pile of tags.
  const leaders = new Map();
  let order = 0;
  for (const a of group) {
    const same = `${a.end}\u0000${a.layer}\u0000${a.label}`;
    const leader = everyone ? leaders.get(same) : undefined;
    if (leader) {
      const entry = plan.get(leader);
      entry.ids.push(a.id);
      const who = name.who(a);
      if (!entry.who.split(' ').includes(who)) entry.who += ` ${who}`;
      entry.text = `${name.label(a.label)} · ${entry.who}`;
      entry.names.push(a.annotatorName ?? 'someone');
      if (!entry.disagree && conflicts.get(a.id)) entry.disagree = conflicts.get(a.id);
      plan.set(a.id, { label: a.label, in: leader, level: depth.get(a.id) ?? 0, disagree: conflicts.get(a.id) ?? null });
      continue;
    }
    leaders.set(same, a.id);
    const who = everyone ? name.who(a) : null;
    // The tooltip is written when a tag is first hovered (or drawn, for a disagreement): made then, not for 5,000 tags.
    const entry = { label: a.label, ids: [a.id], text: name.label(a.label) + (who ? ` · ${who}` : ''), level: depth.get(a.id) ?? 0,
      order: order++, who, names: everyone ? [a.annotatorName ?? 'someone'] : [], disagree: conflicts.get(a.id) ?? null, start: a.start, end: a.end,
      get title() { return titleOf(this); } };
    plan.set(a.id, entry);
  }
}

/** Text order, outermost first where several spans start at one place: the order levels() walks the spans in. */
const byStart = (a, b) => a.start - b.start || outerFirst(a, b);

/** The index of the first of `sorted` (in byStart order) that does not come before `a`. */
function lowerBound(sorted, a) {
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (byStart(sorted[mid], a) < 0) lo = mid + 1; else hi = mid; }
  return lo;
}

/** The index of the first of `sorted` starting at or after `at`. */
function firstFrom(sorted, at) {
  let lo = 0, hi = sorted.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sorted[mid].start < at) lo = mid + 1; else hi = mid; }
  return lo;
}

/**
 * The tag plan of one drawing, kept edit by edit: an edit's spans are moved in the text order kept here, the levels of
 * the spans inside what it touched are walked again (a span's level depends only on the spans that enclose it, so an
 * edit changes the levels of spans inside the changed spans alone), and the places whose spans or levels changed are
 * planned again; the rest of the plan stays as it was. The same plan as tagPlan makes afresh (see its tests). In a
 * view of several annotators' work (disagreements depend on the others' spans) every change plans afresh.
 */
export class TagPlanner {
  constructor() {
    this.plan = new Map();
    this.cache = new TagPlanCache();
    this.sorted = [];         // the spans in byStart order
    this.depth = new Map();   // span id -> its level
    this.places = new Map();  // start -> the spans starting there
    this.people = new Map();  // annotator id -> how many of the spans are theirs
    this.longest = 0;         // no span is longer than this (an upper bound: it never shrinks)
    this.view = null;         // {everyone, initials} of the plan
  }

  /** Whether the view `who` shows several annotators' work (initials on tags, disagreements flagged). */
  everyone(who) { return Boolean(who.everyone) && this.people.size > 1; }

  /**
   * Plans every span of `annotations` afresh (taking from the last plan what still stands, as tagPlan does).
   * @param {Iterable<object>} annotations
   * @param {{everyone?: boolean, initials?: Map<string, string>}} who
   * @returns {Map<string, object>} the plan (the same map later updates change)
   */
  reset(annotations, who = {}) {
    this.sorted = [...annotations].sort(byStart);
    this.places.clear();
    this.people.clear();
    this.longest = 0;
    for (const a of this.sorted) this.add(a, false);
    this.depth = levelsOf(this.sorted);
    const everyone = this.everyone(who);
    this.view = { everyone, initials: who.initials ?? NO_INITIALS };
    const plan = tagPlan(this.sorted, this.view, this.cache, this.depth);
    this.plan.clear();
    for (const [id, entry] of plan) this.plan.set(id, entry);
    return this.plan;
  }

  /**
   * Applies the changes of one redraw ({before, after}: a span's object drawn before and the one to draw now, either
   * undefined) to the plan. Answers the ids whose entry may have changed, or null when it could not apply them alone
   * (another view, several annotators' work): then `reset` is to plan afresh.
   * @returns {Set<string> | null}
   */
  apply(changes, who = {}) {
    const view = { everyone: Boolean(who.everyone), initials: who.initials ?? NO_INITIALS };
    if (!this.view || view.initials !== this.view.initials) return null;
    for (const { before, after } of changes) {
      if (before) this.remove(before);
      if (after) this.add(after, true);
    }
    if (this.everyone(who) || this.view.everyone) return null; // what several annotators marked: planned afresh
    if (!changes.length) return new Set();
    let from = Infinity, to = -Infinity;
    const places = new Set();
    for (const { before, after } of changes) {
      for (const a of [before, after]) if (a) { from = Math.min(from, a.start); to = Math.max(to, a.end); places.add(a.start); }
    }
    // The levels inside what changed, walked again from the spans open where it starts (as levels() walks them all).
    const first = firstFrom(this.sorted, from);
    const open = [];
    for (let k = first - 1; k >= 0 && this.sorted[k].start >= from - this.longest; k--) {
      const o = this.sorted[k];
      if (o.end > from) open.unshift({ span: o, level: this.depth.get(o.id) });
    }
    for (let k = first; k < this.sorted.length && this.sorted[k].start < to; k++) {
      const a = this.sorted[k];
      const level = levelAmong(open, a);
      if (this.depth.get(a.id) !== level) { this.depth.set(a.id, level); places.add(a.start); }
      open.push({ span: a, level });
    }
    const touched = new Set();
    for (const { before } of changes) if (before) { this.plan.delete(before.id); touched.add(before.id); }
    const name = this.name ??= { initials: null };
    if (name.initials !== this.view.initials) Object.assign(name, namer(this.view.initials), { initials: this.view.initials });
    const c = { depth: this.depth, conflicts: NO_CONFLICTS, everyone: false, name };
    for (const start of places) {
      const group = this.places.get(start);
      if (!group) continue;
      for (const a of group) { this.plan.delete(a.id); touched.add(a.id); }
      planPlace(group.slice(), c, this.plan);
    }
    return touched;
  }

  add(a, sorted) {
    if (sorted) this.sorted.splice(lowerBound(this.sorted, a), 0, a);
    const place = this.places.get(a.start);
    if (place) place.push(a); else this.places.set(a.start, [a]);
    this.people.set(a.annotatorId, (this.people.get(a.annotatorId) ?? 0) + 1);
    this.longest = Math.max(this.longest, a.end - a.start);
  }

  remove(a) {
    const at = lowerBound(this.sorted, a);
    if (this.sorted[at] === a) this.sorted.splice(at, 1);
    const place = this.places.get(a.start)?.filter(x => x !== a);
    if (place?.length) this.places.set(a.start, place); else this.places.delete(a.start);
    const count = (this.people.get(a.annotatorId) ?? 0) - 1;
    if (count > 0) this.people.set(a.annotatorId, count); else this.people.delete(a.annotatorId);
    this.depth.delete(a.id);
  }
}

const NO_CONFLICTS = new Map();

const NO_INITIALS = new Map();

/** Whether a place's tags made for the last plan still stand: the same span objects, in the same order and levels, none in disagreement. */
function reusable(before, group, depth, conflicts) {
  if (before.spans.length !== group.length) return false;
  for (let k = 0; k < group.length; k++) {
    const a = group[k];
    if (before.spans[k] !== a || before.levels[k] !== depth.get(a.id) || conflicts.has(a.id)) return false;
  }
  return true;
}

/** What one plan leaves for the next one to take (see tagPlan's `reuse`): one per drawing. */
export class TagPlanCache {
  constructor() {
    this.groups = new Map();
    this.everyone = null;
    this.initials = null;
  }

  /** Tags made for another view (everyone's, other initials) say other things: none of them is taken. */
  fits(everyone, initials) { return this.everyone === everyone && this.initials === initials; }

  keep(groups, everyone, initials) {
    this.groups = groups;
    this.everyone = everyone;
    this.initials = initials;
  }
}

/** A tag's tooltip: the label, who marked it, and where annotators disagree what the others marked. */
function titleOf(entry) {
  return [entry.names.length ? `${entry.label} · ${entry.names.join(', ')}` : entry.label,
    ...(entry.disagree ? ['Annotators disagree here:', ...entry.disagree.map(o => `${o.annotatorName ?? 'someone'}: ${o.label}${o.start !== entry.start || o.end !== entry.end ? ' (other boundaries)' : ''}`)] : [])].join('\n');
}

/** What a tag shows, as one string: a block whose tags did not change in any of it needs no redraw. */
export function tagKey(entry) {
  if (!entry) return '';
  return `${entry.in ?? entry.text}|${entry.level}|${entry.order}|${entry.ids?.length}|${entry.disagree ? entry.disagree.map(o => o.id).join('+') : ''}`;
}
