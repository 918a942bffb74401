/**
 * The emergency flip (issue 15): from the moment a declaration is sent over HTTP until each of
 * `displays` connected walls hears `incident:changed` — the request, the group commit (fsync)
 * and the push after commit — against a baseline measured on the same sockets in the same run:
 * a bare `io.emit` of a message of the same size, from the emit until each receipt. Each round
 * declares, waits for every wall, then ends the incident (the walls hear that too, untimed).
 * The walls are real socket.io clients of paired displays in this process, as the baseline's are.
 */
import { openSocket, pairDisplay, post, startServer, type TestSocket } from '../support/server.ts';
import { clock, round, sleep, summarize } from './lib.ts';

export interface FlipResult {
  displays: number;
  rounds: number;
  /** Declaration sent → `incident:changed` heard, every wall of every round. */
  flipMs: ReturnType<typeof summarize>;
  /** `io.emit` of a same-sized message → heard, the same walls. */
  emitMs: ReturnType<typeof summarize>;
  /** flip p99 / emit p99. */
  ratioP99: number;
  missing: number;
}

const BODY = { type: 'typhoon', level: 2, grids: ['G01', 'G02'], headline: '台风“海葵”今夜登陆', instructions: '低洼地带居民请于 20:00 前转移至社区服务中心；关好门窗，收起阳台物品。' };

export async function benchFlip({ displays, rounds }: { displays: number; rounds: number }): Promise<FlipResult> {
  const ts = await startServer();
  const sockets: TestSocket[] = [];
  const api = `${ts.url}/api/v1`;
  try {
    let connected = 0;
    const heard = { flip: new Map<number, number>(), emit: new Map<number, number>() };
    let size = 0;
    for (let n = 0; n < displays; n++) {
      const s = openSocket(ts.url, { displayToken: pairDisplay(ts.app, `bench-wall-${n}`).token });
      sockets.push(s);
      s.once('connect', () => connected++);
      s.on('incident:changed', (news) => {
        if (news.step === 'alert' && !heard.flip.has(n)) heard.flip.set(n, clock());
        if (news.step === 'alert') size = JSON.stringify(news).length;
      });
      (s as unknown as { on(e: string, f: () => void): void }).on('bench:emit', () => heard.emit.has(n) || heard.emit.set(n, clock()));
    }
    for (let t = clock(); connected < displays; await sleep(20)) if (clock() - t > 60_000) throw new Error(`only ${connected} of ${displays} walls connected`);

    const all = async (map: Map<number, number>) => {
      for (const t = clock(); map.size < displays && clock() - t < 10_000;) await sleep(2);
    };
    const flip: number[] = [];
    const emit: number[] = [];
    let missing = 0;
    for (let r = 0; r < rounds; r++) {
      heard.flip.clear();
      const sent = clock();
      const declared = await post(`${api}/incidents`, { ...BODY, headline: `${BODY.headline}（${r + 1}）` });
      if (declared.status !== 201) throw new Error(`declare: ${declared.status} ${JSON.stringify(declared.body)}`);
      await all(heard.flip);
      missing += displays - heard.flip.size;
      for (const at of heard.flip.values()) flip.push(at - sent);
      const { id } = declared.body.incident as { id: number };
      const ended = await post(`${api}/incidents/${id}/end`, { summary: '演练结束', expectedVersion: declared.body.incident.version });
      if (ended.status !== 200) throw new Error(`end: ${ended.status} ${JSON.stringify(ended.body)}`);
      await sleep(100);

      heard.emit.clear();
      const payload = { pad: 'x'.repeat(Math.max(0, size - 10)) };
      const at = clock();
      (ts.app.io as unknown as { emit(e: string, p: unknown): void }).emit('bench:emit', payload);
      await all(heard.emit);
      missing += displays - heard.emit.size;
      for (const t of heard.emit.values()) emit.push(t - at);
      await sleep(100);
    }
    const flipMs = summarize(flip);
    const emitMs = summarize(emit);
    for (const s of [flipMs, emitMs]) for (const k of ['min', 'p50', 'p95', 'p99', 'max', 'mean'] as const) s[k] = round(s[k], 1);
    return { displays, rounds, flipMs, emitMs, ratioP99: round(flipMs.p99 / emitMs.p99, 1), missing };
  } finally {
    for (const s of sockets) s.close();
    await ts.stop();
  }
}
