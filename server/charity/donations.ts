/**
 * Donations (捐赠): gifts of money and goods, each with its receipt number (JZ-2026-000123).
 * Money goes into the fund, or into the restricted account of the project or need it was
 * designated to, through the fund's ledger; goods add to the stock on hand of their item. The
 * donor is named in full to staff only: the wall's feed shows `publicDonor` (爱心人士, 王*, or
 * the name an enterprise agreed to).
 */
import { pageOf, type Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { Directory } from '../kernel/community.ts';
import type { SubjectServiceDeps } from '../kernel/deps.ts';
import { feedText, type SubjectChange } from '../kernel/journal.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { authorise, instantFrom, ownRow } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { FeedDraft } from '../../shared/subjects.ts';
import { wallTime } from '../../shared/time.ts';
import { publicDonor, receiptNumber, yuan, type ListDonationsQuery, type RecordDonationBody } from '../../shared/charity.ts';
import { RECEIVE, RECORDS } from './access.ts';
import { DONATION_SELECT, donationFromRow, type DonationRecord, type GoodsRecord } from './record.ts';
import { designationOf, publicGrid, type CharityStore } from './store.ts';

/** Gifts: `charity.donations.record(...)`, `.get`, `.receipt`, `.list`. */
export class DonationService {
  #store: CharityStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;
  #metrics: Metrics;

  constructor(deps: SubjectServiceDeps, store: CharityStore) {
    this.#store = store;
    this.#queue = deps.queue;
    this.#dir = deps.directory;
    this.#now = deps.now;
    this.#metrics = deps.metrics;
  }

  /**
   * Record a gift and issue its receipt number. Money goes into the fund (or the restricted
   * account of the project or need it is designated to) through the ledger; goods add to the
   * stock on hand of their item (same name and unit). `receivedAt` may lie in the past (a paper
   * receipt entered later), never in the future. Raised-money metrics count the gift at the
   * hour it was received; the wall's feed names the donor only as `publicDonor` allows.
   */
  async record(p: Principal, body: RecordDonationBody): Promise<DonationRecord> {
    authorise(p, RECEIVE, 'record donations');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt, ledger } = this.#store;
      const receivedAt = instantFrom('receivedAt', body.receivedAt, now);
      const target = this.#store.target(p, { projectId: body.projectId, needId: body.needId });
      const tz = this.#dir.timeZoneOf(p.communityId);
      const id = (stmt.nextDonationId.get() as { n: number }).n;
      const receiptNo = receiptNumber(wallTime(receivedAt, tz).year, id);
      let goods: GoodsRecord | null = null;
      if (body.kind === 'goods') goods = this.#store.goodsFor(p.communityId, body.item, body.unit, now);
      const valueCents = body.kind === 'money' ? body.amountCents : body.valueCents;
      stmt.insertDonation.run(id, p.communityId, receiptNo, body.donorKind, body.donorName, body.donorPhone ?? null, body.anonymous ? 1 : 0,
        body.publicName ?? null, body.kind, body.kind === 'money' ? body.amountCents : null, goods?.id ?? null,
        body.kind === 'goods' ? body.quantity : null, valueCents, target.projectId, target.needId, body.note, receivedAt, now, p.id);

      if (body.kind === 'money') {
        const into = target.projectId !== null || target.needId !== null
          ? ledger.restrictedAccount(p.communityId, designationOf(target), now)
          : ledger.systemAccount(p.communityId, 'fund', now);
        ledger.post({
          communityId: p.communityId, kind: 'donation', donationId: id, at: receivedAt, actor: p.id, memo: receiptNo,
          legs: [
            { accountId: ledger.systemAccount(p.communityId, 'donors', now), amount: -body.amountCents },
            { accountId: into, amount: body.amountCents },
          ],
        });
      } else {
        this.#store.receiveGoods(goods!.id, body.quantity, id, receivedAt, now);
      }

      if (valueCents > 0) this.#metrics.bump(p.communityId, receivedAt, 'charity', publicGrid(target), { raisedCents: valueCents });
      const donor = publicDonor(body.donorKind, body.anonymous, body.publicName);
      const feed: FeedDraft = body.kind === 'money'
        ? { subject: 'charity', key: 'feed.charity.donated_money', params: { donor, amount: yuan(body.amountCents) }, gridId: publicGrid(target) }
        : {
          subject: 'charity', key: 'feed.charity.donated_goods',
          params: { donor, item: feedText(goods!.name, [body.donorName]), quantity: body.quantity, unit: feedText(goods!.unit) },
          gridId: publicGrid(target),
        };
      this.#store.write(ctx, p, now, 'charity.donation_received', 'donation', id, {
        receiptNo, kind: body.kind, valueCents, goodsId: goods?.id ?? null, quantity: body.kind === 'goods' ? body.quantity : null,
        projectId: target.projectId, needId: target.needId, receivedAt,
      }, feed);
      return donationFromRow(stmt.donation.get(id));
    });
  }

  /** A donation with its donor in full: the office's, not the street's (RECORDS). */
  get(p: Principal, id: number): DonationRecord {
    authorise(p, RECORDS, 'see donations');
    return donationFromRow(ownRow(p, this.#store.stmt.donation.get(id), `donation ${id}`));
  }

  /** A donation by its receipt number (JZ-2026-000123): the basis of the printed receipt. */
  receipt(p: Principal, receiptNo: string): DonationRecord {
    authorise(p, RECORDS, 'see receipts');
    return donationFromRow(ownRow(p, this.#store.stmt.receipt.get(receiptNo), `receipt ${receiptNo}`));
  }

  /** Newest recorded first; the cursor is the id of the last donation of the previous page. */
  list(p: Principal, q: ListDonationsQuery): Page<DonationRecord> {
    authorise(p, RECORDS, 'see donations');
    const where = ['d.community_id = @community'];
    const params: Record<string, unknown> = { community: p.communityId, limit: q.limit + 1 };
    if (q.kind) (where.push('d.kind = @kind'), (params.kind = q.kind));
    if (q.donorKind) (where.push('d.donor_kind = @donorKind'), (params.donorKind = q.donorKind));
    if (q.project !== undefined) (where.push('d.project_id = @project'), (params.project = q.project));
    if (q.need !== undefined) (where.push('d.need_id = @need'), (params.need = q.need));
    if (q.from) (where.push('d.received_at >= @from'), (params.from = Date.parse(q.from)));
    if (q.to) (where.push('d.received_at < @to'), (params.to = Date.parse(q.to)));
    if (q.cursor) (where.push('d.id < @cursor'), (params.cursor = Number(q.cursor)));
    const rows = this.#store.db.prepare(`${DONATION_SELECT} WHERE ${where.join(' AND ')} ORDER BY d.id DESC LIMIT @limit`).all(params);
    return pageOf(rows.map(donationFromRow), q.limit);
  }
}
