// review.js — the review of a completed attempt (/attempts/{id}/review/):
// each question with the student's answer and, as far as the exam's
// settings show them (SPEC §6), the correct answers, the result, the marks
// and the explanation. What the student typed is shown as text; what the
// author wrote as HTML.
import { api, getAll, ApiError, el, authored } from './api.js';
import { attemptId, slugOf, showProblem, typeNames, sectionNames } from './examkit.js';

const root = document.getElementById('review');
const id = attemptId() || '0';

async function main() {
  let attempt, items;
  try {
    attempt = await api('GET', `/api/v2.2/attempts/${id}/`);
    if (attempt.state === 'Running') {
      done([el('h1', {}, 'Review'), el('p', {}, 'The review opens once the attempt is submitted. ',
        el('a', { href: `/attempts/${id}/` }, 'Go back to the exam'))]);
      return;
    }
    items = await getAll(`/api/v2.2/attempts/${id}/review/?page_size=250`);
  } catch (err) {
    const box = el('div');
    showProblem(box, err instanceof ApiError && err.status === 400 ? new Error(err.message) : err, 'This attempt');
    done([el('h1', {}, 'Review'), box]);
    return;
  }
  const exam = await api('GET', `/api/v2.2/exams/${encodeURIComponent(slugOf(attempt.exam))}/`).catch(() => null);
  const sections = sectionNames(exam);
  const title = exam ? exam.title : 'Exam';
  document.title = `Review: ${title} · ${document.title}`;
  const out = [el('h1', {}, `Review: ${title}`),
    el('p', {}, el('a', { href: `/attempts/${id}/result/` }, 'Back to the result'))];
  if (items.some((item) => item.result === null)) {
    out.push(el('p', { class: 'notice' }, 'This exam does not show its answer key: you see your own answers only.'));
  }
  items.forEach((item, i) => out.push(question(item, i, items.length, sections)));
  done(out);
}

function question(item, index, total, sections) {
  const q = item.question;
  const headingId = `review-q-${item.id}`;
  const card = el('article', { class: 'card review-item', 'aria-labelledby': headingId },
    el('p', { class: 'q-meta' }, [sections.get(item.section_id), typeNames[q.type], q.subject].filter(Boolean).join(' · ')),
    el('h2', { id: headingId }, `Question ${index + 1} of ${total}`,
      item.result === null ? '' : el('span', { class: 'badge ' + badgeClass(item.result) }, item.result)));
  if (q.direction) card.append(el('div', { class: 'direction' }, authored(q.direction)));
  card.append(el('div', { class: 'question-text' }, authored(q.question_html)));
  if (q.answers.length) {
    const chosen = new Set(item.selected_answers || []);
    card.append(el('ul', { class: 'review-choices' }, q.answers.map((a) => {
      const notes = [];
      if (chosen.has(a.id)) notes.push('Your answer');
      if (a.is_correct) notes.push('Correct answer');
      const li = el('li', { class: [chosen.has(a.id) ? 'chosen' : '', a.is_correct ? 'correct' : ''].join(' ').trim() || null });
      li.append(el('div', { class: 'choice-text' }, authored(a.text_html)));
      if (notes.length) li.append(el('p', { class: 'choice-note' }, notes.join(' · ')));
      return li;
    })));
    if (chosen.size === 0) card.append(el('p', { class: 'muted' }, 'You did not answer this question.'));
  } else {
    const typed = item.numeric_value ?? item.short_text ?? item.essay_text ?? '';
    card.append(el('p', { class: 'your-answer' }, el('strong', {}, 'Your answer: '),
      typed.trim() === '' ? el('span', { class: 'muted' }, 'none') : el('span', { class: 'typed' }, typed)));
  }
  if (item.marks_awarded !== null && item.marks_awarded !== undefined) {
    card.append(el('p', {}, el('strong', {}, 'Marks: '), item.marks_awarded, item.is_bonus ? ' (bonus question)' : ''));
  }
  if (item.explanation_html) {
    card.append(el('div', { class: 'explanation' }, el('h3', {}, 'Explanation'), authored(item.explanation_html)));
  }
  return card;
}

function badgeClass(result) {
  return { Correct: 'ok', 'Partially Correct': 'warn', Incorrect: 'bad' }[result] || 'plain';
}

function done(nodes) {
  root.replaceChildren(...nodes.flat());
  root.removeAttribute('aria-busy');
}

main();
