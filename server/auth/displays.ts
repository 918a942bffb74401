/**
 * Paired wall displays. A display without a token asks for a pairing (a short code on screen
 * and a secret only it knows); an admin types the code into the console and names the display;
 * the display, polling with its secret, fetches its long-lived token exactly once. The token
 * reads its community's public view and nothing else, until an admin revokes it.
 */
import type { Db } from '../db/index.ts';
import type { Directory } from '../kernel/community.ts';
import { DomainError, notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { isoInZone, isoOrNull } from '../../shared/time.ts';
import { formatPairingCode, normalisePairingCode, type DisplayView, type PairingStart, type PairingStatus } from '../../shared/auth.ts';
import { actorOf, type Audit } from './audit.ts';
import { newPairingCode, newSecret, sameSecret, sha256 } from './crypto.ts';
import { RateLimiter } from './rate-limit.ts';
import { rooms, type LiveControl } from './live.ts';
import type { RequestInfo } from './account-record.ts';

export interface DisplayRecord {
  id: number;
  communityId: string;
  name: string;
  pairedBy: string;
  pairedAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

export interface DisplaysDeps {
  db: Db;
  directory: Directory;
  audit: Audit;
  now: () => number;
  defer: (work: () => void) => void;
  live: () => LiveControl;
}

/** How long a pairing code stands, and how long a paired display has to fetch its token. */
export const PAIRING_TTL_MS = 10 * 60_000;
/** Pairing requests per address (the endpoint needs no login). */
export const PAIRING_LIMIT = { limit: 10, windowMs: 10 * 60_000 };
const SEEN_EVERY_MS = 60_000;

interface DisplayRow {
  id: number; community_id: string; name: string; token_hash: string; paired_by: string; paired_at: number;
  last_seen_at: number | null; revoked_at: number | null;
}

interface PairingRow {
  id: string; code: string; secret_hash: string; created_at: number; expires_at: number; display_id: number | null; ip: string | null;
}

const fromRow = (r: DisplayRow): DisplayRecord => ({
  id: r.id, communityId: r.community_id, name: r.name, pairedBy: r.paired_by, pairedAt: r.paired_at,
  lastSeenAt: r.last_seen_at, revokedAt: r.revoked_at,
});

export class Displays {
  readonly pairingRequests: RateLimiter;
  #d: DisplaysDeps;
  #seen = new Map<number, number>();
  #stmt;

  constructor(deps: DisplaysDeps) {
    this.#d = deps;
    this.pairingRequests = new RateLimiter({ ...PAIRING_LIMIT, now: deps.now });
    const db = deps.db;
    this.#stmt = {
      byId: db.prepare('SELECT * FROM displays WHERE id = ?'),
      byToken: db.prepare('SELECT * FROM displays WHERE token_hash = ?'),
      list: db.prepare('SELECT * FROM displays WHERE community_id = ? ORDER BY revoked_at IS NOT NULL, id'),
      insert: db.prepare('INSERT INTO displays (community_id, name, token_hash, paired_by, paired_at) VALUES (?, ?, ?, ?, ?)'),
      rename: db.prepare('UPDATE displays SET name = ? WHERE id = ?'),
      revoke: db.prepare('UPDATE displays SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      seen: db.prepare('UPDATE displays SET last_seen_at = ? WHERE id = ?'),
      pairing: db.prepare('SELECT * FROM display_pairings WHERE id = ?'),
      pairingByCode: db.prepare('SELECT * FROM display_pairings WHERE code = ?'),
      newPairing: db.prepare(
        'INSERT INTO display_pairings (id, code, secret_hash, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      paired: db.prepare('UPDATE display_pairings SET display_id = ?, expires_at = ? WHERE id = ?'),
      dropPairing: db.prepare('DELETE FROM display_pairings WHERE id = ?'),
      expiredPairings: db.prepare('DELETE FROM display_pairings WHERE expires_at <= ?'),
    };
  }

  // ---- pairing -----------------------------------------------------------------------------

  /** A display asks to be paired: a code to show, and a secret to poll with. */
  startPairing(req: RequestInfo): PairingStart {
    const ip = req.ip ?? 'unknown';
    if (!this.pairingRequests.take(ip)) {
      throw new DomainError(429, 'error.rate_limited', 'too many pairing requests from this address; try again later', undefined,
        { retryAfter: Math.ceil(this.pairingRequests.retryAfter(ip) / 1000) });
    }
    const now = this.#d.now();
    const id = newSecret().slice(0, 22);
    // The pairing secret becomes the display's token once an admin pairs it: the server keeps
    // only its hash from the start and never holds a usable token.
    const secret = newSecret('cbd_');
    const expiresAt = now + PAIRING_TTL_MS;
    this.#d.db.transaction(() => {
      this.#stmt.expiredPairings.run(now);
      // 32^6 ≈ 10^9 codes; a clash with one of the few live ones is drawn again.
      for (let i = 0; ; i++) {
        const code = newPairingCode();
        if (this.#stmt.pairingByCode.get(code)) {
          if (i > 20) throw new Error('no free pairing code');
          continue;
        }
        this.#stmt.newPairing.run(id, code, sha256(secret), now, expiresAt, req.ip);
        return;
      }
    }).immediate();
    const row = this.#stmt.pairing.get(id) as PairingRow;
    return { pairingId: id, code: formatPairingCode(row.code), secret, expiresAt: isoInZone(expiresAt, this.#zone()) };
  }

  /**
   * What a display polling its pairing learns: still waiting, or paired — its pairing secret is
   * now its device token (said once: the pairing is gone after). Null (a 404) for an unknown or
   * expired pairing or a wrong secret.
   */
  pairingStatus(pairingId: string, secret: string | undefined): PairingStatus | null {
    const row = this.#stmt.pairing.get(pairingId) as PairingRow | undefined;
    const now = this.#d.now();
    if (!row || !secret || !sameSecret(sha256(secret), row.secret_hash)) return null;
    if (row.expires_at <= now) {
      this.#stmt.dropPairing.run(row.id);
      return null;
    }
    if (row.display_id === null) {
      return { status: 'waiting', code: formatPairingCode(row.code), expiresAt: isoInZone(row.expires_at, this.#zone()) };
    }
    this.#stmt.dropPairing.run(row.id);
    const display = this.#display(row.display_id)!;
    return { status: 'paired', token: secret, display: this.view(display) };
  }

  /** An admin pairs the display showing `code`, names it, and binds it to the admin's community. */
  pair(actor: Principal, code: string, name: string, req: RequestInfo): DisplayRecord {
    const normal = normalisePairingCode(code);
    const row = normal ? (this.#stmt.pairingByCode.get(normal) as PairingRow | undefined) : undefined;
    if (!row) throw notFound(`pairing code ${code}`);
    if (row.expires_at <= this.#d.now() || row.display_id !== null) {
      throw new DomainError(409, 'error.pairing_expired', `pairing code ${code} has expired or was used; the display shows a new one`);
    }
    return this.#d.db.transaction(() => {
      const d = this.#insert(actor.communityId, name, row.secret_hash, actor.id);
      this.#stmt.paired.run(d.id, this.#d.now() + PAIRING_TTL_MS, row.id);
      this.#d.audit.write({ ...actorOf(actor), action: 'displays.pair', targetType: 'displays', targetId: d.id, detail: { name }, ip: req.ip });
      return d;
    }).immediate();
  }

  /** A display paired without a code (the demo, tests): its record and token. */
  createPaired(communityId: string, name: string, pairedBy: string): { display: DisplayRecord; token: string } {
    const token = newSecret('cbd_');
    const display = this.#d.db.transaction(() => {
      const d = this.#insert(communityId, name, sha256(token), pairedBy);
      this.#d.audit.write({ communityId, actorId: pairedBy, actorRole: 'system', action: 'displays.pair', targetType: 'displays', targetId: d.id, detail: { name } });
      return d;
    }).immediate();
    return { display, token };
  }

  #insert(communityId: string, name: string, tokenHash: string, pairedBy: string): DisplayRecord {
    const id = Number(this.#stmt.insert.run(communityId, name, tokenHash, pairedBy, this.#d.now()).lastInsertRowid);
    return this.#display(id)!;
  }

  // ---- management --------------------------------------------------------------------------

  #display(id: number): DisplayRecord | null {
    const row = this.#stmt.byId.get(id) as DisplayRow | undefined;
    return row ? fromRow(row) : null;
  }

  get(actor: Principal, id: number): DisplayRecord {
    const d = this.#display(id);
    if (!d || d.communityId !== actor.communityId) throw notFound(`display ${id}`);
    return d;
  }

  list(communityId: string): DisplayRecord[] {
    return (this.#stmt.list.all(communityId) as DisplayRow[]).map(fromRow);
  }

  /** Rename a display; its own name again changes nothing and logs nothing. */
  rename(actor: Principal, id: number, name: string, req: RequestInfo): DisplayRecord {
    const before = this.get(actor, id);
    if (before.name === name) return before;
    return this.#d.db.transaction(() => {
      this.#stmt.rename.run(name, id);
      this.#d.audit.write({ ...actorOf(actor), action: 'displays.update', targetType: 'displays', targetId: id, detail: { from: before.name, name }, ip: req.ip });
      return this.#display(id)!;
    }).immediate();
  }

  /** Revoke a display: its token stops working and its sockets are closed at once. */
  revoke(actor: Principal, id: number, req: RequestInfo): DisplayRecord {
    const before = this.get(actor, id);
    const after = this.#d.db.transaction(() => {
      if (this.#stmt.revoke.run(this.#d.now(), id).changes) {
        this.#d.audit.write({ ...actorOf(actor), action: 'displays.revoke', targetType: 'displays', targetId: id, detail: { name: before.name }, ip: req.ip });
      }
      return this.#display(id)!;
    }).immediate();
    this.#d.live().disconnect(rooms.display(id));
    return after;
  }

  /** Make a display reload its page (after an update, or when it looks wrong). */
  reload(actor: Principal, id: number, req: RequestInfo): void {
    const d = this.get(actor, id);
    if (d.revokedAt !== null) throw new DomainError(409, 'error.revoked', `display ${id} is revoked`);
    this.#d.audit.write({ ...actorOf(actor), action: 'displays.reload', targetType: 'displays', targetId: id, detail: { name: d.name }, ip: req.ip });
    this.#d.live().reload(rooms.display(id));
  }

  // ---- the display's side ------------------------------------------------------------------

  /** The display a token belongs to; 'revoked' for a revoked one, null for an unknown token. */
  authenticate(token: string): DisplayRecord | 'revoked' | null {
    if (!token.startsWith('cbd_') || token.length > 100) return null;
    const row = this.#stmt.byToken.get(sha256(token)) as DisplayRow | undefined;
    if (!row) return null;
    return row.revoked_at !== null ? 'revoked' : fromRow(row);
  }

  /** Whether display `id` may still be connected (a socket's recheck). */
  alive(id: number): boolean {
    const d = this.#display(id);
    return !!d && d.revokedAt === null;
  }

  /** Note that the display was seen now (written at most once a minute). */
  seen(id: number): void {
    const now = this.#d.now();
    if (now - (this.#seen.get(id) ?? 0) < SEEN_EVERY_MS) return;
    this.#seen.set(id, now);
    this.#d.defer(() => this.#stmt.seen.run(now, id));
  }

  principalOf(d: DisplayRecord): Principal {
    return { id: `display:${d.id}`, role: 'display', communityId: d.communityId };
  }

  view(d: DisplayRecord): DisplayView {
    const tz = this.#d.directory.timeZoneOf(d.communityId);
    return {
      id: d.id, name: d.name, communityId: d.communityId, pairedAt: isoInZone(d.pairedAt, tz),
      lastSeenAt: isoOrNull(this.#seen.get(d.id) ?? d.lastSeenAt, tz),
      online: d.revokedAt === null && this.#d.live().count(rooms.display(d.id)) > 0,
      revokedAt: isoOrNull(d.revokedAt, tz),
    };
  }

  /** Drop expired pairings (with any token nobody fetched). */
  sweep(): number {
    return this.#stmt.expiredPairings.run(this.#d.now()).changes;
  }

  #zone(): string {
    const c = this.#d.directory.defaultCommunity();
    return c ? this.#d.directory.timeZoneOf(c.id) : 'Asia/Shanghai';
  }
}
