/**
 * Charity resources (慈善资源): the vocabulary of donations, the community fund and goods on
 * hand, how a donor is named in public, receipt numbers, and the zod schemas for every body and
 * query of `/api/v1/charity/...`. Pure: used by the server, the forms and the tests alike.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';
import { multiLineText, singleLineText } from './text.ts';
import { maskName, scrubText } from './mask.ts';
import { LOCALES } from './i18n.ts';
import { EXPORT_FORMATS } from './export.ts';

export const DONOR_KINDS = ['person', 'enterprise', 'org'] as const;
export type DonorKind = (typeof DONOR_KINDS)[number];

/** A gift (or a disbursement) is money, in fen, or goods counted in their unit. */
export const RESOURCE_KINDS = ['money', 'goods'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/**
 * The fund's accounts. Per community: `donors` (the source: minus all money ever given),
 * `fund` (unrestricted money on hand), `paid_out` (the sink); per project or need that money was
 * designated to: `restricted`. `fund` and `restricted` never go below zero.
 */
export const FUND_ACCOUNT_KINDS = ['donors', 'fund', 'restricted', 'paid_out'] as const;
export type FundAccountKind = (typeof FUND_ACCOUNT_KINDS)[number];

export const FUND_TXN_KINDS = ['donation', 'disbursement'] as const;
export type FundTxnKind = (typeof FUND_TXN_KINDS)[number];

/** Where a money disbursement is paid from: the unrestricted fund, or the money designated to its target. */
export const DISBURSEMENT_SOURCES = ['fund', 'restricted'] as const;
export type DisbursementSource = (typeof DISBURSEMENT_SOURCES)[number];

/** What the journal says about charity resources. */
export type CharityEntryType = 'charity.donation_received' | 'charity.disbursed';
export type CharityEntity = 'donation' | 'disbursement';

/** How a donor who is not to be named is shown in public (a wall, the feed, an honour roll). */
export const ANONYMOUS_DONOR = '爱心人士';

/**
 * The donor as a public screen may show them: 爱心人士 for an anonymous gift or one whose donor
 * agreed to no public name; for a person, the consented public name masked like a resident's
 * (王*); for an enterprise or an organization, the consented public name as given (numbers
 * scrubbed). The donor's own name and phone never appear.
 *
 * @example publicDonor('person', false, '王建国') === '王**'
 * @example publicDonor('enterprise', false, '杭州桂香食品有限公司') === '杭州桂香食品有限公司'
 */
export function publicDonor(kind: DonorKind, anonymous: boolean, publicName: string | null | undefined): string {
  const name = publicName?.trim();
  if (anonymous || !name) return ANONYMOUS_DONOR;
  if (kind === 'person') return maskName(name) ?? ANONYMOUS_DONOR;
  return scrubText(name).trim() || ANONYMOUS_DONOR;
}

/**
 * A donation receipt's number: `JZ-<year received, local>-<donation id, 6 digits>` (捐赠),
 * e.g. `JZ-2026-000123`. The donation id is unique, so the number is.
 */
export function receiptNumber(year: number, donationId: number): string {
  return `JZ-${year}-${String(donationId).padStart(6, '0')}`;
}

/**
 * Fen as yuan for a feed line or a label: whole yuan with thousands separators, fen only when
 * there are any. 2000000 → "20,000"; 1250 → "12.50".
 */
export function yuan(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fen = abs % 100;
  return `${sign}${whole}${fen ? `.${String(fen).padStart(2, '0')}` : ''}`;
}

// ---- schemas ----------------------------------------------------------------------------

const required = (max: number) => singleLineText(max).min(1, 'required');
const id = z.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive');
const phone = z.string().trim().regex(/^[0-9+\- ]{5,20}$/, 'must be a phone number');
/** Up to ¥100,000,000 in one gift or payment. */
const MAX_CENTS = 10_000_000_000;
const cents = (min: number) =>
  z.number({ message: 'must be a number of fen' }).int('must be whole fen').min(min, min > 0 ? 'must be positive' : 'must not be negative')
    .max(MAX_CENTS, 'at most 10000000000 fen');
const quantity = z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'at least 1').max(1_000_000, 'at most 1000000');
const digits = z.string().regex(/^\d{1,12}$/, 'must be an id');
const cursor = z.string().regex(/^\d+$/, 'is not a cursor from a previous page').optional();
const pageLimit = z.coerce.number().int().min(1).max(500).default(50);

const donationCommon = {
  donorKind: z.enum(DONOR_KINDS),
  /** The donor's real name (a person) or registered name (an enterprise, an organization): staff only. */
  donorName: required(80),
  donorPhone: phone.optional(),
  /** The donor asked not to be named in public: shown as 爱心人士 whatever the public name. */
  anonymous: z.boolean({ message: 'must be true or false' }).default(false),
  /** The name the donor agreed may be shown in public; without one, 爱心人士 is shown. */
  publicName: required(80).optional(),
  /** Designated (定向) to a project or to a need of this community; undesignated money goes to the fund. */
  projectId: id.optional(),
  needId: id.optional(),
  note: multiLineText(500).default(''),
  /** When the gift came in, if not now (a paper receipt entered later). Never in the future. */
  receivedAt: instant.optional(),
};

export const recordDonationBody = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('money'), amountCents: cents(1), ...donationCommon }).strict(),
    z.object({
      kind: z.literal('goods'),
      /** What was given (大米) and its unit (袋); the same name and unit add to the same stock. */
      item: required(40),
      unit: required(10),
      quantity,
      /** The estimated value of the whole gift, in fen (counts towards "raised"). */
      valueCents: cents(0),
      ...donationCommon,
    }).strict(),
  ], { message: 'must be money or goods' })
  .superRefine((v, ctx) => {
    if (v.projectId !== undefined && v.needId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['needId'], message: 'designate a gift to a project or to a need, not both' });
    }
    if (v.anonymous && v.publicName !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['publicName'], message: 'an anonymous gift has no public name' });
    }
  });
export type RecordDonationBody = z.infer<typeof recordDonationBody>;

const disbursementCommon = {
  /** To a project, a need, or both (a project meeting that need). */
  projectId: id.optional(),
  needId: id.optional(),
  /** What it is for (shown on the wall, scrubbed): 困难家庭临时救助, 助老食堂食材. */
  purpose: required(200),
};

export const disburseBody = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('money'),
      amountCents: cents(1),
      /** The fund (default), or the money designated to the target project (or need, when no project is named). */
      from: z.enum(DISBURSEMENT_SOURCES).default('fund'),
      ...disbursementCommon,
    }).strict(),
    z.object({ kind: z.literal('goods'), goodsId: id, quantity, ...disbursementCommon }).strict(),
  ], { message: 'must be money or goods' })
  .superRefine((v, ctx) => {
    if (v.projectId === undefined && v.needId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['projectId'], message: 'a disbursement goes to a project or a need: name one' });
    }
  });
export type DisburseBody = z.infer<typeof disburseBody>;

export const listDonationsQuery = z
  .object({
    kind: z.enum(RESOURCE_KINDS).optional(),
    donorKind: z.enum(DONOR_KINDS).optional(),
    project: digits.transform(Number).optional(),
    need: digits.transform(Number).optional(),
    /** Received at or after / before these instants. */
    from: instant.optional(),
    to: instant.optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListDonationsQuery = z.infer<typeof listDonationsQuery>;

export const listDisbursementsQuery = z
  .object({
    kind: z.enum(RESOURCE_KINDS).optional(),
    project: digits.transform(Number).optional(),
    need: digits.transform(Number).optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListDisbursementsQuery = z.infer<typeof listDisbursementsQuery>;

export const listGoodsQuery = z
  .object({
    /** Only goods with something on hand. */
    inStock: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();
export type ListGoodsQuery = z.infer<typeof listGoodsQuery>;

export const charityPageQuery = z.object({ limit: pageLimit, cursor }).strict();
export type CharityPageQuery = z.infer<typeof charityPageQuery>;

/** The charity desk's ledgers out (`GET /charity/export?ledger=…`): each a CSV or XLSX file. */
export const CHARITY_LEDGERS = ['donations', 'disbursements', 'goods', 'fund'] as const;
export type CharityLedger = (typeof CHARITY_LEDGERS)[number];

export const charityExportQuery = z
  .object({
    ledger: z.enum(CHARITY_LEDGERS, { message: `must be one of ${CHARITY_LEDGERS.join(', ')}` }),
    format: z.enum(EXPORT_FORMATS, { message: `must be one of ${EXPORT_FORMATS.join(', ')}` }),
    lang: z.enum(LOCALES, { message: `must be one of ${LOCALES.join(', ')}` }).optional(),
    /** Money or goods only (donations, disbursements). */
    kind: z.enum(RESOURCE_KINDS, { message: `must be one of ${RESOURCE_KINDS.join(', ')}` }).optional(),
    /** Received, paid or moved at or after / before these instants. */
    from: instant.optional(),
    to: instant.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind && (v.ledger === 'goods' || v.ledger === 'fund')) {
      ctx.addIssue({ code: 'custom', path: ['kind'], message: 'is a filter of the donations and disbursements ledgers' });
    }
    if (v.from && v.to && Date.parse(v.to) <= Date.parse(v.from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  });
export type CharityExportQuery = z.infer<typeof charityExportQuery>;

/** A project or a need a gift may be designated to and a disbursement may go to (a need by its title, a resident's name masked). */
export interface CharityTargetView {
  kind: 'project' | 'need';
  id: number;
  name: string;
}

// ---- what the API answers (staff: full donor details) ----------------------------------------

export interface DonationView {
  id: number;
  receiptNo: string;
  donorKind: DonorKind;
  donorName: string;
  donorPhone: string | null;
  anonymous: boolean;
  publicName: string | null;
  /** How public screens show the donor (爱心人士, 王*, or the consenting organization's name). */
  shownAs: string;
  kind: ResourceKind;
  amountCents: number | null;
  goodsId: number | null;
  item: string | null;
  unit: string | null;
  quantity: number | null;
  /** Money: the amount; goods: the estimated value. */
  valueCents: number;
  projectId: number | null;
  needId: number | null;
  note: string;
  receivedAt: string;
  recordedAt: string;
  recordedBy: string;
}

export interface DisbursementView {
  id: number;
  kind: ResourceKind;
  /** Money only: paid from the fund or from the target's designated money. */
  from: DisbursementSource | null;
  amountCents: number | null;
  goodsId: number | null;
  item: string | null;
  unit: string | null;
  quantity: number | null;
  /** Money: the amount; goods: their share of the estimated value of the stock. */
  valueCents: number;
  projectId: number | null;
  needId: number | null;
  purpose: string;
  approvedBy: string;
  at: string;
}

export interface GoodsView {
  id: number;
  name: string;
  unit: string;
  onHand: number;
  updatedAt: string;
}

export interface GoodsMovementView {
  id: number;
  goodsId: number;
  /** + received, − given out. */
  delta: number;
  donationId: number | null;
  disbursementId: number | null;
  onHandAfter: number;
  at: string;
}

export interface FundAccountView {
  id: number;
  kind: FundAccountKind;
  projectId: number | null;
  needId: number | null;
  /** The project's name or the need's title, for restricted accounts. */
  name: string | null;
  balanceCents: number;
}

export interface FundEntryView {
  entryId: number;
  txnId: number;
  kind: FundTxnKind;
  amountCents: number;
  balanceAfterCents: number;
  donationId: number | null;
  disbursementId: number | null;
  memo: string | null;
  at: string;
}

export interface FundSummary {
  /** Every fen ever given in money. */
  givenCents: number;
  /** Unrestricted money on hand. */
  fundCents: number;
  /** Money designated to projects and needs, not yet paid out. */
  restrictedCents: number;
  paidOutCents: number;
  accounts: FundAccountView[];
}

/** One item's goods books: received = on hand + given out. */
export interface GoodsBooks {
  goodsId: number;
  name: string;
  unit: string;
  received: number;
  givenOut: number;
  onHand: number;
  /** The SUM of the item's movements: equal to onHand when nothing drifted. */
  movements: number;
  balanced: boolean;
}

/** The books, checked: what a treasurer signs off. */
export interface CharityBooks {
  money: {
    /** From the donation records. */
    givenCents: number;
    fundCents: number;
    restrictedCents: number;
    /** From the disbursement records. */
    paidOutCents: number;
    /** given = fund + restricted + paid out, and the ledger agrees with the records. */
    balanced: boolean;
  };
  ledger: {
    /** Fund transactions whose entries do not sum to zero. */
    unbalancedTxns: number[];
    /** Accounts whose cached balance is not the SUM of their entries. */
    driftedAccounts: { accountId: number; cached: number; derived: number }[];
    /** Fund or restricted accounts below zero. */
    overdrawnAccounts: number[];
    /** The sum of every entry: zero in double entry. */
    total: number;
    ok: boolean;
  };
  goods: GoodsBooks[];
  ok: boolean;
}
