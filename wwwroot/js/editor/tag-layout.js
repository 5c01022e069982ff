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
  const sorted = [...annotations].sort((a, b) => a.start - b.start || outerFirst(a, b));
  const result = new Map();
  const open = []; // spans that may still enclose later ones, each with its level
  for (const a of sorted) {
    // Spans that ended before this one starts enclose nothing more.
    for (let i = open.length - 1; i >= 0; i--) if (open[i].span.end <= a.start) open.splice(i, 1);
    let level = 0;
    for (const o of open) if (o.span.end >= a.end) level = Math.max(level, o.level + 1);
    result.set(a.id, level);
    open.push({ span: a, level });
  }
  return result;
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
export function tagPlan(annotations, { everyone = false, initials = NO_INITIALS } = {}, reuse = null) {
  // A dozen labels and a few people name thousands of spans: each is abbreviated once.
  const short = new Map(), whose = new Map(initials);
  const shortOf = label => { let s = short.get(label); if (s === undefined) short.set(label, s = abbreviate(label)); return s; };
  const whoOf = a => { let w = whose.get(a.annotatorId); if (w === undefined) whose.set(a.annotatorId, w = initialsOf([{ userId: a.annotatorId, name: a.annotatorName }]).get(a.annotatorId)); return w; };
  const depth = levels(annotations);
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
        const who = whoOf(a);
        if (!entry.who.split(' ').includes(who)) entry.who += ` ${who}`;
        entry.text = `${shortOf(a.label)} · ${entry.who}`;
        entry.names.push(a.annotatorName ?? 'someone');
        if (!entry.disagree && conflicts.get(a.id)) entry.disagree = conflicts.get(a.id);
        plan.set(a.id, { label: a.label, in: leader, level: depth.get(a.id) ?? 0, disagree: conflicts.get(a.id) ?? null });
        continue;
      }
      leaders.set(same, a.id);
      const who = everyone ? whoOf(a) : null;
      // The tooltip is written when a tag is first hovered (or drawn, for a disagreement): made then, not for 5,000 tags.
      const entry = { label: a.label, ids: [a.id], text: shortOf(a.label) + (who ? ` · ${who}` : ''), level: depth.get(a.id) ?? 0,
        order: order++, who, names: everyone ? [a.annotatorName ?? 'someone'] : [], disagree: conflicts.get(a.id) ?? null, start: a.start, end: a.end,
        get title() { return titleOf(this); } };
      plan.set(a.id, entry);
    }
    if (reuse && !group.some(a => conflicts.has(a.id))) {
      kept.set(start, { spans, levels: spans.map(a => depth.get(a.id)), entries: group.map(a => [a.id, plan.get(a.id)]) });
    }
  }
  reuse?.keep(kept, everyone, initials);
  return plan;
}

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
