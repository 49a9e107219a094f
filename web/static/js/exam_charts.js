// exam_charts.js — an exam's results as charts, drawn with the vendored
// Chart.js from GET /api/v2.5/admin/exams/<id>/summary/: the score
// distribution, the pass rate, and the mean score by section and by
// subject. Each chart has its numbers in a table beside it too.
import '/static/vendor/chartjs/chart.umd.min.js'; // defines globalThis.Chart
import { api, el, param } from './api.js';
import { isAdmin, problem, say, table } from './admin.js';

const { Chart } = globalThis;
const id = param('id');
const status = document.getElementById('exam-status');
const colours = { bar: '#0b5cad', max: '#b7c7d9', pass: '#1a6b34', fail: '#b3261e' };

Chart.defaults.animation = false; // charts appear at once, also when printed
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.color = '#1b1f24';
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;

function draw(canvasID, config) {
  const canvas = document.getElementById(canvasID);
  return new Chart(canvas, config);
}

const num = (s) => (s === null || s === undefined ? null : Number(s));

function distribution(s) {
  const labels = s.score_distribution.map((b) => `${b.from} to ${b.to}`);
  draw('chart-distribution', {
    type: 'bar',
    data: { labels, datasets: [{ label: 'Attempts', data: s.score_distribution.map((b) => b.count), backgroundColor: colours.bar, categoryPercentage: 1, barPercentage: 0.95 }] },
    options: { plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: 'Score' } }, y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Attempts' } } } },
  });
  document.getElementById('table-distribution').replaceChildren(table('Score distribution', [
    { label: 'Score from', rowHeader: true, cell: (b) => b.from },
    { label: 'to', cell: (b) => b.to },
    { label: 'Attempts', numeric: true, cell: (b) => String(b.count) },
  ], s.score_distribution));
}

function passRate(s) {
  const text = document.getElementById('pass-text');
  if (s.pass_rate === null) {
    text.textContent = s.graded_count === 0 ? 'No attempt is graded yet.' : 'The exam has no pass mark.';
    return;
  }
  text.textContent = `${s.pass_rate}% of ${s.graded_count} graded attempt${s.graded_count === 1 ? '' : 's'} passed.`;
  draw('chart-pass', {
    type: 'doughnut',
    data: { labels: ['Passed', 'Did not pass'], datasets: [{ data: [s.pass_rate, Math.round((100 - s.pass_rate) * 100) / 100], backgroundColor: [colours.pass, colours.fail] }] },
    options: { plugins: { tooltip: { callbacks: { label: (c) => `${c.label}: ${c.parsed}%` } } } },
  });
}

// means draws mean scores beside the most each row can give.
function means(canvasID, tableID, caption, rows) {
  draw(canvasID, {
    type: 'bar',
    data: {
      labels: rows.map((r) => r.name),
      datasets: [
        { label: 'Mean score', data: rows.map((r) => num(r.mean_score)), backgroundColor: colours.bar },
        { label: 'Most possible', data: rows.map((r) => num(r.max_score)), backgroundColor: colours.max },
      ],
    },
    options: { indexAxis: rows.length > 6 ? 'y' : 'x', scales: { y: { beginAtZero: true } } },
  });
  document.getElementById(tableID).replaceChildren(table(caption, [
    { label: 'Name', rowHeader: true, cell: (r) => r.name },
    { label: 'Mean score', numeric: true, cell: (r) => r.mean_score ?? '—' },
    { label: 'Most possible', numeric: true, cell: (r) => r.max_score },
  ], rows));
}

function facts(s, admin) {
  const link = (n, href) => (admin || href.startsWith('/admin/grading/') ? el('a', { href }, String(n)) : String(n));
  return el('dl', { class: 'facts' },
    [['Graded attempts', String(s.graded_count)],
      ['Mean score', s.mean_score === null ? '—' : `${s.mean_score} (scores run from ${s.min_score} to ${s.max_score})`],
      ['Running', link(s.running, `/admin/attempts/?exams=${id}&state=0`)],
      ['Completed', link(s.completed, `/admin/attempts/?exams=${id}&state=1`)],
      ['Pending evaluation', link(s.pending_evaluation, `/admin/grading/?exams=${id}`)],
    ].map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v))));
}

async function show() {
  say(status, 'Loading the results…');
  try {
    const s = await api('GET', `/api/v2.5/admin/exams/${id}/summary/`);
    document.getElementById('exam-heading').textContent = `Results: ${s.title}`;
    document.title = `Results: ${s.title} · ${document.title.split(' · ').slice(1).join(' · ')}`;
    const holder = document.getElementById('exam-summary');
    holder.replaceChildren(facts(s, isAdmin(holder)));
    distribution(s);
    passRate(s);
    means('chart-sections', 'table-sections', 'Mean score by section', s.sections);
    means('chart-subjects', 'table-subjects', 'Mean score by subject', s.subjects);
    say(status, '');
  } catch (err) {
    say(status, problem(err), true);
  }
}

show();
