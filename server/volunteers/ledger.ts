/**
 * The points ledger (积分账本), double entry. Every movement is a transaction of two or more
 * entries that sum to zero: points a volunteer earns come out of the community's issuance
 * account, points spent go into its redemption account. A balance is the SUM of an account's
 * entries; `points_accounts.balance` caches it, updated by the same write, and `verify` holds
 * the two together. A volunteer's balance never goes below zero: `post` refuses it, and so
 * does a CHECK constraint in the database.
 *
 * `post` must run inside a transaction (a `queue.run` write), so the entries, the cached
 * balances and whatever the movement pays for are written together or not at all.
 */
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import { DomainError } from '../errors.ts';
import type { AccountKind, TxnKind } from '../../shared/volunteers.ts';

export interface Leg {
  accountId: number;
  amount: number;
}

export interface Posting {
  communityId: string;
  kind: TxnKind;
  at: number;
  actor: string;
  memo?: string | null;
  legs: Leg[];
}

export interface LedgerLine {
  entryId: number;
  txnId: number;
  kind: TxnKind;
  amount: number;
  balanceAfter: number;
  memo: string | null;
  at: number;
}

export interface LedgerCheck {
  /** Transactions whose entries do not sum to zero. */
  unbalancedTxns: number[];
  /** Accounts whose cached balance differs from the SUM of their entries. */
  driftedAccounts: { accountId: number; cached: number; derived: number }[];
  /** Volunteer accounts below zero. */
  overdrawnAccounts: number[];
  /** The sum of every entry: zero when the books balance. */
  total: number;
  ok: boolean;
}

/** A programming error, never a user's: the caller built a transaction that does not balance. */
export class UnbalancedTransactionError extends Error {}

/** Refuse a transaction that is not double entry: two legs or more, whole non-zero amounts summing to zero. */
export function assertBalanced(legs: readonly Leg[]): void {
  if (legs.length < 2) throw new UnbalancedTransactionError('a transaction has at least two entries');
  let sum = 0;
  for (const l of legs) {
    if (!Number.isSafeInteger(l.amount) || l.amount === 0) {
      throw new UnbalancedTransactionError(`entry amounts are non-zero whole points, not ${l.amount}`);
    }
    sum += l.amount;
  }
  if (sum !== 0) throw new UnbalancedTransactionError(`entries sum to ${sum}, not 0`);
  if (new Set(legs.map((l) => l.accountId)).size !== legs.length) {
    throw new UnbalancedTransactionError('each account appears once in a transaction');
  }
}

export class PointsLedger {
  #db: Db;
  #stmt;

  constructor(db: Db) {
    this.#db = db;
    this.#stmt = {
      volunteerAccount: db.prepare("SELECT id FROM points_accounts WHERE kind = 'volunteer' AND owner_id = ?"),
      systemAccount: db.prepare('SELECT id FROM points_accounts WHERE community_id = ? AND kind = ? AND owner_id IS NULL'),
      openAccount: db.prepare('INSERT INTO points_accounts (community_id, kind, owner_id, balance, created_at) VALUES (?, ?, ?, 0, ?)'),
      account: db.prepare('SELECT id, community_id, kind, owner_id, balance FROM points_accounts WHERE id = ?'),
      txn: db.prepare('INSERT INTO points_txns (community_id, kind, at, actor, memo) VALUES (?, ?, ?, ?, ?)'),
      entry: db.prepare('INSERT INTO points_entries (txn_id, account_id, amount, at, memo) VALUES (?, ?, ?, ?, ?)'),
      bump: db.prepare('UPDATE points_accounts SET balance = balance + ? WHERE id = ?'),
      derived: db.prepare('SELECT COALESCE(SUM(amount), 0) AS s FROM points_entries WHERE account_id = ?'),
      // The running balance comes from a window over the account's entries, oldest first.
      history: db.prepare(
        `SELECT * FROM (
           SELECT e.id, e.txn_id, e.amount, e.at, t.kind, t.memo,
                  SUM(e.amount) OVER (ORDER BY e.id ROWS UNBOUNDED PRECEDING) AS balance_after
             FROM points_entries e JOIN points_txns t ON t.id = e.txn_id
            WHERE e.account_id = @account
         ) WHERE id < @cursor ORDER BY id DESC LIMIT @limit`,
      ),
    };
  }

  /** The volunteer's account, opened on first use. */
  volunteerAccount(communityId: string, volunteerId: number, now: number): number {
    const row = this.#stmt.volunteerAccount.get(volunteerId) as { id: number } | undefined;
    if (row) return row.id;
    return Number(this.#stmt.openAccount.run(communityId, 'volunteer', volunteerId, now).lastInsertRowid);
  }

  /** The volunteer's account if it was ever opened. */
  findVolunteerAccount(volunteerId: number): number | null {
    return (this.#stmt.volunteerAccount.get(volunteerId) as { id: number } | undefined)?.id ?? null;
  }

  /** The community's issuance (source) or redemption (sink) account, opened on first use. */
  systemAccount(communityId: string, kind: Exclude<AccountKind, 'volunteer'>, now: number): number {
    const row = this.#stmt.systemAccount.get(communityId, kind) as { id: number } | undefined;
    if (row) return row.id;
    return Number(this.#stmt.openAccount.run(communityId, kind, null, now).lastInsertRowid);
  }

  /** The cached balance (O(1)); equal to `derivedBalance` by construction. */
  balance(accountId: number | null): number {
    if (accountId === null) return 0;
    return (this.#stmt.account.get(accountId) as { balance: number } | undefined)?.balance ?? 0;
  }

  /** The balance as the SUM of the account's entries. */
  derivedBalance(accountId: number): number {
    return (this.#stmt.derived.get(accountId) as { s: number }).s;
  }

  /**
   * Write one balanced transaction and move the cached balances. Refuses with 409
   * `error.insufficient_points` if a volunteer's balance would go below zero. Returns the
   * transaction's id.
   */
  post(p: Posting): number {
    if (!this.#db.inTransaction) throw new Error('PointsLedger.post runs inside a write (queue.run)');
    assertBalanced(p.legs);
    for (const leg of p.legs) {
      const a = this.#stmt.account.get(leg.accountId) as
        | { id: number; community_id: string; kind: AccountKind; balance: number }
        | undefined;
      if (!a) throw new UnbalancedTransactionError(`no points account ${leg.accountId}`);
      if (a.community_id !== p.communityId) throw new UnbalancedTransactionError(`account ${a.id} is another community's`);
      if (a.kind === 'volunteer' && a.balance + leg.amount < 0) {
        throw new DomainError(409, 'error.insufficient_points',
          `the balance is ${a.balance} points; ${-leg.amount} are needed`, undefined, { balance: a.balance, needed: -leg.amount });
      }
    }
    const txnId = Number(this.#stmt.txn.run(p.communityId, p.kind, p.at, p.actor, p.memo ?? null).lastInsertRowid);
    for (const leg of p.legs) {
      this.#stmt.entry.run(txnId, leg.accountId, leg.amount, p.at, p.memo ?? null);
      this.#stmt.bump.run(leg.amount, leg.accountId);
    }
    return txnId;
  }

  /** An account's entries, newest first, each with the balance after it. */
  history(accountId: number | null, q: { limit: number; cursor?: string | undefined }): Page<LedgerLine> {
    if (accountId === null) return { items: [], nextCursor: null };
    const rows = this.#stmt.history.all({
      account: accountId, cursor: q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER, limit: q.limit + 1,
    }) as { id: number; txn_id: number; amount: number; at: number; kind: TxnKind; memo: string | null; balance_after: number }[];
    const lines = rows.map((r) => ({
      entryId: r.id, txnId: r.txn_id, kind: r.kind, amount: r.amount, balanceAfter: r.balance_after, memo: r.memo, at: r.at,
    }));
    return pageOf(lines, q.limit, (l) => l.entryId);
  }

  /** Check the books of one community (or all): every transaction balances, every cache is the SUM. */
  verify(communityId?: string): LedgerCheck {
    const db = this.#db;
    const scope = communityId === undefined ? '' : 'WHERE t.community_id = @community';
    const params = communityId === undefined ? {} : { community: communityId };
    const unbalancedTxns = (db
      .prepare(`SELECT t.id FROM points_txns t LEFT JOIN points_entries e ON e.txn_id = t.id ${scope}
                GROUP BY t.id HAVING COALESCE(SUM(e.amount), 0) <> 0 OR COUNT(e.id) < 2`)
      .all(params) as { id: number }[]).map((r) => r.id);
    const accountScope = communityId === undefined ? '' : 'WHERE a.community_id = @community';
    const accounts = db
      .prepare(`SELECT a.id, a.kind, a.balance, COALESCE(SUM(e.amount), 0) AS derived
                  FROM points_accounts a LEFT JOIN points_entries e ON e.account_id = a.id ${accountScope}
                 GROUP BY a.id`)
      .all(params) as { id: number; kind: AccountKind; balance: number; derived: number }[];
    const driftedAccounts = accounts
      .filter((a) => a.balance !== a.derived)
      .map((a) => ({ accountId: a.id, cached: a.balance, derived: a.derived }));
    const overdrawnAccounts = accounts.filter((a) => a.kind === 'volunteer' && a.derived < 0).map((a) => a.id);
    const total = accounts.reduce((s, a) => s + a.derived, 0);
    return {
      unbalancedTxns, driftedAccounts, overdrawnAccounts, total,
      ok: !unbalancedTxns.length && !driftedAccounts.length && !overdrawnAccounts.length && total === 0,
    };
  }
}
