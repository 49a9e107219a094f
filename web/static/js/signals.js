// signals.js — the exam room's integrity signals (issue 16 §3): focus lost
// and regained (the tab hidden, the window left), leaving full screen, copy
// and paste, each sent once to POST /api/v2.2/attempts/<id>/events/ and
// forgotten: never retried, never waited for, so an answer save never waits
// behind one. The server bounds them too (30 a minute per attempt).
import { api } from './api.js';

// quietMs: a second signal of one type within this long after the first is
// not sent (a held Ctrl+V, a window flickering between apps).
export const quietMs = 2000;

// reportSignals sends the room's signals for the attempt whose API path is
// base (".../attempts/<id>/"), while active() is true (not after submit).
// It returns the counts sent, by type (read by the tests).
export function reportSignals(base, active = () => true) {
  const sent = {};
  const last = new Map(); // type → performance.now() of its last send
  const send = (type) => {
    if (!active()) return;
    const now = performance.now();
    if (now - (last.get(type) ?? -Infinity) < quietMs) return;
    last.set(type, now);
    sent[type] = (sent[type] || 0) + 1;
    api('POST', base + 'events/', { type }).catch(() => {}); // fire and forget
  };
  // Focus is one state fed by two sources (a hidden tab also blurs the
  // window): a change of state is sent, not each event. A student who
  // opens the room is at it, whatever hasFocus() says before a first click.
  let focused = document.visibilityState === 'visible';
  const focus = (now) => {
    if (now === focused) return;
    focused = now;
    send(now ? 'focus_gained' : 'focus_lost');
  };
  document.addEventListener('visibilitychange', () => focus(document.visibilityState === 'visible' && document.hasFocus()));
  window.addEventListener('blur', () => focus(false));
  window.addEventListener('focus', () => focus(document.visibilityState === 'visible'));
  let fullscreen = Boolean(document.fullscreenElement);
  document.addEventListener('fullscreenchange', () => {
    const now = Boolean(document.fullscreenElement);
    if (fullscreen && !now) send('fullscreen_exit');
    fullscreen = now;
  });
  document.addEventListener('copy', () => send('copy'));
  document.addEventListener('paste', () => send('paste'));
  return sent;
}
