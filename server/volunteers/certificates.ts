/**
 * Service-hours certificates (志愿服务证明): a coordinator issues one for a volunteer over a
 * period; it lists each service (date, activity, content, hours, corrections counted) and
 * their total, issued by the community, numbered `ZYZM-<year>-<6 digits>`, and kept as issued
 * (a later correction does not change a certificate already printed). Anyone holding a paper
 * may check its number (`verify`): the name masked, the hours, the issuer and the date, never
 * a phone or an ID number. A service record's own number (ZYFW-…) verifies the same way.
 */
import type { WriteQueue } from '../db/write-queue.ts';
import type { SubjectChange } from '../kernel/journal.ts';
import type { Directory } from '../kernel/community.ts';
import { notFound } from '../errors.ts';
import { authorise, invalidField } from '../kernel/rules.ts';
import type { Principal } from '../principal.ts';
import { maskName } from '../../shared/mask.ts';
import { isoInZone, localDay, offsetMinutes, startOfLocalDay, wallTime } from '../../shared/time.ts';
import {
  maskIdNumber, periodCertificateNumber,
  type CertificateLine, type CertificateView, type IssueCertificateBody, type PublicCertificateView,
} from '../../shared/volunteers.ts';
import { MANAGE, STAFF } from './access.ts';
import { serviceRecordFromRow } from './record.ts';
import type { ServiceRecordService } from './records.ts';
import type { VolunteerParts, VolunteerStore } from './store.ts';

export interface CertificateRecord {
  id: number;
  communityId: string;
  volunteerId: number;
  volunteerName: string;
  idNumber: string | null;
  certificateNo: string;
  from: string;
  to: string;
  hours: number;
  lines: CertificateLine[];
  issuer: string;
  issuedAt: number;
  issuedBy: string;
}

type Row = any;

const certificateFromRow = (r: Row): CertificateRecord => ({
  id: r.id, communityId: r.community_id, volunteerId: r.volunteer_id, volunteerName: r.volunteer_name, idNumber: r.id_number,
  certificateNo: r.certificate_no, from: r.period_from, to: r.period_to, hours: r.hours,
  lines: JSON.parse(r.lines) as CertificateLine[], issuer: r.issuer, issuedAt: r.issued_at, issuedBy: r.issued_by,
});

export const viewCertificate = (c: CertificateRecord, tz: string): CertificateView => ({
  certificateNo: c.certificateNo, volunteerId: c.volunteerId, volunteerName: c.volunteerName, idNumber: maskIdNumber(c.idNumber),
  from: c.from, to: c.to, hours: c.hours, lines: c.lines, issuer: c.issuer, issuedAt: isoInZone(c.issuedAt, tz),
});

/** The instant a local calendar day `YYYY-MM-DD` starts in `timeZone`. */
function dayStart(day: string, timeZone: string): number {
  const utc = Date.parse(`${day}T00:00:00Z`);
  return startOfLocalDay(utc - offsetMinutes(utc, timeZone) * 60_000 + 2 * 3_600_000, timeZone);
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Certificates: issue one over a period, read it back, list a volunteer's, verify a number. */
export class CertificateService {
  #store: VolunteerStore;
  #queue: WriteQueue<SubjectChange>;
  #dir: Directory;
  #now: () => number;
  #records: ServiceRecordService;

  constructor(parts: VolunteerParts, records: ServiceRecordService) {
    this.#store = parts.store;
    this.#queue = parts.queue;
    this.#dir = parts.directory;
    this.#now = parts.now;
    this.#records = records;
  }

  /** The community's name: who issues its certificates. */
  issuerOf(communityId: string): string {
    return this.#dir.communities.get(communityId)?.name.zh ?? communityId;
  }

  /**
   * Issue a certificate for the services of the local days [from, to]; 400 naming `from` when
   * there are no hours to certify in that period.
   */
  async issue(p: Principal, volunteerId: number, body: IssueCertificateBody): Promise<CertificateRecord> {
    authorise(p, MANAGE, 'issue certificates');
    return this.#queue.runAs(p, (ctx) => {
      const now = this.#now();
      const tz = this.#dir.timeZoneOf(p.communityId);
      const { stmt } = this.#store;
      const v = this.#store.volunteer(p, volunteerId);
      const start = dayStart(body.from, tz);
      const end = dayStart(nextDay(body.to), tz);
      const records = this.#records.withCorrections(stmt.recordsBetween.all(v.id, start, end).map(serviceRecordFromRow));
      const lines: CertificateLine[] = records
        .filter((r) => r.netHours > 0)
        .map((r) => ({ date: localDay(r.issuedAt, tz), activity: r.activityTitle, content: r.content, hours: r.netHours }));
      const hours = lines.reduce((s, l) => s + l.hours, 0);
      if (!(hours > 0)) invalidField('from', `no service hours between ${body.from} and ${body.to}`);
      const id = (stmt.nextCertificateId.get() as { n: number }).n;
      const certificateNo = periodCertificateNumber(wallTime(now, tz).year, id);
      const issuer = this.issuerOf(p.communityId);
      stmt.insertCertificate.run(id, p.communityId, v.id, certificateNo, body.from, body.to, hours, JSON.stringify(lines), issuer, now, p.id);
      this.#store.entry(ctx, p, now, 'volunteer.certificate_issued', 'volunteer', v.id, { certificateNo, hours, from: body.from, to: body.to, by: p.id });
      return {
        id, communityId: p.communityId, volunteerId: v.id, volunteerName: v.name, idNumber: v.idNumber, certificateNo,
        from: body.from, to: body.to, hours, lines, issuer, issuedAt: now, issuedBy: p.id,
      };
    });
  }

  /** A period certificate of the volunteer, by number, for staff to print. */
  get(p: Principal, volunteerId: number, certificateNo: string): CertificateRecord {
    authorise(p, STAFF, 'see certificates');
    const row = this.#store.stmt.periodCertificate.get(certificateNo) as Row | undefined;
    if (!row || row.community_id !== p.communityId || row.volunteer_id !== volunteerId) throw notFound(`certificate ${certificateNo}`);
    return certificateFromRow(row);
  }

  /** A volunteer's certificates, newest first. */
  list(p: Principal, volunteerId: number): CertificateRecord[] {
    this.#store.volunteer(p, volunteerId);
    return this.#store.stmt.certificatesOf.all(volunteerId).map(certificateFromRow);
  }

  /** What anyone may see of a certificate by its number (a period's or a record's); a 404 if there is none. */
  verify(certificateNo: string): PublicCertificateView {
    const { stmt } = this.#store;
    const period = stmt.periodCertificate.get(certificateNo) as Row | undefined;
    if (period) {
      const c = certificateFromRow(period);
      return {
        certificateNo: c.certificateNo, name: maskName(c.volunteerName) ?? '', hours: c.hours, from: c.from, to: c.to,
        issuer: c.issuer, issuedAt: isoInZone(c.issuedAt, this.#dir.timeZoneOf(c.communityId)),
      };
    }
    const row = stmt.certificate.get(certificateNo);
    if (!row) throw notFound(`certificate ${certificateNo}`);
    const [r] = this.#records.withCorrections([serviceRecordFromRow(row)]);
    return {
      certificateNo: r!.certificateNo, name: maskName(r!.volunteerName) ?? '', hours: r!.netHours, from: null, to: null,
      issuer: r!.issuer, issuedAt: isoInZone(r!.issuedAt, this.#dir.timeZoneOf(r!.communityId)),
    };
  }
}
