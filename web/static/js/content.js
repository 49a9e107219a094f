// content.js — one course content, opened: a video that reports how much
// was watched as it plays, notes and attachments to mark done, a live class
// to join (attendance recorded), a chapter test to start or resume in the
// exam room. Progress is written through the student API (SPEC §6):
// POST /api/v2.5/chapter-contents/<id>/attempts/ opens the content (only
// when the student acts, so that looking around records nothing), then
// PUT /api/v2.5/content-attempts/<id>/{video-progress,complete,join,leave}/.
import { api, getAll, el, authored, param, when } from './api.js';
import { loadProgress, isDone, typeName, statusOf, showError } from './coursekit.js';

const id = Number(param('id'));
const courseID = new URLSearchParams(location.search).get('course');
const crumbs = document.getElementById('crumbs');
const heading = document.getElementById('content-title');
const body = document.getElementById('content-body');
const error = document.getElementById('content-error');
const status = document.getElementById('content-status');

// REPORT_EVERY is how often, at most, a playing video reports its progress
// (pause, end and leaving the page report at once).
const REPORT_EVERY = 10000; // ms

let content = null;
let progress = null; // this content's progress (coursekit.loadProgress), or undefined
let opening = null; // the promise of the open content attempt

// openAttempt returns the student's open attempt at this content, opening
// one (POST) the first time it is needed.
function openAttempt() {
  if (!opening) {
    opening = progress?.open
      ? Promise.resolve(progress.open)
      : api('POST', `/api/v2.5/chapter-contents/${id}/attempts/`);
    opening.catch(() => { opening = null; }); // try again on the next action
  }
  return opening;
}

// step runs PUT …/<what>/ on the open attempt and returns the attempt.
async function step(what, body) {
  const ca = await openAttempt();
  return api('PUT', `/api/v2.5/content-attempts/${ca.id}/${what}/`, body);
}

function say(text) {
  status.textContent = text;
}

// findContent finds the content (with its course and chapter) in the course
// named by ?course=, else among the student's courses.
async function findContent() {
  const courses = courseID
    ? [await api('GET', `/api/v2.5/courses/${encodeURIComponent(courseID)}/contents/`)]
    : await getAll('/api/v2.5/courses/');
  for (const course of courses) {
    for (const chapter of course.chapters) {
      const found = chapter.contents.find((c) => c.id === id);
      if (found) return { course, chapter, content: found };
    }
  }
  return null;
}

async function load() {
  try {
    const [found, all] = await Promise.all([findContent(), loadProgress(`?chapter_content_ids=${id}`)]);
    if (!found) {
      heading.textContent = 'Not found';
      body.replaceChildren(el('p', {}, 'This content does not exist or is not open to you.'));
      return;
    }
    content = found.content;
    progress = all.get(id);
    heading.textContent = content.title;
    document.title = document.title.replace(/^Course content\b/, () => content.title); // "<content> · <institute>"
    crumbs.append(
      el('li', {}, el('a', { href: `/courses/${found.course.id}/` }, found.course.title)),
      el('li', {}, found.chapter.title));
    say(`${typeName(content.content_type)} · ${statusOf(content, progress).text}`);
    const view = (views[content.content_type] || unknown)(content);
    body.replaceChildren(content.description ? el('p', { class: 'description' }, content.description) : '', view);
  } catch (err) {
    showError(error, err);
    body.replaceChildren();
  } finally {
    body.removeAttribute('aria-busy');
  }
}

// fail shows err and says nothing changed.
function fail(err) {
  showError(error, err);
}

// markDone is the "Mark as done" button of notes and attachments.
function markDone(what) {
  if (progress?.done) return el('p', { class: 'done-note' }, `You have marked this ${what} as done.`);
  const button = el('button', { type: 'button', class: 'primary', id: 'mark-done' }, 'Mark as done');
  button.addEventListener('click', async () => {
    button.disabled = true;
    showError(error, null);
    try {
      const ca = await step('complete');
      if (isDone(ca.state)) {
        button.replaceWith(el('p', { class: 'done-note' }, `You have marked this ${what} as done.`));
        say(`${typeName(content.content_type)} · Done`);
        status.focus();
      }
    } catch (err) {
      fail(err);
      button.disabled = false;
    }
  });
  return el('p', { class: 'actions' }, button);
}

// video plays a Video content in an HTML5 <video> and reports the share of
// it actually played (video.played, so a seek to the end counts for
// nothing): while playing at most every REPORT_EVERY, and at once on pause,
// at the end and when the page is left. The server keeps the largest share.
function video(c) {
  const v = c.video;
  if (!v || !v.url) return el('p', {}, 'This video has no address yet.');
  const player = el('video', { controls: true, preload: 'metadata', playsinline: true, src: v.url, id: 'player',
    'aria-label': `Video: ${c.title}` });
  const shown = el('span', { id: 'watched' }, String(progress?.watched ?? 0));
  let watched = progress?.watched ?? 0; // the largest share reported, whole percent
  let lastSent = 0;
  let sending = false;
  let again = false;

  // share is the part of the video played in this page, 0–100, or null
  // while its length is unknown.
  const share = () => {
    const length = Number.isFinite(player.duration) && player.duration > 0 ? player.duration : v.duration;
    if (!length) return null;
    let played = 0;
    for (let i = 0; i < player.played.length; i++) played += player.played.end(i) - player.played.start(i);
    return Math.min(100, (played * 100) / length);
  };

  const report = async (now) => {
    const pct = share();
    if (pct === null || (!now && Date.now() - lastSent < REPORT_EVERY)) return;
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    lastSent = Date.now();
    try {
      const ca = await step('video-progress', { watched_percentage: Math.floor(pct * 100) / 100, position: Math.floor(player.currentTime) });
      showError(error, null);
      watched = Math.max(watched, Math.floor(pct));
      shown.textContent = String(watched);
      say(`Video · ${isDone(ca.state) ? 'Done' : 'Started'} · ${watched} % watched`);
    } catch (err) {
      fail(err);
    } finally {
      sending = false;
      if (again) {
        again = false;
        report(true);
      }
    }
  };

  player.addEventListener('play', () => { openAttempt().catch(fail); });
  player.addEventListener('timeupdate', () => { report(false); });
  player.addEventListener('pause', () => { report(true); });
  player.addEventListener('ended', () => { report(true); });
  // Leaving the page: a last report the browser sends even as the page goes.
  addEventListener('pagehide', () => {
    const pct = share();
    if (pct === null || !opening || sending) return;
    opening.then((ca) => fetch(`/api/v2.5/content-attempts/${ca.id}/video-progress/`, {
      method: 'PUT', keepalive: true, credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ watched_percentage: Math.floor(pct * 100) / 100, position: Math.floor(player.currentTime) }),
    })).catch(() => {});
  });
  return el('div', { class: 'video-wrap' },
    player,
    el('p', { class: 'muted' }, 'Watched: ', shown, ' %. A video counts as done at 90 %.'),
    el('p', {}, el('a', { href: v.url, target: '_blank', rel: 'noopener' }, 'Open the video in a new tab')));
}

function notes(c) {
  return el('div', {},
    el('article', { class: 'notes card', 'aria-label': c.title }, authored(c.notes?.html)),
    markDone('note'));
}

function attachment(c) {
  const a = c.attachment;
  return el('div', {},
    a?.url
      ? el('p', {}, el('a', { href: a.url, target: '_blank', rel: 'noopener', class: 'button' }, `Open “${a.title || c.title}” (new tab)`))
      : el('p', {}, 'This attachment has no file yet.'),
    markDone('attachment'));
}

// conference is a VideoConference: its details, Join (opens the join URL
// in a new tab, and records attendance) and Leave.
function conference(c) {
  const vc = c.video_conference || {};
  const facts = [['Provider', vc.provider], ['Starts', when(vc.start)], ['Length', vc.duration ? `${vc.duration} minutes` : ''],
    ['Meeting ID', vc.conference_id], ['Password', vc.password]].filter(([, v]) => v);
  const leave = el('button', { type: 'button', id: 'leave' }, 'Leave the class');
  const conf = progress?.conference;
  leave.hidden = !(conf?.join_time && !conf.leave_time);
  const join = vc.join_url
    ? el('a', { href: vc.join_url, target: '_blank', rel: 'noopener', class: 'button primary', id: 'join' }, 'Join the class (opens a new tab)')
    : el('button', { type: 'button', class: 'primary', id: 'join' }, 'Join the class');
  join.addEventListener('click', async () => {
    // A link opens the class by itself (the click is the user's, so no
    // pop-up blocker stops it); attendance is recorded alongside.
    showError(error, null);
    try {
      await step('join');
      leave.hidden = false;
      say(`Live class · You joined at ${new Date().toLocaleTimeString()}.${vc.join_url ? '' : ' The join link is not available yet.'}`);
    } catch (err) {
      fail(err);
    }
  });
  leave.addEventListener('click', async () => {
    showError(error, null);
    try {
      const ca = await step('leave');
      leave.hidden = true;
      say(`Live class · ${isDone(ca.state) ? 'Attended' : 'Started'} · You left at ${new Date().toLocaleTimeString()}.`);
      join.focus();
    } catch (err) {
      fail(err);
    }
  });
  return el('div', {},
    facts.length ? el('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])) : '',
    el('p', { class: 'actions' }, join, ' ', leave));
}

// stream is a LiveStream: joining it (which opens the stream) completes it.
function stream(c) {
  const ls = c.live_stream || {};
  if (!ls.stream_url) return el('p', {}, 'This live stream has no address yet.');
  const watch = el('a', { href: ls.stream_url, target: '_blank', rel: 'noopener', class: 'button primary', id: 'join' }, 'Watch the live stream (opens a new tab)');
  watch.addEventListener('click', async () => {
    try {
      const ca = await step('join');
      say(`Live stream · ${isDone(ca.state) ? 'Done' : 'Started'}`);
    } catch (err) {
      fail(err);
    }
  });
  return el('p', { class: 'actions' }, watch);
}

// test is an Exam or Quiz content: the exam attempt is started through the
// content (so that finishing it completes the content) and taken in the
// exam room, /attempts/<id>/, which shows the result once it is over.
function test(c) {
  const open = progress?.open?.assessment_id;
  const taken = progress?.attempts.filter((a) => isDone(a.state) && a.assessment_id).at(-1)?.assessment_id;
  const out = el('div', { class: 'actions' });
  if (open) {
    out.append(el('p', {}, el('a', { href: `/attempts/${open}/`, class: 'button primary', id: 'start-test' }, 'Resume the test')));
  } else {
    if (taken) out.append(el('p', {}, el('a', { href: `/attempts/${taken}/`, id: 'test-result' }, 'See your result')));
    const start = el('button', { type: 'button', class: taken ? '' : 'primary', id: 'start-test' }, taken ? 'Take the test again' : 'Start the test');
    start.addEventListener('click', async () => {
      start.disabled = true;
      showError(error, null);
      try {
        const ca = await openAttempt();
        location.assign(`/attempts/${ca.assessment.id}/`);
      } catch (err) {
        fail(err);
        start.disabled = false;
      }
    });
    out.append(el('p', {}, start));
  }
  return out;
}

function unknown() {
  return el('p', {}, 'This kind of content cannot be shown here yet.');
}

const views = { Video: video, Notes: notes, Attachment: attachment, VideoConference: conference, LiveStream: stream, Exam: test, Quiz: test };

load();
