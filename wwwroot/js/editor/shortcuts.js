// The list of the editor's keyboard shortcuts (the `?` key shows it), written once here: the dialog draws it, and
// README's keyboard table says the same. The label keys come from the project's labels.

import { el, fill } from '../annotations.js';

/** The shortcuts that do not depend on the project, in groups: [group, [[keys (alternatives), what it does], ...]]. */
export const SHORTCUTS = [
  ['Moving the caret (in the text: Tab to it, or click)', [
    [['←', '→'], 'one character (a flag or an accented letter is one)'],
    [['Ctrl+←', 'Ctrl+→'], 'one word'],
    [['↑', '↓'], 'one line, as the text wraps'],
    [['Home', 'End'], 'start or end of the line'],
    [['PageUp', 'PageDown'], 'a screen up or down'],
    [['Ctrl+Home', 'Ctrl+End'], 'start or end of the article'],
  ]],
  ['Selecting (then press a label key, below)', [
    [['Shift'], 'with any move above: select from the caret (Ctrl+Shift+→ selects a word)'],
    [['Escape'], 'drop the selection, close the palette or the span\'s details'],
  ]],
  ['Editing', [
    [['Ctrl+Z'], 'undo your last edit'],
    [['Ctrl+Shift+Z', 'Ctrl+Y'], 'redo'],
    [['Delete'], 'delete the open span (in its details or its item in the list)'],
    [['Tab', 'Shift+Tab'], 'go to the side panel, its list, and back'],
  ]],
  ['Help', [
    [['g'], 'show or hide the guidelines beside the text'],
    [['?'], 'this list'],
  ]],
];

/** The label keys, as rows [key, what it does], in the project's order; labels without a key are left out. */
export function labelRows(labels) {
  return labels.filter(l => l.key).map(l => [[l.key], `label the selection as ${l.name}`]);
}

/** The dialog that lists the shortcuts: a modal <dialog>, so focus stays in it and Escape closes it. */
export class ShortcutsDialog {
  /** @param {HTMLDialogElement} dialog  with a `.shortcuts-body` to fill and a close button */
  constructor(dialog, labels) {
    this.dialog = dialog;
    const groups = [...SHORTCUTS, ['Label keys', labelRows(labels)]].filter(([, rows]) => rows.length);
    // One table, a group heading row over each group's rows, so the keys line up down the whole list.
    fill(dialog.querySelector('.shortcuts-body'), el('table', { class: 'table table-sm shortcuts-table mb-2' },
      groups.map(([group, rows]) => el('tbody', {},
        el('tr', {}, el('th', { scope: 'colgroup', colspan: '2', class: 'shortcuts-group' }, group)),
        rows.map(([keys, what]) => el('tr', {},
          el('th', { scope: 'row' }, keys.flatMap((k, i) => [i ? ' or ' : null, el('kbd', {}, k)])),
          el('td', {}, what)))))));
    dialog.querySelector('[data-close]')?.addEventListener('click', () => this.close());
    // A click on the backdrop (outside the dialog's box) closes it too.
    dialog.addEventListener('click', e => {
      const box = dialog.getBoundingClientRect();
      const outside = e.clientX < box.left || e.clientX > box.right || e.clientY < box.top || e.clientY > box.bottom;
      if (e.target === dialog && outside && e.detail > 0) this.close(); // a real click, not Enter on a button
    });
    dialog.addEventListener('close', () => this.returnTo?.focus?.());
  }

  get open() { return this.dialog.open; }

  show() {
    if (this.dialog.open) return;
    this.returnTo = document.activeElement;
    this.dialog.showModal();
  }

  close() { this.dialog.close(); }
}
