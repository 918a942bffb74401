/**
 * Start Cerebellum: `npm start` (or `npm start -- --demo` for the demo community and simulator).
 */
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createCerebellum } from './app.ts';
import { installDemoCommunity, seedHistory } from './demo/seed.ts';
import { Simulator } from './demo/simulator.ts';
import { seedVolunteers, VolunteerSimulator } from './demo/volunteers.ts';

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
if (!app.directory.defaultCommunity()) {
  logger.warn('no community yet: start with --demo (or DEMO=1) to install the demo community');
}
const port = await app.listen();
let simulator: Simulator | null = null;
let volunteerSim: VolunteerSimulator | null = null;
if (config.DEMO) {
  simulator = new Simulator({ events: app.events, model: app.model, logger, ratePerHour: config.SIM_RATE, speed: config.SIM_SPEED });
  simulator.start();
  const seeded = await seedVolunteers(app.volunteers, Date.now(), undefined, { speed: config.SIM_SPEED });
  if (seeded) logger.info(seeded, 'demo volunteers installed');
  volunteerSim = new VolunteerSimulator({ volunteers: app.volunteers, logger, speed: config.SIM_SPEED });
  volunteerSim.start();
}
const host = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
logger.info({ port, dataFile: config.dbFile, demo: config.DEMO }, `Cerebellum is running: http://${host}:${port}/screen`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  simulator?.stop();
  volunteerSim?.stop();
  await app.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
