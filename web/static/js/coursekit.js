// coursekit.js — what the course pages share: the student's progress, read
// from GET /api/v2.5/content-attempts/ (their own rows of the §8.4 list),
// and the small pieces of DOM that show it.
import { api, el } from './api.js';

// A content counts as done once one of the student's attempts at it has left
// Started: a video watched to 90 %, notes or an attachment marked done, a
// class attended, a test submitted (graded or waiting for a grader).
const DONE = new Set(['Completed', 'Pending Evaluation', 'Evaluation Completed']);

// loadProgress reads every page of the student's content attempts that
// query (e.g. "?course_ids=3") selects, and returns a Map from chapter
// content id to {done, state, watched, open, attempts, conference}:
// watched is the video's watched percentage (or null), open the attempt
// still Started (or null), attempts all of them by id, conference the
// attendance record of a video conference (or null).
export async function loadProgress(query = '') {
  const rows = [];
  const videos = new Map();
  const conferences = new Map();
  let next = '/api/v2.5/content-attempts/' + query;
  while (next) {
    const page = await api('GET', next);
    rows.push(...page.results.content_attempts);
    for (const v of page.results.user_videos) videos.set(v.id, v);
    for (const c of page.results.user_video_conferences) conferences.set(c.id, c);
    next = page.next ? sameOrigin(page.next) : null;
  }
  const out = new Map();
  for (const row of rows) {
    let p = out.get(row.chapter_content_id);
    if (!p) {
      p = { done: false, state: null, watched: null, open: null, attempts: [], conference: null };
      out.set(row.chapter_content_id, p);
    }
    p.attempts.push(row);
    p.state = row.state; // rows run by id: the last is the latest
    if (DONE.has(row.state)) p.done = true;
    if (row.state === 'Started') p.open = row;
    const video = videos.get(row.user_video_id);
    if (video) p.watched = Math.max(p.watched ?? 0, video.watched_percentage);
    const conference = conferences.get(row.user_video_conference_id);
    if (conference) p.conference = conference;
  }
  return out;
}

// sameOrigin turns a next link into a path on this site.
function sameOrigin(link) {
  const u = new URL(link, location.origin);
  return u.pathname + u.search;
}

// isDone tells whether an attempt's state counts as done.
export function isDone(state) {
  return DONE.has(state);
}

// contentsOf returns every content of a course, in chapter order.
export function contentsOf(course) {
  return course.chapters.flatMap((ch) => ch.contents);
}

// tally counts the contents done among contents.
export function tally(contents, progress) {
  const done = contents.filter((c) => progress.get(c.id)?.done).length;
  return { done, total: contents.length };
}

// progressLine shows done of total as a progress bar with its words beside
// it; label names what it measures for screen readers.
export function progressLine({ done, total }, label) {
  const pct = total ? Math.round((done * 100) / total) : 0;
  const words = total ? `${done} of ${total} done (${pct} %)` : 'Nothing to do yet';
  return el('p', { class: 'progress-line' },
    el('progress', { max: total || 1, value: done, 'aria-label': `${label}: ${words}` }),
    el('span', { class: 'progress-words' }, words));
}

// typeNames are the words a student reads for each content type.
const typeNames = {
  Video: 'Video', Notes: 'Notes', Attachment: 'Attachment', Exam: 'Test', Quiz: 'Quiz',
  VideoConference: 'Live class', LiveStream: 'Live stream',
};

export function typeName(type) {
  return typeNames[type] || type;
}

// statusOf is a content's progress in words, and a short key for styling.
export function statusOf(content, p) {
  if (!p) return { key: 'new', text: 'Not started' };
  if (p.done) {
    if (p.state === 'Pending Evaluation') return { key: 'done', text: 'Submitted, being graded' };
    return { key: 'done', text: content.content_type === 'VideoConference' ? 'Attended' : 'Done' };
  }
  if (content.content_type === 'Video' && p.watched) return { key: 'started', text: `${p.watched} % watched` };
  return { key: 'started', text: 'Started' };
}

// showError puts what went wrong in box (a role=alert element), or hides
// it when err is null.
export function showError(box, err) {
  if (!err) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.textContent = err instanceof TypeError ? 'The server cannot be reached. Check the network and try again.' : err.message;
  box.hidden = false;
}
