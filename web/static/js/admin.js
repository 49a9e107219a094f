// admin.js — what the staff dashboard's pages share: tables, pagers that
// follow the API's next/previous links, exam titles, status messages.
import { api, ApiError, el, getAll } from './api.js';

// pagePath turns an API list link (absolute, e.g. next) into the address of
// this page with the same query string, so that every page of a list can be
// bookmarked and reloaded.
export function pagePath(apiLink, path = location.pathname) {
  const u = new URL(apiLink, location.origin);
  return path + u.search;
}

// apiPath is the API list at path with this page's query string: the page's
// filters are the API's, passed through unchanged.
export function apiPath(path) {
  return path + location.search;
}

// pager fills nav with links to the previous and next pages of an API list
// page (a DRF envelope) and says where the reader is.
export function pager(nav, data, pageSize) {
  nav.replaceChildren();
  if (!data.previous && !data.next) return;
  const list = el('ul');
  if (data.previous) list.append(el('li', {}, el('a', { href: pagePath(data.previous), rel: 'prev' }, '‹ Previous page')));
  if (data.next) list.append(el('li', {}, el('a', { href: pagePath(data.next), rel: 'next' }, 'Next page ›')));
  const per = pageSize || data.per_page;
  nav.append(list, el('p', { class: 'muted' }, `${data.count} in all, ${per} a page`));
}

// table builds a table: columns are {label, cell(row) → text or Node,
// numeric?}; caption names it for screen readers.
export function table(caption, columns, rows) {
  return el('table', {},
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.label)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, columns.map((c, i) => {
      const v = c.cell(r);
      return el(i === 0 && c.rowHeader ? 'th' : 'td', { class: c.numeric ? 'num' : null, scope: i === 0 && c.rowHeader ? 'row' : null }, v);
    })))));
}

// say puts a message in a status region; an ApiError or a network failure
// becomes a sentence.
export function say(node, message, isError = false) {
  node.classList.toggle('error', isError);
  node.textContent = message;
}

// problem is what went wrong, as one sentence for the reader.
export function problem(err) {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return 'The server cannot be reached. Check the connection and try again.';
  return String(err && err.message ? err.message : err);
}

// examTitles maps each exam's id to its title (every exam, all pages).
export async function examTitles() {
  const exams = await getAll('/api/v2.5/admin/exams/?ordering=-start_date&page_size=1000');
  return new Map(exams.map((e) => [e.id, e.title]));
}

// sendText sends text as it is (a file the reader chose) as a JSON body to
// path and returns the parsed answer, as api does: the server, not the
// browser, judges the document.
export async function sendText(method, path, text) {
  const res = await fetch(path, {
    method, credentials: 'same-origin', body: text,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
  });
  const raw = await res.text();
  let data = null;
  try { data = raw ? JSON.parse(raw) : null; } catch { data = { detail: raw }; }
  if (!res.ok) throw new ApiError(res.status, data, Number(res.headers.get('Retry-After')) || 0);
  return data;
}

// startExport asks for an export of the attempts list with query (a §8.1
// query string without the "?") in format csv or xlsx and returns the job.
export function startExport(format, query) {
  return api('POST', '/api/v2.5/admin/exports/', { kind: 'attempts', format, query });
}

// isAdmin tells whether the server rendered the page for an admin (the
// data-admin attribute on node).
export function isAdmin(node) {
  return node.dataset.admin === 'true';
}
