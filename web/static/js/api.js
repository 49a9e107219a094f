// api.js — the one way pages talk to the server: the JSON API, with the
// session cookie the browser sends by itself (same origin only).

// ApiError is an answer other than 2xx: status, the DRF body, and the
// seconds to wait (Retry-After) when the server shed the request.
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(ApiError.message(status, body));
    this.status = status;
    this.body = body;
    this.retryAfter = retryAfter;
  }

  // message turns a DRF error body into one readable sentence.
  static message(status, body) {
    if (body && typeof body === 'object') {
      if (typeof body.detail === 'string') return body.detail;
      const parts = [];
      for (const [field, errors] of Object.entries(body)) {
        const text = Array.isArray(errors) ? errors.join(' ') : String(errors);
        parts.push(field === 'non_field_errors' ? text : `${field}: ${text}`);
      }
      if (parts.length) return parts.join(' ');
    }
    return `The server answered ${status}.`;
  }
}

// api sends method to path with body as JSON and returns the parsed answer
// (null for 204). It throws ApiError for a non-2xx answer and TypeError when
// the network is down (the browser's fetch does), which callers treat as
// "offline".
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text }; }
  if (!res.ok) {
    const retry = Number(res.headers.get('Retry-After')) || 0;
    if (res.status === 401 && !location.pathname.startsWith('/login/')) {
      location.assign('/login/?next=' + encodeURIComponent(location.pathname + location.search));
    }
    throw new ApiError(res.status, data, retry);
  }
  return data;
}

// getAll follows a DRF list's next links and returns every result.
export async function getAll(path) {
  const out = [];
  let next = path;
  while (next) {
    const page = await api('GET', next);
    out.push(...page.results);
    next = page.next ? new URL(page.next, location.origin).pathname + new URL(page.next, location.origin).search : null;
  }
  return out;
}

// el builds an element. Text children become text nodes, never HTML: use
// it for everything a user typed. attrs sets attributes (class, href, …);
// boolean true sets an empty attribute, false/null/undefined none.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// authored returns a fragment of HTML the exam or course author wrote:
// trusted content (SPEC §9), shown as written. Never pass it anything a
// student or another user typed. The page's Content-Security-Policy keeps
// any script in it from running.
export function authored(html) {
  const t = document.createElement('template');
  t.innerHTML = html || '';
  return t.content;
}

// param is a data-* value the server put on <main> (path wildcards).
export function param(name) {
  return document.getElementById('main').dataset[name];
}

// when formats an API datetime in the reader's locale.
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}
