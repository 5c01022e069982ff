// Edits the server has not confirmed yet. It stands where the editor's Changes expect the live connection (the same
// `call(method, ...args)`): a change that could not be saved for a reason that passes (the connection is down, the
// database is restarting, too many writes at once) is kept, shown as not saved yet, and sent again until the server
// saves or refuses it; only then does the caller's promise settle, with that final answer. Sending again is safe:
// a create carries the id the page made (the server answers a repeat with the span it already stored), and an update
// or delete the version it was based on. Edits are sent in the order they were made, so an update never overtakes the
// create of its span.

/** Answers that say "not now" rather than "no": nothing was saved. */
export const RETRYABLE = new Set([0 /* not sent */, 429 /* too many writes */, 503 /* database unavailable */]);

/** Waits between tries of the edit at the head of the queue (the last repeats). */
export const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];

/** The span or link an edit is about: the one whose piece of text is drawn as not saved yet. */
export function subjectOf(method, args) {
  switch (method) {
    case 'CreateAnnotation': case 'CreateRelation': return args[1]?.id ?? null;
    case 'UpdateAnnotation': case 'DeleteAnnotation': case 'DeleteRelation': return args[0] ?? null;
    default: return null;
  }
}

export class PendingEdits {
  /**
   * @param {{live: {call: Function}, onChange?: (pending: PendingEdits) => void, onHeld?: (edit: object) => void,
   *          onRefused?: (edit: object, result: object) => void, delays?: number[],
   *          setTimer?: Function, clearTimer?: Function}} options
   *   onChange: the queue or a refusal changed (redraw the badge and the spans); onHeld: an edit was kept for a retry
   *   (the page draws a created span at once); onRefused: a kept edit was refused at last (the page takes its span away)
   */
  constructor({ live, onChange = () => {}, onHeld = () => {}, onRefused = () => {}, delays = RETRY_DELAYS_MS,
    setTimer = (f, ms) => setTimeout(f, ms), clearTimer = t => clearTimeout(t) }) {
    Object.assign(this, { live, onChange, onHeld, onRefused, delays, setTimer, clearTimer });
    this.queue = [];     // {method, args, subject, tries, resolve}, oldest first
    this.refused = [];   // {method, subject, detail}: kept edits the server refused, newest last
    this.timer = null;
    this.sending = false;
    this.inFlight = null; // settles when the last change sent has its first answer
  }

  get count() { return this.queue.length; }

  /** Ids of spans and links with an edit not saved yet. */
  subjects() { return new Set(this.queue.map(e => e.subject).filter(Boolean)); }

  /**
   * Sends a change once the one before it has had its answer; while older ones wait, it waits behind them. Answers
   * the server's final answer. The hub runs a connection's calls side by side (as it does concurrent requests), so
   * the order of a person's edits is kept here: a delete never reaches the server before the create of its span.
   */
  call(method, ...args) {
    let answered;
    const previous = this.inFlight ?? Promise.resolve();
    this.inFlight = new Promise(resolve => { answered = resolve; });
    return previous.then(() => {
      if (this.queue.length === 0) return this.first(method, args, answered);
      answered();
      return new Promise(resolve => this.hold({ method, args, subject: subjectOf(method, args), tries: 0, resolve }));
    });
  }

  async first(method, args, answered) {
    let result;
    try { result = await this.live.call(method, ...args); } finally { answered(); }
    if (!RETRYABLE.has(result.status) || result.ok) return result;
    return new Promise(resolve => this.hold({ method, args, subject: subjectOf(method, args), tries: 1, resolve }));
  }

  hold(edit) {
    this.queue.push(edit);
    this.onHeld(edit);
    this.onChange(this);
    this.schedule();
  }

  /** Tries again now (the page calls it when the connection is back), instead of at the next timer. */
  retryNow() {
    if (this.queue.length === 0) return;
    if (this.timer !== null) { this.clearTimer(this.timer); this.timer = null; }
    this.send();
  }

  schedule() {
    if (this.timer !== null || this.sending || this.queue.length === 0) return;
    const head = this.queue[0];
    const delay = this.delays[Math.min(Math.max(head.tries - 1, 0), this.delays.length - 1)];
    this.timer = this.setTimer(() => { this.timer = null; this.send(); }, delay);
  }

  /** Sends the queue's edits in order until one still cannot be saved (it waits for the next try) or all are settled. */
  async send() {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const edit = this.queue[0];
        edit.tries++;
        let result = await this.live.call(edit.method, ...edit.args);
        if (!result.ok && RETRYABLE.has(result.status)) break;
        // A delete whose earlier try was saved but whose answer was lost finds nothing to delete: it is done.
        if (!result.ok && result.status === 404 && edit.tries > 1 && edit.method.startsWith('Delete')) {
          result = { ok: true, status: 200, value: { id: edit.args[0] } };
        }
        this.queue.shift();
        if (!result.ok) {
          this.refused.push({ method: edit.method, subject: edit.subject, detail: result.detail });
          this.onRefused(edit, result);
        }
        edit.resolve(result);
        this.onChange(this);
      }
    } finally {
      this.sending = false;
      this.schedule();
    }
  }

  /** Forgets the refusals shown (the person dismissed them). */
  clearRefused() {
    this.refused = [];
    this.onChange(this);
  }
}

/**
 * What the badge says: how many edits are not saved yet, or the last refusal of a kept edit with the server's reason.
 * Answers {state: 'saved' | 'unsaved' | 'refused', text, title}.
 */
export function describePending(pending) {
  const n = pending.count;
  if (n > 0) {
    return { state: 'unsaved', text: `${n} ${n === 1 ? 'edit' : 'edits'} not saved yet`,
      title: 'Kept on this page and sent again until the server saves them. Keep the page open.' };
  }
  const last = pending.refused[pending.refused.length - 1];
  if (last) {
    const n = pending.refused.length;
    return { state: 'refused', text: `${n} unsaved ${n === 1 ? 'edit' : 'edits'} refused: ${last.detail}`, title: 'Click to dismiss.' };
  }
  return { state: 'saved', text: '', title: '' };
}

/**
 * The span a kept create stands for until the server stores it, built from what CreateAnnotation sends: version 1
 * (what the server will give it, so an edit of it made meanwhile is based on the right version) and marked unsaved.
 */
export function provisionalSpan([documentId, fields], me) {
  return { ...fields, documentId, version: 1, annotatorId: me.userId, annotatorName: me.name, unsaved: true };
}
