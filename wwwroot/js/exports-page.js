// The Exports page: live progress of running exports (pushed over SignalR, polled as a fallback), cancel and delete.
import { api } from './annotations.js';
import { watchJobs } from './job-progress.js';

// CoNLL and spaCy hold one annotation per article: "every annotator" is offered there only while one annotator
// has spans, and the page says why when it is not (the server refuses it anyway).
const form = document.getElementById('export-form');
if (form) {
  const merged = JSON.parse(form.dataset.merged || '{}');
  const scope = form.elements.scope, all = scope.querySelector('option[value="all"]'), reason = document.getElementById('scope-reason');
  const check = () => {
    const counts = merged[form.elements.format.value];
    const annotators = counts ? (form.elements.finishedOnly.checked ? counts.finished : counts.all) : 0;
    all.disabled = annotators > 1;
    reason.textContent = '';
    if (!all.disabled) return;
    reason.textContent = `${form.elements.format.value} holds one annotation per article, and ${annotators} annotators have spans here: choose one annotator's spans or the curated layer.`;
    if (scope.value === 'all') {
      scope.value = 'curated';
      reason.textContent += ' The curated layer is chosen instead.';
    }
  };
  for (const input of [form.elements.format, form.elements.finishedOnly]) input.addEventListener('change', check);
  check();
}

for (const button of document.querySelectorAll('.export-delete')) {
  button.addEventListener('click', async () => {
    try { await api(`/api/exports/${button.dataset.exportId}`, { method: 'DELETE' }); location.reload(); }
    catch (error) { alert(error.message); }
  });
}

const running = [...document.querySelectorAll('tr[data-status="queued"], tr[data-status="running"]')];
const show = (row, e) => {
  row.querySelector('.export-bar').style.width = `${e.total ? Math.round((100 * e.done) / e.total) : 0}%`;
  row.querySelector('.export-progress').textContent = `${e.done} of ${e.total} documents`;
  if (e.status !== 'queued' && e.status !== 'running') { location.reload(); return true; }
  return false;
};
if (running.length) {
  const projectId = Number(document.querySelector('[data-project-id]').dataset.projectId);
  watchJobs(projectId, p => {
    const row = running.find(r => p.kind === 'export' && Number(r.dataset.exportId) === p.id);
    if (row) show(row, p);
  });
}
for (const row of running) {
  const poll = async () => {
    try {
      if (show(row, await api(`/api/exports/${row.dataset.exportId}`))) return;
    } catch { /* the next poll tries again */ }
    setTimeout(poll, 1000);
  };
  poll();
}
