// examkit.js — small helpers shared by the student's exam pages.
import { api, ApiError, el, param } from './api.js';

// parseDuration reads a duration as the API writes it (Python's
// str(timedelta): "0:59:30", "2:47:53.076906", "1 day, 2:03:04") and returns
// milliseconds, or null for null or anything else.
export function parseDuration(text) {
  if (typeof text !== 'string') return null;
  const m = /^(?:(-?\d+) days?, )?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return null;
  const seconds = ((Number(m[1] || 0) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4]);
  return Math.round((seconds + (m[5] ? Number('0.' + m[5]) : 0)) * 1000);
}

// clockText shows milliseconds as H:MM:SS (M:SS under an hour), rounded up
// to the second, so that 0:00 shows only when no time is left.
export function clockText(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return (h ? h + ':' : '') + mm + ':' + String(s).padStart(2, '0');
}

// durationWords says a duration in words ("1 h 30 min", "45 min", "20 s").
export function durationWords(ms) {
  if (ms === null || ms === undefined) return 'No time limit';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const parts = [];
  if (h) parts.push(h + ' h');
  if (m) parts.push(m + ' min');
  if (s && !h) parts.push(s + ' s');
  return parts.join(' ') || '0 s';
}

// slugOf is the exam slug in an exam's API URL (an attempt's "exam").
export function slugOf(examURL) {
  return new URL(examURL, location.origin).pathname.split('/').filter(Boolean).pop();
}

// answered tells whether an attempt item holds an answer.
export function answered(item) {
  return (item.selected_answers && item.selected_answers.length > 0) ||
    [item.short_text, item.numeric_value, item.essay_text].some((v) => typeof v === 'string' && v.trim() !== '');
}

// typeNames are the question type codes of the student API (SPEC §6).
export const typeNames = {
  R: 'Single correct', C: 'Multiple correct', T: 'True or false', N: 'Numerical', S: 'Short answer', E: 'Essay',
};

// isNotFound tells whether err is the API's 404 (an unknown id, or another
// student's attempt: SPEC §6 answers both alike).
export function isNotFound(err) {
  return err instanceof ApiError && err.status === 404;
}

// showProblem replaces the contents of node with a message for err.
export function showProblem(node, err, what) {
  let text;
  if (isNotFound(err)) text = `${what} was not found. It may not exist, or it is not yours.`;
  else if (err instanceof TypeError) text = 'The server cannot be reached. Check the network and reload the page.';
  else text = err.message || String(err);
  node.replaceChildren(el('p', { class: 'error', role: 'alert' }, text));
}

// fact is one term and value of a <dl>.
export function fact(term, value) {
  return [el('dt', {}, term), el('dd', {}, value)];
}

// attemptId is the attempt id of the page's path, or null when it is not
// a number (the id goes into API paths: "../" must not reach another one).
export function attemptId() {
  const id = param('id');
  return /^[1-9][0-9]{0,17}$/.test(id || '') ? id : null;
}

// attemptsByExam groups the student's attempts by exam slug.
export function attemptsByExam(attempts) {
  const out = new Map();
  for (const a of attempts) {
    const slug = slugOf(a.exam);
    if (!out.has(slug)) out.set(slug, []);
    out.get(slug).push(a);
  }
  return out;
}

// startButton opens the exam room: a link that resumes the running attempt,
// or a button that starts a new one (POST …/attempts/, SPEC §6) and shows
// the server's refusal (no retakes left, not open yet, …) in card.
export function startButton(exam, running, completed, card) {
  if (running) {
    return el('a', { class: 'button primary', href: `/attempts/${running.id}/` }, 'Resume',
      el('span', { class: 'visually-hidden' }, ' ' + exam.title));
  }
  const button = el('button', { type: 'button', class: 'primary' }, completed ? 'Retake' : 'Start',
    el('span', { class: 'visually-hidden' }, ' ' + exam.title));
  const problem = el('p', { class: 'error', role: 'alert' });
  button.addEventListener('click', async () => {
    if (!problem.isConnected) card.append(problem);
    button.disabled = true;
    problem.textContent = '';
    try {
      const attempt = await api('POST', `/api/v2.2/exams/${encodeURIComponent(exam.slug)}/attempts/`);
      location.assign(`/attempts/${attempt.id}/`);
    } catch (err) {
      problem.textContent = err instanceof TypeError ? 'The server cannot be reached. Try again.' : err.message;
      button.disabled = false;
    }
  });
  return button;
}

// sectionNames maps an exam's section ids to their names.
export function sectionNames(exam) {
  return new Map((exam ? exam.sections : []).map((s) => [s.id, s.name]));
}

// hundredths reads a decimal string of the API ("4.00", "-1.25") as an
// integer number of hundredths, so that sums are exact (SPEC §2).
export function hundredths(text) {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(text));
  if (!m) return 0;
  const v = Number(m[2]) * 100 + Number((m[3] || '0').padEnd(2, '0'));
  return m[1] ? -v : v;
}

// marksText writes hundredths as the API writes decimals ("7.50").
export function marksText(h) {
  const a = Math.abs(h);
  return `${h < 0 ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}
