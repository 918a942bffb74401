/**
 * Sends one outbox record the way docs/OFFLINE.md says: each photo first, by its SHA-256, in
 * chunks of at most 1 MiB, resuming where the server stands (`GET /uploads/<sha>` then `PUT`
 * with `Upload-Offset`, `Upload-Length`, `Upload-Type`); then the record itself with its
 * `Idempotency-Key` and `photos: [{ sha256, name }]`. What every answer means is machine.ts;
 * this file only talks. The record's progress (bytes the server holds of each photo) is saved
 * as it goes, so the list shows it and a page closed mid-photo resumes there.
 */
import {
  afterChunk, afterOutcome, bodyToSend, nextChunk, startSending, type KeptPhoto, type Outcome, type OutboxEntry, type Refusal,
} from './machine.ts';

export interface SenderDeps {
  /** The session's CSRF token, sent on every write; `refreshCsrf` fetches it again after a 403 `error.csrf`. */
  csrf: () => string | null;
  refreshCsrf: () => Promise<boolean>;
  save: (e: OutboxEntry) => Promise<void>;
  now: () => number;
  fetch?: typeof fetch;
  /** Where the API lives (`/api/v1`). */
  base?: string;
  /** A request with no answer after this long counts as no network. */
  timeoutMs?: number;
}

class Stop {
  constructor(readonly outcome: Outcome | { type: 'refused'; refusal: Refusal }) {}
}

export class Sender {
  readonly #d: SenderDeps;
  readonly #fetch: typeof fetch;
  readonly #base: string;
  /** The record as last saved during this send (photo progress included). */
  #latest: OutboxEntry | null = null;

  constructor(deps: SenderDeps) {
    this.#d = deps;
    this.#fetch = deps.fetch ?? ((i, init) => globalThis.fetch(i, init));
    this.#base = deps.base ?? '/api/v1';
  }

  /** Send `entry` (one of `all`, the owner's records): its state after this try, already saved. */
  async send(entry: OutboxEntry, all: readonly OutboxEntry[]): Promise<OutboxEntry> {
    let e = startSending(entry);
    this.#latest = e;
    await this.#d.save(e);
    try {
      for (const photo of e.photos) e = await this.#upload(e, photo);
      const body = bodyToSend(e, all);
      if (e.photos.length) body.photos = e.photos.map((p) => ({ sha256: p.sha256, name: p.name, ...(p.role ? { stage: p.role } : {}) }));
      const outcome = await this.#call(e.request.method, e.request.path, {
        json: body, headers: { 'Idempotency-Key': e.idempotencyKey },
      });
      e = afterOutcome(e, outcome, this.#d.now());
    } catch (stop) {
      if (!(stop instanceof Stop)) throw stop;
      e = this.#latest ?? e;
      const o = stop.outcome;
      e = o.type === 'refused'
        ? afterOutcome(e, { type: 'answer', status: o.refusal.status, body: { error: { code: o.refusal.code, message: o.refusal.message } } }, this.#d.now())
        : afterOutcome(e, o, this.#d.now());
    }
    await this.#d.save(e);
    return e;
  }

  async #upload(e: OutboxEntry, photo: KeptPhoto): Promise<OutboxEntry> {
    if (e.uploaded[photo.sha256] === photo.bytes) return e;
    const path = `/uploads/${photo.sha256}`;
    let step = afterChunk(await this.#call('GET', path));
    let restarts = 0;
    for (;;) {
      switch (step.step) {
        case 'complete':
          return this.#progress(e, photo.sha256, photo.bytes);
        case 'retry':
          throw new Stop({ type: 'network', message: 'upload' });
        case 'unauthenticated':
          throw new Stop({ type: 'answer', status: 401, body: null });
        case 'refused':
          throw new Stop({ type: 'refused', refusal: step.refusal });
        case 'restart':
          // The bytes did not hash to their name twice: the kept file itself is wrong.
          if (++restarts > 1) throw new Stop({ type: 'refused', refusal: { status: 422, code: 'error.upload_hash', message: 'photo bytes do not match their hash' } });
          step = { step: 'continue', received: 0 };
          break;
        case 'continue': {
          e = await this.#progress(e, photo.sha256, step.received);
          const chunk = nextChunk(step.received, photo.bytes);
          if (!chunk) return this.#progress(e, photo.sha256, photo.bytes);
          step = afterChunk(await this.#call('PUT', path, {
            raw: photo.blob.slice(chunk.start, chunk.end),
            headers: {
              'Content-Type': 'application/octet-stream', 'Upload-Offset': String(chunk.start),
              'Upload-Length': String(photo.bytes), 'Upload-Type': photo.type,
            },
          }));
        }
      }
    }
  }

  async #progress(e: OutboxEntry, sha: string, received: number): Promise<OutboxEntry> {
    if (e.uploaded[sha] === received) return e;
    const next = { ...e, uploaded: { ...e.uploaded, [sha]: received } };
    this.#latest = next;
    await this.#d.save(next);
    return next;
  }

  /** One request; a lost network or no answer in time is `network`, never an exception. */
  async #call(method: string, path: string, o: { json?: unknown; raw?: Blob; headers?: Record<string, string> } = {}, again = true): Promise<Outcome> {
    const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
    const csrf = this.#d.csrf();
    if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
    let body: BodyInit | undefined;
    if (o.json !== undefined) (headers['Content-Type'] = 'application/json'), (body = JSON.stringify(o.json));
    else if (o.raw) body = o.raw;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.#d.timeoutMs ?? 60_000);
    try {
      const res = await this.#fetch(`${this.#base}${path}`, { method, headers, body, credentials: 'same-origin', cache: 'no-store', signal: ctl.signal });
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // a proxy's page: the status speaks
      }
      const code = (parsed as { error?: { code?: unknown } } | null)?.error?.code;
      if (res.status === 403 && code === 'error.csrf' && method !== 'GET' && again) {
        if (await this.#d.refreshCsrf()) return this.#call(method, path, o, false);
        // A fresh token could not be had now (the server down, the network gone between two
        // requests): nothing was done, so it is "later", never a refusal the worker must read.
        // Refused again with a fresh token, the answer below is shown as it is.
        return { type: 'network', message: 'the session\'s CSRF token is not to be had now' };
      }
      const ra = res.headers.get('Retry-After');
      return { type: 'answer', status: res.status, body: parsed, replayed: res.headers.get('Idempotency-Replayed') === 'true', retryAfterS: ra && /^\d+$/.test(ra) ? Number(ra) : null };
    } catch (err) {
      return { type: 'network', message: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
