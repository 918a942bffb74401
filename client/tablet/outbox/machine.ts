/**
 * The outbox's rules, pure (no IndexedDB, no fetch): what an answer does to a record, when it is
 * tried again, which record goes next, where a photo's upload resumes, and the version an action
 * expects. The store (store.ts) keeps what these return; the sender (sender.ts) does the talking.
 * docs/OFFLINE.md §3 is the contract:
 *
 *   saved ──send──► sending ──2xx──────────────► received (the server's receipt)
 *     ▲                │ ──4xx (not 408/425/429)─► refused (the server's words)
 *     └── network, 5xx, 408, 425, 429, 401 ◄─┘   (saved again, tried later; 401 waits for its owner's login)
 *
 * "Failed" is never a state: a record the server received is answered with its receipt on retry.
 */

export type EntryState = 'saved' | 'sending' | 'received' | 'refused';
/**
 * A case's report and actions; a patrol and a visit; a need; a resident added or corrected; in an
 * emergency, a door on the accounted-for board claimed, released, or knocked (done, with what was found).
 */
export type EntryKind =
  | 'report' | 'sign' | 'start' | 'resolve' | 'send_back'
  | 'patrol' | 'visit' | 'need' | 'resident_add' | 'resident_fix'
  | 'door_claim' | 'door_release' | 'door_done';

/** What a record asks of the server: a POST (a new record, an action) or a PATCH (a correction). */
export interface EntryRequest { method: 'POST' | 'PATCH'; path: string; body: Record<string, unknown> }

/** A photo kept with its record until the server holds it whole. */
export interface KeptPhoto {
  /** Lower-case hex SHA-256 of `blob`'s bytes: the upload's name (docs/OFFLINE.md §2). */
  sha256: string;
  bytes: number;
  type: string;
  name: string;
  /** Before (处置前) or after (处置后) on a resolve; none on a report. */
  role?: 'before' | 'after';
  blob: Blob;
}

/** What the server answered, kept on the record and shown as "已接收 · 案卷号 … · 照片 4/4". */
export interface Receipt {
  eventId: number | null;
  /** The id of what the server made or corrected (a case, a patrol, a visit, a need, a resident). */
  recordId?: number | null;
  code: string | null;
  status: string | null;
  /** The case's version after this record (the next action of a chain expects it). */
  version: number | null;
  /** When the tablet heard it (ISO). */
  at: string;
  photos: { received: number; total: number };
  /** The server answered a retry with the first outcome (`Idempotency-Replayed: true`). */
  replayed: boolean;
}

/** Why a record was refused: the server's i18n code and words, and what else it said. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface OutboxEntry {
  /** The client's UUID for the record. */
  id: string;
  /** The username that made it: only that person's session sends it. */
  owner: string;
  kind: EntryKind;
  /** ISO: the order records are sent in. */
  createdAt: string;
  /** A one-line summary for the list (the report's title, the case number and action). */
  label: string;
  request: EntryRequest;
  /** The case an action is on (null for a report). */
  eventId: number | null;
  /**
   * What else a record is about (`resident:12`, `household:4`); those with a seen version on the
   * same target form a version chain, as a case's actions do.
   */
  target?: string;
  /** The version of the case (or target) the worker saw when acting (actions and corrections only). */
  seenVersion: number | null;
  photos: KeptPhoto[];
  /** Bytes the server holds of each photo, by sha256 (progress, and where to resume). */
  uploaded: Record<string, number>;
  idempotencyKey: string;
  state: EntryState;
  receipt?: Receipt;
  error?: Refusal;
  /** The last transient trouble (no network, a 503), shown as a hint, never as a failure. */
  lastTrouble?: string;
  tries: number;
  /** Epoch ms: not tried again before. */
  nextTryAt: number;
}

/** What came back from one attempt. */
export type Outcome =
  | { type: 'network'; message?: string }
  | { type: 'answer'; status: number; body: unknown; replayed?: boolean; retryAfterS?: number | null };

/** What an HTTP status means for a record. */
export type Verdict = 'received' | 'retry' | 'refused' | 'unauthenticated';

/** Statuses that say "later", not "no" (docs/OFFLINE.md §3). */
const TRANSIENT = new Set([408, 425, 429]);

export function verdictOf(status: number): Verdict {
  if (status >= 200 && status < 300) return 'received';
  if (status === 401) return 'unauthenticated';
  if (status >= 500 || TRANSIENT.has(status) || status === 0) return 'retry';
  return 'refused';
}

const BACKOFF_FIRST_MS = 5_000;
const BACKOFF_MAX_MS = 5 * 60_000;

/** How long to wait after the `tries`-th failed try: 5 s doubling to 5 min, or what the server asked. */
export function backoffMs(tries: number, retryAfterS?: number | null): number {
  const doubling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, tries - 1));
  return retryAfterS && retryAfterS > 0 ? Math.min(BACKOFF_MAX_MS, Math.max(doubling, retryAfterS * 1000)) : doubling;
}

/** Tries a record naming photos the server lost gets before it is shown refused. */
const PHOTO_RETRIES = 3;

/** The record as it goes out. */
export function startSending(e: OutboxEntry): OutboxEntry {
  return { ...e, state: 'sending', tries: e.tries + 1 };
}

interface EventLike { id?: unknown; code?: unknown; status?: unknown; version?: unknown }

/** Where an answer holds the record it made or corrected: `{ event }`, `{ need }`, `{ patrol }`… */
const ANSWER_KEYS = ['event', 'need', 'patrol', 'visit', 'resident', 'household', 'building'] as const;

function errorOf(status: number, body: unknown): Refusal {
  const err = (body as { error?: Record<string, unknown> } | null)?.error;
  const { code, message, issues: _i, ...details } = err ?? {};
  return {
    status,
    code: typeof code === 'string' && code ? code : `http.${status}`,
    message: typeof message === 'string' ? message : String(status),
    ...(Object.keys(details).length ? { details } : {}),
  };
}

/** The receipt a 2xx answer gives (`{ event, created, photos? }`). */
export function receiptOf(e: OutboxEntry, body: unknown, at: number, replayed = false): Receipt {
  const b = (body ?? {}) as Partial<Record<(typeof ANSWER_KEYS)[number], EventLike>> & { photos?: unknown };
  const ev: EventLike = ANSWER_KEYS.map((k) => b[k]).find((v) => v && typeof v === 'object') ?? {};
  // The server refuses a record naming a photo it does not hold whole, so a 2xx has them all;
  // it says how many (`photos: n`) once it takes photos.
  const received = typeof b.photos === 'number' ? b.photos : e.photos.length;
  return {
    eventId: b.event && typeof b.event.id === 'number' ? b.event.id : e.eventId,
    recordId: typeof ev.id === 'number' ? ev.id : null,
    code: typeof ev.code === 'string' ? ev.code : null,
    status: typeof ev.status === 'string' ? ev.status : null,
    version: typeof ev.version === 'number' ? ev.version : null,
    at: new Date(at).toISOString(),
    photos: { received, total: e.photos.length },
    replayed,
  };
}

/** The record after an attempt's outcome, at `now`. */
export function afterOutcome(e: OutboxEntry, outcome: Outcome, now: number): OutboxEntry {
  if (outcome.type === 'network') {
    return { ...e, state: 'saved', lastTrouble: 'error.network', nextTryAt: now + backoffMs(e.tries) };
  }
  const verdict = verdictOf(outcome.status);
  switch (verdict) {
    case 'received': {
      const { error: _e, lastTrouble: _t, ...rest } = e;
      return { ...rest, state: 'received', receipt: receiptOf(e, outcome.body, now, outcome.replayed ?? false) };
    }
    case 'refused': {
      const error = errorOf(outcome.status, outcome.body);
      // The server does not hold a photo whole after all (its partial was dropped): upload again, later.
      if (error.code === 'error.photos_incomplete' && e.tries < PHOTO_RETRIES) {
        return { ...e, state: 'saved', uploaded: {}, lastTrouble: error.code, nextTryAt: now + backoffMs(e.tries) };
      }
      return { ...e, state: 'refused', error };
    }
    case 'unauthenticated':
      // The session ended: kept for its owner's next login, tried at once then (no backoff).
      return { ...e, state: 'saved', lastTrouble: 'error.unauthenticated', tries: Math.max(0, e.tries - 1), nextTryAt: now };
    case 'retry':
      return {
        ...e, state: 'saved', lastTrouble: errorOf(outcome.status, outcome.body).code,
        nextTryAt: now + backoffMs(e.tries, outcome.retryAfterS),
      };
  }
}

/** A record left `sending` by a page that closed mid-send: saved again, to be sent with its key. */
export function recovered(e: OutboxEntry): OutboxEntry {
  return e.state === 'sending' ? { ...e, state: 'saved' } : e;
}

export const isUnsent = (e: OutboxEntry) => e.state === 'saved' || e.state === 'sending';

/** Records in the order they are sent: made first, sent first. */
export function inOrder(entries: readonly OutboxEntry[]): OutboxEntry[] {
  return [...entries].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * The next record of `owner` to send at `now`, in order, one at a time: the oldest unsent one.
 * `wait` when it is backing off (the ones after it wait too: an action may need the one before
 * it); `null` when nothing of theirs is unsent.
 */
export function nextToSend(entries: readonly OutboxEntry[], owner: string, now: number): { entry: OutboxEntry } | { wait: number } | null {
  const first = inOrder(entries).find((e) => e.owner === owner && isUnsent(e));
  if (!first) return null;
  return first.nextTryAt <= now ? { entry: first } : { wait: first.nextTryAt - now };
}

/** What a record acts on, for its version chain: its case, or its `target`; null for a new record. */
export function targetOf(e: OutboxEntry): string | null {
  return e.target ?? (e.eventId !== null ? `event:${e.eventId}` : null);
}

/**
 * The version an action expects when it is sent: the version its case (or the resident it
 * corrects) has after the same worker's earlier record on it was received (sign, then start, then
 * resolve, all made offline; two corrections of one resident); otherwise the version the worker
 * saw. Recomputed the same on every retry, so the request (and its Idempotency-Key) stays the same.
 */
export function expectedVersionFor(e: OutboxEntry, entries: readonly OutboxEntry[]): number | null {
  const target = targetOf(e);
  if (target === null || e.seenVersion === null) return null;
  const earlier = inOrder(entries).filter((o) => o.owner === e.owner && targetOf(o) === target && o.id !== e.id && o.createdAt <= e.createdAt);
  const lastReceived = [...earlier].reverse().find((o) => o.state === 'received' && o.receipt?.version != null);
  // Only a chain the worker made on this tablet after seeing `seenVersion` carries forward.
  if (lastReceived && lastReceived.createdAt >= firstOfChain(earlier, e).createdAt) return lastReceived.receipt!.version;
  return e.seenVersion;
}

/** The first record of the run of records on `e`'s case made from the same seen version on. */
function firstOfChain(earlier: OutboxEntry[], e: OutboxEntry): OutboxEntry {
  return earlier.find((o) => o.seenVersion !== null && o.seenVersion === e.seenVersion) ?? e;
}

/** The body sent for `e` (the action's expected version filled in). */
export function bodyToSend(e: OutboxEntry, entries: readonly OutboxEntry[]): Record<string, unknown> {
  const version = expectedVersionFor(e, entries);
  return version === null ? e.request.body : { ...e.request.body, expectedVersion: version };
}

/** The largest chunk of a photo sent in one request (docs/OFFLINE.md §2). */
export const CHUNK_BYTES = 1024 * 1024;

/** Where the next chunk of a photo of `size` bytes begins and ends, from where the server stands. */
export function nextChunk(received: number, size: number, chunk = CHUNK_BYTES): { start: number; end: number } | null {
  if (received >= size) return null;
  const start = Math.max(0, received);
  return { start, end: Math.min(size, start + chunk) };
}

/** What an upload answer means for the photo: go on from `received`, done, start over, or stop. */
export type ChunkStep =
  | { step: 'continue'; received: number }
  | { step: 'complete' }
  | { step: 'restart' }
  | { step: 'retry' }
  | { step: 'refused'; refusal: Refusal }
  | { step: 'unauthenticated' };

interface UploadState { received?: unknown; complete?: unknown }

/** A PUT (or the first GET) of a photo's upload: what to do next. */
export function afterChunk(outcome: Outcome): ChunkStep {
  if (outcome.type === 'network') return { step: 'retry' };
  const { status, body } = outcome;
  if (status === 404) return { step: 'continue', received: 0 };
  if (status >= 200 && status < 300) {
    const s = (body ?? {}) as UploadState;
    if (s.complete === true) return { step: 'complete' };
    return { step: 'continue', received: typeof s.received === 'number' ? s.received : 0 };
  }
  if (status === 409) {
    const e = (body as { error?: { code?: unknown; received?: unknown } } | null)?.error;
    if (e?.code === 'error.upload_offset' && typeof e.received === 'number') return { step: 'continue', received: e.received };
  }
  // The finished bytes did not hash to the name: the server dropped the partial; send it whole again.
  if (status === 422) return { step: 'restart' };
  const v = verdictOf(status);
  if (v === 'retry') return { step: 'retry' };
  if (v === 'unauthenticated') return { step: 'unauthenticated' };
  return { step: 'refused', refusal: errorOf(status, body) };
}

/** "待同步 3 条 · 最早 12 分钟前": how many of `owner`'s records wait, and since when. */
export function waitingSummary(entries: readonly OutboxEntry[], owner: string): { count: number; oldest: string | null } {
  const mine = inOrder(entries).filter((e) => e.owner === owner && isUnsent(e));
  return { count: mine.length, oldest: mine[0]?.createdAt ?? null };
}

/** Received records are kept this long, then leave the list by themselves. */
export const KEEP_RECEIVED_MS = 7 * 24 * 3_600_000;

/** Whether a record may leave the tablet: only received ones, when cleared or a week old. */
export function mayForget(e: OutboxEntry, now: number, cleared: boolean): boolean {
  if (e.state !== 'received' || !e.receipt) return false;
  return cleared || now - Date.parse(e.receipt.at) > KEEP_RECEIVED_MS;
}
