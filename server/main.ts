/**
 * Start Cerebellum: `npm start` (or `npm start -- --demo` for the demo community and simulator).
 */
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createCerebellum } from './app.ts';
import { installDemoCommunity, seedHistory } from './demo/seed.ts';
import { installSubjects, startSimulators, type RunningDemo } from './demo/index.ts';
import { reportsPerDay } from './demo/pace.ts';
import { installDemoAccess, type DemoAccess } from './auth/demo.ts';
import { startupLinks } from './startup-links.ts';
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
  const { openDatabase } = await import('./database.ts');
  const { Directory } = await import('./kernel/community.ts');
  const db = openDatabase(config.dbFile);
  const dir = new Directory(db);
  if (installDemoCommunity(dir, Date.now())) {
    // As many reports a day as the simulator will make at SIM_RATE, so history and live join.
    const n = seedHistory(db, Date.now(), { perDay: reportsPerDay(config.SIM_RATE) });
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
  logger.warn('no community yet: name it with the first administrator at the setup link below, then import its grids and grid workers in the console (社区设置 Community setup); or install it from a file with `npm run import-community -- my-community.json` (the format is at the top of server/import-community.ts); or try the demo with `npm start -- --demo`');
}
const port = await app.listen();
const host = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
const base = `http://${host}:${port}`;
logger.info({ port, dataFile: config.dbFile, demo: config.DEMO }, `Cerebellum is running on port ${port}: its links follow`);

// The five subjects first: the demo social worker's account is one of their social workers.
if (config.DEMO) {
  const seeded = await installSubjects(app, Date.now()).catch(unlessStopping);
  for (const [part, result] of Object.entries(seeded)) if (result) logger.info(result, `demo ${part} installed`);
  demo = startSimulators(app, { speed: config.SIM_SPEED, rate: config.SIM_RATE, logger });
}

const community = app.directory.defaultCommunity();
let access: DemoAccess | null = null;
if (config.DEMO && community) {
  const grid = app.directory.gridsOf(community.id)[0]?.id ?? '';
  const worker = app.db.prepare("SELECT id FROM social_workers WHERE community_id = ? AND status = 'active' ORDER BY id LIMIT 1")
    .get(community.id) as { id: number } | undefined;
  const volunteer = app.db.prepare("SELECT id FROM volunteers WHERE community_id = ? AND status = 'active' ORDER BY id LIMIT 1")
    .get(community.id) as { id: number } | undefined;
  access = await installDemoAccess(app.auth, community.id, grid, worker?.id ?? null, volunteer?.id ?? null).catch(unlessStopping);
}
// The paired wall first (demo), then the console, then the bare /screen for a new display:
// secrets are shown once (only hashes are stored), so a later start cannot print them again.
console.log(startupLinks({ base, demo: access, setupToken: app.auth.beginSetup() }).join('\n'));

