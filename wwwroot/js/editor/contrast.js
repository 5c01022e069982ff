// Colours a label is drawn in, whatever colour a manager chose for it: the text of a tag in black or white, whichever
// contrasts more with the tag (always at least 4.5:1, WCAG AA for text), and a version of the colour dark enough to be
// seen on white (3:1, WCAG's figure for graphics) for underlines, borders and tags of pale labels.

/** '#rgb' or '#rrggbb' (any case) as [r, g, b] in 0..255; anything else as mid grey. */
export function rgb(hex) {
  let h = String(hex ?? '').trim().replace(/^#/, '');
  if (/^[0-9a-f]{3}$/i.test(h)) h = [...h].map(c => c + c).join('');
  if (!/^[0-9a-f]{6}$/i.test(h)) return [136, 136, 136];
  const n = parseInt(h, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export const toHex = ([r, g, b]) => '#' + [r, g, b].map(v => Math.round(v).toString(16).padStart(2, '0')).join('');

/** WCAG 2 relative luminance of [r, g, b]. */
export function luminance([r, g, b]) {
  const channel = v => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG 2 contrast ratio of two colours (hex strings), 1 to 21. */
export function contrast(a, b) {
  const [x, y] = [luminance(rgb(a)), luminance(rgb(b))].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** Black or white, whichever reads better on `background`: one of them always reaches 4.58:1. */
export function textOn(background) {
  return contrast(background, '#000000') >= contrast(background, '#ffffff') ? '#000000' : '#ffffff';
}

/**
 * The colour itself when it stands out from white by at least `ratio`, else the same hue darkened (in steps of 5%)
 * until it does: a manager's pale yellow stays recognisably yellow, only deep enough to see.
 */
export function visibleOnWhite(hex, ratio = 3) {
  let colour = rgb(hex);
  for (let i = 0; i < 40 && contrast(toHex(colour), '#ffffff') < ratio; i++) colour = colour.map(v => v * 0.95);
  return toHex(colour);
}

/**
 * How a label is drawn: `strong` (seen on white) for underlines and the tag, `text` on the tag, `wash` the light
 * background of the text it covers. Cached per colour: thousands of spans share a dozen colours.
 */
const cache = new Map();
export function labelPaint(hex) {
  let paint = cache.get(hex);
  if (!paint) {
    const strong = visibleOnWhite(hex);
    const [r, g, b] = rgb(hex);
    paint = { strong, text: textOn(strong), wash: `rgba(${r}, ${g}, ${b}, 0.28)` };
    cache.set(hex, paint);
  }
  return paint;
}
