// attempt.js — one attempt for staff: the summary, sections, subjects and
// difficulty levels (SPEC §8.2) and each answer (SPEC §8.3), with the exam's
// section names and answer key beside them.
import { api, authored, el, param, when } from './api.js';
import { problem, say, table } from './admin.js';

const id = param('id');
const status = document.getElementById('attempt-status');

// answers reads every page of §8.3's list: the user answers and the exam
// questions they refer to.
async function answers() {
  const out = { user_answers: [], exam_questions: new Map() };
  let next = `/api/v3/admin/attempts/${id}/user_answers/`;
  while (next) {
    const page = await api('GET', next);
    out.user_answers.push(...page.results.user_answers);
    for (const q of page.results.exam_questions) out.exam_questions.set(q.id, q);
    next = page.next ? new URL(page.next, location.origin).pathname + new URL(page.next, location.origin).search : null;
  }
  return out;
}

function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v))));
}

const count = (key) => (r) => String(r[key]);

function summary(a, exam) {
  return el('section', { class: 'card', 'aria-labelledby': 'h-summary' },
    el('h2', { id: 'h-summary' }, 'Summary'),
    facts([
      ['Student', [a.name || a.username, a.name ? ` (${a.username})` : '']],
      ['Email', a.email],
      ['Phone', a.phone],
      ['Exam', el('a', { href: `/admin/exams/${a.exam_id}/` }, exam ? exam.title : `Exam ${a.exam_id}`)],
      ['Started', when(a.date)],
      ['State', a.state],
      ['Result', a.result],
      ['Score', a.score],
      ['Percentage', `${a.percentage}%`],
      ['Percentile', a.percentile === null ? null : String(a.percentile)],
      ['Correct', String(a.correct_answers_count)],
      ['Incorrect', String(a.incorrect_answers_count)],
      ['Unanswered', String(a.unanswered_count)],
      ['Time taken', a.time_taken],
      ['Time remaining', a.remaining_time],
      ['Last answer', when(a.last_answer_updated_time)],
      ['Speed', String(a.speed)],
      ['Institute attempt id', a.institute_attempt_id],
    ]));
}

function breakdown(a, sectionNames) {
  const levels = Object.entries(a.difficulty_level_stats || {}).map(([level, s]) => ({ level, ...s }));
  return el('section', { class: 'card', 'aria-labelledby': 'h-breakdown' },
    el('h2', { id: 'h-breakdown' }, 'Breakdown'),
    el('h3', { id: 'h-sections' }, 'Sections'),
    el('div', { class: 'table-wrap' }, table('Sections', [
      { label: 'Section', rowHeader: true, cell: (s) => sectionNames.get(s.section_id) || `Section ${s.order}` },
      { label: 'Time taken', cell: (s) => s.time_taken },
      { label: 'Correct', numeric: true, cell: count('correct_answers_count') },
      { label: 'Incorrect', numeric: true, cell: count('incorrect_answers_count') },
      { label: 'Unanswered', numeric: true, cell: count('unanswered_count') },
      { label: 'Score', numeric: true, cell: (s) => s.score },
    ], a.sections)),
    el('h3', { id: 'h-subjects' }, 'Subjects'),
    el('div', { class: 'table-wrap' }, table('Subjects', [
      { label: 'Subject', rowHeader: true, cell: (s) => s.subject_name },
      { label: 'Questions', numeric: true, cell: count('total_count') },
      { label: 'Correct', numeric: true, cell: count('correct_answers_count') },
      { label: 'Partly correct', numeric: true, cell: count('partial_correct_answers_count') },
      { label: 'Incorrect', numeric: true, cell: count('incorrect_answers_count') },
      { label: 'Unanswered', numeric: true, cell: count('unanswered_count') },
      { label: 'Score', numeric: true, cell: (s) => s.score },
    ], a.subject_stats)),
    el('h3', { id: 'h-difficulty' }, 'Difficulty'),
    el('div', { class: 'table-wrap' }, table('Difficulty levels', [
      { label: 'Level', rowHeader: true, cell: (s) => s.level },
      { label: 'Questions', numeric: true, cell: count('total_count') },
      { label: 'Correct', numeric: true, cell: count('correct_answers_count') },
      { label: 'Partly correct', numeric: true, cell: count('partial_correct_answers_count') },
      { label: 'Incorrect', numeric: true, cell: count('incorrect_answers_count') },
      { label: 'Unanswered', numeric: true, cell: count('unanswered_count') },
    ], levels)));
}

const resultClass = {
  Correct: 'ok', Incorrect: 'bad', 'Partially Correct': 'warn', Unanswered: 'muted', 'Pending Evaluation': 'warn',
};

// answer is one user answer with its question; key holds the exam's
// answer key (exam question id → the ids of its correct answers).
function answer(ua, q, n, sectionNames, key, examID) {
  const chosen = new Set(ua.selected_answers);
  const correct = key.get(ua.exam_question_id) || new Set();
  const choices = q.answers.length === 0 ? null : el('ul', { class: 'choices' }, q.answers.map((c) => {
    const marks = [chosen.has(c.id) ? 'chosen' : null, correct.has(c.id) ? 'correct answer' : null].filter(Boolean);
    return el('li', { class: [chosen.has(c.id) ? 'chosen' : '', correct.has(c.id) ? 'correct' : ''].join(' ').trim() || null },
      el('span', { class: 'choice-text' }, authored(c.text_html)),
      marks.length ? el('span', { class: 'choice-mark' }, ` (${marks.join(', ')})`) : null);
  }));
  return el('li', { class: 'answer card' },
    el('h3', {}, `Question ${n}`, el('span', { class: 'muted' }, ` · ${sectionNames.get(q.section_id) || ''} · ${q.type}`),
      ' ', el('span', { class: `badge ${resultClass[ua.result] || ''}` }, ua.result)),
    q.direction ? el('div', { class: 'direction' }, authored(q.direction)) : null,
    el('div', { class: 'question-html' }, authored(q.question_html)),
    choices,
    facts([
      ['Marks', `${q.marks}${Number(q.negative_marks) ? ` (−${q.negative_marks} if wrong)` : ''}${q.is_bonus ? ', bonus' : ''}`],
      ['Difficulty', q.difficulty_level],
      ['Time spent', `${ua.duration} s`],
      ['Marked for review', ua.review ? 'Yes' : null],
    ]),
    ua.result === 'Pending Evaluation' ? el('p', {}, el('a', { href: `/admin/grading/?exams=${examID}` }, 'Grade it in the grading queue')) : null);
}

async function show() {
  say(status, 'Loading the attempt…');
  try {
    const [a, list] = await Promise.all([api('GET', `/api/v2.5/admin/attempts/${id}/`), answers()]);
    const exam = await api('GET', `/api/v2.5/admin/exams/${a.exam_id}/`);
    const sectionNames = new Map(exam.sections.map((s) => [s.id, s.name]));
    const key = new Map();
    for (const s of exam.sections) {
      for (const q of s.questions) key.set(q.id, new Set(q.answers.filter((x) => x.is_correct).map((x) => x.id)));
    }
    const title = `Attempt #${a.id}: ${a.name || a.username}, ${exam.title}`;
    document.getElementById('attempt-heading').textContent = title;
    document.title = `${title} · ${document.title.split(' · ').slice(1).join(' · ')}`;
    const items = list.user_answers.map((ua, i) => answer(ua, list.exam_questions.get(ua.exam_question_id), i + 1, sectionNames, key, a.exam_id));
    document.getElementById('attempt').replaceChildren(
      summary(a, exam),
      breakdown(a, sectionNames),
      el('section', { 'aria-labelledby': 'h-answers' },
        el('h2', { id: 'h-answers' }, `Answers (${items.length})`),
        el('ol', { class: 'answers' }, items)));
    say(status, '');
  } catch (err) {
    say(status, problem(err), true);
  }
}

show();
