// The editor's keyboard shortcuts, decided apart from what they do: keyCommand says which command a key press is
// (or none), the page runs it. Keys the text itself handles (arrows, Shift+arrows to select) are in textview.js.

/** Where a key press happened, as far as the shortcuts care: from the event's target element. */
export function placeOf(target, selectedId) {
  return {
    // Undo, redo and label keys are the browser's own in any control a person types or chooses in.
    typing: Boolean(target.closest?.('input, textarea, select, [contenteditable="true"]')),
    // Delete means nothing in a select (the span's label list): there too it deletes the span, but not in a text field.
    writing: Boolean(target.closest?.('input, textarea, [contenteditable="true"]')),
    // Delete acts only where the open span is what the person is on: its details, or its own item in the list
    // (not another span's item, not the filter).
    onOpenSpan: Boolean(target.closest?.('#details') || (selectedId != null && target.closest?.('.annotation-item')?.dataset.annotation === selectedId)),
  };
}

/**
 * The command a key press asks for, or null.
 * @param {{key: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean, shiftKey?: boolean, repeat?: boolean}} key
 * @param {{typing: boolean, writing: boolean, onOpenSpan: boolean}} place  from placeOf
 * @param {{selecting: boolean, openSpanIsMine: boolean, labels: {name: string, key?: string}[]}} state
 *   selecting: text is selected; openSpanIsMine: a span's details are open and it is this person's
 * @returns {{command: 'undo' | 'redo' | 'delete' | 'label' | 'escape' | 'shortcuts' | 'guidelines', label?: object, preventDefault: boolean} | null}
 */
export function keyCommand(key, place, state) {
  const control = key.ctrlKey || key.metaKey;
  // Some keydown events carry no key at all (a browser's autofill can send one): they are no shortcut.
  if (typeof key.key !== 'string') return null;
  const letter = key.key.toLowerCase();
  if (control && letter === 'z' && !place.typing) return { command: key.shiftKey ? 'redo' : 'undo', preventDefault: true };
  if (control && letter === 'y' && !place.typing) return { command: 'redo', preventDefault: true };
  // A held key repeats, but one deletion is asked for once.
  if (key.key === 'Delete' && !key.repeat && place.onOpenSpan && !place.writing && !control && !key.altKey && state.openSpanIsMine) {
    return { command: 'delete', preventDefault: true };
  }
  if (place.typing || control || key.altKey) return null;
  if (state.selecting && key.key.length === 1) {
    const label = state.labels.find(l => l.key && l.key === letter);
    if (label) return { command: 'label', label, preventDefault: true };
  }
  // Help: the list of shortcuts, and the guidelines beside the text (a key that labels while text is selected).
  if (key.key === '?') return { command: 'shortcuts', preventDefault: true };
  if (letter === 'g' && !state.selecting) return { command: 'guidelines', preventDefault: true };
  if (state.selecting && key.key.length === 1) return null;
  if (key.key === 'Escape') return { command: 'escape', preventDefault: false };
  return null;
}
