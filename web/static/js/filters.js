// filters.js — filter forms whose fields are a list's query parameters:
// the form shows the page's query string and writes a new one, so that a
// filtered view is its address (bookmarkable, shareable).

// fillForm sets each named field of form from this page's query string.
export function fillForm(form) {
  const q = new URLSearchParams(location.search);
  for (const field of form.elements) {
    if (field.name && q.has(field.name)) field.value = q.get(field.name);
  }
}

// queryOf is the form's non-empty fields as a query string (without "?"),
// in the form's order. Fields without a name are left out.
export function queryOf(form) {
  const q = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (typeof value === 'string' && value.trim() !== '') q.append(name, value.trim());
  }
  return q.toString();
}

// submitAsQuery makes submitting form load this page with the form's query
// string, empty fields left out (without the script, the browser's own GET
// submit does the same with the empty ones kept, which the API ignores).
export function submitAsQuery(form, before) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (before) before(form);
    const q = queryOf(form);
    location.assign(form.getAttribute('action') + (q ? '?' + q : ''));
  });
}
