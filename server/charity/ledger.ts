/**
 * The community fund's books (慈善资金账), double entry like the points ledger. Every movement of
 * money is a transaction of entries summing to zero: a gift moves money from the community's
 * `donors` account into the `fund` (or into the `restricted` account of the project or need it
 * was designated to); a disbursement moves it from the fund or a restricted account into
 * `paid_out`. So at any moment −donors = fund + Σ restricted + paid_out: money given equals
 * money on hand plus money paid out.
 *
 * A balance is the SUM of an account's entries; `fund_accounts.balance` caches it, moved by the
 * same write, and `verify` holds the two together. Neither the fund nor a restricted account
 * goes below zero: `post` refuses it with 409, and a CHECK constraint backs it up.
 *
 * `post` runs inside a write (a `queue.run`), so entries, cached balances and the donation or
 * disbursement they belong to are written together or not at all.
 */
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import { DomainError } from '../errors.ts';
import { assertBalanced, UnbalancedTransactionError, type Leg } from '../volunteers/ledger.ts';
import type { FundAccountKind, FundTxnKind } from '../../shared/charity.ts';

export type { Leg };

/** What a restricted account is for: a project or a need (exactly one). */
export type Designation = { projectId: number; needId?: undefined } | { needId: number; projectId?: undefined };

export interface FundPosting {
  communityId: string;
  kind: FundTxnKind;
  donationId?: number | null;
  disbursementId?: number | null;
  at: number;
  actor: string;
  memo?: string | null;
  legs: Leg[];
}

export interface FundLine {
  entryId: number;
  txnId: number;
  kind: FundTxnKind;
  amount: number;
  balanceAfter: number;
  donationId: number | null;
  disbursementId: number | null;
  memo: string | null;
  at: number;
}

export interface FundAccount {
  id: number;
  communityId: string;
  kind: FundAccountKind;
  projectId: number | null;
  needId: number | null;
  balance: number;
}

export interface FundCheck {
  unbalancedTxns: number[];
  driftedAccounts: { accountId: number; cached: number; derived: number }[];
  overdrawnAccounts: number[];
  total: number;
  ok: boolean;
}

/** Derived balances of a community's accounts, by kind (restricted summed). */
export interface FundTotals {
  donors: number;
  fund: number;
  restricted: number;
  paidOut: number;
}

type SystemKind = Exclude<FundAccountKind, 'restricted'>;

const accountFromRow = (r: any): FundAccount => ({
  id: r.id, communityId: r.community_id, kind: r.kind, projectId: r.project_id, needId: r.need_id, balance: r.balance,
});

export class FundLedger {
  #db: Db;
  #stmt;

  constructor(db: Db) {
    this.#db = db;
    this.#stmt = {
      system: db.prepare('SELECT id FROM fund_accounts WHERE community_id = ? AND kind = ?'),
      byProject: db.prepare("SELECT id FROM fund_accounts WHERE kind = 'restricted' AND project_id = ?"),
      byNeed: db.prepare("SELECT id FROM fund_accounts WHERE kind = 'restricted' AND need_id = ?"),
      open: db.prepare(
        'INSERT INTO fund_accounts (community_id, kind, project_id, need_id, balance, created_at) VALUES (?, ?, ?, ?, 0, ?)',
      ),
      account: db.prepare('SELECT * FROM fund_accounts WHERE id = ?'),
      txn: db.prepare(
        'INSERT INTO fund_txns (community_id, kind, donation_id, disbursement_id, at, actor, memo) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      entry: db.prepare('INSERT INTO fund_entries (txn_id, account_id, amount, at) VALUES (?, ?, ?, ?)'),
      bump: db.prepare('UPDATE fund_accounts SET balance = balance + ? WHERE id = ?'),
      derived: db.prepare('SELECT COALESCE(SUM(amount), 0) AS s FROM fund_entries WHERE account_id = ?'),
      history: db.prepare(
        `SELECT * FROM (
           SELECT e.id, e.txn_id, e.amount, e.at, t.kind, t.memo, t.donation_id, t.disbursement_id,
                  SUM(e.amount) OVER (ORDER BY e.id ROWS UNBOUNDED PRECEDING) AS balance_after
             FROM fund_entries e JOIN fund_txns t ON t.id = e.txn_id
            WHERE e.account_id = @account
         ) WHERE id < @cursor ORDER BY id DESC LIMIT @limit`,
      ),
      cachedTotals: db.prepare(
        `SELECT kind, COALESCE(SUM(balance), 0) AS s FROM fund_accounts WHERE community_id = ? GROUP BY kind`,
      ),
    };
  }

  /** The community's donors, fund or paid-out account, opened on first use (inside a write). */
  systemAccount(communityId: string, kind: SystemKind, now: number): number {
    const row = this.#stmt.system.get(communityId, kind) as { id: number } | undefined;
    if (row) return row.id;
    return Number(this.#stmt.open.run(communityId, kind, null, null, now).lastInsertRowid);
  }

  /** The money designated to a project or a need, opened on first use (inside a write). */
  restrictedAccount(communityId: string, d: Designation, now: number): number {
    const found = this.findRestricted(d);
    if (found !== null) return found;
    return Number(this.#stmt.open.run(communityId, 'restricted', d.projectId ?? null, d.needId ?? null, now).lastInsertRowid);
  }

  findRestricted(d: Designation): number | null {
    const row = (d.projectId !== undefined ? this.#stmt.byProject.get(d.projectId) : this.#stmt.byNeed.get(d.needId)) as
      | { id: number }
      | undefined;
    return row?.id ?? null;
  }

  findSystem(communityId: string, kind: SystemKind): number | null {
    return (this.#stmt.system.get(communityId, kind) as { id: number } | undefined)?.id ?? null;
  }

  account(id: number): FundAccount | null {
    const row = this.#stmt.account.get(id);
    return row ? accountFromRow(row) : null;
  }

  /** The cached balance (O(1)); equal to `derivedBalance` by construction. 0 for no account. */
  balance(accountId: number | null): number {
    if (accountId === null) return 0;
    return (this.#stmt.account.get(accountId) as { balance: number } | undefined)?.balance ?? 0;
  }

  derivedBalance(accountId: number): number {
    return (this.#stmt.derived.get(accountId) as { s: number }).s;
  }

  /**
   * Write one balanced transaction and move the cached balances. Refuses with 409
   * `error.insufficient_funds` if the fund or a restricted account would go below zero.
   * Returns the transaction's id.
   */
  post(p: FundPosting): number {
    if (!this.#db.inTransaction) throw new Error('FundLedger.post runs inside a write (queue.run)');
    assertBalanced(p.legs);
    for (const leg of p.legs) {
      const a = this.account(leg.accountId);
      if (!a) throw new UnbalancedTransactionError(`no fund account ${leg.accountId}`);
      if (a.communityId !== p.communityId) throw new UnbalancedTransactionError(`account ${a.id} is another community's`);
      if ((a.kind === 'fund' || a.kind === 'restricted') && a.balance + leg.amount < 0) {
        throw new DomainError(409, 'error.insufficient_funds',
          `the ${a.kind} balance is ${a.balance} fen; ${-leg.amount} are needed`, undefined,
          { balanceCents: a.balance, neededCents: -leg.amount, account: a.kind });
      }
    }
    const txnId = Number(this.#stmt.txn.run(p.communityId, p.kind, p.donationId ?? null, p.disbursementId ?? null, p.at, p.actor,
      p.memo ?? null).lastInsertRowid);
    for (const leg of p.legs) {
      this.#stmt.entry.run(txnId, leg.accountId, leg.amount, p.at);
      this.#stmt.bump.run(leg.amount, leg.accountId);
    }
    return txnId;
  }

  /** An account's entries, newest first, each with the balance after it. */
  history(accountId: number, q: { limit: number; cursor?: string | undefined }): Page<FundLine> {
    const rows = this.#stmt.history.all({
      account: accountId, cursor: q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER, limit: q.limit + 1,
    }) as {
      id: number; txn_id: number; amount: number; at: number; kind: FundTxnKind; memo: string | null;
      donation_id: number | null; disbursement_id: number | null; balance_after: number;
    }[];
    const lines = rows.map((r) => ({
      entryId: r.id, txnId: r.txn_id, kind: r.kind, amount: r.amount, balanceAfter: r.balance_after,
      donationId: r.donation_id, disbursementId: r.disbursement_id, memo: r.memo, at: r.at,
    }));
    return pageOf(lines, q.limit, (l) => l.entryId);
  }

  /** The cached balances of a community's accounts by kind (restricted summed): O(accounts). */
  totals(communityId: string): FundTotals {
    const t: FundTotals = { donors: 0, fund: 0, restricted: 0, paidOut: 0 };
    for (const r of this.#stmt.cachedTotals.all(communityId) as { kind: FundAccountKind; s: number }[]) {
      if (r.kind === 'paid_out') t.paidOut = r.s;
      else t[r.kind] = r.s;
    }
    return t;
  }

  /** Every account of a community with its cached balance. */
  accounts(communityId: string): FundAccount[] {
    return this.#db.prepare('SELECT * FROM fund_accounts WHERE community_id = ? ORDER BY id').all(communityId).map(accountFromRow);
  }

  /**
   * Check a community's books: every transaction has two entries or more summing to zero, every
   * cached balance is the SUM of its entries, nothing is overdrawn, all entries sum to zero.
   */
  verify(communityId: string): FundCheck {
    const db = this.#db;
    const unbalancedTxns = (db
      .prepare(`SELECT t.id FROM fund_txns t LEFT JOIN fund_entries e ON e.txn_id = t.id WHERE t.community_id = ?
                GROUP BY t.id HAVING COALESCE(SUM(e.amount), 0) <> 0 OR COUNT(e.id) < 2`)
      .all(communityId) as { id: number }[]).map((r) => r.id);
    const accounts = db
      .prepare(`SELECT a.id, a.kind, a.balance, COALESCE(SUM(e.amount), 0) AS derived
                  FROM fund_accounts a LEFT JOIN fund_entries e ON e.account_id = a.id WHERE a.community_id = ?
                 GROUP BY a.id`)
      .all(communityId) as { id: number; kind: FundAccountKind; balance: number; derived: number }[];
    const driftedAccounts = accounts
      .filter((a) => a.balance !== a.derived)
      .map((a) => ({ accountId: a.id, cached: a.balance, derived: a.derived }));
    const overdrawnAccounts = accounts.filter((a) => (a.kind === 'fund' || a.kind === 'restricted') && a.derived < 0).map((a) => a.id);
    const total = accounts.reduce((s, a) => s + a.derived, 0);
    return {
      unbalancedTxns, driftedAccounts, overdrawnAccounts, total,
      ok: !unbalancedTxns.length && !driftedAccounts.length && !overdrawnAccounts.length && total === 0,
    };
  }
}
