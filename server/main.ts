/**
 * Start Cerebellum: `npm start` (or `npm start -- --demo` for the demo community and simulator).
 */
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createCerebellum } from './app.ts';
import { installDemoCommunity, seedHistory } from './demo/seed.ts';
import { installSubjects, startSimulators, type RunningDemo } from './demo/index.ts';
import { demoUsername, installDemoAccess } from './auth/demo.ts';
import { QueueClosedError } from './db/write-queue.ts';

let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const logger = pino({ level: config.LOG_LEVEL });

if (config.DEMO) {
  // The demo community must exist before the read models are built.
  const { openDatabase } = await import('./db/index.ts');
  const { Directory } = await import('./community.ts');
  const db = openDatabase(config.dbFile);
  const dir = new Directory(db);
  if (installDemoCommunity(dir, Date.now())) {
    const n = seedHistory(db, Date.now());
    logger.info({ events: n }, 'demo community installed with 30 days of history');
  }
  db.close();
}

const app = createCerebellum({ config, logger });

// From here on a stop (systemd, Ctrl-C) closes the database in order, even mid-way through the start.
let demo: RunningDemo | null = null;
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  demo?.stop();
  await app.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
/** A stop during the start ends the start: its writes are refused, and the stop exits (0). */
const unlessStopping = (e: unknown): Promise<never> => {
  if (stopping && e instanceof QueueClosedError) return new Promise<never>(() => {});
  throw e;
};

if (!app.directory.defaultCommunity()) {
  logger.warn('no community yet: install yours with `npm run import-community -- my-community.json` (the format is at the top of server/import-community.ts), or try the demo with `npm start -- --demo`; then start again');
}
const port = await app.listen();
const host = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
const base = `http://${host}:${port}`;
logger.info({ port, dataFile: config.dbFile, demo: config.DEMO }, `Cerebellum is running: ${base}/screen`);

// The five subjects first: the demo social worker's account is one of their social workers.
if (config.DEMO) {
  const seeded = await installSubjects(app, Date.now(), { speed: config.SIM_SPEED }).catch(unlessStopping);
  for (const [part, result] of Object.entries(seeded)) if (result) logger.info(result, `demo ${part} installed`);
  demo = startSimulators(app, { speed: config.SIM_SPEED, rate: config.SIM_RATE, logger });
}

const community = app.directory.defaultCommunity();
if (config.DEMO && community) {
  const grid = app.directory.gridsOf(community.id)[0]?.id ?? '';
  const worker = app.db.prepare("SELECT id FROM social_workers WHERE community_id = ? AND status = 'active' ORDER BY id LIMIT 1")
    .get(community.id) as { id: number } | undefined;
  const access = await installDemoAccess(app.auth, community.id, grid, worker?.id ?? null).catch(unlessStopping);
  if (access.displayToken) {
    // Shown once: only hashes are stored. A later start cannot print them again.
    const lines = [
      'Demo ready links (shown only now; the passwords are random for this database):',
      `  wall display:  ${base}/screen#display=${access.displayToken}`,
      `  console:       ${base}/console`,
      ...access.accounts.map((a) => `    ${a.role.padEnd(13)} ${a.username.padEnd(20)} ${a.password}`),
    ];
    console.log(lines.join('\n'));
  } else {
    // Only hashes are kept, so the links cannot be printed again; say how to get back in.
    console.log([
      `Demo accounts exist (their passwords were printed on the start that made them). Console: ${base}/console`,
      `  lost a password?   npm run admin -- password --username ${demoUsername('admin')}   (any demo-… account)`,
      `  a wall display:    open ${base}/screen and pair its code in the console (大屏设备 / Displays)`,
    ].join('\n'));
  }
}
const setupToken = app.auth.beginSetup();
if (setupToken) {
  // The only way in on a fresh database (besides `npm run admin -- create`): printed, never stored.
  console.log(`No account yet. Create the first administrator at ${base}/console/setup#${setupToken}\n` +
    '(or: npm run admin -- create --username <name> --role admin)');
}

