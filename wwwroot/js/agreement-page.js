// Shows a running agreement computation's progress (pushed over SignalR, polled as a fallback) and reloads the
// dashboard when it is done; lets the heatmap show any of a pair's figures.
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

// The heatmap shows one pair figure at a time; the server renders overlap F1 and puts every figure of a pair in
// its cell's data-figures, as {text, value}: the text formatted by the server, the value for the colour. They are
// written with textContent and style: nothing from the report is parsed as HTML.
const choice = document.getElementById('heatmap-choice');
const measure = document.getElementById('heatmap-measure');
if (choice && measure) {
  // Each cell's figures, parsed once.
  const cells = [...document.querySelectorAll('[data-testid="heatmap"] td[data-figures]')]
    .map(cell => ({ cell, figures: JSON.parse(cell.dataset.figures) }));
  const caption = document.getElementById('heatmap-figure');
  const explanation = document.getElementById('heatmap-explanation');
  // Same colour scale as the server: red at 0 (or below), green at 1, grey when undefined.
  const heat = value => (typeof value === 'number' ? `hsl(${Math.round(Math.min(Math.max(value, 0), 1) * 120)}, 70%, 82%)` : '#f1f3f5');
  const show = key => {
    const option = measure.selectedOptions[0];
    caption.textContent = option.dataset.name;
    explanation.textContent = option.title;
    for (const { cell, figures } of cells) {
      const figure = figures[key];
      cell.textContent = figure.text;
      cell.style.backgroundColor = heat(figure.value);
    }
  };
  measure.addEventListener('change', () => show(measure.value));
  // A reload or "back" restores the chosen figure in the select: draw that one, not the page's first.
  show(measure.value);
  choice.hidden = false;
}
