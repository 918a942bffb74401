/**
 * 3. Snapshot time with a million events in history. The history is written straight into a
 * fresh database (history.ts); the server is then started on it, timing createCerebellum (which
 * rebuilds the read models), and a display in another process asks for a snapshot again and
 * again. The server-side parts of a snapshot are also timed on their own, in this process.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../server/config.ts';
import { createCerebellum } from '../../server/app.ts';
import { displayEvent } from '../../server/events/record.ts';
import { toEntry } from '../../server/live/broadcaster.ts';
import { maskName } from '../../shared/mask.ts';
import { pairDisplay, tempDataDir } from '../support/server.ts';
import { buildHistory } from './history.ts';
import type { SnapJob, SnapResult } from './snapclient.ts';
import { clock, forkHelper, nextMessage, round, send, summarize, waitExit } from './lib.ts';

export interface SnapshotOptions {
  events: number;
  days: number;
  repeats: number;
  /** Journal kept, in days (the server's JOURNAL_DAYS; Infinity keeps every entry). */
  journalDays: number;
}

const ms2 = (s: ReturnType<typeof summarize>) => ({ p50: round(s.p50, 2), p99: round(s.p99, 2), max: round(s.max, 2) });

export async function benchSnapshot(o: SnapshotOptions) {
  const dir = tempDataDir();
  const file = path.join(dir, 'cerebellum.db');
  const now = Date.now();
  const built = buildHistory(file, o.events, o.days, now, o.journalDays);
  console.log(`  history: ${built.events} events (${built.open} open), ${built.journalKept} journal rows kept of ${built.journalRows}, ${round(built.fileBytes / 2 ** 20, 0)} MiB, built in ${round(built.buildMs / 1000, 1)} s`);

  const config = loadConfig({ DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, []);
  const t0 = clock();
  const app = createCerebellum({ config, logger: pino({ level: 'silent' }) });
  const startMs = clock() - t0;
  // The rebuild alone, again (the file is in the page cache either way).
  const t1 = clock();
  app.model.rebuild(app.db, Date.now());
  const rebuildMs = clock() - t1;
  const port = await app.listen();
  const cid = app.directory.defaultCommunity()!.id;
  console.log(`  createCerebellum on it: ${round(startMs, 0)} ms (rebuild alone ${round(rebuildMs, 0)} ms), ${app.model.openCount(cid)} open events in memory`);

  // Client-side round trip, a display in its own process.
  const child = forkHelper('./snapclient.ts');
  const done = nextMessage<SnapResult>(child, 'snap-done', 300_000);
  send(child, { type: 'snap', url: `http://127.0.0.1:${port}`, warmup: 5, repeats: o.repeats, displayToken: pairDisplay(app).token } satisfies SnapJob);
  const client = await done;
  await waitExit(child);

  // The server-side parts of the same snapshot (public audience), each timed, as the server
  // builds it when its shared copy is stale: right after a change (a report made through the
  // service before each build), so the events that changed are projected again and the others
  // come from the per-event memo (server/events/record.ts, displayEvent). The first build after
  // start, with nothing remembered, is timed apart (cold).
  const ctx = app.viewContextOf(cid);
  const parts = { views: [] as number[], currentEvents: [] as number[], projectEvents: [] as number[], recentEntries: [] as number[], total: [] as number[], encode: [] as number[] };
  const reporter = { id: 'bench', role: 'system' as const, communityId: cid };
  const gridId = app.directory.gridInfos(cid)[0]!.id;
  let coldMs = 0;
  for (let i = 0; i < 5 + o.repeats; i++) {
    if (i > 0) {
      await app.events.report(reporter, {
        category: 'environment', subcategory: 'garbage', urgency: 'normal', source: 'patrol', title: `快照测量 ${i}`, description: '—', gridId,
      });
    }
    const a = clock();
    const views = app.model.views(cid, Date.now());
    const b = clock();
    const current = app.model.currentEvents(cid);
    const c = clock();
    const events = current.map((e) => displayEvent(e, 'public', ctx));
    const d = clock();
    const recent = app.model.recent(cid).map((ch) => toEntry(ch, 'public', ctx));
    const e = clock();
    const grids = app.directory.gridInfos(cid).map((g) => ({ ...g, workerName: maskName(g.workerName) }));
    const payload = JSON.stringify({ ok: true, mode: 'snapshot', snapshot: { dbId: app.dbId, seq: app.model.head, community: app.directory.communities.get(cid), grids, views, events, recent } });
    const f = clock();
    if (i === 0) coldMs = e - a;
    if (i < 5 || !payload) continue;
    parts.views.push(b - a);
    parts.currentEvents.push(c - b);
    parts.projectEvents.push(d - c);
    parts.recentEntries.push(e - d);
    parts.total.push(e - a);
    parts.encode.push(f - e);
  }
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const rt = summarize(client.roundTripsMs);
  return {
    history: { ...built, buildMs: round(built.buildMs, 0), fileMiB: round(built.fileBytes / 2 ** 20, 0) },
    createCerebellumMs: round(startMs, 0),
    rebuildMs: round(rebuildMs, 0),
    openInMemory: app.model.openCount(cid),
    snapshot: {
      repeats: o.repeats,
      roundTripMs: ms2(rt),
      payloadBytes: client.bytes,
      events: client.events,
      recent: client.recent,
    },
    /** The first build after start: every event projected, nothing remembered yet. */
    serverSideColdMs: round(coldMs, 1),
    serverSideMs: {
      views: ms2(summarize(parts.views)),
      currentEvents: ms2(summarize(parts.currentEvents)),
      projectEvents: ms2(summarize(parts.projectEvents)),
      recentEntries: ms2(summarize(parts.recentEntries)),
      total: ms2(summarize(parts.total)),
      jsonEncode: ms2(summarize(parts.encode)),
    },
  };
}
