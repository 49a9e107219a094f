// import.js — bundle import (SPEC §9) by file upload: the file is first
// sent with ?dry_run=1, which changes nothing and answers what would be
// created, updated or left unchanged; the Import button then sends the same
// file for real.
import { el } from './api.js';
import { problem, say, sendText, table } from './admin.js';

const form = document.getElementById('import-form');
const file = document.getElementById('bundle-file');
const error = document.getElementById('import-error');
const preview = document.getElementById('import-preview');
const heading = document.getElementById('preview-heading');
const confirm = document.getElementById('confirm-import');
const status = document.getElementById('import-status');
let text = null; // the previewed file's content

function showError(err) {
  error.textContent = problem(err);
  error.hidden = false;
}

// summaryTable lists each kind of record with how many are created,
// updated and unchanged (the import's summary).
function summaryTable(s) {
  const kinds = [...new Set([...Object.keys(s.created), ...Object.keys(s.updated), ...Object.keys(s.unchanged)])].sort();
  if (kinds.length === 0) return el('p', {}, 'The bundle holds no records.');
  return table('What the import changes', [
    { label: 'Records', rowHeader: true, cell: (k) => k },
    { label: 'Created', numeric: true, cell: (k) => String(s.created[k] || 0) },
    { label: 'Updated', numeric: true, cell: (k) => String(s.updated[k] || 0) },
    { label: 'Unchanged', numeric: true, cell: (k) => String(s.unchanged[k] || 0) },
  ], kinds);
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  error.hidden = true;
  preview.hidden = true;
  say(status, '');
  if (!file.files.length) {
    showError('Choose a bundle file first.');
    file.focus();
    return;
  }
  try {
    text = await file.files[0].text();
    const s = await sendText('POST', '/api/v2.5/admin/import/?dry_run=1', text);
    heading.textContent = `Preview of ${file.files[0].name}: nothing is imported yet`;
    document.getElementById('preview-table').replaceChildren(summaryTable(s));
    confirm.disabled = false;
    confirm.hidden = false;
    preview.hidden = false;
    heading.focus();
  } catch (err) {
    text = null;
    showError(err);
  }
});

// A different file needs its own preview.
file.addEventListener('change', () => {
  text = null;
  preview.hidden = true;
  error.hidden = true;
});

confirm.addEventListener('click', async () => {
  if (text === null) return;
  confirm.disabled = true;
  say(status, 'Importing…');
  try {
    const s = await sendText('POST', '/api/v2.5/admin/import/', text);
    heading.textContent = 'Imported';
    document.getElementById('preview-table').replaceChildren(summaryTable(s));
    confirm.hidden = true;
    say(status, 'The bundle was imported.');
    text = null;
  } catch (err) {
    confirm.disabled = false;
    say(status, '');
    showError(err);
  }
});
