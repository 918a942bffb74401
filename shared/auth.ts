/**
 * Accounts, paired displays, API keys and the audit log: the roles, the pairing-code alphabet,
 * the zod schemas of every body and query of `/api/v1/auth`, `/users`, `/displays`,
 * `/api-keys` and `/audit`, and the shapes the server answers with. Used by the server, the
 * console's forms and the tests alike.
 */
import { z } from 'zod';
import { instant } from './schemas.ts';
import { singleLineText, textRule } from './text.ts';
import { newCommunity } from './community.ts';

/**
 * The roles a person can hold. Displays and integrations are not people: they pair or hold a key.
 * `charity_keeper` (慈善专管员) keeps the charity books and nothing else; `volunteer` is a
 * volunteer on their own phone (`/me`), not staff: neither is in the staff sets (server/principal.ts).
 */
export const USER_ROLES = ['admin', 'dispatcher', 'grid_worker', 'social_worker', 'coordinator', 'charity_keeper', 'volunteer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** Passwords: at least this long, no other rule (length is what counts; NIST SP 800-63B). */
export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 200;

/** Pairing codes: 6 characters without the look-alikes 0/O and 1/I. */
export const PAIRING_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const PAIRING_CODE_LENGTH = 6;

/** `ABC123` → `ABC-123`, the way a wall shows it. */
export function formatPairingCode(code: string): string {
  return `${code.slice(0, 3)}-${code.slice(3)}`;
}

/** What a person types (`abc-123`, `ABC 123`) → `ABC123`, or null when it cannot be a code. */
export function normalisePairingCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== PAIRING_CODE_LENGTH) return null;
  for (const ch of code) if (!PAIRING_ALPHABET.includes(ch)) return null;
  return code;
}

// ---- bodies and queries ---------------------------------------------------------------------

const username = z.string().trim().toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, 'must be 3–32 letters, digits, dots, dashes or underscores, starting with a letter or digit');
const displayName = singleLineText(60).min(1, 'required');
const password = z.string().min(MIN_PASSWORD, `at least ${MIN_PASSWORD} characters`).max(MAX_PASSWORD, `at most ${MAX_PASSWORD} characters`);
const role = z.enum(USER_ROLES, { message: `must be one of ${USER_ROLES.join(', ')}` });
const grids = z.array(z.string().min(1).max(40), { message: 'must be a list of grid ids' }).max(200)
  .transform((list) => [...new Set(list)]);
const name = singleLineText(60).min(1, 'required');

export const loginBody = z.object({
  // Refused characters never reach the audit log's line of a failed login.
  username: z.string().superRefine(textRule('single')).trim().toLowerCase().min(1, 'required').max(64),
  password: z.string().min(1, 'required').max(MAX_PASSWORD),
}).strict();
export type LoginBody = z.infer<typeof loginBody>;

export const setupBody = z.object({
  token: z.string().min(1, 'required').max(200),
  username,
  displayName,
  password,
  /** On a fresh install with no community yet: the community the administrator is made in. */
  community: newCommunity.optional(),
}).strict();
export type SetupBody = z.infer<typeof setupBody>;

export const changePasswordBody = z.object({
  currentPassword: z.string().min(1, 'required').max(MAX_PASSWORD),
  newPassword: password,
}).strict();
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

/** The social-worker record a social worker's account is (null: none yet). */
const socialWorkerId = z.number({ message: 'must be the id of a social worker' }).int().positive().nullable();

/** The grid-worker record a grid worker's account is (null: none yet). */
const workerId = z.string({ message: 'must be the id of a grid worker' }).min(1).max(64).nullable();

export const createUserBody = z.object({
  username,
  displayName,
  role,
  grids: grids.optional(),
  socialWorkerId: socialWorkerId.optional(),
  workerId: workerId.optional(),
  password,
}).strict();
export type CreateUserBody = z.infer<typeof createUserBody>;

export const updateUserBody = z.object({
  displayName: displayName.optional(),
  role: role.optional(),
  grids: grids.optional(),
  socialWorkerId: socialWorkerId.optional(),
  workerId: workerId.optional(),
  status: z.enum(USER_STATUSES, { message: 'must be active or disabled' }).optional(),
}).strict();
export type UpdateUserBody = z.infer<typeof updateUserBody>;

export const setPasswordBody = z.object({ password }).strict();

export const pairDisplayBody = z.object({
  code: z.string().refine((v) => normalisePairingCode(v) !== null, 'must be the 6-character code on the display, e.g. ABC-123'),
  name,
}).strict();
export type PairDisplayBody = z.infer<typeof pairDisplayBody>;

export const renameDisplayBody = z.object({ name }).strict();

export const createApiKeyBody = z.object({ name }).strict();

export const auditQuery = z.object({
  actor: z.string().max(80).optional(),
  action: z.string().max(80).optional(),
  targetType: z.string().max(80).optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d+$/, 'is not a cursor from a previous page').optional(),
}).strict();
export type AuditQuery = z.infer<typeof auditQuery>;

// ---- answers --------------------------------------------------------------------------------

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: UserRole;
  communityId: string;
  grids: string[];
  /** A social worker's account: the social-worker record it is, or null while not linked. */
  socialWorkerId: number | null;
  /** A grid worker's account: the grid-worker record it is, or null while not linked. */
  workerId: string | null;
  status: UserStatus;
  mustChangePassword: boolean;
  createdAt: string;
}

/** `POST /auth/login`, `GET /auth/me`, `POST /auth/setup`. */
export interface SessionView {
  user: UserView;
  csrfToken: string;
}

export interface DisplayView {
  id: number;
  name: string;
  communityId: string;
  pairedAt: string;
  lastSeenAt: string | null;
  /** A socket of this display is connected now. */
  online: boolean;
  revokedAt: string | null;
}

export interface PairingStart {
  pairingId: string;
  /** Formatted for the wall: `ABC-123`. */
  code: string;
  /** Sent back as `X-Pairing-Secret` when polling: only the display that asked can fetch its token. */
  secret: string;
  expiresAt: string;
}

export type PairingStatus =
  | { status: 'waiting'; code: string; expiresAt: string }
  | { status: 'paired'; token: string; display: DisplayView };

export const API_KEY_SCOPES = ['ingest'] as const;

export interface ApiKeyView {
  id: number;
  name: string;
  /** The first 8 characters of the key (`cbk_AbCd`), to tell keys apart. */
  prefix: string;
  scopes: (typeof API_KEY_SCOPES)[number][];
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntryView {
  id: number;
  at: string;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
}

/** The actions the audit log names that do not come from a route's path (see docs/SECURITY.md). */
export const AUDIT_ACTIONS = [
  'auth.login', 'auth.login_failed', 'auth.logout', 'auth.password', 'auth.setup',
  'users.create', 'users.update', 'users.password',
  'displays.pair', 'displays.update', 'displays.revoke', 'displays.reload',
  'api_keys.create', 'api_keys.revoke',
  'records.read', 'records.export',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
