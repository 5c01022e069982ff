// Shows a running agreement computation's progress and reloads the dashboard when it is done.
const running = document.getElementById('running');
if (running) {
  const id = running.dataset.reportId;
  const bar = document.getElementById('progress-bar');
  const text = document.getElementById('progress-text');
  const poll = async () => {
    try {
      const response = await fetch(`/api/agreement-reports/${id}`);
      const report = await response.json();
      const percent = report.total ? Math.round((100 * report.done) / report.total) : 0;
      bar.style.width = `${percent}%`;
      text.textContent = `${report.done} of ${report.total} documents`;
      if (report.status === 'succeeded') { location.reload(); return; }
      if (report.status === 'failed') { text.textContent = `Failed: ${report.error}`; running.classList.add('border-danger'); return; }
    } catch { text.textContent = 'Waiting for the server…'; }
    setTimeout(poll, 500);
  };
  poll();
}
