/**
 * Service records (服务记录): what a volunteer's hours were spent on, each with its certificate
 * number (ZYFW-2026-000123), the basis of the printed certificate. A record is issued by a
 * check-out (`SignupService.checkOut`) and never changed; here it is read back, and corrected.
 *
 * A correction (更正) is a NEW entry naming the record it corrects, with hours and points added
 * or taken away and a reason: the record stays as it was issued, and what it nets to is the
 * record plus its corrections. Points move through the points ledger as a transaction of their
 * own (issuance ↔ the volunteer), so the books still balance; a correction never takes a
 * record's hours or points, or the volunteer's balance, below zero.
 */
import { pageOf, type Page } from '../db/page.ts';
import type { WriteQueue } from '../db/write-queue.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import type { Directory } from '../kernel/community.ts';
import { notFound } from '../errors.ts';
import { authorise, invalidField } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { CorrectionBody, CorrectionReason, PageQuery } from '../../shared/volunteers.ts';
import { MANAGE, STAFF } from './access.ts';
import { serviceRecordFromRow, type ServiceRecord } from './record.ts';
import type { VolunteerParts, VolunteerStore } from './store.ts';

export interface CorrectionRecord {
  id: number;
  volunteerId: number;
  recordId: number;
  hours: number;
  points: number;
  reason: CorrectionReason;
  note: string;
  txnId: number | null;
  at: number;
  actor: string;
}

/** A record with its corrections and what they net to. */
export interface HistoryRecord extends ServiceRecord {
  corrections: CorrectionRecord[];
  netHours: number;
  netPoints: number;
}

type Row = any;

export const correctionFromRow = (r: Row): CorrectionRecord => ({
  id: r.id, volunteerId: r.volunteer_id, recordId: r.record_id, hours: r.hours, points: r.points, reason: r.reason,
  note: r.note, txnId: r.txn_id, at: r.at, actor: r.actor,
});

/** Service records: a volunteer's, one by its certificate number, and their corrections. */
export class ServiceRecordService {
  #store: VolunteerStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #metrics: VolunteerParts['metrics'];
  #now: () => number;

  constructor(parts: VolunteerParts) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#dir = parts.directory;
    this.#metrics = parts.metrics;
    this.#now = parts.now;
  }

  /** A volunteer's service records, newest first. */
  list(p: Principal, volunteerId: number, q: PageQuery): Page<ServiceRecord> {
    this.#store.volunteer(p, volunteerId);
    const rows = this.#store.stmt.recordsOf.all(volunteerId, q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER, q.limit + 1);
    return pageOf(rows.map(serviceRecordFromRow), q.limit);
  }

  /** A page of `list` with each record's corrections and its net hours and points. */
  history(p: Principal, volunteerId: number, q: PageQuery): Page<HistoryRecord> {
    const page = this.list(p, volunteerId, q);
    return { items: this.withCorrections(page.items), nextCursor: page.nextCursor };
  }

  /** Every record of a volunteer, oldest first, with its corrections (the service ledger export). */
  all(p: Principal, volunteerId: number): HistoryRecord[] {
    this.#store.volunteer(p, volunteerId);
    return this.withCorrections(this.#store.stmt.allRecordsOf.all(volunteerId).map(serviceRecordFromRow));
  }

  /** `records` each with its corrections and net figures. */
  withCorrections(records: ServiceRecord[]): HistoryRecord[] {
    const byRecord = new Map<number, CorrectionRecord[]>();
    if (records.length) {
      for (const row of this.#store.stmt.correctionsOfRecords.all(JSON.stringify(records.map((r) => r.id)))) {
        const c = correctionFromRow(row);
        byRecord.set(c.recordId, [...(byRecord.get(c.recordId) ?? []), c]);
      }
    }
    return records.map((r) => {
      const corrections = byRecord.get(r.id) ?? [];
      return {
        ...r, corrections,
        netHours: r.hours + corrections.reduce((s, c) => s + c.hours, 0),
        netPoints: r.points + corrections.reduce((s, c) => s + c.points, 0),
      };
    });
  }

  /**
   * Correct one of a volunteer's records: a new entry with its reason, hours and points, never
   * an edit. 400 naming `recordId` for a record not theirs, `hours`/`points` for a correction
   * that would take the record below zero; 409 `error.version_conflict` when the volunteer
   * changed since `expectedVersion`; 409 `error.insufficient_points` when the points are spent.
   */
  async correct(p: Principal, volunteerId: number, body: CorrectionBody): Promise<CorrectionRecord> {
    authorise(p, MANAGE, 'correct service records');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const { stmt, ledger } = this.#store;
      const v = this.#store.volunteer(p, volunteerId);
      this.#store.checkVersion(p, v, body.expectedVersion, this.#dir.timeZoneOf(p.communityId));
      const row = stmt.record.get(body.recordId);
      if (!row || (row as { volunteer_id: number }).volunteer_id !== v.id) {
        invalidField('recordId', `no service record ${body.recordId} of volunteer ${v.id}`);
      }
      const record = serviceRecordFromRow(row);
      const net = stmt.recordNet.get(record.id) as { hours: number; points: number };
      if (net.hours + body.hours < 0) invalidField('hours', `would take the record's ${net.hours} hours below zero`);
      if (net.points + body.points < 0) invalidField('points', `would take the record's ${net.points} points below zero`);
      let txnId: number | null = null;
      if (body.points !== 0) {
        const account = ledger.volunteerAccount(p.communityId, v.id, now);
        txnId = ledger.post({
          communityId: p.communityId, kind: 'earn', at: now, actor: p.id,
          memo: `更正 ${record.certificateNo} ${body.reason}`,
          legs: [
            { accountId: ledger.systemAccount(p.communityId, 'issuance', now), amount: -body.points },
            { accountId: account, amount: body.points },
          ],
        });
      }
      const id = Number(stmt.insertCorrection.run(p.communityId, v.id, record.id, body.hours, body.points, body.reason, body.note,
        txnId, now, p.id).lastInsertRowid);
      stmt.touchVolunteer.run(now, v.id);
      // The service metrics (the wall's hours) move by the correction too, in the same write.
      if (body.hours !== 0) {
        const gridId = (stmt.activity.get(record.activityId) as { grid_id: string | null } | undefined)?.grid_id ?? null;
        this.#metrics.bump(p.communityId, now, 'volunteer', gridId, { serviceMinutes: Math.round(body.hours * 60) });
      }
      const data = { recordId: record.id, correctionId: id, hours: body.hours, points: body.points, reason: body.reason, by: p.id };
      this.#store.entry(ctx, p, now, 'volunteer.service_corrected', 'volunteer', v.id, data);
      if (txnId !== null) this.#store.entry(ctx, p, now, 'volunteer.service_corrected', 'points_txn', txnId, data);
      return { id, volunteerId: v.id, recordId: record.id, hours: body.hours, points: body.points, reason: body.reason, note: body.note, txnId, at: now, actor: p.id };
    });
  }

  /** Who made a correction, as people know them. */
  actorName(actor: string): string {
    return (this.#store.stmt.displayName.get(actor) as string | undefined) ?? actor;
  }

  /** A certificate by its number (ZYFW-2026-000123): the basis of the printed certificate. */
  certificate(p: Principal, certificateNo: string): ServiceRecord {
    authorise(p, STAFF, 'see certificates');
    const row = this.#store.stmt.certificate.get(certificateNo) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) throw notFound(`certificate ${certificateNo}`);
    return serviceRecordFromRow(row);
  }
}
