/**
 * Integration API keys, for systems that push events (the 12345 hotline, sensors): made by an
 * admin, shown once, stored as a sha256, bound to one community and to ingest only, revocable.
 */
import type { Db } from '../db/index.ts';
import type { Directory } from '../kernel/community.ts';
import { notFound } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { isoInZone, isoOrNull } from '../../shared/time.ts';
import type { API_KEY_SCOPES, ApiKeyView } from '../../shared/auth.ts';
import { actorOf, type Audit } from './audit.ts';
import { newSecret, sha256 } from './crypto.ts';
import type { RequestInfo } from './account-record.ts';

export interface ApiKeyRecord {
  id: number;
  communityId: string;
  name: string;
  prefix: string;
  scopes: (typeof API_KEY_SCOPES)[number][];
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface ApiKeysDeps {
  db: Db;
  directory: Directory;
  audit: Audit;
  now: () => number;
  defer: (work: () => void) => void;
}

interface ApiKeyRow {
  id: number; community_id: string; name: string; prefix: string; key_hash: string; scopes: string; created_by: string;
  created_at: number; last_used_at: number | null; revoked_at: number | null;
}

const fromRow = (r: ApiKeyRow): ApiKeyRecord => ({
  id: r.id, communityId: r.community_id, name: r.name, prefix: r.prefix, scopes: JSON.parse(r.scopes), createdBy: r.created_by,
  createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
});

const USED_EVERY_MS = 60_000;
/** How long a key revoked by another program may still be taken here, at most (`#known`). */
export const OTHERS_CHECK_MS = 100;

export class ApiKeys {
  #d: ApiKeysDeps;
  #used = new Map<number, number>();
  /**
   * Keys already looked up, by the sha256 of their secret (never the secret itself), so that
   * an integration's every request does not read `api_keys`. Emptied when this process revokes
   * a key (it holds at the next request), and when `PRAGMA data_version` says another
   * connection (`npm run admin`, a script) committed to the database: that is asked at most
   * every OTHERS_CHECK_MS, as it costs a read transaction, about what the lookup did.
   */
  #known = new Map<string, ApiKeyRecord | 'revoked'>();
  #dataVersion = -1;
  #checkedAt = -Infinity;
  #stmt;

  constructor(deps: ApiKeysDeps) {
    this.#d = deps;
    const db = deps.db;
    this.#stmt = {
      byId: db.prepare('SELECT * FROM api_keys WHERE id = ?'),
      byHash: db.prepare('SELECT * FROM api_keys WHERE key_hash = ?'),
      list: db.prepare('SELECT * FROM api_keys WHERE community_id = ? ORDER BY revoked_at IS NOT NULL, id DESC'),
      insert: db.prepare(
        `INSERT INTO api_keys (community_id, name, prefix, key_hash, scopes, created_by, created_at) VALUES (?, ?, ?, ?, '["ingest"]', ?, ?)`,
      ),
      revoke: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      used: db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
    };
  }

  /** A new key for the admin's community: its record and the key itself, which is never shown again. */
  create(actor: Principal, name: string, req: RequestInfo): { key: ApiKeyRecord; secret: string } {
    const secret = newSecret('cbk_');
    const key = this.#d.db.transaction(() => {
      const id = Number(this.#stmt.insert.run(actor.communityId, name, secret.slice(0, 8), sha256(secret), actor.id, this.#d.now()).lastInsertRowid);
      this.#d.audit.write({ ...actorOf(actor), action: 'api_keys.create', targetType: 'api_keys', targetId: id, detail: { name }, ip: req.ip });
      return this.#key(id)!;
    }).immediate();
    return { key, secret };
  }

  #key(id: number): ApiKeyRecord | null {
    const row = this.#stmt.byId.get(id) as ApiKeyRow | undefined;
    return row ? fromRow(row) : null;
  }

  list(communityId: string): ApiKeyRecord[] {
    return (this.#stmt.list.all(communityId) as ApiKeyRow[]).map(fromRow);
  }

  revoke(actor: Principal, id: number, req: RequestInfo): ApiKeyRecord {
    const k = this.#key(id);
    if (!k || k.communityId !== actor.communityId) throw notFound(`API key ${id}`);
    this.#known.clear();
    return this.#d.db.transaction(() => {
      if (this.#stmt.revoke.run(this.#d.now(), id).changes) {
        this.#d.audit.write({ ...actorOf(actor), action: 'api_keys.revoke', targetType: 'api_keys', targetId: id, detail: { name: k.name }, ip: req.ip });
      }
      return this.#key(id)!;
    }).immediate();
  }

  /** The key a secret is; 'revoked' for a revoked one, null for an unknown one. Notes its use. */
  authenticate(secret: string): ApiKeyRecord | 'revoked' | null {
    if (!secret.startsWith('cbk_') || secret.length > 100) return null;
    const now = this.#d.now();
    if (!(now - this.#checkedAt < OTHERS_CHECK_MS && now >= this.#checkedAt)) {
      this.#checkedAt = now;
      const version = this.#stmt.dataVersion.get() as number;
      if (version !== this.#dataVersion) {
        this.#known.clear();
        this.#dataVersion = version;
      }
    }
    const hash = sha256(secret);
    let key = this.#known.get(hash);
    if (key === undefined) {
      const row = this.#stmt.byHash.get(hash) as ApiKeyRow | undefined;
      // Unknown secrets are not kept: anyone may send any number of them.
      if (!row) return null;
      key = row.revoked_at !== null ? 'revoked' : fromRow(row);
      this.#known.set(hash, key);
    }
    if (key === 'revoked') return key;
    const id = key.id;
    if (now - (this.#used.get(id) ?? 0) >= USED_EVERY_MS) {
      this.#used.set(id, now);
      this.#d.defer(() => this.#stmt.used.run(now, id));
    }
    return key;
  }

  principalOf(k: ApiKeyRecord): Principal {
    return { id: `api_key:${k.id}`, role: 'integration', communityId: k.communityId };
  }

  view(k: ApiKeyRecord): ApiKeyView {
    const tz = this.#d.directory.timeZoneOf(k.communityId);
    return {
      id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, createdAt: isoInZone(k.createdAt, tz), createdBy: k.createdBy,
      lastUsedAt: isoOrNull(this.#used.get(k.id) ?? k.lastUsedAt, tz), revokedAt: isoOrNull(k.revokedAt, tz),
    };
  }
}
