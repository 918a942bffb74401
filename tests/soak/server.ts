/**
 * The soak's server: what `npm start -- --demo` runs (the demo community, 30 days of history,
 * every simulator), in a process of its own so the soak can kill it (-9) and start it again on
 * the same port and data folder, with one difference: its clock is `Date.now() + offset`, and
 * the soak can move it (`{ type: 'clock', offsetMs }` over IPC). That is how a two-hour run sees
 * a busy hour of the day and a change of day. It goes through the seams the server already has
 * (`createCerebellum({ now })`, the simulators' `now`); nothing in server/ reads Date.now()
 * behind them, so the whole server lives on the moved clock.
 *
 * Forked by wall.ts with `--import tsx`. Settings come from the environment as for main.ts
 * (DATA_DIR, PORT, SIM_RATE, SIM_SPEED, …) plus SOAK_CLOCK_OFFSET_MS. It sends
 * `{ type: 'ready', port, displayToken, pid }` once listening (`displayToken` only on the start
 * that paired the display), and `{ type: 'clock', offsetMs }` back when it moved its clock.
 */
import pino from 'pino';
import { loadConfig } from '../../server/config.ts';
import { createCerebellum } from '../../server/app.ts';
import { openDatabase } from '../../server/database.ts';
import { Directory } from '../../server/kernel/community.ts';
import { installDemoCommunity, seedHistory } from '../../server/demo/seed.ts';
import { installSubjects, startSimulators, type RunningDemo } from '../../server/demo/index.ts';

let offset = Number(process.env.SOAK_CLOCK_OFFSET_MS ?? 0);
const now = () => Date.now() + offset;

const config = loadConfig({ ...process.env, DEMO: '1' }, []);
const logger = pino({ level: config.LOG_LEVEL });

const db = openDatabase(config.dbFile);
if (installDemoCommunity(new Directory(db), now())) seedHistory(db, now());
db.close();

const app = createCerebellum({ config, logger, now });
const port = await app.listen();
await installSubjects(app, now());
const start = () => startSimulators(app, { speed: config.SIM_SPEED, rate: config.SIM_RATE, logger });
let demo: RunningDemo = start();

const community = app.directory.defaultCommunity()!;
const paired = app.auth.displays.list(community.id);
const displayToken = paired.length ? null : app.auth.displays.createPaired(community.id, '耐久测试大屏', 'soak').token;
process.send?.({ type: 'ready', port, displayToken, pid: process.pid });

process.on('message', (m: { type?: string; offsetMs?: number }) => {
  if (m?.type !== 'clock' || typeof m.offsetMs !== 'number') return;
  // A simulator plans by its clock: one that saw the clock leap 14 hours would report 14 hours
  // of events at once. Start them afresh on the new time, as a restarted server would.
  demo.stop();
  offset = m.offsetMs;
  demo = start();
  process.send?.({ type: 'clock', offsetMs: offset });
});

async function shutdown() {
  demo.stop();
  await app.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.on('disconnect', () => void shutdown());
