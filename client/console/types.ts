/**
 * The shapes the console reads from the accounts API: the ones in shared/auth.ts, under the
 * names the pages use. Instants are ISO strings with an offset.
 */
import { USER_ROLES } from '../../shared/auth.ts';

export type {
  ApiKeyView as ApiKey,
  AuditEntryView as AuditEntry,
  DisplayView as Display,
  SessionView,
  UserRole as StaffRole,
  UserView as User,
} from '../../shared/auth.ts';

/** The roles the users page gives: a volunteer's account is made by inviting them from the volunteer desk. */
export const STAFF_ROLES = USER_ROLES.filter((r) => r !== 'volunteer');

export type Id = string | number;

export interface Community {
  id: string;
  name: { zh: string; en: string };
  timeZone: string;
}

/** A grid of the community, from the GeoJSON of `GET /grids`. */
export interface Grid {
  id: string;
  name: { zh: string; en: string };
}

/** A social-worker record (社工档案) of `GET /social-workers`: what a social worker's account is linked to. */
export type { SocialWorkerView as SocialWorker, WorkerStatus } from '../../shared/orgs.ts';
