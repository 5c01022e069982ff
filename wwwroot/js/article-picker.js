// A search box that finds a project's articles on the server as one types (GET /api/projects/{id}/documents?q=),
// listing the first matches as links. Used by the compare view instead of a list of every article.

import { el, fill } from './annotations.js';

const Shown = 20;

/**
 * @param input the search field; results the list the matches go in; status a live region saying how many matched
 * @param options {projectId, exclude: ids not to offer, href: id => where choosing the article leads}
 */
export function articlePicker(input, results, status, { projectId, exclude = [], href }) {
  let timer = null;
  let asked = 0; // only the answer to the latest question is shown

  async function search() {
    const words = input.value.trim();
    const question = ++asked;
    if (!words) { results.hidden = true; fill(results); status.textContent = ''; return; }
    let page;
    try {
      const response = await fetch(`/api/projects/${projectId}/documents?limit=${Shown + exclude.length}&q=${encodeURIComponent(words)}`,
        { headers: { Accept: 'application/json' } });
      page = await response.json();
      if (!response.ok) throw new Error(page?.detail ?? `The server answered ${response.status}.`);
    } catch (error) {
      if (question !== asked) return;
      results.hidden = false;
      fill(results, el('li', { class: 'list-group-item small text-danger' }, `Searching failed: ${error.message}`));
      return;
    }
    if (question !== asked) return;
    const found = page.items.filter(d => !exclude.includes(d.id)).slice(0, Shown);
    results.hidden = false;
    fill(results, found.length
      ? found.map(d => el('li', { class: 'list-group-item p-0' },
          el('a', { class: 'd-block px-2 py-1 small text-decoration-none', href: href(d.id) }, d.title,
            d.source ? el('span', { class: 'text-muted ms-1' }, d.source) : null)))
      : el('li', { class: 'list-group-item small text-muted' }, 'No other article matches.'));
    status.textContent = found.length ? `${page.total} article(s) match; the first ${found.length} are listed.` : 'No other article matches.';
  }

  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 200); });
  input.addEventListener('keydown', e => {
    if (e.key === 'Escape') { input.value = ''; search(); }
    if (e.key === 'ArrowDown') { results.querySelector('a')?.focus(); e.preventDefault(); }
  });
  results.addEventListener('keydown', e => {
    const links = [...results.querySelectorAll('a')];
    const at = links.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' && at >= 0) { links[Math.min(at + 1, links.length - 1)].focus(); e.preventDefault(); }
    if (e.key === 'ArrowUp' && at >= 0) { (at === 0 ? input : links[at - 1]).focus(); e.preventDefault(); }
    if (e.key === 'Escape') { input.focus(); input.value = ''; search(); }
  });
}
