// Style rules of the page's own, made through the CSSOM in one stylesheet: thousands of span pieces and tags share a
// few colours, so each gets a class whose rule is written once, instead of a style attribute parsed for each element
// (and no markup or inline style is written, which the content security policy forbids).

let sheet = null;
const classes = new Map(); // prefix and key -> class name

/**
 * The class for `key`, named `prefix` and a number, its rule written once as `rule(className)`. The caller checks
 * every value it writes into the rule (hex colours, numbers): nothing else may reach the stylesheet.
 */
export function classFor(prefix, key, rule) {
  const wanted = `${prefix}\u0000${key}`;
  let name = classes.get(wanted);
  if (!name) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    }
    name = `${prefix}${classes.size}`;
    sheet.insertRule(rule(name), sheet.cssRules.length);
    classes.set(wanted, name);
  }
  return name;
}
