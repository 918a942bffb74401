/**
 * Service records (服务记录): what a volunteer's hours were spent on, each with its certificate
 * number (ZYFW-2026-000123), the basis of the printed certificate. A record is issued by a
 * check-out (`SignupService.checkOut`) and never changed; here it is read back.
 */
import { pageOf, type Page } from '../db/page.ts';
import { notFound } from '../errors.ts';
import { authorise } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import type { PageQuery } from '../../shared/volunteers.ts';
import { STAFF } from './access.ts';
import { serviceRecordFromRow, type ServiceRecord } from './record.ts';
import type { VolunteerParts, VolunteerStore } from './store.ts';

/** Service records: a volunteer's, and one by its certificate number. */
export class ServiceRecordService {
  #store: VolunteerStore;

  constructor(parts: VolunteerParts) {
    this.#store = parts.store;
  }

  /** A volunteer's service records, newest first. */
  list(p: Principal, volunteerId: number, q: PageQuery): Page<ServiceRecord> {
    this.#store.volunteer(p, volunteerId);
    const rows = this.#store.stmt.recordsOf.all(volunteerId, q.cursor ? Number(q.cursor) : Number.MAX_SAFE_INTEGER, q.limit + 1);
    return pageOf(rows.map(serviceRecordFromRow), q.limit);
  }

  /** A certificate by its number (ZYFW-2026-000123): the basis of the printed certificate. */
  certificate(p: Principal, certificateNo: string): ServiceRecord {
    authorise(p, STAFF, 'see certificates');
    const row = this.#store.stmt.certificate.get(certificateNo) as { community_id: string } | undefined;
    if (!row || row.community_id !== p.communityId) throw notFound(`certificate ${certificateNo}`);
    return serviceRecordFromRow(row);
  }
}
