// The Progress tab's chart: one stacked bar per annotator (documents not started, in progress, finished), drawn with
// the Chart.js the app ships. The figures come from the page (the tables show the same ones, for screen readers too).

const data = JSON.parse(document.getElementById('progress-data').textContent);
const canvas = document.getElementById('progress-chart');

if (canvas && window.Chart && data.length > 0) {
  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.map(a => a.name),
      datasets: [
        { label: 'Not started', data: data.map(a => a.notStarted), backgroundColor: '#adb5bd' },
        { label: 'In progress', data: data.map(a => a.inProgress), backgroundColor: '#ffc107' },
        { label: 'Finished', data: data.map(a => a.finished), backgroundColor: '#198754' },
      ],
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
    },
  });
  canvas.dataset.drawn = 'true';
}
