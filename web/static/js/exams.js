// exams.js — the student's exams (/exams/): available now (start, retake or
// resume), upcoming, and taken (each completed attempt, with its result).
import { getAll, el, when } from './api.js';
import { slugOf, parseDuration, durationWords, showProblem, startButton, attemptsByExam } from './examkit.js';

const root = document.getElementById('exam-lists');

async function main() {
  let available, upcoming, history, attempts;
  try {
    [available, upcoming, history, attempts] = await Promise.all([
      getAll('/api/v2.2/exams/available/?page_size=100'),
      getAll('/api/v2.2/exams/upcoming/?page_size=100'),
      getAll('/api/v2.2/exams/history/?page_size=100'),
      getAll('/api/v2.2/attempts/?page_size=250'),
    ]);
  } catch (err) {
    showProblem(root, err, 'The exam list');
    root.removeAttribute('aria-busy');
    return;
  }
  const mine = attemptsByExam(attempts);
  const titles = new Map([...available, ...upcoming, ...history].map((e) => [e.slug, e.title]));
  root.replaceChildren(
    section('available', 'Available now', available.map((exam) => examCard(exam, mine.get(exam.slug) || [], true)),
      'No exam is open for you right now.'),
    section('upcoming', 'Upcoming', upcoming.map((exam) => examCard(exam, mine.get(exam.slug) || [], false)),
      'No upcoming exams.'),
    taken(attempts.filter((a) => a.state !== 'Running'), titles),
  );
  root.removeAttribute('aria-busy');
}

function section(key, title, cards, empty) {
  return el('section', { 'aria-labelledby': `${key}-heading`, id: key },
    el('h2', { id: `${key}-heading` }, title),
    cards.length ? el('ul', { class: 'exam-cards' }, cards.map((card) => el('li', {}, card))) : el('p', { class: 'muted' }, empty));
}

// examCard is one exam: its facts and, when it is open, what the student
// may do (resume a running attempt, or start or retake it).
function examCard(exam, attempts, open) {
  const running = attempts.find((a) => a.state === 'Running');
  const completed = attempts.filter((a) => a.state !== 'Running').length;
  const facts = [`${exam.number_of_questions} question${exam.number_of_questions === 1 ? '' : 's'}`,
    durationWords(parseDuration(exam.duration))];
  if (!open && exam.start_date) facts.push('opens ' + when(exam.start_date));
  if (open && exam.end_date) facts.push('closes ' + when(exam.end_date));
  if (completed) facts.push(`taken ${completed} time${completed === 1 ? '' : 's'}`);
  const card = el('article', { class: 'card exam-card' },
    el('h3', {}, el('a', { href: `/exams/${encodeURIComponent(exam.slug)}/` }, exam.title)),
    el('p', { class: 'muted' }, facts.join(' · ')));
  if (open) card.append(el('p', { class: 'actions' }, startButton(exam, running, completed, card)));
  return card;
}

// taken lists the completed attempts, newest first (as the API gives them).
function taken(attempts, titles) {
  const body = attempts.length === 0 ? el('p', { class: 'muted' }, 'You have not taken an exam yet.') : el('div', { class: 'table-wrap' },
    el('table', {},
      el('caption', { class: 'visually-hidden' }, 'Your completed attempts'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Exam'), el('th', { scope: 'col' }, 'Taken on'),
        el('th', { scope: 'col' }, 'Score'), el('th', { scope: 'col' }, 'Result'))),
      el('tbody', {}, attempts.map((a) => el('tr', {},
        el('td', {}, titles.get(slugOf(a.exam)) || slugOf(a.exam)),
        el('td', {}, when(a.date)),
        el('td', {}, a.score === null ? '—' : `${a.score} (${a.percentage}%)`),
        el('td', {}, el('a', { href: `/attempts/${a.id}/result/` }, 'View result',
          el('span', { class: 'visually-hidden' }, ` of ${titles.get(slugOf(a.exam)) || 'the exam'}, ${when(a.date)}`))))))));
  return el('section', { 'aria-labelledby': 'taken-heading', id: 'taken' }, el('h2', { id: 'taken-heading' }, 'Taken'), body);
}

main();
