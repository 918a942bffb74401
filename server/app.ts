/**
 * The composition root: one process, one port. Hono serves the API and the built client,
 * socket.io shares the HTTP server, SQLite holds the state and the journal.
 *
 *   HTTP → auth gate → services → WriteQueue (one transaction per group) → SQLite (+ journal)
 *                               └ after commit → CommitFeed → read models → Broadcaster → socket.io rooms
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Server } from 'socket.io';
import { scrubText } from '../shared/mask.ts';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { databaseId, type Db } from './db/index.ts';
import { openDatabase } from './database.ts';
import { QueueClosedError } from './db/write-queue.ts';
import { StorageHealth, storageFault } from './db/storage.ts';
import { Directory } from './kernel/community.ts';
import { EventService } from './events/service.ts';
import { NoticeService } from './notices/service.ts';
import { CommunityService } from './community/service.ts';
import { VolunteerService } from './volunteers/service.ts';
import { OrgService } from './orgs/service.ts';
import { RegisterService } from './register/service.ts';
import { CharityService } from './charity/service.ts';
import { NeedService } from './needs/service.ts';
import { SettingsService } from './settings/service.ts';
import { JournalWriter } from './kernel/journal.ts';
import { CommitFeed, type Effect } from './feed.ts';
import { Metrics } from './kernel/metrics.ts';
import { KnownNames } from './privacy/known-names.ts';
import type { NameMasker } from '../shared/mask.ts';
import { SubjectStats } from './live/subjects.ts';
import type { SubjectServiceDeps } from './kernel/deps.ts';
import type { ViewContext } from './events/record.ts';
import { JournalReader } from './live/journal.ts';
import { ReadModel } from './live/read-model.ts';
import { Broadcaster } from './live/broadcaster.ts';
import { deskNotes } from './live/desks.ts';
import { MeLive } from './volunteers/me-live.ts';
import { attachLive, liveControl, recheckSockets, socketFanout, SOCKET_LIMITS, type LiveServer } from './live/socket.ts';
import { createHttpApp } from './api.ts';
import { IdempotencyStore } from './http/idempotency.ts';
import { Uploads } from './uploads/store.ts';
import { FieldworkService } from './fieldwork/service.ts';
import { IncidentService } from './emergency/incidents.ts';
import { CapExport } from './emergency/cap.ts';
import { incidentLive } from './live/incidents.ts';
import { BoardService } from './emergency/board.ts';
import { boardLive } from './live/board.ts';
import { AfterActionService } from './emergency/after-action.ts';
import { PeopleService } from './emergency/people.ts';
import { peopleReport } from './emergency/people-report.ts';
import { peopleLive } from './live/people.ts';
import { Auth, rooms, type Credential } from './auth/index.ts';
import { AuditedQueue } from './auth/audit.ts';
import { originAllowed } from './auth/guards.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built client: dist/client, beside server/ when run from source, beside dist/server/ when compiled. */
export const CLIENT_DIR = path.basename(here) === 'server' && path.basename(path.dirname(here)) === 'dist'
  ? path.join(here, '..', 'client')
  : path.join(here, '..', 'dist', 'client');

/**
 * The server connection's busy timeout. better-sqlite3 waits for a lock synchronously, freezing
 * sockets and timers meanwhile: the write queue waits on timers instead (DB_BUSY_WAIT_MS), and
 * writes made outside it (accounts, sessions) are refused with 503 error.db_busy after this.
 */
const BUSY_TIMEOUT_MS = 50;

export interface AppOptions {
  config: Config;
  logger?: Logger;
  /** The clock; tests move it. */
  now?: () => number;
  /**
   * The clock of sessions, tokens, rate limits and the audit log: the wall clock unless a test
   * moves it. Apart from `now`, so a test moving story time by days does not end its sessions.
   */
  authNow?: () => number;
  clientDir?: string;
}

export interface Cerebellum {
  config: Config;
  db: Db;
  dbId: string;
  directory: Directory;
  events: EventService;
  volunteers: VolunteerService;
  orgs: OrgService;
  charity: CharityService;
  /** The community register (一标三实): buildings, households, residents. */
  register: RegisterService;
  needs: NeedService;
  /** Emergency incidents: declared, updated, ended, pushed to every surface; which screens show them. */
  incidents: IncidentService;
  /** Each incident's accounted-for board (核查台账) and door-knock tasks; the households' own links. */
  board: BoardService;
  /** An incident's timeline and after-action report: objectives rated, corrective actions followed up. */
  afterAction: AfterActionService;
  /** An incident's call-outs and duties, shelters with their check-ins and supplies. */
  people: PeopleService;
  /** Grid workers and the imports of community setup. */
  community: CommunityService;
  /** The loop's settings: time limits, calendar, reminder share, evidence, duplicates. */
  settings: SettingsService;
  /** Accounts, sessions, paired displays, API keys, the audit log. */
  auth: Auth;
  metrics: Metrics;
  subjects: SubjectStats;
  /** What the subject services are built from: demo seeds build their own with a moving clock. */
  subjectDeps: SubjectServiceDeps;
  model: ReadModel;
  broadcaster: Broadcaster;
  /** What each person is told of their cases, written with the change that causes it. */
  notices: NoticeService;
  journal: JournalReader;
  /** Where every commit's changes go after commit (read models, broadcaster; later webhooks). */
  feed: CommitFeed;
  /** What a projection pass for a community needs: its time zone, worker names, the masker of known names. */
  viewContextOf: (communityId: string) => ViewContext;
  queue: AuditedQueue<Effect>;
  io: LiveServer;
  /** Whether the database takes writes (a lock held elsewhere, a full disk): /health and /ready. */
  storage: StorageHealth;
  /** The Hono app (its `routes` list every route: a test walks them all with every role). */
  http: ReturnType<typeof createHttpApp>;
  logger: Logger;
  now: () => number;
  /** End expired sessions and pairings, and close the sockets whose credential no longer stands (a timer runs this each minute). */
  sweepAuth(): { sessions: number; pairings: number; sockets: number };
  /** Listen on config.PORT (0 picks a free port); resolves with the port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export function createCerebellum(opts: AppOptions): Cerebellum {
  const { config } = opts;
  const logger = opts.logger ?? pino({ level: config.LOG_LEVEL });
  const now = opts.now ?? Date.now;
  const db = openDatabase(config.dbFile, { busyTimeoutMs: BUSY_TIMEOUT_MS });
  const storage = new StorageHealth(logger);
  /** A write a timer made failed: a storage fault is the health's to log (once an episode), anything else is logged here. */
  const failed = (what: string) => (err: unknown) => {
    const fault = storageFault(err);
    if (fault) storage.fault(fault.fault, err);
    else if (!(err instanceof QueueClosedError)) logger.error({ err }, what);
  };
  const dbId = databaseId(db);
  const directory = new Directory(db, config.TIME_ZONE);
  const metrics = new Metrics(db);
  const names = new KnownNames(db);
  const subjects = new SubjectStats({ db, metrics, directory, names });
  const model = new ReadModel(directory, subjects);
  const journal = new JournalReader(db);

  const viewContext = (communityId: string): ViewContext => {
    // Every person the community holds by name, masked in free text on public displays: a
    // context is one projection pass (a batch, a snapshot, a replay), which catches up once.
    let masker: NameMasker | undefined;
    return {
      timeZone: directory.timeZoneOf(communityId),
      workerName: directory.workerName,
      names: () => (masker ??= names.current(communityId)),
      namesGeneration: () => names.generation(communityId),
    };
  };

  // After commit, in this order: the five subjects' views (a person this commit added is masked
  // from the next batch on: every projection pass catches up with the names first), the grid
  // events' read model, then the broadcaster.
  const feed = new CommitFeed((err, subscriber) => logger.error({ err, subscriber }, 'publishing committed changes failed'));
  const queue = new AuditedQueue<Effect>(
    db,
    (effects) => feed.deliver(effects),
    (err) => logger.error({ err }, 'publishing committed changes failed'),
    { lockWaitMs: config.DB_BUSY_WAIT_MS, health: storage },
  );
  // The read models must hold what the broadcaster is about to announce: one that fails to take
  // a commit is rebuilt from the database (which has the commit) before the broadcaster runs, so
  // no wall is told of a change the figures it is sent do not count.
  const heal = (what: string, err: unknown, rebuild: () => void) => {
    logger.error({ err, subscriber: what }, 'a read model failed to take a commit; rebuilt from the database');
    rebuild();
  };
  feed.subscribe('five-subject views', ({ subjects: touched }) => {
    if (!touched.length) return;
    try {
      subjects.apply(touched, viewContext);
    } catch (err) {
      heal('five-subject views', err, () => subjects.rebuild(viewContext));
    }
    model.advance(touched[touched.length - 1]!.seq);
  });
  feed.subscribe('grid-event read model', ({ events: changes }) => {
    try {
      model.apply(changes);
    } catch (err) {
      heal('grid-event read model', err, () => model.rebuild(db, now()));
    }
  });
  const journalWriter = new JournalWriter(db);
  // Who an actor in a case's history is to people, and which grid workers have an account: read
  // from the accounts' table, which the events service does not own.
  const displayName = db.prepare('SELECT display_name FROM users WHERE username = ?').pluck();
  const linkedWorkers = db.prepare("SELECT worker_id FROM users WHERE community_id = ? AND worker_id IS NOT NULL AND status = 'active'").pluck();
  const actorName = (actor: string) => (displayName.get(actor) as string | undefined) ?? null;
  const settings = new SettingsService({ db, queue, directory, now, actorName });
  // A grid worker's patrols and visits, sent from the tablet.
  // A visit names the register's household or resident (server/register): checked to be in the community and the visit's grid.
  const placeOf = {
    household: db.prepare('SELECT community_id AS communityId, grid_id AS gridId FROM households WHERE id = ?'),
    resident: db.prepare('SELECT community_id AS communityId, grid_id AS gridId FROM residents WHERE id = ?'),
  };
  const fieldwork = new FieldworkService({
    db, queue, directory, now, actorName,
    registerPlace: (kind, id) => (placeOf[kind].get(id) as { communityId: string; gridId: string | null } | undefined) ?? null,
  });
  // Photos sent in chunks by the tablet, kept whole under their hash until a record names them.
  const uploads = new Uploads(path.join(config.DATA_DIR, 'photos'));
  const notices = new NoticeService({ db, queue, directory, now });
  const events = new EventService({
    db, queue, directory, journal: journalWriter, now, inTransaction: (change) => notices.record(change),
    actorName,
    workerAccounts: (communityId) => new Set(linkedWorkers.all(communityId) as string[]),
    loopRules: (communityId) => settings.rulesOf(communityId),
    photoDir: path.join(config.DATA_DIR, 'photos'),
    uploads,
  });
  // Grid workers kept by admins: their open cases from the events' queue, their accounts from the accounts' table.
  const workerAccounts = db.prepare(
    "SELECT id, username, display_name AS displayName, worker_id AS workerId FROM users WHERE community_id = ? AND worker_id IS NOT NULL AND status = 'active' ORDER BY id",
  );
  const community = new CommunityService({
    db, queue, directory,
    openLoad: (communityId) => events.openLoad(communityId),
    linkedAccounts: (communityId) => new Map((workerAccounts.all(communityId) as { id: number; username: string; displayName: string; workerId: string }[])
      .map(({ workerId, ...a }) => [workerId, a])),
  });
  const subjectDeps: SubjectServiceDeps = { db, queue, directory, now, metrics, journal: journalWriter };
  const volunteers = new VolunteerService({ ...subjectDeps, pointsPerHour: config.POINTS_PER_HOUR });
  const orgs = new OrgService(subjectDeps);
  const charity = new CharityService(subjectDeps);
  const register = new RegisterService(subjectDeps);
  const needs = new NeedService(subjectDeps);
  // The community's paired displays, for the incident's screens list: read from the auth tables, which the incidents do not own.
  let displaysOf: (communityId: string) => { id: number; name: string; online: boolean; revoked: boolean }[] = () => [];
  // The board adds an incident's households in the incident's own write (declared, area grown) and stops its timers at the end.
  let board: BoardService | null = null;
  let people: PeopleService | null = null;
  const incidents = new IncidentService({
    db, queue, directory, journal: journalWriter, now, actorName, displays: (c) => displaysOf(c),
    inTransaction: (ctx, incident, step) => (board?.onStep(ctx, incident, step), people?.onStep(ctx, incident, step)),
  });
  people = new PeopleService({ db, queue, directory, journal: journalWriter, now, actorName, incidents });
  const mobilised = people;

  /** A small write (a last-seen time, a read's audit line) joins the next group commit. */
  const defer = (work: () => void) => {
    queue.runQuiet(() => work()).catch(failed('deferred write failed'));
  };
  const authNow = opts.authNow ?? Date.now;
  const auth = new Auth({
    db, directory, now: authNow, defer, scryptCost: config.SCRYPT_COST,
    sessionIdleMs: config.SESSION_IDLE_HOURS * 3_600_000, sessionMaxMs: config.SESSION_MAX_DAYS * 86_400_000,
  });
  // Changes made for an HTTP request write that request's audit line in their own savepoint.
  queue.useAudit(auth.audit);
  // "Needs help" opens its urgent case in the board's own write; the override of consent is written to the audit log.
  board = new BoardService({
    db, queue, directory, journal: journalWriter, now, actorName, incidents,
    reportEvent: (ctx, p, body) => events.reportWithin(ctx, p, body),
    audit: (entry) => defer(() => auth.audit.write(entry)),
    publicText: (communityId, text) => {
      const names = viewContext(communityId).names?.();
      return names ? names.apply(scrubText(text)) : scrubText(text);
    },
  });
  const accounted = board;
  // An incident's steps as CAP 1.2, with the text a wall shows (names masked as on every wall).
  const cap = new CapExport({ incidents, directory, names: (communityId) => viewContext(communityId).names?.(), sender: config.CAP_SENDER });
  const afterAction = new AfterActionService({ db, queue, directory, journal: journalWriter, now, actorName, incidents });
  // The report's mobilisation, shelters and supplies: the people subject's own rows, read for the timeline and the figures.
  const peopleInReport = peopleReport({ db, directory, now });
  afterAction.addSource('people', peopleInReport.timeline);
  afterAction.addSection('people', peopleInReport.figures);
  displaysOf = (communityId) => auth.displays.list(communityId).map((d) => {
    const v = auth.displays.view(d);
    return { id: d.id, name: d.name, online: v.online, revoked: d.revokedAt !== null };
  });

  const io: LiveServer = new Server({
    serveClient: false,
    ...SOCKET_LIMITS,
    transports: ['websocket', 'polling'],
    // `cors` only sets headers; a WebSocket from another site's page must be refused here.
    allowRequest: (req, callback) => callback(null, originAllowed(req.headers.origin, req.headers.host, config.ALLOWED_ORIGINS)),
  });
  // A session's end closes its sockets and its phone's live line alike.
  const sockets = liveControl(io);
  auth.live = { ...sockets, disconnect: (room) => (sockets.disconnect(room), meLive.endRoom(room)) };
  const broadcaster = new Broadcaster({
    fanout: socketFanout(io),
    model,
    viewContext,
    now,
    intervalMs: config.BATCH_MS,
    communities: () => [...directory.communities.keys()],
  });
  feed.subscribe('broadcaster', ({ events: changes, subjects: touched }) => broadcaster.publish(changes, touched));
  // A person's sockets share a room (server/auth/live.ts), whether or not they subscribed to a view.
  notices.live = {
    notice: (userId, alert) => void io.to(rooms.user(userId)).emit('notice', alert),
    read: (userId, read) => void io.to(rooms.user(userId)).emit('notice:read', read),
  };
  feed.subscribe('notices', ({ events: changes }) => notices.publish(changes));
  // A volunteer's phone hears its own records change (Server-Sent Events, /me/live).
  const meLive = new MeLive<Credential>();
  feed.subscribe("volunteers' phones", ({ subjects: touched }) => meLive.publish(touched));
  // An incident's step reaches every socket of its community at once, not with the next batch (server/live/incidents.ts).
  const emergencyLive = incidentLive({ io, incidents, viewContext });
  feed.subscribe('incidents', ({ incidents: steps }) => emergencyLive.publish(steps));
  // The board's changes: a notice to the community's staff, the per-grid guarded counts to every wall (server/live/board.ts).
  const boardNews = boardLive({ io, board: accounted, incidents });
  feed.subscribe('board', ({ boards }) => boardNews.publish(boards));
  // Call-outs, shelters and supplies: counts to every wall, a notice to staff, a volunteer's phone its own call-outs (server/live/people.ts).
  const peopleNews = peopleLive({ io, people: mobilised, incidents, tell: (v, seq) => meLive.tell(v, seq) });
  feed.subscribe('people', ({ people: changes }) => peopleNews.publish(changes));
  feed.subscribe('desks', ({ subjects: touched }) => {
    if (!touched.length) return;
    for (const [communityId, note] of deskNotes(touched)) io.to(rooms.community(communityId)).emit('desk:changed', note);
  });

  model.rebuild(db, now());
  subjects.rebuild(viewContext);

  attachLive({
    io, dbId, directory, model, journal, broadcaster, viewContext, now,
    onError: (err) => logger.error({ err }, 'subscribe failed'),
    authenticate: (handshake) => {
      const token = (handshake.auth as { displayToken?: unknown } | undefined)?.displayToken;
      if (typeof token === 'string' && token) return auth.displayToken(token);
      // Staff: the session cookie the browser sends with the handshake. No API keys here.
      const who = auth.authenticate({ cookie: handshake.headers.cookie }) ?? { ok: false, error: 'error.unauthenticated', staleCookie: false };
      if (who.ok && who.credential.kind === 'session' && who.credential.user.mustChangePassword) {
        return { ok: false, error: 'error.password_change_required', staleCookie: false };
      }
      return who;
    },
    stillValid: (credential) => auth.stillValid(credential),
    roomsOf: (credential) => auth.roomsOf(credential),
    onConnect: (socket) => {
      emergencyLive.connected(socket);
      boardNews.connected(socket);
      peopleNews.connected(socket);
    },
  });

  // Retried writes answered once (server/http/idempotency.ts); outcomes older than 30 days forgotten at start and daily.
  const idempotency = new IdempotencyStore(db, now);
  const forgetOldKeys = () => queue.runQuiet(() => idempotency.purge()).catch(failed('forgetting old idempotency keys failed'));
  void forgetOldKeys();
  const app = createHttpApp({
    events, notices, volunteers, meLive, orgs, charity, register, needs, community, settings, directory, model, dbId, now, logger, viewContext, auth, storage,
    uploads, fieldwork, incidents, cap, board: accounted, afterAction, people: mobilised, idempotency: { store: idempotency, write: (work) => queue.runQuiet(work) },
    security: {
      allowedOrigins: config.ALLOWED_ORIGINS, trustProxy: config.TRUST_PROXY, cookieSecure: config.COOKIE_SECURE,
      sessionMaxMs: config.SESSION_MAX_DAYS * 86_400_000,
    },
    auditSoon: (entry) => defer(() => auth.audit.write(entry)),
    clientDir: opts.clientDir ?? CLIENT_DIR,
  });

  let server: ServerType | null = null;
  const timers: NodeJS.Timeout[] = [];
  const sweepAuth = () => ({
    ...auth.sweep(), sockets: recheckSockets(io, (c) => auth.stillValid(c)), phones: meLive.recheck((c) => auth.stillValid(c)),
  });

  return {
    config, db, dbId, directory, events, notices, volunteers, orgs, charity, register, needs, incidents, board: accounted, afterAction, people: mobilised, community, settings, auth, metrics, subjects, subjectDeps, model, broadcaster, journal, feed, queue, io, logger, now, viewContextOf: viewContext,
    storage,
    sweepAuth, http: app,
    listen() {
      return new Promise<number>((resolve, reject) => {
        server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info: AddressInfo) => resolve(info.port));
        server.once('error', reject);
        io.attach(server as import('node:http').Server);
        broadcaster.start();
        const tick = setInterval(() => {
          events.deadlines.check().catch(failed('deadline timer failed'));
          accounted.escalations().catch(failed('board escalation timer failed'));
        }, config.TIMER_MS);
        const prune = setInterval(() => {
          try {
            journal.prune(now() - config.JOURNAL_DAYS * 86_400_000);
          } catch (err) {
            failed('journal pruning failed')(err);
          }
        }, 3_600_000);
        // Sessions expire without an event to say so: end them, and their sockets, each minute.
        const sweep = setInterval(() => {
          try {
            sweepAuth();
          } catch (err) {
            failed('session sweep failed')(err);
          }
        }, 60_000);
        // Upload parts untouched for 7 days (a record dropped with its photo half sent) go daily
        // too, and whole photos no case names 30 days after they came.
        const attached = db.prepare<[string], 1>('SELECT 1 FROM event_photos WHERE sha256 = ? LIMIT 1').pluck();
        const sweepUploads = () => uploads.sweep(7 * 86_400_000, Date.now(), { attached: (sha) => attached.get(sha) !== undefined, orphanMs: 30 * 86_400_000 })
          .catch(failed('sweeping old uploads failed'));
        void sweepUploads();
        const forget = setInterval(() => (void forgetOldKeys(), void sweepUploads()), 86_400_000);
        forget.unref();
        timers.push(forget);
        tick.unref();
        prune.unref();
        sweep.unref();
        timers.push(tick, prune, sweep);
      });
    },
    async close() {
      for (const t of timers) clearInterval(t);
      // Commit what is queued, send it, then stop: nothing acknowledged goes unannounced.
      queue.close();
      storage.close();
      broadcaster.flush();
      broadcaster.stop();
      // Phones' open streams end, or the HTTP server would wait for them.
      meLive.close();
      // io.close() also closes the HTTP server it is attached to; never attached, it has none.
      if (server) await new Promise<void>((resolve) => io.close(() => resolve()));
      db.close();
    },
  };
}

export const dataFile = (dir: string) => path.join(dir, 'cerebellum.db');
