// Fills the project page's conflict badge from the conflict queue: open units, and in how many documents.
for (const badge of document.querySelectorAll('[data-conflict-count]')) {
  fetch(`/api/projects/${badge.dataset.conflictCount}/conflicts`, { headers: { Accept: 'application/json' } })
    .then(response => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
    .then(queue => {
      badge.textContent = String(queue.open);
      badge.title = `${queue.open} open unit(s) in ${queue.documents.length} document(s)`;
      badge.setAttribute('aria-label', badge.title);
    })
    .catch(() => { badge.textContent = '?'; badge.title = 'The conflict queue could not be read.'; });
}
