/**
 * Disbursements (拨付 · 发放): money paid out of the fund or out of what was designated to a
 * project or need, and goods handed out from the stock on hand. However many race, the fund,
 * a restricted account and the stock never go below zero: the queue runs writes one after
 * another, so a balance or a stock checked inside a write still holds when it commits.
 */
import { pageOf, type Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { DomainError } from '../errors.ts';
import { authorise, ownRow } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { serviceCategoryZh, type FeedDraft } from '../../shared/subjects.ts';
import { yuan, type DisburseBody, type ListDisbursementsQuery } from '../../shared/charity.ts';
import { chargeProject } from '../orgs/spending.ts';
import { PAY, RECEIVE, RECORDS } from './access.ts';
import { DISBURSEMENT_SELECT, disbursementFromRow, type DisbursementRecord } from './record.ts';
import { CLOSED_PROJECT, NONE, designationOf, publicGrid, type CharityStore } from './store.ts';

/** Money paid and goods given out: `charity.disbursements.disburse(...)`, `.get`, `.list`. */
export class DisbursementService {
  #store: CharityStore;
  #queue: WriteQueue<SubjectChange>;
  #now: () => number;
  #metrics: Metrics;

  constructor(deps: SubjectServiceDeps, store: CharityStore) {
    this.#store = store;
    this.#queue = deps.queue;
    this.#now = deps.now;
    this.#metrics = deps.metrics;
  }

  /**
   * Pay money or hand out goods to a project or a need. Money comes out of the fund, or out of
   * the money designated to the target (`from: 'restricted'`), into paid-out; a payment to a
   * project adds to its spending in the same write (projects.spent_cents, through the
   * organizations' `chargeProject`, which refuses a project not running or a payment past its
   * budget). Goods come off the stock on hand, valued at their share of what the remaining stock
   * was estimated to be worth.
   * Refused with 409 `error.insufficient_funds`, `error.insufficient_goods`,
   * `error.project_not_active` or `error.over_budget`, and then nothing changes.
   */
  async disburse(p: Principal, body: DisburseBody): Promise<DisbursementRecord> {
    authorise(p, body.kind === 'money' ? PAY : RECEIVE, body.kind === 'money' ? 'pay money out of the fund' : 'give out goods');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt, ledger } = this.#store;
      // For money, whether a project can be paid is `chargeProject`'s rule (below).
      const target = this.#store.target(p, { projectId: body.projectId, needId: body.needId }, body.kind === 'money' ? NONE : CLOSED_PROJECT);
      let id: number;
      let valueCents: number;
      let feed: FeedDraft;
      // A need that could single a resident out is named by its category, not the typed purpose.
      const guarded = target.guardedCategory;
      const why: Record<string, string> = guarded
        ? { category: serviceCategoryZh(guarded), categoryCode: guarded }
        : { purpose: feedText(body.purpose, target.names) };
      const key = (k: 'feed.charity.disbursed_money' | 'feed.charity.disbursed_goods') => (guarded ? `${k}_protected` : k);

      if (body.kind === 'money') {
        const from = body.from === 'fund'
          ? ledger.findSystem(p.communityId, 'fund')
          : ledger.findRestricted(designationOf(target));
        const balance = ledger.balance(from);
        if (from === null || balance < body.amountCents) {
          throw new DomainError(409, 'error.insufficient_funds',
            `the ${body.from} balance is ${balance} fen; ${body.amountCents} are needed`, undefined,
            { balanceCents: balance, neededCents: body.amountCents, account: body.from });
        }
        // Money to a project is its spending: refused for a project not running or over its budget.
        if (target.projectId !== null) chargeProject(this.#store.db, p.communityId, target.projectId, body.amountCents, now);
        valueCents = body.amountCents;
        id = Number(stmt.insertDisbursement.run(p.communityId, body.kind, body.from, body.amountCents, null, null, valueCents,
          target.projectId, target.needId, body.purpose, p.id, now).lastInsertRowid);
        ledger.post({
          communityId: p.communityId, kind: 'disbursement', disbursementId: id, at: now, actor: p.id, memo: body.purpose,
          legs: [
            { accountId: from, amount: -body.amountCents },
            { accountId: ledger.systemAccount(p.communityId, 'paid_out', now), amount: body.amountCents },
          ],
        });
        feed = { subject: 'charity', key: key('feed.charity.disbursed_money'), params: { amount: yuan(body.amountCents), ...why }, gridId: publicGrid(target) };
      } else {
        const goods = this.#store.goodsRef(p, body.goodsId);
        if (goods.onHand < body.quantity) {
          throw new DomainError(409, 'error.insufficient_goods', `${goods.onHand} ${goods.unit} of ${goods.name} on hand, ${body.quantity} asked for`,
            undefined, { onHand: goods.onHand, needed: body.quantity });
        }
        const stockValue = this.#store.stockValue(goods);
        valueCents = body.quantity === goods.onHand ? stockValue : Math.round((stockValue * body.quantity) / goods.onHand);
        id = Number(stmt.insertDisbursement.run(p.communityId, body.kind, null, null, goods.id, body.quantity, valueCents,
          target.projectId, target.needId, body.purpose, p.id, now).lastInsertRowid);
        this.#store.giveOutGoods(goods, body.quantity, id, now);
        feed = {
          subject: 'charity', key: key('feed.charity.disbursed_goods'),
          params: { item: feedText(goods.name), quantity: body.quantity, unit: feedText(goods.unit), ...why }, gridId: publicGrid(target),
        };
      }

      this.#metrics.bump(p.communityId, now, 'charity', publicGrid(target), {
        disbursedCents: valueCents, ...(target.needId !== null ? { services: 1, beneficiaries: target.beneficiaries } : {}),
      });
      this.#store.write(ctx, p, now, 'charity.disbursed', 'disbursement', id, {
        kind: body.kind, source: body.kind === 'money' ? body.from : null, valueCents,
        goodsId: body.kind === 'goods' ? body.goodsId : null, quantity: body.kind === 'goods' ? body.quantity : null,
        projectId: target.projectId, needId: target.needId,
      }, feed);
      return disbursementFromRow(stmt.disbursement.get(id));
    });
  }

  /** A disbursement, with who approved it (RECORDS). */
  get(p: Principal, id: number): DisbursementRecord {
    authorise(p, RECORDS, 'see disbursements');
    return disbursementFromRow(ownRow(p, this.#store.stmt.disbursement.get(id), `disbursement ${id}`));
  }

  /** Newest first; the cursor is the id of the last disbursement of the previous page. */
  list(p: Principal, q: ListDisbursementsQuery): Page<DisbursementRecord> {
    authorise(p, RECORDS, 'see disbursements');
    const where = ['b.community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.kind) (where.push('b.kind = @kind'), (params.kind = q.kind));
    if (q.project !== undefined) (where.push('b.project_id = @project'), (params.project = q.project));
    if (q.need !== undefined) (where.push('b.need_id = @need'), (params.need = q.need));
    if (q.from) (where.push('b.at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('b.at < @to'), (params.to = Date.parse(q.to)));
    if (q.cursor) (where.push('b.id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#store.db.prepare(`${DISBURSEMENT_SELECT} WHERE ${where.join(' AND ')} ORDER BY b.id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(disbursementFromRow), q.limit);
  }
}
