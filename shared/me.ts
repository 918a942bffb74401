/**
 * A volunteer's own page on their phone (`/me`): how they join (a coordinator's one-time
 * invitation, `/me/join#<token>`), what their phone sends (a check-in by the activity's code) and
 * what the server answers under `/api/v1/me/...` — only ever about their own volunteer record.
 */
import { z } from 'zod';
import { MAX_PASSWORD, MIN_PASSWORD } from './auth.ts';
import { instant } from './schemas.ts';
import type { ActivityView, LedgerLineView, RedemptionView, ServiceRecordView, SignupStatus, SignupView } from './volunteers.ts';

/** How long an invitation may be used. */
export const INVITATION_DAYS = 7;

/** Where an invitation's link sends the volunteer's phone; the token stays in the fragment (never sent in a request line or a Referer). */
export const joinPath = (token: string): string => `/me/join#${token}`;

/** How far back a phone may date a check-in it kept while offline (its scan time); older is refused. */
export const CHECK_IN_BACKDATE_MS = 6 * 3600_000;

/**
 * How far back the server credits the phone's own time: a retry on a poor network. A check-in
 * claimed earlier counts from this long before it arrived (hours are paid from a time the
 * server can vouch for); the coordinator corrects the record if the earlier time was true.
 */
export const CHECK_IN_TRUSTED_MS = 15 * 60_000;

/** An `Idempotency-Key`: the phone's own token for one check-in (a UUID), the same on every retry. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;

const token = z.string().min(20, 'is not an invitation token').max(200, 'is not an invitation token').regex(/^[A-Za-z0-9_-]+$/, 'is not an invitation token');

/** What the join page asks about its invitation before the volunteer chooses a password. */
export const invitationBody = z.object({ token }).strict();
export type InvitationBody = z.infer<typeof invitationBody>;

/** The volunteer makes their account: the invitation's token and the password they chose. */
export const joinBody = z.object({
  token,
  password: z.string().min(MIN_PASSWORD, `at least ${MIN_PASSWORD} characters`).max(MAX_PASSWORD, `at most ${MAX_PASSWORD} characters`),
}).strict();
export type JoinBody = z.infer<typeof joinBody>;

/** A check-in by the activity's QR code; `at` is when the phone scanned it (a kept check-in sent later), at most 6 h back. */
export const meCheckInBody = z.object({
  code: z.string().trim().min(4, 'is not a check-in code').max(40, 'is not a check-in code').regex(/^[A-Za-z0-9]+$/, 'is not a check-in code')
    .transform((s) => s.toUpperCase()),
  at: instant.optional(),
}).strict();
export type MeCheckInBody = z.infer<typeof meCheckInBody>;

// ---- what the API answers ------------------------------------------------------------------

/** What an invitation says before it is used: whose it is and the username the account gets. */
export interface InvitationView {
  displayName: string;
  username: string;
  expiresAt: string;
  /** The shortest password taken (MIN_PASSWORD), for the form. */
  minPassword: number;
}

/** A coordinator's new invitation: the link to copy or show as a QR code (shown once). */
export interface InviteAnswer {
  path: string;
  expiresAt: string;
}

/** The volunteer, as their own page shows them. */
export interface MeProfile {
  volunteerId: number;
  name: string;
  username: string;
  /** The community's time zone: the page reads every instant in it. */
  timeZone: string;
  balance: number;
  hours: number;
  records: number;
}

/** An activity on the volunteer's list, with their own part in it (null: not signed up). */
export interface MeActivity extends ActivityView {
  mine: SignupStatus | null;
  checkedInAt: string | null;
}

/** The answer to a check-in: the activity, the sign-up, and whether this was a retry of one already applied. */
export interface MeCheckInAnswer {
  activity: ActivityView;
  signup: SignupView;
  /** True when this key (or an earlier scan) had checked them in already: nothing new was written. */
  replayed: boolean;
}

export interface MeRecordsAnswer { items: ServiceRecordView[] }
export interface MePointsAnswer { balance: number; items: LedgerLineView[] }
export interface MeRedemptionsAnswer { items: RedemptionView[] }
