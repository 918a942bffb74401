/**
 * The one double-entry ledger of the community: volunteers' points (积分账本, in points) and the
 * charity fund (慈善资金账, in fen) are two books kept by this same engine. Every movement is a
 * transaction of two or more entries that sum to zero; a balance is the SUM of an account's
 * entries, cached in its `balance` column by the same write; `verify` holds the two together.
 * Accounts of the guarded kinds (a volunteer's points, the fund, money designated to a project)
 * never go below zero: `post` refuses with the book's 409 and a CHECK constraint backs it up.
 * There is no overdraft under concurrency because every post runs inside the one writer's
 * transaction (`queue.run`), which reads the balance and moves it with nothing in between.
 *
 * A book is three tables, `<book>_accounts (id, community_id, kind, balance, …)`,
 * `<book>_txns (id, community_id, kind, at, actor, memo, …)` and
 * `<book>_entries (id, txn_id, account_id, amount, at, …)`; what each book adds (the fund's
 * donation and disbursement, the points' memo on each entry) is declared in `LedgerBook`. What an
 * account is (a volunteer's, a project's) stays with the subject (server/volunteers/ledger.ts,
 * server/charity/ledger.ts).
 */
import type { Db } from '../db/index.ts';
import { pageOf, type Page } from '../db/page.ts';
import type { DomainError } from '../errors.ts';

export interface Leg {
  accountId: number;
  amount: number;
}

/** What a book is: its tables, the kinds that may not go below zero and how a refusal reads. */
export interface LedgerBook {
  /** The tables' prefix: `points` → points_accounts, points_txns, points_entries. */
  name: 'points' | 'fund';
  /** Account kinds whose balance never goes below zero. */
  guarded: readonly string[];
  /** The 409 when a guarded account would go below zero by `needed`. */
  overdraft(account: { kind: string; balance: number }, needed: number): DomainError;
  /** Columns a transaction row carries besides the common ones (the fund's donation_id, disbursement_id). */
  txnColumns?: readonly string[];
  /** Whether each entry repeats its transaction's memo (the points book does). */
  entryMemo?: boolean;
}

export interface Posting {
  communityId: string;
  kind: string;
  at: number;
  actor: string;
  memo?: string | null;
  legs: Leg[];
  /** Values of the book's `txnColumns`, by column name (missing = NULL). */
  refs?: Record<string, number | null | undefined>;
}

export interface LedgerEntryLine {
  entryId: number;
  txnId: number;
  kind: string;
  amount: number;
  balanceAfter: number;
  memo: string | null;
  at: number;
  /** The book's `txnColumns` of the entry's transaction. */
  refs: Record<string, number | null>;
}

export interface LedgerCheck {
  /** Transactions whose entries do not sum to zero, or that have fewer than two. */
  unbalancedTxns: number[];
  /** Accounts whose cached balance differs from the SUM of their entries. */
  driftedAccounts: { accountId: number; cached: number; derived: number }[];
  /** Guarded accounts below zero. */
  overdrawnAccounts: number[];
  /** The sum of every entry: zero when the books balance. */
  total: number;
  ok: boolean;
}

/** A programming error, never a user's: the caller built a transaction that does not balance. */
export class UnbalancedTransactionError extends Error {}

/** Refuse a transaction that is not double entry: two legs or more, whole non-zero amounts summing to zero, each account once. */
export function assertBalanced(legs: readonly Leg[]): void {
  if (legs.length < 2) throw new UnbalancedTransactionError('a transaction has at least two entries');
  let sum = 0;
  for (const l of legs) {
    if (!Number.isSafeInteger(l.amount) || l.amount === 0) {
      throw new UnbalancedTransactionError(`entry amounts are non-zero whole units, not ${l.amount}`);
    }
    sum += l.amount;
  }
  if (sum !== 0) throw new UnbalancedTransactionError(`entries sum to ${sum}, not 0`);
  if (new Set(legs.map((l) => l.accountId)).size !== legs.length) {
    throw new UnbalancedTransactionError('each account appears once in a transaction');
  }
}

export class Ledger {
  #db: Db;
  #book: LedgerBook;
  #refs: readonly string[];
  #stmt;

  constructor(db: Db, book: LedgerBook) {
    this.#db = db;
    this.#book = book;
    this.#refs = book.txnColumns ?? [];
    const n = book.name;
    const refCols = this.#refs.map((c) => `, ${c}`).join('');
    const refMarks = this.#refs.map(() => ', ?').join('');
    const refSelect = this.#refs.map((c) => `, t.${c}`).join('');
    this.#stmt = {
      account: db.prepare(`SELECT id, community_id, kind, balance FROM ${n}_accounts WHERE id = ?`),
      txn: db.prepare(`INSERT INTO ${n}_txns (community_id, kind, at, actor, memo${refCols}) VALUES (?, ?, ?, ?, ?${refMarks})`),
      entry: book.entryMemo
        ? db.prepare(`INSERT INTO ${n}_entries (txn_id, account_id, amount, at, memo) VALUES (?, ?, ?, ?, ?)`)
        : db.prepare(`INSERT INTO ${n}_entries (txn_id, account_id, amount, at) VALUES (?, ?, ?, ?)`),
      bump: db.prepare(`UPDATE ${n}_accounts SET balance = balance + ? WHERE id = ?`),
      derived: db.prepare(`SELECT COALESCE(SUM(amount), 0) AS s FROM ${n}_entries WHERE account_id = ?`),
      // The running balance comes from a window over the account's entries, oldest first.
      history: db.prepare(
        `SELECT * FROM (
           SELECT e.id, e.txn_id, e.amount, e.at, t.kind, t.memo${refSelect},
                  SUM(e.amount) OVER (ORDER BY e.id ROWS UNBOUNDED PRECEDING) AS balance_after
             FROM ${n}_entries e JOIN ${n}_txns t ON t.id = e.txn_id
            WHERE e.account_id = @account
         ) WHERE id < @cursor ORDER BY id DESC LIMIT @limit`,
      ),
    };
  }

  /** The cached balance (O(1)); equal to `derivedBalance` by construction. 0 for no account. */
  balance(accountId: number | null): number {
    if (accountId === null) return 0;
    return (this.#stmt.account.get(accountId) as { balance: number } | undefined)?.balance ?? 0;
  }

  /** The balance as the SUM of the account's entries. */
  derivedBalance(accountId: number): number {
    return (this.#stmt.derived.get(accountId) as { s: number }).s;
  }

  /**
   * Write one balanced transaction and move the cached balances; its id. Refuses with the
   * book's 409 if a guarded account would go below zero, and writes nothing then.
   */
  post(p: Posting): number {
    const book = this.#book;
    if (!this.#db.inTransaction) throw new Error(`the ${book.name} ledger posts inside a write (queue.run)`);
    assertBalanced(p.legs);
    for (const leg of p.legs) {
      const a = this.#stmt.account.get(leg.accountId) as { id: number; community_id: string; kind: string; balance: number } | undefined;
      if (!a) throw new UnbalancedTransactionError(`no ${book.name} account ${leg.accountId}`);
      if (a.community_id !== p.communityId) throw new UnbalancedTransactionError(`account ${a.id} is another community's`);
      if (book.guarded.includes(a.kind) && a.balance + leg.amount < 0) throw book.overdraft(a, -leg.amount);
    }
    const memo = p.memo ?? null;
    const txnId = Number(this.#stmt.txn.run(p.communityId, p.kind, p.at, p.actor, memo, ...this.#refs.map((c) => p.refs?.[c] ?? null))
      .lastInsertRowid);
    for (const leg of p.legs) {
      if (book.entryMemo) this.#stmt.entry.run(txnId, leg.accountId, leg.amount, p.at, memo);
      else this.#stmt.entry.run(txnId, leg.accountId, leg.amount, p.at);
      this.#stmt.bump.run(leg.amount, leg.accountId);
    }
    return txnId;
  }

  /** An account's entries, newest first, each with the balance after it. */
  history(accountId: number, q: { limit: number; cursor?: string | undefined }): Page<LedgerEntryLine> {
    const rows = this.#stmt.history.all({
      account: accountId, cursor: q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER, limit: q.limit + 1,
    }) as Record<string, unknown>[];
    const lines = rows.map((r) => ({
      entryId: r.id as number, txnId: r.txn_id as number, kind: r.kind as string, amount: r.amount as number,
      balanceAfter: r.balance_after as number, memo: r.memo as string | null, at: r.at as number,
      refs: Object.fromEntries(this.#refs.map((c) => [c, r[c] as number | null])),
    }));
    return pageOf(lines, q.limit, (l) => l.entryId);
  }

  /**
   * Check the books of one community (or of all): every transaction has two entries or more
   * summing to zero, every cached balance is the SUM of its entries, no guarded account is below
   * zero, all entries sum to zero.
   */
  verify(communityId?: string): LedgerCheck {
    const db = this.#db;
    const n = this.#book.name;
    const scope = communityId === undefined ? '' : 'WHERE t.community_id = @community';
    const params = communityId === undefined ? {} : { community: communityId };
    const unbalancedTxns = (db
      .prepare(`SELECT t.id FROM ${n}_txns t LEFT JOIN ${n}_entries e ON e.txn_id = t.id ${scope}
                GROUP BY t.id HAVING COALESCE(SUM(e.amount), 0) <> 0 OR COUNT(e.id) < 2`)
      .all(params) as { id: number }[]).map((r) => r.id);
    const accountScope = communityId === undefined ? '' : 'WHERE a.community_id = @community';
    const accounts = db
      .prepare(`SELECT a.id, a.kind, a.balance, COALESCE(SUM(e.amount), 0) AS derived
                  FROM ${n}_accounts a LEFT JOIN ${n}_entries e ON e.account_id = a.id ${accountScope}
                 GROUP BY a.id`)
      .all(params) as { id: number; kind: string; balance: number; derived: number }[];
    const driftedAccounts = accounts
      .filter((a) => a.balance !== a.derived)
      .map((a) => ({ accountId: a.id, cached: a.balance, derived: a.derived }));
    const overdrawnAccounts = accounts.filter((a) => this.#book.guarded.includes(a.kind) && a.derived < 0).map((a) => a.id);
    const total = accounts.reduce((s, a) => s + a.derived, 0);
    return {
      unbalancedTxns, driftedAccounts, overdrawnAccounts, total,
      ok: !unbalancedTxns.length && !driftedAccounts.length && !overdrawnAccounts.length && total === 0,
    };
  }
}
