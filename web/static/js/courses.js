// courses.js — the student's courses, each with how much of it is done.
import { getAll, el } from './api.js';
import { loadProgress, contentsOf, tally, progressLine, showError } from './coursekit.js';

const list = document.getElementById('course-list');
const error = document.getElementById('courses-error');

async function load() {
  try {
    const [courses, progress] = await Promise.all([getAll('/api/v2.5/courses/'), loadProgress()]);
    showError(error, null);
    if (!courses.length) {
      list.replaceChildren(el('p', {}, 'No courses are open to you yet.'));
      return;
    }
    list.replaceChildren(el('ul', { class: 'course-cards' }, courses.map((c) => el('li', { class: 'card course-card' },
      el('h2', {}, el('a', { href: `/courses/${c.id}/` }, c.title)),
      c.description ? el('p', { class: 'description' }, c.description) : null,
      el('p', { class: 'muted' }, `${c.chapters.length} ${c.chapters.length === 1 ? 'chapter' : 'chapters'}`),
      progressLine(tally(contentsOf(c), progress), `Progress in ${c.title}`)))));
  } catch (err) {
    showError(error, err);
    list.replaceChildren();
  } finally {
    list.removeAttribute('aria-busy');
  }
}

load();
