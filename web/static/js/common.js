// common.js — what every page does: the log-out button.
import { api } from './api.js';

const logout = document.getElementById('logout');
if (logout) {
  logout.addEventListener('click', async () => {
    try { await api('DELETE', '/api/v2.5/session/'); } finally { location.assign('/login/'); }
  });
}
