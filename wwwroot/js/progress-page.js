// The Progress tab's charts, drawn with the Chart.js the app ships: one stacked bar per annotator (documents not
// started, in progress, finished), and finished documents over time per annotator (a running total by day, from the
// change log). The figures come from the page (the tables show the same ones, for screen readers too).

const { states: data, finished } = JSON.parse(document.getElementById('progress-data').textContent);
const canvas = document.getElementById('progress-chart');
const overTime = document.getElementById('finished-chart');
const palette = ['#0d6efd', '#d63384', '#198754', '#fd7e14', '#6f42c1', '#20c997', '#dc3545', '#6c757d'];

if (overTime && window.Chart && finished.length > 0) {
  // Every day from the one before the first finish to the last (UTC), so each line starts at zero and climbs in
  // steps: with one day of history a person is a step, not a lone dot, and gaps between days keep their width.
  const seen = [...new Set(finished.map(f => f.day))].sort();
  const days = [];
  for (let t = Date.parse(seen[0] + 'T00:00:00Z') - 86400000, last = Date.parse(seen[seen.length - 1] + 'T00:00:00Z'); t <= last; t += 86400000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  const people = [...new Set(finished.map(f => f.name))];
  const datasets = people.map((name, i) => {
    let total = 0;
    const perDay = new Map(finished.filter(f => f.name === name).map(f => [f.day, f.count]));
    return {
      label: name,
      data: days.map(day => (total += perDay.get(day) ?? 0)),
      borderColor: palette[i % palette.length],
      backgroundColor: palette[i % palette.length],
      stepped: true,
      // No dots (points sharing a day covered each other); a dash per person tells lines apart where they overlap.
      pointRadius: 0,
      pointHoverRadius: 4,
      borderWidth: 2,
      borderDash: [[], [6, 4], [2, 3], [10, 3, 2, 3]][i % 4],
    };
  });
  new window.Chart(overTime, {
    type: 'line',
    data: { labels: days, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: 8, maxRotation: 0 } } },
    },
  });
  overTime.dataset.drawn = 'true';
}

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
