// grading.js — the grading queue: essays awaiting evaluation, the oldest
// first, each with a form to give it marks
// (PUT /api/v3/admin/attempts/<id>/user_answers/<answer_id>/). The page's
// query string is the queue's (GET /api/v2.5/admin/grading-queue/: exams,
// page). A graded essay leaves the queue.
import { api, authored, el, param, when } from './api.js';
import { apiPath, pager, problem, say } from './admin.js';

const status = document.getElementById('grading-status');
const list = document.getElementById('grading-list');
let left = 0; // essays still in the queue

function item(p) {
  const input = el('input', { id: `marks-${p.user_answer_id}`, name: 'marks', type: 'number', min: '0', max: p.marks,
    step: '0.01', inputmode: 'decimal', required: true, 'aria-describedby': `marks-help-${p.user_answer_id}` });
  const err = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = el('form', { class: 'grade-form' },
    el('p', { class: 'field' },
      el('label', { for: input.id }, 'Marks'),
      input,
      el('span', { id: `marks-help-${p.user_answer_id}`, class: 'muted' }, `0 to ${p.marks}`)),
    el('p', { class: 'actions' }, el('button', { type: 'submit', class: 'primary' }, 'Save marks')),
    err);
  const who = p.name || `User ${p.user_id}`;
  const card = el('li', { class: 'card essay' },
    el('h2', { id: `essay-${p.user_answer_id}` }, `${who} · ${p.exam_title}`),
    el('p', { class: 'muted' }, `Submitted ${when(p.submitted)} · attempt `,
      param('role') === 'admin' ? el('a', { href: `/admin/attempts/${p.attempt_id}/` }, `#${p.attempt_id}`) : `#${p.attempt_id}`), // the attempt's page is the admin's (SPEC §3)
    el('div', { class: 'question-html' }, authored(p.question_html)),
    el('h3', {}, 'Answer'),
    // What the student typed: text, never HTML.
    el('div', { class: 'essay-text' }, p.essay_text || '(empty)'),
    form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const out = await api('PUT', `/api/v3/admin/attempts/${p.attempt_id}/user_answers/${p.user_answer_id}/`, { marks: input.value.trim() });
      left -= 1;
      card.replaceChildren(el('p', { class: 'ok' }, `Graded: ${who}, ${p.exam_title}: ${out.marks_awarded} of ${p.marks}.`));
      say(status, `Saved ${out.marks_awarded} marks for ${who}. ${left} essay${left === 1 ? '' : 's'} left on this page.`);
    } catch (e) {
      err.textContent = problem(e);
      err.hidden = false;
      button.disabled = false;
      input.focus();
    }
  });
  return card;
}

async function show() {
  say(status, 'Loading the queue…');
  try {
    const data = await api('GET', apiPath('/api/v2.5/admin/grading-queue/'));
    left = data.results.length;
    list.replaceChildren(data.results.length === 0
      ? el('p', {}, 'No essay is waiting to be graded.')
      : el('ol', { class: 'essays' }, data.results.map(item)));
    pager(document.getElementById('grading-pager'), data);
    say(status, `${data.count} essay${data.count === 1 ? '' : 's'} to grade.`);
  } catch (err) {
    say(status, problem(err), true);
  }
}

show();
