// exam.js — one exam (/exams/{slug}/): what it is, its sections, and the
// student's attempts, with start, retake or resume.
import { api, getAll, el, authored, param, when } from './api.js';
import { parseDuration, durationWords, showProblem, startButton, attemptsByExam, fact } from './examkit.js';

const root = document.getElementById('exam-detail');
const slug = param('slug');

async function main() {
  let exam, attempts;
  try {
    [exam, attempts] = await Promise.all([
      api('GET', `/api/v2.2/exams/${encodeURIComponent(slug)}/`),
      getAll('/api/v2.2/attempts/?page_size=250'),
    ]);
  } catch (err) {
    root.replaceChildren(el('h1', {}, 'Exam'));
    root.append(el('div'));
    showProblem(root.lastChild, err, 'This exam');
    root.removeAttribute('aria-busy');
    return;
  }
  document.title = exam.title + ' · ' + document.title;
  const mine = attemptsByExam(attempts).get(exam.slug) || [];
  const running = mine.find((a) => a.state === 'Running');
  const completed = mine.filter((a) => a.state !== 'Running');
  const now = Date.now();
  const notYet = exam.start_date && new Date(exam.start_date).getTime() > now;
  const closed = exam.end_date && new Date(exam.end_date).getTime() <= now;

  const card = el('section', { class: 'card', 'aria-labelledby': 'exam-heading' });
  card.append(el('h1', { id: 'exam-heading' }, exam.title));
  if (exam.description) card.append(el('div', { class: 'description' }, authored(exam.description)));
  card.append(el('dl', { class: 'facts' },
    fact('Questions', String(exam.number_of_questions)),
    fact('Time', durationWords(parseDuration(exam.duration))),
    fact('Marks per question', exam.mark_per_question),
    fact('Negative marks', exam.negative_marks),
    exam.start_date ? fact('Opens', when(exam.start_date)) : [],
    exam.end_date ? fact('Closes', when(exam.end_date)) : [],
    fact('Retakes', !exam.allow_retake ? 'Not allowed' : exam.max_retakes === null ? 'Allowed' : `Up to ${exam.max_retakes}`)));
  if (exam.sections.length > 1) {
    card.append(el('h2', {}, 'Sections'), el('ol', {}, exam.sections.map((s) =>
      el('li', {}, s.name, s.duration ? ` (${durationWords(parseDuration(s.duration))})` : ''))));
  }
  const actions = el('p', { class: 'actions' });
  if (running) actions.append(startButton(exam, running, completed.length, card));
  else if (notYet) actions.append(el('span', { class: 'muted' }, `This exam opens ${when(exam.start_date)}.`));
  else if (closed) actions.append(el('span', { class: 'muted' }, 'This exam has closed.'));
  else actions.append(startButton(exam, null, completed.length, card));
  card.append(actions);

  const past = el('section', { 'aria-labelledby': 'attempts-heading' }, el('h2', { id: 'attempts-heading' }, 'Your attempts'));
  past.append(completed.length === 0 ? el('p', { class: 'muted' }, 'None yet.') : el('ul', {}, completed.map((a) =>
    el('li', {}, el('a', { href: `/attempts/${a.id}/result/` }, `Attempt of ${when(a.date)}`),
      a.score === null ? '' : ` — score ${a.score} (${a.percentage}%)`))));
  root.replaceChildren(card, past);
  root.removeAttribute('aria-busy');
}

main();
