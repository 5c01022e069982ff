// Next document from the editor: the button is a plain form (it works without script); Alt+N presses it from the
// keyboard. Alt is free: label keys are plain letters and digits, and the editor's own shortcuts use Control.
// e.code, not e.key: on a Mac, Option+N types a character instead of "n".

const button = globalThis.document?.getElementById('next-document');

/** Whether a key press asks for the next document (exported for the tests of pure modules). */
export function isNextDocumentKey(e) {
  return Boolean(e.altKey) && !e.ctrlKey && !e.metaKey && !e.shiftKey && (e.code === 'KeyN' || e.key === 'n' || e.key === 'N');
}

if (button) {
  document.addEventListener('keydown', e => {
    if (!isNextDocumentKey(e) || e.repeat) return;
    if (e.target.closest?.('input, textarea, select, [contenteditable="true"]')) return;
    e.preventDefault();
    button.form.requestSubmit(button);
  });
}
