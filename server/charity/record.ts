/**
 * Charity records as the server holds them (epoch-ms instants), their row mapping, and their
 * projection for the staff API (ISO instants with the community's offset). Staff see the donor
 * in full; what public screens get is `shownAs` (see `publicDonor`), never the rest.
 */
import { isoInZone } from '../../shared/time.ts';
import {
  publicDonor,
  type DisbursementSource, type DisbursementView, type DonationView, type DonorKind, type FundAccountKind,
  type FundAccountView, type FundEntryView, type GoodsMovementView, type GoodsView, type ResourceKind,
} from '../../shared/charity.ts';
import type { FundLine } from './ledger.ts';

export interface DonationRecord {
  id: number;
  communityId: string;
  receiptNo: string;
  donorKind: DonorKind;
  donorName: string;
  donorPhone: string | null;
  anonymous: boolean;
  publicName: string | null;
  kind: ResourceKind;
  amountCents: number | null;
  goodsId: number | null;
  item: string | null;
  unit: string | null;
  quantity: number | null;
  valueCents: number;
  projectId: number | null;
  needId: number | null;
  note: string;
  receivedAt: number;
  recordedAt: number;
  recordedBy: string;
}

export interface DisbursementRecord {
  id: number;
  communityId: string;
  kind: ResourceKind;
  source: DisbursementSource | null;
  amountCents: number | null;
  goodsId: number | null;
  item: string | null;
  unit: string | null;
  quantity: number | null;
  valueCents: number;
  projectId: number | null;
  needId: number | null;
  purpose: string;
  approvedBy: string;
  at: number;
}

export interface GoodsRecord {
  id: number;
  communityId: string;
  name: string;
  unit: string;
  onHand: number;
  createdAt: number;
  updatedAt: number;
}

export interface GoodsMovement {
  id: number;
  goodsId: number;
  delta: number;
  donationId: number | null;
  disbursementId: number | null;
  onHandAfter: number;
  at: number;
}

/** A row as better-sqlite3 returns it; its columns are those of schema/charity.ts. */
type Row = any;

/** Donations joined with their goods: `SELECT d.*, g.name AS item, g.unit FROM donations d LEFT JOIN goods g …`. */
export const DONATION_SELECT = 'SELECT d.*, g.name AS item, g.unit AS unit FROM donations d LEFT JOIN goods g ON g.id = d.goods_id';
export const DISBURSEMENT_SELECT = 'SELECT b.*, g.name AS item, g.unit AS unit FROM disbursements b LEFT JOIN goods g ON g.id = b.goods_id';

export const donationFromRow = (r: Row): DonationRecord => ({
  id: r.id, communityId: r.community_id, receiptNo: r.receipt_no, donorKind: r.donor_kind, donorName: r.donor_name,
  donorPhone: r.donor_phone, anonymous: r.anonymous === 1, publicName: r.public_name, kind: r.kind, amountCents: r.amount_cents,
  goodsId: r.goods_id, item: r.item ?? null, unit: r.unit ?? null, quantity: r.quantity, valueCents: r.value_cents,
  projectId: r.project_id, needId: r.need_id, note: r.note, receivedAt: r.received_at, recordedAt: r.recorded_at,
  recordedBy: r.recorded_by,
});

export const disbursementFromRow = (r: Row): DisbursementRecord => ({
  id: r.id, communityId: r.community_id, kind: r.kind, source: r.source, amountCents: r.amount_cents, goodsId: r.goods_id,
  item: r.item ?? null, unit: r.unit ?? null, quantity: r.quantity, valueCents: r.value_cents, projectId: r.project_id,
  needId: r.need_id, purpose: r.purpose, approvedBy: r.approved_by, at: r.at,
});

export const goodsFromRow = (r: Row): GoodsRecord => ({
  id: r.id, communityId: r.community_id, name: r.name, unit: r.unit, onHand: r.on_hand, createdAt: r.created_at,
  updatedAt: r.updated_at,
});

// ---- the staff API's views -------------------------------------------------------------------

export const viewDonation = (d: DonationRecord, tz: string): DonationView => ({
  id: d.id, receiptNo: d.receiptNo, donorKind: d.donorKind, donorName: d.donorName, donorPhone: d.donorPhone,
  anonymous: d.anonymous, publicName: d.publicName, shownAs: publicDonor(d.donorKind, d.anonymous, d.publicName),
  kind: d.kind, amountCents: d.amountCents, goodsId: d.goodsId, item: d.item, unit: d.unit, quantity: d.quantity,
  valueCents: d.valueCents, projectId: d.projectId, needId: d.needId, note: d.note, receivedAt: isoInZone(d.receivedAt, tz),
  recordedAt: isoInZone(d.recordedAt, tz), recordedBy: d.recordedBy,
});

export const viewDisbursement = (b: DisbursementRecord, tz: string): DisbursementView => ({
  id: b.id, kind: b.kind, from: b.source, amountCents: b.amountCents, goodsId: b.goodsId, item: b.item, unit: b.unit,
  quantity: b.quantity, valueCents: b.valueCents, projectId: b.projectId, needId: b.needId, purpose: b.purpose,
  approvedBy: b.approvedBy, at: isoInZone(b.at, tz),
});

export const viewGoods = (g: GoodsRecord, tz: string): GoodsView => ({
  id: g.id, name: g.name, unit: g.unit, onHand: g.onHand, updatedAt: isoInZone(g.updatedAt, tz),
});

export const viewMovement = (m: GoodsMovement, tz: string): GoodsMovementView => ({
  id: m.id, goodsId: m.goodsId, delta: m.delta, donationId: m.donationId, disbursementId: m.disbursementId,
  onHandAfter: m.onHandAfter, at: isoInZone(m.at, tz),
});

export const viewFundLine = (l: FundLine, tz: string): FundEntryView => ({
  entryId: l.entryId, txnId: l.txnId, kind: l.kind, amountCents: l.amount, balanceAfterCents: l.balanceAfter,
  donationId: l.donationId, disbursementId: l.disbursementId, memo: l.memo, at: isoInZone(l.at, tz),
});

export const viewFundAccount = (
  a: { id: number; kind: FundAccountKind; projectId: number | null; needId: number | null; balance: number },
  name: string | null,
): FundAccountView => ({ id: a.id, kind: a.kind, projectId: a.projectId, needId: a.needId, name, balanceCents: a.balance });
