/**
 * Check-ins the phone has not yet heard answered, kept in localStorage so a reload, a lost
 * network or a closed tab loses none. Each keeps the Idempotency-Key it was first sent with and
 * its scan time, and is sent again with both until the server answers: a retry of a check-in the
 * server did receive is answered that same check-in (server/volunteers/me-service.ts), so it is
 * never doubled and never shown as failed. localStorage is enough for a handful of small records
 * (no IndexedDB library needed); a browser that refuses storage keeps them for this page only.
 *
 * Framework-free, so the page's store wraps it and a test can drive it.
 */

/** One check-in, from the scan to the server's answer. */
export interface KeptCheckIn {
  key: string;
  code: string;
  /** When the phone scanned the code (ISO): the server records this time, up to 6 h back. */
  at: string;
  state: 'pending' | 'done' | 'refused';
  /** When the server said they checked in (ISO), once `done`. */
  checkedInAt?: string;
  title?: string;
  /** The refusal's i18n code, once `refused`. */
  error?: string;
}

const STORAGE_KEY = 'cerebellum.me.checkins';
/** Answered check-ins are shown for a day, then forgotten. */
const KEEP_ANSWERED_MS = 24 * 3600_000;

let memory: KeptCheckIn[] = [];

/** The kept check-ins, newest first. */
export function keptCheckIns(now = Date.now()): KeptCheckIn[] {
  let list = memory;
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw) list = JSON.parse(raw) as KeptCheckIn[];
  } catch {
    // storage refused or garbled: what this page holds
  }
  return list.filter((c) => c.state === 'pending' || now - Date.parse(c.at) < KEEP_ANSWERED_MS);
}

function save(list: KeptCheckIn[]) {
  memory = list;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(list));
  } catch {
    // kept in memory for this page
  }
}

/** Keep a new check-in (before it is first sent); the same code pending already is not kept twice. */
export function keepCheckIn(code: string, key: string, at: string): KeptCheckIn {
  const list = keptCheckIns();
  const same = list.find((c) => c.code === code && c.state === 'pending');
  if (same) return same;
  const kept: KeptCheckIn = { key, code, at, state: 'pending' };
  save([kept, ...list]);
  return kept;
}

/** Record the server's answer to the check-in with `key`. */
export function answerCheckIn(key: string, answer: Pick<KeptCheckIn, 'state' | 'checkedInAt' | 'title' | 'error'>) {
  save(keptCheckIns().map((c) => (c.key === key ? { ...c, ...answer } : c)));
}

/** Forget every kept check-in (logging out: the next person on this phone is someone else). */
export function forgetCheckIns() {
  save([]);
}
