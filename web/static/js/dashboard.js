// dashboard.js — the staff dashboard: the exams, each with its attempt
// counts (running, completed, pending evaluation). The page's query string
// is the exam list's (GET /api/v2.5/admin/exams/: status, ordering, page).
import { api, el, when } from './api.js';
import { apiPath, isAdmin, pager, problem, say, table } from './admin.js';
import { fillForm, submitAsQuery } from './filters.js';

const maxCounted = 100; // exams per exam-counts call (the API's bound)

async function counts(ids) {
  const out = new Map();
  for (let i = 0; i < ids.length; i += maxCounted) {
    const chunk = ids.slice(i, i + maxCounted);
    const data = await api('GET', '/api/v2.5/admin/exam-counts/?exams=' + chunk.join(','));
    for (const c of data.results) out.set(c.exam_id, c);
  }
  return out;
}

async function show() {
  const holder = document.getElementById('exam-table');
  const status = document.getElementById('exam-status');
  const admin = isAdmin(holder);
  say(status, 'Loading exams…');
  try {
    const data = await api('GET', apiPath('/api/v2.5/admin/exams/'));
    const byExam = await counts(data.results.map((e) => e.id));
    const count = (e, key, link) => {
      const c = byExam.get(e.id);
      if (!c) return '';
      return link && c[key] > 0 ? el('a', { href: link, 'aria-label': `${c[key]} ${key.replace('_', ' ')}: ${e.title}` }, String(c[key])) : String(c[key]);
    };
    holder.replaceChildren(data.results.length === 0 ? el('p', {}, 'No exams match.') : table('Exams with their attempt counts', [
      { label: 'Exam', rowHeader: true, cell: (e) => el('a', { href: `/admin/exams/${e.id}/` }, e.title) },
      { label: 'Starts', cell: (e) => when(e.start_date) },
      { label: 'Ends', cell: (e) => when(e.end_date) || '—' },
      { label: 'Running', numeric: true, cell: (e) => count(e, 'running', admin && `/admin/attempts/?exams=${e.id}&state=0`) },
      { label: 'Completed', numeric: true, cell: (e) => count(e, 'completed', admin && `/admin/attempts/?exams=${e.id}&state=1`) },
      { label: 'Pending evaluation', numeric: true, cell: (e) => count(e, 'pending_evaluation', `/admin/grading/?exams=${e.id}`) },
    ], data.results));
    pager(document.getElementById('exam-pager'), data);
    say(status, `${data.count} exam${data.count === 1 ? '' : 's'}.`);
  } catch (err) {
    say(status, problem(err), true);
  }
}

const form = document.getElementById('exam-filter');
fillForm(form);
submitAsQuery(form);
show();
