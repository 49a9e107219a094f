// room.js — the exam room (/attempts/{id}/): one question at a time, a
// palette, the countdown, answers saved at once through SaveQueue (kept on
// the device while offline), submit with a confirmation, and auto-submit
// when the time runs out or the server says the attempt is over. Focus,
// full-screen, copy and paste signals go to the attempt's timeline
// (signals.js).
import { api, getAll, ApiError, el, authored } from './api.js';
import { SaveQueue } from './savequeue.js';
import { reportSignals } from './signals.js';
import { parseDuration, clockText, slugOf, answered, typeNames, showProblem, attemptId } from './examkit.js';

const id = attemptId() || '0';
const base = `/api/v2.2/attempts/${id}/`;
const resultPath = `/attempts/${id}/result/`;
const positionKey = `examhall:attempt:${id}:at`;
const lostKey = `examhall:attempt:${id}:lost`;
const $ = (name) => document.getElementById(name);

// Delays, in milliseconds.
const typingDelay = 700; // a text answer is sent once typing pauses this long
const heartbeatEvery = 30000; // well inside the server's 2-minute idle pause (SPEC §5)

// The decimal numbers the server takes (examhall.ExactNumber).
const decimalPattern = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)$/;

const state = {
  items: [], // attempt items (SPEC §6) with the student's latest answers
  sections: new Map(), // section id → name
  index: 0,
  deadline: null, // performance.now() at which the time runs out; null: untimed
  shownAt: 0, // performance.now() when the current question was shown
  finishing: false,
  errors: new Map(), // item id → the server's refusal of its last save
  saveTimes: [], // round trips of the saves, ms (read by the tests)
  alerted: new Set(),
};
window.examRoom = state; // for the browser tests' measurements

const queue = new SaveQueue(Number(id), {
  onState: showSaveState,
  onSaved(item, body, answer, ms) {
    state.saveTimes.push(ms);
    if (state.errors.delete(item)) renderError();
  },
  onDrained: resync,
  onRejected,
});

// main loads the attempt, resumes it, and shows the question the student
// was at (with what still waits on this device over the server's copy).
async function main() {
  let attempt;
  try {
    attempt = await api('GET', base);
    if (attempt.state !== 'Running') {
      location.replace(resultPath);
      return;
    }
    attempt = await api('PUT', base + 'start/');
  } catch (err) {
    if (await over(err)) return;
    $('room-loading').hidden = true;
    showProblem($('room-message'), err, 'This attempt');
    return;
  }
  syncClock(attempt);
  let items, exam;
  try {
    [items, exam] = await Promise.all([
      getAll(base + 'questions/?page_size=250'),
      api('GET', `/api/v2.2/exams/${slugOf(attempt.exam)}/`).catch(() => null),
    ]);
  } catch (err) {
    $('room-loading').hidden = true;
    showProblem($('room-message'), err, 'This attempt');
    return;
  }
  state.items = items;
  for (const item of items) Object.assign(item, queue.pending(item.id));
  if (exam) {
    $('exam-title').textContent = exam.title;
    document.title = exam.title + ' · ' + document.title;
    for (const s of exam.sections) state.sections.set(s.id, s.name);
  }
  const at = items.findIndex((item) => String(item.id) === localStorage.getItem(positionKey));
  $('room-loading').hidden = true;
  $('room').hidden = false;
  if (items.length === 0) {
    $('q-heading').textContent = 'This exam has no questions';
  }
  renderPalette();
  show(Math.max(0, at), false);
  queue.start();
  state.signals = reportSignals(base, () => !state.finishing);
  setInterval(tick, 250);
  setInterval(heartbeat, heartbeatEvery);
  window.addEventListener('offline', () => showSaveState('offline', { waiting: queue.size }));
  window.addEventListener('online', () => { showSaveState(queue.size ? 'waiting' : 'saved', { waiting: queue.size }); heartbeat(); });
}

// --- The clock -----------------------------------------------------------

// syncClock sets the deadline from the server's remaining_time, against the
// browser's monotonic clock: the countdown does not drift with the wall
// clock, and each answer from the server corrects it.
function syncClock(attempt) {
  const ms = parseDuration(attempt.remaining_time);
  state.deadline = ms === null ? null : performance.now() + ms;
  if (waitingNotice && (ms === null || ms > 0)) { // the server gave time back
    waitingNotice.remove();
    waitingNotice = null;
  }
  tick();
}

function tick() {
  const timer = $('timer');
  if (state.deadline === null) {
    timer.textContent = 'No limit';
    return;
  }
  const left = state.deadline - performance.now();
  timer.textContent = clockText(left);
  $('timer-box').classList.toggle('low', left < 5 * 60000);
  for (const minutes of [10, 5, 1]) {
    if (left <= minutes * 60000 && left > (minutes - 0.5) * 60000 && !state.alerted.has(minutes)) {
      state.alerted.add(minutes);
      $('time-alert').textContent = `${minutes} minute${minutes > 1 ? 's' : ''} left.`;
    }
  }
  if (left <= 0) timeUp();
}

let askingTime = false;
let waitingNotice = null; // "waiting for the server" while it is shown


// timeUp: the countdown reached zero on this device. The server's clock
// decides (it stops while the student is away, SPEC §5, which this page
// cannot see while offline): ask it, and submit only when it agrees;
// offline, wait and ask again, so that no time is lost.
async function timeUp() {
  if (askingTime || state.finishing) return;
  askingTime = true;
  try {
    const attempt = await api('GET', base); // a read completes an attempt whose time is up (SPEC §5)
    const ms = parseDuration(attempt.remaining_time);
    if (attempt.state !== 'Running' || (ms !== null && ms <= 0)) {
      finish('time');
    } else {
      syncClock(attempt);
    }
  } catch (err) {
    if (!waitingNotice) {
      waitingNotice = el('p', { class: 'notice', role: 'status' },
        'Time is up on this device; waiting for the server to confirm. Your answers are kept here.');
      $('room-message').replaceChildren(waitingNotice);
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  } finally {
    askingTime = false;
  }
}

let resyncing = null;
let resyncAgain = false;

// resync reads the attempt after saves (a save answers with the item, not
// the clock): the countdown follows the server, and an attempt the server
// has completed (time out, exam closed) ends here too.
async function resync() {
  if (resyncing) { resyncAgain = true; return; }
  resyncing = (async () => {
    try {
      const attempt = await api('GET', base);
      if (attempt.state !== 'Running') finish('over');
      else syncClock(attempt);
    } catch {
      // offline: the heartbeat and the queue report it
    }
  })();
  await resyncing;
  resyncing = null;
  if (resyncAgain) { resyncAgain = false; resync(); }
}

async function heartbeat() {
  if (state.finishing) return;
  try {
    syncClock(await api('PUT', base + 'heartbeat/'));
    if (queue.size) queue.kick(); // the connection is back: send what waits now
    else showSaveState('saved', { waiting: 0 });
  } catch (err) {
    if (err instanceof TypeError) showSaveState('offline', { waiting: queue.size });
    else await over(err);
  }
}

// over tells whether err means the attempt is no longer running, and then
// ends the room. The server answers 400 to a step or a save of a completed
// attempt; the attempt itself says why.
async function over(err) {
  if (!(err instanceof ApiError) || err.status !== 400) return false;
  try {
    const attempt = await api('GET', base);
    if (attempt.state === 'Running') return false;
  } catch {
    return false;
  }
  finish('over');
  return true;
}

async function onRejected(save, err) {
  if (await over(err)) return 'stop';
  state.errors.set(save.item, err.message);
  renderError();
  markPalette(state.items.findIndex((item) => item.id === save.item));
  return 'drop';
}

// --- Saving --------------------------------------------------------------

const stateText = {
  saved: () => 'All answers saved',
  waiting: () => 'Saving…',
  saving: () => 'Saving…',
  offline: ({ waiting }) => waiting
    ? `Offline — ${waiting} ${waiting === 1 ? 'change' : 'changes'} kept on this device, to be sent when the connection returns`
    : 'Offline — your answers are kept on this device until the connection returns',
  retrying: ({ retryIn }) => `The server is busy — trying again in ${Math.ceil((retryIn || 1000) / 1000)} s`,
};

function showSaveState(name, info) {
  const node = $('save-state');
  const text = stateText[name](info || {});
  node.dataset.state = name;
  if (node.textContent !== text) node.textContent = text;
}

// spent is the time on the current question since it was shown or last
// counted, in seconds (the save's "duration", which the server adds up).
function spent() {
  const now = performance.now();
  const seconds = Math.round(now - state.shownAt) / 1000;
  state.shownAt = now;
  return seconds;
}

// save records a change of the current question.
function save(body, delayMs = 0) {
  const item = state.items[state.index];
  Object.assign(item, body);
  markPalette(state.index);
  queue.add(item.id, { ...body, duration: spent() }, delayMs);
}

// --- Showing a question --------------------------------------------------

function show(index, focus = true) {
  const leaving = state.items[state.index];
  if (leaving && index !== state.index && state.shownAt) {
    const seconds = spent();
    if (seconds >= 1) queue.add(leaving.id, { duration: seconds });
    queue.now(leaving.id);
  }
  state.index = index;
  state.shownAt = performance.now();
  const item = state.items[index];
  if (!item) return;
  localStorage.setItem(positionKey, String(item.id));
  const q = item.question;
  const sectionName = state.sections.get(item.section_id);
  $('q-heading').textContent = `Question ${index + 1} of ${state.items.length}`;
  $('q-section').textContent = [sectionName, typeNames[q.type], q.subject].filter(Boolean).join(' · ');
  $('q-direction').replaceChildren(authored(q.direction || ''));
  $('q-direction').hidden = !q.direction;
  $('q-text').replaceChildren(authored(q.question_html));
  $('q-answer').replaceChildren(answerInput(item));
  $('review-toggle').checked = item.review;
  $('prev').disabled = index === 0;
  $('next').disabled = index === state.items.length - 1;
  renderError();
  for (const button of document.querySelectorAll('.pal')) {
    if (Number(button.dataset.index) === index) button.setAttribute('aria-current', 'step');
    else button.removeAttribute('aria-current');
  }
  if (focus) $('q-heading').focus();
}

// answerInput is the input the question's type needs (SPEC §6 type codes).
function answerInput(item) {
  const q = item.question;
  switch (q.type) {
    case 'R': case 'T': case 'C': {
      const multiple = q.type === 'C';
      const chosen = new Set(item.selected_answers || []);
      const fieldset = el('fieldset', { class: 'choices' },
        el('legend', {}, multiple ? 'Choose every correct answer' : 'Choose one answer'));
      for (const a of q.answers) {
        const input = el('input', { type: multiple ? 'checkbox' : 'radio', name: `answer-${item.id}`, id: `answer-${a.id}`,
          value: a.id, checked: chosen.has(a.id) });
        const label = el('label', { for: `answer-${a.id}` });
        label.append(authored(a.text_html));
        fieldset.append(el('div', { class: 'choice' }, input, label));
      }
      fieldset.addEventListener('change', () => {
        const ids = [...fieldset.querySelectorAll('input:checked')].map((i) => Number(i.value));
        save({ selected_answers: ids });
      });
      if (!multiple) {
        const clear = el('button', { type: 'button', class: 'link-button clear-answer' }, 'Clear answer');
        clear.addEventListener('click', () => {
          fieldset.querySelectorAll('input').forEach((i) => { i.checked = false; });
          save({ selected_answers: [] });
        });
        fieldset.append(clear);
      }
      return fieldset;
    }
    case 'N':
      return textInput(item, 'numeric_value', 'Your answer (a number)', el('input', { type: 'text', inputmode: 'decimal',
        autocomplete: 'off', maxlength: 50 }), (v) => v.trim() === '' || decimalPattern.test(v.trim()) ? '' : 'Enter a number, such as 9.8 or -2.');
    case 'S':
      return textInput(item, 'short_text', 'Your answer', el('input', { type: 'text', autocomplete: 'off', maxlength: 1000 }));
    case 'E':
      return textInput(item, 'essay_text', 'Your answer', el('textarea', { rows: 10, maxlength: 100000, spellcheck: 'true' }));
    default:
      return el('p', { class: 'error' }, 'This question cannot be answered here.');
  }
}

// textInput is a labelled text box whose value is saved once typing pauses
// (and at once when the student leaves it).
function textInput(item, field, labelText, input, check = () => '') {
  const inputId = `answer-${item.id}`;
  input.id = inputId;
  input.value = item[field] || '';
  const hint = el('p', { class: 'error', id: inputId + '-hint' });
  input.setAttribute('aria-describedby', hint.id);
  const send = (delayMs) => {
    const problem = check(input.value);
    hint.textContent = problem;
    input.setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem || input.value === (item[field] || '')) return;
    save({ [field]: input.value }, delayMs);
  };
  input.addEventListener('input', () => send(typingDelay));
  input.addEventListener('change', () => { send(0); queue.now(item.id); });
  return el('div', { class: 'field' }, el('label', { for: inputId }, labelText), input, hint);
}

function renderError() {
  const item = state.items[state.index];
  $('q-error').textContent = item && state.errors.has(item.id)
    ? `This answer was not saved: ${state.errors.get(item.id)}` : '';
}

// --- The palette ---------------------------------------------------------

function renderPalette() {
  const groups = [];
  state.items.forEach((item, index) => {
    const last = groups[groups.length - 1];
    if (last && last.section === item.section_id) last.indexes.push(index);
    else groups.push({ section: item.section_id, indexes: [index] });
  });
  const palette = $('palette');
  palette.replaceChildren();
  groups.forEach((group, n) => {
    const name = state.sections.get(group.section) || `Section ${n + 1}`;
    const headingId = `palette-section-${n}`;
    palette.append(el('h3', { id: headingId }, name));
    const list = el('ul', { class: 'palette-list', 'aria-labelledby': headingId });
    for (const index of group.indexes) {
      const button = el('button', { type: 'button', class: 'pal', 'data-index': index }, String(index + 1));
      button.addEventListener('click', () => show(index));
      list.append(el('li', {}, button));
    }
    palette.append(list);
  });
  state.items.forEach((_, index) => markPalette(index));
}

function markPalette(index) {
  const item = state.items[index];
  const button = document.querySelector(`.pal[data-index="${index}"]`);
  if (!item || !button) return;
  const isAnswered = answered(item);
  button.classList.toggle('is-answered', isAnswered);
  button.classList.toggle('is-review', item.review);
  button.classList.toggle('is-error', state.errors.has(item.id));
  const words = [isAnswered ? 'answered' : 'not answered'];
  if (item.review) words.push('marked for review');
  if (state.errors.has(item.id)) words.push('not saved');
  button.setAttribute('aria-label', `Question ${index + 1}, ${words.join(', ')}`);
  const total = state.items.length;
  const done = state.items.filter(answered).length;
  $('palette-summary').textContent = `${done} of ${total} answered`;
}

// --- Submitting ----------------------------------------------------------

function confirmSubmit() {
  const total = state.items.length;
  const done = state.items.filter(answered).length;
  const review = state.items.filter((item) => item.review).length;
  const unanswered = total - done;
  const parts = [`You have answered ${done} of ${total} questions; ${unanswered} ${unanswered === 1 ? 'is' : 'are'} unanswered.`];
  if (review) parts.push(`${review} ${review === 1 ? 'is' : 'are'} marked for review.`);
  if (queue.size) parts.push(`${queue.size} ${queue.size === 1 ? 'change is' : 'changes are'} still being saved and will be sent first.`);
  parts.push('You cannot change your answers after submitting.');
  $('submit-text').textContent = parts.join(' ');
  $('submit-dialog').returnValue = '';
  $('submit-dialog').showModal();
}

// finish ends the room: it sends what waits, ends the attempt (a repeated
// end is harmless: the server answers with the completed attempt) and goes
// to the result. why is 'submit', 'time' (the countdown reached zero) or
// 'over' (the server completed the attempt).
async function finish(why) {
  if (state.finishing) return;
  state.finishing = true;
  document.querySelectorAll('#room input, #room textarea, #room button').forEach((n) => { n.disabled = true; });
  const notice = el('p', { class: 'notice', role: 'alert' }, {
    submit: 'Submitting your answers…',
    time: 'Time is up. Submitting your answers…',
    over: 'This exam has ended. Opening your result…',
  }[why]);
  $('room-message').replaceChildren(notice);
  const item = state.items[state.index];
  if (item && why === 'submit') { // at 'time' and 'over' the server has ended the attempt: it would refuse it
    const seconds = spent();
    if (seconds >= 1) queue.add(item.id, { duration: seconds });
  }
  if (why === 'over') queue.stop();
  await queue.drain();
  if (queue.size) {
    // Refused because the attempt had ended: what was not sent is lost,
    // and the result page says so.
    sessionStorage.setItem(lostKey, String(queue.size));
    queue.clear();
  }
  for (let retry = 1000; ; retry = Math.min(retry * 2, 10000)) {
    try {
      await api('PUT', base + 'end/');
      break;
    } catch (err) {
      if (err instanceof TypeError || (err instanceof ApiError && err.status >= 500)) {
        notice.textContent = 'The server cannot be reached. Your answers are kept on this device; the exam will be submitted when the connection returns.';
        await new Promise((resolve) => setTimeout(resolve, err.retryAfter ? err.retryAfter * 1000 : retry));
        continue;
      }
      break; // 400/404: nothing more to end here; the result page tells the rest
    }
  }
  localStorage.removeItem(positionKey);
  location.replace(resultPath);
}

// --- Wiring --------------------------------------------------------------

$('prev').addEventListener('click', () => show(state.index - 1));
$('next').addEventListener('click', () => show(state.index + 1));
$('review-toggle').addEventListener('change', (e) => save({ review: e.target.checked }));
$('submit-button').addEventListener('click', confirmSubmit);
$('submit-dialog').addEventListener('close', () => {
  if ($('submit-dialog').returnValue === 'submit') finish('submit');
  else $('submit-button').focus();
});
window.addEventListener('pagehide', () => {
  const item = state.items[state.index];
  if (item && !state.finishing) queue.add(item.id, { duration: spent() }); // on the device first: the next page sends it if this one cannot
});

main();
