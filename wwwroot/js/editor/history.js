// The undo and redo history of one person's edits on a page. It knows nothing of spans or the server: a step is
// {undo, redo}, each an async function answering like a hub call ({ok, status, detail}; status 0 means it was
// not sent, the connection being down). What each kind of edit does to be undone is in steps.js.

export class EditHistory {
  /**
   * @param {{announce: (message: string) => void, onError: (error: Error) => void}} say
   *   announce tells the person what happened (a live region); onError gets a step that threw
   */
  constructor({ announce, onError }) {
    this.undoStack = [];
    this.redoStack = [];
    this.edits = 0; // new edits made, so a step replayed meanwhile knows its redo would now undo newer work
    this.replaying = Promise.resolve();
    this.announce = announce;
    this.onError = onError;
  }

  /** A new edit: it can be undone, and what was undone before it can no longer be redone. */
  record(step) {
    this.edits++;
    this.undoStack.push(step);
    this.redoStack.length = 0;
  }

  undo() { return this.run(true); }
  redo() { return this.run(false); }

  /**
   * Undoes or redoes one step, one at a time (a second Ctrl+Z waits for the first). A step the server refused is
   * dropped, since it would be refused again; one that was not sent (connection down) stays to be tried again.
   */
  run(undoing) {
    const from = undoing ? this.undoStack : this.redoStack;
    const to = undoing ? this.redoStack : this.undoStack;
    this.replaying = this.replaying.then(async () => {
      const step = from.pop();
      if (!step) { this.announce(`Nothing to ${undoing ? 'undo' : 'redo'}.`); return; }
      const editsBefore = this.edits;
      const result = await (undoing ? step.undo() : step.redo());
      // A new edit made while this step was on its way cleared the redo history: do not bring this step back into it.
      if (result.ok) { if (!undoing || this.edits === editsBefore) to.push(step); this.announce(undoing ? 'Undone.' : 'Redone.'); }
      else if (result.status === 0) from.push(step);
      else this.announce(`Could not ${undoing ? 'undo' : 'redo'}: ${result.detail}`);
    }).catch(error => this.onError(error)); // a broken step must not stop the ones queued after it
    return this.replaying;
  }
}
