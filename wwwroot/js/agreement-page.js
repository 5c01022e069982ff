// Shows a running agreement computation's progress (pushed over SignalR, polled as a fallback) and reloads the
// dashboard when it is done.
import { watchJobs } from './job-progress.js';

const running = document.getElementById('running');
if (running) {
  const id = Number(running.dataset.reportId);
  const bar = document.getElementById('progress-bar');
  const text = document.getElementById('progress-text');
  const show = report => {
    const percent = report.total ? Math.round((100 * report.done) / report.total) : 0;
    bar.style.width = `${percent}%`;
    text.textContent = `${report.done} of ${report.total} documents`;
    if (report.status === 'succeeded') { location.reload(); return true; }
    if (report.status === 'failed') { text.textContent = `Failed: ${report.error}`; running.classList.add('border-danger'); return true; }
    return false;
  };
  watchJobs(Number(running.dataset.projectId), p => { if (p.kind === 'agreement' && p.id === id) show(p); });
  const poll = async () => {
    try {
      const response = await fetch(`/api/agreement-reports/${id}`);
      if (show(await response.json())) return;
    } catch { text.textContent = 'Waiting for the server…'; }
    setTimeout(poll, 1000);
  };
  poll();
}
