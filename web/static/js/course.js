// course.js — one course: its chapters, each with its contents and how much
// of the chapter is done.
import { api, el, param } from './api.js';
import { loadProgress, contentsOf, tally, progressLine, typeName, statusOf, showError } from './coursekit.js';

const id = param('id');
const title = document.getElementById('course-title');
const body = document.getElementById('course-body');
const error = document.getElementById('course-error');

async function load() {
  try {
    const [course, progress] = await Promise.all([
      api('GET', `/api/v2.5/courses/${encodeURIComponent(id)}/contents/`),
      loadProgress(`?course_ids=${encodeURIComponent(id)}`),
    ]);
    showError(error, null);
    title.textContent = course.title;
    document.title = document.title.replace(/^Course\b/, () => course.title); // "<course> · <institute>"
    body.replaceChildren(
      course.description ? el('p', { class: 'description' }, course.description) : '',
      progressLine(tally(contentsOf(course), progress), 'Course progress'),
      ...course.chapters.map((ch) => chapter(course, ch, progress)));
  } catch (err) {
    showError(error, err);
    body.replaceChildren();
  } finally {
    body.removeAttribute('aria-busy');
  }
}

function chapter(course, ch, progress) {
  const heading = `chapter-${ch.id}`;
  return el('section', { class: 'card chapter', 'aria-labelledby': heading, 'data-chapter': ch.id },
    el('h2', { id: heading }, ch.title),
    ch.description ? el('p', { class: 'description' }, ch.description) : '',
    progressLine(tally(ch.contents, progress), `Progress in ${ch.title}`),
    ch.contents.length
      ? el('ol', { class: 'contents' }, ch.contents.map((c) => {
        const status = statusOf(c, progress.get(c.id));
        return el('li', { class: 'content-row', 'data-content': c.id },
          el('a', { href: `/contents/${c.id}/?course=${course.id}` }, c.title),
          el('span', { class: 'content-type' }, typeName(c.content_type)),
          el('span', { class: `content-state state-${status.key}` }, status.text));
      }))
      : el('p', { class: 'muted' }, 'Nothing in this chapter yet.'));
}

load();
