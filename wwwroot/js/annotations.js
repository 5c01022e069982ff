// The annotation state a page holds, fed by the initial page data and then by live events. Applying an
// event twice, or an event older than what the page already shows, changes nothing.

export class AnnotationStore {
  constructor() {
    this.annotations = new Map();
    this.relations = new Map();
    this.states = new Map(); // `${documentId}:${userId}` -> state
  }

  load({ annotations = [], relations = [], states = [] }) {
    for (const a of annotations) this.annotations.set(a.id, a);
    for (const r of relations) this.relations.set(r.id, r);
    for (const s of states) this.states.set(`${s.documentId}:${s.userId}`, s);
  }

  /** Applies a change-log event; returns what kind of thing changed ('annotation', 'relation', 'state', 'document'). */
  apply(event) {
    const data = event.data;
    // An entry of a deleted document keeps its place in the log but says nothing any more.
    if (data?.redacted) return null;
    switch (event.kind) {
      case 'annotation_created':
      case 'annotation_updated': return upsert(this.annotations, data) && 'annotation';
      case 'annotation_deleted': return this.annotations.delete(data.id) && 'annotation';
      case 'relation_created':
      case 'relation_updated': return upsert(this.relations, data) && 'relation';
      case 'relation_deleted': return this.relations.delete(data.id) && 'relation';
      case 'document_state_changed': this.states.set(`${data.documentId}:${data.userId}`, data); return 'state';
      // The page itself says what these mean (a new title, or the article gone): see document-events.js.
      case 'document_renamed':
      case 'document_deleted': return 'document';
      default: return null;
    }
  }

  inDocument(documentId) { return [...this.annotations.values()].filter(a => a.documentId === documentId); }

  relationsOf(documentId) {
    return [...this.relations.values()].filter(r => r.fromDocumentId === documentId || r.toDocumentId === documentId);
  }
}

function upsert(map, item) {
  const current = map.get(item.id);
  if (current && current.version > item.version) return false;
  // The same version saying the same (one's own change, its answer applied and then its event): nothing changed, and the
  // object the page drew from stays, so nothing is drawn again.
  if (current && current.version === item.version && sameData(current, item)) return false;
  map.set(item.id, item);
  return true;
}

/** Whether two values of JSON say the same, whatever the order of their fields. */
export function sameData(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(key => Object.hasOwn(b, key) && sameData(a[key], b[key]));
}

/** A uuid made in the browser, so a retried create is recognised by the server. */
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Creates an element with text content only (never HTML). */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value == null || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces an element's children; nulls are skipped and arrays flattened (unlike replaceChildren, which prints "null"). */
export function fill(element, ...children) {
  element.replaceChildren(...children.flat(2).filter(child => child != null && child !== false));
  return element;
}

/** The antiforgery token the page carries, for the page's own API calls. */
export function requestToken() {
  return document.querySelector('meta[name="request-verification-token"]')?.content ?? '';
}

export async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { 'Content-Type': 'application/json', RequestVerificationToken: requestToken(), ...(options.headers ?? {}) },
  });
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.detail ?? `The server answered ${response.status}.`);
  return body;
}
