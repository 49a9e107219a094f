// savequeue.js — the exam room's answer saves. Every change is written to
// localStorage first (per attempt) and then sent to the server one save at a
// time, oldest first, so that nothing is lost when the network drops or the
// page is reloaded: a reloaded page finds the saves still waiting, shows
// them and sends them. Sends are retried with backoff while offline, and
// after the Retry-After the server asks for when it sheds load (503, 429).
import { api, ApiError } from './api.js';

// Retry delays while the server cannot be reached, in milliseconds.
const firstRetry = 1000;
const maxRetry = 10000;

// SaveQueue holds the answer saves of one attempt that the server has not
// acknowledged yet. A save is {seq, item, body, notBefore}: body is the
// PUT …/questions/<item>/ body (SPEC §6); notBefore (epoch ms) holds back a
// save being typed (debounce) without keeping it off the device.
export class SaveQueue {
  // handlers: onState(state, info) with state 'saved' | 'waiting' | 'saving'
  // | 'offline' | 'retrying' and info {waiting, retryIn (ms)};
  // onSaved(item, body, answer, ms) after each acknowledged save, with the
  // round trip in ms; onDrained() when nothing waits; onRejected(save, err)
  // when the server refuses a save (4xx), which answers 'drop' (forget it and
  // go on) or 'stop' (stop sending, keep what waits).
  constructor(attemptId, handlers) {
    this.key = `examhall:attempt:${attemptId}:saves`;
    this.base = `/api/v2.2/attempts/${attemptId}/questions/`;
    this.handlers = handlers;
    this.saves = this.load();
    this.seq = this.saves.reduce((m, s) => Math.max(m, s.seq), 0) + 1;
    this.inflight = null;
    this.timer = null;
    this.retry = 0;
    this.started = false;
    this.stopped = false;
    this.drainers = [];
    window.addEventListener('online', () => this.kick());
  }

  // load reads what an earlier page of this attempt left waiting.
  load() {
    try {
      const saves = JSON.parse(localStorage.getItem(this.key) || '[]');
      if (!Array.isArray(saves)) return [];
      // Held back by an earlier page: due now.
      return saves.filter((s) => s && Number.isInteger(s.item) && s.body && typeof s.body === 'object')
        .map((s) => ({ ...s, notBefore: 0 }));
    } catch {
      return [];
    }
  }

  persist() {
    try {
      if (this.saves.length) localStorage.setItem(this.key, JSON.stringify(this.saves));
      else localStorage.removeItem(this.key);
    } catch {
      // Storage full or refused: the saves still wait in memory.
    }
  }

  // size is the number of saves not yet acknowledged.
  get size() { return this.saves.length; }

  // pending is what waits for item, merged in order (what the page must show
  // over the server's copy after a reload), without the durations.
  pending(item) {
    const out = {};
    for (const s of this.saves) if (s.item === item) Object.assign(out, s.body);
    delete out.duration;
    return out;
  }

  // add records a change of item: body's fields replace those of a save of
  // the item still waiting (its durations add up), which moves to the end.
  // delayMs holds the send back (typing); now() or another add sends sooner.
  add(item, body, delayMs = 0) {
    let merged = { ...body };
    const i = this.saves.findIndex((s) => s.item === item && s !== this.inflight);
    if (i >= 0) {
      const old = this.saves[i];
      merged = { ...old.body, ...body };
      if (old.body.duration || body.duration) {
        merged.duration = Math.round(((old.body.duration || 0) + (body.duration || 0)) * 1000) / 1000;
      }
      this.saves.splice(i, 1);
    }
    this.saves.push({ seq: this.seq++, item, body: merged, notBefore: Date.now() + delayMs });
    this.persist();
    this.report();
    if (!this.retry) this.kick(); // while offline the retry timer (or the 'online' event) sends it
  }

  // now sends a held-back save of item without waiting for its delay.
  now(item) {
    let changed = false;
    for (const s of this.saves) {
      if (s.item === item && s.notBefore > Date.now()) { s.notBefore = 0; changed = true; }
    }
    if (changed) { this.persist(); this.kick(); }
  }

  // start begins sending (after the page has shown what waits).
  start() {
    this.started = true;
    this.kick();
  }

  // stop sends nothing more; what waits stays in memory (size) and on the device.
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.settle();
  }

  // clear forgets every waiting save, on the device too.
  clear() {
    this.saves = [];
    this.persist();
  }

  // drain resolves when nothing waits (every delay cut short) or the queue
  // is stopped.
  drain() {
    for (const s of this.saves) s.notBefore = 0;
    const p = new Promise((resolve) => this.drainers.push(resolve));
    this.settle();
    this.kick();
    return p;
  }

  settle() {
    if (this.saves.length === 0 || this.stopped) {
      const drainers = this.drainers;
      this.drainers = [];
      drainers.forEach((resolve) => resolve());
    }
  }

  // kick sends the next save after delayMs (0: now), unless one is on its way.
  kick(delayMs = 0) {
    if (!this.started || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delayMs);
  }

  report(state, retryIn) {
    const waiting = this.saves.length;
    if (!state) state = this.inflight ? 'saving' : waiting ? (this.retry ? this.lastState : 'waiting') : 'saved';
    this.lastState = state;
    this.handlers.onState(state, { waiting, retryIn });
  }

  async run() {
    if (this.inflight || this.stopped) return;
    const save = this.saves[0];
    if (!save) {
      this.report('saved');
      this.settle();
      this.handlers.onDrained();
      return;
    }
    const wait = save.notBefore - Date.now();
    if (wait > 0) {
      this.report('waiting');
      this.kick(wait);
      return;
    }
    this.inflight = save;
    this.report('saving');
    const t0 = performance.now();
    try {
      const answer = await api('PUT', this.base + save.item + '/', save.body);
      const ms = performance.now() - t0;
      this.inflight = null;
      this.retry = 0;
      this.saves = this.saves.filter((s) => s !== save);
      this.persist();
      this.handlers.onSaved(save.item, save.body, answer, ms);
      this.run();
    } catch (err) {
      this.inflight = null;
      if (err instanceof TypeError) { // the network is down
        this.retry = Math.min(maxRetry, this.retry ? this.retry * 2 : firstRetry);
        this.report('offline', this.retry);
        this.kick(this.retry);
      } else if (err instanceof ApiError && (err.status === 503 || err.status === 429 || err.status >= 500)) {
        this.retry = Math.min(maxRetry, this.retry ? this.retry * 2 : firstRetry);
        const wait = err.retryAfter > 0 ? err.retryAfter * 1000 : this.retry;
        this.report('retrying', wait);
        this.kick(wait);
      } else if (err instanceof ApiError && err.status === 401) {
        this.report('offline'); // api.js is taking the student to the login page; the saves wait here
      } else {
        // The server refused the save (400, 403, 404): sending it again
        // would not help.
        const decision = await this.handlers.onRejected(save, err);
        if (decision === 'stop') { this.stop(); return; }
        this.saves = this.saves.filter((s) => s !== save);
        this.persist();
        this.run();
      }
    }
  }
}
