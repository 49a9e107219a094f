// attempts.js — the attempts table (SPEC §8.1). This page's query string IS
// the API's: it is passed through to GET /api/v2.5/admin/attempts/ as it
// is, the filter form writes it, and the pager follows the API's
// next/previous links, so that any view of the list can be bookmarked.
import { api, el, when } from './api.js';
import { apiPath, examTitles, pager, problem, say, startExport, table } from './admin.js';
import { fillForm, queryOf } from './filters.js';

// orderings are §8.1's ordering terms, labelled for the reader.
const orderings = [
  ['-date', 'Started, newest first'], ['date', 'Started, oldest first'],
  ['-id', 'Id, highest first'], ['id', 'Id, lowest first'],
  ['-correct_answers_count', 'Correct answers, most first'], ['correct_answers_count', 'Correct answers, fewest first'],
  ['-incorrect_answers_count', 'Incorrect answers, most first'], ['incorrect_answers_count', 'Incorrect answers, fewest first'],
  ['-unanswered_count', 'Unanswered, most first'], ['unanswered_count', 'Unanswered, fewest first'],
];

const form = document.getElementById('attempt-filter');
const status = document.getElementById('attempt-status');
const order = [document.getElementById('f-order'), document.getElementById('f-order2')];

function setUpOrdering() {
  order[0].append(el('option', { value: '' }, 'Default (started, newest first)'));
  order[1].append(el('option', { value: '' }, 'Nothing more'));
  for (const sel of order) {
    for (const [value, label] of orderings) sel.append(el('option', { value }, label));
  }
  const terms = (new URLSearchParams(location.search).get('ordering') || '').split(',').map((t) => t.trim()).filter(Boolean);
  terms.slice(0, 2).forEach((term, i) => {
    if (orderings.some(([v]) => v === term)) order[i].value = term;
  });
}

// submit writes the form's query string: its fields, the two ordering
// terms joined with a comma as §8.1 takes them, nothing empty.
function submit(ev) {
  ev.preventDefault();
  const q = new URLSearchParams(queryOf(form));
  const terms = order.map((s) => s.value).filter(Boolean);
  q.delete('ordering');
  if (terms.length) q.set('ordering', terms.join(','));
  const qs = q.toString().replaceAll('%2C', ',');
  location.assign('/admin/attempts/' + (qs ? '?' + qs : ''));
}

function row(titles) {
  return [
    { label: 'Attempt', rowHeader: true, cell: (a) => el('a', { href: `/admin/attempts/${a.id}/` }, `#${a.id}`) },
    { label: 'Started', cell: (a) => when(a.date) },
    { label: 'Exam', cell: (a) => titles.get(a.exam_id) || `Exam ${a.exam_id}` },
    { label: 'Student', cell: (a) => el('span', {}, a.name || '', a.name ? el('br') : null, el('span', { class: 'muted' }, a.email)) },
    { label: 'State', cell: (a) => a.state },
    { label: 'Result', cell: (a) => a.result },
    { label: 'Score', numeric: true, cell: (a) => a.score },
    { label: '%', numeric: true, cell: (a) => String(a.percentage) },
    { label: 'Correct', numeric: true, cell: (a) => String(a.correct_answers_count) },
    { label: 'Incorrect', numeric: true, cell: (a) => String(a.incorrect_answers_count) },
    { label: 'Unanswered', numeric: true, cell: (a) => String(a.unanswered_count) },
    { label: 'Time taken', cell: (a) => a.time_taken },
  ];
}

async function show() {
  say(status, 'Loading attempts…');
  try {
    const titles = await examTitles();
    const exams = document.getElementById('f-exams');
    for (const [id, title] of titles) exams.append(el('option', { value: id }, title));
    fillForm(form); // after the exams are options
    setUpOrdering();
    const data = await api('GET', apiPath('/api/v2.5/admin/attempts/'));
    document.getElementById('attempt-table').replaceChildren(data.results.length === 0
      ? el('p', {}, 'No attempt matches these filters.')
      : table('Attempts', row(titles), data.results));
    pager(document.getElementById('attempt-pager'), data);
    say(status, `${data.count} attempt${data.count === 1 ? '' : 's'} match.`);
  } catch (err) {
    say(status, problem(err), true);
  }
}

// exportList starts an export of the list as filtered here and opens the
// exports page, which shows its progress.
async function exportList(format) {
  say(status, `Starting the ${format.toUpperCase()} export…`);
  try {
    const job = await startExport(format, location.search.replace(/^\?/, ''));
    location.assign(`/admin/exports/?job=${job.id}`);
  } catch (err) {
    say(status, problem(err), true);
  }
}

form.addEventListener('submit', submit);
document.getElementById('export-csv').addEventListener('click', () => exportList('csv'));
document.getElementById('export-xlsx').addEventListener('click', () => exportList('xlsx'));
show();
