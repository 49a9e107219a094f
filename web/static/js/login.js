// login.js — the login form: POST /api/v2.5/session/ sets the HttpOnly
// session cookie; then on to where the visitor was going.
import { api } from './api.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

// nextPath is ?next= when it leads to a page of this site, else the start
// page (an open redirect would let a link send a student elsewhere after
// login). The browser's own URL parser judges it, as the browser will when
// it follows it: "/\t/evil.example" is "//evil.example" to a browser.
function nextPath() {
  const next = new URLSearchParams(location.search).get('next') || '/';
  let url;
  try { url = new URL(next, location.origin); } catch { return '/'; }
  return url.origin === location.origin ? url.pathname + url.search + url.hash : '/';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await api('POST', '/api/v2.5/session/', { username: form.username.value, password: form.password.value });
    location.assign(nextPath());
  } catch (err) {
    error.textContent = err instanceof TypeError ? 'The server cannot be reached. Check the network and try again.' : err.message;
    error.hidden = false;
    form.password.focus();
  } finally {
    button.disabled = false;
  }
});
