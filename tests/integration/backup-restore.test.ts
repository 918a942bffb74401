import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveClient } from '../../shared/live-client.ts';
import { openSocket, post, sampleReport, startServer, tempDataDir, until, type TestServer } from '../support/server.ts';

const tsx = path.resolve('node_modules/.bin/tsx');
const run = (script: string, args: string[], dataDir: string) =>
  execFileSync(tsx, [script, ...args], { env: { ...process.env, DATA_DIR: dataDir }, encoding: 'utf8' });

describe('backup and restore', () => {
  let server: TestServer | undefined;
  afterAll(() => server?.stop());

  it('brings a display to the restored database, not a mix of the old and the restored one', async () => {
    server = await startServer();
    const { dataDir } = server;
    const port = Number(new URL(server.url).port);
    for (let i = 0; i < 3; i++) await post(`${server.url}/api/v1/events`, sampleReport({ title: `备份前 ${i}` }));
    const backup = path.join(tempDataDir(), 'backup.db');
    run('server/backup.ts', [backup], dataDir);
    for (let i = 0; i < 5; i++) await post(`${server.url}/api/v1/events`, sampleReport({ title: `备份后 ${i}` }));

    const socket = openSocket(server.url, { display: true });
    const client = new LiveClient(socket, { view: 'screen' });
    await until(() => client.state.events.size === 8, 'the display to hold 8 events');
    const oldDbId = client.state.dbId;

    await server.stop();
    run('server/restore.ts', [backup], dataDir);
    server = await startServer({ dataDir, port });
    // New writes reuse the seqs and ids the display saw before the restore.
    for (let i = 0; i < 8; i++) await post(`${server.url}/api/v1/events`, sampleReport({ title: `恢复后 ${i}` }));

    await until(() => client.state.dbId !== oldDbId && client.state.events.size === 11, 'the display to follow the restored database');
    const titles = [...client.state.events.values()].map((e) => e.title).sort();
    expect(titles.filter((t) => t.startsWith('备份后'))).toEqual([]);
    expect(titles.filter((t) => t.startsWith('备份前'))).toHaveLength(3);
    expect(titles.filter((t) => t.startsWith('恢复后'))).toHaveLength(8);
    socket.close();
  });
});
