/**
 * The points ledger (积分账本): a book of the community's one double-entry ledger
 * (server/kernel/ledger.ts). Points a volunteer earns come out of the community's issuance
 * account, points spent go into its redemption account; a volunteer's balance never goes below
 * zero (`post` refuses with 409 `error.insufficient_points`, and a CHECK constraint backs it up).
 * This file knows what a points account is: a volunteer's, or the community's issuance or
 * redemption account.
 *
 * `post` must run inside a transaction (a `queue.run` write), so the entries, the cached
 * balances and whatever the movement pays for are written together or not at all.
 */
import type { Db } from '../db/index.ts';
import type { Page } from '../db/page.ts';
import { DomainError } from '../errors.ts';
import { Ledger, type LedgerCheck, type Leg } from '../kernel/ledger.ts';
import type { AccountKind, TxnKind } from '../../shared/volunteers.ts';

export { assertBalanced, UnbalancedTransactionError, type Leg, type LedgerCheck } from '../kernel/ledger.ts';

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

export class PointsLedger {
  #ledger: Ledger;
  #stmt;

  constructor(db: Db) {
    this.#ledger = new Ledger(db, {
      name: 'points',
      guarded: ['volunteer'],
      entryMemo: true,
      overdraft: (a, needed) => new DomainError(409, 'error.insufficient_points',
        `the balance is ${a.balance} points; ${needed} are needed`, undefined, { balance: a.balance, needed }),
    });
    this.#stmt = {
      volunteerAccount: db.prepare("SELECT id FROM points_accounts WHERE kind = 'volunteer' AND owner_id = ?"),
      systemAccount: db.prepare('SELECT id FROM points_accounts WHERE community_id = ? AND kind = ? AND owner_id IS NULL'),
      openAccount: db.prepare('INSERT INTO points_accounts (community_id, kind, owner_id, balance, created_at) VALUES (?, ?, ?, 0, ?)'),
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
    return this.#ledger.balance(accountId);
  }

  /** The balance as the SUM of the account's entries. */
  derivedBalance(accountId: number): number {
    return this.#ledger.derivedBalance(accountId);
  }

  /**
   * Write one balanced transaction and move the cached balances. Refuses with 409
   * `error.insufficient_points` if a volunteer's balance would go below zero. Returns the
   * transaction's id.
   */
  post(p: Posting): number {
    return this.#ledger.post(p);
  }

  /** An account's entries, newest first, each with the balance after it. */
  history(accountId: number | null, q: { limit: number; cursor?: string | undefined }): Page<LedgerLine> {
    if (accountId === null) return { items: [], nextCursor: null };
    const page = this.#ledger.history(accountId, q);
    return { ...page, items: page.items.map(({ refs: _refs, ...l }) => ({ ...l, kind: l.kind as TxnKind })) };
  }

  /** Check the books of one community (or all): every transaction balances, every cache is the SUM. */
  verify(communityId?: string): LedgerCheck {
    return this.#ledger.verify(communityId);
  }
}
