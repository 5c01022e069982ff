// This person's status on the document (New, In progress, Finished) and the button that marks it finished or
// reopens it. The server moves a new document to "in progress" with the person's first span; the page only shows it.

/** What the page shows for a document state (or none yet): the status's words and the button's. */
export function statusView(state) {
  const finished = state?.status === 'finished';
  return {
    finished,
    status: finished ? 'Finished' : state?.status === 'in_progress' ? 'In progress' : 'New',
    button: finished ? 'Reopen' : 'Mark finished',
  };
}

export class FinishedStatus {
  /**
   * @param {{button: HTMLElement, status: HTMLElement, note?: HTMLElement, text?: HTMLElement}} elements
   *   note: shown while the document is read-only (a status region, so it is announced); text: the article, marked data-read-only
   * @param {{store: object, live: object, documentId: string, userId: string, announce: (m: string) => void,
   *          refuse: (m: string) => void, locks?: boolean}} c  locks: the project keeps finished documents read-only
   */
  constructor({ button, status, note, text }, c) {
    this.button = button;
    this.status = status;
    this.note = note;
    this.text = text;
    this.c = c;
    button.addEventListener('click', () => this.toggle());
  }

  state() { return this.c.store.states.get(`${this.c.documentId}:${this.c.userId}`); }

  /** Finished in a project that locks finished work: nothing may change until the person reopens it. */
  get readOnly() { return Boolean(this.c.locks) && statusView(this.state()).finished; }

  render() {
    const shown = statusView(this.state());
    this.button.textContent = shown.button;
    this.button.classList.toggle('btn-success', !shown.finished);
    this.button.classList.toggle('btn-outline-secondary', shown.finished);
    this.status.textContent = shown.status;
    if (this.note) this.note.hidden = !this.readOnly;
    if (this.text) this.text.dataset.readOnly = String(this.readOnly);
  }

  async toggle() {
    const { store, live, documentId, announce, refuse } = this.c;
    const finished = statusView(this.state()).finished;
    const result = await live.call('SetDocumentStatus', documentId, finished ? 'in_progress' : 'finished');
    if (!result.ok) { refuse(result.detail); return; }
    store.apply({ kind: 'document_state_changed', data: result.value });
    this.render();
    announce(finished ? 'Reopened.' : 'Marked finished.');
  }
}
