/**
 * A server in a process of its own, for tests that kill it (-9) and start it again on the same
 * port and data folder: the demo community (no history, no simulators) and one grid worker's
 * account, made on the first start only. Forked with `--import tsx`; settings from the
 * environment as for main.ts (DATA_DIR, PORT, …) plus FORKED_USERNAME / FORKED_PASSWORD / FORKED_GRID.
 * Sends `{ type: 'ready', port, pid }` once listening.
 */
import pino from 'pino';
import { loadConfig } from '../../server/config.ts';
import { createCerebellum } from '../../server/app.ts';
import { openDatabase } from '../../server/database.ts';
import { Directory } from '../../server/kernel/community.ts';
import { installDemoCommunity } from '../../server/demo/seed.ts';

const config = loadConfig({ ...process.env }, []);
const db = openDatabase(config.dbFile);
installDemoCommunity(new Directory(db), Date.now());
db.close();

const app = createCerebellum({ config, logger: pino({ level: 'silent' }) });
const username = process.env.FORKED_USERNAME ?? 'field.worker';
if (!app.auth.accounts.users.byUsername(username)) {
  const community = app.directory.defaultCommunity()!;
  const grid = process.env.FORKED_GRID ?? 'G01';
  await app.auth.accounts.users.create(null, community.id, {
    username, displayName: '测试网格员', role: 'grid_worker', grids: [grid], workerId: app.directory.grids.get(grid)!.workerId!,
    password: process.env.FORKED_PASSWORD ?? 'field-password-1234', mustChangePassword: false,
  });
}
const port = await app.listen();
process.send?.({ type: 'ready', port, pid: process.pid });

async function shutdown() {
  await app.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('disconnect', () => void shutdown());
