/**
 * The community fund's books (慈善资金账): a book of the community's one double-entry ledger
 * (server/kernel/ledger.ts), in fen. Every movement of money is a transaction of entries
 * summing to zero: a gift moves money from the community's
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
import type { Page } from '../db/page.ts';
import { DomainError } from '../errors.ts';
import { Ledger, type LedgerCheck, type Leg } from '../kernel/ledger.ts';
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

export type FundCheck = LedgerCheck;

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
  #ledger: Ledger;
  #stmt;

  constructor(db: Db) {
    this.#db = db;
    this.#ledger = new Ledger(db, {
      name: 'fund',
      guarded: ['fund', 'restricted'],
      txnColumns: ['donation_id', 'disbursement_id'],
      overdraft: (a, needed) => new DomainError(409, 'error.insufficient_funds',
        `the ${a.kind} balance is ${a.balance} fen; ${needed} are needed`, undefined,
        { balanceCents: a.balance, neededCents: needed, account: a.kind }),
    });
    this.#stmt = {
      system: db.prepare('SELECT id FROM fund_accounts WHERE community_id = ? AND kind = ?'),
      byProject: db.prepare("SELECT id FROM fund_accounts WHERE kind = 'restricted' AND project_id = ?"),
      byNeed: db.prepare("SELECT id FROM fund_accounts WHERE kind = 'restricted' AND need_id = ?"),
      open: db.prepare(
        'INSERT INTO fund_accounts (community_id, kind, project_id, need_id, balance, created_at) VALUES (?, ?, ?, ?, 0, ?)',
      ),
      account: db.prepare('SELECT * FROM fund_accounts WHERE id = ?'),
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
    return this.#ledger.balance(accountId);
  }

  derivedBalance(accountId: number): number {
    return this.#ledger.derivedBalance(accountId);
  }

  /**
   * Write one balanced transaction and move the cached balances. Refuses with 409
   * `error.insufficient_funds` if the fund or a restricted account would go below zero.
   * Returns the transaction's id.
   */
  post(p: FundPosting): number {
    return this.#ledger.post({ ...p, refs: { donation_id: p.donationId, disbursement_id: p.disbursementId } });
  }

  /** An account's entries, newest first, each with the balance after it. */
  history(accountId: number, q: { limit: number; cursor?: string | undefined }): Page<FundLine> {
    const page = this.#ledger.history(accountId, q);
    return {
      ...page,
      items: page.items.map(({ refs, ...l }) => ({
        ...l, kind: l.kind as FundTxnKind, donationId: refs.donation_id ?? null, disbursementId: refs.disbursement_id ?? null,
      })),
    };
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
    return this.#ledger.verify(communityId);
  }
}
