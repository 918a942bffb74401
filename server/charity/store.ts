/**
 * What the aggregates of charity resources share: their prepared statements (prepared once, when
 * the server starts), the fund's ledger, the checks of what a body names (the project or need a
 * gift or a disbursement goes to, an item of goods), the stock on hand that gifts add to and
 * disbursements take from, and the journal row of a change. One store per database; the
 * aggregate services (donations.ts, disbursements.ts, goods.ts, fund.ts) each take it, so work
 * that spans two of them (a gift of goods adds to the stock, a disbursement takes from it) goes
 * through the store and never through another aggregate's privates.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/index.ts';
import type { WriteContext } from '../db/write-queue.ts';
import { feedText, type JournalWriter, type SubjectChange } from '../kernel/journal.ts';
import { DomainError } from '../errors.ts';
import { invalidField } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { FeedDraft, ServiceCategory } from '../../shared/subjects.ts';
import { singlesOut } from '../../shared/disclosure.ts';
import type { CharityEntity, CharityEntryType } from '../../shared/charity.ts';
import { FundLedger, type Designation } from './ledger.ts';
import { DISBURSEMENT_SELECT, DONATION_SELECT, goodsFromRow, type GoodsRecord } from './record.ts';

/** Project statuses that take no more gifts or payments. */
export const CLOSED_PROJECT: ReadonlySet<string> = new Set(['completed', 'cancelled']);
const CLOSED_NEED: ReadonlySet<string> = new Set(['closed']);
/** No project status refused here (a payment's project is `chargeProject`'s to refuse). */
export const NONE: ReadonlySet<string> = new Set();

/** Where a gift or a disbursement goes, as far as the charity books need to know. */
export interface Target {
  projectId: number | null;
  needId: number | null;
  gridId: string | null;
  /** People the need concerns (a disbursement to it counts them as beneficiaries); 0 without a need. */
  beneficiaries: number;
  /** Names the target's records carry (the need's resident), masked if they turn up in free text. */
  names: string[];
  /**
   * The need's category when it could single out a key population's resident: the wall's line
   * names that category instead of the typed purpose, with no grid (shared/disclosure.ts).
   */
  guardedCategory: ServiceCategory | null;
}

/** The grid a feed line and the wall's figures give `t`: none for a need that could single someone out. */
export const publicGrid = (t: Target): string | null => (t.guardedCategory ? null : t.gridId);

/** The restricted account a target's designated money sits in: the project's, else the need's. */
export function designationOf(t: Target): Designation {
  if (t.projectId !== null) return { projectId: t.projectId };
  if (t.needId !== null) return { needId: t.needId };
  throw new Error('a designation names a project or a need');
}

/** A project or a need that can still receive, for forms and the demo. */
export interface OpenTarget {
  kind: 'project' | 'need';
  id: number;
  name: string;
  gridId: string | null;
}

/** The statements, by name; the SQL is the reference for each (positional parameters). */
type Statements = Record<
  | 'project' | 'need' | 'goods' | 'goodsByName' | 'insertGoods' | 'addStock' | 'takeStock' | 'movement' | 'stockValue' | 'movements'
  | 'nextDonationId' | 'insertDonation' | 'donation' | 'receipt' | 'insertDisbursement' | 'disbursement'
  | 'moneyGiven' | 'moneyPaid' | 'goodsBooks' | 'restrictedNames' | 'openProjects' | 'openNeeds',
  Statement
>;

export class CharityStore {
  readonly db: Db;
  readonly stmt: Statements;
  /** The community fund's book of the one ledger: every movement of money goes through it. */
  readonly ledger: FundLedger;
  #journal: JournalWriter;

  constructor(db: Db, journal: JournalWriter) {
    this.db = db;
    this.#journal = journal;
    this.ledger = new FundLedger(db);
    this.stmt = {
      project: db.prepare('SELECT id, community_id, name, status, grid_id FROM projects WHERE id = ?'),
      need: db.prepare('SELECT id, community_id, title, category, status, grid_id, beneficiaries, resident_name, populations FROM needs WHERE id = ?'),
      goods: db.prepare('SELECT * FROM goods WHERE id = ?'),
      goodsByName: db.prepare('SELECT * FROM goods WHERE community_id = ? AND name = ? AND unit = ?'),
      insertGoods: db.prepare('INSERT INTO goods (community_id, name, unit, on_hand, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)'),
      addStock: db.prepare('UPDATE goods SET on_hand = on_hand + ?, updated_at = ? WHERE id = ?'),
      takeStock: db.prepare('UPDATE goods SET on_hand = on_hand - ?, updated_at = ? WHERE id = ? AND on_hand >= ?'),
      movement: db.prepare('INSERT INTO goods_movements (goods_id, delta, donation_id, disbursement_id, at) VALUES (?, ?, ?, ?, ?)'),
      stockValue: db.prepare(
        `SELECT (SELECT COALESCE(SUM(value_cents), 0) FROM donations WHERE goods_id = ?)
              - (SELECT COALESCE(SUM(value_cents), 0) FROM disbursements WHERE goods_id = ?) AS v`,
      ),
      movements: db.prepare(
        `SELECT * FROM (
           SELECT m.*, SUM(m.delta) OVER (ORDER BY m.id ROWS UNBOUNDED PRECEDING) AS on_hand_after
             FROM goods_movements m WHERE m.goods_id = ?
         ) WHERE id < ? ORDER BY id DESC LIMIT ?`,
      ),
      nextDonationId: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM donations'),
      insertDonation: db.prepare(
        `INSERT INTO donations (id, community_id, receipt_no, donor_kind, donor_name, donor_phone, anonymous, public_name, kind,
                                amount_cents, goods_id, quantity, value_cents, project_id, need_id, note, received_at, recorded_at,
                                recorded_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      donation: db.prepare(`${DONATION_SELECT} WHERE d.id = ?`),
      receipt: db.prepare(`${DONATION_SELECT} WHERE d.receipt_no = ?`),
      insertDisbursement: db.prepare(
        `INSERT INTO disbursements (community_id, kind, source, amount_cents, goods_id, quantity, value_cents, project_id, need_id,
                                    purpose, approved_by, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      disbursement: db.prepare(`${DISBURSEMENT_SELECT} WHERE b.id = ?`),
      moneyGiven: db.prepare("SELECT COALESCE(SUM(amount_cents), 0) AS s FROM donations WHERE community_id = ? AND kind = 'money'"),
      moneyPaid: db.prepare("SELECT COALESCE(SUM(amount_cents), 0) AS s FROM disbursements WHERE community_id = ? AND kind = 'money'"),
      goodsBooks: db.prepare(
        `SELECT g.id, g.name, g.unit, g.on_hand,
                (SELECT COALESCE(SUM(quantity), 0) FROM donations WHERE goods_id = g.id) AS received,
                (SELECT COALESCE(SUM(quantity), 0) FROM disbursements WHERE goods_id = g.id) AS given_out,
                (SELECT COALESCE(SUM(delta), 0) FROM goods_movements WHERE goods_id = g.id) AS movements
           FROM goods g WHERE g.community_id = ? ORDER BY g.id`,
      ),
      restrictedNames: db.prepare(
        `SELECT a.id, p.name AS project_name, n.title AS need_title, n.resident_name AS need_resident
           FROM fund_accounts a LEFT JOIN projects p ON p.id = a.project_id LEFT JOIN needs n ON n.id = a.need_id
          WHERE a.community_id = ? AND a.kind = 'restricted'`,
      ),
      openProjects: db.prepare(
        "SELECT id, name, grid_id FROM projects WHERE community_id = ? AND status IN ('planned', 'active') ORDER BY id",
      ),
      openNeeds: db.prepare(
        "SELECT id, title, grid_id, resident_name FROM needs WHERE community_id = ? AND status NOT IN ('met', 'rated', 'closed') ORDER BY id DESC LIMIT 200",
      ),
    };
  }

  // ---- what a body names: unknown is a 400 on that field, not a 404 ---------------------------

  /**
   * The project and/or need named in a body: of this community (else 400), not in a status of
   * `closedProject` nor a closed need (else 409 `error.charity_target_closed`).
   */
  target(
    p: Principal, ids: { projectId?: number | undefined; needId?: number | undefined }, closedProject: ReadonlySet<string> = CLOSED_PROJECT,
  ): Target {
    const t: Target = { projectId: null, needId: null, gridId: null, beneficiaries: 0, names: [], guardedCategory: null };
    if (ids.projectId !== undefined) {
      const row = this.stmt.project.get(ids.projectId) as
        | { id: number; community_id: string; name: string; status: string; grid_id: string | null }
        | undefined;
      if (!row || row.community_id !== p.communityId) invalidField('projectId', `no project ${ids.projectId} in this community`);
      if (closedProject.has(row.status)) {
        throw new DomainError(409, 'error.charity_target_closed', `project ${row.id} is ${row.status}`, undefined, { status: row.status });
      }
      t.projectId = row.id;
      t.gridId = row.grid_id;
    }
    if (ids.needId !== undefined) {
      const row = this.stmt.need.get(ids.needId) as
        | {
          id: number; community_id: string; title: string; category: ServiceCategory; status: string; grid_id: string | null;
          beneficiaries: number; resident_name: string | null; populations: string;
        }
        | undefined;
      if (!row || row.community_id !== p.communityId) invalidField('needId', `no need ${ids.needId} in this community`);
      if (CLOSED_NEED.has(row.status)) {
        throw new DomainError(409, 'error.charity_target_closed', `need ${row.id} is ${row.status}`, undefined, { status: row.status });
      }
      t.needId = row.id;
      t.gridId = row.grid_id ?? t.gridId;
      t.beneficiaries = row.beneficiaries;
      if (row.resident_name) t.names.push(row.resident_name);
      if (singlesOut(JSON.parse(row.populations) as string[], row.beneficiaries)) t.guardedCategory = row.category;
    }
    return t;
  }

  /** Goods named in a body (`goodsId`): of this community, else 400. */
  goodsRef(p: Principal, id: number): GoodsRecord {
    const row = this.stmt.goods.get(id) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) invalidField('goodsId', `no goods ${id} in this community`);
    return goodsFromRow(row);
  }

  // ---- the stock on hand: gifts add to it, disbursements take from it -----------------------

  /** The item with this name and unit, created on its first gift. */
  goodsFor(communityId: string, name: string, unit: string, now: number): GoodsRecord {
    const row = this.stmt.goodsByName.get(communityId, name, unit);
    if (row) return goodsFromRow(row);
    const id = Number(this.stmt.insertGoods.run(communityId, name, unit, now, now).lastInsertRowid);
    return goodsFromRow(this.stmt.goods.get(id));
  }

  /** Add a gift's `quantity` to the stock of `goodsId`, with its movement at `at` (when it was received). */
  receiveGoods(goodsId: number, quantity: number, donationId: number, at: number, now: number): void {
    this.stmt.addStock.run(quantity, now, goodsId);
    this.stmt.movement.run(goodsId, quantity, donationId, null, at);
  }

  /**
   * What the stock of `goods` is estimated to be worth now: the value of its gifts less the value
   * of what was given out (never below zero).
   */
  stockValue(goods: GoodsRecord): number {
    return Math.max(0, (this.stmt.stockValue.get(goods.id, goods.id) as { v: number }).v);
  }

  /** Take a disbursement's `quantity` off the stock of `goods`, with its movement; 409 if it ran out meanwhile. */
  giveOutGoods(goods: GoodsRecord, quantity: number, disbursementId: number, now: number): void {
    // The guard in the WHERE clause is the stock check restated where it cannot race.
    if (this.stmt.takeStock.run(quantity, now, goods.id, quantity).changes !== 1) {
      throw new DomainError(409, 'error.insufficient_goods', `${goods.name} ran out`, undefined, { onHand: goods.onHand, needed: quantity });
    }
    this.stmt.movement.run(goods.id, -quantity, null, disbursementId, now);
  }

  // ---- the targets and the journal -----------------------------------------------------------

  /** Projects (planned or active) and needs (not yet met or closed) of a community, projects first; a need's title masked. */
  openTargets(communityId: string): OpenTarget[] {
    const projects = (this.stmt.openProjects.all(communityId) as { id: number; name: string; grid_id: string | null }[])
      .map((r) => ({ kind: 'project' as const, id: r.id, name: r.name, gridId: r.grid_id }));
    // A need by its title, with its resident's name masked should the title carry it.
    const needs = (this.stmt.openNeeds.all(communityId) as { id: number; title: string; grid_id: string | null; resident_name: string | null }[])
      .map((r) => ({ kind: 'need' as const, id: r.id, name: feedText(r.title, [r.resident_name]), gridId: r.grid_id }));
    return [...projects, ...needs];
  }

  /** The journal row of a change (and its feed line, if any), inside the write that makes it. */
  write(
    ctx: WriteContext<SubjectChange>, p: Principal, at: number, type: CharityEntryType, entity: CharityEntity, entityId: number,
    data: Record<string, unknown>, feed: FeedDraft | null,
  ): void {
    this.#journal.write(ctx, p, at, { subject: 'charity', type, entity, entityId, data, feed });
  }
}
