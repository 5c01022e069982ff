// Offsets outside the browser count Unicode code points; the DOM counts UTF-16 code units.
// This module is the one place where the page converts between the two. Characters outside the
// Basic Multilingual Plane (emoji, flags) take two UTF-16 units but one code point. What a reader sees
// as one character may be several code points (a grapheme cluster): selections move and end between
// clusters, while offsets still count code points.

/** An index of a text's astral characters, so conversions cost O(log n) even on long articles. */
export class OffsetIndex {
  constructor(text) {
    this.text = text;
    this.length16 = text.length;
    /** UTF-16 positions of the high surrogates of well-formed pairs, ascending. */
    this.astral = [];
    for (let i = 0; i < text.length - 1; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { this.astral.push(i); i++; }
      }
    }
    this.lengthCodePoints = this.length16 - this.astral.length;
  }

  /** Code-point offset of a UTF-16 offset; null when it would split a surrogate pair or is out of range. */
  toCodePoint(utf16) {
    if (!Number.isInteger(utf16) || utf16 < 0 || utf16 > this.length16) return null;
    const before = countBelow(this.astral, utf16); // pairs starting before utf16
    if (before > 0 && this.astral[before - 1] === utf16 - 1) return null; // between the two halves
    return utf16 - before;
  }

  /** UTF-16 offset where code point `codePoint` starts (the text's UTF-16 length for the end). */
  toUtf16(codePoint) {
    if (!Number.isInteger(codePoint) || codePoint < 0 || codePoint > this.lengthCodePoints) return null;
    // Each astral character before the target adds one unit: find how many start before it.
    let lo = 0, hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid] - mid < codePoint) lo = mid + 1; else hi = mid;
    }
    return codePoint + lo;
  }

  /** True when a UTF-16 offset falls between the two halves of a pair. */
  splitsPair(utf16) {
    const before = countBelow(this.astral, utf16);
    return before > 0 && this.astral[before - 1] === utf16 - 1;
  }
}

function countBelow(sorted, value) {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

const wordChar = /[\p{L}\p{N}\p{M}_\-]/u;
const letter = /[\p{L}\p{N}]/u;
const apostrophe = /['’]/u;

function charAt(text, i) { return text.slice(i, i + 1); }

/**
 * Tidies a UTF-16 selection [start, end): trims surrounding white space, never splits a character (a user-perceived
 * one: a flag, an emoji sequence, a letter with its accents) and, when `snapToWords`, widens both ends to whole
 * words. Returns null when nothing but space is selected.
 */
export function tidySelection(text, start, end, snapToWords) {
  if (start > end) [start, end] = [end, start];
  start = Math.max(0, start); end = Math.min(text.length, end);
  while (start < end && /\s/u.test(charAt(text, start))) start++;
  while (end > start && /\s/u.test(charAt(text, end - 1))) end--;
  if (start >= end) return null;
  if (snapToWords) {
    while (start > 0 && isWordAt(text, start - 1)) start--;
    while (end < text.length && isWordAt(text, end)) end++;
  }
  // Never split a character: widen to whole grapheme clusters.
  return { start: clusterStart(text, start), end: clusterEnd(text, end) };
}

function isWordAt(text, i) {
  // An apostrophe joins letters ("Hay’at", "don't") but not a possessive ("Aleppo’s" snaps to "Aleppo").
  if (apostrophe.test(text[i])) {
    const before = text[i - 1] ?? '', next = text[i + 1] ?? '', after = text[i + 2] ?? '';
    return letter.test(before) && letter.test(next) && !(/[sS]/.test(next) && !letter.test(after));
  }
  const c = text.charCodeAt(i);
  if (isHigh(c) || isLow(c)) {
    const s = isHigh(c) ? i : i - 1;
    return wordChar.test(String.fromCodePoint(text.codePointAt(s)));
  }
  return wordChar.test(text[i]);
}

function isHigh(c) { return c >= 0xd800 && c <= 0xdbff; }
function isLow(c) { return c >= 0xdc00 && c <= 0xdfff; }

/** Moves a UTF-16 position one word forward or back (for Ctrl+Shift+arrows), never into a character. */
export function nextWordBoundary(text, position, direction) {
  let i = position;
  if (direction > 0) {
    while (i < text.length && !isWordAt(text, i)) i++;
    while (i < text.length && isWordAt(text, i)) i++;
    return clusterEnd(text, i);
  }
  while (i > 0 && !isWordAt(text, i - 1)) i--;
  while (i > 0 && isWordAt(text, i - 1)) i--;
  return clusterStart(text, i);
}

/** Moves a UTF-16 position one character (grapheme cluster: what a reader sees as one) forward or back. */
export function nextCharacter(text, position, direction) {
  if (direction > 0) return position >= text.length ? text.length : clusterAt(text, position).end;
  return position <= 0 ? 0 : clusterAt(text, position - 1).start;
}

// ---------------------------------------------------------------- grapheme clusters
// A user-perceived character can be several code points: a flag is two regional indicators, a family emoji is
// people joined by U+200D, "é" may be e + U+0301. Intl.Segmenter knows the Unicode rules (UAX #29, extended
// grapheme clusters); these helpers ask it about the neighbourhood of a position only, so a step costs the length
// of a line or so, not of the article.

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The grapheme cluster holding the UTF-16 unit at `i` (0 <= i < text.length), as {start, end}. */
export function clusterAt(text, i) {
  // The slice ends at certain boundaries, or after CLUSTER_REACH units: no cluster a reader meets is that long, and a
  // long line of CJK or Cyrillic (no ASCII pair, no line break) must not make every step read the whole line.
  let from = i, to = i + 1;
  while (from > 0 && i - from < CLUSTER_REACH && !certainBoundary(text, from)) from--;
  while (to < text.length && to - i < CLUSTER_REACH && !certainBoundary(text, to)) to++;
  const { index, segment } = graphemes.segment(text.slice(from, to)).containing(i - from);
  return { start: from + index, end: from + index + segment.length };
}

/** How far (UTF-16 units) clusterAt looks either way for a boundary it is sure of. */
const CLUSTER_REACH = 256;

/** The last cluster boundary at or before `i`. */
export function clusterStart(text, i) {
  return i <= 0 || i >= text.length ? i : clusterAt(text, i).start;
}

/** The first cluster boundary at or after `i`. */
export function clusterEnd(text, i) {
  return i <= 0 || i >= text.length ? i : clusterAt(text, i - 1).end;
}

/**
 * Positions where the rules always break whatever surrounds them, so a slice cut there segments like the whole
 * text: after a line feed and before one not preceded by CR (GB4, GB5), and between two printable ASCII characters
 * (GB999: none of them extends, joins or pairs with a neighbour).
 */
function certainBoundary(text, k) {
  const before = text.charCodeAt(k - 1), after = text.charCodeAt(k);
  if (before === 0x0a) return true;
  if (after === 0x0a) return before !== 0x0d;
  return before >= 0x20 && before < 0x7f && after >= 0x20 && after < 0x7f;
}
