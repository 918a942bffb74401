/**
 * Cerebellum's database: SQLite (server/db) with the schema every subject keeps in its own
 * folder (`schema.ts`), as the numbered migrations that built it. A migration that has shipped is
 * never edited: a change of schema is a new one at the end. Each migration's SQL is the text of
 * the subjects it touched, in an order that satisfies their references.
 */
import { applyMigrations, openSqlite, type Db, type Migration, type OpenOptions } from './db/index.ts';
import { COMMUNITY_SQL, JOURNAL_SQL, JOURNAL_SUBJECTS_SQL, METRICS_SQL, WORKER_STATUS_SQL } from './kernel/schema.ts';
import { IDEMPOTENCY_SQL } from './http/idempotency.ts';
import { FIELDWORK_SQL } from './fieldwork/schema.ts';
import { EVENT_PHOTO_STAGE_SQL, EVENT_PHOTOS_SQL, EVENTS_DESK_STATS_SQL, EVENTS_SIGN_FOR_SQL, EVENTS_SQL } from './events/schema.ts';
import { ACTIVITY_CHECK_IN_SQL, EXCHANGE_DESK_SQL, ME_CHECK_IN_KEYS_SQL, STOCK_MOVE_KEYS_SQL, VOLUNTEER_CARD_SQL, VOLUNTEER_DESK_SQL, VOLUNTEER_LEDGER_SQL, VOLUNTEERS_SQL } from './volunteers/schema.ts';
import { NEEDS_SQL } from './needs/schema.ts';
import { CASEWORK_DESK_SQL, ORGS_SQL, PROJECT_VENTURE_SQL } from './orgs/schema.ts';
import { CHARITY_SQL } from './charity/schema.ts';
import { AUTH_SQL, LOGIN_DEVICES_SQL, USER_GRID_WORKER_SQL, USER_ROLES_15_SQL, USER_SOCIAL_WORKER_SQL, VOLUNTEER_INVITATIONS_SQL } from './auth/schema.ts';
import { KNOWN_NAMES_SQL, knownNamesTriggers } from './privacy/schema.ts';
import { NOTICES_SQL } from './notices/schema.ts';
import { LOOP_SETTINGS_SQL } from './settings/schema.ts';
import { REGISTER_SQL } from './register/schema.ts';
import { INCIDENTS_SQL } from './emergency/schema.ts';
import { BOARD_SQL } from './emergency/board-schema.ts';
import { AFTER_ACTION_SQL } from './emergency/after-action-schema.ts';
import { PEOPLE_SQL } from './emergency/people-schema.ts';

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'grid events, journal', sql: [COMMUNITY_SQL, EVENTS_SQL, JOURNAL_SQL].join('\n') },
  {
    version: 2,
    name: 'volunteer ledger: volunteers, activities, service records, points, exchange',
    sql: [JOURNAL_SUBJECTS_SQL, VOLUNTEER_LEDGER_SQL].join('\n'),
  },
  {
    version: 3,
    name: 'the five subjects: organizations, social workers, projects, charity, needs and resources, service metrics',
    // Needs first: projects, cases, services and donations may name the need they meet.
    sql: [VOLUNTEERS_SQL, NEEDS_SQL, ORGS_SQL, CHARITY_SQL, METRICS_SQL].join('\n'),
  },
  { version: 4, name: 'accounts, sessions, paired displays, API keys, the audit log', sql: AUTH_SQL },
  {
    version: 5,
    name: 'login devices: browsers that logged in before are not locked out by others sharing their address',
    sql: LOGIN_DEVICES_SQL,
  },
  { version: 6, name: 'a social worker\'s account names the social-worker record it is', sql: USER_SOCIAL_WORKER_SQL },
  { version: 7, name: 'the names the community knows, kept by triggers, for masking free text on the wall', sql: KNOWN_NAMES_SQL },
  {
    version: 8,
    name: 'the dispatcher\'s desk: a dispatched case signed for (签收); a grid worker\'s account names its grid-worker record',
    sql: [EVENTS_SIGN_FOR_SQL, USER_GRID_WORKER_SQL].join('\n'),
  },
  { version: 9, name: 'the notice centre: what a person is told of a case (dispatched to them, sent back, reminded, decided), kept until read', sql: NOTICES_SQL },
  { version: 10, name: 'grid workers managed in the console: a retired worker keeps their history', sql: WORKER_STATUS_SQL },
  { version: 11, name: 'the loop\'s settings: time limits, calendar, reminders, evidence and duplicates, every save a version', sql: LOOP_SETTINGS_SQL },
  { version: 12, name: 'the desk\'s numbers: cases found by when they were accepted, dispatched, signed for, resolved, called back; returns by when', sql: EVENTS_DESK_STATS_SQL },
  { version: 13, name: 'photos on a case: the worker\'s evidence from the spot, files under the data directory', sql: EVENT_PHOTOS_SQL },
  { version: 14, name: 'an activity\'s check-in code: the QR code at the desk a volunteer\'s phone checks in with', sql: ACTIVITY_CHECK_IN_SQL },
  {
    version: 15, name: 'two more roles: the charity bookkeeper and a volunteer on their phone, whose account names their volunteer record',
    sql: [USER_ROLES_15_SQL, knownNamesTriggers('users')].join('\n'), rebuildsTables: true,
  },
  { version: 16, name: 'the exchange desk: receipts with an idempotency key, stock movements with a reason, an item\'s version', sql: EXCHANGE_DESK_SQL },
  { version: 17, name: 'the coordinator\'s desk: a volunteer\'s grid, corrections of service records, period certificates', sql: VOLUNTEER_DESK_SQL },
  { version: 18, name: 'the social worker\'s desk: a case\'s goals and outcome, who last changed a case or an organization, planned visits', sql: CASEWORK_DESK_SQL },
  { version: 19, name: 'a volunteer\'s card code (志愿者证号): what the check-in desk scans', sql: VOLUNTEER_CARD_SQL },
  {
    version: 20, name: 'a volunteer\'s own phone: one-time invitations to make their account, and the keys of their check-ins',
    sql: [VOLUNTEER_INVITATIONS_SQL, ME_CHECK_IN_KEYS_SQL].join('\n'),
  },
  { version: 21, name: 'a stock movement\'s idempotency key: a retried stock-in is booked once', sql: STOCK_MOVE_KEYS_SQL },
  { version: 22, name: 'venture philanthropy (公益创投) funds projects too', sql: PROJECT_VENTURE_SQL, rebuildsTables: true },
  { version: 23, name: 'retried writes answered once: the first outcome of each Idempotency-Key', sql: IDEMPOTENCY_SQL },
  { version: 24, name: 'a case\'s photos named by hash from the tablet, and whether each was taken before or after the work', sql: EVENT_PHOTO_STAGE_SQL },
  { version: 25, name: 'the community register (一标三实): buildings, households, residents with their tags, contacts and consent, every correction kept', sql: REGISTER_SQL },
  { version: 26, name: 'a grid worker\'s field logs: patrols logged when they end, visits to households with a few answers', sql: FIELDWORK_SQL },
  { version: 27, name: 'emergency incidents: declared, updated and ended (CAP alert, update, cancel), one active at a time, every step kept', sql: INCIDENTS_SQL },
  { version: 28, name: 'the accounted-for board of an incident: a row per household with its status, claim and escalation, every report kept, self-report links hashed', sql: BOARD_SQL },
  { version: 29, name: 'emergency people and places: call-outs and their answers and duties, shelters with their check-ins by head count, each shelter\'s supplies as a ledger', sql: PEOPLE_SQL },
  { version: 30, name: 'an incident\'s after-action report: objectives rated P/S/M/U, corrective actions with an owner, a due date and a check, followed up', sql: AFTER_ACTION_SQL },
];

/** Open Cerebellum's database file (`:memory:` for a throwaway one), migrated to the latest schema. */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  return openSqlite(file, MIGRATIONS, opts);
}

/** Bring an open database up to the latest schema (tests that build an old one step by step). */
export function migrate(db: Db): void {
  applyMigrations(db, MIGRATIONS);
}
