// result.js — an attempt's result (/attempts/{id}/result/): what the
// student API shows of it (SPEC §6; the exam's settings hide the score,
// rank or percentile as they say), and, when the exam shows its answer key,
// the counts and marks by section and by subject, summed from the review.
import { api, getAll, el, when } from './api.js';
import { attemptId, slugOf, parseDuration, durationWords, showProblem, fact, sectionNames, hundredths, marksText } from './examkit.js';

const root = document.getElementById('result');
const id = attemptId() || '0';

async function main() {
  let attempt;
  try {
    attempt = await api('GET', `/api/v2.2/attempts/${id}/`);
  } catch (err) {
    fail(err);
    return;
  }
  const exam = await api('GET', `/api/v2.2/exams/${encodeURIComponent(slugOf(attempt.exam))}/`).catch(() => null);
  const title = exam ? exam.title : 'Exam';
  document.title = `Result: ${title} · ${document.title}`;
  const out = [el('h1', {}, `Result: ${title}`)];
  if (attempt.state === 'Running') {
    out.push(el('p', {}, 'This attempt is still running. ', el('a', { href: `/attempts/${id}/` }, 'Go back to the exam')));
    done(out);
    return;
  }
  const lostKey = `examhall:attempt:${id}:lost`;
  const lost = Number(sessionStorage.getItem(lostKey) || 0);
  if (lost) {
    out.push(el('p', { class: 'notice', role: 'alert' },
      `${lost} ${lost === 1 ? 'change' : 'changes'} made after the exam had ended could not be saved.`));
    sessionStorage.removeItem(lostKey);
  }
  const numeric = typeof attempt.rank === 'number';
  out.push(el('section', { class: 'card', 'aria-labelledby': 'summary-heading' },
    el('h2', { id: 'summary-heading' }, 'Summary'),
    el('p', { class: 'muted' }, `Submitted attempt of ${when(attempt.date)}`),
    attempt.score === null ? el('p', {}, 'The score of this exam is not shown.') : [],
    el('dl', { class: 'facts stats' },
      attempt.score === null ? [] : fact('Score', el('span', { id: 'result-score' }, attempt.score)),
      attempt.score === null ? [] : fact('Percentage', el('span', { id: 'result-percentage' }, `${attempt.percentage}%`)),
      numeric ? fact('Rank', el('span', { id: 'result-rank' }, `${attempt.rank} of ${attempt.max_rank}`)) : [],
      attempt.percentile === null ? [] : fact('Percentile', el('span', { id: 'result-percentile' }, String(attempt.percentile))),
      fact('Correct', String(attempt.correct_count)),
      fact('Incorrect', String(attempt.incorrect_count)),
      fact('Unanswered', String(attempt.unanswered_count)),
      fact('Questions', String(attempt.total_questions)),
      fact('Time taken', durationWords(parseDuration(attempt.time_taken))),
      fact('Accuracy', `${attempt.accuracy}%`),
      fact('Speed', `${attempt.speed} questions an hour`))));
  if (exam && exam.show_answers) {
    out.push(el('p', {}, el('a', { class: 'button', href: `/attempts/${id}/review/` }, 'Review your answers')));
    try {
      const items = await getAll(`/api/v2.2/attempts/${id}/review/?page_size=250`);
      out.push(...breakdowns(items, sectionNames(exam)));
    } catch {
      // The breakdown is extra: the summary stands without it.
    }
  }
  done(out);
}

// breakdowns are the counts (and marks, when shown) by section and by
// subject, summed from the review's items; nothing when the review hides
// each answer's result.
function breakdowns(items, sections) {
  if (items.length === 0 || items.some((item) => item.result === null)) return [];
  const withMarks = items.every((item) => item.marks_awarded !== null);
  const out = [];
  if (items.some((item) => item.result === 'Pending Evaluation')) {
    out.push(el('p', { class: 'notice' }, 'Some answers are waiting to be graded; the score may change.'));
  }
  out.push(table('By section', 'sections', items, (item) => sections.get(item.section_id) || 'Section', withMarks));
  out.push(table('By subject', 'subjects', items, (item) => item.question.subject || 'Uncategorized', withMarks));
  return out;
}

const columns = [['Correct', 'Correct'], ['Partially Correct', 'Partly correct'], ['Incorrect', 'Incorrect'],
  ['Unanswered', 'Unanswered'], ['Pending Evaluation', 'To be graded']];

function table(title, key, items, groupOf, withMarks) {
  const groups = new Map();
  for (const item of items) {
    const name = groupOf(item);
    if (!groups.has(name)) groups.set(name, { questions: 0, marks: 0, counts: {} });
    const g = groups.get(name);
    g.questions++;
    g.counts[item.result] = (g.counts[item.result] || 0) + 1;
    if (withMarks) g.marks += hundredths(item.marks_awarded);
  }
  const used = columns.filter(([result]) => items.some((item) => item.result === result));
  return el('section', { class: 'card', 'aria-labelledby': `${key}-heading` },
    el('h2', { id: `${key}-heading` }, title),
    el('div', { class: 'table-wrap' }, el('table', { id: `by-${key}` },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, title.replace('By ', '').replace(/^./, (c) => c.toUpperCase())),
        el('th', { scope: 'col' }, 'Questions'), used.map(([, label]) => el('th', { scope: 'col' }, label)),
        withMarks ? el('th', { scope: 'col' }, 'Marks') : [])),
      el('tbody', {}, [...groups].map(([name, g]) => el('tr', {},
        el('th', { scope: 'row' }, name), el('td', {}, String(g.questions)),
        used.map(([result]) => el('td', {}, String(g.counts[result] || 0))),
        withMarks ? el('td', {}, marksText(g.marks)) : []))))));
}

function fail(err) {
  const box = el('div');
  showProblem(box, err, 'This attempt');
  done([el('h1', {}, 'Result'), box]);
}

function done(nodes) {
  root.replaceChildren(...nodes.flat());
  root.removeAttribute('aria-busy');
}

main();
