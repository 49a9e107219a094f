// exports.js — exports of the attempts list (issue 14, part 5): start one
// with a §8.1 query string and a format, watch its progress bar, then
// download the file. A job started from the attempts page arrives here as
// ?job=<id>.
import { api, el, when } from './api.js';
import { problem, say, startExport } from './admin.js';

const jobs = document.getElementById('export-jobs');
const status = document.getElementById('export-status');
const form = document.getElementById('export-form');
const formError = document.getElementById('export-error');
const pollMs = 1000;
const seen = new Map(); // job id → its last state, to announce a change once
let timer = null;

function describe(job) {
  const filters = job.query ? job.query : 'all attempts';
  return `${job.format.toUpperCase()} export #${job.id} (${filters})`;
}

function jobItem(job) {
  const label = `progress-${job.id}`;
  const rows = `${job.rows} row${job.rows === 1 ? '' : 's'}`;
  return el('li', { class: 'card job', id: `job-${job.id}`, 'data-state': job.state },
    el('h3', { id: label }, describe(job)),
    el('p', { class: 'muted' }, `Asked for ${when(job.created)}`),
    el('progress', { max: '100', value: String(job.progress), 'aria-labelledby': label }),
    el('p', { class: 'job-state' }, job.state === 'done' ? `Done: ${rows}.` : job.state === 'failed'
      ? `Failed: ${job.error}` : `${job.state[0].toUpperCase() + job.state.slice(1)}: ${job.progress}%, ${rows}.`),
    job.download_url ? el('p', {}, el('a', { href: job.download_url, class: 'button primary', download: true },
      `Download ${job.format.toUpperCase()}`, el('span', { class: 'visually-hidden' }, ` of export #${job.id}`))) : null);
}

// announce says, once, that a job the reader is waiting for ended.
function announce(list) {
  for (const job of list) {
    const before = seen.get(job.id);
    if (before && before !== job.state && (job.state === 'done' || job.state === 'failed')) {
      say(status, job.state === 'done' ? `${describe(job)} is ready: ${job.rows} rows.` : `${describe(job)} failed.`, job.state === 'failed');
    }
    seen.set(job.id, job.state);
  }
}

async function refresh() {
  clearTimeout(timer);
  try {
    const data = await api('GET', '/api/v2.5/admin/exports/?page_size=20');
    announce(data.results);
    jobs.replaceChildren(...(data.results.length ? data.results.map(jobItem) : [el('li', {}, 'No exports yet.')]));
    if (data.results.some((j) => j.state === 'queued' || j.state === 'running')) {
      timer = setTimeout(refresh, pollMs);
    }
  } catch (err) {
    say(status, problem(err), true);
    timer = setTimeout(refresh, pollMs * 5);
  }
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  formError.hidden = true;
  const format = new FormData(form).get('format');
  try {
    const job = await startExport(format, document.getElementById('export-query').value.trim().replace(/^\?/, ''));
    seen.set(job.id, job.state);
    say(status, `${describe(job)} started.`);
    await refresh();
  } catch (err) {
    formError.textContent = problem(err);
    formError.hidden = false;
  }
});

const asked = new URLSearchParams(location.search).get('job');
if (asked) {
  seen.set(Number(asked), 'queued');
  say(status, `Export #${asked} started.`);
}
refresh();
