// The Exports page: live progress of running exports, cancel and delete.
import { api } from './annotations.js';

for (const button of document.querySelectorAll('.export-delete')) {
  button.addEventListener('click', async () => {
    try { await api(`/api/exports/${button.dataset.exportId}`, { method: 'DELETE' }); location.reload(); }
    catch (error) { alert(error.message); }
  });
}

const running = [...document.querySelectorAll('tr[data-status="queued"], tr[data-status="running"]')];
for (const row of running) {
  const poll = async () => {
    try {
      const e = await api(`/api/exports/${row.dataset.exportId}`);
      row.querySelector('.export-bar').style.width = `${e.total ? Math.round((100 * e.done) / e.total) : 0}%`;
      row.querySelector('.export-progress').textContent = `${e.done} of ${e.total} documents`;
      if (e.status !== 'queued' && e.status !== 'running') { location.reload(); return; }
    } catch { /* the next poll tries again */ }
    setTimeout(poll, 500);
  };
  poll();
}
